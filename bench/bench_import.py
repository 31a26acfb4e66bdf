"""Client import benchmark: 50,000 clients from CSV and from XLSX, each into a fresh database.

    .venv/bin/python bench/bench_import.py
    .venv/bin/python bench/bench_import.py --rows 5000 --formats csv

Builds the files from the demo generator (names in five countries, E.164 phones,
tags, sources, consents) into bench/data/, then for each file re-creates the
database with the four addons and no demo data and runs the import wizard as the
administrator: load (read, guess the columns) then import. The dry run is timed
too, for information. Target: under 60 s per file for 50,000 rows.
"""
# pylint: disable=print-used
# A command-line tool: it reports to its user on standard output.

import argparse
import base64
import csv
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import init_database, open_env  # noqa: E402


def _load_tools():
    # The generator is pure Python; importing it through the addon package would
    # need Odoo's addons path first. The tools folder is loaded as a package of
    # its own, so that its modules' relative imports work.
    tools = ROOT / "smartbook_crm" / "tools"
    spec = importlib.util.spec_from_file_location(
        "smartbook_crm_tools", tools / "__init__.py", submodule_search_locations=[str(tools)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    return importlib.import_module(f"{spec.name}.demo_data"), importlib.import_module(
        f"{spec.name}.personal_data"
    )


demo_data, personal_data = _load_tools()

TARGET_SECONDS = 60
DATA_DIR = ROOT / "bench" / "data"
TAGS = ("VIP", "Regular", "New", "Student", "Corporate")
SOURCES = ("Instagram", "Google", "Friend's Recommendation", "Walk-in", "Website", "Flyer")
HEADER = [
    "First Name", "Last Name", "Phone", "Email", "Birthday", "Gender", "Country", "Tags", "Source",
    "Cannot Book", "SMS Consent", "Telegram Consent", "Email Consent", "Marketing Consent",
]  # fmt: skip


def file_rows(count):
    for row in demo_data.client_rows(count, seed=4242):
        yield [
            row["first_name"],
            row["last_name"],
            row["phone"],
            row["email"],
            row["birthday"],
            row["gender"],
            row["country_code"],
            ", ".join(TAGS[index] for index in row["tag_indices"]),
            SOURCES[row["source_index"]],
            row["blacklisted"],
            *(row["consents"][channel] for channel in personal_data.CONSENT_CHANNELS),
        ]


def write_csv(path, count):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for row in file_rows(count):
            writer.writerow(
                [value.isoformat() if hasattr(value, "isoformat") else "1" if value is True else
                 "0" if value is False else value for value in row]
            )  # fmt: skip


def write_xlsx(path, count):
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Clients")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(file_rows(count), start=1):
        for column, value in enumerate(row):
            if column == 4:
                sheet.write_datetime(number, column, value, date_format)
            else:
                sheet.write(number, column, value)
    workbook.close()


def run_import(dbname, path):
    """Import ``path`` into ``dbname`` as the administrator; return the timings
    and the wizard's counts."""
    odoo, registry = open_env(dbname)
    data = base64.b64encode(path.read_bytes())
    with registry.cursor() as cr:  # commits when the block ends without error
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        Wizard = env["smartbook.client.import"].with_user(admin)
        started, cpu_started = time.monotonic(), time.process_time()
        wizard = Wizard.create({"file": data, "file_name": path.name})
        wizard.action_load()
        loaded, cpu_loaded = time.monotonic(), time.process_time()
        wizard.action_check()
        checked, cpu_checked = time.monotonic(), time.process_time()
        wizard.action_import()
        env.flush_all()
        imported, cpu_imported = time.monotonic(), time.process_time()
        counts = (wizard.new_count, wizard.updated_count, wizard.skipped_count, wizard.error_count)
    timings = {
        "load": loaded - started,
        "dry_run": checked - loaded,
        "import": imported - checked,
        # Odoo's own CPU time: what other processes on the machine cannot inflate.
        "cpu": (cpu_loaded - cpu_started) + (cpu_imported - cpu_checked),
    }
    return timings, counts


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--database", default="smartbook_bench_import")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv, xlsx")
    parser.add_argument("--import-file", help=argparse.SUPPRESS)  # one import, in a process of its own
    args = parser.parse_args(argv)

    os.environ["TZ"] = "UTC"
    if args.import_file:
        timings, counts = run_import(args.database, Path(args.import_file))
        print(json.dumps({"timings": timings, "counts": counts}))
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    writers = {"csv": write_csv, "xlsx": write_xlsx}
    results = []
    for file_format in args.formats.split(","):
        path = DATA_DIR / f"clients_{args.rows}.{file_format}"
        if not path.exists():
            print(f"writing {path.relative_to(ROOT)}...", flush=True)
            writers[file_format](path, args.rows)
        print(f"re-creating {args.database} for the {file_format} import...", flush=True)
        init_database(args.database)
        # A fresh process per database: Odoo's configuration and registry are per process.
        child = subprocess.run(
            [sys.executable, __file__, "-d", args.database, "--import-file", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            sys.exit(f"the {file_format} import failed:\n{child.stderr[-4000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        timings, counts = result["timings"], result["counts"]
        total = timings["load"] + timings["import"]
        results.append((file_format, total, timings, counts))
        new, updated, skipped, errors = counts
        print(
            f"{file_format}: {total:.1f}s (load {timings['load']:.1f}s + import {timings['import']:.1f}s, "
            f"Odoo's own CPU {timings['cpu']:.1f}s; dry run {timings['dry_run']:.1f}s): "
            f"{new} new, {updated} updated, {skipped} skipped, {errors} errors",
            flush=True,
        )
    print()
    for file_format, total, _timings, counts in results:
        verdict = "ok" if total < TARGET_SECONDS and counts[0] == args.rows else "OVER TARGET"
        if counts[0] != args.rows:
            verdict = f"only {counts[0]} of {args.rows} imported"
        print(
            f"import of {args.rows} rows from {file_format.upper():4} {total:6.1f} s"
            f"   target {TARGET_SECONDS} s   {verdict}"
        )


if __name__ == "__main__":
    main()
