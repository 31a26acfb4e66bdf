"""The public booking pages over real HTTP: what a visitor may open, what answers
404, the confirmation page behind the booking's token, and the calendar file."""

import re
from datetime import timedelta

from odoo.tests import tagged

from .common_pages import SmartbookPagesCase


@tagged("post_install", "-at_install")
class TestBookingPages(SmartbookPagesCase):
    def test_book_page_lists_online_services_by_category(self):
        response = self.url_open("/book")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(f'data-service-id="{self.service.id}"', html)
        self.assertNotIn(f'data-service-id="{self.offline_service.id}"', html)
        self.assertNotIn("Pages Secret Treatment", html)
        # category heading, duration and price are shown; staff-typed HTML is text
        self.assertIn("Hair &lt;i&gt;care&lt;/i&gt;", html)
        self.assertNotIn("Hair <i>care</i>", html)
        self.assertIn("1 h", html)
        self.assertRegex(html, r"30\.00")
        # the form: consents unticked, the honeypot present, the business's country preselected
        for consent in ("consent_sms", "consent_telegram", "consent_marketing"):
            tag = re.search(rf"<input[^>]*name=\"{consent}\"[^>]*>", html).group(0)
            self.assertNotIn("checked", tag)
        self.assertIn('name="website"', html)
        self.assertIn(f'data-tz="{self.company._smartbook_tz()}"', html)

    def test_book_preselects_from_query(self):
        response = self.url_open(f"/book?service={self.service.id}&employee={self.employee.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            f'data-service-id="{self.service.id}" data-employee-id="{self.employee.id}"', response.text
        )
        # nonsense in the query is ignored, never an error
        response = self.url_open("/book?service=abc&employee=%27;--")
        self.assertEqual(response.status_code, 200)
        self.assertIn('data-service-id=""', response.text)

    def test_service_page(self):
        response = self.url_open("/book/service/pages-cut")
        self.assertEqual(response.status_code, 200)
        self.assertIn(f'data-service-id="{self.service.id}"', response.text)
        self.assertEqual(self.url_open("/book/service/no-such-service").status_code, 404)
        # an offline service has no public page
        self.assertEqual(self.url_open("/book/service/pages-secret").status_code, 404)
        self.offline_service.online = True
        self.assertEqual(self.url_open("/book/service/pages-secret").status_code, 200)

    def test_specialist_page(self):
        response = self.url_open("/book/specialist/pages-specialist")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("Pages Specialist", html)
        self.assertIn("Senior stylist", html)
        self.assertIn(f'data-fixed-employee-id="{self.employee.id}"', html)
        # the bio is shown as text
        self.assertIn("Ten years &lt;b&gt;of&lt;/b&gt; cuts &amp; &lt;script&gt;colours&lt;/script&gt;", html)
        self.assertNotIn("<script>colours", html)
        self.assertEqual(self.url_open("/book/specialist/nobody").status_code, 404)
        self.assertEqual(self.url_open("/book/specialist/back-office-only").status_code, 404)
        photo = self.url_open("/book/specialist/pages-specialist/photo")
        self.assertEqual(photo.status_code, 200)
        self.assertTrue(photo.headers["Content-Type"].startswith("image/"))
        self.assertEqual(self.url_open("/book/specialist/back-office-only/photo").status_code, 404)

    def test_website_menu(self):
        menus = self.env["website.menu"].search([("url", "=", "/book")])
        self.assertTrue(menus)
        self.assertIn('href="/book"', self.url_open("/").text)

    def test_confirmation_needs_the_token(self):
        booking = self.booking_a
        url = f"/book/confirmed/{booking.id}"
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.url_open(f"{url}?access_token=wrong").status_code, 404)
        self.assertEqual(self.url_open(f"{url}?access_token={self.booking_b.access_token}").status_code, 404)
        # an id that does not exist answers the same
        self.assertEqual(self.url_open("/book/confirmed/999999999?access_token=x").status_code, 404)
        response = self.url_open(f"{url}?access_token={booking.access_token}")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("Pages Specialist", html)
        self.assertIn(f"/my/bookings/{booking.id}?access_token={booking.access_token}", html)
        self.assertIn(f"/book/ics/{booking.id}?access_token={booking.access_token}", html)
        # the client card is not shown to whoever holds the link
        self.assertNotIn("Client A", html)

    def test_confirmation_for_its_client_without_token(self):
        self.authenticate("sb_portal_a", "sb_portal_a")
        self.assertEqual(self.url_open(f"/book/confirmed/{self.booking_a.id}").status_code, 200)
        self.assertEqual(self.url_open(f"/book/confirmed/{self.booking_b.id}").status_code, 404)

    def test_ics(self):
        booking = self.booking_a
        self.assertEqual(self.url_open(f"/book/ics/{booking.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/book/ics/{booking.id}?access_token=nope").status_code, 404)
        response = self.url_open(f"/book/ics/{booking.id}?access_token={booking.access_token}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        body = response.content.decode()
        lines = body.split("\r\n")
        self.assertEqual(lines[0], "BEGIN:VCALENDAR")
        self.assertEqual(lines[-2:], ["END:VCALENDAR", ""])
        self.assertNotIn("\n", body.replace("\r\n", ""))
        self.assertTrue(all(len(line.encode()) <= 75 for line in lines))
        unfolded = body.replace("\r\n ", "")
        self.assertIn("DTSTART:{}".format(booking.start.strftime("%Y%m%dT%H%M%SZ")), unfolded)
        self.assertIn("DTEND:{}".format(booking.stop.strftime("%Y%m%dT%H%M%SZ")), unfolded)
        # the service's comma and semicolon are escaped
        self.assertIn("SUMMARY:Pages Cut\\, Wash\\; Dry at ", unfolded)
        self.assertIn("STATUS:CONFIRMED", unfolded)
        booking.action_cancel()
        body = self.url_open(f"/book/ics/{booking.id}?access_token={booking.access_token}").text
        self.assertIn("STATUS:CANCELLED", body)

    def _book_online(self, phone, hour):
        start = self.day.replace(hour=hour) + timedelta(days=1)
        answer = self.jsonrpc(
            "/smartbook/book",
            {
                "service_id": self.service.id,
                "employee_id": self.employee.id,
                "start": start.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                "name": "Online <b>Visitor</b>",
                "phone": phone,
            },
        )
        self.assertIn("result", answer, answer)
        return self.env["smartbook.booking"].browse(answer["result"]["booking_id"]), answer["result"]

    def test_telegram_button_only_for_the_cards_own_client(self):
        if "smartbook_telegram_link" not in self.env["res.partner"]._fields:
            self.skipTest("messaging has no Telegram link")
        self.company.smartbook_telegram_bot_username = "sb_pages_bot"
        # a new client: the card this booking created is theirs
        booking, result = self._book_online("+34 600 111 222", 9)
        page = self.url_open(f"/book/confirmed/{booking.id}?access_token={result['access_token']}").text
        self.assertIn("https://t.me/sb_pages_bot?start=", page)
        # someone typing the phone of an existing card does not get that card's link
        self.user_b.partner_id.phone = "+34 600 333 444"
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '1 day' WHERE id = %s",
            [self.user_b.partner_id.id],
        )
        self.env.invalidate_all()
        booking, result = self._book_online("+34 600 333 444", 11)
        self.assertEqual(booking.partner_id, self.user_b.partner_id)
        page = self.url_open(f"/book/confirmed/{booking.id}?access_token={result['access_token']}").text
        self.assertNotIn("t.me/sb_pages_bot", page)
        self.assertNotIn("Client B", page)
        # the card's own client, logged in, does
        self.authenticate("sb_portal_b", "sb_portal_b")
        self.assertIn("t.me/sb_pages_bot", self.url_open(f"/book/confirmed/{booking.id}").text)
