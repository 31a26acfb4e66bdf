import asyncio
import logging
from collections import defaultdict
from typing import NamedTuple

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from odoo import fields, models

from odoo.addons.smartbook_booking.models.smartbook_booking import ACTIVE_STATES

from ..tools.delivery import DeliveryResult
from ..tools.telegram import (
    SendPacer,
    install_log_redaction,
    redact_secrets,
    round_robin,
    sign_callback,
    truncate_text,
)

# httpx logs every request at INFO, with its URL, and the Bot API's hold the bot token:
# a line per message is noise (the outbox records each result), the token a leak. Unless
# the server's log configuration says otherwise (--log-handler httpx:INFO).
install_log_redaction("httpx")
if logging.getLogger("httpx").level == logging.NOTSET:
    logging.getLogger("httpx").setLevel(logging.WARNING)

# Kinds whose Telegram message carries the Confirm / Cancel / Reschedule buttons.
BUTTON_KINDS = ("confirmation", "reminder")
# Telegram's limits: about 30 messages a second per bot, one a second per chat.
TELEGRAM_RATE_PARAM = "smartbook_messaging.telegram_rate"
DEFAULT_RATE = 30.0
CHAT_INTERVAL = 1.0
# A 429 asking to wait this long at most is waited out within the batch (at most
# INLINE_RETRIES times per message); a longer one goes back to the outbox with its delay.
SHORT_RETRY_AFTER = 5.0
INLINE_RETRIES = 2
# Requests in flight at once (the pacer spaces their starts).
CONCURRENCY = 8


class TelegramJob(NamedTuple):
    message_id: int
    chat_id: str
    text: str
    reply_markup: InlineKeyboardMarkup | None


class SmartbookMessage(models.Model):
    _inherit = "smartbook.message"  # pylint: disable=consider-merging-classes-inherited

    def _smartbook_deliver_telegram(self):
        """Send the claimed Telegram messages in ``self``: ``{message id: DeliveryResult}``.

        One event loop for the whole batch (``asyncio.run``), one ``Bot`` per company
        inside it: a Bot holds an HTTP client bound to its loop, never reused across
        loops. Reads the ORM before the loop starts, writes no message state."""
        results = {}
        jobs_by_bot = defaultdict(list)
        messages = self.sudo()
        bookings = messages.filtered(lambda message: message.kind in BUTTON_KINDS).booking_id
        callback_key = self.env["res.company"]._smartbook_telegram_callback_key() if bookings else None
        now = fields.Datetime.now()
        for message in messages:
            chat_id = message.partner_id.telegram_chat_id
            text = truncate_text(message.body or "").strip()
            company = message.company_id
            if not chat_id:
                results[message.id] = DeliveryResult(
                    "failed", error="No Telegram chat is connected to this client."
                )
            elif not text:
                results[message.id] = DeliveryResult("failed", error="The message is empty.")
            elif not company.smartbook_telegram_token:
                results[message.id] = DeliveryResult("failed", error="The Telegram bot is not configured.")
            else:
                markup = message._smartbook_telegram_buttons(callback_key, chat_id, now)
                bot_key = (company.smartbook_telegram_token, company._smartbook_telegram_api_base())
                jobs_by_bot[bot_key].append(TelegramJob(message.id, chat_id, text, markup))
        if jobs_by_bot:
            rate = self._smartbook_telegram_rate()
            results.update(asyncio.run(_deliver(jobs_by_bot, rate)))
        return results

    def _smartbook_telegram_rate(self):
        value = self.env["ir.config_parameter"].sudo().get_param(TELEGRAM_RATE_PARAM)
        try:
            rate = float(value) if value else DEFAULT_RATE
        except ValueError:
            rate = DEFAULT_RATE
        return rate if rate > 0 else DEFAULT_RATE

    def _smartbook_telegram_buttons(self, callback_key, chat_id, now):
        """Confirm / Cancel (signed callback data) and a Reschedule link, in the client's
        language, on a confirmation or reminder of a booking still to happen."""
        self.ensure_one()
        booking = self.booking_id
        if (
            self.kind not in BUTTON_KINDS
            or not booking
            or booking.state not in ACTIVE_STATES
            or booking.start <= now
        ):
            return None
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        manage_url = booking.get_base_url() + booking.get_portal_url()
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        env._("Confirm"), callback_data=sign_callback(callback_key, "c", booking.id, chat_id)
                    ),
                    InlineKeyboardButton(
                        env._("Cancel"), callback_data=sign_callback(callback_key, "x", booking.id, chat_id)
                    ),
                ],
                [InlineKeyboardButton(env._("Reschedule"), url=manage_url)],
            ]
        )


async def _deliver(jobs_by_bot, rate):
    results = {}
    for (token, api_base), jobs in jobs_by_bot.items():
        request = HTTPXRequest(
            connection_pool_size=CONCURRENCY, read_timeout=10, connect_timeout=5, pool_timeout=30
        )
        try:
            async with Bot(token, base_url=f"{api_base}/bot", request=request) as bot:
                await _send_jobs(bot, jobs, SendPacer(rate, CHAT_INTERVAL), results)
        except InvalidToken:
            _fill(results, jobs, DeliveryResult("retry", error="Telegram refused the bot token."))
        except RetryAfter as error:
            _fill(results, jobs, _flood_result(error))
        except TelegramError as error:
            # getMe failed: the Bot API could not be reached; nothing was sent.
            _fill(
                results,
                jobs,
                DeliveryResult(
                    "retry", error=f"Telegram Bot API unreachable: {redact_secrets(error.message)}"
                ),
            )
    return results


def _fill(results, jobs, result):
    for job in jobs:
        results.setdefault(job.message_id, result)


def _error_result(error):
    """What a Bot API refusal (other than a 429) means for the outbox."""
    if isinstance(error, Forbidden):
        # Blocked by the user, or the account is gone: they no longer want us there.
        return DeliveryResult("opt_out", error=error.message)
    if isinstance(error, BadRequest):
        return DeliveryResult("failed", error=error.message)
    if isinstance(error, InvalidToken):
        return DeliveryResult("retry", error="Telegram refused the bot token.")
    if isinstance(error, TimedOut):
        return DeliveryResult("retry", error="Telegram did not answer in time.")
    return DeliveryResult("retry", error=redact_secrets(error.message))  # network errors, 5xx


def _flood_result(error):
    wait = float(error.retry_after)
    return DeliveryResult("retry", error=f"Telegram flood control: retry after {wait:g} s", retry_after=wait)


async def _send_jobs(bot, jobs, pacer, results):
    loop = asyncio.get_running_loop()
    in_flight = asyncio.Semaphore(CONCURRENCY)

    async def wait_turn(chat_id):
        """Sleep until this chat's next send may start; the delay still to wait when a
        429 asked for a pause too long to wait out within the batch, else ``None``."""
        start = pacer.reserve(chat_id, loop.time())
        while True:
            await asyncio.sleep(max(0.0, start - loop.time()))
            held = pacer.held_until - loop.time()
            if held <= 0:
                return None
            if held > SHORT_RETRY_AFTER:
                return held
            start = pacer.reserve(chat_id, loop.time())  # a short 429 arrived meanwhile

    async def send(job):
        inline_retries = 0
        while True:
            held = await wait_turn(job.chat_id)
            if held is not None:
                return DeliveryResult("retry", error="Telegram flood control: sent later.", retry_after=held)
            try:
                async with in_flight:
                    sent = await bot.send_message(
                        chat_id=job.chat_id, text=job.text, reply_markup=job.reply_markup
                    )
            except RetryAfter as error:
                if float(error.retry_after) <= SHORT_RETRY_AFTER and inline_retries < INLINE_RETRIES:
                    inline_retries += 1
                    pacer.hold(loop.time() + float(error.retry_after))
                    continue
                pacer.hold(loop.time() + float(error.retry_after))
                return _flood_result(error)
            except TelegramError as error:
                return _error_result(error)
            return DeliveryResult("sent", ref=f"{job.chat_id}:{sent.message_id}")

    ordered = round_robin(jobs, key=lambda job: job.chat_id)
    outcomes = await asyncio.gather(*(send(job) for job in ordered))
    for job, outcome in zip(ordered, outcomes, strict=True):
        results[job.message_id] = outcome
