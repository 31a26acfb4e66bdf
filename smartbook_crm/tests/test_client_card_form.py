from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form
from odoo.tests.common import tagged

from .common import SmartbookCrmCase


@tagged("post_install", "-at_install")
class TestClientCardForm(SmartbookCrmCase):
    """The Clients menu's own card, and erasure behind a confirmation."""

    def erase_wizard(self, user, partner):
        return (
            self.env["smartbook.gdpr.erase"]
            .with_user(user)
            .with_context(active_model="res.partner", active_id=partner.id)
            .create({})
        )

    def test_erase_wizard_needs_confirmation(self):
        wizard = self.erase_wizard(self.user_manager, self.client_of_employee)
        self.assertEqual(wizard.partner_id, self.client_of_employee)
        with self.assertRaisesRegex(UserError, "I understand"):
            wizard.action_erase()
        self.assertFalse(self.client_of_employee.smartbook_erased)
        wizard.understood = True
        wizard.action_erase()
        self.assertTrue(self.client_of_employee.smartbook_erased)
        self.assertFalse(self.client_of_employee.active)

    def test_erase_wizard_managers_only(self):
        with self.assertRaises(AccessError):
            self.erase_wizard(self.user_employee, self.client_of_employee)
        self.assertFalse(self.client_of_employee.smartbook_erased)

    def test_clients_action_opens_the_client_card(self):
        view = self.env.ref("smartbook_crm.res_partner_view_form_client")
        action = self.env.ref("smartbook_crm.res_partner_action_client")
        self.assertEqual(action.view_ids.filtered(lambda line: line.view_mode == "form").view_id, view)
        # Contacts opened elsewhere keep Odoo's contact form.
        self.assertEqual(
            self.env["res.partner"].get_view(view_type="form")["id"],
            self.env.ref("base.view_partner_form").id,
        )
        for user, has_gdpr in ((self.user_manager, True), (self.user_employee, False)):
            arch = self.env["res.partner"].with_user(user).get_view(view.id, "form")["arch"]
            tree = etree.fromstring(arch)
            for field_name in ("image_1920", "name", "smartbook_phone_display", "email", "category_id"):
                self.assertTrue(tree.xpath(f"//sheet//field[@name='{field_name}']"), field_name)
            self.assertEqual(bool(tree.xpath("//header//button")), has_gdpr, user.login)
            self.assertTrue(tree.xpath("//chatter"))
            # The GDPR actions left the card's body.
            self.assertFalse(tree.xpath("//sheet//button[contains(@name, 'gdpr')]"))

    def test_card_edits_the_phone_as_shown(self):
        self.env.company.country_id = self.env.ref("base.es")
        client = self.client_of_employee.with_user(self.user_employee)
        client.smartbook_phone_display = "612 34 56 78"
        self.assertEqual(client.phone, "+34612345678")
        self.assertEqual(client.smartbook_phone_display, "612 34 56 78")

    def test_card_builds_the_name_while_typing(self):
        view = self.env.ref("smartbook_crm.res_partner_view_form_client")
        partners = (
            self.env["res.partner"].with_user(self.user_manager).with_context(default_smartbook_client=True)
        )
        with Form(partners, view=view) as form:
            form.smartbook_first_name = "Lucía"
            form.smartbook_last_name = "García"
            self.assertEqual(form.name, "Lucía García")
        client = form.record
        self.assertEqual(client.name, "Lucía García")
        self.assertTrue(client.smartbook_client)

    def test_contact_form_leads_to_the_client_card(self):
        action = self.client_of_employee.with_user(self.user_employee).action_smartbook_open_client_card()
        self.assertEqual(action["res_id"], self.client_of_employee.id)
        self.assertEqual(
            action["views"], [(self.env.ref("smartbook_crm.res_partner_view_form_client").id, "form")]
        )
