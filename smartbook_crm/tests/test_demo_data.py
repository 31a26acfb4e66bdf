from datetime import date

import phonenumbers

from odoo.tests.common import TransactionCase, tagged

from ..tools.demo_data import client_rows


class TestDemoRows(TransactionCase):
    """The pure generator: deterministic, unique, valid phones."""

    def test_same_seed_same_rows_whatever_the_chunking(self):
        whole = list(client_rows(40, seed=7, today=date(2026, 1, 1)))
        chunked = list(client_rows(25, seed=7, today=date(2026, 1, 1))) + list(
            client_rows(15, seed=7, today=date(2026, 1, 1), start_index=25)
        )
        self.assertEqual(whole, chunked)
        self.assertNotEqual(whole, list(client_rows(40, seed=8, today=date(2026, 1, 1))))

    def test_phones_valid_and_unique(self):
        rows = list(client_rows(3000))
        self.assertEqual(len({row["phone"] for row in rows}), 3000)
        self.assertEqual(len({row["email"] for row in rows}), 3000)
        invalid = [
            row["phone"] for row in rows if not phonenumbers.is_valid_number(phonenumbers.parse(row["phone"]))
        ]
        self.assertFalse(invalid)


@tagged("post_install", "-at_install")
class TestDemoDatabase(TransactionCase):
    """What the demo database holds after installation with demo data."""

    def test_demo_clients(self):
        clients = self.env["res.partner"].search([("smartbook_client", "=", True)])
        self.assertGreaterEqual(len(clients), 150)
        self.assertTrue(all(clients.mapped("phone")))
        self.assertGreater(len(clients.filtered("category_id")), 50)
        self.assertEqual(len(clients.mapped("smartbook_source_id")), 6)
        self.assertTrue(clients.filtered("smartbook_consent_sms"))
        self.assertTrue(clients.filtered(lambda c: not c.smartbook_consent_marketing))
        self.assertTrue(clients.filtered("smartbook_user_id"))

    def test_generator_scales(self):
        before = self.env["res.partner"].search_count([("smartbook_client", "=", True)])
        sizes = self.env["smartbook.demo"]._generate(sizes={"clients": 30})
        self.assertEqual(sizes["clients"], 30)
        after = self.env["res.partner"].search_count([("smartbook_client", "=", True)])
        self.assertEqual(after - before, 30)

    def test_generated_clients_have_first_and_last_names(self):
        before = self.env["res.partner"].search([("smartbook_client", "=", True)])
        self.env["smartbook.demo"]._generate_clients(5, seed=99)
        clients = self.env["res.partner"].search([("smartbook_client", "=", True)]) - before
        self.assertEqual(len(clients), 5)
        for client in clients:
            self.assertTrue(client.smartbook_first_name and client.smartbook_last_name, client.name)
            self.assertEqual(client.name, f"{client.smartbook_first_name} {client.smartbook_last_name}")
