"""The client portal: a client sees and changes their own bookings, never another
client's, whether by URL, by a wrong token or by the record rules; the manage
link works without logging in."""

import re
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_pages import SmartbookPagesCase


def listed_ids(html):
    return {int(found) for found in re.findall(r'href="/my/bookings/(\d+)"', html)}


@tagged("post_install", "-at_install")
class TestPortal(SmartbookPagesCase):
    def test_list_shows_own_bookings_only(self):
        past = self._book(self.user_a.partner_id, self.day.replace(hour=14) - timedelta(days=5))
        past.action_cancel()
        self.authenticate("sb_portal_a", "sb_portal_a")
        response = self.url_open("/my/bookings")
        self.assertEqual(response.status_code, 200)
        ids = listed_ids(response.text)
        self.assertIn(self.booking_a.id, ids)
        self.assertIn(past.id, ids)  # cancelled: listed with the past ones
        self.assertNotIn(self.booking_b.id, ids)
        upcoming_part, _sep, past_part = response.text.partition("o_sb_past")
        self.assertIn(f"/my/bookings/{self.booking_a.id}", upcoming_part)
        self.assertIn(f"/my/bookings/{past.id}", past_part)

    def test_home_counter(self):
        self.authenticate("sb_portal_a", "sb_portal_a")
        self.assertIn("smartbook_booking_count", self.url_open("/my/home").text)
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["smartbook_booking_count"]})
        self.assertEqual(result["smartbook_booking_count"], 1)

    def test_list_needs_login(self):
        response = self.url_open("/my/bookings", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_manage_page_of_own_booking(self):
        self.authenticate("sb_portal_a", "sb_portal_a")
        response = self.url_open(f"/my/bookings/{self.booking_a.id}")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(f'data-access-token="{self.booking_a.access_token}"', html)
        self.assertIn("o_sb_cancel_open", html)
        self.assertIn("o_sb_reschedule_open", html)

    def test_cannot_see_another_clients_booking(self):
        self.authenticate("sb_portal_a", "sb_portal_a")
        other = f"/my/bookings/{self.booking_b.id}"
        self.assertEqual(self.url_open(other).status_code, 404)
        self.assertEqual(self.url_open(f"{other}?access_token=wrong").status_code, 404)
        self.assertEqual(
            self.url_open(f"{other}?access_token={self.booking_a.access_token}").status_code, 404
        )
        self.assertEqual(self.url_open("/my/bookings/999999999").status_code, 404)
        # nothing of B's in A's pages
        self.assertNotIn(self.booking_b.access_token, self.url_open("/my/bookings").text)

    def test_cannot_cancel_another_clients_booking(self):
        self.authenticate("sb_portal_a", "sb_portal_a")
        for token in (self.booking_a.access_token, "", "x" * 36):
            answer = self.jsonrpc(
                "/smartbook/booking/cancel", {"booking_id": self.booking_b.id, "access_token": token}
            )
            self.assertIn("error", answer)
            self.assertIn(answer["error"]["data"]["code"], ("not_found", "invalid_input"))
        self.booking_b.invalidate_recordset()
        self.assertEqual(self.booking_b.state, "confirmed")

    def test_token_link_without_login(self):
        url = f"/my/bookings/{self.booking_b.id}"
        response = self.url_open(f"{url}?access_token={self.booking_b.access_token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_sb_cancel_open", response.text)
        # without the token a visitor is asked to log in, with a wrong one: 404
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        self.assertEqual(self.url_open(f"{url}?access_token={self.booking_a.access_token}").status_code, 404)

    def test_cancel_with_token(self):
        answer = self.jsonrpc(
            "/smartbook/booking/cancel",
            {"booking_id": self.booking_b.id, "access_token": self.booking_b.access_token, "reason": "Ill"},
        )
        self.assertEqual(answer["result"]["state"], "cancelled")
        html = self.url_open(
            f"/my/bookings/{self.booking_b.id}?access_token={self.booking_b.access_token}"
        ).text
        self.assertNotIn("o_sb_cancel_open", html)
        # a finished booking offers to book the same again
        self.assertIn(f"/book?service={self.service.id}&amp;employee={self.employee.id}", html)

    def test_too_late_shows_the_phone(self):
        soon = self._book(self.user_a.partner_id, self._soon())
        self.authenticate("sb_portal_a", "sb_portal_a")
        html = self.url_open(f"/my/bookings/{soon.id}").text
        self.assertIn("o_sb_too_late", html)
        self.assertIn("+34 910 000 000", html)
        self.assertNotIn("o_sb_cancel_open", html)
        answer = self.jsonrpc(
            "/smartbook/booking/cancel", {"booking_id": soon.id, "access_token": soon.access_token}
        )
        self.assertEqual(answer["error"]["data"]["code"], "too_late")
        self.assertIn("+34 910 000 000", answer["error"]["message"])

    def test_record_rules(self):
        Booking = self.env["smartbook.booking"]
        as_a = Booking.with_user(self.user_a)
        self.assertEqual(as_a.search([]), self.booking_a)
        self.booking_a.with_user(self.user_a).check_access("read")
        with self.assertRaises(AccessError):
            self.booking_b.with_user(self.user_a).check_access("read")
        with self.assertRaises(AccessError):
            self.booking_a.with_user(self.user_a).write({"cancel_reason": "no"})
        # a contact of A's company sees the company's bookings, not B's
        company = self.env["res.partner"].create({"name": "A Corp", "is_company": True})
        self.user_a.partner_id.parent_id = company
        colleague = new_test_user(self.env, login="sb_portal_a2", groups="base.group_portal")
        colleague.partner_id.parent_id = company
        self.assertEqual(Booking.with_user(colleague).search([]), self.booking_a)
        # public and plain internal users read no booking at all
        with self.assertRaises(AccessError):
            self.booking_a.with_user(self.env.ref("base.public_user")).check_access("read")
        internal = new_test_user(self.env, login="sb_plain_internal", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.booking_a.with_user(internal).check_access("read")

    def test_internal_comment_stays_internal(self):
        self.booking_a.sudo().note = "Always late, charge the deposit"
        mine = self.booking_a.with_user(self.user_a)
        self.assertEqual(mine.read(["service_id"])[0]["id"], self.booking_a.id)
        with self.assertRaises(AccessError):
            mine.read(["note"])
        self.authenticate("sb_portal_a", "sb_portal_a")
        response = self.url_open(f"/my/bookings/{self.booking_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("charge the deposit", response.text)
