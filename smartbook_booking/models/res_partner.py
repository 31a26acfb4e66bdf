from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

# How many services and specialists the card suggests from the client's history.
SUGGESTED_COUNT = 3
# The booking fields a segment criterion searches among every booking, whoever may
# read them (smartbook.segment._booking_subdomain), and the comparisons it uses.
SEGMENT_BOOKING_FIELDS = frozenset({"service_id", "employee_id", "state", "start"})
SEGMENT_BOOKING_OPERATORS = frozenset({"=", "!=", "in", "not in", "<", "<=", ">", ">="})
STATISTICS_FIELDS = (
    "smartbook_visit_count",
    "smartbook_no_show_count",
    "smartbook_cancel_count",
    "smartbook_first_visit",
    "smartbook_last_visit",
    "smartbook_revenue",
    "smartbook_average_ticket",
    "smartbook_visit_interval_days",
    "smartbook_client_since",
    "smartbook_next_visit_due",
)
# Booking fields whose changes the chatter may keep after an erasure: the visit's
# when, what, who served it, its state and price (accounting and statistics). Any
# other tracked change (the client, the cancellation reason...) goes.
KEPT_TRACKED_FIELDS = ("state", "price", "start", "stop", "service_id", "employee_id")


def local_date(naive_utc, tz_name):
    """The day ``naive_utc`` falls on in time zone ``tz_name``."""
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return pytz.utc.localize(naive_utc).astimezone(zone).date()


def _is_segment_booking_leaf(item):
    """Whether a domain item is ``("smartbook_booking_search_ids", "any", d)`` with
    ``d`` made of segment booking criteria only."""
    if not (isinstance(item, list | tuple) and len(item) == 3):
        return False
    name, operator, subdomain = item
    if name != "smartbook_booking_search_ids" or operator != "any" or not isinstance(subdomain, list | tuple):
        return False
    return all(
        element in ("&", "|", "!")
        or (
            isinstance(element, list | tuple)
            and len(element) == 3
            and element[0] in SEGMENT_BOOKING_FIELDS
            and element[1] in SEGMENT_BOOKING_OPERATORS
            and _is_plain_value(element[2])
        )
        for element in subdomain
    )


def _is_plain_value(value):
    """A value as a segment writes it: no subquery, no SQL."""
    if isinstance(value, list | tuple):
        return all(isinstance(item, str | int | float | bool) for item in value)
    return isinstance(value, str | int | float | bool)


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_booking_ids = fields.One2many("smartbook.booking", "partner_id", string="Bookings")
    # The same bookings, as segments search them: see _search. No auto_join, which
    # would search any booking field (notes too) past the bookings' record rules.
    smartbook_booking_search_ids = fields.One2many(
        "smartbook.booking", "partner_id", string="Bookings (for segments)"
    )
    smartbook_booking_count = fields.Integer(
        compute="_compute_smartbook_booking_count", string="Booking Count"
    )

    # Visit statistics: stored, recomputed by the ORM for the clients whose bookings change.
    smartbook_visit_count = fields.Integer(
        string="Visits", compute="_compute_smartbook_statistics", store=True, help="Bookings done."
    )
    smartbook_no_show_count = fields.Integer(
        string="No-shows", compute="_compute_smartbook_statistics", store=True
    )
    smartbook_cancel_count = fields.Integer(
        string="Cancellations", compute="_compute_smartbook_statistics", store=True
    )
    smartbook_first_visit = fields.Datetime(
        string="First Visit", compute="_compute_smartbook_statistics", store=True
    )
    smartbook_last_visit = fields.Datetime(
        string="Last Visit", compute="_compute_smartbook_statistics", store=True, index="btree_not_null"
    )
    smartbook_revenue = fields.Monetary(
        string="Revenue",
        compute="_compute_smartbook_statistics",
        store=True,
        currency_field="currency_id",
        help="The visits done, taxes included as invoices show them: the paid plus the pending amount.",
    )
    smartbook_average_ticket = fields.Monetary(
        string="Average Ticket",
        compute="_compute_smartbook_statistics",
        store=True,
        currency_field="currency_id",
        help="Revenue divided by the number of visits.",
    )
    smartbook_visit_interval_days = fields.Float(
        string="Days Between Visits",
        compute="_compute_smartbook_statistics",
        store=True,
        digits=(16, 1),
        help="The client's usual interval: days from the first to the last visit divided by the "
        "number of intervals between visits. Needs two visits.",
    )
    smartbook_client_since = fields.Date(
        string="Client Since",
        compute="_compute_smartbook_statistics",
        store=True,
        help="The day of the first booking, or the day the client was recorded if earlier.",
    )
    smartbook_next_visit_due = fields.Date(
        string="Due for a Visit",
        compute="_compute_smartbook_statistics",
        store=True,
        index="btree_not_null",
        help="The last visit plus the client's usual interval between visits.",
    )
    smartbook_sleeping = fields.Boolean(
        string="Sleeping",
        compute="_compute_smartbook_sleeping",
        search="_search_smartbook_sleeping",
        help="The client has visited, but not for the number of days set in the settings.",
    )
    # The card's header strip: what comes next, across all specialists.
    smartbook_next_booking = fields.Datetime(
        string="Next Visit",
        compute="_compute_smartbook_next_booking",
        help="The start of the client's next confirmed booking, with any specialist.",
    )
    smartbook_due_for_visit = fields.Boolean(
        string="Due for a Visit Now",
        compute="_compute_smartbook_next_booking",
        help="The client's usual interval since the last visit has passed and nothing is booked.",
    )

    # Preferences: chosen on the card, and suggested from the visits.
    smartbook_preferred_service_ids = fields.Many2many(
        "smartbook.service",
        "smartbook_partner_preferred_service_rel",
        "partner_id",
        "service_id",
        string="Preferred Services",
    )
    smartbook_preferred_employee_ids = fields.Many2many(
        "hr.employee",
        "smartbook_partner_preferred_employee_rel",
        "partner_id",
        "employee_id",
        string="Preferred Specialists",
    )
    smartbook_suggested_service_ids = fields.Many2many(
        "smartbook.service",
        compute="_compute_smartbook_suggested",
        string="Usual Services",
        help="The services of most of the client's visits.",
    )
    smartbook_suggested_employee_ids = fields.Many2many(
        "hr.employee",
        compute="_compute_smartbook_suggested",
        string="Usual Specialists",
        help="The specialists of most of the client's visits.",
    )

    # ------------------------------------------------------------------ computes

    def _compute_smartbook_booking_count(self):
        counts = dict(
            self.env["smartbook.booking"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.smartbook_booking_count = counts.get(partner._origin, 0)

    @api.depends(
        "smartbook_booking_ids.state",
        "smartbook_booking_ids.start",
        "smartbook_booking_ids.price_total",
        "create_date",
        "tz",
    )
    def _compute_smartbook_statistics(self):
        # One aggregate for every client in self; sudo, as a client's statistics
        # count all their bookings whoever recomputes them.
        rows = (
            self.env["smartbook.booking"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self._origin.ids)],
                ["partner_id", "state"],
                ["__count", "start:min", "start:max", "price_total:sum"],
            )
        )
        by_partner = defaultdict(dict)
        for partner, state, count, first, last, amount in rows:
            by_partner[partner.id][state] = (count, first, last, amount)
        for partner in self:
            states = by_partner.get(partner._origin.id, {})
            visits, first_visit, last_visit, revenue = states.get("done", (0, False, False, 0.0))
            interval = (
                (last_visit - first_visit).total_seconds() / 86400 / (visits - 1) if visits > 1 else 0.0
            )
            first_booking = min((first for _count, first, _last, _amount in states.values()), default=None)
            since = min(filter(None, [first_booking, partner._origin.create_date]), default=None)
            partner.smartbook_visit_count = visits
            partner.smartbook_no_show_count = states.get("no_show", (0,))[0]
            partner.smartbook_cancel_count = states.get("cancelled", (0,))[0]
            partner.smartbook_first_visit = first_visit
            partner.smartbook_last_visit = last_visit
            partner.smartbook_revenue = revenue
            partner.smartbook_average_ticket = revenue / visits if visits else 0.0
            partner.smartbook_visit_interval_days = interval
            partner.smartbook_client_since = local_date(since, partner.tz) if since else False
            partner.smartbook_next_visit_due = (
                local_date(last_visit + timedelta(days=interval), partner.tz) if visits > 1 else False
            )

    @api.depends(
        "smartbook_booking_ids.state", "smartbook_booking_ids.service_id", "smartbook_booking_ids.employee_id"
    )
    def _compute_smartbook_suggested(self):
        """The services and specialists of most visits, the most recent first on a tie:
        one aggregate for every client in self per kind."""
        Booking = self.env["smartbook.booking"].sudo()
        domain = [("partner_id", "in", self._origin.ids), ("state", "=", "done")]
        for field_name, target in (
            ("service_id", "smartbook_suggested_service_ids"),
            ("employee_id", "smartbook_suggested_employee_ids"),
        ):
            ranking = defaultdict(list)
            for partner, record, count, last in Booking._read_group(
                domain, ["partner_id", field_name], ["__count", "start:max"]
            ):
                ranking[partner.id].append((-count, -last.timestamp(), record.id))
            for partner in self:
                best = sorted(ranking.get(partner._origin.id, []))[:SUGGESTED_COUNT]
                partner[target] = [record_id for _count, _last, record_id in best]

    @api.depends("smartbook_booking_ids.state", "smartbook_booking_ids.start", "smartbook_next_visit_due")
    def _compute_smartbook_next_booking(self):
        # sudo and one aggregate, as the statistics: the client's figures, not the reader's.
        next_starts = dict(
            self.env["smartbook.booking"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self._origin.ids),
                    ("state", "=", "confirmed"),
                    ("start", ">=", fields.Datetime.now()),
                ],
                ["partner_id"],
                ["start:min"],
            )
        )
        today = fields.Date.context_today(self)
        for partner in self:
            next_start = next_starts.get(partner._origin, False)
            partner.smartbook_next_booking = next_start
            partner.smartbook_due_for_visit = bool(
                not next_start
                and partner.smartbook_next_visit_due
                and partner.smartbook_next_visit_due <= today
            )

    @api.model
    def _smartbook_inactive_since(self, days):
        """The moment before which a last visit makes a client inactive for ``days`` days."""
        return fields.Datetime.now() - timedelta(days=days)

    @api.depends("smartbook_last_visit")
    @api.depends_context("company")
    def _compute_smartbook_sleeping(self):
        days = self.env.company.smartbook_sleeping_days
        cutoff = self._smartbook_inactive_since(days) if days else None
        for partner in self:
            partner.smartbook_sleeping = bool(
                cutoff and partner.smartbook_last_visit and partner.smartbook_last_visit < cutoff
            )

    def _search_smartbook_sleeping(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Sleeping clients can only be searched as yes or no."))
        sleeping = (operator == "=") == bool(value)
        days = self.env.company.smartbook_sleeping_days
        if not days:
            return expression.FALSE_DOMAIN if sleeping else expression.TRUE_DOMAIN
        cutoff = fields.Datetime.to_string(self._smartbook_inactive_since(days))
        if sleeping:
            return [("smartbook_last_visit", "<", cutoff)]
        return ["|", ("smartbook_last_visit", "=", False), ("smartbook_last_visit", ">=", cutoff)]

    # ------------------------------------------------------------------ search

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        return super()._search(self._smartbook_segment_booking_domain(domain), offset, limit, order)

    @api.model
    def _smartbook_segment_booking_domain(self, domain):
        """Search segment criteria on bookings across every booking.

        A segment means the same clients for everyone, the clients' own record rules
        then narrow what one sees. So ``("smartbook_booking_search_ids", "any", d)``
        matches any booking, readable or not, when ``d`` only compares the segment's
        booking fields with plain values; any other condition (a note, a cancellation
        reason) is searched like ``smartbook_booking_ids``, among the bookings the
        user may read."""
        if self.env.su or not domain or not any(_is_segment_booking_leaf(item) for item in domain):
            return domain
        Booking = self.env["smartbook.booking"].sudo()
        result = []
        for item in domain:
            if _is_segment_booking_leaf(item):
                query = Booking._search(item[2])
                partner_column = Booking._field_to_sql(Booking._table, "partner_id", query)
                item = ("id", "in", query.subselect(partner_column))
            result.append(item)
        return result

    # ------------------------------------------------------------------ actions

    def action_smartbook_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("smartbook_booking.smartbook_booking_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_smartbook_visits(self):
        action = self.action_smartbook_bookings()
        action["domain"] = expression.AND([action["domain"], [("state", "=", "done")]])
        action["view_mode"] = "list,form,calendar,kanban,pivot"
        action["views"] = [(False, mode) for mode in action["view_mode"].split(",")]
        return action

    # ------------------------------------------------------------------ GDPR

    def _smartbook_personal_fields(self):
        return [
            *super()._smartbook_personal_fields(),
            "smartbook_preferred_service_ids",
            "smartbook_preferred_employee_ids",
        ]

    def _smartbook_client_bookings(self):
        # sudo: a personal data request covers every booking of the client, and
        # only SmartBook managers get here (_smartbook_check_gdpr_rights).
        return (
            self.env["smartbook.booking"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", self.ids)], order="start, id")
        )

    def _smartbook_personal_data(self):
        data = super()._smartbook_personal_data()
        states = dict(self.env["smartbook.booking"]._fields["state"]._description_selection(self.env))
        data["bookings"] = [
            {
                "date": booking.start,
                "service": booking.service_id.name,
                "specialist": booking.employee_id.name,
                "state": states.get(booking.state, booking.state),
                "price": booking.price,
                "currency": booking.currency_id.name,
                "cancel_reason": booking.cancel_reason,
                "note": booking.note,
            }
            for booking in self._smartbook_client_bookings()
        ]
        return data

    def _smartbook_drop_personal_records(self):
        """Bookings stay (invoices, prices, dates and states are accounting), without
        what they say about the person: the comment, the cancellation reason, the
        client's name in the booking's name and in its chatter."""
        super()._smartbook_drop_personal_records()
        bookings = self._smartbook_client_bookings()
        if not bookings:
            return
        bookings.with_context(tracking_disable=True).write({"note": False, "cancel_reason": False})
        # The name is "<service> – <client>": computed again from the erased name.
        self.env.add_to_compute(bookings._fields["name"], bookings)
        bookings.flush_recordset(["name"])
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", bookings._name), ("res_id", "in", bookings.ids)]
        ).unlink()
        bookings.message_follower_ids.filtered(lambda follower: follower.partner_id in self).sudo().unlink()
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", bookings._name), ("res_id", "in", bookings.ids)])
        )
        trackings = messages.tracking_value_ids
        trackings.filtered(lambda tracking: tracking.field_id.name not in KEPT_TRACKED_FIELDS).unlink()
        # What was written or sent (notes, e-mails, SMS) goes; the history of state and
        # price changes stays, without any text.
        messages.filtered(lambda message: not message.tracking_value_ids).unlink()
        # One write per booking (its recomputed, anonymous name), not per message.
        messages = messages.exists()
        for booking in bookings:
            messages.filtered(lambda message, booking=booking: message.res_id == booking.id).write(
                {
                    "body": "",
                    "subject": False,
                    "email_from": False,
                    "reply_to": False,
                    "record_name": booking.name,
                }
            )
