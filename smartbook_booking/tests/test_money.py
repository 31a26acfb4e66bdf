from collections import defaultdict

from odoo.tests.common import TransactionCase, tagged

MONEY_FIELDS = (
    "smartbook_revenue",
    "smartbook_paid_amount",
    "smartbook_pending_amount",
    "smartbook_upcoming_amount",
)


def odoo_amount_due(invoice):
    """What Odoo Accounting says the client still owes on an invoice: nothing once it
    shows the invoice as paid (a payment registered without a journal entry leaves
    ``amount_residual`` untouched until the bank statement is matched), else its
    ``amount_residual``."""
    if invoice.payment_state in ("paid", "in_payment"):
        return 0.0
    return invoice.amount_residual


@tagged("post_install", "-at_install")
class TestMoneyOnDemoData(TransactionCase):
    """The money of the demo business adds up, for every client, every specialist
    and the whole business, and agrees with Odoo Accounting's own amounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bookings = cls.env["smartbook.booking"].search([("company_id", "=", cls.env.company.id)])
        if not cls.bookings.invoice_id:
            cls.skipTest(cls, "no invoiced demo data")
        cls.currency = cls.env.company.currency_id

    def assertAmount(self, first, second, msg=None):
        self.assertAlmostEqual(first, second, delta=0.005, msg=msg)

    def expected_by_client(self):
        """Each client's figures from Odoo Accounting's amounts and the bookings alone."""
        expected = defaultdict(lambda: defaultdict(float))
        Tax = self.env["account.tax"]
        done = self.bookings.filtered(lambda booking: booking.state == "done")
        invoices = done.invoice_id.filtered(
            lambda invoice: invoice.state == "posted" and invoice.payment_state != "reversed"
        )
        for invoice in invoices:
            partner = invoice.partner_id.id
            due = odoo_amount_due(invoice)
            expected[partner]["pending"] += due
            expected[partner]["paid"] += invoice.amount_total - due
            expected[partner]["revenue"] += invoice.amount_total
        for booking in done.filtered(lambda booking: booking.invoice_id not in invoices):
            product = booking.service_id.product_id
            taxes = product.taxes_id._filter_taxes_by_company(booking.company_id) or Tax
            amount = taxes.compute_all(booking.price, currency=booking.currency_id, product=product)
            expected[booking.partner_id.id]["pending"] += amount["total_included"]
            expected[booking.partner_id.id]["revenue"] += amount["total_included"]
        return expected

    def test_every_client_adds_up_with_accounting(self):
        self.assertEqual(
            {line.smartbook_booking_id for line in self.bookings.invoice_id.invoice_line_ids}
            - {self.env["smartbook.booking"]},
            set(self.bookings.filtered("invoice_id")),
            "every invoice line of a visit names its booking",
        )
        expected = self.expected_by_client()
        partners = self.bookings.partner_id
        # A cold cache, as in a fresh request or `odoo shell`.
        self.env.invalidate_all()
        cards = {row["id"]: row for row in partners.read(list(MONEY_FIELDS))}
        self.assertTrue(any(card["smartbook_paid_amount"] for card in cards.values()))
        self.assertTrue(any(card["smartbook_pending_amount"] for card in cards.values()))
        for partner in partners:
            card = cards[partner.id]
            with self.subTest(client=partner.display_name):
                self.assertAmount(
                    card["smartbook_revenue"],
                    card["smartbook_paid_amount"] + card["smartbook_pending_amount"],
                )
                self.assertAmount(card["smartbook_pending_amount"], expected[partner.id]["pending"])
                self.assertAmount(card["smartbook_paid_amount"], expected[partner.id]["paid"])
                self.assertAmount(card["smartbook_revenue"], expected[partner.id]["revenue"])
                upcoming = self.bookings.filtered(
                    lambda booking, partner=partner: booking.partner_id == partner
                    and booking.state == "confirmed"
                    and booking.start >= booking.create_date.now()
                )
                self.assertAmount(card["smartbook_upcoming_amount"], sum(upcoming.mapped("price_total")))

    def test_each_invoice_pending_is_its_amount_due(self):
        """The shares of an invoice's visits add up to its amount due (exactly the
        amount due for a one-visit invoice), their revenue to its total."""
        Report = self.env["smartbook.booking.report"]
        invoices = self.bookings.invoice_id.filtered(lambda invoice: invoice.state == "posted")
        self.assertTrue(invoices)
        rows = Report._read_group(
            [("booking_id", "in", self.bookings.filtered("invoice_id").ids)],
            ["booking_id"],
            ["revenue:sum", "paid_amount:sum", "pending_amount:sum"],
        )
        per_invoice = defaultdict(lambda: [0.0, 0.0, 0.0])
        for booking, revenue, paid, pending in rows:
            for index, amount in enumerate((revenue, paid, pending)):
                per_invoice[booking.invoice_id][index] += amount
        for invoice in invoices:
            revenue, paid, pending = per_invoice[invoice]
            with self.subTest(invoice=invoice.name):
                self.assertAmount(pending, odoo_amount_due(invoice))
                self.assertAmount(paid, invoice.amount_total - odoo_amount_due(invoice))
                self.assertAmount(revenue, invoice.amount_total)

    def test_specialists_business_and_analysis_agree(self):
        Booking = self.env["smartbook.booking"]
        Report = self.env["smartbook.booking.report"]
        per_employee = Booking._smartbook_money_by("employee_id")
        rows = Report._read_group(
            [("company_id", "=", self.env.company.id)],
            ["employee_id"],
            ["revenue:sum", "paid_amount:sum", "pending_amount:sum", "upcoming_amount:sum"],
        )
        for employee, revenue, paid, pending, upcoming in rows:
            with self.subTest(specialist=employee.display_name):
                money = per_employee[employee.id]
                self.assertAmount(money["revenue"], money["paid"] + money["pending"])
                self.assertAmount(revenue, paid + pending)
                self.assertAmount(money["pending"], pending)
                self.assertAmount(money["paid"], paid)
                self.assertAmount(money["upcoming"], upcoming)
        [(revenue, paid, pending, upcoming)] = Report._read_group(
            [("company_id", "=", self.env.company.id)],
            [],
            ["revenue:sum", "paid_amount:sum", "pending_amount:sum", "upcoming_amount:sum"],
        )
        total = Booking._smartbook_money_by()[None]
        self.assertAmount(total["pending"], Booking.smartbook_pending_total())
        self.assertAmount(total["pending"], pending)
        self.assertAmount(total["paid"], paid)
        self.assertAmount(total["revenue"], revenue)
        self.assertAmount(revenue, paid + pending)
        self.assertAmount(total["upcoming"], upcoming)
        expected = self.expected_by_client()
        self.assertAmount(pending, sum(amounts["pending"] for amounts in expected.values()))
        self.assertAmount(paid, sum(amounts["paid"] for amounts in expected.values()))
        # The done visits that are paid owe nothing: paid invoices are never pending.
        paid_rows = Report.search_read(
            [("payment_state", "in", ("paid", "in_payment")), ("pending_amount", "!=", 0)], ["booking_id"]
        )
        self.assertFalse(paid_rows)
        # Done bookings: pending never exceeds revenue.
        [(done_revenue, done_pending)] = Report._read_group(
            [("state", "=", "done")], [], ["revenue:sum", "pending_amount:sum"]
        )
        self.assertLessEqual(done_pending, done_revenue)
        # Clients' stored revenue sums to the business's.
        partners = self.bookings.partner_id
        self.assertAmount(sum(partners.mapped("smartbook_revenue")), revenue)
