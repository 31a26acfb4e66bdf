from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestManagerSettings(TransactionCase):
    """A salon's manager edits the SmartBook settings, and nothing else of the company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="sb_settings_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        cls.employee = new_test_user(
            cls.env, login="sb_settings_employee", groups="smartbook_crm.group_smartbook_employee"
        )
        cls.company = cls.env.company

    def test_manager_edits_smartbook_settings(self):
        action = (
            self.env.ref("smartbook_booking.res_company_action_smartbook_settings")
            .with_user(self.manager)
            .run()
        )
        self.assertEqual((action["res_model"], action["res_id"]), ("res.company", self.company.id))
        self.company.with_user(self.manager).write({"smartbook_sleeping_days": 45})
        self.assertEqual(self.company.smartbook_sleeping_days, 45)

    def test_manager_cannot_change_the_company_itself(self):
        name = self.company.name
        with self.assertRaises(AccessError):
            self.company.with_user(self.manager).write({"name": "Renamed by a manager"})
        with self.assertRaises(AccessError):
            self.company.with_user(self.manager).write(
                {"smartbook_sleeping_days": 30, "email": "x@example.com"}
            )
        self.assertEqual(self.company.name, name)
        self.assertNotEqual(self.company.smartbook_sleeping_days, 30)

    def test_employee_cannot_edit_settings(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.employee).write({"smartbook_sleeping_days": 10})
        with self.assertRaises(AccessError):
            self.env.ref("smartbook_booking.res_company_action_smartbook_settings").with_user(
                self.employee
            ).run()
