"""Free-slot engine benchmark: `.venv/bin/python bench/bench_slots.py`

Data (made once, database smartbook_bench_slots): 20 specialists working every
day 9:00-19:00 in four time zones, a 45-minute service with 15 minutes of
cleaning that all of them perform, 20,000 existing 30-minute bookings over the
next 90 days (55% of their time), 150 clients.
Measures `smartbook.service.get_free_slots` from a fresh cursor and environment
each time (empty ORM cache, as one HTTP request sees it):
- all 20 specialists, 30 days: target median under 25 ms;
- one specialist, 7 days: target median under 5 ms.
Then checks that every returned slot is bookable by the specialist it names.
"""
# pylint: disable=print-used
# A benchmark: it reports its figures on standard output.

import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import ensure_database
from bench.staff import create_bookable_staff

DBNAME = "smartbook_bench_slots"
SPECIALISTS = 20
BOOKINGS = 20_000
DAYS = 90
RUNS = 30
TIMEZONES = ["Europe/Madrid", "Europe/Stockholm", "America/Sao_Paulo", "Europe/Moscow"]


def build(env):
    """Specialists, the measured service and 20,000 bookings, unless already there."""
    Service = env["smartbook.service"]
    service = Service.search([("name", "=", "Bench service")])
    if service:
        return service
    employees = create_bookable_staff(
        env,
        {"name": "Bench: every day 9:00-19:00"},
        (9, 19),
        [
            {
                "name": f"Bench specialist {index}",
                "tz": TIMEZONES[index % len(TIMEZONES)],
                "smartbook_slot_step": 30,
            }
            for index in range(SPECIALISTS)
        ],
    )
    product = env["product.product"].create({"name": "Bench service", "type": "service", "list_price": 50})
    common = {"product_id": product.id, "employee_ids": [(6, 0, employees.ids)], "max_days_ahead": 365}
    service = Service.create({**common, "name": "Bench service", "duration": 45, "buffer_after": 15})
    filler = Service.create({**common, "name": "Bench filler", "duration": 30, "min_notice_hours": 0})
    clients = env["res.partner"].search(
        [("smartbook_client", "=", True), ("smartbook_blacklisted", "=", False)], limit=150
    )
    rng = random.Random(2026)
    start = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    vals_list = []
    for employee in employees:
        free = filler._get_slots_in_window(start, start + timedelta(days=DAYS), employee)
        for slot in sorted(rng.sample(free, BOOKINGS // SPECIALISTS), key=lambda slot: slot["start"]):
            vals_list.append(
                {
                    "partner_id": rng.choice(clients).id,
                    "service_id": filler.id,
                    "employee_id": employee.id,
                    "start": slot["start"],
                    "state": "confirmed",
                }
            )
    env["smartbook.booking"].with_context(tracking_disable=True).create(vals_list)
    print(f"made {len(vals_list)} bookings for {SPECIALISTS} specialists over {DAYS} days")
    return service


def measure(odoo, registry, service_id, employee_ids, days):
    timings = []
    count = 0
    for run in range(RUNS):
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            date_from = datetime.now().replace(microsecond=0) + timedelta(days=1 + run % 7)
            started = time.perf_counter()
            slots = (
                env["smartbook.service"]
                .browse(service_id)
                .get_free_slots(date_from, date_from + timedelta(days=days), employee_ids)
            )
            timings.append((time.perf_counter() - started) * 1000)
            count = len(slots)
    return statistics.median(timings), max(timings), count


def check_bookable(odoo, registry, service_id):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        service = env["smartbook.service"].browse(service_id)
        date_from = datetime.now().replace(microsecond=0) + timedelta(days=2)
        slots = service.get_free_slots(date_from, date_from + timedelta(days=2))
        client = env["res.partner"].search(
            [("smartbook_client", "=", True), ("smartbook_blacklisted", "=", False)], limit=1
        )
        for slot in slots:
            with cr.savepoint(flush=False) as savepoint:
                env["smartbook.booking"].create(
                    {
                        "partner_id": client.id,
                        "service_id": service.id,
                        "employee_id": slot["employee_id"],
                        "start": slot["start"],
                    }
                )
                savepoint.rollback()
        cr.rollback()
        return len(slots)


def main():
    odoo, registry = ensure_database(DBNAME, clients=150)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        service = build(env)
        service_id, employee_ids = service.id, service.employee_ids.ids
        bookings = env["smartbook.booking"].search_count([("employee_id", "in", employee_ids)])
    print(f"{bookings} bookings of {len(employee_ids)} specialists")
    all_median, all_max, all_count = measure(odoo, registry, service_id, None, 30)
    one_median, one_max, one_count = measure(odoo, registry, service_id, employee_ids[:1], 7)
    print(
        f"all specialists, 30 days: median {all_median:.1f} ms (max {all_max:.1f}, {all_count} slots)", end=""
    )
    print("  target < 25 ms")
    print(
        f"one specialist, 7 days:   median {one_median:.1f} ms (max {one_max:.1f}, {one_count} slots)", end=""
    )
    print("  target < 5 ms")
    checked = check_bookable(odoo, registry, service_id)
    print(f"bookable: all {checked} slots of 2 days could be booked by the specialist named")


if __name__ == "__main__":
    main()
