"""Telegram pieces without the ORM: signed button data, link tokens, send pacing.

- Inline buttons carry ``callback_data`` (1-64 bytes, sent back verbatim by Telegram when
  the client taps). SmartBook's is ``<action>:<booking id>:<signature>`` where the signature
  is a truncated HMAC-SHA256 over the action, the booking and the chat the button was sent
  to: a forged or copied button (other booking, other chat, other action) is refused.
- Deep-link tokens (``https://t.me/<bot>?start=<token>``): Telegram accepts up to 64
  characters of ``A-Za-z0-9_-``.
- Secrets in URLs: the Bot API puts the bot token in its paths (``/bot<token>/sendMessage``)
  and the webhook's path holds its secret; :class:`RedactSecretsFilter` blanks both in the
  request logs of httpx and werkzeug.
- :class:`SendPacer` spaces sends: about ``rate`` messages a second overall and at least
  ``chat_interval`` seconds between two messages to one chat (Telegram's limits);
  :func:`round_robin` orders a batch so that one chat's many messages do not hold back
  the others.
"""

import base64
import hashlib
import hmac
import logging
import re
import secrets

CALLBACK_ACTIONS = {"c": "confirm", "x": "cancel"}
CALLBACK_SIGNATURE_LENGTH = 16  # base64url characters: 96 bits
CALLBACK_DATA_MAX_BYTES = 64
LINK_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TEXT_MAX_LENGTH = 4096  # Telegram's limit for one message's text


def derive_key(secret, purpose):
    """A key for one purpose derived from the database secret (never the secret itself)."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def _signature(key, action, booking_id, chat_id):
    digest = hmac.new(key, f"{action}:{booking_id}:{chat_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:CALLBACK_SIGNATURE_LENGTH]


def sign_callback(key, action, booking_id, chat_id):
    """``callback_data`` for ``action`` (a key of :data:`CALLBACK_ACTIONS`) on a booking,
    valid only when it comes back from ``chat_id``."""
    if action not in CALLBACK_ACTIONS:
        raise ValueError(f"unknown callback action {action!r}")
    data = f"{action}:{int(booking_id)}:{_signature(key, action, int(booking_id), chat_id)}"
    assert len(data.encode()) <= CALLBACK_DATA_MAX_BYTES
    return data


def verify_callback(key, data, chat_id):
    """``(action name, booking id)`` when ``data`` was signed for ``chat_id``, else ``None``."""
    if not isinstance(data, str) or len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] not in CALLBACK_ACTIONS or not parts[1].isdigit():
        return None
    action, booking_id, signature = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(signature.encode(), _signature(key, action, booking_id, chat_id).encode()):
        return None
    return CALLBACK_ACTIONS[action], booking_id


def new_link_token():
    """A fresh random deep-link token: 32 characters of ``A-Za-z0-9_-`` (192 bits)."""
    return secrets.token_urlsafe(24)


def is_link_token(value):
    return bool(value) and bool(LINK_TOKEN_RE.match(value))


def parse_start_payload(text):
    """The payload of a ``/start <payload>`` command ('' without one), ``None`` for
    any other text. Accepts ``/start@botname`` as Telegram sends it in groups."""
    if not text:
        return None
    command, _sep, rest = text.strip().partition(" ")
    if command.split("@", 1)[0] != "/start":
        return None
    return rest.strip()


def is_command(text, name):
    if not text:
        return False
    command = text.strip().split(" ", 1)[0]
    return command.split("@", 1)[0] == f"/{name}"


def truncate_text(text, limit=TEXT_MAX_LENGTH):
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def round_robin(items, key):
    """``items`` reordered: the first item of each key, then the second of each..., each
    key's items keeping their order."""
    queues = {}
    for item in items:
        queues.setdefault(key(item), []).append(item)
    ordered = []
    depth = 0
    while len(ordered) < len(items):
        for queue in queues.values():
            if depth < len(queue):
                ordered.append(queue[depth])
        depth += 1
    return ordered


class SendPacer:
    """Books send times: at most one send every ``1 / rate`` seconds overall and one every
    ``chat_interval`` seconds per chat. Time is whatever monotonic clock the caller passes.

    ``reserve(chat, now)`` returns the time the send may start (>= ``now``); ``hold(until)``
    moves every later send after ``until`` (a 429 said to wait); ``held_until`` tells a
    sender that woke up before the hold ended to reserve again."""

    def __init__(self, rate=30.0, chat_interval=1.0):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.chat_interval = chat_interval
        self.held_until = float("-inf")
        self._next_any = float("-inf")
        self._next_chat = {}

    def reserve(self, chat, now):
        start = max(now, self._next_any, self.held_until, self._next_chat.get(chat, float("-inf")))
        self._next_any = start + self.interval
        self._next_chat[chat] = start + self.chat_interval
        return start

    def hold(self, until):
        self.held_until = max(self.held_until, until)


SECRET_URL_PARTS = re.compile(r"(/bot)[^/\s]+(?=/)|(/smartbook/telegram/)[^\s/?\"]+")


def redact_secrets(text):
    """``text`` with bot tokens and webhook secrets of URL paths replaced by ``***``."""
    return SECRET_URL_PARTS.sub(lambda match: (match.group(1) or match.group(2)) + "***", text)


class RedactSecretsFilter(logging.Filter):
    """Blanks bot tokens and webhook secrets in a logger's records (message and
    arguments formatted with ``%s``)."""

    def filter(self, record):
        if isinstance(record.msg, str) and ("/bot" in record.msg or "/smartbook/telegram/" in record.msg):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_secrets(str(arg)) if isinstance(arg, str) or type(arg).__name__ == "URL" else arg
                for arg in record.args
            )
        return True


def install_log_redaction(*logger_names):
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecretsFilter) for existing in logger.filters):
            logger.addFilter(RedactSecretsFilter())
