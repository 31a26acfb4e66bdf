"""The access matrix of every SmartBook model, walked group by group.

Each model an issue adds must appear in MATRIX with the rights every role gets;
a model missing from it fails the suite, so no model ships without access rights.
RECORD_MATRIX then does each operation for real, as each role, on the records a
SmartBook employee works with: access rights, record rules, field groups and the
models' own refusals together. Finer record rules are tested with each feature.
"""

import base64
import contextlib

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.smartbook_booking.tests.common import SmartbookBookingCase

OPERATIONS = {"r": "read", "w": "write", "c": "create", "d": "unlink"}
ROLES = {
    "public": "base.group_public",
    "portal": "base.group_portal",
    "user": "base.group_user",  # any internal user outside SmartBook
    "accountant": "account.group_account_invoice",
    "employee": "smartbook_crm.group_smartbook_employee",
    "manager": "smartbook_crm.group_smartbook_manager",
    "admin": "smartbook_crm.group_smartbook_admin",
}
NONE, READ, EDIT, ALL = "", "r", "rwc", "rwcd"

# model: rights of public, portal, user, accountant, employee, manager, admin
MATRIX = {
    # A salon's manager sets SmartBook up: sources, tags, services, specialists.
    "smartbook.source": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
    # Consent history is evidence: read-only for everyone (see smartbook.consent.log).
    "smartbook.consent.log": (NONE, NONE, NONE, NONE, READ, READ, READ),
    "smartbook.client.photo": (NONE, NONE, NONE, NONE, ALL, ALL, ALL),
    "smartbook.gdpr.log": (NONE, NONE, NONE, NONE, NONE, READ, READ),
    # The guarded erasure dialog.
    "smartbook.gdpr.erase": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    # Employees use segments (their counts cover only their own clients); managers define them.
    "smartbook.segment": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
    # Exporting clients in bulk is a manager's task.
    "smartbook.client.export": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    # Importing clients in bulk too.
    "smartbook.client.import": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.client.import.column": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.service": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
    "smartbook.session": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
    # Reports are read-only SQL views; employees analyse only their own bookings (record rule).
    "smartbook.booking.report": (NONE, NONE, NONE, NONE, READ, READ, READ),
    "smartbook.retention.report": (NONE, NONE, NONE, NONE, NONE, READ, READ),
    "smartbook.utilisation.report": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.utilisation.report.line": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.session.generator": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    # A portal client reads their own bookings (record rule, tested with the portal).
    "smartbook.booking": (NONE, READ, NONE, NONE, EDIT, ALL, ALL),
    # The outbox: employees read what went to their own clients (record rule), managers
    # retry; nobody deletes the record of what was sent.
    "smartbook.message": (NONE, NONE, NONE, NONE, READ, EDIT, EDIT),
    "smartbook.message.template": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
    "smartbook.campaign": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.campaign.recipient": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    "smartbook.campaign.send": (NONE, NONE, NONE, NONE, NONE, ALL, ALL),
    # Technical tables of the public endpoints, written as superuser only.
    "smartbook.telegram.update": (NONE, NONE, NONE, NONE, NONE, NONE, NONE),
    "smartbook.website.attempt": (NONE, NONE, NONE, NONE, NONE, NONE, NONE),
    "smartbook.website.claim": (NONE, NONE, NONE, NONE, NONE, NONE, NONE),
    # Core models SmartBook grants rights on (record rules narrow res.partner, see below).
    "res.partner": (READ, READ, READ, READ, EDIT, ALL, ALL),
    "res.partner.category": (NONE, NONE, READ, READ, READ, ALL, ALL),
}

# What each role really does to one record the SmartBook employee works with:
# their own client (the other roles are in no way linked to it), a booking of that
# client with the employee, its consent history, a photo, a segment and a service.
# Rights of public, portal, user, accountant, employee, manager, admin.
RECORD_MATRIX = {
    # The client: an accountant sees the contact to invoice it (not the client card,
    # see smartbook_crm's test_access_holes), no other outsider sees it at all.
    "client": (NONE, NONE, NONE, READ, EDIT, ALL, ALL),
    "booking": (NONE, NONE, NONE, NONE, EDIT, ALL, ALL),
    # Append-only evidence: nobody writes, creates or deletes a line, admins included.
    "consent_log": (NONE, NONE, NONE, NONE, READ, READ, READ),
    "photo": (NONE, NONE, NONE, NONE, ALL, ALL, ALL),
    "segment": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
    "service": (NONE, NONE, NONE, NONE, READ, ALL, ALL),
}
# A 1x1 PNG.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c63f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
    )
)


class _Rollback(Exception):
    """Undoes an operation the matrix did, successful or not."""


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


@tagged("post_install", "-at_install")
class TestRecordAccessMatrix(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"record_matrix_{role}", groups=group)
            for role, group in ROLES.items()
            if role != "employee"
        }
        # The employee role is the specialist of the fixture: they have an hr.employee.
        cls.users["employee"] = cls.user_specialist
        cls.users = {role: cls.users[role] for role in ROLES}
        cls.client.write({"smartbook_user_id": cls.user_specialist.id, "smartbook_consent_sms": True})
        cls.records = {
            # A second client of the employee, without bookings, that may be deleted.
            "client": cls.env["res.partner"].create(
                {
                    "name": "Matrix Client",
                    "smartbook_client": True,
                    "smartbook_user_id": cls.user_specialist.id,
                }
            ),
            "booking": cls.env["smartbook.booking"].create(
                {
                    "partner_id": cls.client.id,
                    "service_id": cls.service.id,
                    "employee_id": cls.employee.id,
                    "start": cls.day.replace(hour=10),
                }
            ),
            "consent_log": cls.client.smartbook_consent_log_ids,
            "photo": cls.env["smartbook.client.photo"].create(
                {"partner_id": cls.client.id, "image_1920": PIXEL}
            ),
            "segment": cls.env["smartbook.segment"].create({"name": "Matrix Segment"}),
            # A service without bookings, that may be deleted.
            "service": cls.env["smartbook.service"].create(
                {"name": "Matrix Service", "product_id": cls.product.id, "duration": 30}
            ),
        }

    def _values(self, kind, user):
        """What ``user`` writes (``write``) and creates (``create``) for ``kind``."""
        return {
            "client": (
                {"smartbook_notes": "<p>Prefers mornings</p>"},
                {
                    "name": "New Client",
                    "smartbook_client": True,
                    "smartbook_user_id": self.user_specialist.id,
                },
            ),
            "booking": (
                {"note": "Bring the colour chart"},
                {
                    "partner_id": self.client.id,
                    "service_id": self.service.id,
                    "employee_id": self.employee.id,
                    "start": self.at(14),
                },
            ),
            "consent_log": (
                {"granted": False},
                {"partner_id": self.client.id, "channel": "email", "granted": True},
            ),
            "photo": ({"note": "After"}, {"partner_id": self.client.id, "image_1920": PIXEL}),
            "segment": ({"description": "Reviewed"}, {"name": f"Segment of {user.login}"}),
            "service": (
                {"duration": 45},
                {"name": "New Service", "product_id": self.product.id, "duration": 30},
            ),
        }[kind]

    def _allowed(self, kind, user, letter):
        record = self.records[kind].with_user(user)
        write_vals, create_vals = self._values(kind, user)
        operation = {
            "r": lambda: record.read(["display_name"]) and record.search([("id", "=", record.id)]) == record,
            "w": lambda: record.write(write_vals),
            "c": lambda: record.create(create_vals),
            "d": lambda: record.unlink(),
        }[letter]
        allowed = False
        with contextlib.suppress(_Rollback), self.env.cr.savepoint():
            try:
                allowed = operation() is not False
                self.env.flush_all()
            except ValidationError:
                raise
            except UserError:  # AccessError is one too; so are the models' own refusals
                allowed = False
            raise _Rollback
        self.env.invalidate_all()
        return allowed

    def test_record_matrix(self):
        mismatches = []
        for kind, rights in RECORD_MATRIX.items():
            for (role, user), expected in zip(self.users.items(), rights, strict=True):
                for letter, operation in OPERATIONS.items():
                    allowed = self._allowed(kind, user, letter)
                    if allowed != (letter in expected):
                        mismatches.append(f"{kind} {role} {operation}: {'allowed' if allowed else 'denied'}")
        self.assertFalse(mismatches, "\n".join(mismatches))
