from collections import defaultdict
from datetime import datetime, timedelta

from odoo import api, fields, models

from ..tools.slots import slot_starts
from ..tools.slug import slugify
from ..tools.work_time import attendance_intervals

EPOCH = datetime(1970, 1, 1)


def to_epoch(naive_utc):
    return int((naive_utc - EPOCH).total_seconds())


def from_epoch(seconds):
    return EPOCH + timedelta(seconds=seconds)


class SmartbookService(models.Model):
    _name = "smartbook.service"
    _description = "Bookable Service"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

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
        check_company=True,
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
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    is_group = fields.Boolean(string="Group Class", help="Booked as seats in scheduled sessions.")
    capacity = fields.Integer(default=1, help="Seats in each session of a group class.")
    online = fields.Boolean(string="Bookable Online", default=True)
    min_notice_hours = fields.Integer(string="Minimum Notice (hours)", default=2)
    max_days_ahead = fields.Integer(string="Booking Horizon (days)", default=60)
    cancel_deadline_hours = fields.Integer(
        string="Cancellation Deadline (hours)",
        default=24,
        help="Clients may cancel or reschedule a booking themselves (portal, Telegram) until "
        "this many hours before it starts; after that they call the business.",
    )
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
        (
            "cancel_deadline_positive",
            "check(cancel_deadline_hours >= 0)",
            "The cancellation deadline cannot be negative.",
        ),
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
        return self._smartbook_free_slots_of(
            date_from, date_to, self._smartbook_bookable_employees(employee_ids)
        )

    def _smartbook_free_slots_of(self, date_from, date_to, employees):
        """``get_free_slots`` for ``employees`` already known to be this service's
        bookable staff (``_smartbook_bookable_employees``): the minimum notice and
        the horizon cut the window, then the slots in it."""
        self.ensure_one()
        if not employees:
            return []
        now = fields.Datetime.now()
        earliest = max(date_from, now + timedelta(hours=self.min_notice_hours))
        latest = min(date_to, now + timedelta(days=self.max_days_ahead))
        if earliest >= latest:
            return []
        return self._get_slots_in_window(earliest, latest, employees)

    def _smartbook_bookable_employees(self, employee_ids=None):
        """The active, bookable staff of this service (optionally among
        ``employee_ids``) who work for the service's company, in one query: no
        employee record is read."""
        self.ensure_one()
        self.env.cr.execute(
            """
            SELECT e.id
              FROM smartbook_service_hr_employee_rel rel
              JOIN smartbook_service s ON s.id = rel.service_id
              JOIN hr_employee e ON e.id = rel.employee_id AND e.company_id = s.company_id
             WHERE rel.service_id = %s AND e.smartbook_bookable AND e.active
               AND (%s::int[] IS NULL OR e.id = ANY(%s::int[]))
             ORDER BY e.id
            """,
            [self.id, *[None if employee_ids is None else list(employee_ids)] * 2],
        )
        return self.env["hr.employee"].browse(row[0] for row in self.env.cr.fetchall())

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
        # The engine runs on epoch seconds: integer arithmetic, no datetime objects
        # but for the slots returned.
        duration, before, after = self.duration * 60, self.buffer_before * 60, self.buffer_after * 60
        # Everything a slot's span can touch: from the first start's preparation to
        # the last start's cleaning.
        window_start = earliest - timedelta(seconds=before)
        window_end = latest + timedelta(seconds=duration + after)
        busy = self.env["smartbook.booking"]._smartbook_busy_intervals(employees, window_start, window_end)
        # Working intervals from the midnight (UTC) a day earlier: an interval clipped
        # where the computation starts would shift the grid of slot starts (``earliest``
        # does the cutting), even one running round the clock across the days.
        work_from = (window_start - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        work, leaves, steps = self._smartbook_work_time(employees, work_from, window_end)
        starts = []
        for employee_id in employees.ids:
            starts.extend(
                (start, employee_id)
                for start in slot_starts(
                    [(to_epoch(start), to_epoch(stop)) for start, stop in work[employee_id]],
                    busy[employee_id] + leaves[employee_id],
                    duration,
                    steps[employee_id] * 60,
                    buffer_before=before,
                    buffer_after=after,
                    earliest=to_epoch(earliest),
                    latest=to_epoch(latest),
                )
            )
        starts.sort()
        return [
            {
                "start": from_epoch(start),
                "end": from_epoch(start + duration),
                "employee_id": employee_id,
                "seats_left": None,
            }
            for start, employee_id in starts
        ]

    @api.model
    def _smartbook_work_time(self, employees, start, end):
        """Working intervals (naive UTC), leave intervals (epoch seconds) and slot
        step (minutes) per employee id, in three queries for any number of employees: what
        ``_work_intervals_batch`` computes, without its per-record ORM cost."""
        cr = self.env.cr
        cr.execute(
            """
            SELECT e.id, r.id, r.calendar_id, COALESCE(r.tz, c.tz, 'UTC'),
                   COALESCE(c.two_weeks_calendar, false), COALESCE(NULLIF(e.smartbook_slot_step, 0), 30),
                   r.company_id
              FROM hr_employee e
              JOIN resource_resource r ON r.id = e.resource_id
              LEFT JOIN resource_calendar c ON c.id = r.calendar_id
             WHERE e.id = ANY(%s)
            """,
            [employees.ids],
        )
        people = cr.fetchall()
        calendar_ids = list({row[2] for row in people if row[2]})
        resource_ids = [row[1] for row in people]
        cr.execute(
            """
            SELECT calendar_id, resource_id, dayofweek::int, hour_from, hour_to, date_from, date_to,
                   NULLIF(week_type, '')::int
              FROM resource_calendar_attendance
             WHERE calendar_id = ANY(%s) AND display_type IS NULL
               AND COALESCE(day_period, '') != 'lunch'
               AND (resource_id IS NULL OR resource_id = ANY(%s))
            """,
            [calendar_ids, resource_ids],
        )
        attendances = defaultdict(list)
        for calendar_id, resource_id, *attendance in cr.fetchall():
            attendances[calendar_id, resource_id].append(attendance)
        cr.execute(
            """
            SELECT resource_id, calendar_id, company_id,
                   EXTRACT(EPOCH FROM date_from)::bigint, EXTRACT(EPOCH FROM date_to)::bigint
              FROM resource_calendar_leaves
             WHERE time_type = 'leave' AND date_from < %s AND date_to > %s
               AND (resource_id = ANY(%s) OR resource_id IS NULL)
            """,
            [end, start, resource_ids],
        )
        all_leaves = cr.fetchall()
        work, leaves, steps = {}, defaultdict(list), {}
        expanded = {}  # staff sharing a calendar and a time zone share the computation
        for employee_id, resource_id, calendar_id, tz, two_weeks, step, company_id in people:
            own_resource = resource_id if attendances.get((calendar_id, resource_id)) else None
            key = (calendar_id, own_resource, tz)
            if key not in expanded:
                own = attendances[calendar_id, None] + attendances[calendar_id, resource_id]
                expanded[key] = attendance_intervals(own, tz, start, end, two_weeks=two_weeks)
            work[employee_id] = expanded[key]
            steps[employee_id] = step
            for leave_resource, leave_calendar, leave_company, date_from, date_to in all_leaves:
                # As _leave_intervals_batch: leaves of this calendar (or of none), the
                # resource's own or, for public holidays, its company's.
                if leave_calendar in (None, calendar_id) and (
                    leave_resource == resource_id or (leave_resource is None and leave_company == company_id)
                ):
                    leaves[employee_id].append((date_from, date_to))
        return work, leaves, steps
