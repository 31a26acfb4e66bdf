"""What a client may change themselves (portal, manage link, Telegram button):
cancel or move a booking still to happen, until the service's deadline."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests.common import tagged

from ..exceptions import BookingRefused
from ..models.smartbook_booking import SmartbookBooking
from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestClientChanges(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service.cancel_deadline_hours = 24
        cls.env.company.phone = "+34 910 000 000"

    def test_cancel_before_the_deadline(self):
        booking = self.book(10, state="confirmed")
        booking.action_client_cancel()
        self.assertEqual(booking.state, "cancelled")
        self.assertIn("10:00", self.free_hours())

    def test_too_late_names_the_business_phone(self):
        soon = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=5)
        self.service.min_notice_hours = 0
        booking = self.env["smartbook.booking"].create(
            {
                "partner_id": self.client.id,
                "service_id": self.service.id,
                "employee_id": self.employee.id,
                "start": soon,
                "outside_hours_ok": True,
            }
        )
        with self.assertRaises(BookingRefused) as refused:
            booking.action_client_cancel()
        self.assertEqual(refused.exception.code, "too_late")
        self.assertIn("+34 910 000 000", str(refused.exception))
        self.assertEqual(booking.state, "draft")
        # The business itself still may.
        booking.action_cancel()
        self.assertEqual(booking.state, "cancelled")

    def test_finished_booking_cannot_change(self):
        booking = self.book(10, state="confirmed")
        booking.action_cancel()
        with self.assertRaises(BookingRefused) as refused:
            booking.action_client_reschedule(self.at(12))
        self.assertEqual(refused.exception.code, "too_late")

    def test_reschedule_moves_and_calls_the_hook(self):
        booking = self.book(10, state="confirmed")
        calls = []

        def spy(records, old_starts):
            calls.append((records.ids, dict(old_starts)))

        with patch.object(SmartbookBooking, "_smartbook_after_reschedule", spy):
            booking.action_client_reschedule(self.at(13))
            booking.write({"note": "no move, no call"})
        self.assertEqual(booking.start, self.at(13))
        self.assertEqual(calls, [(booking.ids, {booking.id: self.at(10)})])
        self.assertIn("10:00", self.free_hours())
        self.assertNotIn("13:00", self.free_hours())

    def test_reschedule_keeps_the_online_rules_and_loses_nothing(self):
        booking = self.book(10, state="confirmed")
        self.service.max_days_ahead = 1
        with self.assertRaises(ValidationError):
            booking.action_client_reschedule(self.at(13) + timedelta(days=30))
        self.assertEqual(booking.start, self.at(10))

    def test_manage_link(self):
        booking = self.book(10)
        self.assertEqual(booking.access_url, f"/my/bookings/{booking.id}")
        url = booking.get_portal_url()
        self.assertIn(f"/my/bookings/{booking.id}?access_token=", url)
        self.assertTrue(booking.access_token)
