"""Helpers for the cross-addon scenarios: run the project's own commands and
Odoo in subprocesses against throwaway databases on the local PostgreSQL."""

import os
import socket
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["smartbook_crm", "smartbook_booking", "smartbook_messaging", "smartbook_website"]


def command_env(**overrides):
    env = dict(os.environ, SMARTBOOK_PYTHON=sys.executable, TZ="UTC")
    env.update(overrides)
    return env


def run_odoo(command, *args, input_text=None, timeout=900):
    """Run an Odoo command (``server``, ``shell``...) with SmartBook's addons path."""
    return subprocess.run(
        [sys.executable, "-m", "odoo", command, f"--addons-path={ROOT}", "--log-level=warn", *args],
        env=command_env(),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def drop_database(name):
    with closing(psycopg2.connect(dbname="postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@contextmanager
def throwaway_database(name):
    drop_database(name)
    try:
        yield name
    finally:
        drop_database(name)


def execute(dbname, statement, params=None):
    with closing(psycopg2.connect(dbname=dbname)) as conn, conn.cursor() as cr:
        cr.execute(statement, params)
        conn.commit()


def query(dbname, statement, params=None):
    with closing(psycopg2.connect(dbname=dbname)) as conn, conn.cursor() as cr:
        cr.execute(statement, params)
        return cr.fetchall()


def free_port():
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
