import asyncio
import hmac
import logging
import secrets

import requests
from markupsafe import Markup
from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.request import HTTPXRequest

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from odoo.addons.smartbook_booking.exceptions import BookingRefused
from odoo.addons.smartbook_booking.models.smartbook_booking import ACTIVE_STATES

from ..tools.telegram import (
    WEBHOOK_SECRET_RE,
    derive_key,
    is_command,
    is_link_token,
    parse_start_payload,
    truncate_text,
    verify_callback,
)

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
WEBHOOK_ROUTE = "/smartbook/telegram/"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Answers to the client (answerCallbackQuery, editMessageText, sendMessage) leave during
# the webhook request: they must not hold it long.
REPLY_TIMEOUT = 3
ADMIN_GROUPS = ("base.group_system", "smartbook_crm.group_smartbook_admin")


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ configuration

    def _smartbook_telegram_api_base(self):
        self.ensure_one()
        return (self.smartbook_telegram_api_url or DEFAULT_API_URL).strip().rstrip("/")

    @api.model
    def _smartbook_telegram_callback_key(self):
        """The key signing button data, derived from the database secret."""
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        return derive_key(secret, "smartbook_messaging.telegram.callback")

    @api.model
    def _smartbook_telegram_company_for_secret(self, url_secret, header_secret):
        """The company whose webhook secret both the URL and Telegram's secret-token
        header carry (compared in constant time), else an empty recordset."""
        url_secret = (url_secret or "").encode()
        header_secret = (header_secret or "").encode()
        found = self.browse()
        for company in self.sudo().search([("smartbook_telegram_webhook_secret", "!=", False)]):
            expected = company.smartbook_telegram_webhook_secret.encode()
            url_ok = hmac.compare_digest(url_secret, expected)
            header_ok = hmac.compare_digest(header_secret, expected)
            if url_ok and header_ok:
                found = company
        return found

    def _smartbook_check_telegram_admin(self):
        if not self.env.su and not any(self.env.user.has_group(group) for group in ADMIN_GROUPS):
            raise AccessError(self.env._("Only SmartBook administrators may configure the Telegram bot."))

    def action_smartbook_telegram_set_webhook(self):
        """Point the bot's webhook at this database (``setWebhook`` with the secret token
        Telegram then sends back in every call), generating the secret when empty."""
        self.ensure_one()
        self._smartbook_check_telegram_admin()
        company = self.sudo()
        if not company.smartbook_telegram_token:
            raise UserError(self.env._("Enter the bot token given by @BotFather first."))
        secret = company.smartbook_telegram_webhook_secret
        if not secret:
            secret = company.smartbook_telegram_webhook_secret = secrets.token_urlsafe(32)
        elif not WEBHOOK_SECRET_RE.match(secret):
            raise UserError(
                self.env._("The webhook secret may only hold letters, digits, '_' and '-' (at most 256).")
            )
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        url = f"{base_url}{WEBHOOK_ROUTE}{secret}"
        api_base = company._smartbook_telegram_api_base()
        try:
            username = asyncio.run(_set_webhook(company.smartbook_telegram_token, api_base, url, secret))
        except InvalidToken:
            # PTB's message quotes the token: not shown, not logged.
            raise UserError(
                self.env._("Telegram rejected the bot token: check it with @BotFather.")
            ) from None
        except TelegramError as error:
            raise UserError(
                self.env._(
                    "Telegram did not accept the webhook (%(api)s): %(error)s",
                    api=api_base,
                    error=error.message,
                )
            ) from error
        if username and not company.smartbook_telegram_bot_username:
            company.smartbook_telegram_bot_username = username
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Telegram webhook set"),
                "message": self.env._(
                    "Telegram now sends the bot's messages to %(url)s.", url=f"{base_url}{WEBHOOK_ROUTE}…"
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ calls back to the Bot API

    def _smartbook_telegram_call(self, method, params):
        """One Bot API call answering the client during a webhook; failures are logged
        (method and status only: no personal data), never raised."""
        self.ensure_one()
        company = self.sudo()
        url = f"{company._smartbook_telegram_api_base()}/bot{company.smartbook_telegram_token}/{method}"
        try:
            response = requests.post(url, json=params, timeout=REPLY_TIMEOUT)
        except requests.RequestException as error:
            _logger.warning("Telegram %s failed: %s", method, type(error).__name__)
            return False
        if response.status_code != 200:
            _logger.warning("Telegram %s answered HTTP %s", method, response.status_code)
            return False
        return True

    def _smartbook_telegram_send_replies(self, replies):
        self.ensure_one()
        if not self.sudo().smartbook_telegram_token:
            return
        for method, params in replies:
            self._smartbook_telegram_call(method, params)

    # ------------------------------------------------------------------ updates from Telegram

    def _smartbook_telegram_handle_update(self, update):
        """Act on one webhook update (already authenticated and deduplicated) as the
        superuser; returns the Bot API calls answering it: ``[(method, params)]``."""
        self.ensure_one()
        company = self.with_user(SUPERUSER_ID).sudo()
        if isinstance(update.get("callback_query"), dict):
            return company._smartbook_telegram_on_callback(update["callback_query"])
        member = update.get("my_chat_member")
        if isinstance(member, dict) and (member.get("chat") or {}).get("type") == "private":
            if (member.get("new_chat_member") or {}).get("status") == "kicked":
                # The client blocked the bot: as good as /stop (no answer: they cannot get it).
                company._smartbook_telegram_withdraw(str(member["chat"]["id"]))
            return []
        message = update.get("message")
        if not isinstance(message, dict) or (message.get("chat") or {}).get("type") != "private":
            return []
        chat_id = str(message["chat"]["id"])
        text = message.get("text") or ""
        language_code = (message.get("from") or {}).get("language_code")
        payload = parse_start_payload(text)
        if payload is not None:
            return company._smartbook_telegram_on_start(chat_id, payload, language_code)
        if is_command(text, "stop"):
            return company._smartbook_telegram_on_stop(chat_id, language_code)
        partner = company._smartbook_telegram_partner(chat_id)
        if not partner:
            env = company._smartbook_telegram_env(language_code=language_code)
            return [
                _reply(
                    chat_id,
                    env._(
                        "This chat is not connected to a client of %(business)s yet: "
                        "open the link they sent you.",
                        business=company.name,
                    ),
                )
            ]
        if text.strip():
            partner.message_post(
                body=Markup("<p><b>%s</b></p>%s") % (company.env._("Telegram"), plaintext2html(text)),
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return []

    def _smartbook_telegram_partner(self, chat_id):
        return (
            self.env["res.partner"]
            .sudo()
            .search(
                [("telegram_chat_id", "=", chat_id), ("smartbook_erased", "=", False)],
                order="id desc",
                limit=1,
            )
        )

    def _smartbook_telegram_env(self, partner=None, language_code=None):
        """An environment speaking the client's language (their card's, else the one
        their Telegram app uses when installed here, else the business's)."""
        lang = partner.lang if partner else None
        if not lang and language_code:
            installed = [code for code, _name in self.env["res.lang"].get_installed()]
            wanted = language_code.replace("-", "_").lower()
            lang = next((code for code in installed if code.lower() == wanted), None) or next(
                (code for code in installed if code.split("_")[0].lower() == wanted.split("_")[0]), None
            )
        return self.with_context(lang=lang or self.partner_id.lang or self.env.lang).env

    def _smartbook_telegram_on_start(self, chat_id, payload, language_code):
        partner = self.env["res.partner"]
        if payload:
            if is_link_token(payload):
                partner = partner.search(
                    [("smartbook_telegram_token", "=", payload), ("smartbook_erased", "=", False)], limit=1
                )
            if not partner:
                env = self._smartbook_telegram_env(language_code=language_code)
                text = env._(
                    "This link is no longer valid. Ask %(business)s for a new one.", business=self.name
                )
                return [_reply(chat_id, text)]
            # One chat, one client: a chat linked before to someone else moves here.
            self.env["res.partner"].search(
                [("telegram_chat_id", "=", chat_id), ("id", "!=", partner.id)]
            ).telegram_chat_id = False
            partner.write({"telegram_chat_id": chat_id, "smartbook_consent_telegram": True})
            partner._smartbook_telegram_rotate_token()
            partner.message_post(
                body=self.env._("Telegram chat connected through the client's link."),
                subtype_xmlid="mail.mt_note",
            )
            env = self._smartbook_telegram_env(partner)
            text = env._(
                "Hello %(name)s! This chat is now connected to %(business)s: your booking confirmations "
                "and reminders will arrive here. Send /stop to stop them.",
                name=partner.name,
                business=self.name,
            )
            return [_reply(chat_id, text)]
        partner = self._smartbook_telegram_partner(chat_id)
        if not partner:
            env = self._smartbook_telegram_env(language_code=language_code)
            text = env._(
                "Welcome! To receive your booking messages here, open the link %(business)s sent you.",
                business=self.name,
            )
            return [_reply(chat_id, text)]
        if not partner.smartbook_consent_telegram:
            partner.smartbook_consent_telegram = True
        env = self._smartbook_telegram_env(partner)
        text = env._(
            "Welcome back, %(name)s! Your booking confirmations and reminders will arrive here. "
            "Send /stop to stop them.",
            name=partner.name,
        )
        return [_reply(chat_id, text)]

    def _smartbook_telegram_on_stop(self, chat_id, language_code):
        partners = self._smartbook_telegram_withdraw(chat_id)
        env = self._smartbook_telegram_env(partners[:1], language_code=language_code)
        text = env._(
            "Done: you will no longer receive messages from %(business)s here. "
            "Send /start to receive them again.",
            business=self.name,
        )
        return [_reply(chat_id, text)]

    def _smartbook_telegram_withdraw(self, chat_id):
        """Withdraw the Telegram consent of the clients connected to ``chat_id``, through
        the consent field: their consent log records it. Returns those clients."""
        partners = self.env["res.partner"].search([("telegram_chat_id", "=", chat_id)])
        partners._smartbook_withdraw_consent("telegram")
        return partners

    def _smartbook_telegram_on_callback(self, query):
        """A Confirm / Cancel button: acts only when the button data is signed for this
        chat and the booking's client is the one connected to it."""
        query_id = query.get("id")
        message = query.get("message") or {}
        chat_id = str((message.get("chat") or {}).get("id") or (query.get("from") or {}).get("id") or "")
        verified = verify_callback(self._smartbook_telegram_callback_key(), query.get("data"), chat_id)
        booking = self.env["smartbook.booking"]
        if verified:
            booking = booking.browse(verified[1]).exists()
        if not booking or booking.partner_id.telegram_chat_id != chat_id:
            env = self._smartbook_telegram_env(language_code=(query.get("from") or {}).get("language_code"))
            return [_answer(query_id, env._("This button is no longer valid."), alert=True)]
        action = verified[0]
        env = self._smartbook_telegram_env(booking.partner_id)
        booking = booking.with_context(lang=env.lang)
        try:
            with self.env.cr.savepoint():
                if action == "cancel":
                    booking.action_client_cancel()
                    status = "❌ " + env._("Cancelled")
                    answer = env._("Your booking is cancelled.")
                else:
                    if booking.state not in ACTIVE_STATES or booking.start <= fields.Datetime.now():
                        raise BookingRefused(env._("This booking can no longer be confirmed."), "too_late")
                    if booking.state == "draft":
                        booking.action_confirm()
                    status = "✅ " + env._("Confirmed")
                    answer = env._("Thank you, your booking is confirmed. See you soon!")
        except (BookingRefused, UserError, ValidationError) as error:
            return [_answer(query_id, error.args[0], alert=True)]
        replies = [_answer(query_id, answer)]
        # Tapped again on a message already showing the outcome: nothing to edit.
        if message.get("message_id") and message.get("text") and not message["text"].endswith(status):
            edit = {
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "text": truncate_text(f"{message['text']}\n\n{status}"),
            }
            if action == "confirm" and message.get("reply_markup"):
                # Confirmed: the Cancel and Reschedule buttons stay, Confirm goes.
                keyboard = [
                    [button for button in row if not str(button.get("callback_data", "")).startswith("c:")]
                    for row in message["reply_markup"].get("inline_keyboard", [])
                ]
                edit["reply_markup"] = {"inline_keyboard": [row for row in keyboard if row]}
            replies.append(("editMessageText", edit))
        return replies


def _reply(chat_id, text):
    return ("sendMessage", {"chat_id": chat_id, "text": text})


def _answer(query_id, text, alert=False):
    return (
        "answerCallbackQuery",
        {"callback_query_id": query_id, "text": truncate_text(text, 200), "show_alert": alert},
    )


async def _set_webhook(token, api_base, url, secret):
    request = HTTPXRequest(read_timeout=10, connect_timeout=5)
    async with Bot(token, base_url=f"{api_base}/bot", request=request) as bot:
        await bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=["message", "callback_query", "my_chat_member"]
        )
        return bot.username
