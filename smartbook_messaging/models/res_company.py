from odoo import fields, models

SECRET_GROUPS = "base.group_system,smartbook_crm.group_smartbook_admin"
SMS_PROVIDERS = [("iap", "Odoo SMS (IAP)"), ("twilio", "Twilio"), ("http_json", "HTTP JSON gateway")]


class ResCompany(models.Model):
    _inherit = "res.company"

    smartbook_telegram_token = fields.Char(string="Telegram Bot Token", groups=SECRET_GROUPS, copy=False)
    smartbook_telegram_bot_username = fields.Char(string="Telegram Bot Username")
    smartbook_telegram_api_url = fields.Char(string="Bot API URL", default="https://api.telegram.org")
    smartbook_telegram_webhook_secret = fields.Char(
        string="Telegram Webhook Secret", groups=SECRET_GROUPS, copy=False
    )
    smartbook_sms_provider = fields.Selection(
        SMS_PROVIDERS, string="SMS Provider", default="iap", required=True
    )
    smartbook_sms_api_url = fields.Char(string="SMS API URL", default="https://api.twilio.com")
    smartbook_sms_account = fields.Char(string="SMS Account", groups=SECRET_GROUPS, copy=False)
    smartbook_sms_token = fields.Char(string="SMS Token", groups=SECRET_GROUPS, copy=False)
    smartbook_sms_sender = fields.Char(string="SMS Sender")
    smartbook_quiet_hours_start = fields.Float(
        string="Quiet Hours From",
        default=21.0,
        help="No message reaches a client after this hour of their day.",
    )
    smartbook_quiet_hours_end = fields.Float(string="Quiet Hours Until", default=9.0)
    smartbook_message_max_attempts = fields.Integer(string="Delivery Attempts", default=5)
