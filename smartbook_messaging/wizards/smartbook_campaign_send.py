from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.holdout import in_holdout


class SmartbookCampaignSend(models.TransientModel):
    """Send a campaign now or at a time, after a look at one real client's message
    and at how many clients it reaches."""

    _name = "smartbook.campaign.send"
    _description = "Send a Campaign"

    campaign_id = fields.Many2one("smartbook.campaign", required=True, ondelete="cascade")
    channel = fields.Selection(related="campaign_id.channel")
    template_id = fields.Many2one(related="campaign_id.template_id")
    holdout_percent = fields.Float(related="campaign_id.holdout_percent", readonly=False)
    audience_count = fields.Integer(compute="_compute_audience", string="Audience")
    recipient_estimate = fields.Integer(compute="_compute_audience", string="Will Receive")
    holdout_estimate = fields.Integer(compute="_compute_audience", string="Held Out")
    preview_partner_id = fields.Many2one(
        "res.partner", string="Preview For", domain=[("smartbook_client", "=", True)]
    )
    preview_body = fields.Text(compute="_compute_preview_body", string="Preview")
    send_mode = fields.Selection(
        [("now", "Now"), ("later", "At a time")], string="Send", default="now", required=True
    )
    send_at = fields.Datetime()

    @api.depends("campaign_id", "holdout_percent")
    def _compute_audience(self):
        for wizard in self:
            audience = wizard.campaign_id._smartbook_audience() if wizard.campaign_id else []
            held = sum(
                in_holdout(wizard.campaign_id.id, partner.id, wizard.holdout_percent) for partner in audience
            )
            wizard.audience_count = len(audience)
            wizard.holdout_estimate = held
            wizard.recipient_estimate = len(audience) - held

    @api.onchange("campaign_id")
    def _onchange_campaign_id(self):
        if self.campaign_id and not self.preview_partner_id:
            audience = self.campaign_id._smartbook_audience()
            self.preview_partner_id = audience[:1].id

    @api.depends("campaign_id", "preview_partner_id")
    def _compute_preview_body(self):
        for wizard in self:
            template = wizard.campaign_id.template_id
            partner = wizard.preview_partner_id
            if not template or not partner:
                wizard.preview_body = False
                continue
            try:
                wizard.preview_body = template._smartbook_render_source(
                    template.with_context(lang=template._smartbook_record_lang(partner)).body,
                    partner,
                    template._smartbook_record_lang(partner),
                )
            except (AccessError, UserError) as error:
                wizard.preview_body = str(error)

    def action_send(self):
        self.ensure_one()
        if self.send_mode == "later" and not self.send_at:
            raise UserError(self.env._("Choose when to send the campaign."))
        self.campaign_id._smartbook_send(self.send_at if self.send_mode == "later" else None)
        return {"type": "ir.actions.act_window_close"}
