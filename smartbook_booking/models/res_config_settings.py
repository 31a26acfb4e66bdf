from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    smartbook_sleeping_days = fields.Integer(related="company_id.smartbook_sleeping_days", readonly=False)
