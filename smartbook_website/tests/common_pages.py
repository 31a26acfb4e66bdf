"""Fixture of the page and portal tests: a business open every day from 0:00 to
23:30 UTC, a specialist with a public page, an online service with a website
category, an offline one, and two portal clients with a booking each."""

import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user

from odoo.addons.smartbook_booking.tests.common import every_day_calendar


class SmartbookPagesCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.ref("base.main_company")
        cls.company.write({"phone": "+34 910 000 000"})
        cls.calendar = every_day_calendar(cls.env, "Every day 0:00-23:30 UTC", 0, 23.5)
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Pages Specialist",
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
                "smartbook_slug": "pages-specialist",
                "smartbook_website_bio": "Ten years <b>of</b> cuts & <script>colours</script>",
                "job_title": "Senior stylist",
            }
        )
        cls.hidden_employee = cls.env["hr.employee"].create(
            {"name": "Back Office Only", "smartbook_slug": "back-office-only", "smartbook_bookable": False}
        )
        product = cls.env["product.product"].create(
            {"name": "Pages Cut", "type": "service", "list_price": 30, "taxes_id": [(5, 0, 0)]}
        )
        service_vals = {
            "product_id": product.id,
            "duration": 60,
            "employee_ids": [(6, 0, cls.employee.ids)],
            "min_notice_hours": 0,
            "max_days_ahead": 90,
            "cancel_deadline_hours": 24,
        }
        cls.service = cls.env["smartbook.service"].create(
            {
                **service_vals,
                "name": "Pages Cut, Wash; Dry",
                "slug": "pages-cut",
                "website_category": "Hair <i>care</i>",
            }
        )
        cls.offline_service = cls.env["smartbook.service"].create(
            {**service_vals, "name": "Pages Secret Treatment", "slug": "pages-secret", "online": False}
        )
        cls.user_a = new_test_user(cls.env, login="sb_portal_a", groups="base.group_portal", name="Client A")
        cls.user_b = new_test_user(cls.env, login="sb_portal_b", groups="base.group_portal", name="Client B")
        for user in cls.user_a | cls.user_b:
            user.partner_id.smartbook_client = True
        today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        cls.day = today + timedelta(days=7)
        cls.booking_a = cls._book(cls.user_a.partner_id, cls.day.replace(hour=10))
        cls.booking_b = cls._book(cls.user_b.partner_id, cls.day.replace(hour=12))

    @classmethod
    def _soon(cls):
        """The start of an hour within the next 24 hours (so past the 24-hour
        cancellation deadline already), in working time."""
        start = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
        return start + timedelta(hours=2) if start.hour >= 23 else start

    @classmethod
    def _book(cls, partner, start, service=None):
        booking = cls.env["smartbook.booking"].create(
            {
                "partner_id": partner.id,
                "service_id": (service or cls.service).id,
                "employee_id": cls.employee.id,
                "start": start,
                "channel": "website",
            }
        )
        booking.action_confirm()
        booking._portal_ensure_token()
        return booking

    def jsonrpc(self, route, params):
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()
