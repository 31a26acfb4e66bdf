from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.smartbook_service import to_epoch
from ..tools.slots import merge_intervals

# Bookings that take the specialist's time in the utilisation figure.
UTILISED_STATES = ("confirmed", "done")


def available_seconds(work_intervals, leave_intervals):
    """Seconds of working time left once the leaves are taken out; both lists
    hold ``(start, end)`` pairs of numbers (epoch seconds)."""
    total = 0
    leaves = merge_intervals(leave_intervals)
    for start, end in merge_intervals(work_intervals):
        total += end - start
        for leave_start, leave_end in leaves:
            total -= max(0, min(end, leave_end) - max(start, leave_start))
    return total


class SmartbookUtilisationReport(models.TransientModel):
    """Employee utilisation over a period: hours booked (confirmed and done
    bookings, a group session once however many attend) against hours available
    (the working calendar without leaves), one line per specialist."""

    _name = "smartbook.utilisation.report"
    _description = "Employee Utilisation"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    employee_ids = fields.Many2many(
        "hr.employee",
        string="Specialists",
        domain=[("smartbook_bookable", "=", True)],
        help="Leave empty for every bookable specialist.",
    )
    line_ids = fields.One2many("smartbook.utilisation.report.line", "report_id", string="Lines")

    def _period_utc(self):
        """The period as naive UTC datetimes, its days read in the user's time zone."""
        self.ensure_one()
        zone = ZoneInfo(self.env.context.get("tz") or self.env.user.tz or "UTC")

        def to_utc(day):
            return (
                datetime.combine(day, time())
                .replace(tzinfo=zone)
                .astimezone(ZoneInfo("UTC"))
                .replace(tzinfo=None)
            )

        return to_utc(self.date_from), to_utc(self.date_to + timedelta(days=1))

    def action_compute(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period must end on or after its first day."))
        employees = self.employee_ids or self.env["hr.employee"].search(
            [("smartbook_bookable", "=", True), ("company_id", "in", self.env.companies.ids)]
        )
        start, end = self._period_utc()
        hours = self._utilisation_hours(employees, start, end)
        self.line_ids.unlink()
        self.line_ids = [
            fields.Command.create(
                {"employee_id": employee_id, "available_hours": available, "booked_hours": booked}
            )
            for employee_id, (available, booked) in hours.items()
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Utilisation %(date_from)s – %(date_to)s", date_from=self.date_from, date_to=self.date_to
            ),
            "res_model": "smartbook.utilisation.report.line",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("report_id", "=", self.id)],
            "target": "current",
        }

    @api.model
    def _utilisation_hours(self, employees, start, end):
        """``{employee id: (available hours, booked hours)}`` between two naive
        UTC datetimes: the calendars in three queries, the bookings in one."""
        if not employees:
            return {}
        work, leaves, _steps = self.env["smartbook.service"]._smartbook_work_time(employees, start, end)
        self.env["smartbook.booking"].flush_model(["employee_id", "session_id", "state", "start", "stop"])
        self.env["smartbook.session"].flush_model(["employee_id", "start", "stop"])
        self.env.cr.execute(
            SQL(
                """
                SELECT spans.employee_id,
                       SUM(EXTRACT(EPOCH FROM LEAST(spans.stop, %(end)s) - GREATEST(spans.start, %(start)s)))
                  FROM (
                        SELECT employee_id, start, stop
                          FROM smartbook_booking
                         WHERE session_id IS NULL AND state IN %(states)s
                           AND employee_id = ANY(%(employees)s) AND start < %(end)s AND stop > %(start)s
                         UNION ALL
                        SELECT session.employee_id, session.start, session.stop
                          FROM smartbook_session session
                         WHERE session.employee_id = ANY(%(employees)s)
                           AND session.start < %(end)s AND session.stop > %(start)s
                           AND EXISTS (
                                SELECT 1 FROM smartbook_booking b
                                 WHERE b.session_id = session.id AND b.state IN %(states)s
                           )
                       ) spans
                 GROUP BY spans.employee_id
                """,
                start=start,
                end=end,
                states=UTILISED_STATES,
                employees=employees.ids,
            )
        )
        booked = dict(self.env.cr.fetchall())
        return {
            employee_id: (
                available_seconds(
                    [
                        (to_epoch(work_start), to_epoch(work_end))
                        for work_start, work_end in work[employee_id]
                    ],
                    leaves[employee_id],
                )
                / 3600.0,
                (booked.get(employee_id) or 0.0) / 3600.0,
            )
            for employee_id in employees.ids
        }
