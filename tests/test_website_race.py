"""Online booking under a rush, over real HTTP against Odoo started with several
workers (separate processes, as in production): 50 visitors ask for the same
slot at once and exactly one gets it, the 49 others get ``slot_taken``; several
requests of one new phone number at once create one client card, not several."""

import json
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import requests

import odoo

from .common import ADDONS, ROOT, command_env, free_port, query, run_odoo, throwaway_database

VISITORS = 50
SETUP_SCRIPT = """
import json
from datetime import datetime, timedelta
from pathlib import Path

env["ir.config_parameter"].set_param("smartbook_website.book_rate_limit", "0")
company = env.ref("website.default_website").company_id
company.write({"country_id": env.ref("base.es").id})
company.partner_id.tz = "UTC"
calendar = env["resource.calendar"].create({
    "name": "Race calendar",
    "tz": "UTC",
    "company_id": company.id,
    "attendance_ids": [
        (0, 0, {"name": str(day), "dayofweek": str(day), "hour_from": 8, "hour_to": 20})
        for day in range(7)
    ],
})
employee = env["hr.employee"].create({
    "name": "Race Specialist",
    "resource_calendar_id": calendar.id,
    "tz": "UTC",
    "smartbook_bookable": True,
    "smartbook_slot_step": 30,
    "company_id": company.id,
})
product = env["product.product"].create({"name": "Race cut", "type": "service"})
service = env["smartbook.service"].create({
    "name": "Race cut",
    "product_id": product.id,
    "duration": 60,
    "employee_ids": [(6, 0, employee.ids)],
    "min_notice_hours": 0,
    "company_id": company.id,
})
env.cr.commit()
print("RACE_IDS " + json.dumps({"service": service.id, "employee": employee.id}))
"""


def _start_server(dbname, data_dir, log_path):
    port = free_port()
    log = open(log_path, "w")
    server = subprocess.Popen(
        [
            sys.executable,
            # the script, not ``-m odoo``: the prefork server starts its gevent
            # process by running sys.argv[0] again
            str(Path(odoo.__file__).resolve().parent.parent / "odoo-bin"),
            "server",
            f"--addons-path={ROOT}",
            "-d",
            dbname,
            f"--db-filter=^{dbname}$",
            f"--data-dir={data_dir}",
            "--workers=4",
            "--max-cron-threads=0",
            f"--http-port={port}",
            f"--gevent-port={free_port()}",
            "--log-level=warn",
        ],
        env=command_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, log_path.read_text()[-4000:]
        try:
            response = requests.get(f"{base_url}/web/login", timeout=10)
        except requests.RequestException:
            response = None  # not listening yet
        if response is not None and response.status_code == 200:
            return server, log, base_url
        time.sleep(1)
    server.kill()
    raise AssertionError(f"Odoo did not answer within 120 s: {log_path.read_text()[-4000:]}")


def _stop_server(server, log):
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)
    log.close()


def _rush(base_url, params_list):
    """Send one /smartbook/book per params at the same moment; return the answers."""
    barrier = threading.Barrier(len(params_list))
    answers = [None] * len(params_list)

    def visitor(index):
        payload = {"jsonrpc": "2.0", "method": "call", "id": index, "params": params_list[index]}
        with requests.Session() as session:
            barrier.wait(timeout=60)
            try:
                response = session.post(f"{base_url}/smartbook/book", json=payload, timeout=120)
                answers[index] = (response.status_code, response.json())
            except (requests.RequestException, ValueError) as error:
                answers[index] = (None, repr(error))

    threads = [threading.Thread(target=visitor, args=(index,)) for index in range(len(params_list))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return answers


def test_fifty_visitors_one_slot(tmp_path):
    dbname = f"{odoo.tools.config['db_name']}_race"
    with throwaway_database(dbname):
        installed = run_odoo(
            "server",
            "-d",
            dbname,
            f"--data-dir={tmp_path}",
            "-i",
            ",".join(ADDONS),
            "--without-demo=all",
            "--stop-after-init",
        )
        assert installed.returncode == 0, installed.stderr[-4000:]
        setup = run_odoo(
            "shell", "-d", dbname, f"--data-dir={tmp_path}", "--no-http", input_text=SETUP_SCRIPT
        )
        lines = [line for line in setup.stdout.splitlines() if line.startswith("RACE_IDS ")]
        assert lines, setup.stdout[-2000:] + setup.stderr[-4000:]
        ids = json.loads(lines[0].removeprefix("RACE_IDS "))
        day = (datetime.utcnow() + timedelta(days=3)).strftime("%Y-%m-%d")

        def params(phone, hour=10):
            return {
                "service_id": ids["service"],
                "employee_id": ids["employee"],
                "start": f"{day}T{hour:02d}:00:00+00:00",
                "name": f"Visitor {phone}",
                "phone": phone,
            }

        server, log, base_url = _start_server(dbname, tmp_path, tmp_path / "server.log")
        try:
            # 50 visitors, each with their own phone number, want 10:00
            answers = _rush(base_url, [params(f"+3461200{index:04d}") for index in range(VISITORS)])
            # One new phone number books six different hours at once
            same_phone = _rush(base_url, [params("+34699000111", hour) for hour in range(12, 18)])
        finally:
            _stop_server(server, log)
        server_log = (tmp_path / "server.log").read_text()
        # refusals are not errors, and no visitor's name or phone reaches the log
        assert not [line for line in server_log.splitlines() if " ERROR " in line or "Traceback" in line], (
            server_log[-4000:]
        )
        assert "+3461200" not in server_log and "Visitor" not in server_log

        assert all(status == 200 for status, _answer in answers), answers
        results = [answer["result"] for _status, answer in answers if "result" in answer]
        errors = [answer["error"] for _status, answer in answers if "error" in answer]
        assert len(results) == 1, answers
        assert results[0]["state"] == "confirmed"
        assert len(errors) == VISITORS - 1
        assert {error["data"]["code"] for error in errors} == {"slot_taken"}, errors
        assert all(error["code"] == 409 and "debug" not in error["data"] for error in errors)
        bookings = query(
            dbname,
            "SELECT id, partner_id FROM smartbook_booking WHERE employee_id = %s AND state <> 'cancelled'"
            " AND start = %s",
            [ids["employee"], f"{day} 10:00:00"],
        )
        assert [booking_id for booking_id, _partner in bookings] == [results[0]["booking_id"]]
        # the 49 refused visitors left no client card behind
        assert query(dbname, "SELECT count(*) FROM res_partner WHERE phone LIKE '+3461200%%'") == [(1,)]

        assert all(status == 200 for status, _answer in same_phone), same_phone
        booked = [answer["result"]["booking_id"] for _status, answer in same_phone if "result" in answer]
        assert booked, same_phone
        assert all(
            answer["error"]["data"]["code"] == "slot_taken"
            for _status, answer in same_phone
            if "error" in answer
        ), same_phone
        cards = query(dbname, "SELECT id FROM res_partner WHERE phone = '+34699000111'")
        assert len(cards) == 1, "one client card for one phone number"
        owners = query(
            dbname, "SELECT DISTINCT partner_id FROM smartbook_booking WHERE id = ANY(%s)", [booked]
        )
        assert owners == cards
