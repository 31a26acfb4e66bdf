"""SMS providers spoken by SmartBook, as data in and data out (no ORM, no network).

Two providers besides Odoo's IAP (``res.company.smartbook_sms_provider``):

``twilio``: Twilio's REST API. ``POST <api_url>/2010-04-01/Accounts/<account>/Messages.json``
with basic auth ``account:token``, form ``To``, ``From``, ``Body``, ``StatusCallback``; answers
``201`` with the Message resource (``sid``) or an error ``{code, message, more_info, status}``.
Status callbacks and inbound messages are signed by ``X-Twilio-Signature`` =
base64(HMAC-SHA1(auth token, full URL + every POST parameter as key+value, sorted by key)).

``http_json``: a generic gateway. ``POST <api_url>`` (the full endpoint URL) with
``Authorization: Bearer <token>`` and JSON ``{"to", "from", "body", "callback_url",
"reference"}``; a 2xx answer carries ``{"id": <gateway id>}``; an error ``{"error": {"code",
"message"}}``, where code ``opted_out`` means the recipient unsubscribed; 429 may carry
``Retry-After``. Receipts come as JSON ``{"id", "status": "delivered"|"failed", "error"}``
to ``callback_url``, inbound messages as JSON ``{"from", "to", "body"}`` to
``/smartbook/sms/inbound/http_json``, both signed with the header
``X-SmartBook-Signature: sha256=<hex HMAC-SHA256(token, raw request body)>``.
"""

import base64
import hashlib
import hmac
import re
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit, urlunsplit

from .delivery import DeliveryResult

PROVIDERS = ("twilio", "http_json")
STATUS_ROUTE = "/smartbook/sms/status/%s"
INBOUND_ROUTE = "/smartbook/sms/inbound/%s"
TWILIO_API_VERSION = "2010-04-01"
TWILIO_OPT_OUT_CODES = frozenset({21610})
HTTP_JSON_OPT_OUT_CODES = frozenset({"opted_out", "unsubscribed"})
HTTP_JSON_SIGNATURE_HEADER = "X-SmartBook-Signature"
# Twilio's final outcomes of a message; the others (queued, sending, sent...) are steps.
TWILIO_RECEIPT_STATUSES = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}
HTTP_JSON_RECEIPT_STATUSES = {"delivered": "delivered", "failed": "failed", "undelivered": "failed"}
# Keywords carriers and Twilio treat as an opt-out, compared on the whole trimmed body.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})

# Twilio error codes in the words of Odoo's sms.sms ``failure_type``.
TWILIO_FAILURE_TYPES = {
    20003: "sms_acc",
    21211: "sms_number_format",
    21408: "sms_country_not_supported",
    21612: "sms_country_not_supported",
    21614: "sms_number_format",
    21610: "sms_optout",
}
_TWILIO_CODE = re.compile(r"^Twilio (\d+)")
_PHONE_LIKE = re.compile(r"\+?\d[\d ().-]{5,}\d")


class SmsRequest(NamedTuple):
    """What to give to ``requests.Session.post`` (``url`` plus keyword arguments)."""

    url: str
    data: dict | None = None
    json: dict | None = None
    headers: dict | None = None
    auth: tuple | None = None

    def post_kwargs(self):
        return {
            name: value
            for name, value in (
                ("data", self.data),
                ("json", self.json),
                ("headers", self.headers),
                ("auth", self.auth),
            )
            if value is not None
        }


def callback_url(base_url, provider, route=STATUS_ROUTE, **query):
    """The public URL of a SmartBook SMS webhook (``query``: extra parameters, e.g. an sms.sms uuid)."""
    url = (base_url or "").rstrip("/") + route % provider
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(sorted(query.items()))}" if query else url


def build_twilio_request(api_url, account, token, sender, to, body, status_callback=None):
    url = "{}/{}/Accounts/{}/Messages.json".format(
        (api_url or "https://api.twilio.com").rstrip("/"), TWILIO_API_VERSION, account
    )
    data = {"To": to, "From": sender, "Body": body}
    if status_callback:
        data["StatusCallback"] = status_callback
    return SmsRequest(url=url, data=data, auth=(account, token))


def build_http_json_request(api_url, token, sender, to, body, callback=None, reference=None):
    payload = {"to": to, "from": sender, "body": body, "callback_url": callback, "reference": reference}
    return SmsRequest(
        url=api_url,
        json=payload,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )


def build_request(provider, settings, to, body, callback=None, reference=None):
    """``settings``: dict with ``api_url``, ``account``, ``token``, ``sender``."""
    if provider == "twilio":
        return build_twilio_request(
            settings["api_url"],
            settings["account"],
            settings["token"],
            settings["sender"],
            to,
            body,
            callback,
        )
    if provider == "http_json":
        return build_http_json_request(
            settings["api_url"], settings["token"], settings["sender"], to, body, callback, reference
        )
    raise ValueError(f"unknown SMS provider {provider!r}")


def scrub(text, limit=250):
    """A provider's error text without the phone numbers it may quote, cut to ``limit``."""
    return _PHONE_LIKE.sub("…", str(text or ""))[:limit]


def retry_after_seconds(headers):
    value = (headers or {}).get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except (TypeError, ValueError):
        return None


def _temporary(status_code, headers, error):
    if status_code == 429 or status_code >= 500:
        return DeliveryResult("retry", error=error, retry_after=retry_after_seconds(headers))
    return None


def parse_twilio_response(status_code, payload, headers=None):
    """Read Twilio's answer to Messages.json into a :class:`DeliveryResult`."""
    payload = payload if isinstance(payload, dict) else {}
    if 200 <= status_code < 300 and payload.get("sid"):
        if payload.get("status") == "failed" or payload.get("error_code"):
            return DeliveryResult(
                "failed", ref=payload["sid"], error=scrub(f"Twilio {payload.get('error_code')}")
            )
        return DeliveryResult("sent", ref=payload["sid"])
    code = payload.get("code")
    error = scrub(f"Twilio {code or status_code}: {payload.get('message') or 'no message'}")
    if code in TWILIO_OPT_OUT_CODES:
        return DeliveryResult("opt_out", error=error)
    return _temporary(status_code, headers, error) or DeliveryResult("failed", error=error)


def parse_http_json_response(status_code, payload, headers=None):
    payload = payload if isinstance(payload, dict) else {}
    if 200 <= status_code < 300 and payload.get("id"):
        return DeliveryResult("sent", ref=str(payload["id"]))
    error_info = payload.get("error")
    if not isinstance(error_info, dict):
        error_info = {"message": error_info} if error_info else {}
    code = error_info.get("code")
    error = scrub(f"Gateway {code or status_code}: {error_info.get('message') or 'no message'}")
    if code in HTTP_JSON_OPT_OUT_CODES:
        return DeliveryResult("opt_out", error=error)
    if 200 <= status_code < 300:
        return DeliveryResult("failed", error=scrub(f"Gateway {status_code}: answer without id"))
    return _temporary(status_code, headers, error) or DeliveryResult("failed", error=error)


def parse_response(provider, status_code, payload, headers=None):
    parser = parse_twilio_response if provider == "twilio" else parse_http_json_response
    return parser(status_code, payload, headers)


def odoo_failure_type(result):
    """The sms.sms ``failure_type`` of a result that is not ``sent``."""
    if result.status == "retry":
        return "sms_server"
    if result.status == "opt_out":
        return "sms_optout"
    match = _TWILIO_CODE.match(result.error or "")
    return TWILIO_FAILURE_TYPES.get(int(match.group(1)), "unknown") if match else "unknown"


def network_error_result(kind):
    """A timeout or a refused connection: try again later (``kind``: short description)."""
    return DeliveryResult("retry", error=f"Network error: {kind}")


# ---------------------------------------------------------------------- signatures


def twilio_signature(url, params, token):
    """Twilio's X-Twilio-Signature for a request to ``url`` with POST ``params``.

    ``params``: a dict, or (key, value) pairs when a key repeats (each key's values sorted).
    """
    pairs = params.items() if isinstance(params, dict) else params
    payload = url + "".join(f"{key}{value}" for key, value in sorted(pairs))
    digest = hmac.new((token or "").encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url):
    """The URL with and without its default port: Twilio signs the URL as it was configured."""
    parts = urlsplit(url)
    variants = [url]
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is None and default_port:
        variants.append(urlunsplit(parts._replace(netloc=f"{parts.netloc}:{default_port}")))
    elif parts.port is not None and parts.port == default_port:
        variants.append(urlunsplit(parts._replace(netloc=parts.hostname)))
    return variants


def verify_twilio_signature(urls, params, token, signature):
    """True when ``signature`` is Twilio's for one of ``urls`` (constant-time comparison)."""
    if not token or not signature:
        return False
    if isinstance(urls, str):
        urls = [urls]
    valid = False
    for url in urls:
        for variant in _url_variants(url):
            # No early exit: each candidate costs the same whether it matches or not.
            valid |= hmac.compare_digest(twilio_signature(variant, params, token), signature)
    return valid


def http_json_signature(raw_body, token):
    return "sha256=" + hmac.new((token or "").encode(), raw_body, hashlib.sha256).hexdigest()


def verify_http_json_signature(raw_body, token, signature):
    if not token or not signature:
        return False
    return hmac.compare_digest(http_json_signature(raw_body, token), signature)


# ---------------------------------------------------------------------- receipts and inbound


def receipt_status(provider, provider_status):
    """``delivered`` / ``failed`` for a final status, None for an intermediate one (queued, sent...)."""
    table = TWILIO_RECEIPT_STATUSES if provider == "twilio" else HTTP_JSON_RECEIPT_STATUSES
    return table.get((provider_status or "").strip().lower())


def receipt_error(provider, params):
    """The failure reason of a receipt, without phone numbers."""
    if provider == "twilio":
        code = params.get("ErrorCode")
        message = params.get("ErrorMessage") or params.get("MessageStatus") or ""
        return scrub(f"Twilio {code}: {message}" if code else f"Twilio: {message}")
    return scrub(f"Gateway: {params.get('error') or params.get('status') or ''}")


def is_stop_request(body):
    """True when an inbound text is an opt-out keyword (STOP, UNSUBSCRIBE..., any case)."""
    return (body or "").strip().strip(".!").upper() in STOP_WORDS
