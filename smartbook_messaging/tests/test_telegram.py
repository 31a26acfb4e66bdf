"""Telegram delivery against a loopback Bot API (real HTTP through python-telegram-bot)."""

import threading
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import new_test_user, tagged

from odoo.addons.smartbook_messaging.tools.telegram import is_link_token, verify_callback

from .telegram_common import BOT_USERNAME, CLIENT_CHAT, TelegramCase


@tagged("post_install", "-at_install")
class TestTelegramDelivery(TelegramCase):
    def test_reminder_with_signed_buttons_and_manage_link(self):
        booking = self.book(10)
        booking.action_confirm()
        message = self.make_message("reminder", booking)
        results = message._smartbook_deliver_telegram()
        result = results[message.id]
        self.assertEqual(result.status, "sent", result)
        [call] = self.bot_api.calls_to("sendMessage")
        self.assertEqual(str(call.params["chat_id"]), CLIENT_CHAT)
        self.assertEqual(call.params["text"], "See you tomorrow at 10:00.")
        [(chat_id, telegram_message_id)] = self.bot_api.sent_messages
        self.assertEqual(result.ref, f"{chat_id}:{telegram_message_id}")
        keyboard = call.params["reply_markup"]["inline_keyboard"]
        (confirm, cancel), (reschedule,) = keyboard
        self.assertEqual(
            (confirm["text"], cancel["text"], reschedule["text"]), ("Confirm", "Cancel", "Reschedule")
        )
        key = self.env["res.company"]._smartbook_telegram_callback_key()
        self.assertEqual(verify_callback(key, confirm["callback_data"], CLIENT_CHAT), ("confirm", booking.id))
        self.assertEqual(verify_callback(key, cancel["callback_data"], CLIENT_CHAT), ("cancel", booking.id))
        self.assertIsNone(verify_callback(key, cancel["callback_data"], "999"), "bound to the client's chat")
        for button in (confirm, cancel):
            self.assertLessEqual(len(button["callback_data"].encode()), 64)
        self.assertEqual(reschedule["url"], booking.get_base_url() + booking.get_portal_url())
        self.assertIn("access_token=", reschedule["url"])

    def test_no_buttons_on_other_kinds_or_past_bookings(self):
        booking = self.book(10)
        booking.action_confirm()
        cancelled_note = self.make_message("cancelled", booking)
        birthday = self.make_message("birthday", body="Happy birthday!")
        cancelled_booking = self.book(12)
        cancelled_booking.action_cancel()
        stale_reminder = self.make_message("reminder", cancelled_booking)
        results = (cancelled_note | birthday | stale_reminder)._smartbook_deliver_telegram()
        self.assertEqual({result.status for result in results.values()}, {"sent"})
        calls = self.bot_api.calls_to("sendMessage")
        self.assertEqual(len(calls), 3)
        self.assertFalse([call for call in calls if call.params.get("reply_markup")])

    def test_short_retry_after_is_waited_out_within_the_batch(self):
        self.bot_api.fail_next(1, status=429, retry_after=1)
        message = self.make_message()
        started = time.monotonic()
        result = message._smartbook_deliver_telegram()[message.id]
        elapsed = time.monotonic() - started
        self.assertEqual(result.status, "sent", result)
        first, second = self.bot_api.calls_to("sendMessage")
        self.assertEqual((first.status, second.status), (429, 200))
        self.assertGreaterEqual(second.at - first.at, 1.0, "the 429's retry_after was honoured")
        self.assertLess(elapsed, 5)

    def test_long_retry_after_goes_back_to_the_outbox(self):
        self.bot_api.fail_next(1, status=429, retry_after=42)
        first, second = self.make_message(), self.make_message()  # one chat: a second apart
        started = time.monotonic()
        results = (first | second)._smartbook_deliver_telegram()
        self.assertLess(time.monotonic() - started, 5, "a long flood wait is not slept in the cron")
        self.assertEqual(results[first.id].status, "retry")
        self.assertEqual(results[first.id].retry_after, 42.0)
        # The next message was not sent into the flood wait: back to the outbox too.
        self.assertEqual(results[second.id].status, "retry")
        self.assertGreater(results[second.id].retry_after, 30)
        self.assertEqual(len(self.bot_api.calls_to("sendMessage")), 1)

    def test_blocked_bot_is_an_opt_out_and_server_errors_are_retried(self):
        blocked = self.make_message(partner=self.client_partner("Blocked", "5550003"))
        self.bot_api.block_chat("5550003")
        result = blocked._smartbook_deliver_telegram()[blocked.id]
        self.assertEqual(result.status, "opt_out")
        self.assertIn("blocked", result.error)
        flaky = self.make_message()
        self.bot_api.fail_next(1, status=500)
        result = flaky._smartbook_deliver_telegram()[flaky.id]
        self.assertEqual(result.status, "retry")
        self.assertEqual([call.status for call in self.bot_api.calls_to("sendMessage")], [403, 500])

    def test_bad_request_fails_and_unconfigured_fails(self):
        message = self.make_message()
        self.bot_api.fail_next(1, status=400, description="Bad Request: chat not found")
        result = message._smartbook_deliver_telegram()[message.id]
        self.assertEqual((result.status, result.error), ("failed", "Chat not found"))
        unlinked = self.make_message(partner=self.env["res.partner"].create({"name": "No chat"}))
        self.assertEqual(unlinked._smartbook_deliver_telegram()[unlinked.id].status, "failed")
        self.company.smartbook_telegram_token = False
        result = message._smartbook_deliver_telegram()[message.id]
        self.assertEqual(result.status, "failed")
        self.assertEqual(len(self.bot_api.calls_to("sendMessage")), 1)

    def test_unreachable_bot_api_is_retried(self):
        self.company.smartbook_telegram_api_url = "http://127.0.0.1:9"  # nothing listens there
        message = self.make_message()
        result = message._smartbook_deliver_telegram()[message.id]
        self.assertEqual(result.status, "retry", result)

    def test_pacing_overall_and_per_chat(self):
        self.env["ir.config_parameter"].sudo().set_param("smartbook_messaging.telegram_rate", "10")
        others = [self.client_partner(f"Client {n}", f"56000{n}") for n in range(4)]
        messages = self.make_message() | self.make_message() | self.make_message()
        for partner in others:
            messages |= self.make_message(partner=partner)
        results = messages._smartbook_deliver_telegram()
        self.assertEqual({result.status for result in results.values()}, {"sent"})
        calls = self.bot_api.calls_to("sendMessage")
        self.assertEqual(len(calls), 7)
        times = sorted(call.at for call in calls)
        gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        self.assertGreaterEqual(min(gaps), 0.09, "about 10 a second overall")
        same_chat = sorted(call.at for call in calls if str(call.params["chat_id"]) == CLIENT_CHAT)
        self.assertEqual(len(same_chat), 3)
        for earlier, later in zip(same_chat, same_chat[1:], strict=False):
            self.assertGreaterEqual(later - earlier, 0.99, "one a second per chat")
        # Interleaved: the other chats did not wait behind the client's three messages.
        self.assertLess(times[-1] - times[0], 2.5)

    def test_outbox_sends_through_telegram_and_records_opt_out(self):
        """End to end: queued, the send action delivers to the Bot API; a blocked bot
        withdraws the client's Telegram consent (logged)."""
        booking = self.book(10)
        vals = {
            "channel": "telegram",
            "kind": "reminder",
            "partner_id": self.client.id,
            "booking_id": booking.id,
            "body": "Reminder: tomorrow 10:00",
        }
        blocked = self.client_partner("Blocked client", "5550009")
        self.bot_api.block_chat("5550009")
        messages = self.env["smartbook.message"]._smartbook_enqueue(
            [
                {**vals, "dedupe_key": "test-tg-e2e-1"},
                {**vals, "partner_id": blocked.id, "booking_id": False, "dedupe_key": "test-tg-e2e-2"},
            ]
        )
        self.assertEqual(len(messages), 2)
        # Only these two: whatever else the database holds waits.
        self.env["smartbook.message"].search(
            [("state", "=", "queued"), ("id", "not in", messages.ids)]
        ).write({"next_try": "2999-01-01 00:00:00"})
        self.env["smartbook.message"]._cron_send()
        sent, refused = messages.sorted("dedupe_key")
        self.assertEqual(sent.state, "sent")
        self.assertTrue(sent.provider_ref.startswith(f"{CLIENT_CHAT}:"))
        self.assertEqual(refused.state, "failed")
        self.assertFalse(blocked.smartbook_consent_telegram)
        self.assertEqual(blocked.smartbook_consent_log_ids.sorted("id")[-1].granted, False)
        self.assertEqual(len(self.bot_api.calls_to("sendMessage")), 2)


@tagged("post_install", "-at_install")
class TestTelegramLink(TelegramCase):
    def test_link_is_a_deep_link_with_a_valid_token(self):
        link = self.client.smartbook_telegram_link
        prefix = f"https://t.me/{BOT_USERNAME}?start="
        self.assertTrue(link.startswith(prefix), link)
        token = link.removeprefix(prefix)
        self.assertTrue(is_link_token(token) and len(token) <= 64)
        other = self.env["res.partner"].create({"name": "Another", "smartbook_client": True})
        self.assertNotEqual(other.smartbook_telegram_link, link)
        self.company.smartbook_telegram_bot_username = False
        self.client.invalidate_recordset(["smartbook_telegram_link"])
        self.assertFalse(self.client.smartbook_telegram_link)

    def test_revoke_renews_the_link_and_unlinks_the_chat(self):
        manager = new_test_user(
            self.env, login="sb_tg_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        employee = new_test_user(
            self.env, login="sb_tg_employee", groups="smartbook_crm.group_smartbook_employee"
        )
        link = self.client.smartbook_telegram_link
        with self.assertRaises(AccessError):
            self.client.with_user(employee).action_smartbook_telegram_revoke()
        self.assertEqual(self.client.telegram_chat_id, CLIENT_CHAT)
        self.client.with_user(manager).action_smartbook_telegram_revoke()
        self.client.invalidate_recordset()
        self.assertFalse(self.client.telegram_chat_id)
        self.assertFalse(self.client.smartbook_telegram_linked)
        self.assertNotEqual(self.client.smartbook_telegram_link, link)
        # An employee sees the link and the status, not the chat id.
        self.assertTrue(self.client.with_user(employee).smartbook_telegram_link)
        with self.assertRaises(AccessError):
            self.client.with_user(employee).read(["telegram_chat_id"])
        # The client card shows the link and the status to staff, the revoke button to managers.
        form = self.env.ref("smartbook_crm.res_partner_view_form_client").id
        arch = (
            self.env["res.partner"].with_user(employee).get_views([(form, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="smartbook_telegram_link"', arch)
        self.assertIn('name="smartbook_telegram_linked"', arch)
        self.assertNotIn("action_smartbook_telegram_revoke", arch)
        arch = self.env["res.partner"].with_user(manager).get_views([(form, "form")])["views"]["form"]["arch"]
        self.assertIn("action_smartbook_telegram_revoke", arch)


@tagged("post_install", "-at_install")
class TestTelegramSettings(TelegramCase):
    def test_set_webhook_sends_the_secret_token(self):
        admin = new_test_user(self.env, login="sb_tg_admin", groups="smartbook_crm.group_smartbook_admin")
        self.company.write(
            {"smartbook_telegram_webhook_secret": False, "smartbook_telegram_bot_username": False}
        )
        action = self.company.with_user(admin).action_smartbook_telegram_set_webhook()
        self.assertEqual(action["params"]["type"], "success")
        secret = self.company.smartbook_telegram_webhook_secret
        self.assertTrue(secret and len(secret) >= 32)
        base_url = self.env["ir.config_parameter"].get_param("web.base.url")
        self.assertEqual(self.bot_api.webhook["url"], f"{base_url}/smartbook/telegram/{secret}")
        self.assertEqual(self.bot_api.webhook["secret_token"], secret)
        self.assertEqual(self.company.smartbook_telegram_bot_username, BOT_USERNAME, "filled from getMe")
        # Set again: the same secret is kept.
        self.company.with_user(admin).action_smartbook_telegram_set_webhook()
        self.assertEqual(self.bot_api.webhook["secret_token"], secret)

    def test_set_webhook_errors_are_clear_and_admin_only(self):
        manager = new_test_user(
            self.env, login="sb_tg_manager2", groups="smartbook_crm.group_smartbook_manager"
        )
        with self.assertRaises(AccessError):
            self.company.with_user(manager).action_smartbook_telegram_set_webhook()
        self.bot_api.fail_next(1, status=401, description="Unauthorized", methods=("getMe",))
        with self.assertRaisesRegex(UserError, "rejected the bot token"):
            self.company.action_smartbook_telegram_set_webhook()
        self.company.smartbook_telegram_token = False
        with self.assertRaises(UserError):
            self.company.action_smartbook_telegram_set_webhook()
        self.assertFalse(self.bot_api.calls_to("setWebhook"))

    def settings_form_arch(self, user):
        """The SmartBook settings form as ``user`` is served it."""
        view = self.env.ref("smartbook_booking.res_company_view_form_smartbook_settings")
        return self.env["res.company"].with_user(user).get_views([(view.id, "form")])["views"]["form"]["arch"]

    def test_secrets_readable_by_administrators_only(self):
        manager = new_test_user(
            self.env, login="sb_tg_manager3", groups="smartbook_crm.group_smartbook_manager"
        )
        employee = new_test_user(
            self.env, login="sb_tg_employee3", groups="smartbook_crm.group_smartbook_employee"
        )
        admin = new_test_user(self.env, login="sb_tg_admin3", groups="smartbook_crm.group_smartbook_admin")
        for user in (manager, employee):
            for name in ("smartbook_telegram_token", "smartbook_telegram_webhook_secret"):
                with self.assertRaises(AccessError, msg=f"{user.login} reads {name}"):
                    self.company.with_user(user).read([name])
        values = self.company.with_user(admin).read(
            ["smartbook_telegram_token", "smartbook_telegram_webhook_secret"]
        )
        self.assertTrue(values[0]["smartbook_telegram_token"])
        # The manager's settings form has no token field, but edits the bot's username.
        arch = self.settings_form_arch(manager)
        self.assertNotIn("smartbook_telegram_token", arch)
        self.assertIn("smartbook_telegram_bot_username", arch)
        self.company.with_user(manager).smartbook_telegram_bot_username = "other_bot"
        admin_arch = self.settings_form_arch(admin)
        self.assertIn("smartbook_telegram_token", admin_arch)


def test_an_update_is_claimed_once_across_transactions():
    """Two workers get the same update at once: the second waits for the first and,
    once it committed, sees the update as already processed (after the serialization
    failure Odoo retries). (Committed data, removed
    afterwards.)"""
    registry = Registry(odoo.tools.config["db_name"])
    update_id = 2_000_000_000 + threading.get_ident() % 100_000
    outcome = {}
    with registry.cursor() as cr:
        company_id = api.Environment(cr, SUPERUSER_ID, {}).company.id
    try:
        with registry.cursor() as first:
            env_first = api.Environment(first, SUPERUSER_ID, {})
            assert env_first["smartbook.telegram.update"]._smartbook_claim(company_id, update_id)

            def second_worker():
                with registry.cursor() as second:
                    env_second = api.Environment(second, SUPERUSER_ID, {})
                    # As the HTTP layer runs a request: retried on a serialization failure.
                    outcome["claimed"] = retrying(
                        lambda: env_second["smartbook.telegram.update"]._smartbook_claim(
                            company_id, update_id
                        ),
                        env_second,
                    )

            worker = threading.Thread(target=second_worker)
            worker.start()
            time.sleep(0.5)
            assert worker.is_alive(), "the second claim waits for the first transaction"
            first.commit()
            worker.join(20)
        assert outcome == {"claimed": False}
    finally:
        with registry.cursor() as cr:
            cr.execute("DELETE FROM smartbook_telegram_update WHERE update_id = %s", [str(update_id)])
