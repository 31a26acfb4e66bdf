from odoo import fields, models


class SmartbookCampaign(models.Model):
    _name = "smartbook.campaign"
    _description = "Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    message_ids = fields.One2many("smartbook.message", "campaign_id", string="Messages")
