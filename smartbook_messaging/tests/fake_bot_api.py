"""A loopback HTTP server speaking the part of the Telegram Bot API SmartBook uses.

Real HTTP on 127.0.0.1 (a ``ThreadingHTTPServer`` on a free port), so python-telegram-bot's
own client (httpx), Odoo's HTTP stack and our code are exercised exactly as against
``api.telegram.org``. Requests go to ``/bot<token>/<method>``; bodies may be JSON or
form-encoded (python-telegram-bot sends forms whose non-string values are JSON-encoded).

Methods: ``getMe``, ``sendMessage`` (answers a Message: ``message_id``, ``chat``, ``date``,
``text``, ``reply_markup``), ``answerCallbackQuery``, ``editMessageText`` (answers the edited
Message), ``setWebhook`` (records ``url`` and ``secret_token``), ``deleteWebhook``,
``getWebhookInfo``. Any other method answers 404 ``Not Found``.

Usage::

    with FakeBotApi(token="123:abc", username="smartbook_test_bot") as api:
        company.smartbook_telegram_api_url = api.url     # "http://127.0.0.1:<port>"
        api.fail_next(2, status=429, retry_after=1)      # next 2 sendMessage calls: 429
        api.block_chat(4242)                             # 403 "bot was blocked by the user"
        ...
        api.calls_to("sendMessage")                      # [Call(...), ...]
        api.webhook                                      # {"url": ..., "secret_token": ...}

API:

- ``FakeBotApi(token=None, username="smartbook_test_bot", bot_id=777000)``: with a ``token``,
  any other token answers 401 ``Unauthorized`` (python-telegram-bot: ``InvalidToken``).
- ``url``: base URL to store in ``res.company.smartbook_telegram_api_url`` (the client
  appends ``/bot<token>/<method>``).
- ``calls``: list of :class:`Call` (``method``, ``token``, ``params`` dict with JSON values
  decoded, ``status`` answered, ``at`` ``time.monotonic()`` when received), in arrival order;
  ``calls_to(method)`` filters it; ``clear_calls()`` empties it; ``reset()`` clears calls,
  failures, blocks, sent messages, the webhook and the delay.
- ``fail_next(count, status=500, retry_after=None, description=None, methods=("sendMessage",))``:
  the next ``count`` calls of those methods (``None`` = every method) answer ``status``;
  status 429 answers ``{"ok": false, "error_code": 429, "description": "Too Many Requests:
  retry after N", "parameters": {"retry_after": N}}``.
- ``block_chat(chat_id)`` / ``unblock_chat(chat_id)``: ``sendMessage`` / ``editMessageText``
  to that chat answer 403 ``Forbidden: bot was blocked by the user``.
- ``delay``: seconds to sleep before answering every call (default 0).
- ``webhook``: ``{"url", "secret_token", ...}`` as last given to ``setWebhook``.
- ``sent_messages``: ``{(chat_id, message_id): params}`` of the messages the fake accepted
  (``editMessageText`` updates the stored text and reply markup).

All recording is protected by one lock: safe with concurrent clients.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from .fake_server import LoopbackServer

# Parameters python-telegram-bot JSON-encodes in a form body (non-string values).
JSON_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "reply_markup",
        "entities",
        "link_preview_options",
        "reply_parameters",
        "disable_notification",
        "protect_content",
        "show_alert",
        "cache_time",
        "max_connections",
        "allowed_updates",
        "drop_pending_updates",
        "message_thread_id",
    }
)


@dataclass
class Call:
    method: str
    token: str
    params: dict
    status: int = 200
    at: float = field(default_factory=time.monotonic)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeBotApi/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output quiet
        return

    def do_GET(self):
        self._handle(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    def _handle(self, body):
        api = self.server.fake
        path = self.path.split("?", 1)[0]
        parts = path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = parts[0][3:], parts[1]
        params = _parse_params(self.headers.get("Content-Type") or "", body)
        if "?" in self.path:
            params.update(_decode(dict(parse_qsl(self.path.split("?", 1)[1]))))
        status, payload = api._dispatch(token, method, params)
        self._reply(status, payload)

    def _reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _error(status, description):
    return {"ok": False, "error_code": status, "description": description}


def _json_or_text(value):
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channelname"


def _decode(params):
    decoded = {}
    for key, value in params.items():
        if key in JSON_PARAMS and isinstance(value, str):
            value = _json_or_text(value)
        decoded[key] = value
    return decoded


def _parse_params(content_type, body):
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body.decode())
    if content_type.startswith("application/x-www-form-urlencoded") or not content_type:
        return _decode(dict(parse_qsl(body.decode(), keep_blank_values=True)))
    # multipart (file uploads) is not needed by SmartBook
    return {}


class FakeBotApi(LoopbackServer):
    handler_class = _Handler

    def __init__(self, token=None, username="smartbook_test_bot", bot_id=777000):
        super().__init__()
        self.token = token
        self.username = username
        self.bot_id = bot_id
        self.delay = 0
        self.calls = []
        self.webhook = {}
        self.sent_messages = {}
        self._lock = threading.Lock()
        self._failures = []  # [[remaining, status, retry_after, description, methods]]
        self._blocked = set()
        self._next_message_id = 1000

    # programming ----------------------------------------------------------
    def fail_next(self, count, status=500, retry_after=None, description=None, methods=("sendMessage",)):
        with self._lock:
            self._failures.append([count, status, retry_after, description, methods and tuple(methods)])

    def block_chat(self, chat_id):
        with self._lock:
            self._blocked.add(str(chat_id))

    def unblock_chat(self, chat_id):
        with self._lock:
            self._blocked.discard(str(chat_id))

    def reset(self):
        with self._lock:
            self.calls.clear()
            self._failures.clear()
            self._blocked.clear()
            self.sent_messages.clear()
            self.webhook = {}
            self.delay = 0

    def clear_calls(self):
        with self._lock:
            self.calls.clear()

    def calls_to(self, method):
        with self._lock:
            return [call for call in self.calls if call.method == method]

    # serving --------------------------------------------------------------
    def _take_failure(self, method):
        for failure in self._failures:
            if failure[0] > 0 and (failure[4] is None or method in failure[4]):
                failure[0] -= 1
                return failure
        return None

    def _dispatch(self, token, method, params):
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            status, payload = self._answer(token, method, params)
            self.calls.append(Call(method=method, token=token, params=params, status=status))
        return status, payload

    def _answer(self, token, method, params):
        if self.token is not None and token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        failure = self._take_failure(method)
        if failure:
            _count, status, retry_after, description, _methods = failure
            if status == 429:
                retry_after = retry_after or 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": description or f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
            return status, {
                "ok": False,
                "error_code": status,
                "description": description or "Internal Server Error",
            }
        chat_id = params.get("chat_id")
        if method in ("sendMessage", "editMessageText") and str(chat_id) in self._blocked:
            return 403, _error(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return handler(params)

    def _bot_user(self):
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "SmartBook Test Bot",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message(self, chat_id, message_id, text, reply_markup=None):
        message = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }
        if reply_markup:
            message["reply_markup"] = reply_markup
        return message

    def _api_getMe(self, _params):
        return 200, {"ok": True, "result": self._bot_user()}

    def _api_sendMessage(self, params):
        if params.get("chat_id") in (None, "") or not params.get("text"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        self._next_message_id += 1
        message_id = self._next_message_id
        self.sent_messages[(str(params["chat_id"]), message_id)] = dict(params)
        message = self._message(params["chat_id"], message_id, params["text"], params.get("reply_markup"))
        return 200, {"ok": True, "result": message}

    def _api_editMessageText(self, params):
        key = (str(params.get("chat_id")), params.get("message_id"))
        if key not in self.sent_messages:
            return 400, _error(400, "Bad Request: message to edit not found")
        self.sent_messages[key].update(params)
        if "reply_markup" not in params:
            self.sent_messages[key].pop("reply_markup", None)
        message = self._message(
            params["chat_id"], params["message_id"], params["text"], params.get("reply_markup")
        )
        return 200, {"ok": True, "result": message}

    def _api_answerCallbackQuery(self, params):
        if not params.get("callback_query_id"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"}
        return 200, {"ok": True, "result": True}

    def _api_setWebhook(self, params):
        self.webhook = dict(params)
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}

    def _api_deleteWebhook(self, _params):
        self.webhook = {}
        return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}

    def _api_getWebhookInfo(self, _params):
        info = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        return 200, {"ok": True, "result": info}
