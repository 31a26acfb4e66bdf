"""SMS channel against a real HTTP server on loopback speaking Twilio's API (tests/fake_twilio.py)."""

import logging
import time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from ..tools.delivery import DeliveryResult
from .fake_twilio import FakeSmsGateway

ACCOUNT = "AC" + "5" * 32
TOKEN = "twilio-auth-token-for-tests"
GATEWAY_TOKEN = "http-json-token-for-tests"
SENDER = "+15005550006"
MOBILE = "+34600123456"
MOBILE_2 = "+34611223344"


class SmsFixture:
    """A fake gateway for the whole class, the company configured for it, two consenting clients."""

    @classmethod
    def _setup_sms(cls):
        cls.fake = FakeSmsGateway(account_sid=ACCOUNT, auth_token=TOKEN, bearer_token=GATEWAY_TOKEN).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.company = cls.env.company
        cls._configure("twilio")
        cls.company.write({"smartbook_quiet_hours_start": 0.0, "smartbook_quiet_hours_end": 0.0})
        cls.env["ir.config_parameter"].sudo().set_param("smartbook_messaging.sms_timeout", "0.5")
        Partner = cls.env["res.partner"].with_context(tracking_disable=True)
        cls.client = Partner.create(
            {
                "name": "Lucia Sms",
                "smartbook_client": True,
                "mobile": MOBILE,
                "smartbook_consent_sms": True,
                "smartbook_consent_marketing": True,
            }
        )
        cls.client_2 = Partner.create(
            {"name": "Pedro Sms", "smartbook_client": True, "phone": MOBILE_2, "smartbook_consent_sms": True}
        )

    @classmethod
    def _configure(cls, provider):
        api_url = {"twilio": cls.fake.url, "http_json": cls.fake.http_json_url, "iap": False}[provider]
        cls.env.company.sudo().write(
            {
                "smartbook_sms_provider": provider,
                "smartbook_sms_api_url": api_url,
                "smartbook_sms_account": ACCOUNT if provider == "twilio" else False,
                "smartbook_sms_token": {"twilio": TOKEN, "http_json": GATEWAY_TOKEN}.get(provider, False),
                "smartbook_sms_sender": SENDER,
            }
        )

    def _enqueue(
        self, partner, body="Your visit is confirmed for Tuesday 10:00", key=None, kind="confirmation"
    ):
        messages = self.env["smartbook.message"]._smartbook_enqueue(
            [
                {
                    "channel": "sms",
                    "kind": kind,
                    "partner_id": partner.id,
                    "body": body,
                    "dedupe_key": key or f"test-sms-{partner.id}-{time.monotonic_ns()}",
                }
            ]
        )
        self.assertEqual(len(messages), 1, "the client consents to SMS: the message must be queued")
        return messages

    def _only_mine_queued(self, messages):
        """The send action takes every due message: leave it only these ones."""
        others = self.env["smartbook.message"].search(
            [("state", "=", "queued"), ("id", "not in", messages.ids)]
        )
        others.write({"state": "cancelled"})


@tagged("post_install", "-at_install")
class TestSmsDelivery(SmsFixture, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sms()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://book.example")

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.fake.clear()

    def test_message_reaches_twilio_with_the_right_fields(self):
        message = self._enqueue(self.client)
        results = message._smartbook_deliver_sms()
        self.assertEqual(len(self.fake.requests), 1)
        request = self.fake.requests[0]
        self.assertEqual(request.path, f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
        self.assertTrue(request.auth_ok, "basic auth account:token")
        self.assertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded")
        self.assertEqual(
            request.form,
            {
                "To": MOBILE,
                "From": SENDER,
                "Body": "Your visit is confirmed for Tuesday 10:00",
                "StatusCallback": "https://book.example/smartbook/sms/status/twilio",
            },
        )
        self.assertEqual(results, {message.id: DeliveryResult("sent", ref=request.sid)})
        self.assertTrue(request.sid.startswith("SM"))
        # The outbox applies results, the channel never writes the message.
        self.assertEqual((message.state, message.provider_ref), ("queued", False))

    def test_phone_when_no_mobile(self):
        message = self._enqueue(self.client_2)
        message._smartbook_deliver_sms()
        self.assertEqual(self.fake.requests[0].form["To"], MOBILE_2)

    def test_http_json_gateway(self):
        self._configure("http_json")
        message = self._enqueue(self.client)
        results = message._smartbook_deliver_sms()
        request = self.fake.requests[0]
        self.assertEqual(request.provider, "http_json")
        self.assertEqual(request.headers["Authorization"], f"Bearer {GATEWAY_TOKEN}")
        self.assertEqual(
            request.json,
            {
                "to": MOBILE,
                "from": SENDER,
                "body": "Your visit is confirmed for Tuesday 10:00",
                "callback_url": "https://book.example/smartbook/sms/status/http_json",
                "reference": str(message.id),
            },
        )
        self.assertEqual(results, {message.id: DeliveryResult("sent", ref=request.sid)})

    def test_server_error_is_retry(self):
        message = self._enqueue(self.client)
        self.fake.fail(500)
        result = message._smartbook_deliver_sms()[message.id]
        self.assertEqual(result.status, "retry")
        self.assertIn("20500", result.error)
        self.assertEqual(self.fake.requests[0].status, 500)

    def test_rate_limit_is_retry(self):
        self._configure("http_json")
        message = self._enqueue(self.client)
        self.fake.fail(429)
        result = message._smartbook_deliver_sms()[message.id]
        self.assertEqual((result.status, result.retry_after), ("retry", 7.0))

    def test_timeout_is_retry_and_bounded(self):
        message = self._enqueue(self.client)
        self.fake.hang(3)
        started = time.monotonic()
        result = message._smartbook_deliver_sms()[message.id]
        elapsed = time.monotonic() - started
        self.assertEqual(result, DeliveryResult("retry", error="Network error: timeout"))
        self.assertLess(elapsed, 2.0, "the client's timeout (0.5 s here) must cut a hanging gateway")

    def test_unreachable_gateway_is_retry(self):
        self.company.sudo().smartbook_sms_api_url = "http://127.0.0.1:9"  # discard port: refused
        message = self._enqueue(self.client)
        result = message._smartbook_deliver_sms()[message.id]
        self.assertEqual(result.status, "retry")
        self.assertTrue(result.error.startswith("Network error"))

    def test_unsubscribed_recipient_is_opt_out(self):
        message = self._enqueue(self.client)
        self.fake.opt_out(MOBILE)
        result = message._smartbook_deliver_sms()[message.id]
        self.assertEqual(result.status, "opt_out")
        self.assertIn("21610", result.error)

    def test_other_refusal_fails_with_twilio_message(self):
        message = self._enqueue(self.client)
        self.company.sudo().smartbook_sms_token = "wrong"
        result = message._smartbook_deliver_sms()[message.id]
        self.assertEqual(result, DeliveryResult("failed", error="Twilio 20003: Authenticate"))

    def test_incomplete_settings_retry_without_network(self):
        self.company.sudo().smartbook_sms_sender = False
        message = self._enqueue(self.client)
        result = message._smartbook_deliver_sms()[message.id]
        self.assertEqual(result.status, "retry")
        self.assertFalse(self.fake.requests)

    def test_batch_one_session_mixed_results_no_personal_data_logged(self):
        first = self._enqueue(self.client, body="Secret body one")
        second = self._enqueue(self.client_2, body="Secret body two")
        third = self._enqueue(self.client, body="Secret body three")
        self.fake.fail(503, times=1)
        with self.assertLogs("odoo.addons.smartbook_messaging", level=logging.DEBUG) as logs:
            results = (first | second | third)._smartbook_deliver_sms()
        self.assertEqual(len(self.fake.requests), 3)
        statuses = {message_id: result.status for message_id, result in results.items()}
        self.assertEqual(sorted(statuses.values()), ["retry", "sent", "sent"])
        self.assertEqual(len({req.sid for req in self.fake.accepted}), 2)
        log_text = "\n".join(logs.output)
        for secret in (MOBILE, MOBILE_2, "Secret body", "34600"):
            self.assertNotIn(secret, log_text)

    def test_batch_in_parallel_sends_each_message_once(self):
        self.env["ir.config_parameter"].sudo().set_param("smartbook_messaging.sms_concurrency", "4")
        messages = self.env["smartbook.message"]
        for index in range(12):
            messages |= self._enqueue((self.client, self.client_2)[index % 2], body=f"Body {index}")
        self.fake.delay = 0.2
        results = messages._smartbook_deliver_sms()
        self.assertEqual(set(results), set(messages.ids))
        self.assertEqual({result.status for result in results.values()}, {"sent"})
        self.assertEqual(
            sorted(req.form["Body"] for req in self.fake.requests), sorted(messages.mapped("body"))
        )
        self.assertEqual({result.ref for result in results.values()}, {req.sid for req in self.fake.accepted})
        self.assertGreater(self.fake.max_in_flight, 1, "requests of a batch go out in parallel")
        self.assertLessEqual(self.fake.max_in_flight, 4)

    def test_several_companies_each_through_its_own_gateway(self):
        other_company = self.env["res.company"].create({"name": "Second Salon"})
        with FakeSmsGateway(account_sid="AC" + "6" * 32, auth_token="other-token") as other_fake:
            other_company.sudo().write(
                {
                    "smartbook_sms_provider": "twilio",
                    "smartbook_sms_api_url": other_fake.url,
                    "smartbook_sms_account": other_fake.account_sid,
                    "smartbook_sms_token": "other-token",
                    "smartbook_sms_sender": "+15005550001",
                }
            )
            mine = self._enqueue(self.client)
            theirs = self._enqueue(self.client_2)
            theirs.sudo().company_id = other_company
            results = (mine | theirs)._smartbook_deliver_sms()
            self.assertEqual([req.form["To"] for req in self.fake.requests], [MOBILE])
            self.assertEqual([req.form["To"] for req in other_fake.requests], [MOBILE_2])
            self.assertEqual(other_fake.requests[0].form["From"], "+15005550001")
            self.assertEqual({result.status for result in results.values()}, {"sent"})

    # ---------------------------------------------------------------- through the outbox

    def test_send_action_end_to_end(self):
        message = self._enqueue(self.client)
        self._only_mine_queued(message)
        self.env["smartbook.message"]._cron_send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.provider_ref, self.fake.accepted[0].sid)
        self.assertEqual(self.fake.count_by("To"), {MOBILE: 1})

    def test_send_action_opt_out_withdraws_consent(self):
        message = self._enqueue(self.client)
        self._only_mine_queued(message)
        self.fake.opt_out(MOBILE)
        self.env["smartbook.message"]._cron_send()
        self.assertEqual(message.state, "failed")
        self.assertIn("21610", message.error)
        self.assertFalse(self.client.smartbook_consent_sms)
        log = self.client.smartbook_consent_log_ids.filtered(lambda line: line.channel == "sms")
        self.assertEqual(log.sorted("id")[-1:].granted, False)

    def test_send_action_retries_a_failing_gateway_then_fails(self):
        self.company.smartbook_message_max_attempts = 2
        message = self._enqueue(self.client)
        self._only_mine_queued(message)
        self.fake.fail(500)
        self.env["smartbook.message"]._cron_send()
        self.assertEqual((message.state, message.attempts), ("queued", 1))
        message.next_try = "2000-01-01 00:00:00"
        self.env["smartbook.message"]._cron_send()
        self.assertEqual((message.state, message.attempts), ("failed", 2))
        self.assertEqual(len(self.fake.requests), 2)

    # ---------------------------------------------------------------- Odoo's own sms.sms

    def test_odoo_sms_goes_through_the_gateway(self):
        sms = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "From Odoo", "partner_id": self.client.id}
        )
        sms.send(unlink_sent=False)
        self.assertEqual((sms.state, sms.failure_type), ("pending", False))
        request = self.fake.requests[0]
        self.assertEqual((request.form["To"], request.form["Body"]), (MOBILE, "From Odoo"))
        self.assertEqual(
            request.form["StatusCallback"],
            f"https://book.example/smartbook/sms/status/twilio?sms_uuid={sms.uuid}",
        )

    def test_odoo_sms_composer_as_manager_goes_through_the_gateway(self):
        manager = new_test_user(
            self.env,
            login="sms_manager",
            groups="smartbook_crm.group_smartbook_manager,base.group_partner_manager",
        )
        composer = (
            self.env["sms.composer"]
            .with_user(manager)
            .with_context(
                active_model="res.partner", active_id=self.client.id, default_composition_mode="comment"
            )
            .create({"body": "Composer text"})
        )
        composer.action_send_sms()
        self.assertEqual(len(self.fake.accepted), 1)
        self.assertEqual(self.fake.accepted[0].form["To"], MOBILE)
        self.assertEqual(self.fake.accepted[0].form["Body"], "Composer text")
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.client.id), ("notification_type", "=", "sms")]
        )
        self.assertEqual(notification.notification_status, "pending")

    def test_odoo_sms_errors_like_odoo(self):
        self.fake.fail(500)
        failing = self.env["sms.sms"].create({"number": MOBILE, "body": "x"})
        failing.send(unlink_failed=False)
        self.assertEqual((failing.state, failing.failure_type), ("error", "sms_server"))
        self.fake.reset()
        self.fake.opt_out(MOBILE_2)
        opted = self.env["sms.sms"].create({"number": MOBILE_2, "body": "x", "partner_id": self.client_2.id})
        opted.send(unlink_failed=False)
        self.assertEqual((opted.state, opted.failure_type), ("error", "sms_optout"))
        self.assertFalse(self.client_2.smartbook_consent_sms)
        self.assertTrue(self.env["phone.blacklist"].search([("number", "=", MOBILE_2)]))

    def test_iap_provider_leaves_odoo_path_untouched(self):
        self._configure("iap")
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Via IAP"})
        sms.send(unlink_failed=False)
        self.assertFalse(self.fake.requests, "IAP configured: SmartBook's gateway must not be called")
        # Odoo's own IAP call ran: it refuses to go out during tests, which Odoo records as a server error.
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_server"))

    def test_iap_provider_for_outbox_messages(self):
        self._configure("iap")
        message = self._enqueue(self.client)
        result = message._smartbook_deliver_sms()[message.id]
        self.assertFalse(self.fake.requests)
        self.assertEqual(result.status, "retry", "IAP unreachable (tests): try again later")

    # ---------------------------------------------------------------- secrets per role

    def test_gateway_secrets_readable_by_administrators_only(self):
        roles = {
            "employee": "smartbook_crm.group_smartbook_employee",
            "manager": "smartbook_crm.group_smartbook_manager",
            "internal": "base.group_user",
            "portal": "base.group_portal",
            "public": "base.group_public",
        }
        for role, group in roles.items():
            user = new_test_user(self.env, login=f"sms_secret_{role}", groups=group)
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.company.with_user(user).read(["smartbook_sms_token"])
            with self.subTest(role=role, field="account"), self.assertRaises(AccessError):
                self.company.with_user(user).read(["smartbook_sms_account"])
        admin = new_test_user(
            self.env, login="sms_secret_admin", groups="smartbook_crm.group_smartbook_admin"
        )
        self.assertEqual(
            self.company.with_user(admin).read(["smartbook_sms_token"])[0]["smartbook_sms_token"], TOKEN
        )
        manager = new_test_user(
            self.env, login="sms_secret_mgr2", groups="smartbook_crm.group_smartbook_manager"
        )
        # A manager still reads the non-secret settings (what they trigger sends: see the composer test).
        self.assertEqual(self.company.with_user(manager).smartbook_sms_provider, "twilio")
