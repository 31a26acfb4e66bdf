"""The pure SMS gateway tools: requests built, answers read, signatures checked (no database)."""

import json
import unittest

from ..tools import sms_gateway as gw
from ..tools.delivery import DeliveryResult

SETTINGS = {
    "provider": "twilio",
    "api_url": "https://api.twilio.example/",
    "account": "AC" + "a" * 32,
    "token": "secret-token",
    "sender": "+15005550006",
}


class TestRequests(unittest.TestCase):
    def test_twilio_request(self):
        request = gw.build_request(
            "twilio", SETTINGS, "+34600123456", "Hello", "https://book.example/smartbook/sms/status/twilio"
        )
        self.assertEqual(
            request.url, f"https://api.twilio.example/2010-04-01/Accounts/{SETTINGS['account']}/Messages.json"
        )
        self.assertEqual(
            request.data,
            {
                "To": "+34600123456",
                "From": "+15005550006",
                "Body": "Hello",
                "StatusCallback": "https://book.example/smartbook/sms/status/twilio",
            },
        )
        self.assertEqual(request.auth, (SETTINGS["account"], "secret-token"))
        self.assertEqual(set(request.post_kwargs()), {"data", "auth"})

    def test_twilio_request_default_url_and_no_callback(self):
        request = gw.build_twilio_request(None, "AC1", "t", "+1", "+2", "b")
        self.assertEqual(request.url, "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json")
        self.assertNotIn("StatusCallback", request.data)

    def test_http_json_request(self):
        settings = dict(SETTINGS, provider="http_json", api_url="https://gw.example/send")
        request = gw.build_request("http_json", settings, "+34600123456", "Hi", "https://cb", reference="42")
        self.assertEqual(request.url, "https://gw.example/send")
        self.assertEqual(
            request.json,
            {
                "to": "+34600123456",
                "from": "+15005550006",
                "body": "Hi",
                "callback_url": "https://cb",
                "reference": "42",
            },
        )
        self.assertEqual(request.headers["Authorization"], "Bearer secret-token")
        self.assertEqual(set(request.post_kwargs()), {"json", "headers"})

    def test_unknown_provider(self):
        with self.assertRaises(ValueError):
            gw.build_request("iap", SETTINGS, "+1", "b")

    def test_callback_url(self):
        self.assertEqual(
            gw.callback_url("https://book.example/", "twilio"),
            "https://book.example/smartbook/sms/status/twilio",
        )
        self.assertEqual(
            gw.callback_url("https://book.example", "http_json", sms_uuid="ab12", other=None),
            "https://book.example/smartbook/sms/status/http_json?sms_uuid=ab12",
        )
        self.assertEqual(
            gw.callback_url("https://b.example", "twilio", route=gw.INBOUND_ROUTE),
            "https://b.example/smartbook/sms/inbound/twilio",
        )


class TestTwilioAnswers(unittest.TestCase):
    def test_created(self):
        result = gw.parse_twilio_response(201, {"sid": "SM123", "status": "queued", "error_code": None})
        self.assertEqual(result, DeliveryResult("sent", ref="SM123"))

    def test_unsubscribed_is_opt_out(self):
        payload = {
            "code": 21610,
            "message": "Attempt to send to unsubscribed recipient",
            "more_info": "https://www.twilio.com/docs/errors/21610",
            "status": 400,
        }
        result = gw.parse_twilio_response(400, payload)
        self.assertEqual(result.status, "opt_out")
        self.assertEqual(result.error, "Twilio 21610: Attempt to send to unsubscribed recipient")
        self.assertEqual(gw.odoo_failure_type(result), "sms_optout")

    def test_other_client_error_fails_with_twilio_message_without_number(self):
        payload = {
            "code": 21211,
            "message": "The 'To' number +34 600 123 456 is not a valid phone number.",
            "status": 400,
        }
        result = gw.parse_twilio_response(400, payload)
        self.assertEqual(result.status, "failed")
        self.assertIn("Twilio 21211", result.error)
        self.assertNotIn("600", result.error)
        self.assertEqual(gw.odoo_failure_type(result), "sms_number_format")

    def test_bad_credentials_fail(self):
        result = gw.parse_twilio_response(401, {"code": 20003, "message": "Authenticate", "status": 401})
        self.assertEqual(result.status, "failed")
        self.assertEqual(gw.odoo_failure_type(result), "sms_acc")

    def test_temporary_failures_retry(self):
        for status in (429, 500, 502, 503):
            with self.subTest(status=status):
                result = gw.parse_twilio_response(status, {"code": 20500, "message": "x", "status": status})
                self.assertEqual(result.status, "retry")
                self.assertEqual(gw.odoo_failure_type(result), "sms_server")
        result = gw.parse_twilio_response(429, {"code": 20429}, {"Retry-After": "12"})
        self.assertEqual(result.retry_after, 12.0)
        self.assertEqual(gw.parse_twilio_response(503, None, {"Retry-After": "soon"}).retry_after, None)

    def test_unreadable_answers(self):
        self.assertEqual(gw.parse_twilio_response(502, None).status, "retry")
        self.assertEqual(gw.parse_twilio_response(400, "not json").status, "failed")
        self.assertEqual(gw.parse_twilio_response(201, {}).status, "failed")

    def test_network_errors_retry(self):
        self.assertEqual(
            gw.network_error_result("timeout"), DeliveryResult("retry", error="Network error: timeout")
        )


class TestHttpJsonAnswers(unittest.TestCase):
    def test_accepted(self):
        self.assertEqual(gw.parse_http_json_response(200, {"id": 77}), DeliveryResult("sent", ref="77"))
        self.assertEqual(gw.parse_http_json_response(202, {"id": "x1"}).ref, "x1")

    def test_errors(self):
        opted = gw.parse_http_json_response(
            400, {"error": {"code": "opted_out", "message": "Recipient opted out"}}
        )
        self.assertEqual(opted.status, "opt_out")
        refused = gw.parse_http_json_response(400, {"error": {"code": "invalid_request", "message": "bad"}})
        self.assertEqual((refused.status, refused.error), ("failed", "Gateway invalid_request: bad"))
        self.assertEqual(gw.parse_http_json_response(200, {}).status, "failed")
        limited = gw.parse_http_json_response(429, {"error": "slow down"}, {"Retry-After": "3"})
        self.assertEqual((limited.status, limited.retry_after), ("retry", 3.0))
        self.assertEqual(gw.parse_http_json_response(500, None).status, "retry")


class TestSignatures(unittest.TestCase):
    # Twilio's own published example (docs: "Validating requests are coming from Twilio").
    URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
    PARAMS = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }

    def test_twilio_documented_example(self):
        self.assertEqual(gw.twilio_signature(self.URL, self.PARAMS, "12345"), "GvWf1cFY/Q7PnoempGyD5oXAezc=")
        self.assertTrue(
            gw.verify_twilio_signature(self.URL, self.PARAMS, "12345", "GvWf1cFY/Q7PnoempGyD5oXAezc=")
        )

    def test_twilio_pairs_order_does_not_matter(self):
        pairs = list(reversed(list(self.PARAMS.items())))
        self.assertEqual(gw.twilio_signature(self.URL, pairs, "12345"), "GvWf1cFY/Q7PnoempGyD5oXAezc=")

    def test_twilio_wrong_signatures(self):
        good = gw.twilio_signature(self.URL, self.PARAMS, "12345")
        self.assertFalse(gw.verify_twilio_signature(self.URL, self.PARAMS, "other-token", good))
        self.assertFalse(gw.verify_twilio_signature(self.URL, dict(self.PARAMS, Digits="9"), "12345", good))
        self.assertFalse(gw.verify_twilio_signature(self.URL + "&x=1", self.PARAMS, "12345", good))
        self.assertFalse(gw.verify_twilio_signature(self.URL, self.PARAMS, "12345", None))
        self.assertFalse(gw.verify_twilio_signature(self.URL, self.PARAMS, "", good))

    def test_twilio_any_candidate_url_and_default_port(self):
        good = gw.twilio_signature(self.URL, self.PARAMS, "12345")
        self.assertTrue(
            gw.verify_twilio_signature(["http://internal:8069/x", self.URL], self.PARAMS, "12345", good)
        )
        with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
        self.assertTrue(gw.verify_twilio_signature(with_port, self.PARAMS, "12345", good))

    def test_http_json(self):
        raw = json.dumps({"id": "gw-1", "status": "delivered"}).encode()
        signature = gw.http_json_signature(raw, "tok")
        self.assertTrue(signature.startswith("sha256=") and len(signature) == 71)
        self.assertTrue(gw.verify_http_json_signature(raw, "tok", signature))
        self.assertFalse(gw.verify_http_json_signature(raw + b" ", "tok", signature))
        self.assertFalse(gw.verify_http_json_signature(raw, "tok2", signature))
        self.assertFalse(gw.verify_http_json_signature(raw, "tok", ""))


class TestReceiptsAndInbound(unittest.TestCase):
    def test_receipt_status(self):
        self.assertEqual(gw.receipt_status("twilio", "delivered"), "delivered")
        self.assertEqual(gw.receipt_status("twilio", "undelivered"), "failed")
        self.assertEqual(gw.receipt_status("twilio", "failed"), "failed")
        for step in ("queued", "sending", "sent", "accepted", "", None):
            self.assertIsNone(gw.receipt_status("twilio", step))
        self.assertEqual(gw.receipt_status("http_json", "FAILED"), "failed")

    def test_receipt_error(self):
        self.assertEqual(
            gw.receipt_error("twilio", {"ErrorCode": "30003", "MessageStatus": "undelivered"}),
            "Twilio 30003: undelivered",
        )
        self.assertEqual(gw.receipt_error("http_json", {"error": "handset off"}), "Gateway: handset off")

    def test_stop_words(self):
        for body in ("STOP", "stop", " Stop ", "STOPALL", "unsubscribe", "Cancel", "end", "QUIT", "stop!"):
            with self.subTest(body=body):
                self.assertTrue(gw.is_stop_request(body))
        for body in ("", None, "please stop sending me", "START", "stopp", "see you at the end"):
            with self.subTest(body=body):
                self.assertFalse(gw.is_stop_request(body))
