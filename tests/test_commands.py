"""The two README commands, run as a person would run them."""

import signal
import subprocess
import time

import requests

import odoo

from .common import ROOT, command_env, free_port, query, throwaway_database
from .test_install_uninstall import assert_nothing_left, uninstall_smartbook

COMMANDS = [ROOT / "bin" / "smartbook-demo", ROOT / "bin" / "smartbook-test"]


def run_command(path, **env):
    return subprocess.run(
        [str(path)], env=command_env(**env), capture_output=True, text=True, timeout=60, check=False
    )


def test_commands_explain_missing_odoo():
    for path in COMMANDS:
        result = run_command(path, SMARTBOOK_PYTHON="/nonexistent/python3")
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert "SMARTBOOK_PYTHON" in result.stderr


def test_commands_explain_missing_postgresql(tmp_path):
    for path in COMMANDS:
        # An empty socket directory: libpq finds no server there.
        result = run_command(path, PGHOST=str(tmp_path), PGPORT="5999")
        assert result.returncode == 2
        assert (
            result.stderr.strip()
            == "smartbook: PostgreSQL is not reachable (start it, or set PGHOST/PGPORT/PGUSER)"
        )


def wait_for_login_page(url, server, deadline_seconds=600):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the demo command stopped before serving"
        try:
            response = requests.get(url, timeout=60)
        except (requests.ConnectionError, requests.Timeout):
            response = None  # not listening yet, or still building the page's assets
        if response is not None and response.status_code == 200:
            return response
        time.sleep(2)
    raise AssertionError(f"{url} did not answer within {deadline_seconds}s")


def test_demo_command_serves_smartbook(tmp_path):
    dbname = f"{odoo.tools.config['db_name']}_demo"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with throwaway_database(dbname):
        log_path = tmp_path / "demo.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [str(ROOT / "bin" / "smartbook-demo"), f"--data-dir={tmp_path}", "--log-level=warn"],
                env=command_env(SMARTBOOK_DEMO_DB=dbname, SMARTBOOK_HTTP_PORT=str(port)),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            login_page = wait_for_login_page(f"{base_url}/web/login", server)
            assert 'name="login"' in login_page.text

            session = requests.Session()
            auth = session.post(
                f"{base_url}/web/session/authenticate",
                json={"jsonrpc": "2.0", "params": {"db": dbname, "login": "admin", "password": "admin"}},
                timeout=30,
            ).json()
            assert auth["result"]["uid"] == 2, auth
            menus = session.get(f"{base_url}/web/webclient/load_menus/1", timeout=60).json()
            apps = {menu["xmlid"]: menu["name"] for menu in menus.values() if menu.get("xmlid")}
            assert apps.get("smartbook_crm.menu_smartbook_root") == "SmartBook"
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        assert query(dbname, "SELECT count(*) >= 150 FROM res_partner WHERE smartbook_client") == [(True,)]
        languages = {code for (code,) in query(dbname, "SELECT code FROM res_lang WHERE active")}
        assert {"en_US", "es_ES", "pt_BR", "ru_RU", "sv_SE"} <= languages, languages
        # The client card in Russian reads SmartBook's own translation.
        label = query(
            dbname,
            "SELECT field_description->>'ru_RU' FROM ir_model_fields"
            " WHERE model = 'res.partner' AND name = 'smartbook_first_name'",
        )
        assert label == [("Имя",)], label
        # The demo database also shows that uninstalling keeps nothing back, demo data included.
        uninstall_smartbook(dbname)
        assert_nothing_left(dbname)
