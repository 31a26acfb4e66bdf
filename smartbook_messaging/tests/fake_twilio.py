"""A loopback SMS gateway for tests: Twilio's Messages API and SmartBook's ``http_json`` protocol.

It is an *external* server as far as SmartBook is concerned: it shares no code with
``smartbook_messaging`` (the signatures it computes for receipts are written here again on
purpose, so a mistake in SmartBook's verification cannot hide behind the same mistake here).

Usage::

    with FakeSmsGateway(account_sid="AC" + "0" * 32, auth_token="secret", bearer_token="gw-secret") as fake:
        company.smartbook_sms_api_url = fake.url            # Twilio: base URL (path appended by the client)
        company.smartbook_sms_api_url = fake.http_json_url  # http_json: the full endpoint URL
        ...                                                 # SmartBook sends
        fake.requests        # every request received, in order (a copy; thread-safe)
        fake.accepted        # only the messages it accepted (answered 201/200)
        fake.send_status(fake.accepted[0].sid, "delivered")  # POST a signed receipt to the callback

Endpoints
---------
``POST /2010-04-01/Accounts/<AccountSid>/Messages.json`` (Twilio)
    Basic auth ``AccountSid:AuthToken`` (the path's SID must match), form-encoded ``To``,
    ``From``, ``Body``, optional ``StatusCallback``. Answers ``201`` with a Twilio Message
    resource (``sid`` ``SM`` + 32 hex, ``status`` ``queued``, ``to``, ``from``, ``body``,
    ``account_sid``, ``direction`` ``outbound-api``, ``error_code`` null...). Errors use
    Twilio's shape ``{"code", "message", "more_info", "status"}``: 401/20003 bad credentials,
    400/21604 no ``To``, 400/21602 no ``Body``, 400/21610 unsubscribed recipient
    (see :meth:`opt_out`), 429/20429, 500/20500.

``POST /http_json/messages`` (SmartBook's ``http_json`` gateway protocol)
    Header ``Authorization: Bearer <token>``, JSON body ``{"to", "from", "body",
    "callback_url", "reference"}``. Answers ``200 {"id": "<gateway id>", "status": "queued"}``;
    errors ``{"error": {"code": <str>, "message": <str>}}``: 401 ``unauthorized``, 400
    ``invalid_request``, 400 ``opted_out`` (see :meth:`opt_out`), 429 (with ``Retry-After``)
    ``rate_limited``, 500 ``internal``. Receipts (see :meth:`send_status`) are POSTed as JSON
    ``{"id", "status": "delivered"|"failed", "error"}`` to ``callback_url`` with the header
    ``X-SmartBook-Signature: sha256=<hex HMAC-SHA256(token, raw body)>``; inbound messages
    (see :meth:`send_inbound`) as JSON ``{"from", "to", "body"}`` signed the same way.

Programming it (each applies to both protocols)
-----------------------------------------------
- ``fake.fail(status=500, times=None)``: answer the next ``times`` requests (None: all, until
  ``fake.reset()``) with ``status`` (500, 503, 429...) and a provider-shaped error body;
- ``fake.hang(seconds, times=None)``: hold the next ``times`` requests ``seconds`` before
  answering normally (longer than the client's timeout: the client sees a timeout, but the
  fake has still *accepted* the message, like a real provider may have);
- ``fake.delay = 0.05``: seconds added to every answer (benchmarks, concurrency tests);
- ``fake.opt_out("+15550001111", ...)``: those numbers get Twilio error 21610 (``opted_out``
  for http_json);
- ``fake.reset()``: forget the programming above (not the recorded requests);
  ``fake.clear()``: forget the recorded requests.

Recorded requests are :class:`RecordedRequest` (``provider``, ``path``, ``headers``,
``form`` (Twilio, a dict of the last value per key), ``json`` (http_json), ``auth_ok``,
``status`` (what the fake answered), ``sid`` (the id it gave, None when refused), ``at``
(``time.monotonic()``)). ``fake.count_by("To")`` / ``fake.count_by("to")`` helps spot
duplicates; ``fake.max_in_flight`` is the most requests it held at once (since ``clear()``).

SmartBook's side, for tests: ``ir.config_parameter`` ``smartbook_messaging.sms_timeout``
(seconds, default 10: set it below ``hang``) and ``smartbook_messaging.sms_concurrency``
(requests in flight per batch, default 4). The fake also works for an Odoo run in a
subprocess (it listens on 127.0.0.1, ``fake.port``, until ``stop()`` / the ``with`` ends).
"""

import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import Request, urlopen

from .fake_server import LoopbackServer

TWILIO_PREFIX = "/2010-04-01/Accounts/"
HTTP_JSON_PATH = "/http_json/messages"

TWILIO_ERRORS = {
    20003: (401, "Authenticate"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    21602: (400, "Message body is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
}


@dataclass
class RecordedRequest:
    provider: str
    path: str
    headers: dict
    form: dict = field(default_factory=dict)
    json: dict | None = None
    auth_ok: bool = False
    status: int | None = None
    sid: str | None = None
    at: float = 0.0


def twilio_signature(url, params, auth_token):
    """Twilio's X-Twilio-Signature: base64(HMAC-SHA1(token, url + key1 + value1 + ... sorted by key))."""
    payload = url + "".join(f"{key}{value}" for key, value in sorted(params.items()))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def http_json_signature(raw_body, token):
    return "sha256=" + hmac.new(token.encode(), raw_body, hashlib.sha256).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSmsGateway/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body in one segment, sent at once: no Nagle / delayed-ACK stall per request.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        return

    def do_POST(self):
        self.server.fake._handle(self)

    def do_GET(self):
        self._answer(404, {"code": 20404, "message": "Not found", "more_info": "", "status": 404})

    def _answer(self, status, payload, headers=None):
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timeout): the answer goes nowhere, as with a real provider.
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        # A client that gave up (timeout) before the answer: expected, not worth a traceback.
        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return
        super().handle_error(request, client_address)


class FakeSmsGateway(LoopbackServer):
    """See the module docstring."""

    server_class = _Server
    handler_class = _Handler
    thread_name = "fake-sms"

    def __init__(self, account_sid="AC" + "1" * 32, auth_token="fake-twilio-token", bearer_token=None):
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.bearer_token = bearer_token or auth_token
        self.delay = 0.0
        self._lock = threading.Lock()
        self._requests = []
        self._fail_status = None
        self._fail_times = None
        self._hang_seconds = 0.0
        self._hang_times = None
        self._opted_out = set()
        self._in_flight = 0
        self.max_in_flight = 0
        self._closing = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        self._closing.clear()
        return super().start()

    def stop(self):
        # Requests held by hang() or delay end now rather than when their time is up.
        self._closing.set()
        return super().stop()

    @property
    def http_json_url(self):
        """Endpoint URL to put in ``smartbook_sms_api_url`` for http_json."""
        return self.url + HTTP_JSON_PATH

    # -- programming -----------------------------------------------------------------------
    def fail(self, status=500, times=None):
        with self._lock:
            self._fail_status, self._fail_times = status, times

    def hang(self, seconds, times=None):
        with self._lock:
            self._hang_seconds, self._hang_times = seconds, times

    def opt_out(self, *numbers):
        with self._lock:
            self._opted_out.update(numbers)

    def reset(self):
        with self._lock:
            self._fail_status = self._fail_times = None
            self._hang_seconds, self._hang_times = 0.0, None
            self._opted_out.clear()
            self.delay = 0.0

    def clear(self):
        with self._lock:
            self._requests.clear()
            self.max_in_flight = self._in_flight

    # -- what it saw -----------------------------------------------------------------------
    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    @property
    def accepted(self):
        return [req for req in self.requests if req.sid]

    def count_by(self, key):
        """Counter of a field over accepted messages (``"To"`` for Twilio, ``"to"`` for http_json)."""
        return Counter(
            (req.form or req.json)[key] for req in self.accepted if key in (req.form or req.json or {})
        )

    def find(self, sid):
        return next((req for req in self.requests if req.sid == sid), None)

    # -- receipts and inbound messages toward SmartBook ------------------------------------
    def send_status(self, sid, status, error_code=None, error_message=None, url=None, signature=True):
        """POST a delivery receipt for the message ``sid`` to its callback URL (or ``url``).

        Twilio: form ``MessageSid``, ``SmsSid``, ``MessageStatus``, ``AccountSid``, ``From``,
        ``To``, ``ApiVersion`` (+ ``ErrorCode``/``ErrorMessage``), signed by X-Twilio-Signature;
        ``signature`` may be False (none) or a string (sent as is). Returns (status, body).
        """
        req = self.find(sid)
        if req is None:
            raise KeyError(sid)
        if req.provider == "twilio":
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "SmsStatus": status,
                "MessageStatus": status,
                "AccountSid": self.account_sid,
                "From": req.form.get("From", ""),
                "To": req.form.get("To", ""),
                "ApiVersion": "2010-04-01",
            }
            if error_code:
                params["ErrorCode"] = str(error_code)
            if error_message:
                params["ErrorMessage"] = error_message
            return self.post_twilio(url or req.form["StatusCallback"], params, signature=signature)
        payload = {"id": sid, "status": status, "error": error_message}
        return self.post_http_json(url or req.json["callback_url"], payload, signature=signature)

    def post_twilio(self, url, params, signature=True):
        """POST a form signed as Twilio does (``signature`` True / False / a literal string)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is True:
            headers["X-Twilio-Signature"] = twilio_signature(url, params, self.auth_token)
        elif signature:
            headers["X-Twilio-Signature"] = signature
        return _post(url, urlencode(params).encode(), headers)

    def post_http_json(self, url, payload, signature=True):
        raw = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature is True:
            headers["X-SmartBook-Signature"] = http_json_signature(raw, self.bearer_token)
        elif signature:
            headers["X-SmartBook-Signature"] = signature
        return _post(url, raw, headers)

    def send_inbound(self, url, from_number, body, provider="twilio", signature=True):
        """An SMS from a client (``from_number``) to the business: Twilio's inbound webhook form."""
        if provider == "twilio":
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "SmsSid": "SM" + uuid.uuid4().hex,
                "AccountSid": self.account_sid,
                "From": from_number,
                "To": "+15005550006",
                "Body": body,
                "NumMedia": "0",
                "ApiVersion": "2010-04-01",
            }
            return self.post_twilio(url, params, signature=signature)
        return self.post_http_json(url, {"from": from_number, "to": "", "body": body}, signature=signature)

    # -- the server side -------------------------------------------------------------------
    def _take(self, attr_times):
        """Consume one use of a programmed behaviour; True when it applies to this request."""
        times = getattr(self, attr_times)
        if times is None:
            return True
        if times <= 0:
            return False
        setattr(self, attr_times, times - 1)
        return True

    def _handle(self, handler):
        path = urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if path.startswith(TWILIO_PREFIX) and path.endswith("/Messages.json"):
            provider = "twilio"
        elif path == HTTP_JSON_PATH:
            provider = "http_json"
        else:
            handler._answer(404, {"code": 20404, "message": "Not found", "more_info": "", "status": 404})
            return
        record = RecordedRequest(
            provider=provider, path=path, headers=dict(handler.headers), at=time.monotonic()
        )
        with self._lock:
            self._requests.append(record)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            fail_status = self._fail_status if self._fail_status and self._take("_fail_times") else None
            hang = self._hang_seconds if self._hang_seconds and self._take("_hang_times") else 0.0
            delay = self.delay
        try:
            if delay or hang:
                self._closing.wait(delay + hang)
            if provider == "twilio":
                status, payload, headers = self._twilio(handler, path, raw, record, fail_status)
            else:
                status, payload, headers = self._http_json(handler, raw, record, fail_status)
            record.status = status
        finally:
            with self._lock:
                self._in_flight -= 1
        handler._answer(status, payload, headers)

    def _twilio_error(self, code):
        status, message = TWILIO_ERRORS[code]
        return status, {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def _twilio(self, handler, path, raw, record, fail_status):
        record.form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        path_sid = path[len(TWILIO_PREFIX) :].split("/", 1)[0]
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        record.auth_ok = path_sid == self.account_sid and hmac.compare_digest(
            handler.headers.get("Authorization", ""), expected
        )
        if not record.auth_ok:
            return (*self._twilio_error(20003), None)
        if fail_status:
            code = {429: 20429}.get(fail_status, 20500)
            _status, payload = self._twilio_error(code)
            payload["status"] = fail_status
            return fail_status, payload, None
        if not record.form.get("To"):
            return (*self._twilio_error(21604), None)
        if not record.form.get("Body"):
            return (*self._twilio_error(21602), None)
        if record.form["To"] in self._opted_out:
            return (*self._twilio_error(21610), None)
        sid = "SM" + uuid.uuid4().hex
        record.sid = sid
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        uri = f"{TWILIO_PREFIX}{self.account_sid}/Messages/{sid}"
        return (
            201,
            {
                "account_sid": self.account_sid,
                "api_version": "2010-04-01",
                "body": record.form["Body"],
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": record.form.get("From"),
                "messaging_service_sid": None,
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {"media": f"{uri}/Media.json"},
                "to": record.form["To"],
                "uri": f"{uri}.json",
            },
            None,
        )

    def _http_json(self, handler, raw, record, fail_status):
        try:
            record.json = json.loads(raw or b"{}")
        except ValueError:
            record.json = None
        record.auth_ok = hmac.compare_digest(
            handler.headers.get("Authorization", ""), f"Bearer {self.bearer_token}"
        )
        if not record.auth_ok:
            return 401, {"error": {"code": "unauthorized", "message": "Bad token"}}, None
        if fail_status:
            headers = {"Retry-After": "7"} if fail_status == 429 else None
            code = "rate_limited" if fail_status == 429 else "internal"
            return fail_status, {"error": {"code": code, "message": "Temporary failure"}}, headers
        if not isinstance(record.json, dict) or not record.json.get("to") or not record.json.get("body"):
            return 400, {"error": {"code": "invalid_request", "message": "to and body are required"}}, None
        if record.json["to"] in self._opted_out:
            return 400, {"error": {"code": "opted_out", "message": "Recipient opted out"}}, None
        record.sid = "gw-" + uuid.uuid4().hex
        return 200, {"id": record.sid, "status": "queued"}, None


def _post(url, data, headers, timeout=30):
    """POST and return (status, body text) without raising on 4xx/5xx."""
    try:
        with urlopen(Request(url, data=data, headers=headers, method="POST"), timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except HTTPError as err:
        return err.code, err.read().decode()
