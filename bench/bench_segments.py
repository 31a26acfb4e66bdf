"""Segment count benchmark: how long one segment takes to count 100,000 clients.

    .venv/bin/python bench/bench_segments.py
    .venv/bin/python bench/bench_segments.py --runs 9

Uses the shared database smartbook_bench_100k (generated the first time, which
takes a few minutes; bench_export.py uses it too). Creates one segment per kind
of criterion plus a combined one, counts each as the administrator from a fresh
cursor (cold ORM caches, as in a new request) several times, prints the median
beside the target (300 ms), then deletes the segments. The client tables are
ANALYZEd first, as autovacuum would have done on a live server.
"""
# pylint: disable=print-used
# A command-line tool: it reports to its user on standard output.

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import ensure_database  # noqa: E402

DATABASE = "smartbook_bench_100k"
CLIENTS = 100_000
TARGET_MS = 300


def open_bench_database(dbname=DATABASE, clients=CLIENTS):
    """(odoo, registry) of the shared benchmark database, with fresh planner statistics."""
    odoo, registry = ensure_database(dbname, clients)
    with registry.cursor() as cr:
        # Planner statistics as autovacuum keeps them on a live server (it may be
        # off on a benchmark machine): without them PostgreSQL plans for the
        # empty tables it last saw, not for 100,000 clients.
        cr.execute("ANALYZE res_partner, res_partner_res_partner_category_rel")
    return odoo, registry


def segment_kinds(env):
    """(label, values) of the segments measured."""
    tags = {tag.name: tag.id for tag in env["res.partner.category"].search([])}
    sources = env["smartbook.source"].search([], limit=2).ids
    vip = tags.get("VIP") or next(iter(tags.values()))
    regular = tags.get("Regular") or vip
    last_year = date.today() - timedelta(days=365)
    return [
        ("tags (any of 2)", {"tag_ids": [(6, 0, [vip, regular])]}),
        ("tags (all of 2)", {"tag_ids": [(6, 0, [vip, regular])], "tag_match": "all"}),
        ("excluded tag", {"excluded_tag_ids": [(6, 0, [vip])]}),
        ("source", {"source_ids": [(6, 0, sources)]}),
        ("consent (SMS + marketing)", {"consent_sms": "given", "consent_marketing": "given"}),
        ("blacklisted only", {"blacklist_filter": "only"}),
        ("gender", {"gender": "female"}),
        ("age range 25-40", {"age_min": 25, "age_max": 40}),
        ("birthday next 30 days", {"birthday_filter": "next_days", "birthday_days": 30}),
        ("birthday in March", {"birthday_filter": "month", "birthday_month": "3"}),
        ("city", {"city": "Madrid, Sevilla"}),
        ("created in the last year", {"created_from": last_year}),
        (
            "combined",
            {
                "tag_ids": [(6, 0, [vip, regular])],
                "source_ids": [(6, 0, sources)],
                "consent_sms": "given",
                "blacklist_filter": "exclude",
                "gender": "female",
                "age_min": 18,
                "age_max": 60,
                "birthday_filter": "next_days",
                "birthday_days": 30,
            },
        ),
    ]


def measure(odoo, registry, segment_id, user_id, runs):
    """Median seconds of counting the segment from a fresh cursor, and the count."""
    timings, count = [], None
    for _run in range(runs + 1):  # the first run warms PostgreSQL's buffers up
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, user_id, {"tz": "UTC", "lang": "en_US"})
            started = time.perf_counter()
            count = env["smartbook.segment"].browse(segment_id).client_count
            timings.append(time.perf_counter() - started)
            cr.rollback()
    return statistics.median(timings[1:]), count


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--database", default=DATABASE)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    os.environ["TZ"] = "UTC"
    odoo, registry = open_bench_database(args.database)
    with registry.cursor() as cr:  # commits when the block ends without error
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin_id = env.ref("base.user_admin").id
        total = env["res.partner"].search_count([("smartbook_client", "=", True)])
        Segment = env["smartbook.segment"]
        segment_ids = [
            (label, Segment.create({"name": f"bench: {label}", "blacklist_filter": False, **vals}).id)
            for label, vals in segment_kinds(env)
        ]
    print(f"{total} clients in {args.database}; median of {args.runs} counts from a fresh cursor, as admin\n")
    results = []
    try:
        for label, segment_id in segment_ids:
            seconds, count = measure(odoo, registry, segment_id, admin_id, args.runs)
            results.append(seconds)
            verdict = "ok" if seconds * 1000 < TARGET_MS else "OVER TARGET"
            print(
                f"count {label:28} {count:7} clients {seconds * 1000:7.1f} ms"
                f"   target {TARGET_MS} ms   {verdict}",
                flush=True,
            )
    finally:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["smartbook.segment"].browse([segment_id for _label, segment_id in segment_ids]).unlink()
    print(f"\nslowest segment: {max(results) * 1000:.1f} ms (target {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
