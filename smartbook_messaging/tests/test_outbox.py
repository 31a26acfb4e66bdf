"""The outbox's state machine, in one transaction: enqueue, consent, dedupe, backoff,
interrupted sends, quiet hours, receipts, retry, GDPR and who sees what.

E-mail goes through Odoo's mail (which does not connect to SMTP in test mode); the
runs against a real HTTP gateway and with committed data are in test_outbox_runs.py."""

import socket
from contextlib import closing
from datetime import datetime, timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from odoo.addons.smartbook_booking.tests.common import SmartbookBookingCase

from ..tools.delivery import DeliveryResult
from .fake_smtp import FakeSmtpServer


def closed_port():
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OutboxCase(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["smartbook.message"]
        cls.company = cls.env.company
        # No quiet hours unless a test sets them; three attempts at most.
        cls.company.write(
            {
                "smartbook_quiet_hours_start": 0.0,
                "smartbook_quiet_hours_end": 0.0,
                "smartbook_message_max_attempts": 3,
            }
        )
        cls.client.write(
            {
                "email": "booking.client@example.com",
                "phone": "+34612345678",
                "tz": "UTC",
                "smartbook_consent_email": True,
                "smartbook_consent_sms": True,
                "smartbook_consent_marketing": True,
            }
        )
        # E-mail really goes out, over SMTP to a loopback server.
        cls.smtp = FakeSmtpServer().start()
        cls.addClassCleanup(cls.smtp.stop)
        cls.env["ir.mail_server"].search([]).active = False
        cls.mail_server = cls.env["ir.mail_server"].create(
            {"name": "Loopback SMTP", "smtp_host": "127.0.0.1", "smtp_port": cls.smtp.port}
        )
        cls.company.email = "salon@example.com"
        # What other tests or the demo data left waiting is not this test's business.
        cls.Message.search([("state", "=", "queued")]).write({"state": "cancelled"})

    def enqueue(
        self, key="outbox-test-1", channel="email", kind="confirmation", partner=None, user=None, **vals
    ):
        """Queue one message; with ``user``, as that user's action does (in sudo)."""
        Message = self.Message.with_user(user).sudo() if user else self.Message
        return Message._smartbook_enqueue(
            [
                {
                    "channel": channel,
                    "kind": kind,
                    "partner_id": (partner or self.client).id,
                    "body": "See you on Monday at 10:00.",
                    "dedupe_key": key,
                    **vals,
                }
            ]
        )

    def send(self):
        self.Message._cron_send()
        self.env.invalidate_all()


class TestOutboxEnqueue(OutboxCase):
    def test_dedupe_key_makes_one_message(self):
        first = self.enqueue("booking-1-confirmation-email")
        self.assertEqual(len(first), 1)
        self.assertEqual(first.state, "queued")
        self.assertEqual(first.company_id, self.company)
        again = self.enqueue("booking-1-confirmation-email")
        self.assertFalse(again)
        # Twice in one call, too.
        pair = self.Message._smartbook_enqueue(
            [
                {
                    "channel": "email",
                    "kind": "reminder",
                    "partner_id": self.client.id,
                    "body": "x",
                    "dedupe_key": "booking-1-reminder-email",
                }
            ]
            * 2
        )
        self.assertEqual(len(pair), 1)
        self.assertEqual(
            self.Message.search_count([("dedupe_key", "like", "booking-1-%")]),
            2,
        )

    def test_dedupe_key_unique_in_the_database(self):
        message = self.enqueue("unique-in-db")
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.Message.create(
                {
                    "channel": "email",
                    "kind": "confirmation",
                    "partner_id": self.client.id,
                    "dedupe_key": "unique-in-db",
                }
            )
        self.assertTrue(message.exists())

    def test_booking_company_and_trigger(self):
        booking = self.book(10)
        cron = self.env.ref("smartbook_messaging.ir_cron_smartbook_send")
        triggers_before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        later = fields.Datetime.now() + timedelta(hours=5)
        message = self.enqueue("with-booking", booking_id=booking.id, next_try=later)
        self.assertEqual(message.booking_id, booking)
        self.assertEqual(message.company_id, booking.company_id)
        self.assertEqual(message.next_try, later)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertEqual(len(triggers), triggers_before + 1)
        self.assertIn(later, triggers.mapped("call_at"))

    def test_refusals(self):
        Message = self.Message
        self.assertFalse(Message._smartbook_refusal(self.client, "email", "confirmation"))
        self.assertIn(
            "consented to Telegram", Message._smartbook_refusal(self.client, "telegram", "reminder")
        )
        self.client.smartbook_consent_telegram = True
        self.assertIn("No Telegram chat", Message._smartbook_refusal(self.client, "telegram", "reminder"))
        self.client.telegram_chat_id = "4242"
        self.assertFalse(Message._smartbook_refusal(self.client, "telegram", "reminder"))
        self.client.smartbook_blacklisted = True
        # A client who cannot book still hears about the bookings they have...
        self.assertFalse(Message._smartbook_refusal(self.client, "email", "cancelled"))
        # ...but gets no marketing.
        self.assertIn("cannot book", Message._smartbook_refusal(self.client, "email", "campaign"))
        self.client.smartbook_blacklisted = False
        self.client.smartbook_consent_marketing = False
        for kind in ("birthday", "winback", "campaign"):
            self.assertIn("marketing", Message._smartbook_refusal(self.client, "sms", kind))
        self.client.phone = False
        self.assertIn("No phone", Message._smartbook_refusal(self.client, "sms", "reminder"))
        # Staff notices need an address, not a client's consent.
        staff = self.user_specialist.partner_id
        staff.email = "specialist@example.com"
        self.assertFalse(Message._smartbook_refusal(staff, "email", "staff_notice"))
        self.assertIn("No phone", Message._smartbook_refusal(staff, "sms", "staff_notice"))
        self.client.smartbook_erased = True
        self.assertIn("erased", Message._smartbook_refusal(self.client, "email", "confirmation"))

    def test_refused_at_enqueue_is_not_queued(self):
        self.client.smartbook_consent_sms = False
        self.assertFalse(self.enqueue("no-sms-consent", channel="sms"))
        self.client.smartbook_consent_marketing = False
        self.assertFalse(self.enqueue("no-marketing", kind="birthday"))
        self.assertFalse(self.Message.search([("dedupe_key", "in", ("no-sms-consent", "no-marketing"))]))

    def test_unknown_field_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            self.enqueue("bad", state="sent")


class TestOutboxSend(OutboxCase):
    def test_queued_sent_delivered(self):
        message = self.enqueue()
        self.send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.attempts, 1)
        self.assertTrue(message.provider_ref)
        self.assertTrue(message.sent_at)
        self.assertFalse(message.sending_since)
        # Sent once: a second run has nothing to do.
        self.assertEqual(self.Message._cron_send(), 0)
        self.assertEqual(self.Message._smartbook_apply_receipt(message.provider_ref, "delivered"), message)
        self.assertEqual(message.state, "delivered")
        # A late failure receipt does not undo a delivery; unknown references change nothing.
        self.Message._smartbook_apply_receipt(message.provider_ref, "failed", "30003")
        self.assertEqual(message.state, "delivered")
        self.assertFalse(self.Message._smartbook_apply_receipt("SM-unknown", "delivered"))
        self.assertFalse(self.Message._smartbook_apply_receipt(message.provider_ref, "read"))

    def test_failure_receipt(self):
        message = self.enqueue()
        self.send()
        self.assertEqual(message.state, "sent", (message.error, message.attempts, message.next_try))
        self.Message._smartbook_apply_receipt(message.provider_ref, "failed", "Unreachable handset (30003)")
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.error, "Unreachable handset (30003)")

    def test_not_due_yet_waits(self):
        message = self.enqueue(next_try=fields.Datetime.now() + timedelta(hours=1))
        self.send()
        self.assertEqual(message.state, "queued")
        self.assertEqual(message.attempts, 0)

    def test_consent_withdrawn_between_enqueue_and_send(self):
        message = self.enqueue()
        marketing = self.enqueue("birthday-1", kind="birthday")
        self.client.smartbook_consent_email = False
        self.send()
        self.assertEqual(message.state, "cancelled")
        self.assertIn("consented to Email", message.error)
        self.assertEqual(message.attempts, 0)
        self.assertFalse(message.provider_ref)
        self.assertEqual(marketing.state, "cancelled")
        # Marketing consent alone, too.
        self.client.smartbook_consent_email = True
        campaign = self.enqueue("campaign-1", kind="campaign")
        self.client.smartbook_consent_marketing = False
        self.send()
        self.assertEqual(campaign.state, "cancelled")
        self.assertIn("marketing", campaign.error)

    def test_backoff_then_failed(self):
        message = self.enqueue()
        message.write({"state": "sending"})
        before = fields.Datetime.now()
        message._smartbook_apply_results({message.id: DeliveryResult("retry", error="HTTP 500")})
        self.assertEqual((message.state, message.attempts, message.error), ("queued", 1, "HTTP 500"))
        self.assertAlmostEqual(message.next_try, before + timedelta(minutes=1), delta=timedelta(seconds=5))
        message.write({"state": "sending"})
        message._smartbook_apply_results({message.id: DeliveryResult("retry", error="timeout")})
        self.assertEqual((message.state, message.attempts), ("queued", 2))
        self.assertAlmostEqual(message.next_try, before + timedelta(minutes=2), delta=timedelta(seconds=5))
        # The provider's Retry-After wins over the backoff.
        message.write({"state": "sending", "attempts": 1})
        message._smartbook_apply_results({message.id: DeliveryResult("retry", retry_after=30)})
        self.assertAlmostEqual(message.next_try, before + timedelta(seconds=30), delta=timedelta(seconds=5))
        # The third attempt is the last (company.smartbook_message_max_attempts = 3).
        message.write({"state": "sending", "attempts": 2})
        message._smartbook_apply_results({message.id: DeliveryResult("retry", error="HTTP 500")})
        self.assertEqual((message.state, message.attempts), ("failed", 3))
        self.assertIn("Gave up after 3 attempts: HTTP 500", message.error)

    def test_refused_by_provider_and_opt_out(self):
        refused, opted_out = self.enqueue("refused"), self.enqueue("opt-out", channel="sms")
        (refused | opted_out).write({"state": "sending"})
        logs_before = self.client.smartbook_consent_log_ids
        (refused | opted_out)._smartbook_apply_results(
            {
                refused.id: DeliveryResult("failed", error="21211 invalid number"),
                opted_out.id: DeliveryResult("opt_out", error="21610 unsubscribed"),
            }
        )
        self.assertEqual((refused.state, refused.error), ("failed", "21211 invalid number"))
        self.assertEqual((opted_out.state, opted_out.error), ("failed", "21610 unsubscribed"))
        self.assertFalse(self.client.smartbook_consent_sms)
        self.assertTrue(self.client.smartbook_consent_email)
        log = self.client.smartbook_consent_log_ids - logs_before
        self.assertEqual(log.mapped("channel"), ["sms"])
        self.assertFalse(log.granted)

    def test_no_result_from_a_channel_is_failed_not_resent(self):
        message = self.enqueue()
        message.write({"state": "sending"})
        message._smartbook_apply_results({})
        self.assertEqual(message.state, "failed")
        self.assertIn("delivery unknown", message.error)

    def test_interrupted_sending_fails_then_retry(self):
        message = self.enqueue()
        recent = self.enqueue("recent")
        now = fields.Datetime.now()
        message.write({"state": "sending", "sending_since": now - timedelta(minutes=11)})
        recent.write({"state": "sending", "sending_since": now - timedelta(minutes=2)})
        self.send()
        self.assertEqual(message.state, "failed")
        self.assertIn("Interrupted, delivery unknown", message.error)
        self.assertEqual(message.attempts, 0)
        self.assertFalse(message.provider_ref)
        # A run still inside the timeout may be alive: its message is left alone.
        self.assertEqual(recent.state, "sending")
        # Never resent by itself...
        self.send()
        self.assertEqual(message.state, "failed")
        # ...only when a manager says so.
        manager = new_test_user(self.env, login="outbox_mgr", groups="smartbook_crm.group_smartbook_manager")
        message.with_user(manager).action_retry()
        self.assertEqual((message.state, message.attempts, message.error), ("queued", 0, False))
        self.send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.attempts, 1)
        with self.assertRaises(UserError):
            message.with_user(manager).action_retry()

    def test_quiet_hours_wait_in_the_clients_zone(self):
        now = fields.Datetime.now()
        # Quiet from an hour ago to two hours from now, UTC clock.
        start, end = (now.hour - 1) % 24, (now.hour + 2) % 24
        self.company.write({"smartbook_quiet_hours_start": start, "smartbook_quiet_hours_end": end})
        waiting = self.enqueue("quiet-utc", kind="reminder")
        # Twelve hours ahead, the same moment is outside the window.
        abroad = self.env["res.partner"].create(
            {
                "name": "Client Abroad",
                "smartbook_client": True,
                "email": "abroad@example.com",
                "tz": "Etc/GMT-12",
                "smartbook_consent_email": True,
            }
        )
        awake = self.enqueue("quiet-abroad", kind="reminder", partner=abroad)
        staff = self.user_specialist.partner_id
        staff.write({"email": "specialist@example.com", "tz": "UTC"})
        notice = self.enqueue("staff-notice", kind="staff_notice", partner=staff)
        self.send()
        self.assertEqual(waiting.state, "queued")
        expected_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
        self.assertEqual(waiting.next_try, expected_end)
        self.assertEqual(waiting.attempts, 0)
        self.assertEqual(awake.state, "sent")
        self.assertEqual(notice.state, "sent")
        # The send action wakes itself up when the quiet hours end.
        cron = self.env.ref("smartbook_messaging.ir_cron_smartbook_send")
        self.assertIn(
            expected_end,
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).mapped("call_at"),
        )
        # Still waiting in the morning's eyes: moving the clock past the end sends it.
        self.company.write({"smartbook_quiet_hours_start": 0.0, "smartbook_quiet_hours_end": 0.0})
        waiting.write({"next_try": now})
        self.send()
        self.assertEqual(waiting.state, "sent")

    def test_quiet_hours_spare_what_the_client_just_did(self):
        now = fields.Datetime.now()
        self.company.write(
            {
                "smartbook_quiet_hours_start": (now.hour - 1) % 24,
                "smartbook_quiet_hours_end": (now.hour + 2) % 24,
            }
        )
        portal = new_test_user(self.env, login="outbox_portal", groups="base.group_portal")
        # Booked online at night: the confirmation goes now...
        online = self.enqueue("online-confirmation", user=portal, body="Booked")
        self.assertTrue(online.create_uid.share)
        # ...one the business triggered waits, as does a client's confirmation that has
        # already waited (retries).
        backend = self.enqueue("backend-confirmation")
        stale = self.enqueue("stale-cancelled", kind="cancelled", user=portal, body="Cancelled")
        self.env.cr.execute(
            "UPDATE smartbook_message SET create_date = %s WHERE id = %s",
            [now - timedelta(hours=1), stale.id],
        )
        self.env.invalidate_all()
        self.send()
        self.assertEqual(online.state, "sent")
        self.assertEqual(backend.state, "queued")
        self.assertEqual(stale.state, "queued")

    def test_channel_without_delivery_fails_visibly(self):
        message = self.enqueue("no-delivery")
        message.write({"state": "sending", "sending_since": fields.Datetime.now()})
        # A channel answering nothing for a message is failed, never resent silently.
        message._smartbook_apply_results({message.id: ("failed", "This channel cannot send yet.")})
        self.assertEqual(message.state, "failed")


class TestOutboxEmail(OutboxCase):
    def test_email_through_odoo_mail(self):
        self.smtp.messages.clear()
        message = self.enqueue()
        self.send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(len(self.smtp.messages), 1)
        mail = self.smtp.messages[0]
        self.assertEqual(mail["to"], ["<booking.client@example.com>"])
        self.assertIn("See you on Monday at 10:00.", mail["data"])
        self.assertIn("Booking Confirmed", mail["data"])
        self.assertIn(message.provider_ref, mail["data"])
        # Nothing left in Odoo's own mail queue to be sent a second time.
        self.assertFalse(self.env["mail.mail"].sudo().search([("message_id", "=", message.provider_ref)]))

    def test_smtp_down_retries_with_backoff(self):
        self.smtp.messages.clear()
        self.mail_server.smtp_port = closed_port()
        message = self.enqueue()
        before = fields.Datetime.now()
        self.send()
        self.assertEqual((message.state, message.attempts), ("queued", 1))
        self.assertTrue(message.error)
        self.assertAlmostEqual(message.next_try, before + timedelta(minutes=1), delta=timedelta(seconds=5))
        self.assertFalse(self.env["mail.mail"].sudo().search([("email_to", "ilike", "booking.client@")]))
        # Back up: the next try goes through, once.
        self.mail_server.smtp_port = self.smtp.port
        message.next_try = fields.Datetime.now()
        self.send()
        self.assertEqual((message.state, message.attempts), ("sent", 2))
        self.assertEqual(len(self.smtp.messages), 1)


class TestOutboxPrivacy(OutboxCase):
    def test_erasure_blanks_and_cancels(self):
        sent, queued = self.enqueue("erase-sent"), self.enqueue("erase-queued", next_try=datetime(2099, 1, 1))
        self.send()
        self.assertEqual(sent.state, "sent")
        manager = new_test_user(self.env, login="outbox_gdpr", groups="smartbook_crm.group_smartbook_manager")
        export = self.client.with_user(manager)._smartbook_personal_data()
        self.assertEqual(
            sorted(row["state"] for row in export["messages"]),
            ["Queued", "Sent"],
        )
        self.assertEqual(export["messages"][0]["body"], "See you on Monday at 10:00.")
        self.client.with_user(manager).action_smartbook_gdpr_erase()
        self.env.invalidate_all()
        self.assertEqual(queued.state, "cancelled")
        self.assertIn("erased", queued.error)
        self.assertEqual(sent.state, "sent")
        self.assertFalse(sent.body)
        self.assertFalse(queued.body)

    def test_access_per_role(self):
        employee_user = self.user_specialist
        other_client = self.env["res.partner"].create(
            {
                "name": "Other Client",
                "smartbook_client": True,
                "email": "o@example.com",
                "smartbook_consent_email": True,
            }
        )
        booking = self.book(10)
        mine = self.enqueue("mine", booking_id=booking.id)
        responsible = self.env["res.partner"].create(
            {
                "name": "Own Client",
                "smartbook_client": True,
                "email": "own@example.com",
                "smartbook_consent_email": True,
                "smartbook_user_id": employee_user.id,
            }
        )
        own_client = self.enqueue("own-client", partner=responsible)
        other = self.enqueue("other", partner=other_client)
        everything = mine | own_client | other
        manager = new_test_user(
            self.env, login="outbox_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        admin = new_test_user(self.env, login="outbox_admin", groups="smartbook_crm.group_smartbook_admin")
        internal = new_test_user(self.env, login="outbox_internal", groups="base.group_user")
        portal = new_test_user(self.env, login="outbox_portal2", groups="base.group_portal")
        public = self.env.ref("base.public_user")

        Message = self.Message
        domain = [("id", "in", everything.ids)]
        # Employee: the messages of their bookings and of the clients in their charge.
        self.assertEqual(Message.with_user(employee_user).search(domain), mine | own_client)
        with self.assertRaises(AccessError):
            other.with_user(employee_user).read(["body"])
        with self.assertRaises(AccessError):
            mine.with_user(employee_user).write({"state": "queued"})
        mine.write({"state": "failed"})
        with self.assertRaises(AccessError):
            mine.with_user(employee_user).action_retry()
        self.assertEqual(responsible.with_user(employee_user).smartbook_message_count, 1)
        # Manager and administrator: everything, and retry.
        for user in (manager, admin):
            self.assertEqual(Message.with_user(user).search(domain), everything)
            self.assertEqual(other_client.with_user(user).smartbook_message_count, 1)
        mine.with_user(manager).action_retry()
        self.assertEqual(mine.state, "queued")
        # Anyone else: nothing.
        for user in (internal, portal, public):
            with self.assertRaises(AccessError):
                Message.with_user(user).search(domain)
            with self.assertRaises(AccessError):
                mine.with_user(user).read(["body"])
        with self.assertRaises(AccessError):
            mine.with_user(internal).action_retry()

    def test_views_per_role(self):
        manager = new_test_user(
            self.env, login="outbox_views_mgr", groups="smartbook_crm.group_smartbook_manager"
        )
        employee = self.user_specialist
        outbox = self.env.ref("smartbook_messaging.smartbook_message_action")
        for user in (manager, employee):
            views = self.Message.with_user(user).get_views(
                [(False, "list"), (False, "form"), (False, "search")]
            )
            self.assertEqual('name="action_retry"' in views["views"]["form"]["arch"], user == manager)
            card = (
                self.env["res.partner"]
                .with_user(user)
                .get_views([(self.env.ref("smartbook_crm.res_partner_view_form_client").id, "form")])
            )
            self.assertIn("action_smartbook_messages", card["views"]["form"]["arch"])
        self.assertEqual(outbox.res_model, "smartbook.message")
        failed = self.env.ref("smartbook_messaging.smartbook_message_action_failed")
        self.assertEqual(failed.domain, "[('state', '=', 'failed')]")
        menus = self.env.ref("smartbook_messaging.menu_smartbook_messaging").child_id
        self.assertIn(self.env.ref("smartbook_messaging.menu_smartbook_message"), menus)

    def test_client_card_opens_the_history(self):
        self.enqueue()
        action = self.client.action_smartbook_messages()
        self.assertEqual(action["res_model"], "smartbook.message")
        self.assertEqual(self.env["smartbook.message"].search(action["domain"]).partner_id, self.client)
        self.assertEqual(self.client.smartbook_message_count, 1)
