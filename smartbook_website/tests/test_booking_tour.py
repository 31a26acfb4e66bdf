"""A visitor on a phone-sized screen books a slot end to end on the demo data, in
Chromium: service, first free time of the first free day, their details, confirm;
and a portal client cancels, another reschedules, a booking from "My bookings"."""

from datetime import datetime

from odoo.tests import HttpCase, tagged

from .common_pages import SmartbookPagesCase


@tagged("post_install", "-at_install")
class TestBookingTour(HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_book_on_a_phone(self):
        service = self.env["smartbook.service"].search([("name", "=", "Manicure"), ("online", "=", True)])
        if not service:
            self.skipTest("the demo data is not installed")
        before = self.env["smartbook.booking"].search([("service_id", "=", service.id)])
        started = datetime.now()
        self.start_tour("/book", "smartbook_website_book", login=None)
        booking = self.env["smartbook.booking"].search([("service_id", "=", service.id)]) - before
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.channel, "website")
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.partner_id.phone, "+34612345678")
        self.assertEqual(booking.partner_id.name, "Tour <b>Visitor</b>")
        self.assertGreater(booking.start, started)
        self.assertFalse(booking.partner_id.smartbook_consent_sms)


@tagged("post_install", "-at_install")
class TestPortalTour(SmartbookPagesCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_cancel_from_my_bookings(self):
        self.start_tour("/my/bookings", "smartbook_website_portal_cancel", login="sb_portal_a")
        self.booking_a.invalidate_recordset()
        self.assertEqual(self.booking_a.state, "cancelled")
        self.assertEqual(self.booking_a.cancel_reason, "Tour: cannot come")
        self.assertEqual(self.booking_b.state, "confirmed")

    def test_reschedule_from_my_bookings(self):
        old_start, started = self.booking_b.start, datetime.now()
        self.start_tour("/my/bookings", "smartbook_website_portal_reschedule", login="sb_portal_b")
        self.booking_b.invalidate_recordset()
        self.assertEqual(self.booking_b.state, "confirmed")
        self.assertLess(self.booking_b.start, old_start)
        self.assertGreaterEqual(self.booking_b.start, started)  # a time still free when it was offered
        self.assertEqual(self.booking_a.start, self.day.replace(hour=10))
