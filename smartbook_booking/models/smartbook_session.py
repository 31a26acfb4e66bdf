from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.slots import merge_intervals
from .smartbook_booking import ACTIVE_STATES, BUSY_STATES, SESSION_FIELDS, _overlaps
from .smartbook_service import to_epoch


class SmartbookSession(models.Model):
    """One occurrence of a group class: its attendees are bookings."""

    _name = "smartbook.session"
    _description = "Group Class Session"
    _inherit = ["mail.thread"]
    _order = "start"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    service_id = fields.Many2one(
        "smartbook.service",
        required=True,
        index=True,
        domain=[("is_group", "=", True)],
        ondelete="restrict",
        check_company=True,
    )
    employee_id = fields.Many2one(
        "hr.employee", string="Instructor", required=True, index=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    start = fields.Datetime(required=True, index=True, tracking=True)
    stop = fields.Datetime(
        compute="_compute_stop", store=True, readonly=False, required=True, precompute=True
    )
    capacity = fields.Integer(
        compute="_compute_capacity", store=True, readonly=False, required=True, precompute=True
    )
    state = fields.Selection(
        [("open", "Open"), ("cancelled", "Cancelled")], default="open", required=True, tracking=True
    )
    booking_ids = fields.One2many("smartbook.booking", "session_id", string="Attendees")
    seats_taken = fields.Integer(compute="_compute_seats")
    seats_left = fields.Integer(compute="_compute_seats")

    _sql_constraints = [
        ("stop_after_start", "check(stop > start)", "A session must end after it starts."),
        ("capacity_positive", "check(capacity > 0)", "A session needs at least one seat."),
    ]

    @api.depends("service_id", "start")
    def _compute_name(self):
        for session in self:
            session.name = session.service_id.name or ""

    @api.depends("service_id", "start")
    def _compute_stop(self):
        for session in self:
            if session.start and session.service_id:
                session.stop = session.start + timedelta(minutes=session.service_id.duration)

    @api.depends("service_id")
    def _compute_company_id(self):
        for session in self:
            session.company_id = session.service_id.company_id or session.company_id or self.env.company

    @api.depends("service_id")
    def _compute_capacity(self):
        for session in self:
            session.capacity = session.service_id.capacity or 1

    @api.depends("booking_ids.state", "capacity")
    def _compute_seats(self):
        taken = dict(
            self.env["smartbook.booking"]._read_group(
                [("session_id", "in", self.ids), ("state", "in", BUSY_STATES)],
                ["session_id"],
                ["__count"],
            )
        )
        for session in self:
            session.seats_taken = taken.get(session._origin, 0)
            session.seats_left = max(session.capacity - session.seats_taken, 0)

    @api.constrains("start", "stop", "employee_id", "state")
    def _check_instructor_free(self):
        """The instructor has no other session and no booking then: the same
        busy-time query as the slot engine's and the bookings' check."""
        sessions = self.filtered(lambda s: s.state == "open")
        if not sessions:
            return
        Booking = self.env["smartbook.booking"]
        Booking._smartbook_lock_employees(sessions.employee_id)
        busy = Booking._smartbook_busy_intervals(
            sessions.employee_id,
            min(sessions.mapped("start")),
            max(sessions.mapped("stop")),
            exclude_session_ids=sessions.ids,
        )
        busy = {employee_id: merge_intervals(spans) for employee_id, spans in busy.items()}
        spans = defaultdict(list)
        for session in sessions:
            span = (to_epoch(session.start), to_epoch(session.stop))
            employee_id = session.employee_id.id
            # sessions saved together must not overlap each other either
            if _overlaps(busy.get(employee_id, ()), span) or _overlaps(
                merge_intervals(spans[employee_id]), span
            ):
                raise ValidationError(
                    self.env._("%(employee)s is not free at that time.", employee=session.employee_id.name)
                )
            spans[employee_id].append(span)

    @api.constrains("capacity")
    def _check_capacity(self):
        for session in self:
            if session.capacity < session.seats_taken:
                raise ValidationError(
                    self.env._(
                        "%(session)s already has %(taken)s attendees: its capacity cannot be lower.",
                        session=session.display_name,
                        taken=session.seats_taken,
                    )
                )

    def write(self, vals):
        cancelling = (
            self.filtered(lambda session: session.state != "cancelled")
            if vals.get("state") == "cancelled"
            else self.browse()
        )
        result = super().write(vals)
        if vals.keys() & set(SESSION_FIELDS):
            # Its bookings follow the session wherever it goes.
            for session in self:
                follow = {name: session[name] for name in SESSION_FIELDS}
                bookings = session.booking_ids.filtered(
                    lambda booking, follow=follow: any(
                        booking[name] != value for name, value in follow.items()
                    )
                )
                if bookings:
                    bookings.with_context(smartbook_follow_session=True).write(
                        {name: value.id if name.endswith("_id") else value for name, value in follow.items()}
                    )
        if cancelling:
            cancelling.booking_ids.filtered(lambda booking: booking.state in ACTIVE_STATES).action_cancel(
                reason=self.env._("The group session was cancelled.")
            )
        return result

    def action_cancel(self):
        """Cancel the sessions and, through the bookings' lifecycle, their active bookings."""
        self.write({"state": "cancelled"})
        return True
