from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tests.common import tagged

from .common import SmartbookCrmCase

# The client fields only SmartBook staff may read: what the business knows about
# the person beyond what an invoice shows.
PRIVATE_FIELDS = (
    "smartbook_notes",
    "smartbook_birthday",
    "smartbook_gender",
    "smartbook_profession",
    "smartbook_source_id",
    "smartbook_user_id",
    "smartbook_blacklisted",
    "smartbook_blacklist_reason",
    "smartbook_consent_sms",
    "smartbook_consent_telegram",
    "smartbook_consent_email",
    "smartbook_consent_marketing",
    "smartbook_consent_log_ids",
    "smartbook_photo_ids",
)


@tagged("post_install", "-at_install")
class TestAccessHoles(SmartbookCrmCase):
    """Who reads what of a client, beyond the SmartBook groups (security review,
    issue 8: holes 7, 8b and 11)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_plain = new_test_user(cls.env, login="sb_plain", groups="base.group_user", name="Pat Plain")
        cls.user_contacts = new_test_user(
            cls.env,
            login="sb_contacts",
            groups="base.group_user,base.group_partner_manager",
            name="Cody Contacts",
        )
        cls.user_portal = new_test_user(
            cls.env, login="sb_portal", groups="base.group_portal", name="Portal Pia"
        )
        cls.user_public = cls.env.ref("base.public_user")
        cls.client_of_employee.write(
            {
                "smartbook_notes": "<p>Allergic to latex</p>",
                "smartbook_consent_sms": True,
                "smartbook_birthday": "1990-05-17",
            }
        )
        # A portal client: their own contact is a SmartBook client too.
        cls.user_portal.partner_id.write({"smartbook_client": True, "smartbook_notes": "<p>Difficult</p>"})

    def _visible(self, user, partners):
        return self.env["res.partner"].with_user(user).search([("id", "in", partners.ids)])

    # ------------------------------------------------------------------ hole 7

    def test_plain_internal_user_does_not_see_clients(self):
        for user in (self.user_plain, self.user_contacts):
            everyone = self.client_of_employee | self.client_of_other | self.company_contact
            self.assertEqual(self._visible(user, everyone), self.company_contact, user.login)
            with self.assertRaises(AccessError):
                self.client_of_employee.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                self.client_of_employee.with_user(user).read(["smartbook_notes"])
        self.assertFalse(
            self.env["res.partner"]
            .with_user(self.user_plain)
            .search([("smartbook_client", "=", True), ("id", "=", self.client_of_employee.id)])
        )

    def test_plain_user_still_sees_contacts_and_colleagues(self):
        # A colleague who is also a client of the business stays a colleague.
        colleague = self.user_employee.partner_id
        colleague.smartbook_client = True
        self.assertEqual(
            self._visible(self.user_plain, colleague | self.company_contact), colleague | self.company_contact
        )
        self.assertEqual(self.user_employee.with_user(self.user_plain).name, "Sam Employee")

    def test_private_client_fields_are_for_smartbook_staff(self):
        Partner = self.env["res.partner"]
        for name in PRIVATE_FIELDS:
            self.assertEqual(Partner._fields[name].groups, "smartbook_crm.group_smartbook_employee", name)
        # Even an internal user's own contact hides them (they are not a client).
        with self.assertRaises(AccessError):
            self.user_plain.partner_id.with_user(self.user_plain).read(["smartbook_notes"])

    def test_plain_user_cannot_search_private_data(self):
        Partner = self.env["res.partner"].with_user(self.user_contacts)
        with self.assertRaises(AccessError):
            Partner.search([("smartbook_notes", "ilike", "latex")])

    def test_employee_cannot_untick_is_a_client(self):
        client = self.client_of_employee.with_user(self.user_employee)
        with self.assertRaises(AccessError):
            client.write({"smartbook_client": False})
        self.assertTrue(self.client_of_employee.smartbook_client)
        # The client stays out of sight of the other staff.
        self.assertFalse(self._visible(self.user_employee_2, self.client_of_employee))
        self.assertFalse(self._visible(self.user_plain, self.client_of_employee))
        # Other edits are still the employee's job, and ticking it is too.
        client.write({"smartbook_profession": "Nurse"})
        contact = self.env["res.partner"].with_user(self.user_employee).create({"name": "Future Client"})
        contact.write({"smartbook_client": True, "smartbook_user_id": self.user_employee.id})
        self.assertTrue(contact.smartbook_client)

    def test_manager_may_untick_is_a_client(self):
        self.client_of_other.with_user(self.user_manager).write({"smartbook_client": False})
        self.assertFalse(self.client_of_other.smartbook_client)

    def test_employee_still_works_with_own_client(self):
        client = self.client_of_employee.with_user(self.user_employee)
        self.assertIn("latex", client.smartbook_notes)
        self.assertTrue(client.smartbook_consent_sms)
        self.assertEqual(client.smartbook_consent_log_ids.mapped("channel"), ["sms"])

    def test_portal_and_public_read_nothing_of_smartbook(self):
        portal_partner = self.user_portal.partner_id
        # A portal user reads their own contact, not what the business notes about them.
        self.assertEqual(portal_partner.with_user(self.user_portal).name, "Portal Pia")
        for name in ("smartbook_notes", "smartbook_consent_sms", "smartbook_blacklist_reason"):
            with self.assertRaises(AccessError):
                portal_partner.with_user(self.user_portal).read([name])
        everyone = self.client_of_employee | self.client_of_other | portal_partner
        self.assertEqual(self._visible(self.user_portal, everyone), portal_partner)
        self.assertFalse(self._visible(self.user_public, everyone))
        for user in (self.user_portal, self.user_public):
            for model in (
                "smartbook.consent.log",
                "smartbook.client.photo",
                "smartbook.segment",
                "smartbook.source",
            ):
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    self.env[model].with_user(user).search([])

    # ------------------------------------------------------------------ hole 8b

    def test_consent_history_is_append_only_for_everyone(self):
        log = self.client_of_employee.smartbook_consent_log_ids
        self.assertEqual(len(log), 1)
        for user in (self.user_employee, self.user_manager, self.user_admin):
            with self.assertRaises(UserError, msg=user.login):
                log.with_user(user).unlink()
            with self.assertRaises(UserError, msg=user.login):
                log.with_user(user).write({"granted": False})
            with self.assertRaises(UserError, msg=user.login):
                self.env["smartbook.consent.log"].with_user(user).create(
                    {"partner_id": self.client_of_employee.id, "channel": "email", "granted": True}
                )
        # Not even by code running as superuser.
        with self.assertRaises(UserError):
            log.sudo().unlink()
        with self.assertRaises(UserError):
            log.sudo().write({"granted": False})
        self.assertTrue(log.exists())
        # The one way in: changing the consent on the card.
        self.client_of_employee.with_user(self.user_employee).write({"smartbook_consent_sms": False})
        self.assertEqual(self.client_of_employee.smartbook_consent_log_ids.mapped("granted"), [False, True])

    def test_erasure_still_works_and_keeps_consent_evidence(self):
        client = self.client_of_employee
        client.with_user(self.user_manager).action_smartbook_gdpr_erase()
        self.assertTrue(client.smartbook_erased)
        self.assertFalse(client.smartbook_notes)
        history = client.smartbook_consent_log_ids.sorted("id")
        self.assertEqual(history.mapped("granted"), [True, False], "the withdrawal is appended")

    def test_manager_deletes_a_client_with_consent_history(self):
        # The client's own deletion takes their history with it (database cascade).
        log = self.client_of_employee.smartbook_consent_log_ids
        self.client_of_employee.with_user(self.user_manager).unlink()
        self.assertFalse(log.exists())

    # ------------------------------------------------------------------ hole 11

    def test_cannot_book_is_not_called_a_blacklist(self):
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._fields["smartbook_blacklisted"].string, "Cannot Book")
        self.assertEqual(Partner._fields["smartbook_blacklist_reason"].string, "Why They Cannot Book")
        for name in ("smartbook_blacklisted", "smartbook_blacklist_reason"):
            self.assertNotIn("blacklist", (Partner._fields[name].help or "").lower(), name)
        # Odoo's SMS opt-out keeps its own name: the two are different things.
        self.assertNotEqual(Partner._fields["phone_blacklisted"].string, "Cannot Book")
        for view_type in ("form", "list", "search"):
            view_ref = {
                "form": "base.view_partner_form",
                "list": "smartbook_crm.res_partner_view_list_client",
                "search": "smartbook_crm.res_partner_view_search_client",
            }[view_type]
            arch = Partner.with_user(self.user_manager).get_view(self.env.ref(view_ref).id, view_type)["arch"]
            tree = etree.fromstring(arch)
            for node in tree.xpath("//*[contains(@name, 'smartbook_blacklist')]"):
                self.assertNotIn("blacklist", (node.get("string") or "").lower(), view_type)
            self.assertFalse(
                [text for text in tree.xpath("//text()") if "blacklist" in text.lower()], view_type
            )
