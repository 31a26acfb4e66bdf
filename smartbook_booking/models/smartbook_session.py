from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SmartbookSession(models.Model):
    """One occurrence of a group class: its attendees are bookings."""

    _name = "smartbook.session"
    _description = "Group Class Session"
    _inherit = ["mail.thread"]
    _order = "start"

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    service_id = fields.Many2one(
        "smartbook.service", required=True, index=True, domain=[("is_group", "=", True)], ondelete="restrict"
    )
    employee_id = fields.Many2one("hr.employee", string="Instructor", required=True, index=True)
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
    def _compute_capacity(self):
        for session in self:
            session.capacity = session.service_id.capacity or 1

    @api.depends("booking_ids.state", "capacity")
    def _compute_seats(self):
        taken = dict(
            self.env["smartbook.booking"]._read_group(
                [("session_id", "in", self.ids), ("state", "in", ("draft", "confirmed", "done"))],
                ["session_id"],
                ["__count"],
            )
        )
        for session in self:
            session.seats_taken = taken.get(session._origin, 0)
            session.seats_left = max(session.capacity - session.seats_taken, 0)

    @api.constrains("start", "stop", "employee_id", "state")
    def _check_instructor_free(self):
        Booking = self.env["smartbook.booking"]
        for session in self.filtered(lambda s: s.state == "open"):
            Booking._smartbook_lock_employees(session.employee_id)
            clash = Booking.search_count(
                [
                    ("employee_id", "=", session.employee_id.id),
                    ("session_id", "=", False),
                    ("state", "!=", "cancelled"),
                    ("occupied_start", "<", session.stop),
                    ("occupied_stop", ">", session.start),
                ],
                limit=1,
            ) or self.search_count(
                [
                    ("id", "!=", session.id),
                    ("employee_id", "=", session.employee_id.id),
                    ("state", "=", "open"),
                    ("start", "<", session.stop),
                    ("stop", ">", session.start),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    self.env._("%(employee)s is not free at that time.", employee=session.employee_id.name)
                )
