"""The access matrix of every SmartBook model, walked group by group.

Each model an issue adds must appear in MATRIX with the rights every role gets;
a model missing from it fails the suite, so no model ships without access rights.
Record rules (which records a role sees) are tested with each feature.
"""

from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

OPERATIONS = {"r": "read", "w": "write", "c": "create", "d": "unlink"}
ROLES = {
    "public": "base.group_public",
    "portal": "base.group_portal",
    "user": "base.group_user",  # an internal user outside SmartBook (e.g. an accountant)
    "employee": "smartbook_crm.group_smartbook_employee",
    "manager": "smartbook_crm.group_smartbook_manager",
    "admin": "smartbook_crm.group_smartbook_admin",
}
NONE, READ, EDIT, ALL = "", "r", "rwc", "rwcd"

# model: rights of public, portal, user, employee, manager, admin
MATRIX = {
    "smartbook.source": (NONE, NONE, NONE, READ, READ, ALL),
    "smartbook.consent.log": (NONE, NONE, NONE, READ, READ, "rd"),
    "smartbook.client.photo": (NONE, NONE, NONE, ALL, ALL, ALL),
    "smartbook.gdpr.log": (NONE, NONE, NONE, NONE, READ, READ),
    # Employees use segments (their counts cover only their own clients); managers define them.
    "smartbook.segment": (NONE, NONE, NONE, READ, ALL, ALL),
    # Exporting clients in bulk is a manager's task.
    "smartbook.client.export": (NONE, NONE, NONE, NONE, ALL, ALL),
    # Importing clients in bulk too.
    "smartbook.client.import": (NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.client.import.column": (NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.service": (NONE, NONE, NONE, READ, READ, ALL),
    "smartbook.session": (NONE, NONE, NONE, READ, ALL, ALL),
    "smartbook.booking": (NONE, NONE, NONE, EDIT, ALL, ALL),
    # Reports are read-only SQL views; employees analyse only their own bookings (record rule).
    "smartbook.booking.report": (NONE, NONE, NONE, READ, READ, READ),
    "smartbook.retention.report": (NONE, NONE, NONE, NONE, READ, READ),
    "smartbook.utilisation.report": (NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.utilisation.report.line": (NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.session.generator": (NONE, NONE, NONE, NONE, ALL, ALL),
    # Core models SmartBook grants rights on.
    "res.partner": (READ, READ, READ, EDIT, ALL, ALL),
    "res.partner.category": (NONE, NONE, READ, READ, READ, ALL),
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"matrix_{role}", groups=group)
            for role, group in ROLES.items()
        }

    def test_every_smartbook_model_is_in_the_matrix(self):
        models = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("smartbook.") and not model._abstract
        }
        self.assertFalse(models - set(MATRIX), "models without an entry in the access matrix")
        self.assertFalse(
            {name for name in MATRIX if name.startswith("smartbook.")} - models,
            "matrix entries for models that do not exist",
        )

    def test_matrix(self):
        Access = self.env["ir.model.access"]
        mismatches = []
        for model, rights in MATRIX.items():
            for (role, user), expected in zip(self.users.items(), rights, strict=True):
                for letter, operation in OPERATIONS.items():
                    allowed = Access.with_user(user).check(model, operation, raise_exception=False)
                    if allowed != (letter in expected):
                        mismatches.append(f"{model} {role} {operation}: {'allowed' if allowed else 'denied'}")
        self.assertFalse(mismatches, "\n".join(mismatches))
