from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestClientCardMoney(SmartbookBookingCase, AccountTestInvoicingCommon):
    """The booking side of the client card: the strip's figures, its view, and a
    chatter that invoicing leaves alone."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("smartbook_crm.group_smartbook_admin")

    def done(self, hour, **vals):
        booking = self.book(hour, **vals)
        booking.action_confirm()
        booking.action_done()
        return booking

    def test_next_visit_on_the_card(self):
        self.done(9)
        upcoming = self.book(14)
        upcoming.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(self.client.smartbook_next_booking, upcoming.start)
        self.assertFalse(self.client.smartbook_due_for_visit)

    def test_client_form_shows_the_strip_not_untaxed_invoiced(self):
        view = self.env.ref("smartbook_crm.res_partner_view_form_client")
        action = self.env.ref("smartbook_crm.res_partner_action_client")
        self.assertIn(view, action.view_ids.view_id)
        arch = self.env["res.partner"].with_user(self.user_specialist).get_view(view.id, "form")["arch"]
        tree = etree.fromstring(arch)
        for field_name in (
            "smartbook_visit_count",
            "smartbook_no_show_count",
            "smartbook_last_visit",
            "smartbook_next_booking",
            "smartbook_revenue",
            "smartbook_paid_amount",
            "smartbook_pending_amount",
            "smartbook_upcoming_amount",
            "smartbook_booking_ids",
        ):
            self.assertTrue(tree.xpath(f"//field[@name='{field_name}']"), field_name)
        self.assertIn("Client's totals, all specialists", arch)
        # Accounting's untaxed "Invoiced" button does not sit beside tax-included figures.
        self.assertFalse(tree.xpath("//field[@name='total_invoiced']"))
        # An employee gets no personal data actions.
        self.assertFalse(tree.xpath("//header//button"))

    def test_invoicing_a_client_leaves_its_chatter_alone(self):
        client = self.client
        client.country_id = self.env.ref("base.es")
        booking = self.done(10)
        if "peppol_eas" in client._fields:
            # An e-invoicing field computed after the client exists (as when its addon is
            # installed later) changes on the first write that follows: posting the invoice.
            self.env.flush_all()
            self.env.cr.execute("UPDATE res_partner SET peppol_eas = NULL WHERE id = %s", [client.id])
            self.env.invalidate_all()
            self.env.add_to_compute(client._fields["peppol_eas"], client)
        messages = client.message_ids
        tracked_env = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))
        booking.with_env(tracked_env).action_create_invoices()
        booking.invoice_id.with_env(tracked_env).action_post()
        self.assertEqual(booking.invoice_id.state, "posted")
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        self.assertEqual(client.message_ids, messages)
        # What staff change on the card is still tracked.
        client.with_env(tracked_env).smartbook_blacklisted = True
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        self.assertEqual(len(client.message_ids - messages), 1)


@tagged("post_install", "-at_install")
class TestClientCardTour(HttpCase, SmartbookBookingCase):
    """The card as a manager and as an employee opens it in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = new_test_user(
            cls.env, login="sb_card_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        _user, cls.other_employee = cls._create_specialist()
        cls.client.write(
            {
                "smartbook_first_name": "Tour Card",
                "smartbook_last_name": "Client",
                "phone": "+46701234567",
                "smartbook_user_id": cls.user_specialist.id,
            }
        )
        for hour, employee in ((9, cls.employee), (11, cls.other_employee)):
            booking = cls.env["smartbook.booking"].create(
                {
                    "partner_id": cls.client.id,
                    "service_id": cls.service.id,
                    "employee_id": employee.id,
                    "start": cls.day.replace(hour=hour),
                }
            )
            booking.action_confirm()
            booking.action_done()

    def card_url(self):
        return f"/odoo/action-smartbook_crm.res_partner_action_client/{self.client.id}"

    def test_client_card_as_manager(self):
        self.start_tour(
            self.card_url(), "smartbook_booking_client_card_manager_tour", login="sb_card_manager"
        )
        self.assertTrue(self.client.active)

    def test_client_card_as_employee(self):
        self.start_tour(self.card_url(), "smartbook_booking_client_card_employee_tour", login="sb_specialist")
