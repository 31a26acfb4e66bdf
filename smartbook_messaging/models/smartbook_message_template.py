from odoo import fields, models

from .smartbook_message import CHANNELS, KINDS


class SmartbookMessageTemplate(models.Model):
    _name = "smartbook.message.template"
    _description = "Message Template"
    _order = "kind, channel, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(KINDS, required=True, index=True)
    channel = fields.Selection(CHANNELS, required=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    body = fields.Text(translate=True)
