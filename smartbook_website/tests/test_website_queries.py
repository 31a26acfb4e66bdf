"""What the public booking routes and pages cost, over real HTTP: the queries of
``/smartbook/slots`` and ``/book`` stay few (the pages' service list,
specialists and country codes are rendered once and cached), and the cached
parts still follow every change of the offer."""

import re
from datetime import datetime, timedelta

from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.smartbook_website.tools.booking_params import local_iso_formatter, to_local_iso

from .common_pages import SmartbookPagesCase

# Ceilings with room to spare over what the routes cost in this test (slots 8,
# /book 9); before this work they cost about 13 and 29.
SLOTS_MAX_QUERIES = 11
PAGE_MAX_QUERIES = 15


def test_local_iso_formatter_matches_to_local_iso():
    """The slots' formatter converts each moment once and says what ``to_local_iso`` says, across
    the change to summer time and back."""
    to_iso = local_iso_formatter("Europe/Madrid")
    moments = [datetime(2027, 3, 28, 0, 30) + timedelta(minutes=30 * step) for step in range(6)]
    moments += [datetime(2027, 10, 31, 0, 0) + timedelta(minutes=30 * step) for step in range(6)]
    for moment in moments + moments:
        assert to_iso(moment) == to_local_iso(moment, "Europe/Madrid")
    assert to_iso(datetime(2027, 3, 28, 0, 30)) == "2027-03-28T01:30:00+01:00"
    assert to_iso(datetime(2027, 3, 28, 1, 0)) == "2027-03-28T03:00:00+02:00"


@tagged("post_install", "-at_install")
class TestWebsiteQueries(SmartbookPagesCase):
    def _queries(self, call):
        before = sql_db.sql_counter
        result = call()
        return sql_db.sql_counter - before, result

    def _slots(self, **extra):
        params = {
            "service_id": self.service.id,
            "date_from": self.day.date().isoformat(),
            "date_to": (self.day + timedelta(days=6)).date().isoformat(),
            "tz": "Europe/Madrid",
            **extra,
        }
        return self.jsonrpc("/smartbook/slots", params)

    @staticmethod
    def _selected_codes(html):
        return re.findall(r'<option value="(\d+)" selected="True"', html)

    @staticmethod
    def _service_button(html, service):
        match = re.search(rf'<button[^>]* data-service-id="{service.id}"(.*?)</button>', html, re.S)
        return match and match.group(0)

    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_slots_queries(self):
        self._slots()  # the first request fills Odoo's caches (routing, website)
        for extra in ({}, {"employee_id": self.employee.id}):
            count, answer = self._queries(lambda extra=extra: self._slots(**extra))
            slots = answer["result"]["slots"]
            self.assertTrue(slots)
            self.assertEqual({slot["employee_name"] for slot in slots}, {"Pages Specialist"})
            self.assertLessEqual(count, SLOTS_MAX_QUERIES, f"/smartbook/slots {extra}: {count} queries")

    def test_slots_business_time_zone_when_none_given(self):
        self.company.partner_id.tz = "Europe/Madrid"
        answer = self._slots(tz="")
        self.assertEqual(answer["result"]["tz"], "Europe/Madrid")
        self.assertTrue(answer["result"]["slots"][0]["start"].endswith(("+01:00", "+02:00")))

    def test_business_time_zone_rule(self):
        """The business time zone: its address's, else its working hours', else UTC."""
        self.company.resource_calendar_id = self.calendar
        self.calendar.tz = "Asia/Tokyo"
        for partner_tz in ("Europe/Madrid", False):
            self.company.partner_id.tz = partner_tz
            self.assertEqual(self.company._smartbook_tz(), partner_tz or "Asia/Tokyo")
        self.company.resource_calendar_id = False
        self.assertEqual(self.company._smartbook_tz(), "UTC")

    def test_page_queries(self):
        for url in ("/book", "/book/service/pages-cut", "/book/specialist/pages-specialist"):
            self._page(url)
            count, html = self._queries(lambda url=url: self._page(url))
            self.assertTrue("Pages Cut, Wash; Dry" in html, "Pages Cut, Wash; Dry")
            self.assertLessEqual(count, PAGE_MAX_QUERIES, f"{url}: {count} queries")

    def test_cached_page_follows_changes(self):
        self.company.country_id = self.env.ref("base.es")
        html = self._page("/book")
        self.assertTrue("Pages Specialist" in html, "Pages Specialist")
        self.assertIn("30.00", self._service_button(html, self.service))
        self.assertEqual(self._selected_codes(html), ["34"])
        # a price, a name, who performs the service, a new specialist: the next visit shows them
        self.service.product_id.list_price = 42
        self.employee.name = "Renamed Specialist"
        newcomer = self.env["hr.employee"].create(
            {
                "name": "Newcomer Specialist",
                "resource_calendar_id": self.calendar.id,
                "smartbook_bookable": True,
            }
        )
        self.service.employee_ids = [(4, newcomer.id)]
        html = self._page("/book")
        button = self._service_button(html, self.service)
        self.assertIn("42.00", button)
        self.assertNotIn("30.00", button)
        self.assertTrue("Renamed Specialist" in html, "Renamed Specialist")
        self.assertTrue("Newcomer Specialist" in html, "Newcomer Specialist")
        self.assertTrue(
            f'data-staff-ids="{self.employee.id},{newcomer.id}"' in html,
            f'data-staff-ids="{self.employee.id},{newcomer.id}"',
        )
        # archived: gone from the list
        newcomer.active = False
        html = self._page("/book")
        self.assertFalse("Newcomer Specialist" in html, "Newcomer Specialist")
        self.assertTrue(
            f'data-staff-ids="{self.employee.id}"' in html, f'data-staff-ids="{self.employee.id}"'
        )
        # the company's country preselects its calling code
        self.company.country_id = self.env.ref("base.se")
        self.assertEqual(self._selected_codes(self._page("/book")), ["46"])
