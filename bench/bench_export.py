"""Client export benchmark: every client of a 100,000-client base to XLSX (and CSV).

    .venv/bin/python bench/bench_export.py
    .venv/bin/python bench/bench_export.py --formats xlsx

Uses the shared database smartbook_bench_100k (see bench_segments.py). Runs the
export wizard as the administrator on the client list's whole filter, all
columns, and prints the time beside the target: under 30 s for XLSX; CSV is
for information. Nothing is kept: the transaction is rolled back.
"""
# pylint: disable=print-used
# A command-line tool: it reports to its user on standard output.

import argparse
import base64
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_segments import DATABASE, open_bench_database  # noqa: E402

TARGET_SECONDS = {"xlsx": 30}


def run_export(odoo, registry, file_format):
    """Export every client; return (seconds, clients, file size in bytes)."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        context = {"active_model": "res.partner", "active_ids": [], "active_domain": [], "tz": "UTC"}
        Wizard = env["smartbook.client.export"].with_user(admin).with_context(**context)
        started = time.monotonic()
        wizard = Wizard.create({"file_format": file_format})
        wizard.action_export()
        env.flush_all()
        seconds = time.monotonic() - started
        clients = wizard.client_count
        size = len(base64.b64decode(wizard.file_data))
        cr.rollback()
    return seconds, clients, size


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--database", default=DATABASE)
    parser.add_argument("--formats", default="xlsx,csv", help="comma-separated: xlsx, csv")
    args = parser.parse_args(argv)

    os.environ["TZ"] = "UTC"
    odoo, registry = open_bench_database(args.database)
    for file_format in args.formats.split(","):
        seconds, clients, size = run_export(odoo, registry, file_format)
        target = TARGET_SECONDS.get(file_format)
        verdict = ("ok" if seconds < target else "OVER TARGET") if target else "(for information)"
        target_text = f"target {target} s" if target else "no target"
        print(
            f"export of {clients} clients to {file_format.upper():4} {seconds:6.1f} s"
            f" ({size / 1e6:.1f} MB)   {target_text}   {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
