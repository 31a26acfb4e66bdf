from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# States that hold the employee's time; a cancelled booking frees it.
BUSY_STATES = ("draft", "confirmed", "done", "no_show")
OVERLAP_CONSTRAINT = "smartbook_booking_no_overlap"


class SmartbookBooking(models.Model):
    _name = "smartbook.booking"
    _description = "Booking"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "start desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        domain=[("smartbook_client", "=", True)],
        ondelete="restrict",
    )
    service_id = fields.Many2one(
        "smartbook.service", required=True, index=True, tracking=True, ondelete="restrict"
    )
    employee_id = fields.Many2one(
        "hr.employee", string="Specialist", required=True, index=True, tracking=True
    )
    session_id = fields.Many2one("smartbook.session", string="Group Session", index="btree_not_null")
    start = fields.Datetime(required=True, index=True, tracking=True)
    stop = fields.Datetime(
        compute="_compute_stop", store=True, readonly=False, required=True, precompute=True
    )
    buffer_before = fields.Integer(compute="_compute_buffers", store=True, readonly=False, precompute=True)
    buffer_after = fields.Integer(compute="_compute_buffers", store=True, readonly=False, precompute=True)
    # The time the booking holds the specialist, buffers included; the database
    # refuses two active bookings of one specialist whose spans overlap.
    occupied_start = fields.Datetime(compute="_compute_occupied", store=True, precompute=True)
    occupied_stop = fields.Datetime(compute="_compute_occupied", store=True, precompute=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("done", "Done"),
            ("no_show", "No-show"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
    )
    price = fields.Monetary(
        compute="_compute_price", store=True, readonly=False, tracking=True, precompute=True
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id, required=True
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)
    channel = fields.Selection(
        [("backoffice", "Back office"), ("website", "Website"), ("phone", "Phone"), ("import", "Import")],
        default="backoffice",
        required=True,
    )
    invoice_id = fields.Many2one("account.move", copy=False, readonly=True, index="btree_not_null")
    payment_state = fields.Selection(related="invoice_id.payment_state", string="Payment")
    cancel_reason = fields.Char(tracking=True)
    note = fields.Text(string="Internal Comment")

    _sql_constraints = [
        ("stop_after_start", "check(stop > start)", "A booking must end after it starts."),
        (
            "at_most_a_day",
            "check(occupied_stop - occupied_start <= interval '1 day')",
            "A booking, buffers included, lasts at most a day.",
        ),
        (
            OVERLAP_CONSTRAINT,
            "EXCLUDE USING gist (employee_id WITH =, tsrange(occupied_start, occupied_stop, '[)') WITH &&)"
            " WHERE (state <> 'cancelled' AND session_id IS NULL)",
            "The specialist already has a booking at that time.",
        ),
    ]

    def _auto_init(self):
        # The exclusion constraint compares employee ids with a GiST index.
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        return super()._auto_init()

    def init(self):
        # What the slot engine reads: a range scan per specialist, index only.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS smartbook_booking_busy_index
                ON smartbook_booking (employee_id, occupied_start) INCLUDE (occupied_stop)
             WHERE state <> 'cancelled' AND session_id IS NULL
            """
        )

    # ------------------------------------------------------------------ computes

    @api.depends("partner_id", "service_id")
    def _compute_name(self):
        for booking in self:
            booking.name = " – ".join(filter(None, [booking.service_id.name, booking.partner_id.name]))

    @api.depends("start", "service_id", "session_id")
    def _compute_stop(self):
        for booking in self:
            if booking.session_id:
                booking.stop = booking.session_id.stop
            elif booking.start and booking.service_id:
                booking.stop = booking.start + timedelta(minutes=booking.service_id.duration)

    @api.depends("service_id")
    def _compute_buffers(self):
        for booking in self:
            booking.buffer_before = booking.service_id.buffer_before
            booking.buffer_after = booking.service_id.buffer_after

    @api.depends("start", "stop", "buffer_before", "buffer_after")
    def _compute_occupied(self):
        for booking in self:
            if booking.start and booking.stop:
                booking.occupied_start = booking.start - timedelta(minutes=booking.buffer_before)
                booking.occupied_stop = booking.stop + timedelta(minutes=booking.buffer_after)
            else:
                booking.occupied_start = booking.occupied_stop = False

    @api.depends("service_id")
    def _compute_price(self):
        for booking in self:
            booking.price = booking.service_id.price

    # ------------------------------------------------------------------ checks

    @api.constrains("partner_id", "state")
    def _check_not_blacklisted(self):
        for booking in self:
            if booking.state in ("draft", "confirmed") and booking.partner_id.smartbook_blacklisted:
                raise ValidationError(
                    self.env._(
                        "%(client)s cannot book: %(reason)s",
                        client=booking.partner_id.name,
                        reason=booking.partner_id.smartbook_blacklist_reason or self.env._("blacklisted"),
                    )
                )

    @api.constrains("session_id", "state", "start", "stop", "employee_id")
    def _check_sessions(self):
        """A booking never overlaps a session of its specialist, and a session never
        holds more active bookings than its capacity. Row locks on the employee and
        the session serialise concurrent transactions on them."""
        sessions = self.session_id
        if sessions:
            self._smartbook_claim_rows("smartbook_session", sessions.ids)
            sessions.invalidate_recordset(["seats_taken", "seats_left"])
            for session in sessions:
                if session.seats_taken > session.capacity:
                    raise ValidationError(self.env._("%(session)s is full.", session=session.display_name))
        individual = self.filtered(lambda b: not b.session_id and b.state in BUSY_STATES)
        if not individual:
            return
        self._smartbook_lock_employees(individual.employee_id)
        for booking in individual:
            clash = self.env["smartbook.session"].search_count(
                [
                    ("employee_id", "=", booking.employee_id.id),
                    ("state", "=", "open"),
                    ("start", "<", booking.occupied_stop),
                    ("stop", ">", booking.occupied_start),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(self._smartbook_taken_message(booking))

    def _smartbook_taken_message(self, booking=None):
        booking = booking or self[:1]
        return self.env._(
            "%(employee)s is not free at %(start)s: pick another time.",
            employee=booking.employee_id.name,
            start=fields.Datetime.context_timestamp(self, booking.start).strftime("%Y-%m-%d %H:%M")
            if booking.start
            else "",
        )

    @api.model
    def _smartbook_lock_employees(self, employees):
        self._smartbook_claim_rows("hr_employee", employees.ids)

    @api.model
    def _smartbook_claim_rows(self, table, ids):
        """Serialise transactions that book on the same rows. A plain row lock is
        not enough under Odoo's REPEATABLE READ: the second transaction would wait,
        then count with its old snapshot. A no-op UPDATE makes it fail with a
        serialisation error instead, and Odoo retries it with fresh data."""
        if ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET write_date = write_date WHERE id = ANY(%s)",
                    SQL.identifier(table),
                    sorted(ids),
                )
            )

    # ------------------------------------------------------------------ writes

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("session_id") and not vals.get("start"):
                session = self.env["smartbook.session"].browse(vals["session_id"])
                vals.setdefault("start", session.start)
                vals.setdefault("employee_id", session.employee_id.id)
                vals.setdefault("service_id", session.service_id.id)
        with self._smartbook_overlap_as_error():
            bookings = super().create(vals_list)
            bookings.flush_recordset()  # stored computes reach the database here, inside the savepoint
        return bookings

    def write(self, vals):
        with self._smartbook_overlap_as_error():
            super().write(vals)
            self.flush_recordset()
        return True

    @contextmanager
    def _smartbook_overlap_as_error(self):
        """Turn the database's overlap refusal into a message for the user; the
        savepoint keeps the transaction usable."""
        try:
            with self.env.cr.savepoint():
                yield
        except psycopg2.errors.ExclusionViolation as error:
            raise ValidationError(
                self.env._("The specialist already has a booking at that time: pick another time.")
            ) from error

    # ------------------------------------------------------------------ transitions

    def action_confirm(self):
        self._smartbook_transition(("draft",), "confirmed")

    def action_done(self):
        self._smartbook_transition(("draft", "confirmed"), "done")

    def action_no_show(self):
        self._smartbook_transition(("confirmed",), "no_show")

    def action_cancel(self, reason=None):
        self._smartbook_transition(("draft", "confirmed"), "cancelled", cancel_reason=reason or False)

    def action_reset_draft(self):
        self._smartbook_transition(("cancelled",), "draft", cancel_reason=False)

    def _smartbook_transition(self, allowed_from, target, **extra):
        wrong = self.filtered(lambda booking: booking.state not in allowed_from)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(booking)s is %(state)s and cannot become %(target)s.",
                    booking=wrong[0].display_name,
                    state=states[wrong[0].state],
                    target=states[target],
                )
            )
        self.write({"state": target, **extra})
        return True

    # ------------------------------------------------------------------ slot engine feed

    @api.model
    def _smartbook_busy_intervals(self, employees, date_from, date_to):
        """Busy spans (buffers included) per employee id in epoch seconds, from
        one query over bookings and sessions."""
        busy = defaultdict(list)
        if not employees:
            return busy
        self.env.cr.execute(
            """
            SELECT employee_id,
                   array_agg(EXTRACT(EPOCH FROM occupied_start)::bigint),
                   array_agg(EXTRACT(EPOCH FROM occupied_stop)::bigint)
              FROM smartbook_booking
             WHERE employee_id = ANY(%(employees)s)
               AND session_id IS NULL
               AND state <> 'cancelled'
               -- a booking spans at most a day (checked by the database): a range
               -- scan of smartbook_booking_busy_index finds every overlap
               AND occupied_start >= %(date_from)s - interval '1 day'
               AND occupied_start < %(date_to)s AND occupied_stop > %(date_from)s
             GROUP BY employee_id
             UNION ALL
            SELECT employee_id,
                   array_agg(EXTRACT(EPOCH FROM start)::bigint), array_agg(EXTRACT(EPOCH FROM stop)::bigint)
              FROM smartbook_session
             WHERE employee_id = ANY(%(employees)s)
               AND state = 'open'
               AND start < %(date_to)s AND stop > %(date_from)s
             GROUP BY employee_id
            """,
            {"employees": employees.ids, "date_from": date_from, "date_to": date_to},
        )
        for employee_id, starts, stops in self.env.cr.fetchall():
            busy[employee_id].extend(zip(starts, stops, strict=True))
        return busy

    # ------------------------------------------------------------------ repeat

    def action_repeat(self):
        """A new booking of the same client, service and specialist: only the time is left to pick."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Repeat Booking"),
            "res_model": "smartbook.booking",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_service_id": self.service_id.id,
                "default_employee_id": self.employee_id.id,
                "default_channel": "backoffice",
            },
        }
