"""Delivery receipts and inbound SMS posted by the (fake) provider to the running Odoo over HTTP."""

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .fake_twilio import twilio_signature
from .test_sms import MOBILE, MOBILE_2, TOKEN, SmsFixture


@tagged("post_install", "-at_install")
class TestSmsWebhooks(SmsFixture, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sms()

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.fake.clear()

    def _sent_message(self, partner=None):
        """A message sent for real through the outbox to the fake, as the provider knows it."""
        message = self._enqueue(partner or self.client)
        self._only_mine_queued(message)
        self.env["smartbook.message"]._cron_send()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.provider_ref, self.fake.accepted[-1].sid)
        return message

    def _to_odoo(self, call, *args, **kwargs):
        """Let the running server see this transaction, call it, then read its writes."""
        self.env.flush_all()
        self.env.invalidate_all()
        status, body = call(*args, **kwargs)
        self.env.invalidate_all()
        return status, body

    # ---------------------------------------------------------------- receipts

    def test_twilio_receipt_delivered(self):
        message = self._sent_message()
        callback = self.fake.accepted[-1].form["StatusCallback"]
        self.assertEqual(callback, f"{self.base_url()}/smartbook/sms/status/twilio")
        # Intermediate steps change nothing.
        status, _body = self._to_odoo(self.fake.send_status, message.provider_ref, "sent")
        self.assertEqual((status, message.state), (200, "sent"))
        status, _body = self._to_odoo(self.fake.send_status, message.provider_ref, "delivered")
        self.assertEqual((status, message.state), (200, "delivered"))

    def test_twilio_receipt_undelivered_records_the_reason(self):
        message = self._sent_message()
        status, _body = self._to_odoo(
            self.fake.send_status,
            message.provider_ref,
            "undelivered",
            error_code=30003,
            error_message="Unreachable",
        )
        self.assertEqual((status, message.state), (200, "failed"))
        self.assertEqual(message.error, "Twilio 30003: Unreachable")

    def test_twilio_receipt_bad_or_missing_signature_is_refused(self):
        message = self._sent_message()
        forged = twilio_signature(
            self.fake.accepted[-1].form["StatusCallback"],
            {"MessageSid": message.provider_ref},
            "not-the-token",
        )
        for signature in (False, forged, "garbage"):
            with self.subTest(signature=signature):
                status, _body = self._to_odoo(
                    self.fake.send_status, message.provider_ref, "delivered", signature=signature
                )
                self.assertEqual(status, 403)
                self.assertEqual((message.state, message.error), ("sent", False))
        # Signed for another URL (replayed from elsewhere): refused too.
        params = {
            "MessageSid": message.provider_ref,
            "MessageStatus": "failed",
            "AccountSid": self.fake.account_sid,
        }
        elsewhere = twilio_signature("https://elsewhere.example/hook", params, TOKEN)
        status, _body = self._to_odoo(
            self.fake.post_twilio,
            f"{self.base_url()}/smartbook/sms/status/twilio",
            params,
            signature=elsewhere,
        )
        self.assertEqual((status, message.state), (403, "sent"))

    def test_unknown_provider_is_not_found(self):
        status, _body = self._to_odoo(
            self.fake.post_twilio,
            f"{self.base_url()}/smartbook/sms/status/carrier-pigeon",
            {"MessageSid": "x"},
        )
        self.assertEqual(status, 404)

    def test_http_json_receipts(self):
        self._configure("http_json")
        message = self._sent_message()
        self.assertEqual(
            self.fake.accepted[-1].json["callback_url"], f"{self.base_url()}/smartbook/sms/status/http_json"
        )
        status, _body = self._to_odoo(
            self.fake.send_status, message.provider_ref, "delivered", signature="sha256=00"
        )
        self.assertEqual((status, message.state), (403, "sent"))
        status, _body = self._to_odoo(
            self.fake.send_status, message.provider_ref, "failed", error_message="handset off"
        )
        self.assertEqual((status, message.state, message.error), (200, "failed", "Gateway: handset off"))

    def test_receipt_of_an_odoo_sms(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "From Odoo"})
        sms.send(unlink_sent=False)
        self.assertEqual(sms.state, "pending")
        status, _body = self._to_odoo(self.fake.send_status, self.fake.accepted[-1].sid, "delivered")
        self.assertEqual((status, sms.state), (200, "sent"))

    # ---------------------------------------------------------------- inbound

    def _inbound_url(self, provider="twilio"):
        return f"{self.base_url()}/smartbook/sms/inbound/{provider}"

    def test_stop_withdraws_sms_consent(self):
        # Also a client sharing the number (a duplicate card) stops receiving.
        status, body = self._to_odoo(self.fake.send_inbound, self._inbound_url(), MOBILE, " stop ")
        self.assertEqual(status, 200)
        self.assertIn("<Response>", body)
        self.assertFalse(self.client.smartbook_consent_sms)
        self.assertTrue(self.client.smartbook_consent_marketing, "STOP concerns SMS only")
        self.assertTrue(self.client_2.smartbook_consent_sms, "another number: untouched")
        log = self.client.smartbook_consent_log_ids.filtered(lambda line: line.channel == "sms").sorted("id")
        self.assertFalse(log[-1].granted)
        # Later outbox SMS are refused.
        refused = self.env["smartbook.message"]._smartbook_enqueue(
            [
                {
                    "channel": "sms",
                    "kind": "reminder",
                    "partner_id": self.client.id,
                    "body": "x",
                    "dedupe_key": "stop-1",
                }
            ]
        )
        self.assertFalse(refused)

    def test_stop_with_bad_signature_changes_nothing(self):
        for signature in (False, "bm90IGEgc2lnbmF0dXJl"):
            with self.subTest(signature=signature):
                status, _body = self._to_odoo(
                    self.fake.send_inbound, self._inbound_url(), MOBILE, "STOP", signature=signature
                )
                self.assertEqual(status, 403)
                self.assertTrue(self.client.smartbook_consent_sms)

    def test_http_json_stop(self):
        self._configure("http_json")
        url = self._inbound_url("http_json")
        status, _body = self._to_odoo(
            self.fake.send_inbound, url, MOBILE_2, "UNSUBSCRIBE", provider="http_json"
        )
        self.assertEqual(status, 200)
        self.assertFalse(self.client_2.smartbook_consent_sms)

    def test_other_text_lands_in_the_chatter(self):
        status, _body = self._to_odoo(
            self.fake.send_inbound, self._inbound_url(), MOBILE, "Can I come <b>earlier</b>?"
        )
        self.assertEqual(status, 200)
        self.assertTrue(self.client.smartbook_consent_sms)
        message = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.client.id), ("message_type", "=", "sms")]
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.client)
        self.assertIn("Can I come &lt;b&gt;earlier&lt;/b&gt;?", message.body)
