"""Plain unit tests of tools/telegram.py (no database)."""

import logging

import pytest

from odoo.addons.smartbook_messaging.tools.telegram import (
    CALLBACK_DATA_MAX_BYTES,
    RedactSecretsFilter,
    SendPacer,
    derive_key,
    is_command,
    is_link_token,
    new_link_token,
    parse_start_payload,
    redact_secrets,
    round_robin,
    sign_callback,
    truncate_text,
    verify_callback,
)

KEY = derive_key("database-secret", "smartbook_messaging.telegram.callback")


def test_callback_round_trip_and_size():
    for action, name in (("c", "confirm"), ("x", "cancel")):
        data = sign_callback(KEY, action, 42, "100200300")
        assert verify_callback(KEY, data, "100200300") == (name, 42)
    # The largest ids still fit Telegram's 64 bytes.
    data = sign_callback(KEY, "x", 2**63 - 1, "-1001234567890123")
    assert len(data.encode()) <= CALLBACK_DATA_MAX_BYTES
    assert verify_callback(KEY, data, "-1001234567890123") == ("cancel", 2**63 - 1)


def test_forged_callbacks_are_refused():
    data = sign_callback(KEY, "c", 42, "555")
    action, booking_id, signature = data.split(":")
    assert verify_callback(KEY, data, "556") is None, "signed for another chat"
    assert verify_callback(KEY, f"{action}:43:{signature}", "555") is None, "another booking"
    assert verify_callback(KEY, f"x:{booking_id}:{signature}", "555") is None, "another action"
    assert verify_callback(KEY, f"{action}:{booking_id}:{'A' * len(signature)}", "555") is None
    assert (
        verify_callback(derive_key("other-db", "smartbook_messaging.telegram.callback"), data, "555") is None
    )
    for junk in (None, "", "c:42", "c:-1:abc", "z:42:" + signature, "c:42:" + signature + ":x", "c" * 65):
        assert verify_callback(KEY, junk, "555") is None
    with pytest.raises(ValueError):
        sign_callback(KEY, "delete", 42, "555")


def test_derived_keys_differ_per_purpose():
    assert derive_key("s", "a") != derive_key("s", "b")
    assert derive_key("s", "a") != derive_key("t", "a")


def test_link_tokens():
    tokens = {new_link_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(is_link_token(token) and len(token) <= 64 for token in tokens)
    assert not is_link_token("")
    assert not is_link_token("a" * 65)
    assert not is_link_token("abc def")
    assert not is_link_token("abc/def")


def test_commands():
    assert parse_start_payload("/start abc_DEF-1") == "abc_DEF-1"
    assert parse_start_payload("/start") == ""
    assert parse_start_payload("/start@my_bot tok") == "tok"
    assert parse_start_payload("/stop") is None
    assert parse_start_payload("hello /start x") is None
    assert parse_start_payload(None) is None
    assert is_command("/stop", "stop")
    assert is_command(" /stop@my_bot now", "stop")
    assert not is_command("stop", "stop")
    assert not is_command("/stopped", "stop")


def test_truncate_text():
    assert truncate_text("abc") == "abc"
    assert truncate_text(None) == ""
    long = truncate_text("x" * 5000)
    assert len(long) == 4096 and long.endswith("…")


def test_round_robin_interleaves_chats_keeping_each_chats_order():
    items = [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("c", 1), ("c", 2)]
    ordered = round_robin(items, key=lambda item: item[0])
    assert ordered == [("a", 1), ("b", 1), ("c", 1), ("a", 2), ("c", 2), ("a", 3)]
    assert round_robin([], key=lambda item: item) == []


def test_pacer_spaces_sends_overall_and_per_chat():
    pacer = SendPacer(rate=10, chat_interval=1.0)
    starts = [pacer.reserve(chat, now=0.0) for chat in ("a", "b", "c", "a", "b")]
    assert starts == pytest.approx([0.0, 0.1, 0.2, 1.0, 1.1])
    # Later calls never start before "now".
    assert pacer.reserve("d", now=5.0) == pytest.approx(5.0)


def test_pacer_hold_delays_every_later_send():
    pacer = SendPacer(rate=30, chat_interval=1.0)
    pacer.reserve("a", now=0.0)
    pacer.hold(3.0)
    pacer.hold(2.0)  # a shorter hold never shortens the current one
    assert pacer.held_until == 3.0
    assert pacer.reserve("b", now=0.5) == pytest.approx(3.0)
    assert pacer.reserve("c", now=0.5) == pytest.approx(3.0 + 1 / 30)


def test_secrets_are_redacted_from_request_logs():
    line = 'HTTP Request: POST http://127.0.0.1:5/bot123:ABC-def_/sendMessage "HTTP/1.1 200 OK"'
    assert (
        redact_secrets(line) == 'HTTP Request: POST http://127.0.0.1:5/bot***/sendMessage "HTTP/1.1 200 OK"'
    )
    assert redact_secrets('"POST /smartbook/telegram/s3cr-et_X HTTP/1.1" 200') == (
        '"POST /smartbook/telegram/*** HTTP/1.1" 200'
    )
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "HTTP Request: %s %s %d",
        ("POST", "http://h/bot1:x/getMe", 200),
        None,
    )
    assert RedactSecretsFilter().filter(record)
    assert record.getMessage() == "HTTP Request: POST http://h/bot***/getMe 200"
