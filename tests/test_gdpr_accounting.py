"""Erasing a client keeps the accounting: invoices, amounts and payments stay."""

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestErasureKeepsAccounting(AccountTestInvoicingCommon):
    def test_invoice_survives_erasure(self):
        client = self.env["res.partner"].create(
            {"name": "Invoice Client", "smartbook_client": True, "email": "invoice.client@example.com"}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_line_ids": [Command.create({"name": "Haircut", "quantity": 1, "price_unit": 40.0})],
            }
        )
        invoice.action_post()
        total = invoice.amount_total
        manager = new_test_user(
            self.env, login="gdpr_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        client.with_user(manager).action_smartbook_gdpr_erase()
        self.assertTrue(invoice.exists())
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, total)
        self.assertEqual(invoice.partner_id, client)
        self.assertFalse(client.email)
        self.assertTrue(client.smartbook_erased)
