from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.account.models.account_move import PAYMENT_STATE_SELECTION

from ..models.smartbook_booking import PAST_VISIT_STATES


def booking_selection(field_name):
    """The (translated) choices of a booking's selection field, kept in one place."""
    return lambda self: self.env["smartbook.booking"]._fields[field_name]._description_selection(self.env)


class SmartbookBookingReport(models.Model):
    """Bookings analysis: one read-only row per booking with the measures that
    pivot and graph views add up per state, specialist, service, channel and
    period. Rates are averages of a 0/100 value per row, so that any grouping
    weighs every booking once."""

    _name = "smartbook.booking.report"
    _description = "Bookings Analysis"
    _auto = False
    _rec_name = "booking_id"
    _order = "date desc, id desc"

    booking_id = fields.Many2one("smartbook.booking", readonly=True)
    date = fields.Datetime(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    service_id = fields.Many2one("smartbook.service", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Specialist", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(booking_selection("state"), string="Status", readonly=True)
    channel = fields.Selection(booking_selection("channel"), readonly=True)
    is_group = fields.Boolean(string="Group Class", readonly=True)
    invoiced = fields.Boolean(readonly=True)
    payment_state = fields.Selection(PAYMENT_STATE_SELECTION, string="Payment", readonly=True)
    booked_hours = fields.Float(readonly=True)
    price = fields.Monetary(string="Booked Value", readonly=True)
    # The money of the booking as smartbook.booking's _smartbook_money_query says it
    # (taxes included; revenue = paid + pending), the client card's very figures.
    revenue = fields.Monetary(
        readonly=True, help="Done visits, taxes included as invoiced: the paid plus the pending amount."
    )
    pending_amount = fields.Monetary(
        readonly=True,
        help="Done visits not paid yet, taxes included: the visit's share of what remains due on its"
        " invoice, or all of it when not invoiced yet.",
    )
    paid_amount = fields.Monetary(
        readonly=True, help="What was paid for done visits, taxes included: the paid part of their invoices."
    )
    upcoming_amount = fields.Monetary(
        readonly=True,
        help="Confirmed bookings still to come, taxes included. Never part of the pending amount.",
    )
    visit_count = fields.Integer(
        string="Expected Visits", readonly=True, help="Bookings that are done or a no-show."
    )
    no_show_count = fields.Integer(string="No-shows", readonly=True)
    no_show_rate = fields.Float(
        string="No-show Rate (%)",
        readonly=True,
        aggregator="avg",
        help="No-shows among done and no-show bookings, in percent.",
    )

    def _query(self):
        return SQL(
            """
            SELECT b.id,
                   b.id AS booking_id,
                   b.start AS date,
                   b.partner_id,
                   b.service_id,
                   b.employee_id,
                   b.company_id,
                   b.currency_id,
                   b.state,
                   b.channel,
                   b.session_id IS NOT NULL AS is_group,
                   m.state IN ('draft', 'posted') AS invoiced,
                   CASE WHEN m.state = 'posted' THEN m.payment_state END AS payment_state,
                   EXTRACT(EPOCH FROM b.stop - b.start) / 3600.0 AS booked_hours,
                   b.price,
                   money.revenue,
                   money.pending_amount,
                   money.paid_amount,
                   money.upcoming_amount,
                   CASE WHEN b.state IN %s THEN 1 ELSE 0 END AS visit_count,
                   CASE WHEN b.state = 'no_show' THEN 1 ELSE 0 END AS no_show_count,
                   -- NULL outside done and no-show: the average ignores it.
                   CASE WHEN b.state = 'no_show' THEN 100.0 WHEN b.state = 'done' THEN 0.0 END AS no_show_rate
              FROM smartbook_booking b
              LEFT JOIN account_move m ON m.id = b.invoice_id
              JOIN (%s) money ON money.booking_id = b.id
            """,
            PAST_VISIT_STATES,
            self.env["smartbook.booking"]._smartbook_money_query(),
        )

    def action_open_booking(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "smartbook.booking",
            "res_id": self.booking_id.id,
            "views": [(False, "form")],
        }

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
