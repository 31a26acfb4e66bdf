from odoo import api, fields, models
from odoo.tools import SQL


class SmartbookCampaignRecipient(models.Model):
    """One client of a campaign's audience, on the side the random split put them:
    sent the message, or held out for comparison; with what they booked after."""

    _name = "smartbook.campaign.recipient"
    _description = "Campaign Audience Member"
    _order = "campaign_id desc, in_holdout, id"

    campaign_id = fields.Many2one("smartbook.campaign", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    in_holdout = fields.Boolean(string="Held Out", help="Sent nothing: part of the comparison group.")
    message_id = fields.Many2one("smartbook.message", ondelete="set null")
    message_state = fields.Selection(related="message_id.state", string="Message State")
    currency_id = fields.Many2one(related="campaign_id.currency_id")
    booking_count = fields.Integer(
        string="Bookings After", compute="_compute_bookings", help="Bookings made in the measured period."
    )
    revenue = fields.Monetary(string="Revenue After", compute="_compute_bookings")

    _sql_constraints = [
        (
            "campaign_partner_unique",
            "unique(campaign_id, partner_id)",
            "A client is once in a campaign's audience.",
        ),
    ]

    @api.depends("partner_id", "campaign_id.sent_at", "campaign_id.window_days")
    def _compute_bookings(self):
        """Per client, from one query: the campaign's own measure (bookings made
        within its period after the send, cancelled ones left out)."""
        figures = {}
        if ids := self._origin.ids:
            rows = self._smartbook_bookings_after_send(SQL("r.id"), SQL("r.id = ANY(%s)", ids))
            figures = {recipient_id: (bookings, revenue) for recipient_id, _one, bookings, revenue in rows}
        for recipient in self:
            recipient.booking_count, recipient.revenue = figures.get(recipient._origin.id, (0, 0.0))

    @api.model
    def _smartbook_bookings_after_send(self, group_by, where):
        """The campaigns' measure in one query: per group (``group_by``, SQL columns of the
        audience member ``r``) of the members meeting ``where`` (SQL over ``r``), the rows
        ``(*group, members, bookings, revenue)`` of the bookings the members made within their
        campaign's period after the send, cancelled ones left out."""
        self.env["smartbook.booking"].flush_model(["partner_id", "state", "price", "create_date"])
        self.env["smartbook.campaign"].flush_model(["sent_at", "window_days"])
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT %(group_by)s, COUNT(DISTINCT r.id), COUNT(b.id), COALESCE(SUM(b.price), 0)
                  FROM smartbook_campaign_recipient r
                  JOIN smartbook_campaign c ON c.id = r.campaign_id
                  LEFT JOIN smartbook_booking b
                         ON b.partner_id = r.partner_id
                        AND b.state <> 'cancelled'
                        AND b.create_date >= c.sent_at
                        AND b.create_date < c.sent_at + c.window_days * interval '1 day'
                 WHERE %(where)s
                 GROUP BY %(group_by)s
                """,
                group_by=group_by,
                where=where,
            )
        )
        return [(*row[:-1], float(row[-1])) for row in self.env.cr.fetchall()]
