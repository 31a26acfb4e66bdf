"""Fill a SmartBook database with generated data: the demo's generator, scaled.

    .venv/bin/python bench/generate.py -d smartbook_bench --init --clients 100000
    .venv/bin/python bench/generate.py -d smartbook_demo --scale 2

--init (re)creates the database with the four addons and no demo data first.
Every part the installed addons know is generated (clients now; staff,
services and booking history once smartbook_booking has them).
"""
# pylint: disable=print-used
# A command-line tool: it reports to its user on standard output.

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.common import ADDONS, drop_database, execute, query, run_odoo  # noqa: E402


def init_database(dbname):
    drop_database(dbname)
    result = run_odoo(
        "server", "-d", dbname, "-i", ",".join(ADDONS), "--without-demo=all", "--stop-after-init"
    )
    if result.returncode:
        sys.exit(f"installing the addons into {dbname} failed:\n{result.stderr[-4000:]}")


def source_fingerprint():
    """A hash of the addons' files: a benchmark database made with other code is updated."""
    digest = hashlib.sha256()
    for path in sorted(path for addon in ADDONS for path in (ROOT / addon).rglob("*") if path.is_file()):
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def update_if_code_changed(dbname):
    fingerprint = source_fingerprint()
    key = "smartbook.bench_source_fingerprint"
    if query(dbname, "SELECT value FROM ir_config_parameter WHERE key = %s", [key]) == [(fingerprint,)]:
        return
    print(f"updating the SmartBook addons in {dbname}...", flush=True)
    result = run_odoo("server", "-d", dbname, "-u", ",".join(ADDONS), "--stop-after-init")
    if result.returncode:
        sys.exit(f"updating the addons in {dbname} failed:\n{result.stderr[-4000:]}")
    execute(
        dbname,
        "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)"
        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [key, fingerprint],
    )


def ensure_database(dbname, clients):
    """Return (odoo, registry) of ``dbname`` holding at least ``clients`` clients,
    creating the database and generating what is missing. Benchmarks share it."""
    exists = query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
    if not exists:
        init_database(dbname)
    else:
        update_if_code_changed(dbname)
    odoo, registry = open_env(dbname)
    with registry.cursor() as cr:  # commits when the block ends without error
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        missing = clients - env["res.partner"].search_count([("smartbook_client", "=", True)])
        if missing > 0:
            print(f"generating {missing} clients into {dbname}...", flush=True)
            env["smartbook.demo"]._generate(sizes={"clients": missing})
            analyze(cr)
    return odoo, registry


def analyze(cr):
    """Fresh planner statistics after a bulk load, as autovacuum would give a
    live server in time (it is off on some machines)."""
    cr.execute("ANALYZE")


def open_env(dbname):
    import odoo  # pylint: disable=import-outside-toplevel

    odoo.tools.config.parse_config(["-d", dbname, f"--addons-path={ROOT}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(dbname)
    return odoo, registry


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--init", action="store_true", help="re-create the database without demo data first")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the demo's sizes (150 clients)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--clients", type=int, help="number of clients (overrides --scale)")
    args = parser.parse_args(argv)

    os.environ["TZ"] = "UTC"
    if args.init:
        init_database(args.database)
    odoo, registry = open_env(args.database)
    sizes = {"clients": args.clients} if args.clients else {}
    started = time.monotonic()
    with registry.cursor() as cr:  # commits when the block ends without error
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        made = env["smartbook.demo"]._generate(scale=args.scale, seed=args.seed, sizes=sizes)
        analyze(cr)
    print(f"generated {made} in {time.monotonic() - started:.1f}s into {args.database}")


if __name__ == "__main__":
    main()
