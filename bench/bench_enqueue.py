"""Reminder enqueue benchmark: `.venv/bin/python bench/bench_enqueue.py`

Data (made once, database smartbook_bench_enqueue): 2,000 clients reachable by
SMS, a group class given by 20 instructors, 100 sessions of 100 seats over the
next day: 10,000 confirmed bookings (made through the import-history path, so
nothing is queued while they are made).
Each run moves the bookings to start within the next 23 hours (made a week
ago), so that a reminder of every one of them is due, then measures
`smartbook.message._smartbook_enqueue_reminders()` from a fresh cursor: the one
SQL pass, rendering each reminder in its client's language and business time,
and the outbox's enqueue. Target: 10,000 reminders in under 10 s. A second run
must queue nothing (dedupe), then everything is rolled back.
"""
# pylint: disable=print-used
# A benchmark: it reports its figures on standard output.

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import analyze, ensure_database
from bench.staff import create_bookable_staff

DBNAME = "smartbook_bench_enqueue"
CLIENTS = 2000
INSTRUCTORS = 20
SESSIONS = 100
SEATS = 100
TARGET_SECONDS = 10


def build(env):
    """Instructors, the group class, its sessions and their 10,000 bookings, unless there."""
    Service = env["smartbook.service"]
    service = Service.search([("name", "=", "Bench reminders class")])
    if service:
        return service
    instructors = create_bookable_staff(
        env,
        {"name": "Bench: around the clock", "tz": "UTC"},
        (0, 24),
        [{"name": f"Bench instructor {index}", "tz": "Europe/Madrid"} for index in range(INSTRUCTORS)],
    )
    product = env["product.product"].create({"name": "Bench class", "type": "service", "list_price": 15})
    service = Service.create(
        {
            "name": "Bench reminders class",
            "product_id": product.id,
            "duration": 60,
            "is_group": True,
            "capacity": SEATS,
            "employee_ids": [(6, 0, instructors.ids)],
            "smartbook_reminder_hours": "24,2",
        }
    )
    start = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    sessions = env["smartbook.session"].create(
        [
            {
                "service_id": service.id,
                "employee_id": instructors[index % INSTRUCTORS].id,
                # each instructor teaches one class every four hours
                "start": start + timedelta(hours=4 * (index // INSTRUCTORS), minutes=index % INSTRUCTORS),
                "capacity": SEATS,
            }
            for index in range(SESSIONS)
        ]
    )
    clients = env["res.partner"].search(
        [
            ("smartbook_client", "=", True),
            ("smartbook_blacklisted", "=", False),
            ("smartbook_erased", "=", False),
        ],
        limit=CLIENTS,
        order="id",
    )
    rng = random.Random(2026)
    vals_list = [
        {"partner_id": client.id, "session_id": session.id, "state": "confirmed", "channel": "import"}
        for session in sessions
        for client in rng.sample(list(clients), min(SEATS, len(clients)))
    ]
    env["smartbook.booking"].with_context(smartbook_import_history=True, tracking_disable=True).create(
        vals_list
    )
    # Every client reachable by SMS only: one channel decision, one message each.
    env.cr.execute(
        """
        UPDATE res_partner
           SET smartbook_consent_sms = true, smartbook_erased = false, smartbook_blacklisted = false,
               telegram_chat_id = NULL, phone = COALESCE(phone, '+3460' || lpad(id::text, 7, '0'))
         WHERE id = ANY(%s)
        """,
        [clients.ids],
    )
    analyze(env.cr)
    print(f"made {len(vals_list)} bookings in {SESSIONS} sessions of {INSTRUCTORS} instructors")
    return service


def make_due(env, service_id):
    """Move the bench's bookings to start within the next 23 hours, made a week ago."""
    env.cr.execute(
        """
        WITH shift AS (
            SELECT date_trunc('hour', now() at time zone 'UTC') + interval '1 hour' - min(start) AS delta
              FROM smartbook_booking WHERE service_id = %(service)s
        )
        UPDATE smartbook_booking b
           SET start = b.start + shift.delta, stop = b.stop + shift.delta,
               occupied_start = b.occupied_start + shift.delta, occupied_stop = b.occupied_stop + shift.delta,
               create_date = now() at time zone 'UTC' - interval '7 days', state = 'confirmed'
          FROM shift
         WHERE b.service_id = %(service)s
        """,
        {"service": service_id},
    )
    env.cr.execute(
        "DELETE FROM smartbook_message m USING smartbook_booking b"
        " WHERE m.booking_id = b.id AND b.service_id = %s",
        [service_id],
    )
    env.invalidate_all()


def main():
    odoo, registry = ensure_database(DBNAME, clients=CLIENTS)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        service_id = build(env).id
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        make_due(env, service_id)
        cr.execute("SELECT count(*) FROM smartbook_booking WHERE service_id = %s", [service_id])
        bookings = cr.fetchone()[0]
        Message = env["smartbook.message"]
        started = time.perf_counter()
        created = Message._smartbook_enqueue_reminders()
        first = time.perf_counter() - started
        count = len(created)
        started = time.perf_counter()
        again = len(Message._smartbook_enqueue_reminders())
        second = time.perf_counter() - started
        cr.execute(
            "SELECT count(*), count(DISTINCT booking_id) FROM smartbook_message WHERE kind = 'reminder'"
            " AND booking_id IN (SELECT id FROM smartbook_booking WHERE service_id = %s)",
            [service_id],
        )
        total, distinct = cr.fetchone()
        sample = Message.browse(created[:1].id).body if created else ""
        cr.rollback()
    print(
        f"{bookings} upcoming bookings, {count} reminders queued in {first:.2f} s",
        f" target < {TARGET_SECONDS} s",
    )
    print(f"second run: {again} queued in {second:.2f} s (dedupe); {total} reminders for {distinct} bookings")
    print(f"a reminder holds {len(sample)} characters")


if __name__ == "__main__":
    main()
