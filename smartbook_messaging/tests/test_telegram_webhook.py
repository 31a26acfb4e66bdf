"""The Telegram webhook over Odoo's real HTTP server, answering through a loopback Bot API."""

import itertools
import json
from datetime import timedelta

from odoo.tests import HttpCase, tagged

from odoo.addons.smartbook_messaging.tools.telegram import sign_callback

from .telegram_common import CLIENT_CHAT, WEBHOOK_SECRET, TelegramCase

_update_ids = itertools.count(700000001)


@tagged("post_install", "-at_install")
class TestTelegramWebhook(TelegramCase, HttpCase):
    def post_update(self, update, secret=WEBHOOK_SECRET, header=WEBHOOK_SECRET):
        headers = {"Content-Type": "application/json"}
        if header is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = header
        response = self.url_open(f"/smartbook/telegram/{secret}", data=json.dumps(update), headers=headers)
        self.env.invalidate_all()
        return response

    def text_update(self, text, chat_id=CLIENT_CHAT, update_id=None):
        return {
            "update_id": update_id or next(_update_ids),
            "message": {
                "message_id": 11,
                "date": 1780000000,
                "chat": {"id": int(chat_id), "type": "private", "first_name": "Ana"},
                "from": {"id": int(chat_id), "is_bot": False, "first_name": "Ana", "language_code": "en"},
                "text": text,
            },
        }

    def callback_update(self, data, telegram_message, chat_id=CLIENT_CHAT):
        return {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": f"cq{next(_update_ids)}",
                "from": {"id": int(chat_id), "is_bot": False, "first_name": "Ana"},
                "chat_instance": "42",
                "data": data,
                "message": telegram_message,
            },
        }

    def replies_to(self, chat_id):
        return [
            call.params["text"]
            for call in self.bot_api.calls_to("sendMessage")
            if str(call.params["chat_id"]) == chat_id
        ]

    def new_client(self, name="Linda Link"):
        return self.env["res.partner"].create({"name": name, "smartbook_client": True, "lang": "en_US"})

    # ------------------------------------------------------------------ authentication

    def test_wrong_secret_is_refused_and_changes_nothing(self):
        client = self.new_client()
        update = self.text_update(f"/start {client.smartbook_telegram_token}", chat_id="6660001")
        updates_before = self.env["smartbook.telegram.update"].search_count([])
        for secret, header in (
            ("wrong-secret", WEBHOOK_SECRET),  # URL wrong
            (WEBHOOK_SECRET, "wrong-secret"),  # header wrong
            (WEBHOOK_SECRET, None),  # header missing
            (WEBHOOK_SECRET, WEBHOOK_SECRET[:-1]),  # a prefix is not the secret
        ):
            response = self.post_update(update, secret=secret, header=header)
            self.assertEqual(response.status_code, 403, (secret, header))
        self.assertFalse(client.telegram_chat_id)
        self.assertFalse(client.smartbook_consent_telegram)
        self.assertEqual(self.env["smartbook.telegram.update"].search_count([]), updates_before)
        self.assertFalse(self.bot_api.calls)
        # No secret configured: nothing is accepted, not even an empty one.
        self.company.smartbook_telegram_webhook_secret = False
        self.assertEqual(self.post_update(update, secret="x", header="x").status_code, 403)
        self.assertFalse(client.telegram_chat_id)

    # ------------------------------------------------------------------ linking and consent

    def test_start_links_the_chat_once_then_the_link_is_spent(self):
        client = self.new_client()
        token = client.smartbook_telegram_token
        response = self.post_update(self.text_update(f"/start {token}", chat_id="6660002"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(client.telegram_chat_id, "6660002")
        self.assertTrue(client.smartbook_consent_telegram)
        log = client.smartbook_consent_log_ids.filtered(lambda line: line.channel == "telegram")
        self.assertEqual(log.mapped("granted"), [True])
        self.assertNotEqual(client.smartbook_telegram_token, token, "single-purpose: rotated")
        [reply] = self.replies_to("6660002")
        self.assertIn("Linda Link", reply)
        self.assertIn("/stop", reply)
        # The spent link does not connect another chat.
        self.post_update(self.text_update(f"/start {token}", chat_id="6660003"))
        self.assertEqual(client.telegram_chat_id, "6660002")
        self.assertIn("no longer valid", self.replies_to("6660003")[0])

    def test_repeated_update_is_ignored(self):
        client = self.new_client()
        update = self.text_update(f"/start {client.smartbook_telegram_token}", chat_id="6660004")
        self.assertEqual(self.post_update(update).status_code, 200)
        self.assertEqual(self.post_update(update).status_code, 200)
        # Processed once: one welcome, no "link no longer valid" for the repeat.
        self.assertEqual(len(self.replies_to("6660004")), 1)
        text = self.text_update("Can I come at 11 instead?", update_id=next(_update_ids))
        self.post_update(text)
        self.post_update(text)
        posts = self.client.message_ids.filtered(lambda m: "Can I come at 11" in (m.body or ""))
        self.assertEqual(len(posts), 1)

    def test_stop_withdraws_telegram_consent_through_the_log(self):
        self.post_update(self.text_update("/stop"))
        self.assertFalse(self.client.smartbook_consent_telegram)
        last = self.client.smartbook_consent_log_ids.filtered(lambda line: line.channel == "telegram").sorted(
            "id"
        )[-1]
        self.assertFalse(last.granted)
        self.assertIn("/start", self.replies_to(CLIENT_CHAT)[0])
        # /start again (Telegram's "Restart bot") from the connected chat: consent back.
        self.post_update(self.text_update("/start"))
        self.assertTrue(self.client.smartbook_consent_telegram)

    def test_blocking_the_bot_withdraws_consent(self):
        update = {
            "update_id": next(_update_ids),
            "my_chat_member": {
                "chat": {"id": int(CLIENT_CHAT), "type": "private"},
                "from": {"id": int(CLIENT_CHAT), "is_bot": False, "first_name": "Ana"},
                "date": 1780000000,
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 1, "is_bot": True, "first_name": "Bot"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 1, "is_bot": True, "first_name": "Bot"},
                },
            },
        }
        self.assertEqual(self.post_update(update).status_code, 200)
        self.assertFalse(self.client.smartbook_consent_telegram)
        self.assertFalse(self.bot_api.calls, "nothing sent to a chat that blocked the bot")

    def test_inbound_text_lands_in_the_chatter_escaped(self):
        self.post_update(self.text_update("<b>Late</b> by 10 min & sorry"))
        [post] = self.client.message_ids.filtered(lambda m: "Late" in (m.body or ""))
        self.assertEqual(post.author_id, self.client)
        self.assertEqual(post.message_type, "comment")
        self.assertIn("&lt;b&gt;Late&lt;/b&gt; by 10 min &amp; sorry", post.body)
        self.assertNotIn("<b>Late</b>", post.body)
        # A stranger's chat gets told how to connect; nothing is posted anywhere.
        self.post_update(self.text_update("hello?", chat_id="6660099"))
        self.assertIn("not connected", self.replies_to("6660099")[0])
        self.assertFalse(self.env["mail.message"].search_count([("body", "ilike", "hello?")]))

    # ------------------------------------------------------------------ buttons

    def send_reminder(self, booking):
        message = self.make_message("reminder", booking, body="Reminder: Monday 10:00")
        result = message._smartbook_deliver_telegram()[message.id]
        self.assertEqual(result.status, "sent", result)
        [call] = self.bot_api.calls_to("sendMessage")
        chat_id, message_id = result.ref.split(":")
        telegram_message = {
            "message_id": int(message_id),
            "date": 1780000000,
            "chat": {"id": int(chat_id), "type": "private"},
            "text": call.params["text"],
            "reply_markup": call.params["reply_markup"],
        }
        (confirm, cancel), _reschedule = call.params["reply_markup"]["inline_keyboard"]
        self.bot_api.clear_calls()
        return telegram_message, confirm["callback_data"], cancel["callback_data"]

    def test_cancel_button_cancels_frees_the_slot_and_edits_the_message(self):
        booking = self.book(10)
        booking.action_confirm()
        self.assertNotIn("10:00", self.free_hours())
        telegram_message, _confirm, cancel = self.send_reminder(booking)
        response = self.post_update(self.callback_update(cancel, telegram_message))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(booking.state, "cancelled")
        self.assertIn("10:00", self.free_hours(), "the slot is free again")
        [answer] = self.bot_api.calls_to("answerCallbackQuery")
        self.assertIn("cancelled", answer.params["text"])
        [edit] = self.bot_api.calls_to("editMessageText")
        self.assertEqual(edit.params["message_id"], telegram_message["message_id"])
        self.assertTrue(edit.params["text"].startswith("Reminder: Monday 10:00"))
        self.assertIn("Cancelled", edit.params["text"])
        self.assertNotIn("reply_markup", edit.params, "no buttons left on a cancelled booking")
        stored = self.bot_api.sent_messages[(CLIENT_CHAT, telegram_message["message_id"])]
        self.assertIn("Cancelled", stored["text"])

    def test_cancel_after_the_deadline_is_refused_with_the_reason(self):
        booking = self.book(10)
        booking.action_confirm()
        telegram_message, _confirm, cancel = self.send_reminder(booking)
        # The business only lets clients cancel up to 30 days ahead of the visit.
        self.service.cancel_deadline_hours = 24 * 30
        self.post_update(self.callback_update(cancel, telegram_message))
        self.assertEqual(booking.state, "confirmed")
        [answer] = self.bot_api.calls_to("answerCallbackQuery")
        self.assertIn("too late", answer.params["text"])
        self.assertTrue(answer.params["show_alert"])
        self.assertFalse(self.bot_api.calls_to("editMessageText"))

    def test_confirm_button_confirms_a_draft(self):
        booking = self.book(11)
        self.assertEqual(booking.state, "draft")
        telegram_message, confirm, _cancel = self.send_reminder(booking)
        self.post_update(self.callback_update(confirm, telegram_message))
        self.assertEqual(booking.state, "confirmed")
        [edit] = self.bot_api.calls_to("editMessageText")
        self.assertIn("Confirmed", edit.params["text"])
        labels = [button["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for button in row]
        self.assertEqual(labels, ["Cancel", "Reschedule"], "Confirm is gone, the rest stays")
        # Tapped again (an old copy of the message): acknowledged, not edited twice.
        self.bot_api.clear_calls()
        edited = dict(telegram_message, text=edit.params["text"])
        self.post_update(self.callback_update(confirm, edited))
        self.assertEqual(booking.state, "confirmed")
        [answer] = self.bot_api.calls_to("answerCallbackQuery")
        self.assertIn("confirmed", answer.params["text"])
        self.assertFalse(self.bot_api.calls_to("editMessageText"))

    def test_forged_callbacks_are_refused(self):
        booking = self.book(10)
        booking.action_confirm()
        other_booking = self.book(14)
        other_booking.action_confirm()
        telegram_message, _confirm, cancel = self.send_reminder(booking)
        key = self.env["res.company"]._smartbook_telegram_callback_key()
        action, booking_id, signature = cancel.split(":")
        forged = [
            f"{action}:{other_booking.id}:{signature}",  # the signature of another booking
            f"{action}:{booking_id}:{'A' * len(signature)}",  # a made-up signature
            sign_callback(b"not-the-key", "x", booking.id, CLIENT_CHAT),  # signed with another key
        ]
        for data in forged:
            self.post_update(self.callback_update(data, telegram_message))
        # Validly signed, but from another chat than the client's.
        stranger_message = dict(telegram_message, chat={"id": 6660123, "type": "private"})
        self.post_update(
            self.callback_update(
                sign_callback(key, "x", booking.id, "6660123"), stranger_message, chat_id="6660123"
            )
        )
        self.assertEqual((booking.state, other_booking.state), ("confirmed", "confirmed"))
        answers = self.bot_api.calls_to("answerCallbackQuery")
        self.assertEqual(len(answers), 4)
        self.assertTrue(all("no longer valid" in answer.params["text"] for answer in answers))
        self.assertFalse(self.bot_api.calls_to("editMessageText"))

    def test_bot_api_answers_are_quick_even_when_the_bot_api_is_down(self):
        self.company.smartbook_telegram_api_url = "http://127.0.0.1:9"
        response = self.post_update(self.text_update("/stop"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.client.smartbook_consent_telegram)
        self.assertLess(response.elapsed, timedelta(seconds=6))


@tagged("post_install", "-at_install")
class TestTelegramSettingsPages(HttpCase):
    """The messaging settings render in the browser: the administrator gets the bot
    token and the Set Webhook button, in SmartBook's settings form and in Settings."""

    WAIT_FOR = """
        const deadline = Date.now() + 20000;
        const check = () => {
            const token = document.querySelector('div[name="smartbook_telegram_token"]');
            const button = document.querySelector('button[name="action_smartbook_telegram_set_webhook"]');
            const quiet = document.querySelector('div[name="smartbook_quiet_hours_start"]');
            if (token && button && quiet) {
                console.log("test successful");
            } else if (Date.now() > deadline) {
                console.error("messaging settings not rendered");
            } else {
                setTimeout(check, 200);
            }
        };
        check();
    """

    def test_settings_pages_render_for_the_administrator(self):
        self.browser_js(
            "/odoo/action-smartbook_booking.res_company_action_smartbook_settings",
            self.WAIT_FOR,
            login="admin",
        )
        self.browser_js(
            "/odoo/action-smartbook_booking.res_config_settings_action", self.WAIT_FOR, login="admin"
        )
