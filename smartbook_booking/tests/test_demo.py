from odoo.tests.common import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBookingDemo(TransactionCase):
    """What the demo database holds: a salon and a yoga studio at work."""

    def test_demo_business(self):
        services = self.env["smartbook.service"].search([])
        self.assertGreaterEqual(len(services), 12)
        self.assertGreaterEqual(len(services.filtered("is_group")), 2)
        specialists = self.env["hr.employee"].search([("smartbook_bookable", "=", True)])
        self.assertGreaterEqual(len(specialists), 5)
        leaves = self.env["resource.calendar.leaves"].search(
            [("resource_id", "in", specialists.resource_id.ids)]
        )
        self.assertGreaterEqual(len(leaves), 2)
        self.assertTrue(self.env["smartbook.session"].search_count([]))
        bookings = self.env["smartbook.booking"].search([])
        self.assertGreater(len(bookings), 1000)
        self.assertEqual(
            set(bookings.mapped("state")), {"draft", "confirmed", "done", "no_show", "cancelled"}
        )
        self.assertGreater(len(bookings.partner_id), 100)
        span = max(bookings.mapped("start")) - min(bookings.mapped("start"))
        self.assertGreater(span.days, 180)
        invoiced = bookings.filtered("invoice_id")
        self.assertTrue(invoiced, "past visits are invoiced")
        self.assertTrue(bookings.filtered(lambda b: b.state == "done" and not b.invoice_id))
        payment_states = set(invoiced.mapped("payment_state"))
        self.assertTrue(payment_states & {"paid", "in_payment"}, payment_states)
        self.assertIn("not_paid", payment_states)
