"""Each addon installs on a fresh database without demo data, in dependency
order, and uninstalling SmartBook leaves no table, column, model or menu behind."""

import re

import odoo

from .common import ADDONS, query, run_odoo, throwaway_database

UNINSTALL_SCRIPT = """
env["ir.module.module"].search([("name", "=", "smartbook_crm")]).button_immediate_uninstall()
env.cr.commit()
"""


def assert_clean_log(result):
    errors = [line for line in result.stderr.splitlines() if re.search(r"\b(ERROR|CRITICAL)\b", line)]
    assert result.returncode == 0, result.stderr[-4000:]
    assert not errors, "\n".join(errors)


def module_states(dbname):
    return dict(query(dbname, "SELECT name, state FROM ir_module_module WHERE name LIKE 'smartbook%%'"))


def assert_nothing_left(dbname):
    assert set(module_states(dbname).values()) == {"uninstalled"}
    assert not query(
        dbname, "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'smartbook%%'"
    )
    assert not query(
        dbname,
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE column_name LIKE 'smartbook%%' OR column_name = 'telegram_chat_id'",
    )
    assert not query(dbname, "SELECT model FROM ir_model WHERE model LIKE 'smartbook.%%'")
    assert not query(dbname, "SELECT name FROM ir_model_data WHERE module LIKE 'smartbook%%'")


def uninstall_smartbook(dbname):
    result = run_odoo("shell", "-d", dbname, "--no-http", input_text=UNINSTALL_SCRIPT)
    assert_clean_log(result)


def test_install_each_addon_without_demo_then_uninstall(tmp_path):
    dbname = f"{odoo.tools.config['db_name']}_nodemo"
    with throwaway_database(dbname):
        for addon in ADDONS:
            result = run_odoo(
                "server",
                "-d",
                dbname,
                f"--data-dir={tmp_path}",
                "-i",
                addon,
                "--without-demo=all",
                "--stop-after-init",
            )
            assert_clean_log(result)
            assert module_states(dbname)[addon] == "installed"
        assert query(dbname, "SELECT count(*) FROM res_partner WHERE smartbook_client") == [(0,)]
        uninstall_smartbook(dbname)
        assert_nothing_left(dbname)
