import calendar
import threading
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..tools.reminder_offsets import MAX_REMINDER_HOURS

# Records rendered and enqueued together (and committed together in a cron run).
ENQUEUE_BATCH = 1000
KEY_TIME_FORMAT = "%Y%m%dT%H%M%S"
# The same format in SQL, to compare a key's start with a booking's.
KEY_TIME_SQL = 'YYYYMMDD"T"HH24MISS'


class SmartbookMessage(models.Model):
    """The enqueue action: reminders, birthday greetings and win-back messages
    that are due go to the outbox, each once (its dedupe key), then the action
    re-arms itself for the next reminder (``ir.cron._trigger``)."""

    _inherit = "smartbook.message"

    def _cron_enqueue(self):
        super()._cron_enqueue()
        self = self.with_context(smartbook_commit=True)
        self._smartbook_enqueue_reminders()
        self._smartbook_enqueue_birthdays()
        self._smartbook_enqueue_winbacks()
        self.env["smartbook.campaign"]._smartbook_mark_sent()
        return True

    @api.model
    def _smartbook_commit(self):
        """Commit a batch in a cron run (not in tests): what is enqueued stays
        enqueued if the run dies later, and the next run skips it by its key."""
        testing = getattr(threading.current_thread(), "testing", False)
        if self.env.context.get("smartbook_commit") and not testing:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ reminders

    @api.model
    def _smartbook_enqueue_reminders(self, now=None):
        """Queue the reminders that are due, in one SQL pass over confirmed bookings
        and their service's offsets (the pattern of calendar's alarm manager), then
        trigger this action again when the next one is due.

        A reminder is due from its time (start minus offset) until the visit
        starts, so one whose time passed while no server ran still goes out; only
        the latest due offset of a booking is sent (no 24 h reminder two hours
        before), and offsets that fell before the booking was made are skipped.
        Returns the messages created."""
        now = now or fields.Datetime.now()
        self.env["smartbook.booking"].flush_model(["state", "start", "service_id", "create_date"])
        self.env["smartbook.service"].flush_model(["smartbook_reminder_hours"])
        self.flush_model(["booking_id", "kind", "dedupe_key"])
        self.env.cr.execute(
            SQL(
                """
                WITH offsets AS (
                    SELECT b.id, b.start, o.minutes, b.start - o.minutes * interval '1 minute' AS due_at
                      FROM smartbook_booking b
                      JOIN smartbook_service s ON s.id = b.service_id
                     CROSS JOIN LATERAL (
                           SELECT round(hours::numeric * 60)::int AS minutes
                             FROM unnest(string_to_array(s.smartbook_reminder_hours, ',')) AS hours
                           ) o
                     WHERE b.state = 'confirmed'
                       AND b.start > %(now)s
                       AND b.start <= %(horizon)s
                       AND b.start - o.minutes * interval '1 minute' > b.create_date
                ), due AS (
                    SELECT DISTINCT ON (id) id, start, minutes
                      FROM offsets
                     WHERE due_at <= %(now)s
                     ORDER BY id, minutes
                )
                SELECT due.id, due.minutes, NULL
                  FROM due
                 WHERE NOT EXISTS (
                       SELECT 1
                         FROM smartbook_message m
                        WHERE m.booking_id = due.id
                          AND m.kind = 'reminder'
                          AND split_part(m.dedupe_key, ':', 3) = to_char(due.start, %(key_time)s)
                          AND split_part(m.dedupe_key, ':', 4)::int <= due.minutes
                       )
                 UNION ALL
                SELECT NULL, NULL, min(due_at) FROM offsets WHERE due_at > %(now)s
                """,
                now=now,
                horizon=now + timedelta(hours=MAX_REMINDER_HOURS, minutes=1),
                key_time=KEY_TIME_SQL,
            )
        )
        rows = self.env.cr.fetchall()
        next_due = next((row[2] for row in rows if row[0] is None), None)
        due = {booking_id: minutes for booking_id, minutes, _next in rows if booking_id is not None}
        created = self.browse()
        Booking = self.env["smartbook.booking"].sudo()
        for ids in split_every(ENQUEUE_BATCH, sorted(due)):
            bookings = Booking.browse(ids)
            vals_list = bookings._smartbook_client_messages(
                "reminder", extra={booking_id: (due[booking_id],) for booking_id in ids}
            )
            created |= self.sudo()._smartbook_enqueue(vals_list)
            self._smartbook_commit()
            self.env.invalidate_all()
        if next_due:
            self.env.ref("smartbook_messaging.ir_cron_smartbook_enqueue").sudo()._trigger(at=next_due)
        return created

    # ------------------------------------------------------------------ clients' days

    @api.model
    def _smartbook_business_today(self, company, now=None):
        """Today's date in the business's time zone."""
        tz_name = company._smartbook_tz()
        try:
            zone = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            zone = pytz.utc
        return pytz.utc.localize(now or fields.Datetime.now()).astimezone(zone).date()

    @api.model
    def _smartbook_flush_clients(self):
        self.env["res.partner"].flush_model()
        self.env["smartbook.booking"].flush_model(["partner_id", "state", "start"])
        self.flush_model(["partner_id", "kind", "dedupe_key"])

    @api.model
    def _smartbook_has_templates(self, kind, company):
        return bool(self.env["smartbook.message.template"].sudo()._smartbook_templates(kind, company))

    @api.model
    def _smartbook_companies(self):
        return self.env["res.company"].sudo().search([("active", "=", True)])

    @api.model
    def _smartbook_enqueue_birthdays(self, now=None):
        """Greet the clients (with marketing consent) whose birthday is today in the
        business's time zone, once a year (the year is in the key); a 29 February
        birthday is greeted on 28 February in other years."""
        created = self.browse()
        self._smartbook_flush_clients()
        for company in self._smartbook_companies():
            if not self._smartbook_has_templates("birthday", company):
                continue
            today = self._smartbook_business_today(company, now)
            leap_day_today = today.month == 2 and today.day == 28 and not calendar.isleap(today.year)
            partner_ids = self._smartbook_marketing_client_ids(
                company,
                "birthday",
                SQL(
                    """
                    p.smartbook_birthday IS NOT NULL
                    AND (
                         (EXTRACT(MONTH FROM p.smartbook_birthday) = %(month)s
                          AND EXTRACT(DAY FROM p.smartbook_birthday) = %(day)s)
                         OR (%(leap_day_today)s AND EXTRACT(MONTH FROM p.smartbook_birthday) = 2
                             AND EXTRACT(DAY FROM p.smartbook_birthday) = 29)
                    )
                    """,
                    month=today.month,
                    day=today.day,
                    leap_day_today=leap_day_today,
                ),
                SQL("%s", str(today.year)),
            )
            created |= self._smartbook_enqueue_clients(
                company,
                partner_ids,
                "birthday",
                lambda partner, channel, year=today.year: f"birthday:{partner.id}:{year}:{channel}",
            )
        return created

    @api.model
    def _smartbook_enqueue_winbacks(self, now=None):
        """Invite sleeping clients back (no visit for the company's sleeping days and
        nothing booked ahead), once per sleeping period: the key holds the last
        visit, so a client who comes back and falls asleep again is invited again."""
        now = now or fields.Datetime.now()
        created = self.browse()
        self._smartbook_flush_clients()
        for company in self._smartbook_companies():
            if not company.smartbook_sleeping_days or not self._smartbook_has_templates("winback", company):
                continue
            partner_ids = self._smartbook_marketing_client_ids(
                company,
                "winback",
                SQL(
                    """
                    p.smartbook_last_visit < %(cutoff)s
                    AND NOT EXISTS (
                        SELECT 1 FROM smartbook_booking b
                         WHERE b.partner_id = p.id AND b.state IN ('draft', 'confirmed')
                           AND b.start > %(now)s
                    )
                    """,
                    cutoff=now - timedelta(days=company.smartbook_sleeping_days),
                    now=now,
                ),
                SQL("to_char(p.smartbook_last_visit, %s)", KEY_TIME_SQL),
            )
            created |= self._smartbook_enqueue_clients(
                company,
                partner_ids,
                "winback",
                lambda partner, channel: (
                    f"winback:{partner.id}:{partner.smartbook_last_visit.strftime(KEY_TIME_FORMAT)}:{channel}"
                ),
            )
        return created

    @api.model
    def _smartbook_marketing_client_ids(self, company, kind, condition, key_period):
        """Ids (in order) of the company's clients who may receive marketing (consent, not
        erased nor blacklisted), meet ``condition`` (SQL over the partner ``p``) and were not
        sent ``kind`` for this period yet: no message keyed ``kind:<partner>:<key_period>:``
        on any channel (``key_period``: SQL over ``p``)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
                 WHERE p.smartbook_client AND p.active
                   AND p.smartbook_consent_marketing
                   AND NOT COALESCE(p.smartbook_erased, false)
                   AND NOT COALESCE(p.smartbook_blacklisted, false)
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND (%(condition)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM smartbook_message m
                        WHERE m.partner_id = p.id AND m.kind = %(kind)s
                          AND m.dedupe_key
                              LIKE %(kind)s || ':' || p.id || ':' || %(key_period)s || %(any_channel)s
                   )
                 ORDER BY p.id
                """,
                company=company.id,
                condition=condition,
                kind=kind,
                key_period=key_period,
                any_channel=":%",
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _smartbook_enqueue_clients(self, company, partner_ids, kind, make_key):
        """Render and enqueue ``kind`` for clients, a batch at a time."""
        Template = self.env["smartbook.message.template"].sudo()
        templates = Template._smartbook_templates(kind, company)
        created = self.browse()
        Partner = self.env["res.partner"].sudo()
        for ids in split_every(ENQUEUE_BATCH, partner_ids):
            vals_list = Template._smartbook_messages(company, Partner.browse(ids), kind, make_key, templates)
            created |= self.sudo()._smartbook_enqueue(vals_list)
            self._smartbook_commit()
        return created
