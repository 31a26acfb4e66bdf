"""Outbox dispatch benchmark: `.venv/bin/python bench/bench_outbox.py`

Data (database smartbook_bench_outbox, made on first run): 10,000 clients with a mobile
number and SMS consent. Each run queues one SMS per client (through
`smartbook.message._smartbook_enqueue`), points the company's Twilio settings at the
loopback gateway of the tests (smartbook_messaging/tests/fake_twilio.py, run in its own
process so it does not share this one's CPU), then runs the send action as the cron does
(batches, a commit per batch) and reports:
- the dispatch time of the 10,000 messages: target under 60 s;
- duplicates (numbers the gateway received more than once): target 0, and every message
  'sent' with the gateway's id;
- resident memory of this process at the start, middle and end of the dispatch: target
  flat (end within 50 MB of start).
"""
# pylint: disable=print-used
# A benchmark: it reports its figures on standard output.

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import ensure_database  # noqa: E402

DBNAME = "smartbook_bench_outbox"
MESSAGES = 10_000
TARGET_SECONDS = 60
TARGET_RSS_GROWTH_MB = 50
ACCOUNT = "AC" + "9" * 32
TOKEN = "bench-outbox-token"
FAKES = ROOT / "smartbook_messaging" / "tests"

# The gateway, in a child process: prints its URL, serves until stdin closes, then
# prints what it received as JSON. The fakes are imported as a bare package: the tests'
# __init__ would load Odoo.
GATEWAY = """
import importlib, json, sys, types
fakes = types.ModuleType("fakes")
fakes.__path__ = [sys.argv[1]]
sys.modules["fakes"] = fakes
module = importlib.import_module("fakes.fake_twilio")
fake = module.FakeSmsGateway(account_sid=sys.argv[2], auth_token=sys.argv[3]).start()
print(fake.url, flush=True)
sys.stdin.read()
requests = fake.requests
print(json.dumps({
    "requests": len(requests),
    "accepted": len([r for r in requests if r.sid]),
    "per_number": fake.count_by("To"),
    "sids": {r.form.get("To"): r.sid for r in requests if r.sid},
}), flush=True)
fake.stop()
"""


def rss_mb():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def ensure_clients(odoo, registry, count):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        Partner = env["res.partner"].with_context(active_test=False)
        existing = Partner.search_count([("name", "=like", "Outbox bench %")])
        if existing < count:
            print(f"making {count - existing} clients with SMS consent...", flush=True)
            Partner.create(
                [
                    {
                        "name": f"Outbox bench {index}",
                        "smartbook_client": True,
                        "mobile": f"+3461{index:07d}",
                        "tz": "UTC",
                        "smartbook_consent_sms": True,
                    }
                    for index in range(existing, count)
                ]
            )
        return Partner.search([("name", "=like", "Outbox bench %")], order="id", limit=count).ids


def prepare(odoo, registry, partner_ids, gateway_url):
    """Configure the gateway, clear earlier runs' messages, queue one SMS per client."""
    run = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        env.company.write(
            {
                "smartbook_sms_provider": "twilio",
                "smartbook_sms_api_url": gateway_url,
                "smartbook_sms_account": ACCOUNT,
                "smartbook_sms_token": TOKEN,
                "smartbook_sms_sender": "+15005550006",
                "smartbook_quiet_hours_start": 0.0,
                "smartbook_quiet_hours_end": 0.0,
            }
        )
        cr.execute("DELETE FROM smartbook_message")
        started = time.monotonic()
        messages = env["smartbook.message"]._smartbook_enqueue(
            [
                {
                    "channel": "sms",
                    "kind": "reminder",
                    "partner_id": partner_id,
                    "body": f"Reminder: see you tomorrow at 10:00 ({index}).",
                    "dedupe_key": f"bench-outbox-{run}-{index}",
                }
                for index, partner_id in enumerate(partner_ids)
            ]
        )
        enqueue_seconds = time.monotonic() - started
        count = len(messages)
    return count, enqueue_seconds


def dispatch(odoo, registry, gateway_done):
    """Run the send action; sample this process's memory at start, middle and end."""
    samples = {"start": rss_mb()}
    stop = threading.Event()

    def watch():
        while not stop.wait(0.2):
            if "middle" not in samples and gateway_done() >= MESSAGES // 2:
                samples["middle"] = rss_mb()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        sent = env["smartbook.message"]._cron_send()
    seconds = time.monotonic() - started
    stop.set()
    watcher.join()
    samples["end"] = rss_mb()
    return sent, seconds, samples


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    odoo, registry = ensure_database(DBNAME, clients=0)
    partner_ids = ensure_clients(odoo, registry, MESSAGES)
    gateway = subprocess.Popen(  # our own interpreter running the test gateway
        [sys.executable, "-c", GATEWAY, str(FAKES), ACCOUNT, TOKEN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = gateway.stdout.readline().strip()
        queued, enqueue_seconds = prepare(odoo, registry, partner_ids, url)
        print(f"queued {queued} SMS in {enqueue_seconds:.1f} s")

        def gateway_done():
            # Messages the database knows as handled, read from another connection.
            with registry.cursor() as cr:
                cr.execute("SELECT count(*) FROM smartbook_message WHERE state <> 'queued'")
                return cr.fetchone()[0]

        sent, seconds, rss = dispatch(odoo, registry, gateway_done)
        gateway.stdin.close()
        report = json.loads(gateway.stdout.readline())
    finally:
        if not gateway.stdin.closed:
            gateway.stdin.close()
        gateway.wait(timeout=30)
    with registry.cursor() as cr:
        cr.execute("SELECT state, count(*) FROM smartbook_message GROUP BY state")
        states = dict(cr.fetchall())
        cr.execute("SELECT partner_id, provider_ref FROM smartbook_message WHERE state = 'sent'")
        refs = cr.fetchall()
        cr.execute("SELECT id, mobile FROM res_partner WHERE id = ANY(%s)", [partner_ids])
        mobiles = dict(cr.fetchall())
    duplicates = sum(count - 1 for count in report["per_number"].values() if count > 1)
    wrong_refs = sum(1 for partner_id, ref in refs if report["sids"].get(mobiles[partner_id]) != ref)
    print(
        f"dispatch of {sent} SMS: {seconds:.1f} s ({sent / seconds:.0f} messages/s)"
        f"  target < {TARGET_SECONDS} s"
    )
    print(
        f"gateway received {report['requests']} requests, accepted {report['accepted']}; "
        f"duplicates {duplicates}  target 0; states {states}; provider ids not matching {wrong_refs}"
    )
    growth = rss["end"] - rss["start"]
    print(
        f"resident memory: start {rss['start']:.0f} MB, middle {rss.get('middle', float('nan')):.0f} MB, "
        f"end {rss['end']:.0f} MB (growth {growth:+.0f} MB)  target flat, < {TARGET_RSS_GROWTH_MB} MB growth"
    )
    ok = (
        seconds < TARGET_SECONDS
        and duplicates == 0
        and states == {"sent": MESSAGES}
        and not wrong_refs
        and growth < TARGET_RSS_GROWTH_MB
    )
    print("all targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
