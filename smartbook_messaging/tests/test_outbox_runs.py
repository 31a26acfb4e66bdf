"""Send runs as in production: committed data, real commits per batch, real HTTP to the
loopback Twilio (tests/fake_twilio.py), runs in their own cursors, threads and processes.

- a run killed with SIGKILL mid-batch, then run again: nothing sent twice, nothing lost
  silently (what was in flight ends failed "interrupted" once the timeout has passed);
- two runs at once send each message exactly once;
- a gateway answering 500 or timing out: retries with backoff, then failed.

Each test commits its clients and messages and removes them afterwards; messages other
tests or the demo data left waiting are held back (next try moved) and put back."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

from .fake_twilio import FakeSmsGateway

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "AC" + "7" * 32
TOKEN = "outbox-run-token"
SENDER = "+15005550006"
COMPANY_SETTINGS = (
    "smartbook_sms_provider",
    "smartbook_sms_api_url",
    "smartbook_sms_account",
    "smartbook_sms_token",
    "smartbook_sms_sender",
    "smartbook_quiet_hours_start",
    "smartbook_quiet_hours_end",
    "smartbook_message_max_attempts",
)
PARAMETERS = ("smartbook_messaging.send_batch_size", "smartbook_messaging.sms_timeout")


def _dbname():
    return odoo.tools.config["db_name"]


@contextmanager
def _env():
    with Registry(_dbname()).cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def _run_send():
    """One run of the send action in its own cursor, committing as the cron does."""
    with _env() as env:
        return env["smartbook.message"]._cron_send()


def _in_threads(count, target):
    """Run ``target`` in ``count`` threads started together (threads, unlike the test's
    own, are not in test mode: the outbox commits); return their results."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def work(index):
        try:
            barrier.wait(timeout=30)
            results[index] = target()
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return results


def _states(ids):
    with _env() as env:
        env.cr.execute(
            "SELECT id, state, attempts, provider_ref, error FROM smartbook_message WHERE id = ANY(%s)", [ids]
        )
        return {row[0]: row[1:] for row in env.cr.fetchall()}


def _execute(statement, params=None):
    with _env() as env:
        env.cr.execute(statement, params)


def _make_due(ids):
    """As if the backoff had passed."""
    _execute("UPDATE smartbook_message SET next_try = next_try - interval '1 day' WHERE id = ANY(%s)", [ids])


@contextmanager
def outbox(fake, count, batch_size=None, max_attempts=3, sms_timeout=None):
    """``count`` consenting clients with one queued SMS each, committed; the company's
    gateway is ``fake``. Yields ``{"messages": [ids], "phones": {message id: phone}}``."""
    token = uuid.uuid4().hex[:8]
    with _env() as env:
        company = env.company
        saved_company = {name: company[name] for name in COMPANY_SETTINGS}
        parameters = env["ir.config_parameter"]
        saved_parameters = {name: parameters.get_param(name) for name in PARAMETERS}
        company.write(
            {
                "smartbook_sms_provider": "twilio",
                "smartbook_sms_api_url": fake.url,
                "smartbook_sms_account": ACCOUNT,
                "smartbook_sms_token": TOKEN,
                "smartbook_sms_sender": SENDER,
                "smartbook_quiet_hours_start": 0.0,
                "smartbook_quiet_hours_end": 0.0,
                "smartbook_message_max_attempts": max_attempts,
            }
        )
        parameters.set_param("smartbook_messaging.send_batch_size", batch_size or False)
        parameters.set_param("smartbook_messaging.sms_timeout", sms_timeout or False)
        env.cr.execute(
            "UPDATE smartbook_message SET next_try = next_try + interval '100 years'"
            " WHERE state = 'queued' RETURNING id"
        )
        held = [row[0] for row in env.cr.fetchall()]
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Outbox Run {token} {index}",
                    "smartbook_client": True,
                    "mobile": f"+3460{index:07d}",
                    "tz": "UTC",
                    "smartbook_consent_sms": True,
                }
                for index in range(count)
            ]
        )
        messages = env["smartbook.message"]._smartbook_enqueue(
            [
                {
                    "channel": "sms",
                    "kind": "reminder",
                    "partner_id": partner.id,
                    "body": f"Reminder {index}",
                    "dedupe_key": f"outbox-run-{token}-{index}",
                }
                for index, partner in enumerate(partners)
            ]
        )
        assert len(messages) == count
        data = {
            "messages": messages.sorted("id").ids,
            "phones": {message.id: message.partner_id.mobile for message in messages},
            "partners": partners.ids,
        }
    try:
        yield data
    finally:
        with _env() as env:
            env.cr.execute("DELETE FROM smartbook_message WHERE id = ANY(%s)", [data["messages"]])
            env["res.partner"].browse(data["partners"]).unlink()
            env.cr.execute(
                "UPDATE smartbook_message SET next_try = next_try - interval '100 years' WHERE id = ANY(%s)",
                [held],
            )
            env.company.write(saved_company)
            for name, value in saved_parameters.items():
                env["ir.config_parameter"].set_param(name, value or False)


def _fake():
    return FakeSmsGateway(account_sid=ACCOUNT, auth_token=TOKEN)


def _requests_per_phone(fake):
    counts = {}
    for request in fake.requests:
        counts[request.form.get("To")] = counts.get(request.form.get("To"), 0) + 1
    return counts


def test_killed_mid_batch_then_rerun_sends_nothing_twice_and_loses_nothing():
    with _fake() as fake, outbox(fake, 15, batch_size=5) as data:
        ids, phones = data["messages"], data["phones"]
        fake.delay = 0.4
        process = subprocess.Popen(  # our own interpreter running Odoo's shell
            [
                sys.executable,
                "-m",
                "odoo",
                "shell",
                f"--addons-path={ROOT}",
                "-d",
                _dbname(),
                "--log-level=warn",
                "--no-http",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "TZ": "UTC"},
        )
        process.stdin.write("env['smartbook.message']._cron_send()\n")
        process.stdin.close()
        try:
            deadline = time.monotonic() + 180
            # Kill it in the middle of its second batch: five answered, the sixth and
            # seventh received by the gateway.
            while len(fake.requests) < 7:
                assert process.poll() is None, "the send run ended before it could be killed"
                assert time.monotonic() < deadline, "the send run never reached its second batch"
                time.sleep(0.02)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)
        fake.delay = 0.0
        # Let PostgreSQL notice the dead connection and roll its transaction back.
        time.sleep(1)
        states = _states(ids)
        by_state = {}
        for message_id, (state, *_rest) in states.items():
            by_state.setdefault(state, []).append(message_id)
        assert sorted(by_state) == ["queued", "sending", "sent"], by_state
        assert by_state["sent"] == ids[:5]
        assert by_state["sending"] == ids[5:10]
        in_flight_requests = len(fake.requests)

        # Run again at once: the third batch goes, the second is not touched (its run
        # may still be alive as far as anyone can tell).
        assert _in_threads(1, _run_send) == [5]
        states = _states(ids)
        assert [states[i][0] for i in ids[10:]] == ["sent"] * 5
        assert [states[i][0] for i in ids[5:10]] == ["sending"] * 5
        assert len(fake.requests) == in_flight_requests + 5

        # Once the timeout has passed, the second batch is failed "interrupted": visible,
        # never resent by itself.
        _execute(
            "UPDATE smartbook_message SET sending_since = sending_since - interval '11 minutes'"
            " WHERE id = ANY(%s) AND state = 'sending'",
            [ids],
        )
        assert _in_threads(1, _run_send) == [0]
        states = _states(ids)
        for message_id in ids[5:10]:
            state, attempts, ref, error = states[message_id]
            assert state == "failed" and "Interrupted, delivery unknown" in error, states[message_id]
        assert len(fake.requests) == in_flight_requests + 5

        # Nothing twice, nothing lost: each number reached at most once; every message sent
        # was received, with the provider's id recorded.
        per_phone = _requests_per_phone(fake)
        assert max(per_phone.values()) == 1, per_phone
        sids = {request.form["To"]: request.sid for request in fake.requests}
        for message_id in ids[:5] + ids[10:]:
            state, attempts, ref, _error = states[message_id]
            assert (state, attempts) == ("sent", 1)
            assert ref == sids[phones[message_id]]
        assert all(states[i][0] in ("sent", "failed") for i in ids)


def test_two_runs_at_once_send_each_message_once():
    with _fake() as fake, outbox(fake, 200, batch_size=20) as data:
        ids, phones = data["messages"], data["phones"]
        fake.delay = 0.01
        done = _in_threads(2, _run_send)
        assert sum(done) == 200, done
        assert all(done), f"one run sent nothing, so nothing ran at once: {done}"
        per_phone = _requests_per_phone(fake)
        assert len(per_phone) == 200 and set(per_phone.values()) == {1}, per_phone
        states = _states(ids)
        sids = {request.form["To"]: request.sid for request in fake.requests}
        assert {states[i][0] for i in ids} == {"sent"}
        assert all(states[i][2] == sids[phones[i]] for i in ids)


def test_gateway_500_then_timeouts_retry_then_fail():
    with _fake() as fake, outbox(fake, 3, max_attempts=3, sms_timeout=0.5) as data:
        ids = data["messages"]
        fake.fail(status=500)
        for attempt in (1, 2):
            assert _in_threads(1, _run_send) == [3]
            states = _states(ids)
            assert {states[i][:2] for i in ids} == {("queued", attempt)}, states
            # Not due before the backoff: a run now sends nothing...
            assert _in_threads(1, _run_send) == [0]
            # ...once it has passed, the next attempt goes.
            _execute(
                "UPDATE smartbook_message SET next_try = next_try - interval '1 day' WHERE id = ANY(%s)",
                [ids],
            )
        assert _in_threads(1, _run_send) == [3]
        states = _states(ids)
        for message_id in ids:
            state, attempts, _ref, error = states[message_id]
            assert (state, attempts) == ("failed", 3)
            assert "Gave up after 3 attempts" in error
        assert len(fake.requests) == 9

    # A gateway that does not answer in time: a retry, then through once it answers.
    with _fake() as fake, outbox(fake, 2, max_attempts=3, sms_timeout=0.5) as data:
        ids = data["messages"]
        fake.hang(2.0)
        assert _in_threads(1, _run_send) == [2]
        states = _states(ids)
        assert {states[i][:2] for i in ids} == {("queued", 1)}, states
        assert all(states[i][3] for i in ids)
        fake.reset()
        _execute(
            "UPDATE smartbook_message SET next_try = next_try - interval '1 day' WHERE id = ANY(%s)", [ids]
        )
        assert _in_threads(1, _run_send) == [2]
        states = _states(ids)
        assert {states[i][:2] for i in ids} == {("sent", 2)}, states
