from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase


class SmartbookCrmCase(TransactionCase):
    """Users of each SmartBook role and a few clients, shared by the crm tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.user_employee = new_test_user(
            cls.env, login="sb_employee", groups="smartbook_crm.group_smartbook_employee", name="Sam Employee"
        )
        cls.user_employee_2 = new_test_user(
            cls.env,
            login="sb_employee_2",
            groups="smartbook_crm.group_smartbook_employee",
            name="Kim Employee",
        )
        cls.user_manager = new_test_user(
            cls.env, login="sb_manager", groups="smartbook_crm.group_smartbook_manager", name="Max Manager"
        )
        cls.user_admin = new_test_user(
            cls.env, login="sb_admin", groups="smartbook_crm.group_smartbook_admin", name="Ada Admin"
        )
        Partner = cls.env["res.partner"]
        cls.client_of_employee = Partner.create(
            {"name": "Client Of Sam", "smartbook_client": True, "smartbook_user_id": cls.user_employee.id}
        )
        cls.client_of_other = Partner.create(
            {"name": "Client Of Kim", "smartbook_client": True, "smartbook_user_id": cls.user_employee_2.id}
        )
        cls.company_contact = Partner.create({"name": "Supplier Ltd", "is_company": True})
