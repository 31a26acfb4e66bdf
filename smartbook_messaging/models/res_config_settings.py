from odoo import fields, models

from .res_company import SECRET_GROUPS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    smartbook_telegram_token = fields.Char(
        related="company_id.smartbook_telegram_token", readonly=False, groups=SECRET_GROUPS
    )
    smartbook_telegram_bot_username = fields.Char(
        related="company_id.smartbook_telegram_bot_username", readonly=False
    )
    smartbook_telegram_api_url = fields.Char(related="company_id.smartbook_telegram_api_url", readonly=False)
    smartbook_telegram_webhook_secret = fields.Char(
        related="company_id.smartbook_telegram_webhook_secret", readonly=False, groups=SECRET_GROUPS
    )
    smartbook_sms_provider = fields.Selection(related="company_id.smartbook_sms_provider", readonly=False)
    smartbook_sms_api_url = fields.Char(related="company_id.smartbook_sms_api_url", readonly=False)
    smartbook_sms_account = fields.Char(
        related="company_id.smartbook_sms_account", readonly=False, groups=SECRET_GROUPS
    )
    smartbook_sms_token = fields.Char(
        related="company_id.smartbook_sms_token", readonly=False, groups=SECRET_GROUPS
    )
    smartbook_sms_sender = fields.Char(related="company_id.smartbook_sms_sender", readonly=False)
    smartbook_quiet_hours_start = fields.Float(
        related="company_id.smartbook_quiet_hours_start", readonly=False
    )
    smartbook_quiet_hours_end = fields.Float(related="company_id.smartbook_quiet_hours_end", readonly=False)
    smartbook_message_max_attempts = fields.Integer(
        related="company_id.smartbook_message_max_attempts", readonly=False
    )

    def action_smartbook_telegram_set_webhook(self):
        self.ensure_one()
        return self.company_id.action_smartbook_telegram_set_webhook()
