from odoo import api, fields, models

from ..tools.telegram import new_link_token

CLIENT_CARD_GROUP = "smartbook_crm.group_smartbook_employee"


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    smartbook_telegram_token = fields.Char(
        string="Telegram Link Token",
        copy=False,
        index="btree_not_null",
        default=lambda self: new_link_token(),
        groups=CLIENT_CARD_GROUP,
        help="Single-purpose: opening the link connects the client's chat once, then a new "
        "token replaces it.",
    )
    smartbook_telegram_link = fields.Char(
        string="Telegram Link",
        compute="_compute_smartbook_telegram_link",
        compute_sudo=True,
        groups=CLIENT_CARD_GROUP,
        help="Send this link to the client: opening it in Telegram connects their chat to the "
        "business's bot, so confirmations and reminders reach them there.",
    )
    smartbook_telegram_linked = fields.Boolean(
        string="Telegram Connected",
        compute="_compute_smartbook_telegram_linked",
        compute_sudo=True,
        groups=CLIENT_CARD_GROUP,
    )

    def _auto_init(self):
        result = super()._auto_init()
        # Clients who existed before this addon get their link token too (gen_random_uuid
        # draws from PostgreSQL's strong random source; hex is within A-Za-z0-9_-).
        self.env.cr.execute(
            """
            UPDATE res_partner
               SET smartbook_telegram_token = replace(gen_random_uuid()::text, '-', '')
             WHERE smartbook_telegram_token IS NULL
            """
        )
        return result

    @api.depends("smartbook_telegram_token", "company_id.smartbook_telegram_bot_username")
    @api.depends_context("company")
    def _compute_smartbook_telegram_link(self):
        for partner in self:
            company = partner.company_id or self.env.company
            username = (company.smartbook_telegram_bot_username or "").strip().lstrip("@")
            token = partner.smartbook_telegram_token
            linkable = username and token and not partner.smartbook_erased
            partner.smartbook_telegram_link = f"https://t.me/{username}?start={token}" if linkable else False

    @api.depends("telegram_chat_id")
    def _compute_smartbook_telegram_linked(self):
        for partner in self:
            partner.smartbook_telegram_linked = bool(partner.telegram_chat_id)

    def _smartbook_telegram_rotate_token(self):
        """Replace the link tokens (a used or revoked link stops working)."""
        for partner in self:
            partner.sudo().smartbook_telegram_token = new_link_token()

    def action_smartbook_telegram_revoke(self):
        """The link may have reached the wrong person: a new link, and the chat connected
        through the old one (if any) no longer receives anything."""
        self.check_access("write")
        self.check_field_access_rights("write", ["telegram_chat_id"])
        self._smartbook_telegram_rotate_token()
        linked = self.sudo().filtered("telegram_chat_id")
        linked.write({"telegram_chat_id": False})
        for partner in linked:
            partner.message_post(
                body=self.env._("Telegram chat disconnected; the Telegram link was renewed."),
                subtype_xmlid="mail.mt_note",
            )
        return True
