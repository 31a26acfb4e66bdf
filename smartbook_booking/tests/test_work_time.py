"""Our working-time expansion gives what Odoo's own method gives."""

from datetime import UTC, datetime

from odoo.tests.common import TransactionCase, tagged

from odoo.addons.resource.models.utils import Intervals

from ..models.smartbook_service import from_epoch
from ..tools.slots import merge_intervals
from ..tools.work_time import attendance_intervals, week_type


def odoo_intervals(calendar, resource, start, end):
    found = calendar._attendance_intervals_batch(
        start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), resources=resource
    )[resource.id]
    return merge_intervals(
        (a.astimezone(UTC).replace(tzinfo=None), b.astimezone(UTC).replace(tzinfo=None))
        for a, b, _rec in found
    )


@tagged("post_install", "-at_install")
class TestWorkTime(TransactionCase):
    def _ours(self, calendar, resource, start, end):
        attendances = [
            (
                int(a.dayofweek),
                a.hour_from,
                a.hour_to,
                a.date_from,
                a.date_to,
                a.week_type and int(a.week_type),
            )
            for a in calendar.attendance_ids
            if not a.display_type and a.day_period != "lunch"
        ]
        return merge_intervals(
            attendance_intervals(attendances, resource.tz, start, end, two_weeks=calendar.two_weeks_calendar)
        )

    def test_standard_calendar_across_dst(self):
        calendar = self.env.ref("resource.resource_calendar_std")
        for tz in ("Europe/Madrid", "America/Sao_Paulo", "Europe/Moscow", "Asia/Kolkata"):
            resource = self.env["resource.resource"].create(
                {"name": f"R {tz}", "calendar_id": calendar.id, "tz": tz}
            )
            # Spring and autumn DST changes in Europe, both inside the window.
            for start, end in (
                (datetime(2026, 3, 20), datetime(2026, 4, 6)),
                (datetime(2026, 10, 20), datetime(2026, 11, 3)),
            ):
                self.assertEqual(
                    self._ours(calendar, resource, start, end),
                    odoo_intervals(calendar, resource, start, end),
                    tz,
                )

    def test_two_week_calendar_and_bounds(self):
        calendar = self.env["resource.calendar"].create({"name": "Two weeks", "tz": "Europe/Stockholm"})
        calendar.switch_calendar_type()
        self.assertTrue(calendar.two_weeks_calendar)
        calendar.attendance_ids.filtered(lambda a: a.week_type == "1" and a.dayofweek == "0").unlink()
        calendar.attendance_ids.filtered(lambda a: a.dayofweek == "2")[:1].date_to = datetime(
            2026, 6, 10
        ).date()
        resource = self.env["resource.resource"].create(
            {"name": "Two-week worker", "calendar_id": calendar.id, "tz": "Europe/Stockholm"}
        )
        start, end = datetime(2026, 6, 1), datetime(2026, 6, 29)
        self.assertEqual(
            self._ours(calendar, resource, start, end), odoo_intervals(calendar, resource, start, end)
        )

    def test_week_type_parity(self):
        ResourceCalendarAttendance = self.env["resource.calendar.attendance"]
        for day in (datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date(), datetime(2027, 1, 4).date()):
            self.assertEqual(week_type(day), ResourceCalendarAttendance.get_week_type(day))


@tagged("post_install", "-at_install")
class TestWorkTimeFeed(TransactionCase):
    """The slot engine's whole working-time feed (the three queries of
    ``smartbook.service._smartbook_work_time`` and tools/work_time.py), leaves
    taken out, against Odoo's ``resource.calendar._work_intervals_batch``."""

    def test_feed_matches_odoo_with_public_holiday_and_leaves(self):
        calendar = self.env.ref("resource.resource_calendar_std")
        other_calendar = self.env["resource.calendar"].create({"name": "Other calendar", "tz": "UTC"})
        employees = self.env["hr.employee"].create(
            [
                {"name": "Feed Madrid", "resource_calendar_id": calendar.id, "tz": "Europe/Madrid"},
                {"name": "Feed Sao Paulo", "resource_calendar_id": calendar.id, "tz": "America/Sao_Paulo"},
            ]
        )
        Leave = self.env["resource.calendar.leaves"]
        Leave.create(
            [
                # a public holiday: no resource, no calendar
                {
                    "name": "Public holiday",
                    "resource_id": False,
                    "calendar_id": False,
                    "date_from": datetime(2026, 3, 25, 0, 0),
                    "date_to": datetime(2026, 3, 26, 0, 0),
                },
                # a half day of the first employee
                {
                    "name": "Dentist",
                    "resource_id": employees[0].resource_id.id,
                    "calendar_id": calendar.id,
                    "date_from": datetime(2026, 3, 30, 9, 0),
                    "date_to": datetime(2026, 3, 30, 12, 30),
                },
                # a leave filed on another calendar: Odoo ignores it for this one
                {
                    "name": "Elsewhere",
                    "resource_id": employees[1].resource_id.id,
                    "calendar_id": other_calendar.id,
                    "date_from": datetime(2026, 3, 31, 0, 0),
                    "date_to": datetime(2026, 4, 1, 0, 0),
                },
                # not a leave: worked time
                {
                    "name": "Training",
                    "resource_id": employees[1].resource_id.id,
                    "calendar_id": calendar.id,
                    "date_from": datetime(2026, 4, 1, 0, 0),
                    "date_to": datetime(2026, 4, 2, 0, 0),
                    "time_type": "other",
                },
            ]
        )
        start, end = datetime(2026, 3, 20), datetime(2026, 4, 6)  # across the DST change
        work, leaves, _steps = self.env["smartbook.service"]._smartbook_work_time(employees, start, end)
        expected = calendar._work_intervals_batch(
            start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), resources=employees.resource_id
        )
        for employee in employees:
            ours = Intervals((a, b, self.env["resource.calendar"]) for a, b in work[employee.id]) - Intervals(
                (from_epoch(a), from_epoch(b), self.env["resource.calendar"]) for a, b in leaves[employee.id]
            )
            odoo = merge_intervals(
                (a.astimezone(UTC).replace(tzinfo=None), b.astimezone(UTC).replace(tzinfo=None))
                for a, b, _rec in expected[employee.resource_id.id]
            )
            self.assertEqual(merge_intervals((a, b) for a, b, _rec in ours), odoo, employee.name)
            self.assertFalse(
                [a for a, _b in odoo if a.date() == datetime(2026, 3, 25).date()], "the public holiday is off"
            )
