from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from odoo.addons.smartbook_crm.tools.segment import local_day_start_utc

from .smartbook_booking import ACTIVE_STATES

# Visit state criteria and the booking states each one stands for.
VISIT_STATES = {
    "visit_state_upcoming": ACTIVE_STATES,
    "visit_state_done": ("done",),
    "visit_state_no_show": ("no_show",),
    "visit_state_cancelled": ("cancelled",),
}
BOOKING_CRITERIA = ("booking_service_ids", "booking_employee_ids", "booking_date_from", "booking_date_to")
STATISTICS_CRITERIA = (
    "revenue_min",
    "revenue_max",
    "visit_interval_min",
    "visit_interval_max",
    "inactive_days",
)


class SmartbookSegment(models.Model):
    """Booking criteria of a segment. Services, specialists, states and period
    describe one booking the client must have (one EXISTS subquery); revenue,
    visit frequency and inactivity read the client's stored statistics."""

    _inherit = "smartbook.segment"

    booking_service_ids = fields.Many2many(
        "smartbook.service",
        "smartbook_segment_service_rel",
        "segment_id",
        "service_id",
        string="Booked Services",
        help="Clients with a booking of any of these services.",
    )
    booking_employee_ids = fields.Many2many(
        "hr.employee",
        "smartbook_segment_employee_rel",
        "segment_id",
        "employee_id",
        string="Booked Specialists",
        help="Clients with a booking with any of these specialists.",
    )
    visit_state_upcoming = fields.Boolean(string="Upcoming", help="Draft or confirmed bookings.")
    visit_state_done = fields.Boolean(string="Done")
    visit_state_no_show = fields.Boolean(string="No-show")
    visit_state_cancelled = fields.Boolean(string="Cancelled")
    booking_date_from = fields.Date(string="Booked From", help="Bookings starting on or after this day.")
    booking_date_to = fields.Date(string="Booked Until", help="Bookings starting on or before this day.")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id", compute_sudo=True)
    revenue_min = fields.Monetary(string="Minimum Revenue", help="0: no lower bound.")
    revenue_max = fields.Monetary(string="Maximum Revenue", help="0: no upper bound.")
    visit_interval_min = fields.Integer(
        string="Visits Every (days) From", help="The client's usual days between visits; 0: no lower bound."
    )
    visit_interval_max = fields.Integer(
        string="Visits Every (days) Up To", help="The client's usual days between visits; 0: no upper bound."
    )
    inactive_days = fields.Integer(
        string="Inactive For (days)",
        help="Clients who have visited, but not in this many days; 0: no condition.",
    )

    _sql_constraints = [
        (
            "booking_numbers_positive",
            "CHECK(revenue_min >= 0 AND revenue_max >= 0 AND visit_interval_min >= 0 "
            "AND visit_interval_max >= 0 AND inactive_days >= 0)",
            "Amounts and numbers of days of a segment cannot be negative.",
        ),
    ]

    @api.depends_context("company")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @api.model
    def _segment_criteria_fields(self):
        return super()._segment_criteria_fields() + [
            *BOOKING_CRITERIA,
            *VISIT_STATES,
            *STATISTICS_CRITERIA,
        ]

    @api.constrains(
        "booking_date_from",
        "booking_date_to",
        "revenue_min",
        "revenue_max",
        "visit_interval_min",
        "visit_interval_max",
    )
    def _check_booking_ranges(self):
        for segment in self:
            ranges = [
                (segment.booking_date_from, segment.booking_date_to, self.env._("booking period")),
                (segment.revenue_min, segment.revenue_max, self.env._("revenue range")),
                (segment.visit_interval_min, segment.visit_interval_max, self.env._("visit frequency range")),
            ]
            for low, high, label in ranges:
                if low and high and low > high:
                    raise ValidationError(
                        self.env._(
                            "In segment %(segment)s the %(range)s ends before it starts.",
                            segment=segment.name,
                            range=label,
                        )
                    )

    def _get_client_domain(self):
        return expression.AND([super()._get_client_domain(), *self._booking_domains()])

    def _booking_domains(self):
        domains = []
        if booking_domain := self._booking_subdomain():
            domains.append([("smartbook_booking_search_ids", "any", booking_domain)])
        if self.revenue_min:
            domains.append([("smartbook_revenue", ">=", self.revenue_min)])
        if self.revenue_max:
            domains.append([("smartbook_revenue", "<=", self.revenue_max)])
        if self.visit_interval_min or self.visit_interval_max:
            # The usual interval exists from the second visit on.
            domains.append([("smartbook_visit_count", ">=", 2)])
        if self.visit_interval_min:
            domains.append([("smartbook_visit_interval_days", ">=", self.visit_interval_min)])
        if self.visit_interval_max:
            domains.append([("smartbook_visit_interval_days", "<=", self.visit_interval_max)])
        if self.inactive_days:
            cutoff = self.env["res.partner"]._smartbook_inactive_since(self.inactive_days)
            domains.append([("smartbook_last_visit", "<", fields.Datetime.to_string(cutoff))])
        return domains

    def _booking_subdomain(self):
        """The booking the client must have, or an empty list when the segment sets no
        booking criterion. Days are the user's days."""
        tz_name = self.env.context.get("tz") or self.env.user.tz
        domain = []
        if self.booking_service_ids:
            domain.append(("service_id", "in", self.booking_service_ids._origin.ids))
        if self.booking_employee_ids:
            domain.append(("employee_id", "in", self.booking_employee_ids._origin.ids))
        states = [state for name, states in VISIT_STATES.items() if self[name] for state in states]
        if states:
            domain.append(("state", "in", states))
        if self.booking_date_from:
            start = local_day_start_utc(self.booking_date_from, tz_name)
            domain.append(("start", ">=", fields.Datetime.to_string(start)))
        if self.booking_date_to:
            end = local_day_start_utc(self.booking_date_to + timedelta(days=1), tz_name)
            domain.append(("start", "<", fields.Datetime.to_string(end)))
        return domain
