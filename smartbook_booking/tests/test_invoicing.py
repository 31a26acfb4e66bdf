from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestInvoicing(SmartbookBookingCase, AccountTestInvoicingCommon):
    """Done bookings become customer invoices, payments show on the booking and
    the client, and the pending amount follows. Runs in the accounting test
    company (with a chart of accounts); the SmartBook fixture is built in it."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("smartbook_crm.group_smartbook_admin")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.tax_sale_a  # 15 % on top of the price
        cls.product.taxes_id = [Command.set(cls.tax.ids)]
        cls.client_b = cls.env["res.partner"].create({"name": "Second Client", "smartbook_client": True})
        cls.user_other, cls.employee_other = cls._create_specialist("sb_other_specialist")

    def done(self, hour, **vals):
        booking = self.book(hour, **vals)
        booking.action_confirm()
        booking.action_done()
        return booking

    def with_tax(self, amount):
        return amount * (1 + self.tax.amount / 100)

    def pay(self, invoice, amount):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_difference_handling": "open"})._create_payments()

    def assertMoney(self, partner, paid, pending, upcoming=0.0):
        """The card's figures, read fresh: taxes included, revenue = paid + pending."""
        self.env.invalidate_all()
        self.assertAlmostEqual(partner.smartbook_paid_amount, paid, places=2)
        self.assertAlmostEqual(partner.smartbook_pending_amount, pending, places=2)
        self.assertAlmostEqual(partner.smartbook_upcoming_amount, upcoming, places=2)
        self.assertAlmostEqual(partner.smartbook_revenue, paid + pending, places=2)

    # ------------------------------------------------------------------ invoices

    def test_one_invoice_per_client_one_line_per_booking(self):
        first, second = self.done(9), self.done(11)
        other_client = self.done(13, partner_id=self.client_b.id)
        self.book(15).action_confirm()  # booked, not done: stays out of the invoices
        bookings = first | second | other_client
        action = bookings.action_create_invoices()
        invoices = bookings.invoice_id
        self.assertEqual(len(invoices), 2)
        self.assertEqual(action["domain"], [("id", "in", invoices.ids)])
        self.assertEqual(first.invoice_id, second.invoice_id)
        invoice = first.invoice_id
        self.assertEqual(invoice.partner_id, self.client)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(other_client.invoice_id.partner_id, self.client_b)
        lines = invoice.invoice_line_ids.sorted("smartbook_booking_id")
        self.assertEqual(lines.smartbook_booking_id, first | second)
        for line in lines:
            self.assertEqual(line.product_id, self.product)
            self.assertEqual(line.price_unit, 30.0)
            self.assertEqual(line.tax_ids, self.tax)
        self.assertEqual(lines[0].name, f"Test Cut on {self.at(9):%Y-%m-%d} 09:00 with Test Specialist")
        self.assertAlmostEqual(invoice.amount_total, self.with_tax(60.0))
        self.assertEqual(first.invoice_state, "draft")

    def test_list_action_menu_entry(self):
        booking = self.done(9)
        server_action = self.env.ref("smartbook_booking.smartbook_booking_action_create_invoices")
        action = server_action.with_context(active_model="smartbook.booking", active_ids=booking.ids).run()
        self.assertTrue(booking.invoice_id)
        self.assertEqual(action["res_id"], booking.invoice_id.id)  # one invoice opens as a form

    def test_refusals_say_why(self):
        with self.assertRaisesRegex(UserError, "nothing to invoice"):
            self.env["smartbook.booking"].action_create_invoices()
        confirmed = self.book(9)
        confirmed.action_confirm()
        with self.assertRaisesRegex(UserError, "Only done bookings can be invoiced"):
            confirmed.action_create_invoices()
        done = self.done(11)
        done.action_create_invoices()
        invoice = done.invoice_id
        with self.assertRaisesRegex(UserError, "already invoiced"):
            done.action_create_invoices()
        with self.assertRaisesRegex(UserError, "already invoiced"):
            done.price = 99
        # A cancelled invoice frees its bookings for a new one.
        invoice.button_cancel()
        done.price = 25
        done.action_create_invoices()
        self.assertNotEqual(done.invoice_id, invoice)
        self.assertEqual(done.invoice_id.invoice_line_ids.price_unit, 25)

    def test_invoicing_needs_billing_rights(self):
        manager = new_test_user(
            self.env, login="sb_manager_no_billing", groups="smartbook_crm.group_smartbook_manager"
        )
        booking = self.done(9)
        with self.assertRaisesRegex(AccessError, "invoicing rights"):
            booking.with_user(manager).action_create_invoices()
        with self.assertRaises(AccessError):
            booking.with_user(manager).write({"invoice_id": False})

    # ------------------------------------------------------------------ payments and pending

    def test_payment_shows_on_booking_and_client(self):
        first, second = self.done(9), self.done(11)
        upcoming = self.book(13)
        upcoming.action_confirm()
        self.book(15).action_cancel()  # cancelled: owes nothing
        # Two visits done, nothing invoiced yet: their prices, taxes included; the
        # confirmed booking still to come is upcoming, never pending.
        self.assertMoney(self.client, paid=0.0, pending=self.with_tax(60.0), upcoming=self.with_tax(30.0))
        (first | second).action_create_invoices()
        invoice = first.invoice_id
        # A draft invoice is not a claim yet: the same.
        self.assertMoney(self.client, paid=0.0, pending=self.with_tax(60.0), upcoming=self.with_tax(30.0))
        invoice.action_post()
        self.assertEqual(first.payment_state, "not_paid")
        # Posted: the invoice's amount due, which is what the visits said.
        self.assertAlmostEqual(invoice.amount_residual, self.with_tax(60.0))
        self.assertMoney(self.client, paid=0.0, pending=invoice.amount_residual, upcoming=self.with_tax(30.0))
        self.pay(invoice, 20.0)
        self.assertEqual(first.payment_state, "partial")
        self.assertMoney(
            self.client, paid=20.0, pending=invoice.amount_residual, upcoming=self.with_tax(30.0)
        )
        self.assertAlmostEqual(invoice.amount_residual, self.with_tax(60.0) - 20.0)
        self.pay(invoice, self.with_tax(60.0) - 20.0)
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(second.payment_state, "paid")
        self.assertMoney(self.client, paid=self.with_tax(60.0), pending=0.0, upcoming=self.with_tax(30.0))
        action = self.client.action_smartbook_pending_bookings()
        self.assertEqual(action["domain"], [("id", "in", [])])
        self.assertEqual(self.client.action_smartbook_booking_invoices()["res_id"], invoice.id)

    def test_payment_without_journal_entry_is_paid_at_once(self):
        """A payment method without an outstanding receipts account registers payments
        without a journal entry: Odoo shows the invoice as paid while its residual
        waits for the bank statement. The client has paid all the same."""
        journal = self.company_data["default_journal_bank"]
        journal.inbound_payment_method_line_ids.payment_account_id = False
        visit = self.done(9)
        visit.action_create_invoices()
        invoice = visit.invoice_id
        invoice.action_post()
        total = invoice.amount_total
        self.pay(invoice, 10.0)
        self.assertFalse(invoice.matched_payment_ids.move_id)
        self.assertAlmostEqual(invoice.amount_residual, total)  # Odoo: no entry, nothing reconciled
        self.assertMoney(self.client, paid=10.0, pending=total - 10.0)
        self.pay(invoice, total - 10.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertMoney(self.client, paid=total, pending=0.0)

    def test_service_tax_21_percent(self):
        tax_21 = self.env["account.tax"].create(
            {"name": "VAT 21%", "amount": 21.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        self.product.taxes_id = [Command.set(tax_21.ids)]
        visit = self.done(9, price=100.0)
        # Not invoiced yet: the price with the service's tax, what the invoice will show.
        self.assertAlmostEqual(visit.price_total, 121.0)
        self.assertMoney(self.client, paid=0.0, pending=121.0)
        visit.action_create_invoices()
        invoice = visit.invoice_id
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 121.0)
        self.assertAlmostEqual(invoice.amount_residual, 121.0)
        self.assertMoney(self.client, paid=0.0, pending=121.0)

    def test_reversed_or_cancelled_invoice_is_not_invoiced(self):
        visit = self.done(9)
        visit.action_create_invoices()
        invoice = visit.invoice_id
        invoice.action_post()
        self.assertMoney(self.client, paid=0.0, pending=self.with_tax(30.0))
        # A credit note for all of it: the visit is not invoiced any more, and is
        # owed again until invoiced anew.
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "test"})
        )
        reversal.refund_moves()
        credit_note = invoice.reversal_move_ids
        credit_note.action_post()
        (invoice | credit_note).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertMoney(self.client, paid=0.0, pending=self.with_tax(30.0))
        visit.action_create_invoices()
        self.assertNotEqual(visit.invoice_id, invoice)
        visit.invoice_id.button_cancel()
        self.assertMoney(self.client, paid=0.0, pending=self.with_tax(30.0))

    def test_employee_reads_the_card_money(self):
        visit = self.done(9)
        visit.action_create_invoices()
        visit.invoice_id.action_post()
        self.pay(visit.invoice_id, 10.0)
        employee_user = self.user_specialist
        self.assertFalse(employee_user.has_group("account.group_account_invoice"))
        self.env.invalidate_all()
        card = self.client.with_user(employee_user).read(
            [
                "smartbook_revenue",
                "smartbook_paid_amount",
                "smartbook_pending_amount",
                "smartbook_upcoming_amount",
            ]
        )[0]
        self.assertAlmostEqual(card["smartbook_paid_amount"], 10.0)
        self.assertAlmostEqual(card["smartbook_pending_amount"], self.with_tax(30.0) - 10.0)
        self.assertAlmostEqual(card["smartbook_revenue"], self.with_tax(30.0))

    def test_pending_per_client_employee_and_total(self):
        # One invoice for two specialists' work, a third of it paid.
        mine = self.done(9)
        theirs = self.done(9, employee_id=self.employee_other.id, price=50.0)
        (mine | theirs).action_create_invoices()
        invoice = mine.invoice_id
        invoice.action_post()
        self.pay(invoice, self.with_tax(80.0) / 3)
        # Booked, not done: never pending; the confirmed one is upcoming.
        self.book(11).action_confirm()  # 30, mine
        self.book(13, partner_id=self.client_b.id, price=40.0)  # draft, mine
        missed = self.book(11, employee_id=self.employee_other.id, partner_id=self.client_b.id)
        missed.action_confirm()
        missed.action_no_show()  # owes nothing
        # Each visit owes two thirds of its line, taxes included; the shares add up
        # to the invoice's amount due.
        mine_expected = self.with_tax(30.0) * 2 / 3
        theirs_expected = self.with_tax(50.0) * 2 / 3
        self.assertAlmostEqual(mine_expected + theirs_expected, invoice.amount_residual, places=2)
        Booking = self.env["smartbook.booking"]
        per_employee = Booking._smartbook_money_by("employee_id", (self.employee | self.employee_other).ids)
        self.assertAlmostEqual(per_employee[self.employee.id]["pending"], mine_expected, places=2)
        self.assertAlmostEqual(per_employee[self.employee.id]["upcoming"], self.with_tax(30.0), places=2)
        self.assertAlmostEqual(per_employee[self.employee_other.id]["pending"], theirs_expected, places=2)
        self.assertMoney(
            self.client,
            paid=self.with_tax(80.0) / 3,
            pending=invoice.amount_residual,
            upcoming=self.with_tax(30.0),
        )
        self.assertMoney(self.client_b, paid=0.0, pending=0.0)
        # The test company holds only these bookings.
        self.assertAlmostEqual(Booking.smartbook_pending_total(), invoice.amount_residual, places=2)
        # The bookings analysis says the same per specialist.
        rows = self.env["smartbook.booking.report"]._read_group(
            [("employee_id", "in", (self.employee | self.employee_other).ids)],
            ["employee_id"],
            ["revenue:sum", "pending_amount:sum", "paid_amount:sum"],
        )
        report = {employee: (revenue, pending, paid) for employee, revenue, pending, paid in rows}
        self.assertAlmostEqual(report[self.employee][1], mine_expected, places=2)
        self.assertAlmostEqual(report[self.employee_other][1], theirs_expected, places=2)
        self.assertAlmostEqual(
            report[self.employee][2] + report[self.employee_other][2], self.with_tax(80.0) / 3, places=2
        )
        for revenue, pending, paid in report.values():
            self.assertAlmostEqual(revenue, pending + paid, places=2)
