from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user
from odoo.tests.common import tagged

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestAccessRules(SmartbookBookingCase):
    """Client searches through bookings, and what an accountant sees of a client
    (security review, issue 8: holes 6 and 7)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_other, cls.employee_other = cls._create_specialist("sb_rules_other")
        cls.user_accountant = new_test_user(
            cls.env, login="sb_accountant", groups="account.group_account_invoice", name="Acc Ountant"
        )
        cls.client.write({"smartbook_notes": "<p>Allergic to latex</p>", "street": "1 Main Street"})
        Booking = cls.env["smartbook.booking"]
        # The specialist served the client once; the other specialist's booking of
        # the same client carries a note and a cancellation reason the specialist
        # may not read.
        cls.own_booking = Booking.create(
            {
                "partner_id": cls.client.id,
                "service_id": cls.service.id,
                "employee_id": cls.employee.id,
                "start": cls.day.replace(hour=9),
            }
        )
        cls.other_booking = Booking.create(
            {
                "partner_id": cls.client.id,
                "service_id": cls.service.id,
                "employee_id": cls.employee_other.id,
                "start": cls.day.replace(hour=11),
                "note": "Owes money zebra",
            }
        )
        cls.other_booking.action_cancel(reason="Went to hospital walrus")

    # ------------------------------------------------------------------ hole 6

    def _specialist_finds(self, domain):
        return (
            self.env["res.partner"]
            .with_user(self.user_specialist)
            .search([*domain, ("id", "=", self.client.id)])
        )

    def test_specialist_sees_the_client_not_the_other_booking(self):
        self.assertEqual(self._specialist_finds([]), self.client, "a served client")
        with self.assertRaises(AccessError):
            self.other_booking.with_user(self.user_specialist).read(["note"])

    def test_client_search_does_not_read_unreadable_booking_notes(self):
        for field_name, word in (("note", "zebra"), ("cancel_reason", "walrus")):
            for domain in (
                [(f"smartbook_booking_search_ids.{field_name}", "ilike", word)],
                [("smartbook_booking_search_ids", "any", [(field_name, "ilike", word)])],
                [
                    (
                        "smartbook_booking_search_ids",
                        "any",
                        [("state", "=", "cancelled"), (field_name, "ilike", word)],
                    )
                ],
                [(f"smartbook_booking_ids.{field_name}", "ilike", word)],
                [("smartbook_booking_ids", "any", [(field_name, "ilike", word)])],
            ):
                self.assertFalse(self._specialist_finds(domain), domain)
        # The same search on what they may read still works, and managers see all.
        self.own_booking.note = "Prefers tea"
        self.assertEqual(
            self._specialist_finds([("smartbook_booking_search_ids", "any", [("note", "ilike", "tea")])]),
            self.client,
        )
        Partner = self.env["res.partner"].with_user(self.user_other)
        self.assertEqual(
            Partner.search(
                [("smartbook_booking_search_ids.note", "ilike", "zebra"), ("id", "=", self.client.id)]
            ),
            self.client,
        )

    def test_segment_criteria_still_cover_every_booking(self):
        # A segment means the same clients for everyone: the cancelled booking with
        # the other specialist counts for the specialist's segment too.
        segment = self.env["smartbook.segment"].create(
            {
                "name": "Cancelled with the other specialist",
                "blacklist_filter": False,
                "booking_employee_ids": [Command.set(self.employee_other.ids)],
                "visit_state_cancelled": True,
            }
        )
        clients = segment.with_user(self.user_specialist)._get_clients()
        self.assertIn(self.client, clients)
        action = segment.with_user(self.user_specialist).action_open_clients()
        found = self.env["res.partner"].with_user(self.user_specialist).search(action["domain"])
        self.assertIn(self.client, found)

    # ------------------------------------------------------------------ hole 7

    def test_accountant_sees_the_client_but_not_private_data(self):
        client = self.client.with_user(self.user_accountant)
        self.assertEqual(client.name, "Booking Client")
        self.assertEqual(client.street, "1 Main Street")
        for field_name in (
            "smartbook_notes",
            "smartbook_consent_sms",
            "smartbook_birthday",
            "smartbook_blacklist_reason",
        ):
            with self.assertRaises(AccessError, msg=field_name):
                client.read([field_name])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_accountant).search(
                [("smartbook_notes", "ilike", "latex")]
            )
        with self.assertRaises(AccessError):
            client.write({"smartbook_client": False})
        # The contact form opens as the web client loads it.
        form = Form(client)
        self.assertEqual(form.name, "Booking Client")

    def test_accountant_invoices_a_client(self):
        move_form = Form(
            self.env["account.move"]
            .with_user(self.user_accountant)
            .with_context(default_move_type="out_invoice")
        )
        move_form.partner_id = self.client
        with move_form.invoice_line_ids.new() as line:
            line.product_id = self.product
        invoice = move_form.save()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.with_user(self.user_accountant).partner_id.display_name, "Booking Client")
        self.assertEqual(invoice.with_user(self.user_accountant).commercial_partner_id, self.client)
