import bisect
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import SQL

from ..exceptions import BookingRefused
from ..tools.slots import merge_intervals
from .smartbook_service import to_epoch

# The lifecycle of a booking, in one place.
STATE_SELECTION = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("done", "Done"),
    ("no_show", "No-show"),
    ("cancelled", "Cancelled"),
]
# Booked and still to happen: what a client may be born into, cancel, or be reminded of.
ACTIVE_STATES = ("draft", "confirmed")
# How a visit ended: the client came (done) or did not (no_show).
PAST_VISIT_STATES = ("done", "no_show")
# The outcomes: a booking reaches them through the lifecycle (or an import of history).
FINAL_STATES = ("done", "no_show", "cancelled")
# States that hold the employee's time; a cancelled booking frees it.
BUSY_STATES = ACTIVE_STATES + PAST_VISIT_STATES
# BUSY_STATES as SQL, for the exclusion constraint, its index and the busy-time query
# (a partial index is only used when the query repeats its predicate word for word).
BUSY_STATES_SQL = "state <> 'cancelled'"
# Allowed moves: state -> the states it may become. A no-show marked by mistake (the
# client came late) may still become done; a cancelled booking comes back as a draft.
TRANSITIONS = {
    "draft": ("confirmed", "cancelled"),
    "confirmed": ("done", "no_show", "cancelled"),
    "no_show": ("done",),
    "done": (),
    "cancelled": ("draft",),
}
# Context key of the one path that may create bookings in any state (history brought
# in by an import with channel 'import', or by the demo generator): at creation it
# skips the lifecycle table and the save-time schedule checks, nothing else.
IMPORT_HISTORY_KEY = "smartbook_import_history"
# What places a booking in time: changing any of these re-runs the schedule checks.
SCHEDULE_FIELDS = frozenset(
    ("start", "stop", "employee_id", "service_id", "session_id", "buffer_before", "buffer_after")
)
# What a booking of a group session takes from its session.
SESSION_FIELDS = ("start", "stop", "employee_id", "service_id")
OVERLAP_CONSTRAINT = "smartbook_booking_no_overlap"
MANAGER_GROUP = "smartbook_crm.group_smartbook_manager"


class SmartbookBooking(models.Model):
    _name = "smartbook.booking"
    _description = "Booking"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        domain=[("smartbook_client", "=", True)],
        ondelete="restrict",
        check_company=True,
    )
    service_id = fields.Many2one(
        "smartbook.service",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    employee_id = fields.Many2one(
        "hr.employee", string="Specialist", required=True, index=True, tracking=True, check_company=True
    )
    session_id = fields.Many2one(
        "smartbook.session", string="Group Session", index="btree_not_null", check_company=True
    )
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
    # a copy starts its own lifecycle
    state = fields.Selection(
        STATE_SELECTION, default="draft", required=True, index=True, tracking=True, copy=False
    )
    # What the lifecycle table allows from the current state: the form's buttons.
    can_confirm = fields.Boolean(compute="_compute_can_transition")
    can_done = fields.Boolean(compute="_compute_can_transition")
    can_no_show = fields.Boolean(compute="_compute_can_transition")
    can_cancel = fields.Boolean(compute="_compute_can_transition")
    can_reset = fields.Boolean(compute="_compute_can_transition")
    outside_hours_ok = fields.Boolean(
        string="Outside working hours (manager's choice)",
        tracking=True,
        copy=False,
        help="Set by a manager: the booking may lie outside the specialist's working hours. "
        "Leaves, group sessions and other bookings still apply.",
    )
    price = fields.Monetary(
        compute="_compute_price", store=True, readonly=False, tracking=True, precompute=True
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id, required=True
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
    channel = fields.Selection(
        [("backoffice", "Back office"), ("website", "Website"), ("phone", "Phone"), ("import", "Import")],
        default="backoffice",
        required=True,
    )
    invoice_id = fields.Many2one(
        "account.move", copy=False, readonly=True, index="btree_not_null", check_company=True
    )
    payment_state = fields.Selection(related="invoice_id.payment_state", string="Payment")
    cancel_reason = fields.Char(tracking=True, copy=False)
    note = fields.Text(string="Internal Comment", groups="smartbook_crm.group_smartbook_employee")

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
            f" WHERE ({BUSY_STATES_SQL} AND session_id IS NULL)",
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
            SQL(
                """
                CREATE INDEX IF NOT EXISTS smartbook_booking_busy_index
                    ON smartbook_booking (employee_id, occupied_start) INCLUDE (occupied_stop)
                 WHERE %s AND session_id IS NULL
                """,
                SQL(BUSY_STATES_SQL),
            )
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

    @api.depends("service_id")
    def _compute_company_id(self):
        for booking in self:
            booking.company_id = booking.service_id.company_id or booking.company_id or self.env.company

    @api.depends("state")
    def _compute_can_transition(self):
        for booking in self:
            allowed = TRANSITIONS.get(booking.state, ())
            booking.can_confirm = "confirmed" in allowed
            booking.can_done = "done" in allowed
            booking.can_no_show = "no_show" in allowed
            booking.can_cancel = "cancelled" in allowed
            booking.can_reset = "draft" in allowed

    # ------------------------------------------------------------------ checks

    @api.constrains("partner_id", "state")
    def _check_not_blacklisted(self):
        for booking in self:
            if booking.state in ACTIVE_STATES and booking.partner_id.smartbook_blacklisted:
                raise BookingRefused(
                    self.env._(
                        "%(client)s cannot book: %(reason)s",
                        client=booking.partner_id.name,
                        reason=booking.partner_id.smartbook_blacklist_reason or self.env._("blacklisted"),
                    ),
                    "blacklisted",
                )

    @api.constrains(*SESSION_FIELDS, "session_id")
    def _check_follows_session(self):
        """A booking of a group session holds its session's time, specialist and
        service: the session, not the booking, is what occupies the instructor."""
        for booking in self.filtered("session_id"):
            session = booking.session_id
            if any(booking[name] != session[name] for name in SESSION_FIELDS):
                raise ValidationError(
                    self.env._(
                        "%(booking)s belongs to the group session %(session)s: it takes the session's"
                        " time, instructor and service. Move the session instead.",
                        booking=booking.display_name,
                        session=session.display_name,
                    )
                )

    @api.constrains("session_id", "state")
    def _check_sessions(self):
        """A session never holds more active bookings than its capacity. Row locks
        on the session serialise concurrent transactions on it."""
        sessions = self.session_id
        if sessions:
            self._smartbook_claim_rows("smartbook_session", sessions.ids)
            sessions.invalidate_recordset(["seats_taken", "seats_left"])
            for session in sessions:
                if session.seats_taken > session.capacity:
                    raise BookingRefused(
                        self.env._("%(session)s is full.", session=session.display_name), "slot_taken"
                    )

    def _smartbook_check_schedule(self):
        """Save-time check of where the bookings in ``self`` sit, in one batched
        pass (a handful of queries whatever the number of bookings):

        - the specialist performs the service;
        - website bookings: the service is offered online, with its minimum notice
          and horizon;
        - the specialist's time is free: no group session (nor other booking) in
          the span, buffers included, read by the same busy-time query as the slot
          engine's (other bookings are refused by the database too);
        - no leave (own or public holiday) in the span;
        - the span lies in the specialist's working time, computed by the slot
          engine's own working-time code, unless a manager chose
          ``outside_hours_ok``.

        Bookings of a group session take the session's time: only the website
        rules apply to them. History brought in by an import is not checked."""
        if self.env.context.get(IMPORT_HISTORY_KEY):
            return
        bookings = self.filtered(lambda booking: booking.state in BUSY_STATES)
        if not bookings:
            return
        if not self.env.context.get("smartbook_follow_session"):
            # (a manager moving a group session moves its online bookings along)
            self._smartbook_check_website_rules(
                bookings.filtered(lambda booking: booking.channel == "website")
            )
        individual = bookings.filtered(lambda booking: not booking.session_id)
        if not individual:
            return
        for booking in individual:
            if booking.employee_id not in booking.service_id.employee_ids:
                raise ValidationError(
                    self.env._(
                        "%(employee)s does not perform %(service)s.",
                        employee=booking.employee_id.name,
                        service=booking.service_id.name,
                    )
                )
        employees = individual.employee_id
        self._smartbook_lock_employees(employees)
        window_start = min(individual.mapped("occupied_start"))
        window_end = max(individual.mapped("occupied_stop"))
        busy = self._smartbook_busy_intervals(
            employees, window_start, window_end, exclude_booking_ids=individual.ids
        )
        work, leaves, _steps = self.env["smartbook.service"]._smartbook_work_time(
            employees, window_start, window_end
        )
        busy = {employee_id: merge_intervals(spans) for employee_id, spans in busy.items()}
        leaves = {employee_id: merge_intervals(spans) for employee_id, spans in leaves.items()}
        work = {
            employee_id: merge_intervals((to_epoch(start), to_epoch(stop)) for start, stop in spans)
            for employee_id, spans in work.items()
        }
        for booking in individual:
            span = (to_epoch(booking.occupied_start), to_epoch(booking.occupied_stop))
            employee_id = booking.employee_id.id
            if _overlaps(busy.get(employee_id, ()), span):
                raise BookingRefused(self._smartbook_taken_message(booking), "slot_taken")
            if _overlaps(leaves.get(employee_id, ()), span):
                raise BookingRefused(
                    self.env._(
                        "%(employee)s is on leave at %(start)s: pick another time.",
                        employee=booking.employee_id.name,
                        start=self._smartbook_local_time(booking.start),
                    ),
                    "outside_hours",
                )
            if not booking.outside_hours_ok and not _contains(work.get(employee_id, ()), span):
                raise BookingRefused(
                    self.env._(
                        "%(start)s is outside the working hours of %(employee)s (buffers included):"
                        " pick another time, or ask a manager to book outside working hours.",
                        employee=booking.employee_id.name,
                        start=self._smartbook_local_time(booking.start),
                    ),
                    "outside_hours",
                )

    def _smartbook_check_website_rules(self, bookings):
        """What a client booking online may book: a service offered online, not
        sooner than its minimum notice, not later than its horizon."""
        now = fields.Datetime.now()
        for booking in bookings:
            service = booking.service_id
            if not service.online:
                raise BookingRefused(
                    self.env._("%(service)s cannot be booked online.", service=service.name),
                    "service_unavailable",
                )
            if booking.start < now + timedelta(hours=service.min_notice_hours):
                raise BookingRefused(
                    self.env._(
                        "%(service)s must be booked at least %(hours)s hours ahead.",
                        service=service.name,
                        hours=service.min_notice_hours,
                    ),
                    "outside_hours",
                )
            if booking.start >= now + timedelta(days=service.max_days_ahead):
                raise BookingRefused(
                    self.env._(
                        "%(service)s can be booked at most %(days)s days ahead.",
                        service=service.name,
                        days=service.max_days_ahead,
                    ),
                    "outside_hours",
                )

    def _smartbook_local_time(self, moment):
        return fields.Datetime.context_timestamp(self, moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    def _smartbook_taken_message(self, booking=None):
        booking = booking or self[:1]
        return self.env._(
            "%(employee)s is not free at %(start)s: pick another time.",
            employee=booking.employee_id.name,
            start=self._smartbook_local_time(booking.start),
        )

    def _smartbook_check_user_rights(self, vals_list, records=None):
        """What a user below Manager may not do, checked before anything is written
        (the superuser and managers are not concerned):

        - attach a client they cannot read (with their current access rules:
          once booked, the "clients they served" rule would open the card);
        - book for, or move a booking to, another specialist;
        - choose to book outside working hours."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        partner_ids = {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        partners = self.env["res.partner"].browse(partner_ids)
        unreadable = partners - partners._filtered_access("read")
        if unreadable:
            raise AccessError(
                self.env._("You cannot book a client whose card you cannot see; ask a manager to book them.")
            )
        session_ids = {vals["session_id"] for vals in vals_list if vals.get("session_id")}
        employees = (
            self.env["hr.employee"].browse(
                {vals["employee_id"] for vals in vals_list if vals.get("employee_id")}
            )
            | self.env["smartbook.session"].browse(session_ids).sudo().employee_id
        )
        if records is not None and any(vals.get("employee_id") for vals in vals_list):
            # Moving a booking to another specialist.
            employees |= records.employee_id
        if any(employee.sudo().user_id != self.env.user for employee in employees):
            raise AccessError(
                self.env._("Only managers can book for, or move a booking to, another specialist.")
            )
        for vals in vals_list:
            if "outside_hours_ok" not in vals:
                continue
            wanted = bool(vals["outside_hours_ok"])
            current = records.mapped("outside_hours_ok") if records is not None else [False]
            if any(value != wanted for value in current):
                raise AccessError(self.env._("Only managers can book outside working hours."))

    @api.model
    def _smartbook_lock_employees(self, employees):
        self._smartbook_claim_rows("hr_employee", employees.ids)

    @api.model
    def _smartbook_claim_rows(self, table, ids):
        """Serialise transactions that book on the same rows. A plain row lock is
        not enough under Odoo's REPEATABLE READ: the second transaction would wait,
        then count with its old snapshot. A no-op UPDATE makes it fail with a
        serialisation error instead. In an HTTP request Odoo retries it with fresh
        data (``odoo.service.model.retrying``); elsewhere (cron, scripts, shell)
        nothing would, so the loser gets a clear message instead of a raw
        ``SerializationFailure``."""
        if not ids:
            return
        try:
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET write_date = write_date WHERE id = ANY(%s)",
                    SQL.identifier(table),
                    sorted(ids),
                ),
                log_exceptions=False,
            )
        except psycopg2.errors.SerializationFailure as error:
            if request:
                raise  # Odoo retries the request
            raise BookingRefused(
                self.env._("Someone else booked at the same time: please try again."), "slot_taken"
            ) from error

    # ------------------------------------------------------------------ writes

    @api.model_create_multi
    def create(self, vals_list):
        importing = self.env.context.get(IMPORT_HISTORY_KEY)
        states = dict(self._fields["state"]._description_selection(self.env))
        for vals in vals_list:
            if vals.get("session_id"):
                session = self.env["smartbook.session"].browse(vals["session_id"]).sudo()
                vals.update(
                    start=session.start,
                    stop=session.stop,
                    employee_id=session.employee_id.id,
                    service_id=session.service_id.id,
                )
            state = vals.get("state") or "draft"
            if state not in ACTIVE_STATES and not importing:
                raise UserError(
                    self.env._(
                        "A new booking cannot be %(state)s: create it, then confirm it, mark it done"
                        " or cancel it.",
                        state=states.get(state, state),
                    )
                )
        self._smartbook_check_user_rights(vals_list)
        with self._smartbook_overlap_as_error():
            bookings = super().create(vals_list)
            bookings.flush_recordset()  # stored computes reach the database here, inside the savepoint
            bookings._smartbook_check_schedule()
        bookings._smartbook_after_transition(dict.fromkeys(bookings.ids, False))
        return bookings

    def write(self, vals):
        if "state" in vals and not self.env.context.get("smartbook_transition"):
            # A state written directly goes through the lifecycle like the buttons.
            other = dict(vals)
            target = other.pop("state")
            if other:
                self.write(other)
            return self._smartbook_transition(target)
        if vals.get("session_id"):
            session = self.env["smartbook.session"].browse(vals["session_id"]).sudo()
            vals = {
                **vals,
                "start": session.start,
                "stop": session.stop,
                "employee_id": session.employee_id.id,
                "service_id": session.service_id.id,
            }
        self._smartbook_check_user_rights([vals], records=self)
        old_starts = (
            {booking.id: booking.start for booking in self if booking.state in ACTIVE_STATES}
            if "start" in vals
            else {}
        )
        with self._smartbook_overlap_as_error():
            super().write(vals)
            self.flush_recordset()
            if SCHEDULE_FIELDS & vals.keys() or "outside_hours_ok" in vals and not vals["outside_hours_ok"]:
                self._smartbook_check_schedule()
        moved = self.filtered(lambda booking: old_starts.get(booking.id, booking.start) != booking.start)
        if moved:
            moved._smartbook_after_reschedule({booking.id: old_starts[booking.id] for booking in moved})
        return True

    @contextmanager
    def _smartbook_overlap_as_error(self):
        """Turn the database's overlap refusal into a message for the user; the
        savepoint keeps the transaction usable."""
        try:
            with self.env.cr.savepoint():
                yield
        except psycopg2.errors.ExclusionViolation as error:
            raise BookingRefused(
                self.env._("The specialist already has a booking at that time: pick another time."),
                "slot_taken",
            ) from error

    # ------------------------------------------------------------------ transitions

    def action_confirm(self):
        return self._smartbook_transition("confirmed")

    def action_done(self):
        return self._smartbook_transition("done")

    def action_no_show(self):
        return self._smartbook_transition("no_show")

    def action_cancel(self, reason=None):
        return self._smartbook_transition("cancelled", cancel_reason=reason or False)

    def action_reset_draft(self):
        return self._smartbook_transition("draft", cancel_reason=False)

    def _smartbook_transition(self, target, **extra):
        """The one way a booking changes state: checks ``TRANSITIONS``, writes,
        re-checks the schedule of bookings that take time again (a cancelled
        booking reset to draft), then calls ``_smartbook_after_transition``.
        Bookings already in ``target`` are left as they are (``extra`` included)."""
        moving = self.filtered(lambda booking: booking.state != target)
        wrong = moving.filtered(lambda booking: target not in TRANSITIONS[booking.state])
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
        old_states = {booking.id: booking.state for booking in moving}
        moving.with_context(smartbook_transition=True).write({"state": target, **extra})
        if target in BUSY_STATES:
            freed = moving.filtered(lambda booking: old_states[booking.id] not in BUSY_STATES)
            with self._smartbook_overlap_as_error():
                freed._smartbook_check_schedule()
        if moving:
            moving._smartbook_after_transition(old_states)
        return True

    def _smartbook_after_transition(self, old_states):  # pylint: disable=unused-argument
        """Hook called once per batch after bookings changed state, for the
        bookings in ``self`` (all now in the same state, except at creation).

        ``old_states`` maps each booking id to the state it left, or to ``False``
        for a booking just created (in ``draft`` or ``confirmed``, or any state
        under the ``smartbook_import_history`` context, where messaging should
        stay silent). Messaging extends it to enqueue confirmations,
        cancellations and follow-ups, the website to refresh what it shows; call
        ``super()``. It runs in the transaction of the change: raising undoes it."""
        return True

    def _smartbook_after_reschedule(self, old_starts):  # pylint: disable=unused-argument
        """Hook called once per write that moved active bookings to another start
        (``old_starts`` maps each booking id to its previous start, UTC). Messaging
        extends it to re-arm reminders and tell the client; call ``super()``."""
        return True

    # ------------------------------------------------------------------ the client's own changes

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for booking in self:
            booking.access_url = f"/my/bookings/{booking.id}"
        return result

    def _smartbook_client_deadline(self):
        """The last moment the client may still cancel or reschedule themselves."""
        self.ensure_one()
        return self.start - timedelta(hours=self.service_id.cancel_deadline_hours)

    def _smartbook_check_client_may_change(self):
        """A client (portal, manage link, Telegram button) changes a booking only
        while it is still to happen and before the service's cancellation deadline;
        after it, they call the business (its phone is in the message)."""
        for booking in self:
            if booking.state not in ACTIVE_STATES:
                raise BookingRefused(
                    self.env._(
                        "This booking is %(state)s: it can no longer be changed.",
                        state=dict(STATE_SELECTION)[booking.state].lower(),
                    ),
                    "too_late",
                )
            if fields.Datetime.now() > booking._smartbook_client_deadline():
                phone = booking.company_id.phone
                raise BookingRefused(
                    self.env._(
                        "It is too late to change this booking online (up to %(hours)s hours before"
                        " it starts): please call us%(phone)s.",
                        hours=booking.service_id.cancel_deadline_hours,
                        phone=f" ({phone})" if phone else "",
                    ),
                    "too_late",
                )

    def action_client_cancel(self, reason=None):
        """The client cancels: the caller has checked who they are (token, portal
        user or signed Telegram button) and runs this as superuser."""
        self._smartbook_check_client_may_change()
        return self.action_cancel(reason=reason or self.env._("Cancelled by the client"))

    def action_client_reschedule(self, start):
        """The client moves an individual booking to ``start`` (naive UTC): same
        service and specialist, the online rules of the new time apply."""
        self.ensure_one()
        if self.session_id:
            raise BookingRefused(
                self.env._("A seat in a group class cannot be moved: cancel it and book another class."),
                "invalid_input",
            )
        self._smartbook_check_client_may_change()
        with self.env.cr.savepoint():
            self.write({"start": start})
            self._smartbook_check_website_rules(self)
        return True

    # ------------------------------------------------------------------ what occupies a specialist

    @api.model
    def _smartbook_busy_intervals(
        self, employees, date_from, date_to, exclude_booking_ids=(), exclude_session_ids=()
    ):
        """Busy spans (buffers included) per employee id in epoch seconds, from
        one query over bookings and sessions: what occupies a specialist, for the
        slot engine, the save-time check of bookings and that of sessions.
        Bookings of a group session do not count: their session does."""
        busy = defaultdict(list)
        if not employees:
            return busy
        # Only add the exclusions when asked: the slot engine's scan stays index-only.
        not_these_bookings = (
            SQL("AND NOT (id = ANY(%s))", list(exclude_booking_ids)) if exclude_booking_ids else SQL()
        )
        not_these_sessions = (
            SQL("AND NOT (id = ANY(%s))", list(exclude_session_ids)) if exclude_session_ids else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT employee_id,
                       array_agg(EXTRACT(EPOCH FROM occupied_start)::bigint),
                       array_agg(EXTRACT(EPOCH FROM occupied_stop)::bigint)
                  FROM smartbook_booking
                 WHERE employee_id = ANY(%(employees)s)
                   AND session_id IS NULL
                   AND %(busy_states)s
                   -- a booking spans at most a day (checked by the database): a range
                   -- scan of smartbook_booking_busy_index finds every overlap
                   AND occupied_start >= %(date_from)s - interval '1 day'
                   AND occupied_start < %(date_to)s AND occupied_stop > %(date_from)s
                   %(not_these_bookings)s
                 GROUP BY employee_id
                 UNION ALL
                SELECT employee_id,
                       array_agg(EXTRACT(EPOCH FROM start)::bigint),
                       array_agg(EXTRACT(EPOCH FROM stop)::bigint)
                  FROM smartbook_session
                 WHERE employee_id = ANY(%(employees)s)
                   AND state = 'open'
                   AND start < %(date_to)s AND stop > %(date_from)s
                   %(not_these_sessions)s
                 GROUP BY employee_id
                """,
                employees=employees.ids,
                date_from=date_from,
                date_to=date_to,
                busy_states=SQL(BUSY_STATES_SQL),
                not_these_bookings=not_these_bookings,
                not_these_sessions=not_these_sessions,
            )
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


def _overlaps(merged, span):
    """Whether ``span`` overlaps any of the sorted, merged ``(start, end)`` pairs."""
    index = bisect.bisect_right(merged, (span[0], float("inf")))
    # the pair starting at or before span's start, and the one after it
    return any(start < span[1] and span[0] < end for start, end in merged[max(index - 1, 0) : index + 1])


def _contains(merged, span):
    """Whether one of the sorted, merged ``(start, end)`` pairs holds all of ``span``."""
    index = bisect.bisect_right(merged, (span[0], float("inf"))) - 1
    return index >= 0 and merged[index][0] <= span[0] and span[1] <= merged[index][1]
