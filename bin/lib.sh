# Shared by bin/smartbook-demo and bin/smartbook-test: find the Python that runs
# Odoo 18.0, check PostgreSQL, and say in one line what is missing.
# shellcheck shell=bash

SMARTBOOK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMARTBOOK_PYTHON=${SMARTBOOK_PYTHON:-python3}
SMARTBOOK_ADDONS=smartbook_crm,smartbook_booking,smartbook_messaging,smartbook_website
export TZ=UTC  # as odoo-bin does: the server computes in UTC

sb_die() {
    echo "smartbook: $*" >&2
    exit 2
}

sb_check_odoo() {
    command -v "$SMARTBOOK_PYTHON" >/dev/null 2>&1 ||
        sb_die "no Python at '$SMARTBOOK_PYTHON' (set SMARTBOOK_PYTHON to the Python that runs Odoo 18.0)"
    "$SMARTBOOK_PYTHON" -c 'import sys, odoo.release as r; sys.exit(r.version_info[0] != 18)' >/dev/null 2>&1 ||
        sb_die "Odoo 18.0 is not importable from '$SMARTBOOK_PYTHON' (see README: Prerequisites; or set SMARTBOOK_PYTHON)"
}

# PostgreSQL is found the libpq way: PGHOST, PGPORT, PGUSER, PGPASSWORD, else the local socket.
sb_check_postgres() {
    "$SMARTBOOK_PYTHON" -c 'import psycopg2; psycopg2.connect(dbname="postgres").close()' >/dev/null 2>&1 ||
        sb_die "PostgreSQL is not reachable (start it, or set PGHOST/PGPORT/PGUSER)"
}

sb_drop_db() {
    "$SMARTBOOK_PYTHON" - "$1" <<'PY'
import sys
import psycopg2
from psycopg2 import sql

conn = psycopg2.connect(dbname="postgres")
conn.autocommit = True
with conn.cursor() as cr:
    cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [sys.argv[1]])
    cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(sys.argv[1])))
conn.close()
PY
}

sb_odoo() {
    "$SMARTBOOK_PYTHON" -m odoo --addons-path="$SMARTBOOK_ROOT" "$@"
}
