from datetime import date, datetime, timedelta

import pytest

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.smartbook_booking import dedupe_key
from ..tools.reminder_offsets import format_reminder_hours, parse_reminder_hours
from .test_templates import MessagingCase


@tagged("post_install", "-at_install")
class TestReminders(MessagingCase):
    """Lifecycle messages and the enqueue action. Bookings are placed relative to
    the real clock (the outbox and the database both read it); their creation
    time is moved back where a test needs a booking "made days ago"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Work around the clock: a booking can sit at any hour.
        cls.calendar.attendance_ids.write({"hour_from": 0, "hour_to": 24})
        # Only the test service reminds: the demo's bookings stay out of the counts.
        cls.env["smartbook.service"].search([("id", "!=", cls.service.id)]).smartbook_reminder_hours = False
        cls.cron = cls.env.ref("smartbook_messaging.ir_cron_smartbook_enqueue")
        _user, cls.other_employee = cls._create_specialist()

    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now().replace(second=0, microsecond=0)

    def booking_at(self, start, made_days_ago=3, confirm=True, employee=None):
        booking = self.env["smartbook.booking"].create(
            {
                "partner_id": self.client.id,
                "service_id": self.service.id,
                "employee_id": (employee or self.employee).id,
                "start": start,
            }
        )
        booking.flush_recordset()
        self.env.cr.execute(
            "UPDATE smartbook_booking SET create_date = %s WHERE id = %s",
            [self.now - timedelta(days=made_days_ago), booking.id],
        )
        booking.invalidate_recordset(["create_date"])
        if confirm:
            booking.action_confirm()
        return booking

    def reminders(self, booking, state=None):
        domain = {"kind": "reminder"}
        if state:
            domain["state"] = state
        return self.messages(booking, **domain)

    def enqueue(self, at):
        return self.Message._smartbook_enqueue_reminders(now=at)

    # ------------------------------------------------------------------ the enqueue action

    def test_24h_and_2h_reminders_queued_once_each(self):
        start = self.now + timedelta(hours=23)
        booking = self.booking_at(start)
        self.enqueue(self.now)
        self.enqueue(self.now)  # a second run adds nothing
        first = self.reminders(booking)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.dedupe_key.split(":")[3], "1440")
        self.assertEqual(first.channel, "sms")
        self.assertIn("Test Cut", first.body)
        # 1 h 50 before the visit: the 2 h reminder, once
        later = start - timedelta(hours=1, minutes=50)
        self.enqueue(later)
        self.enqueue(later)
        self.assertEqual(
            [message.dedupe_key.split(":")[3] for message in self.reminders(booking)], ["1440", "120"]
        )
        # the whole cron adds nothing more
        self.Message._cron_enqueue()
        self.assertEqual(len(self.reminders(booking)), 2)

    def test_passed_reminder_caught_up_while_the_visit_has_not_started(self):
        """The server was down when both reminders fell due: one reminder (the
        latest offset) still goes out before the visit; none after it started."""
        soon = self.booking_at(self.now + timedelta(hours=1))
        started = self.booking_at(self.now - timedelta(minutes=10), employee=self.other_employee)
        self.enqueue(self.now)
        self.assertEqual([message.dedupe_key.split(":")[3] for message in self.reminders(soon)], ["120"])
        self.assertFalse(self.reminders(started))
        # and the 24 h one does not come late after the 2 h one
        self.enqueue(self.now + timedelta(minutes=5))
        self.assertEqual(len(self.reminders(soon)), 1)

    def test_offsets_before_the_booking_was_made_are_skipped(self):
        booking = self.booking_at(self.now + timedelta(hours=5), made_days_ago=0)
        self.env.cr.execute(
            "UPDATE smartbook_booking SET create_date = %s WHERE id = %s",
            [self.now - timedelta(hours=1), booking.id],
        )
        self.enqueue(self.now)
        self.assertFalse(self.reminders(booking))  # the 24 h reminder fell before the booking
        self.enqueue(booking.start - timedelta(hours=2))
        self.assertEqual(len(self.reminders(booking)), 1)

    def test_enqueue_triggers_itself_at_the_next_due_time(self):
        start = self.now + timedelta(hours=30)
        self.booking_at(start)
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", self.cron.id)]).unlink()
        self.enqueue(self.now)
        calls = Trigger.search([("cron_id", "=", self.cron.id)]).mapped("call_at")
        # the next due reminder of all bookings: the fixture may hold earlier ones
        self.assertIn(start - timedelta(hours=24), calls)
        self.assertEqual(len(calls), 1)

    def test_confirming_arms_the_enqueue_action(self):
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", self.cron.id)]).unlink()
        start = self.now + timedelta(hours=50)
        self.booking_at(start)
        calls = Trigger.search([("cron_id", "=", self.cron.id)]).mapped("call_at")
        self.assertEqual(calls, [start - timedelta(hours=24)])

    def test_service_offsets(self):
        self.service.smartbook_reminder_hours = " 3; 48 ,3"
        self.assertEqual(self.service.smartbook_reminder_hours, "48,3")
        booking = self.booking_at(self.now + timedelta(hours=2, minutes=30))
        self.enqueue(self.now)
        self.assertEqual(self.reminders(booking).dedupe_key.split(":")[3], "180")
        with self.assertRaises(ValidationError):
            self.service.smartbook_reminder_hours = "tomorrow"
        self.service.smartbook_reminder_hours = ""
        other = self.booking_at(self.now + timedelta(hours=1, minutes=30), employee=self.other_employee)
        self.enqueue(self.now)
        self.assertFalse(self.reminders(other))

    # ------------------------------------------------------------------ lifecycle

    def test_confirmation_queued_on_confirm_and_silent_import(self):
        booking = self.booking_at(self.now + timedelta(days=3), confirm=False)
        self.assertFalse(self.messages(booking))
        booking.action_confirm()
        confirmation = self.messages(booking, kind="confirmation")
        self.assertEqual(len(confirmation), 1)
        self.assertEqual(confirmation.state, "queued")
        imported = self.history(self.now + timedelta(days=4), state="confirmed", channel="import")
        self.assertFalse(self.messages(imported))

    def test_cancel_cancels_what_is_queued(self):
        booking = self.booking_at(self.now + timedelta(hours=20))
        self.enqueue(self.now)
        queued = self.messages(booking)
        self.assertEqual(set(queued.mapped("kind")), {"confirmation", "reminder"})
        booking.action_cancel(reason="Ill")
        self.assertEqual(set(queued.mapped("state")), {"cancelled"})
        cancelled_notice = self.messages(booking, kind="cancelled")
        self.assertEqual(cancelled_notice.state, "queued")
        self.enqueue(self.now + timedelta(hours=19))
        self.assertEqual(len(self.reminders(booking)), 1)  # a cancelled booking is not reminded

    def test_done_cancels_queued_reminders(self):
        booking = self.booking_at(self.now + timedelta(hours=1))
        self.enqueue(self.now)
        reminder = self.reminders(booking)
        booking.action_done()
        self.assertEqual(reminder.state, "cancelled")
        self.assertEqual(self.messages(booking, kind="confirmation").state, "queued")

    def test_reschedule_rearms_reminders(self):
        booking = self.booking_at(self.now + timedelta(hours=20))
        self.enqueue(self.now)
        old = self.reminders(booking)
        self.assertEqual(len(old), 1)
        new_start = self.now + timedelta(hours=44)
        booking.write({"start": new_start})
        self.assertFalse(old.exists(), "the reminder for the old time is dropped")
        rescheduled = self.messages(booking, kind="rescheduled")
        self.assertEqual(len(rescheduled), 1)
        self.assertIn(new_start.strftime("%Y%m%dT%H%M%S"), rescheduled.dedupe_key)
        self.enqueue(self.now)
        self.assertFalse(self.reminders(booking), "nothing due yet for the new time")
        self.enqueue(new_start - timedelta(hours=23))
        new = self.reminders(booking)
        self.assertEqual(len(new), 1)
        self.assertIn(new_start.strftime("%Y%m%dT%H%M%S"), new.dedupe_key)
        # back to the first time: its reminder can be armed again
        booking.write({"start": self.now + timedelta(hours=20)})
        self.enqueue(self.now)
        self.assertEqual(len(self.reminders(booking, state="queued")), 1)

    def test_staff_notice_for_online_bookings(self):
        contact = self.employee.work_contact_id
        contact.sudo().write({"telegram_chat_id": "777"})
        booking = self.booking_at(self.now + timedelta(days=2), confirm=False)
        booking.channel = "website"
        booking.action_confirm()
        notice = self.messages(booking, kind="staff_notice")
        self.assertEqual((notice.channel, notice.partner_id), ("telegram", contact))
        self.assertIn("Booking Client", notice.body)
        note = booking.message_ids.filtered(
            lambda message: self.user_specialist.partner_id in message.partner_ids
        )
        self.assertTrue(note, "the specialist's user is notified in Odoo")
        booking.action_cancel()
        self.assertEqual(len(self.messages(booking, kind="staff_notice")), 2)
        # back-office bookings do not bother the specialist
        other = self.booking_at(self.now + timedelta(days=3))
        self.assertFalse(self.messages(other, kind="staff_notice"))

    # ------------------------------------------------------------------ clients' days

    def test_birthday_greeted_once_a_year(self):
        Message = self.Message
        today = Message._smartbook_business_today(self.env.company)
        self.client.sudo().write(
            {
                "smartbook_birthday": date(1990, today.month, min(today.day, 28)),
                "smartbook_consent_marketing": True,
            }
        )
        if today.day > 28:
            self.client.sudo().smartbook_birthday = date(1992, today.month, today.day)
        other = self.client.copy({"name": "No consent", "smartbook_consent_marketing": False})
        other.sudo().smartbook_birthday = self.client.sudo().smartbook_birthday
        Message._smartbook_enqueue_birthdays()
        Message._smartbook_enqueue_birthdays()
        greetings = self.messages(kind="birthday")
        self.assertEqual(greetings.partner_id, self.client)
        self.assertEqual(greetings.dedupe_key, f"birthday:{self.client.id}:{today.year}:sms")
        self.assertIn("Happy birthday, Booking Client", greetings.body)

    def test_winback_once_per_sleeping_period(self):
        self.env.company.smartbook_sleeping_days = 60
        visit = self.history(self.now - timedelta(days=90), state="done", channel="import")
        self.client.sudo().smartbook_consent_marketing = True
        self.client.invalidate_recordset()
        self.assertEqual(self.client.smartbook_last_visit, visit.start)
        self.Message._smartbook_enqueue_winbacks()
        self.Message._smartbook_enqueue_winbacks()
        self.assertEqual(len(self.messages(kind="winback")), 1)
        # a client with a visit booked ahead is not sleeping
        self.messages(kind="winback").unlink()
        self.booking_at(self.now + timedelta(days=5))
        self.Message._smartbook_enqueue_winbacks()
        self.assertFalse(self.messages(kind="winback"))


def test_reminder_hours_parse_and_format():
    assert parse_reminder_hours("24, 2") == [1440, 120]
    assert parse_reminder_hours("2;24 24 1.5") == [1440, 120, 90]
    assert parse_reminder_hours("") == []
    assert format_reminder_hours([120, 1440, 90]) == "24,2,1.5"
    for wrong in ("0", "-2", "abc", "800", "2h"):
        with pytest.raises(ValueError):
            parse_reminder_hours(wrong)


def test_dedupe_key_shape():
    start = datetime(2027, 3, 29, 8, 30)
    assert dedupe_key("reminder", 7, start, "sms", 120) == "reminder:7:20270329T083000:120:sms"
    assert dedupe_key("confirmation", 7, start, "telegram") == "confirmation:7:20270329T083000:telegram"
