import unittest
from datetime import date, datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests.common import tagged

from ..tools.recurrence import weekly_occurrences
from .common import SmartbookBookingCase


class TestWeeklyOccurrences(unittest.TestCase):
    def test_local_time_kept_across_dst(self):
        starts = weekly_occurrences(date(2026, 3, 23), date(2026, 4, 2), [1, 3], 18.5, "Europe/Madrid")
        # Tue 24, Thu 26 March at 18:30 CET (17:30 UTC); Tue 31 March, Thu 2 April at 18:30 CEST (16:30 UTC).
        self.assertEqual(
            starts,
            [
                datetime(2026, 3, 24, 17, 30),
                datetime(2026, 3, 26, 17, 30),
                datetime(2026, 3, 31, 16, 30),
                datetime(2026, 4, 2, 16, 30),
            ],
        )

    def test_bad_period(self):
        with self.assertRaises(ValueError):
            weekly_occurrences(date(2026, 3, 2), date(2026, 3, 1), [0], 9, "UTC")


@tagged("post_install", "-at_install")
class TestSessionGenerator(SmartbookBookingCase):
    def _wizard(self, **vals):
        group_service = self.service.copy(
            {"name": "Pilates", "is_group": True, "capacity": 8, "slug": "pilates"}
        )
        return self.env["smartbook.session.generator"].create(
            {
                "service_id": group_service.id,
                "employee_id": self.employee.id,
                "date_from": self.day.date(),
                "date_to": self.day.date() + timedelta(days=27),
                "hour": 10.0,
                **vals,
            }
        )

    def test_generates_sessions_and_skips_busy_times(self):
        self.book(10)  # Monday 10:00 is taken by an individual booking
        wizard = self._wizard(mon=True, thu=True)
        action = wizard.action_generate()
        self.assertEqual(action["type"], "ir.actions.client")  # a warning about the skipped Monday
        sessions = self.env["smartbook.session"].search([("service_id", "=", wizard.service_id.id)])
        self.assertEqual(len(sessions), 7)  # 4 Mondays + 4 Thursdays in 4 weeks, minus the busy Monday
        self.assertEqual(set(sessions.mapped("capacity")), {8})
        self.assertEqual({session.start.hour for session in sessions}, {10})

    def test_needs_days(self):
        with self.assertRaisesRegex(UserError, "at least one day"):
            self._wizard().action_generate()
