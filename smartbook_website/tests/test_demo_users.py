from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoUsers(TransactionCase):
    """The demo logins are what their names say, whatever apps Odoo installed after them."""

    def test_demo_users_have_their_roles_only(self):
        employee = self.env.ref("smartbook_crm.user_demo_employee", raise_if_not_found=False)
        manager = self.env.ref("smartbook_crm.user_demo_manager", raise_if_not_found=False)
        if not employee or not manager:
            self.skipTest("installed without demo data")  # and a skip fails SmartBook's suite
        beyond_a_salon = [
            "base.group_system",
            "base.group_erp_manager",
            "hr.group_hr_user",
            "account.group_account_manager",
            "website.group_website_designer",
        ]
        for user in (employee, manager):
            for group in beyond_a_salon:
                self.assertFalse(user.has_group(group), f"{user.login} has {group}")
        self.assertTrue(employee.has_group("smartbook_crm.group_smartbook_employee"))
        self.assertFalse(employee.has_group("smartbook_crm.group_smartbook_manager"))
        self.assertFalse(employee.has_group("account.group_account_invoice"))
        self.assertTrue(employee.employee_ids.smartbook_bookable, "the employee login is a specialist")
        self.assertTrue(manager.has_group("smartbook_crm.group_smartbook_manager"))
        self.assertTrue(manager.has_group("account.group_account_invoice"))
