from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    smartbook_client = fields.Boolean(
        string="Is a Client",
        index=True,
        help="Clients of the business get the SmartBook client card; company contacts, "
        "suppliers and users stay plain contacts.",
    )
    smartbook_birthday = fields.Date(string="Birthday")
    smartbook_gender = fields.Selection(
        [("female", "Female"), ("male", "Male"), ("other", "Other")],
        string="Client Gender",
    )
    smartbook_source_id = fields.Many2one(
        "smartbook.source",
        string="Source",
        index="btree_not_null",
        help="How the client found the business.",
    )
    smartbook_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index="btree_not_null",
        domain=[("share", "=", False)],
        help="The staff member in charge of this client; an employee sees the clients "
        "they are responsible for.",
    )
    smartbook_notes = fields.Html(
        string="Internal Notes",
        help="Allergies, preferences, colour formulas: what staff must know.",
    )
    smartbook_blacklisted = fields.Boolean(
        string="Cannot Book",
        tracking=True,
        help="A blacklisted client cannot book, neither online nor from the backend.",
    )
    smartbook_blacklist_reason = fields.Char(string="Blacklist Reason", tracking=True)
    smartbook_consent_sms = fields.Boolean(string="SMS Consent")
    smartbook_consent_telegram = fields.Boolean(string="Telegram Consent")
    smartbook_consent_email = fields.Boolean(string="Email Consent")
    smartbook_consent_marketing = fields.Boolean(string="Marketing Consent")
    telegram_chat_id = fields.Char(
        copy=False,
        groups="smartbook_crm.group_smartbook_manager",
        help="Set when the client starts the business's Telegram bot.",
    )
