from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    smartbook_telegram_bot_username = fields.Char(related="company_id.smartbook_telegram_bot_username", readonly=False)
