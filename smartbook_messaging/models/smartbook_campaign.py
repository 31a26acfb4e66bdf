from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..tools.holdout import in_holdout, uplift
from .smartbook_message import CHANNELS, MARKETING_KINDS

SEND_BATCH = 1000


class SmartbookCampaign(models.Model):
    """A template sent to a segment once, and what came of it.

    Part of the audience (``holdout_percent``) is held out at random: it is sent
    nothing, so comparing the bookings made in the following days by recipients
    and by the holdout, per client, shows what the message changed."""

    _name = "smartbook.campaign"
    _description = "Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [("draft", "Draft"), ("scheduled", "Scheduled"), ("sent", "Sent")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    channel = fields.Selection(CHANNELS, required=True, default="telegram", tracking=True)
    template_id = fields.Many2one(
        "smartbook.message.template",
        required=True,
        domain=f"[('kind', 'in', {list(MARKETING_KINDS)}), ('channel', '=', channel)]",
        tracking=True,
    )
    segment_id = fields.Many2one("smartbook.segment", required=True, tracking=True)
    holdout_percent = fields.Float(
        string="Holdout (%)",
        default=10.0,
        help="Share of the audience, picked at random, that is sent nothing: the comparison group.",
    )
    window_days = fields.Integer(
        string="Measured Over (days)",
        default=30,
        help="Bookings made by the audience within this many days after the send count as its effect.",
    )
    sent_at = fields.Datetime(string="Send Time", readonly=True, copy=False)
    message_ids = fields.One2many("smartbook.message", "campaign_id", string="Messages")
    recipient_ids = fields.One2many("smartbook.campaign.recipient", "campaign_id", string="Audience")

    audience_count = fields.Integer(
        compute="_compute_audience_count",
        help="Clients of the segment the channel may reach now (consent, address, blacklist).",
    )
    recipient_count = fields.Integer(string="Recipients", compute="_compute_results")
    holdout_count = fields.Integer(string="Holdout", compute="_compute_results")
    sent_count = fields.Integer(string="Sent", compute="_compute_results")
    delivered_count = fields.Integer(string="Delivered", compute="_compute_results")
    failed_count = fields.Integer(string="Failed", compute="_compute_results")
    recipient_booking_count = fields.Integer(string="Bookings (Recipients)", compute="_compute_results")
    holdout_booking_count = fields.Integer(string="Bookings (Holdout)", compute="_compute_results")
    recipient_revenue = fields.Monetary(string="Revenue (Recipients)", compute="_compute_results")
    holdout_revenue = fields.Monetary(string="Revenue (Holdout)", compute="_compute_results")
    recipient_bookings_per_client = fields.Float(
        string="Bookings per Recipient", compute="_compute_results", digits=(16, 3)
    )
    holdout_bookings_per_client = fields.Float(
        string="Bookings per Held-out Client", compute="_compute_results", digits=(16, 3)
    )
    recipient_revenue_per_client = fields.Monetary(string="Revenue per Recipient", compute="_compute_results")
    holdout_revenue_per_client = fields.Monetary(
        string="Revenue per Held-out Client", compute="_compute_results"
    )
    uplift_bookings_per_client = fields.Float(
        string="Uplift: Bookings per Client",
        compute="_compute_results",
        digits=(16, 3),
        help="Bookings per recipient minus bookings per held-out client.",
    )
    uplift_revenue_per_client = fields.Monetary(
        string="Uplift: Revenue per Client",
        compute="_compute_results",
        help="Revenue per recipient minus revenue per held-out client.",
    )

    _sql_constraints = [
        (
            "holdout_percent_range",
            "CHECK(holdout_percent >= 0 AND holdout_percent < 100)",
            "The holdout is a share of the audience from 0 to under 100 %.",
        ),
        ("window_days_positive", "CHECK(window_days > 0)", "The measured period must be at least a day."),
    ]

    # ------------------------------------------------------------------ audience

    def _smartbook_audience(self):
        """The clients of the segment this campaign may reach on its channel now."""
        self.ensure_one()
        partners = self.env["res.partner"].search(self.segment_id._get_client_domain()).sudo()
        refusal = self.env["smartbook.message"]._smartbook_refusal
        return partners.filtered(lambda partner: not refusal(partner, self.channel, "campaign"))

    @api.depends("segment_id", "channel", "state")
    def _compute_audience_count(self):
        for campaign in self:
            if campaign.state != "draft":
                campaign.audience_count = len(campaign.recipient_ids)
            elif campaign.segment_id and campaign.channel:
                campaign.audience_count = (
                    len(campaign._origin._smartbook_audience()) if campaign._origin else 0
                )
            else:
                campaign.audience_count = 0

    # ------------------------------------------------------------------ results

    @api.depends("recipient_ids", "message_ids.state", "sent_at", "window_days")
    def _compute_results(self):
        """Sent, delivered and failed from the outbox, bookings and revenue of each
        group from one query over the recipients and their bookings made within
        the measured period after the send (cancelled ones left out)."""
        campaigns = self.filtered("id")
        states = defaultdict(int)
        groups = {}
        if campaigns:
            for campaign, state, count in (
                self.env["smartbook.message"]
                .sudo()
                ._read_group([("campaign_id", "in", campaigns.ids)], ["campaign_id", "state"], ["__count"])
            ):
                states[campaign.id, state] = count
            groups = self._smartbook_group_figures(campaigns.ids)
        for campaign in self:
            cid = campaign._origin.id
            sent_group = groups.get((cid, False), (0, 0, 0.0))
            held_group = groups.get((cid, True), (0, 0, 0.0))
            figures = uplift(sent_group, held_group)
            campaign.recipient_count = sent_group[0]
            campaign.holdout_count = held_group[0]
            campaign.delivered_count = states[cid, "delivered"]
            campaign.sent_count = states[cid, "sent"] + states[cid, "delivered"]
            campaign.failed_count = states[cid, "failed"]
            campaign.recipient_booking_count = sent_group[1]
            campaign.holdout_booking_count = held_group[1]
            campaign.recipient_revenue = sent_group[2]
            campaign.holdout_revenue = held_group[2]
            campaign.recipient_bookings_per_client, campaign.recipient_revenue_per_client = figures[
                "recipients"
            ]
            campaign.holdout_bookings_per_client, campaign.holdout_revenue_per_client = figures["holdout"]
            campaign.uplift_bookings_per_client = figures["bookings"]
            campaign.uplift_revenue_per_client = figures["revenue"]

    @api.model
    def _smartbook_group_figures(self, campaign_ids):
        """``{(campaign id, in holdout): (clients, bookings, revenue)}`` in one query."""
        rows = self.env["smartbook.campaign.recipient"]._smartbook_bookings_after_send(
            SQL("r.campaign_id, r.in_holdout"), SQL("r.campaign_id = ANY(%s)", list(campaign_ids))
        )
        return {(campaign_id, held): tuple(figures) for campaign_id, held, *figures in rows}

    # ------------------------------------------------------------------ sending

    def _smartbook_send(self, send_at=None):
        """Split the audience into recipients and holdout (recorded per client) and
        queue the message of every recipient for ``send_at`` (default now)."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("The campaign %(name)s was already sent.", name=self.name))
        if self.template_id.channel != self.channel:
            raise UserError(self.env._("The template is for another channel than the campaign's."))
        now = fields.Datetime.now()
        send_at = max(send_at or now, now)
        audience = self._smartbook_audience()
        if not audience:
            raise UserError(self.env._("No client of this segment can be reached on this channel."))
        Recipient = self.env["smartbook.campaign.recipient"].sudo()
        recipients = Recipient.create(
            [
                {
                    "campaign_id": self.id,
                    "partner_id": partner.id,
                    "in_holdout": in_holdout(self.id, partner.id, self.holdout_percent),
                }
                for partner in audience
            ]
        )
        self.write({"state": "scheduled" if send_at > now else "sent", "sent_at": send_at})
        template = self.template_id.sudo()
        Message = self.env["smartbook.message"].sudo()
        to_send = recipients.filtered(lambda recipient: not recipient.in_holdout)
        for batch in split_every(SEND_BATCH, to_send.ids, Recipient.browse):
            partners = batch.partner_id
            bodies = template._smartbook_render(partners)
            messages = Message._smartbook_enqueue(
                [
                    {
                        "channel": self.channel,
                        "kind": "campaign",
                        "partner_id": partner.id,
                        "campaign_id": self.id,
                        "template_id": template.id,
                        "company_id": self.company_id.id,
                        "body": bodies[partner.id],
                        "next_try": send_at,
                        "dedupe_key": f"campaign:{self.id}:{partner.id}:{self.channel}",
                    }
                    for partner in partners
                ]
            )
            message_by_partner = {message.partner_id.id: message.id for message in messages}
            for recipient in batch:
                recipient.message_id = message_by_partner.get(recipient.partner_id.id)
        return True

    @api.model
    def _smartbook_mark_sent(self):
        """Scheduled campaigns whose time has come are sent (the outbox does the sending)."""
        due = self.sudo().search([("state", "=", "scheduled"), ("sent_at", "<=", fields.Datetime.now())])
        if due:
            due.state = "sent"

    def action_open_send(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Campaign"),
            "res_model": "smartbook.campaign.send",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_campaign_id": self.id},
        }

    def action_view_recipients(self):
        self.ensure_one()
        return self._smartbook_action_of_campaign(
            self.env._("Audience of %(name)s", name=self.name), "smartbook.campaign.recipient", "list"
        )

    def action_view_messages(self):
        self.ensure_one()
        return self._smartbook_action_of_campaign(
            self.env._("Messages of %(name)s", name=self.name), "smartbook.message", "list,form"
        )

    def _smartbook_action_of_campaign(self, name, res_model, view_mode):
        """A window on the campaign's records of ``res_model``."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": view_mode,
            "domain": [("campaign_id", "=", self.id)],
        }
