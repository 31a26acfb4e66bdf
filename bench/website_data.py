"""Data of the website benchmark: the demo database scaled up.

The four addons are installed with their demo data (5 specialists, 12
services, 150 clients, half a year of bookings), then scaled to:

- 20 specialists (the demo's 5 and 15 more on three realistic weekly
  schedules with a lunch break, Europe/Madrid), every one of them performing
  the benchmarked service (the demo's "Women's Haircut": 60 minutes and 10 of
  cleaning, 2 hours of notice, 60 days of horizon) and "Men's Haircut";
- 1,000 clients;
- 20,000 bookings in all: ``UPCOMING`` real confirmed bookings spread over
  the next ``UPCOMING_DAYS`` days, more of them in the first weeks (created
  through the lifecycle, with every save-time check; with the demo's own,
  about half of the specialists' working time in the next month is booked),
  the rest history of the past year (done, no-shows, cancelled) brought in
  under the ``smartbook_import_history`` context.

Every booking is picked from the specialist's real free time (no overlap,
inside working hours, around the demo's own bookings); the same seed gives the
same data. ORM batches: about two minutes on a laptop.
"""
# pylint: disable=print-used
# Part of a benchmark: it reports its progress on standard output.

import random
import sys
import time
from contextlib import closing
from datetime import datetime, timedelta

import psycopg2

from bench.generate import source_fingerprint
from tests.common import ADDONS, ROOT, drop_database, execute, query, run_odoo

BENCH_SERVICE = "Women's Haircut"
SECOND_SERVICE = "Men's Haircut"
SPECIALISTS = 20
CLIENTS = 1_000
BOOKINGS = 20_000
UPCOMING = 2_500
UPCOMING_DAYS = 42
HISTORY_DAYS = 365
TZ = "Europe/Madrid"
MARKER = "smartbook.bench_website_data"
FINGERPRINT = "smartbook.bench_source_fingerprint"
# (name, {weekday: [(from, to), ...]}): three weekly schedules with a lunch break.
SCHEDULES = [
    ("Bench: Mon-Fri 9-18", {day: [(9, 13), (14, 18)] for day in range(5)}),
    ("Bench: Tue-Sat 10-19", {day: [(10, 14), (15, 19)] for day in range(1, 6)}),
    ("Bench: Mon-Sat 8-16", {day: [(8, 12), (12.5, 16)] for day in range(6)}),
]


def signature():
    return f"{SPECIALISTS}/{CLIENTS}/{BOOKINGS}/{UPCOMING}/{UPCOMING_DAYS}/{HISTORY_DAYS}"


def is_ready(dbname):
    """The database exists and holds this module's data, complete."""
    if not query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]):
        return False
    try:
        rows = query(dbname, "SELECT value FROM ir_config_parameter WHERE key = %s", [MARKER])
    except Exception:  # pylint: disable=broad-exception-caught
        # a half-made database: made again
        return False
    return rows == [(signature(),)]


def create_database(dbname, data_dir, seed=2026):
    """(Re)create ``dbname`` with the four addons, their demo data, and the scaled data."""
    drop_database(dbname)
    started = time.monotonic()
    print(f"installing the four addons with demo data into {dbname}...", flush=True)
    result = run_odoo(
        "server", "-d", dbname, f"--data-dir={data_dir}", "-i", ",".join(ADDONS), "--stop-after-init"
    )
    if result.returncode:
        sys.exit(f"installing the addons into {dbname} failed:\n{result.stderr[-4000:]}")
    print(f"  installed in {time.monotonic() - started:.0f} s", flush=True)
    import odoo  # pylint: disable=import-outside-toplevel

    odoo.tools.config.parse_config(
        ["-d", dbname, f"--addons-path={ROOT}", f"--data-dir={data_dir}", "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:  # commits when the block ends without error
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        scale(env, seed=seed)
        env["ir.config_parameter"].set_param(MARKER, signature())
        env["ir.config_parameter"].set_param(FINGERPRINT, source_fingerprint())
    vacuum(dbname)
    print(f"  data ready in {time.monotonic() - started:.0f} s", flush=True)


def vacuum(dbname):
    """What autovacuum gives a live server after a bulk load (it is off on some
    machines): planner statistics and the visibility map, without which the slot
    engine's busy-time scan cannot stay index-only."""
    with closing(psycopg2.connect(dbname=dbname)) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("VACUUM ANALYZE")


def update_if_code_changed(dbname, data_dir):
    """Update the addons in a reused database when their source changed since."""
    fingerprint = source_fingerprint()
    if query(dbname, "SELECT value FROM ir_config_parameter WHERE key = %s", [FINGERPRINT]) == [
        (fingerprint,)
    ]:
        return
    print(f"updating the SmartBook addons in {dbname}...", flush=True)
    result = run_odoo(
        "server", "-d", dbname, f"--data-dir={data_dir}", "-u", ",".join(ADDONS), "--stop-after-init"
    )
    if result.returncode:
        sys.exit(f"updating the addons in {dbname} failed:\n{result.stderr[-4000:]}")
    execute(dbname, "UPDATE ir_config_parameter SET value = %s WHERE key = %s", [fingerprint, FINGERPRINT])


# ---------------------------------------------------------------------- scaling (runs inside Odoo)


def scale(env, seed=2026):
    from odoo.addons.smartbook_booking.models.smartbook_booking import (  # pylint: disable=import-outside-toplevel
        IMPORT_HISTORY_KEY,
    )
    from odoo.addons.smartbook_crm.models.smartbook_demo import (  # pylint: disable=import-outside-toplevel
        BULK_CONTEXT,
    )

    rng = random.Random(seed)
    step = time.monotonic()
    missing = CLIENTS - env["res.partner"].search_count([("smartbook_client", "=", True)])
    if missing > 0:
        env["smartbook.demo"]._generate_clients(missing, seed=seed)
    Service = env["smartbook.service"]
    service = Service.search([("name", "=", BENCH_SERVICE)], limit=1)
    second = Service.search([("name", "=", SECOND_SERVICE)], limit=1)
    if not service or not second:
        sys.exit(f"the demo services {BENCH_SERVICE!r} and {SECOND_SERVICE!r} are missing")
    employees = add_specialists(env, service | second, BULK_CONTEXT)
    print(f"  {CLIENTS} clients, {len(employees)} specialists in {time.monotonic() - step:.0f} s", flush=True)

    clients = (
        env["res.partner"]
        .search([("smartbook_client", "=", True), ("smartbook_blacklisted", "=", False)])
        .ids
    )
    Booking = env["smartbook.booking"].with_context(**BULK_CONTEXT)
    now = datetime.now().replace(second=0, microsecond=0)

    # Upcoming: real confirmed bookings through the lifecycle, save-time checks included.
    step = time.monotonic()
    upcoming = pick_slots(
        [service, second], employees, now + timedelta(hours=1), now + timedelta(days=UPCOMING_DAYS), rng, 0.75
    )
    if len(upcoming) < UPCOMING:
        sys.exit(f"only {len(upcoming)} free slots for {UPCOMING} upcoming bookings")
    # Fuller soon than weeks ahead, as clients book: weighted sampling without
    # replacement (the largest random() ** (1 / weight) win).
    horizon = timedelta(days=UPCOMING_DAYS * 1.5)
    upcoming = sorted(
        sorted(upcoming, key=lambda slot: rng.random() ** (horizon / (horizon - (slot[1] - now))))[
            -UPCOMING:
        ],
        key=lambda slot: slot[1],
    )
    for batch in chunks(upcoming, 500):
        Booking.create(
            [
                {
                    "partner_id": rng.choice(clients),
                    "service_id": service_id,
                    "employee_id": employee_id,
                    "start": start,
                    "state": "confirmed",
                    "channel": rng.choice(["backoffice", "website", "phone"]),
                }
                for service_id, start, employee_id in batch
            ]
        )
        env.flush_all()
        env.invalidate_all()
    print(f"  {UPCOMING} upcoming confirmed bookings in {time.monotonic() - step:.0f} s", flush=True)

    # History: the past year, imported.
    step = time.monotonic()
    needed = BOOKINGS - env["smartbook.booking"].search_count([])
    history_start = (now - timedelta(days=HISTORY_DAYS)).replace(hour=0, minute=0)
    past = pick_slots([service, second], employees, history_start, now - timedelta(hours=2), rng, 0.6)
    if len(past) < needed:
        sys.exit(f"only {len(past)} free slots in the past year for {needed} bookings of history")
    past = sorted(rng.sample(past, max(needed, 0)), key=lambda slot: slot[1])
    History = Booking.with_context(**{IMPORT_HISTORY_KEY: True})
    for batch in chunks(past, 2000):
        vals_list = []
        for service_id, start, employee_id in batch:
            state = rng.choices(["done", "no_show", "cancelled"], [85, 6, 9])[0]
            vals_list.append(
                {
                    "partner_id": rng.choice(clients),
                    "service_id": service_id,
                    "employee_id": employee_id,
                    "start": start,
                    "state": state,
                    "cancel_reason": "Client asked to cancel" if state == "cancelled" else False,
                    "channel": rng.choice(["backoffice", "website", "phone"]),
                }
            )
        History.create(vals_list)
        env.flush_all()
        env.invalidate_all()
    print(f"  {len(past)} bookings of history in {time.monotonic() - step:.0f} s", flush=True)


def add_specialists(env, services, bulk_context):
    """The demo's staff and new specialists up to ``SPECIALISTS``, all bookable for ``services``."""
    Employee = env["hr.employee"].with_context(**bulk_context)
    staff = Employee.search([("smartbook_bookable", "=", True)])
    missing = SPECIALISTS - len(staff)
    if missing > 0:
        calendars = env["resource.calendar"].create(
            [
                {
                    "name": name,
                    "tz": TZ,
                    "attendance_ids": [
                        (
                            0,
                            0,
                            {
                                "name": f"{day} {hour_from}",
                                "dayofweek": str(day),
                                "hour_from": hour_from,
                                "hour_to": hour_to,
                                "day_period": "morning" if hour_from < 12 else "afternoon",
                            },
                        )
                        for day, spans in days.items()
                        for hour_from, hour_to in spans
                    ],
                }
                for name, days in SCHEDULES
            ]
        )
        staff |= Employee.create(
            [
                {
                    "name": f"Bench Specialist {index + 1:02d}",
                    "resource_calendar_id": calendars[index % len(calendars)].id,
                    "tz": TZ,
                    "smartbook_bookable": True,
                    "smartbook_slot_step": 30 if index % 4 else 15,
                    "smartbook_slug": f"bench-specialist-{index + 1:02d}",
                }
                for index in range(missing)
            ]
        )
    for service in services:
        service.employee_ids = [(4, employee.id) for employee in staff]
    return staff.sorted("id")


def pick_slots(services, employees, date_from, date_to, rng, keep):
    """Non-overlapping (service id, start, employee id) from the free time of
    ``employees`` between two naive UTC datetimes: each free slot is taken with
    probability ``keep`` when the specialist is still free then."""
    candidates = []
    for service in services:
        before, after = timedelta(minutes=service.buffer_before), timedelta(minutes=service.buffer_after)
        for slot in service._get_slots_in_window(date_from, date_to, employees):
            candidates.append((slot["start"] - before, slot["end"] + after, service.id, slot))
    candidates.sort(key=lambda row: (row[0], rng.random()))
    busy_until, picked = {}, []
    for span_start, span_stop, service_id, slot in candidates:
        employee_id = slot["employee_id"]
        if span_start < busy_until.get(employee_id, date_from) or rng.random() > keep:
            continue
        busy_until[employee_id] = span_stop
        picked.append((service_id, slot["start"], employee_id))
    return picked


def chunks(rows, size):
    for index in range(0, len(rows), size):
        yield rows[index : index + size]


def describe(dbname, service_name=BENCH_SERVICE):
    """Sizes of the data, for the report."""
    rows = query(
        dbname,
        """
        SELECT (SELECT count(*) FROM hr_employee WHERE smartbook_bookable AND active),
               (SELECT count(*) FROM smartbook_service_hr_employee_rel rel
                  JOIN smartbook_service s ON s.id = rel.service_id WHERE s.name->>'en_US' = %s),
               (SELECT count(*) FROM res_partner WHERE smartbook_client),
               (SELECT count(*) FROM smartbook_booking),
               (SELECT count(*) FROM smartbook_booking
                 WHERE state = 'confirmed' AND start > now() AT TIME ZONE 'UTC'),
               (SELECT count(*) FROM smartbook_booking
                 WHERE state <> 'cancelled' AND start > now() AT TIME ZONE 'UTC'
                   AND start < now() AT TIME ZONE 'UTC' + interval '31 days')
        """,
        [service_name],
    )[0]
    keys = (
        "specialists",
        "performing the service",
        "clients",
        "bookings",
        "upcoming confirmed",
        "next 31 days",
    )
    return dict(zip(keys, rows, strict=True))
