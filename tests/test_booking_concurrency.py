"""Two transactions race for one slot or the last seat: exactly one wins, and
the other, outside an HTTP request (a cron, a script), gets a clear refusal.

The data is committed (other connections must see it) and removed afterwards."""

import threading
import time
from datetime import datetime, timedelta

import psycopg2

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry

from odoo.addons.smartbook_booking.tests.common import every_day_calendar


def _registry():
    return Registry(odoo.tools.config["db_name"])


def _setup():
    with _registry().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        calendar = every_day_calendar(env, "Race calendar", 8, 20)
        employee = env["hr.employee"].create(
            {
                "name": "Race Specialist",
                "resource_calendar_id": calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
            }
        )
        product = env["product.product"].create({"name": "Race service", "type": "service"})
        service = env["smartbook.service"].create(
            {
                "name": "Race service",
                "product_id": product.id,
                "duration": 60,
                "employee_ids": [(6, 0, employee.ids)],
            }
        )
        group = env["smartbook.service"].create(
            {
                "name": "Race class",
                "product_id": product.id,
                "is_group": True,
                "capacity": 1,
                "duration": 60,
                "employee_ids": [(6, 0, employee.ids)],
            }
        )
        # 10:00 UTC in three days: inside the specialist's working hours
        start = (datetime.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
        session = env["smartbook.session"].create(
            {"service_id": group.id, "employee_id": employee.id, "start": start + timedelta(hours=4)}
        )
        clients = env["res.partner"].create(
            [{"name": f"Racer {n}", "smartbook_client": True} for n in range(2)]
        )
        ids = {
            "calendar": calendar.id,
            "employee": employee.id,
            "product": product.id,
            "services": (service | group).ids,
            "session": session.id,
            "clients": clients.ids,
            "start": start,
        }
    return ids


def _teardown(ids):
    with _registry().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["smartbook.booking"].search([("employee_id", "=", ids["employee"])]).unlink()
        env["smartbook.session"].browse(ids["session"]).unlink()
        env["smartbook.service"].browse(ids["services"]).unlink()
        env["product.product"].browse(ids["product"]).unlink()
        env["res.partner"].browse(ids["clients"]).unlink()
        employee = env["hr.employee"].browse(ids["employee"])
        resource = employee.resource_id
        employee.unlink()
        resource.unlink()
        env["resource.calendar"].browse(ids["calendar"]).unlink()


def _race(make_vals):
    """Run two transactions that each create one booking; return their outcomes."""
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def attempt(index, first):
        with _registry().cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            if first:
                barrier.wait(timeout=30)
            env["smartbook.booking"].create(make_vals(index))
            time.sleep(0.5)  # hold the transaction open while the other one tries

    def contender(index):
        # Outside an HTTP request nothing retries a serialisation failure: the
        # loser must get a clear refusal, never a raw psycopg2 error.
        try:
            attempt(index, first=True)
            outcomes[index] = "booked"
        except ValidationError as error:
            outcomes[index] = f"refused: {error}"
        except psycopg2.errors.SerializationFailure as error:
            outcomes[index] = f"raw: {error}"

    threads = [threading.Thread(target=contender, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_one_slot_two_transactions():
    ids = _setup()
    try:
        outcomes = _race(
            lambda index: {
                "partner_id": ids["clients"][index],
                "service_id": ids["services"][0],
                "employee_id": ids["employee"],
                "start": ids["start"] + timedelta(minutes=15 * index),
            }
        )
        assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["booked", "refused"], outcomes
    finally:
        _teardown(ids)


def test_last_seat_two_transactions():
    ids = _setup()
    try:
        outcomes = _race(lambda index: {"partner_id": ids["clients"][index], "session_id": ids["session"]})
        assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["booked", "refused"], outcomes
        assert any("is full" in outcome or "at the same time" in outcome for outcome in outcomes), outcomes
    finally:
        _teardown(ids)
