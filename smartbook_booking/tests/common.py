from datetime import datetime, timedelta

from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

from ..models.smartbook_booking import IMPORT_HISTORY_KEY


def every_day_calendar(env, name, hour_from, hour_to, **vals):
    """A working-hours calendar open from ``hour_from`` to ``hour_to`` (UTC unless
    ``tz`` is given) on every day of the week."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "UTC",
            **vals,
            "attendance_ids": [
                (
                    0,
                    0,
                    {"name": f"Day {day}", "dayofweek": str(day), "hour_from": hour_from, "hour_to": hour_to},
                )
                for day in range(7)
            ],
        }
    )


class SmartbookBookingCase(TransactionCase):
    """A specialist working 9:00-17:00 UTC every day, a one-hour service with a
    15-minute cleaning buffer, and a client; 'day' is next Monday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.calendar = every_day_calendar(cls.env, "Every day 9-17 UTC", 9, 17)
        cls.user_specialist = new_test_user(
            cls.env, login="sb_specialist", groups="smartbook_crm.group_smartbook_employee"
        )
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Test Specialist",
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
                "smartbook_slot_step": 30,
                "user_id": cls.user_specialist.id,
            }
        )
        # No tax, whatever the database's default sales tax: prices are what the tests
        # add up (tests of taxes set them on purpose).
        cls.product = cls.env["product.product"].create(
            {"name": "Cut", "type": "service", "list_price": 30, "taxes_id": [(5, 0, 0)]}
        )
        cls.service = cls.env["smartbook.service"].create(
            {
                "name": "Test Cut",
                "product_id": cls.product.id,
                "duration": 60,
                "buffer_after": 15,
                "employee_ids": [(6, 0, cls.employee.ids)],
                "min_notice_hours": 0,
                "max_days_ahead": 365,
            }
        )
        cls.client = cls.env["res.partner"].create({"name": "Booking Client", "smartbook_client": True})
        today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        cls.day = today + timedelta(days=7 - today.weekday())  # next Monday, 00:00 UTC

    @classmethod
    def _create_specialist(cls, login=None, name="Other Specialist", performs_service=True):
        """Another bookable specialist on the same hours, with a SmartBook Employee
        login when ``login`` is given, performing the test service unless told
        otherwise: (user, employee)."""
        user = cls.env["res.users"]
        if login:
            user = new_test_user(cls.env, login=login, groups="smartbook_crm.group_smartbook_employee")
        employee = cls.env["hr.employee"].create(
            {
                "name": name,
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
                "user_id": user.id,
            }
        )
        if performs_service:
            cls.service.employee_ids |= employee
        return user, employee

    def at(self, hour, minute=0):
        return self.day + timedelta(hours=hour, minutes=minute)

    def book(self, hour, minute=0, **vals):
        return self.env["smartbook.booking"].create(
            {
                "partner_id": self.client.id,
                "service_id": self.service.id,
                "employee_id": self.employee.id,
                "start": self.at(hour, minute),
                **vals,
            }
        )

    def history(self, start, **vals):
        """A booking brought in from the business's history (any state, no lifecycle,
        nothing sent about it); ``start``: an hour of ``self.day`` or a datetime."""
        if isinstance(start, int):
            start = self.at(start)
        booking = (
            self.env["smartbook.booking"]
            .with_context(**{IMPORT_HISTORY_KEY: True})
            .create(
                {
                    "partner_id": self.client.id,
                    "service_id": self.service.id,
                    "employee_id": self.employee.id,
                    "start": start,
                    **vals,
                }
            )
        )
        return booking.with_env(self.env)  # the context says so at creation only

    def free_hours(self, service=None):
        slots = (service or self.service).get_free_slots(self.day, self.day + timedelta(days=1))
        return [slot["start"].strftime("%H:%M") for slot in slots]
