# Shared by the SmartBook commands: run the set-up step, then find the Python that
# runs Odoo 18.0; a missing piece is said in one line (exit status 2).
# shellcheck shell=bash

SMARTBOOK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMARTBOOK_ADDONS=smartbook_crm,smartbook_booking,smartbook_messaging,smartbook_website
export TZ=UTC  # as odoo-bin does: the server computes in UTC

sb_die() {
    echo "smartbook: $*" >&2
    exit 2
}

# The set-up step (bin/smartbook-setup): .venv with Odoo 18.0 and the requirements, PostgreSQL,
# Chromium with --browser. Quick once done; SMARTBOOK_PYTHON, when set, names an existing Odoo.
sb_setup() {
    "$SMARTBOOK_ROOT/bin/smartbook-setup" "$@" || exit $?
    SMARTBOOK_PYTHON=${SMARTBOOK_PYTHON:-$SMARTBOOK_ROOT/.venv/bin/python}
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
