from odoo.exceptions import AccessError
from odoo.tests.common import tagged

from .common import SmartbookCrmCase


@tagged("post_install", "-at_install")
class TestClientAccess(SmartbookCrmCase):
    def _visible_clients(self, user):
        return (
            self.env["res.partner"]
            .with_user(user)
            .search(
                [("id", "in", (self.client_of_employee | self.client_of_other | self.company_contact).ids)]
            )
        )

    def test_employee_sees_own_clients_and_plain_contacts(self):
        visible = self._visible_clients(self.user_employee)
        self.assertEqual(visible, self.client_of_employee | self.company_contact)
        with self.assertRaises(AccessError):
            self.client_of_other.with_user(self.user_employee).read(["name"])

    def test_employee_edits_own_client_cannot_delete(self):
        client = self.client_of_employee.with_user(self.user_employee)
        client.write({"smartbook_notes": "<p>Prefers mornings</p>"})
        self.assertIn("mornings", client.smartbook_notes)
        with self.assertRaises(AccessError):
            client.unlink()

    def test_employee_creates_client(self):
        client = (
            self.env["res.partner"]
            .with_user(self.user_employee)
            .create(
                {
                    "name": "Walk-in Client",
                    "smartbook_client": True,
                    "smartbook_user_id": self.user_employee.id,
                }
            )
        )
        self.assertTrue(client.exists())

    def test_manager_sees_all_clients_and_deletes(self):
        visible = self._visible_clients(self.user_manager)
        self.assertEqual(visible, self.client_of_employee | self.client_of_other | self.company_contact)
        self.client_of_other.with_user(self.user_manager).unlink()
        self.assertFalse(self.client_of_other.exists())

    def test_configuration_is_for_managers(self):
        """A salon's manager sets SmartBook up (sources, tags); employees only use it."""
        Source = self.env["smartbook.source"]
        self.assertTrue(Source.with_user(self.user_employee).search([]))
        with self.assertRaises(AccessError):
            Source.with_user(self.user_employee).create({"name": "Source by employee"})
        with self.assertRaises(AccessError):
            self.env["res.partner.category"].with_user(self.user_employee).create({"name": "Tag by employee"})
        for user in (self.user_manager, self.user_admin):
            Source.with_user(user).create({"name": f"Podcast ({user.login})"})
            self.env["res.partner.category"].with_user(user).create(
                {"name": f"Podcast listener ({user.login})"}
            )
