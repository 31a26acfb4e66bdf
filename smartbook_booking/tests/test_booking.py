from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import tagged

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestFreeSlots(SmartbookBookingCase):
    def test_free_day(self):
        hours = self.free_hours()
        self.assertEqual(hours[0], "09:00")
        self.assertEqual(hours[-1], "15:30")  # 15:30 + 60 min + 15 min buffer = 16:45
        self.assertEqual(len(hours), 14)

    def test_booking_and_its_buffer_take_time(self):
        self.book(10)
        hours = self.free_hours()
        # 10:00-11:00 plus 15 min cleaning; a new slot needs its own 15 min after.
        self.assertNotIn("10:00", hours)
        # 9:00 and 9:30 would still be cleaning at 10:00 (until 10:15, 10:45);
        # 11:00 falls in the booking's own cleaning, which runs until 11:15.
        self.assertEqual(hours[:3], ["11:30", "12:00", "12:30"])

    def test_cancelled_booking_frees_time(self):
        booking = self.book(10)
        booking.action_cancel(reason="Ill")
        self.assertIn("10:00", self.free_hours())
        self.assertEqual(booking.cancel_reason, "Ill")

    def test_leave_removes_time(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "resource_id": self.employee.resource_id.id,
                "calendar_id": self.calendar.id,
                "date_from": self.at(12),
                "date_to": self.at(14),
            }
        )
        hours = self.free_hours()
        self.assertNotIn("12:00", hours)
        self.assertNotIn("11:00", hours)  # would run into the leave
        self.assertIn("14:00", hours)

    def test_every_slot_is_bookable(self):
        self.book(11)
        slots = self.service.get_free_slots(self.day, self.day + timedelta(days=1))
        # 9:00, 9:30, then from 12:30 (after 11:00-12:00 and its cleaning) to 15:30
        self.assertEqual(len(slots), 9, "a free day but for one booking: slots must come back")
        for slot in slots:
            with self.env.cr.savepoint() as savepoint:
                self.env["smartbook.booking"].create(
                    {
                        "partner_id": self.client.id,
                        "service_id": self.service.id,
                        "employee_id": slot["employee_id"],
                        "start": slot["start"],
                    }
                )
                savepoint.rollback()

    def test_notice_and_horizon(self):
        self.service.min_notice_hours = 24 * 365
        self.assertEqual(self.free_hours(), [])
        # Notice: nothing before now + notice, the rest of the day still offered.
        now = fields.Datetime.now()
        self.service.min_notice_hours = int((self.at(12) - now).total_seconds() // 3600) + 1
        earliest = now + timedelta(hours=self.service.min_notice_hours)
        hours = self.free_hours()
        self.assertNotIn("09:00", hours)
        self.assertIn("15:30", hours)
        slots = self.service.get_free_slots(self.day, self.day + timedelta(days=1))
        self.assertTrue(all(slot["start"] >= earliest for slot in slots))
        # Horizon: nothing from now + horizon on, though the asked window goes further.
        self.service.min_notice_hours = 0
        self.service.max_days_ahead = 10
        latest = now + timedelta(days=10)
        slots = self.service.get_free_slots(self.day, self.day + timedelta(days=30))
        self.assertTrue(slots)
        self.assertTrue(all(slot["start"] < latest for slot in slots))
        self.assertGreater(max(slot["start"] for slot in slots), latest - timedelta(days=1))
        self.service.max_days_ahead = 0
        self.assertEqual(self.free_hours(), [])

    def test_round_the_clock_calendar_keeps_the_grid(self):
        # Open 24 hours: the working time is one interval across the days, so where its
        # computation starts must not become the origin of the slot grid.
        self.calendar.attendance_ids.hour_from = 0
        self.calendar.attendance_ids.hour_to = 24
        now = fields.Datetime.now()
        slots = self.service.get_free_slots(now, now + timedelta(days=2))
        self.assertTrue(slots)
        self.assertTrue(all(slot["start"] >= now for slot in slots))
        self.assertEqual({(slot["start"].minute % 30, slot["start"].second) for slot in slots}, {(0, 0)})


@tagged("post_install", "-at_install")
class TestBookingRules(SmartbookBookingCase):
    def test_overlap_refused_by_database(self):
        self.book(10)
        with self.assertRaisesRegex(ValidationError, "already has a booking"):
            self.book(10, 30)
        # Buffer: 10:00-11:00 + 15 min; 11:00 would overlap the cleaning time.
        with self.assertRaisesRegex(ValidationError, "already has a booking"):
            self.book(11)
        self.assertTrue(self.book(11, 15))

    def test_blacklisted_client_cannot_book(self):
        self.client.write({"smartbook_blacklisted": True, "smartbook_blacklist_reason": "Unpaid visits"})
        with self.assertRaisesRegex(ValidationError, "Unpaid visits"):
            self.book(10)

    def test_transitions(self):
        booking = self.book(10)
        booking.action_confirm()
        booking.action_done()
        self.assertEqual(booking.state, "done")
        with self.assertRaises(UserError):
            booking.action_cancel()

    def test_session_capacity_and_instructor_busy(self):
        group_service = self.service.copy({"name": "Yoga", "is_group": True, "capacity": 2, "slug": "yoga"})
        session = self.env["smartbook.session"].create(
            {"service_id": group_service.id, "employee_id": self.employee.id, "start": self.at(13)}
        )
        slots = group_service.get_free_slots(self.day, self.day + timedelta(days=1))
        self.assertEqual([(slot["start"], slot["seats_left"]) for slot in slots], [(self.at(13), 2)])
        self.assertNotIn("13:00", self.free_hours())
        self.assertNotIn("12:30", self.free_hours())
        other = self.env["res.partner"].create({"name": "Second", "smartbook_client": True})
        third = self.env["res.partner"].create({"name": "Third", "smartbook_client": True})
        Booking = self.env["smartbook.booking"]
        Booking.create({"partner_id": self.client.id, "session_id": session.id})
        Booking.create({"partner_id": other.id, "session_id": session.id})
        self.assertEqual(session.seats_left, 0)
        self.assertFalse(group_service.get_free_slots(self.day, self.day + timedelta(days=1)))
        with self.assertRaisesRegex(ValidationError, "is full"):
            Booking.create({"partner_id": third.id, "session_id": session.id})
        with self.assertRaisesRegex(ValidationError, "not free"):
            self.book(13, 30)

    def test_employee_sees_own_bookings_and_served_clients(self):
        other_employee = self.employee.copy({"name": "Other", "user_id": False, "smartbook_slug": False})
        self.service.employee_ids |= other_employee
        mine = self.book(10)
        stranger = self.env["res.partner"].create({"name": "Stranger", "smartbook_client": True})
        theirs = self.book(10, employee_id=other_employee.id, partner_id=stranger.id)
        Booking = self.env["smartbook.booking"].with_user(self.user_specialist)
        self.assertEqual(Booking.search([("id", "in", (mine | theirs).ids)]), mine)
        Partner = self.env["res.partner"].with_user(self.user_specialist)
        self.assertEqual(Partner.search([("id", "in", (self.client | stranger).ids)]), self.client)
        with self.assertRaises(AccessError):
            theirs.with_user(self.user_specialist).read(["state"])
