from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

# How many services and specialists the card suggests from the client's history.
SUGGESTED_COUNT = 3
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


def local_date(naive_utc, tz_name):
    """The day ``naive_utc`` falls on in time zone ``tz_name``."""
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return pytz.utc.localize(naive_utc).astimezone(zone).date()


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_booking_ids = fields.One2many("smartbook.booking", "partner_id", string="Bookings")
    # The same bookings, searched without the bookings' record rules: a segment means
    # the same clients for everyone, the clients' own rules then narrow what one sees.
    smartbook_booking_search_ids = fields.One2many(
        "smartbook.booking", "partner_id", string="Bookings (for segments)", auto_join=True
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
        help="The price of the bookings done.",
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
        "smartbook_booking_ids.price",
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
                ["__count", "start:min", "start:max", "price:sum"],
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
