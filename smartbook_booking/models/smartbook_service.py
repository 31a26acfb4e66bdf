from collections import defaultdict
from datetime import UTC, timedelta

from odoo import api, fields, models

from ..tools.slots import slot_starts
from ..tools.slug import slugify


def _utc(naive):
    return naive.replace(tzinfo=UTC)


class SmartbookService(models.Model):
    _name = "smartbook.service"
    _description = "Bookable Service"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Html(translate=True)
    product_id = fields.Many2one(
        "product.product",
        string="Invoiced Product",
        required=True,
        domain=[("type", "=", "service")],
        ondelete="restrict",
        help="Gives the price and taxes of the service and is what invoices show.",
    )
    price = fields.Float(related="product_id.lst_price", string="Price", readonly=False)
    currency_id = fields.Many2one(related="product_id.currency_id")
    duration = fields.Integer(string="Duration (minutes)", required=True, default=60, tracking=True)
    buffer_before = fields.Integer(
        string="Buffer Before (minutes)", help="Preparation time before the client comes."
    )
    buffer_after = fields.Integer(
        string="Buffer After (minutes)", help="Cleaning time after the client leaves."
    )
    employee_ids = fields.Many2many(
        "hr.employee",
        "smartbook_service_hr_employee_rel",
        "service_id",
        "employee_id",
        string="Staff",
        domain=[("smartbook_bookable", "=", True)],
    )
    is_group = fields.Boolean(string="Group Class", help="Booked as seats in scheduled sessions.")
    capacity = fields.Integer(default=1, help="Seats in each session of a group class.")
    online = fields.Boolean(string="Bookable Online", default=True)
    min_notice_hours = fields.Integer(string="Minimum Notice (hours)", default=2)
    max_days_ahead = fields.Integer(string="Booking Horizon (days)", default=60)
    slug = fields.Char(copy=False, index="btree_not_null", help="Its public page: /book/service/<slug>.")

    _sql_constraints = [
        ("duration_positive", "check(duration > 0)", "The duration of a service must be positive."),
        (
            "buffers_positive",
            "check(buffer_before >= 0 and buffer_after >= 0)",
            "Buffers cannot be negative.",
        ),
        ("capacity_positive", "check(capacity > 0)", "The capacity must be at least one seat."),
        ("slug_unique", "unique(slug)", "Another service already has this page slug."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("slug") and vals.get("name"):
                vals["slug"] = slugify(vals["name"])
        return super().create(vals_list)

    # ------------------------------------------------------------------ slots

    def get_free_slots(self, date_from, date_to, employee_ids=None):
        """Free slots of this service between two naive UTC datetimes.

        Returns ``[{'start', 'end', 'employee_id', 'seats_left'}]`` sorted by start,
        naive UTC, every one bookable as it is: each slot belongs to one employee
        whose own calendar, leaves, bookings and sessions leave room for it.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        earliest = max(date_from, now + timedelta(hours=self.min_notice_hours))
        latest = min(date_to, now + timedelta(days=self.max_days_ahead))
        if earliest >= latest:
            return []
        employees = self.employee_ids.filtered("smartbook_bookable")
        if employee_ids is not None:
            employees = employees.filtered(lambda employee: employee.id in set(employee_ids))
        return self._get_slots_in_window(earliest, latest, employees)

    def _get_slots_in_window(self, earliest, latest, employees):
        """Free slots between two naive UTC datetimes, without the notice and
        horizon rules that ``get_free_slots`` applies for clients."""
        self.ensure_one()
        if not employees:
            return []
        if self.is_group:
            return self._get_free_session_seats(earliest, latest, employees)
        return self._get_free_individual_slots(earliest, latest, employees)

    def _get_free_session_seats(self, earliest, latest, employees):
        sessions = self.env["smartbook.session"].search(
            [
                ("service_id", "=", self.id),
                ("employee_id", "in", employees.ids),
                ("state", "=", "open"),
                ("start", ">=", earliest),
                ("start", "<", latest),
            ],
            order="start, employee_id",
        )
        return [
            {
                "start": session.start,
                "end": session.stop,
                "employee_id": session.employee_id.id,
                "seats_left": session.seats_left,
                "session_id": session.id,
            }
            for session in sessions
            if session.seats_left > 0
        ]

    def _get_free_individual_slots(self, earliest, latest, employees):
        duration = timedelta(minutes=self.duration)
        before, after = timedelta(minutes=self.buffer_before), timedelta(minutes=self.buffer_after)
        # Busy time can reach into the window from outside it by its buffers.
        margin = timedelta(minutes=self.buffer_before + self.buffer_after + 24 * 60)
        busy = self.env["smartbook.booking"]._smartbook_busy_intervals(
            employees, earliest - margin, latest + margin
        )
        work, leaves = self._smartbook_calendar_intervals(
            employees, _utc(earliest - margin), _utc(latest + margin)
        )
        slots = []
        for employee in employees:
            step = timedelta(minutes=employee.smartbook_slot_step or 30)
            for start in slot_starts(
                work[employee.id],
                busy[employee.id] + leaves[employee.id],
                duration,
                step,
                buffer_before=before,
                buffer_after=after,
                earliest=earliest,
                latest=latest,
            ):
                slots.append(
                    {"start": start, "end": start + duration, "employee_id": employee.id, "seats_left": None}
                )
        slots.sort(key=lambda slot: (slot["start"], slot["employee_id"]))
        return slots

    @api.model
    def _smartbook_calendar_intervals(self, employees, start_utc, end_utc):
        """Working (attendance) and leave intervals per employee id, naive UTC,
        one batched computation per working calendar."""
        work, leaves = defaultdict(list), defaultdict(list)
        by_calendar = defaultdict(lambda: self.env["hr.employee"])
        for employee in employees:
            by_calendar[employee.resource_calendar_id] |= employee
        for calendar, calendar_employees in by_calendar.items():
            if not calendar:
                continue
            resources = calendar_employees.resource_id
            attendances = calendar._attendance_intervals_batch(start_utc, end_utc, resources=resources)
            absences = calendar._leave_intervals_batch(start_utc, end_utc, resources=resources)
            for employee in calendar_employees:
                resource_id = employee.resource_id.id
                work[employee.id] = [
                    _naive_utc(start, stop) for start, stop, _rec in attendances[resource_id]
                ]
                leaves[employee.id] = [_naive_utc(start, stop) for start, stop, _rec in absences[resource_id]]
        return work, leaves


def _naive_utc(start, stop):
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        stop.astimezone(UTC).replace(tzinfo=None),
    )
