"""The public JSON-RPC routes, over real HTTP to the test server: every refusal
of the contract, both ways a visitor books, group classes, the manage link, the
visitor's language and the rate limit."""

import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.smartbook_booking.tests.common import every_day_calendar
from odoo.addons.smartbook_website.tools.booking_params import attempt_key, local_window_to_utc, to_local_iso

RATE_LIMIT_PARAM = "smartbook_website.book_rate_limit"


@tagged("post_install", "-at_install")
class BookingRoutesCase(HttpCase):
    """A specialist working 9:00-17:00 UTC every day, a one-hour service with a
    15-minute cleaning buffer, a group class, in a business in Spain whose time
    zone is UTC; ``day`` is a Monday one to two weeks ahead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.website = cls.env["website"].get_current_website()
        cls.company = cls.website.company_id
        cls.company.write({"country_id": cls.env.ref("base.es").id, "phone": "+34 911 234 567"})
        cls.company.partner_id.tz = "UTC"
        cls.calendar = every_day_calendar(cls.env, "Every day 9-17 UTC", 9, 17)
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Web Specialist",
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
                "smartbook_slot_step": 30,
                "company_id": cls.company.id,
            }
        )
        cls.other_employee = cls.env["hr.employee"].create(
            {
                "name": "Not In The Service",
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
                "company_id": cls.company.id,
            }
        )
        product = cls.env["product.product"].create(
            {"name": "Web Cut", "type": "service", "list_price": 30, "taxes_id": [(5, 0, 0)]}
        )
        service_vals = {
            "product_id": product.id,
            "duration": 60,
            "buffer_after": 15,
            "employee_ids": [(6, 0, cls.employee.ids)],
            "min_notice_hours": 0,
            "max_days_ahead": 60,
            "cancel_deadline_hours": 24,
            "company_id": cls.company.id,
        }
        cls.service = cls.env["smartbook.service"].create({"name": "Web Cut", **service_vals})
        cls.class_service = cls.env["smartbook.service"].create(
            {"name": "Web Yoga", **service_vals, "is_group": True, "capacity": 2}
        )
        today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        cls.day = today + timedelta(days=7 - today.weekday() + 7)  # a Monday, 8 to 14 days ahead
        cls.session = cls.env["smartbook.session"].create(
            {"service_id": cls.class_service.id, "employee_id": cls.employee.id, "start": cls.at(15, days=3)}
        )
        cls.env["ir.config_parameter"].sudo().set_param(RATE_LIMIT_PARAM, "0")

    @classmethod
    def at(cls, hour, minute=0, days=0):
        return cls.day + timedelta(days=days, hours=hour, minutes=minute)

    @staticmethod
    def iso(naive_utc):
        return naive_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    # ------------------------------------------------------------------ HTTP

    def post(self, route, body, headers=None, cookies=None):
        """POST ``body`` (bytes or str) and return the parsed answer: always HTTP 200
        and JSON-RPC, whatever was sent."""
        response = self.opener.post(
            self.base_url() + route,
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            cookies=cookies,
            timeout=30,
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertNotIn("debug", response.text, "no traceback in any answer")
        self.assertNotIn("Traceback", response.text)
        answer = response.json()
        self.assertEqual(answer["jsonrpc"], "2.0")
        return answer

    def call(self, route, params, **kwargs):
        return self.post(
            route, json.dumps({"jsonrpc": "2.0", "method": "call", "id": 7, "params": params}), **kwargs
        )

    def ok(self, route, params, **kwargs):
        answer = self.call(route, params, **kwargs)
        self.assertNotIn("error", answer, answer.get("error"))
        self.assertEqual(answer["id"], 7)
        return answer["result"]

    def refused(self, answer, code):
        """Assert ``answer`` is the contract's refusal ``code``; return its message."""
        self.assertNotIn("result", answer, "a refusal is never a result")
        error = answer["error"]
        self.assertEqual(error["data"], {"code": code}, error)
        status = {
            "invalid_input": 400,
            "invalid_phone": 400,
            "blacklisted": 403,
            "not_found": 404,
            "slot_taken": 409,
            "too_late": 409,
            "outside_hours": 422,
            "service_unavailable": 503,
            "rate_limited": 429,
        }[code]
        self.assertEqual(error["code"], status)
        self.assertIsInstance(error["message"], str)
        self.assertTrue(error["message"].strip())
        return error["message"]

    def call_refused(self, route, params, code, **kwargs):
        return self.refused(self.call(route, params, **kwargs), code)

    def book_params(self, hour=10, minute=0, **overrides):
        return {
            "service_id": self.service.id,
            "employee_id": self.employee.id,
            "start": self.iso(self.at(hour, minute)),
            "name": "Lucía Web",
            "phone": "612 345 678",
            "email": "lucia@example.com",
            **overrides,
        }

    def book(self, hour=10, minute=0, **overrides):
        return self.ok("/smartbook/book", self.book_params(hour, minute, **overrides))


@tagged("post_install", "-at_install")
class TestBookingRoutesSlots(BookingRoutesCase):
    def test_slots_are_get_free_slots(self):
        self.env["smartbook.booking"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Busy", "smartbook_client": True}).id,
                "service_id": self.service.id,
                "employee_id": self.employee.id,
                "start": self.at(11),
            }
        )
        result = self.ok(
            "/smartbook/slots",
            {
                "service_id": self.service.id,
                "date_from": self.day.strftime("%Y-%m-%d"),
                "date_to": (self.day + timedelta(days=1)).strftime("%Y-%m-%d"),
                "tz": "Europe/Madrid",
            },
        )
        self.assertEqual(result["tz"], "Europe/Madrid")
        expected = self.service.get_free_slots(
            *local_window_to_utc(self.day.date(), self.day.date() + timedelta(days=1), "Europe/Madrid")
        )
        self.assertTrue(expected)
        self.assertEqual(
            [(slot["start"], slot["end"], slot["employee_id"]) for slot in result["slots"]],
            [
                (
                    to_local_iso(slot["start"], "Europe/Madrid"),
                    to_local_iso(slot["end"], "Europe/Madrid"),
                    slot["employee_id"],
                )
                for slot in expected
            ],
        )
        first = result["slots"][0]
        # Madrid is UTC+1 or +2: the first slot, 9:00 UTC, is 10:00 or 11:00 local
        self.assertRegex(first["start"], r"T1[01]:00:00\+0[12]:00$")
        self.assertEqual(first["employee_name"], "Web Specialist")
        self.assertIsNone(first["seats_left"])
        self.assertIsNone(first["session_id"])
        local_starts = [slot["start"][11:16] for slot in result["slots"]]
        self.assertNotIn(
            to_local_iso(self.at(11), "Europe/Madrid")[11:16], local_starts, "the booked hour is not offered"
        )

    def test_slots_of_a_group_class_show_seats(self):
        params = {
            "service_id": self.class_service.id,
            "date_from": self.day.strftime("%Y-%m-%d"),
            "date_to": (self.day + timedelta(days=4)).strftime("%Y-%m-%d"),
        }
        [slot] = self.ok("/smartbook/slots", params)["slots"]
        self.assertEqual(slot["session_id"], self.session.id)
        self.assertEqual(slot["seats_left"], 2)
        self.assertEqual(slot["start"], self.iso(self.at(15, days=3)))
        self.book(service_id=self.class_service.id, session_id=self.session.id, start=slot["start"])
        [slot] = self.ok("/smartbook/slots", params)["slots"]
        self.assertEqual(slot["seats_left"], 1)
        self.book(service_id=self.class_service.id, session_id=self.session.id, phone="+34 699 000 111")
        self.assertEqual(self.ok("/smartbook/slots", params)["slots"], [], "a full class is not offered")
        message = self.call_refused(
            "/smartbook/book",
            self.book_params(service_id=self.class_service.id, session_id=self.session.id, phone="699000222"),
            "slot_taken",
        )
        self.assertIn("full", message)

    def test_availability_is_compact(self):
        result = self.ok(
            "/smartbook/availability",
            {
                "service_id": self.service.id,
                "date_from": self.day.strftime("%Y-%m-%d"),
                "date_to": (self.day + timedelta(days=2)).strftime("%Y-%m-%d"),
            },
        )
        self.assertEqual(result["tz"], "UTC")
        day = self.day.strftime("%Y-%m-%d")
        self.assertEqual(list(result["days"]), [day, (self.day + timedelta(days=1)).strftime("%Y-%m-%d")])
        # 9:00 to 15:30 every 30 minutes: the last one ends at 16:30, its buffer at 16:45
        self.assertEqual(result["days"][day][0], "09:00")
        self.assertEqual(result["days"][day][-1], "15:30")
        self.assertEqual(len(result["days"][day]), 14)

    def test_slots_refusals(self):
        day = self.day.strftime("%Y-%m-%d")
        next_day = (self.day + timedelta(days=1)).strftime("%Y-%m-%d")
        base = {"service_id": self.service.id, "date_from": day, "date_to": next_day}
        for route in ("/smartbook/slots", "/smartbook/availability"):
            for params in (
                {**base, "service_id": str(self.service.id)},
                {**base, "service_id": True},
                {**base, "service_id": -3},
                {**base, "service_id": 2**40},
                {**base, "service_id": None},
                {**base, "employee_id": "x"},
                {**base, "date_from": "2026-13-01"},
                {**base, "date_from": "tomorrow"},
                {**base, "date_from": 20270101},
                {**base, "date_to": day},  # date_to <= date_from
                {**base, "date_to": (self.day + timedelta(days=63)).strftime("%Y-%m-%d")},
                {**base, "date_from": "2020-01-01", "date_to": "2020-01-08"},  # past
                {**base, "tz": "Mars/Olympus"},
                {**base, "tz": "x" * 10000},
            ):
                with self.subTest(route=route, params=params):
                    self.call_refused(route, params, "invalid_input")
            self.call_refused(route, {**base, "service_id": 999999}, "not_found")
            self.call_refused(route, {**base, "employee_id": self.other_employee.id}, "not_found")
            self.call_refused(route, {**base, "employee_id": 999999}, "not_found")
        # 62 days is the longest window
        self.ok(
            "/smartbook/availability",
            {**base, "date_to": (self.day + timedelta(days=62)).strftime("%Y-%m-%d")},
        )
        self.service.online = False
        self.call_refused("/smartbook/slots", base, "service_unavailable")
        self.service.online = True
        self.service.active = False
        self.call_refused("/smartbook/slots", base, "not_found")

    def test_malformed_requests(self):
        for body in (
            b"{not json",
            b'{"jsonrpc": "2.0", "params": ',
            b"\xff\xfe\x00garbage",
            b"[1, 2, 3]",
            b'"a string"',
            b'{"jsonrpc": "2.0", "method": "call", "params": [1, 2]}',
            b'{"jsonrpc": "2.0", "method": "call", "params": "x"}',
        ):
            with self.subTest(body=body):
                self.refused(self.post("/smartbook/slots", body), "invalid_input")
                self.refused(self.post("/smartbook/book", body), "invalid_input")
        # not JSON at all (what a cross-site form could send): refused, nothing done
        self.refused(
            self.post(
                "/smartbook/book",
                "service_id=1",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            "invalid_input",
        )
        # a body far beyond any booking
        huge = json.dumps({"jsonrpc": "2.0", "params": {"name": "x" * 200_000}})
        self.refused(self.post("/smartbook/book", huge), "invalid_input")


@tagged("post_install", "-at_install")
class TestBookingRoutesBook(BookingRoutesCase):
    def test_book_new_client(self):
        partners_before = self.env["res.partner"].search_count([])
        result = self.book(
            name="  Lucía <b>Web</b> ",
            consent_sms=True,
            consent_marketing=False,
            consent_telegram=True,
            note="Allergic to <script>alert(1)</script>",
        )
        self.assertEqual(set(result), {"booking_id", "access_token", "state", "manage_url"})
        booking = self.env["smartbook.booking"].browse(result["booking_id"])
        self.assertEqual(result["state"], "confirmed")
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.channel, "website")
        self.assertEqual(booking.start, self.at(10))
        self.assertEqual(result["access_token"], booking.access_token)
        self.assertEqual(
            result["manage_url"], f"/my/bookings/{booking.id}?access_token={booking.access_token}"
        )
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before + 1)
        client = booking.partner_id
        self.assertTrue(client.smartbook_client)
        self.assertEqual(client.name, "Lucía <b>Web</b>", "stored as typed, as text")
        self.assertEqual(client.phone, "+34612345678")
        self.assertEqual(client.email, "lucia@example.com")
        self.assertTrue(client.smartbook_consent_sms)
        self.assertTrue(client.smartbook_consent_telegram)
        self.assertFalse(client.smartbook_consent_marketing)
        log = client.smartbook_consent_log_ids
        self.assertEqual(sorted(log.mapped("channel")), ["sms", "telegram"])
        self.assertEqual(log.user_id, self.website.user_id, "the website recorded the consent")
        self.assertEqual(booking.note, "Allergic to <script>alert(1)</script>")
        note = booking.message_ids.filtered(lambda message: "Allergic" in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", note.body)
        self.assertNotIn("<script>", note.body)

    def test_book_existing_client_matched_by_phone(self):
        client = self.env["res.partner"].create(
            {"name": "Marta Existing", "phone": "+34 622 11 22 33", "smartbook_client": True}
        )
        partners_before = self.env["res.partner"].search_count([])
        result = self.book(
            name="Somebody Else", phone="622-112-233", email="new@example.com", consent_sms=True
        )
        booking = self.env["smartbook.booking"].browse(result["booking_id"])
        self.assertEqual(booking.partner_id, client)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before, "no duplicate card")
        self.assertEqual(client.name, "Marta Existing", "the typed name does not overwrite the card")
        self.assertEqual(client.email, "new@example.com", "an empty e-mail is filled in")
        self.assertTrue(client.smartbook_consent_sms)
        self.assertNotIn("Marta", json.dumps(result), "nothing of the card in the answer")
        # a second booking: the e-mail on the card is not replaced
        self.book(hour=13, name="Other", phone="+34622112233", email="third@example.com")
        self.assertEqual(client.email, "new@example.com")
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_book_refusals(self):
        taken = self.book(hour=10)
        self.assertTrue(taken["booking_id"])
        for params, code in (
            # the time
            (self.book_params(10), "slot_taken"),
            (self.book_params(10, 30, phone="611000001"), "slot_taken"),  # overlaps 10:00-11:15
            (self.book_params(9, 30, phone="611000001"), "slot_taken"),  # would end in it
            (self.book_params(12, 15), "outside_hours"),  # off the 30-minute grid
            (self.book_params(20), "outside_hours"),  # after hours
            (self.book_params(16, 30), "outside_hours"),  # would end after hours
            ({**self.book_params(), "start": self.iso(datetime.now() - timedelta(days=1))}, "outside_hours"),
            ({**self.book_params(), "start": self.iso(self.at(10, days=70))}, "outside_hours"),  # horizon
            # the visitor
            (self.book_params(12, phone="12345"), "invalid_phone"),
            (self.book_params(12, phone="+1 000"), "invalid_phone"),
            (self.book_params(12, phone="not a phone"), "invalid_phone"),
            (self.book_params(12, phone=""), "invalid_input"),
            (self.book_params(12, phone=612345678), "invalid_input"),
            (self.book_params(12, name=""), "invalid_input"),
            (self.book_params(12, name="   "), "invalid_input"),
            (self.book_params(12, name="x" * 129), "invalid_input"),
            (self.book_params(12, name=["a"]), "invalid_input"),
            (self.book_params(12, email="not-an-email"), "invalid_input"),
            (self.book_params(12, note="x" * 1001), "invalid_input"),
            (self.book_params(12, consent_sms="yes"), "invalid_input"),
            (self.book_params(12, website="http://spam.example.com"), "invalid_input"),  # honeypot
            # what is booked
            (self.book_params(12, start="2027-03-29T10:00:00"), "invalid_input"),  # no offset
            (self.book_params(12, start="next monday"), "invalid_input"),
            (self.book_params(12, start=1234567890), "invalid_input"),
            (self.book_params(12, service_id=999999), "not_found"),
            (self.book_params(12, employee_id=self.other_employee.id), "not_found"),
            (self.book_params(12, employee_id=None), "invalid_input"),
            (self.book_params(12, session_id=self.session.id), "invalid_input"),
            (self.book_params(12, service_id=self.class_service.id), "invalid_input"),  # no session
            (self.book_params(12, service_id=self.class_service.id, session_id=999999), "not_found"),
        ):
            with self.subTest(params=params, code=code):
                self.call_refused("/smartbook/book", params, code)
        self.assertEqual(
            self.env["smartbook.booking"].search_count([("employee_id", "=", self.employee.id)]), 1
        )
        self.assertFalse(
            self.env["res.partner"].search([("phone", "=", "+34611000001")]),
            "a refused booking leaves no card",
        )
        # the service's own rules
        self.service.min_notice_hours = 24 * 30
        message = self.call_refused("/smartbook/book", self.book_params(12), "outside_hours")
        self.assertIn("720 hours", message)
        self.service.min_notice_hours = 0
        self.service.online = False
        self.call_refused("/smartbook/book", self.book_params(12), "service_unavailable")
        self.service.online = True
        # a leave of the specialist
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "resource_id": self.employee.resource_id.id,
                "calendar_id": self.calendar.id,
                "date_from": self.at(12),
                "date_to": self.at(14),
            }
        )
        self.call_refused("/smartbook/book", self.book_params(12), "outside_hours")
        self.book(14)

    def test_blacklisted_phone(self):
        self.env["res.partner"].create(
            {
                "name": "Banned Client",
                "phone": "+34633000111",
                "smartbook_client": True,
                "smartbook_blacklisted": True,
                "smartbook_blacklist_reason": "Rude to staff",
            }
        )
        message = self.call_refused("/smartbook/book", self.book_params(phone="633 000 111"), "blacklisted")
        self.assertNotIn("Banned", message)
        self.assertNotIn("Rude", message)
        self.assertIn("911 234 567", message, "the business's phone to call")
        self.assertFalse(self.env["smartbook.booking"].search([("employee_id", "=", self.employee.id)]))

    def test_database_refuses_overlap_as_slot_taken(self):
        """What two concurrent requests run into (tests/test_website_race.py runs the
        real race): the exclusion constraint answers slot_taken."""
        from odoo.addons.smartbook_booking.exceptions import BookingRefused
        from odoo.addons.smartbook_booking.models.smartbook_booking import IMPORT_HISTORY_KEY

        result = self.book(hour=10)
        booking = self.env["smartbook.booking"].browse(result["booking_id"])
        with self.assertRaises(BookingRefused) as caught, mute_logger("odoo.sql_db"):
            # the import path skips the Python checks: only the database is left
            self.env["smartbook.booking"].with_context(**{IMPORT_HISTORY_KEY: True}).create(
                {
                    "partner_id": booking.partner_id.id,
                    "service_id": self.service.id,
                    "employee_id": self.employee.id,
                    "start": self.at(10, 30),
                    "state": "confirmed",
                }
            )
        self.assertEqual(caught.exception.code, "slot_taken")

    def test_error_in_the_visitors_language(self):
        spanish = self.env["res.lang"]._activate_lang("es_ES")
        self.website.language_ids |= spanish
        self.service.min_notice_hours = 24 * 30
        params = self.book_params(12)
        english = self.call_refused(
            "/smartbook/book", params, "outside_hours", cookies={"frontend_lang": "en_US"}
        )
        self.assertIn("must be booked at least", english)
        by_cookie = self.call_refused(
            "/smartbook/book", params, "outside_hours", cookies={"frontend_lang": "es_ES"}
        )
        self.assertIn("debe reservarse con al menos 720 horas de antelación", by_cookie)
        self.opener.cookies.clear()
        by_header = self.call_refused(
            "/smartbook/book", params, "outside_hours", headers={"Accept-Language": "es-ES,es;q=0.9"}
        )
        self.assertEqual(by_header, by_cookie)


@tagged("post_install", "-at_install")
class TestBookingRoutesManage(BookingRoutesCase):
    def test_cancel(self):
        result = self.book()
        booking = self.env["smartbook.booking"].browse(result["booking_id"])
        other = self.book(hour=13, phone="699 111 222")
        wrong = {"booking_id": booking.id, "access_token": other["access_token"]}
        absent = self.call_refused("/smartbook/booking/cancel", {**wrong, "booking_id": 999999}, "not_found")
        wrong_token = self.call_refused("/smartbook/booking/cancel", wrong, "not_found")
        self.assertEqual(absent, wrong_token, "a wrong token says nothing of the booking")
        for params in (
            {"booking_id": booking.id},
            {"booking_id": booking.id, "access_token": 12},
            {"booking_id": booking.id, "access_token": "x" * 5000},
            {"booking_id": str(booking.id), "access_token": result["access_token"]},
            {"booking_id": booking.id, "access_token": result["access_token"], "reason": "x" * 600},
        ):
            with self.subTest(params=params):
                self.call_refused("/smartbook/booking/cancel", params, "invalid_input")
        self.assertEqual(booking.state, "confirmed")
        answer = self.ok(
            "/smartbook/booking/cancel",
            {"booking_id": booking.id, "access_token": result["access_token"], "reason": "Ill"},
        )
        self.assertEqual(answer, {"booking_id": booking.id, "state": "cancelled"})
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancel_reason, "Ill")
        self.call_refused(
            "/smartbook/booking/cancel",
            {"booking_id": booking.id, "access_token": result["access_token"]},
            "too_late",
        )
        # the time it frees is offered again
        self.book()

    def test_cancel_after_the_deadline(self):
        result = self.book()
        self.service.cancel_deadline_hours = 24 * 30
        message = self.call_refused(
            "/smartbook/booking/cancel",
            {"booking_id": result["booking_id"], "access_token": result["access_token"]},
            "too_late",
        )
        self.assertIn("+34 911 234 567", message)
        self.assertEqual(self.env["smartbook.booking"].browse(result["booking_id"]).state, "confirmed")

    def test_reschedule(self):
        result = self.book()
        booking = self.env["smartbook.booking"].browse(result["booking_id"])
        self.book(hour=14, phone="699 111 222")
        token = {"booking_id": booking.id, "access_token": result["access_token"]}
        route = "/smartbook/booking/reschedule"
        self.call_refused(
            route, {**token, "access_token": "0" * 36, "start": self.iso(self.at(12))}, "not_found"
        )
        self.call_refused(route, {**token, "start": self.iso(self.at(14))}, "slot_taken")
        self.call_refused(route, {**token, "start": self.iso(self.at(13, 30))}, "slot_taken")  # buffer
        self.call_refused(route, {**token, "start": self.iso(self.at(12, 10))}, "outside_hours")
        self.call_refused(route, {**token, "start": self.iso(self.at(19))}, "outside_hours")
        self.call_refused(route, {**token, "start": "soon"}, "invalid_input")
        self.assertEqual(booking.start, self.at(10))
        # half an hour later overlaps only its own time: allowed
        answer = self.ok(route, {**token, "start": self.iso(self.at(10, 30))})
        self.assertEqual(answer["start"], self.iso(self.at(10, 30)))
        self.assertEqual(answer["state"], "confirmed")
        self.assertEqual(booking.start, self.at(10, 30))
        self.ok(route, {**token, "start": "{}T12:00:00+02:00".format(self.day.strftime("%Y-%m-%d"))})
        self.assertEqual(booking.start, self.at(10), "the offset is honoured")
        self.service.cancel_deadline_hours = 24 * 30
        message = self.call_refused(route, {**token, "start": self.iso(self.at(12))}, "too_late")
        self.assertIn("+34 911 234 567", message)
        self.assertEqual(booking.start, self.at(10))

    def test_seat_in_a_class_is_not_moved(self):
        result = self.book(service_id=self.class_service.id, session_id=self.session.id)
        self.call_refused(
            "/smartbook/booking/reschedule",
            {
                "booking_id": result["booking_id"],
                "access_token": result["access_token"],
                "start": self.iso(self.at(10)),
            },
            "invalid_input",
        )


@tagged("post_install", "-at_install")
class TestBookingRoutesRateLimit(BookingRoutesCase):
    def test_rate_limit_per_ip(self):
        self.env["ir.config_parameter"].sudo().set_param(RATE_LIMIT_PARAM, "3")
        self.book(hour=10)
        self.call_refused("/smartbook/book", self.book_params(10, phone="611000002"), "slot_taken")
        self.call_refused("/smartbook/book", self.book_params(12, phone="1"), "invalid_phone")
        # three attempts, refused ones included: the fourth is refused whatever it is
        message = self.call_refused(
            "/smartbook/book", self.book_params(13, phone="611000003"), "rate_limited"
        )
        self.assertIn("wait", message)
        self.assertFalse(self.env["res.partner"].search([("phone", "=", "+34611000003")]))
        # the other routes are not limited
        self.ok(
            "/smartbook/slots",
            {
                "service_id": self.service.id,
                "date_from": self.day.strftime("%Y-%m-%d"),
                "date_to": (self.day + timedelta(days=1)).strftime("%Y-%m-%d"),
            },
        )
        # 0 turns it off
        self.env["ir.config_parameter"].sudo().set_param(RATE_LIMIT_PARAM, "0")
        self.book(hour=13, phone="611000003")

    def test_rate_limit_per_phone(self):
        self.env["ir.config_parameter"].sudo().set_param(RATE_LIMIT_PARAM, "3")
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        # three attempts with this number came from other addresses
        self.env["smartbook.website.attempt"]._smartbook_record(
            [attempt_key("phone", "+34612345678", secret)] * 3
        )
        self.call_refused("/smartbook/book", self.book_params(10, phone="612 345 678"), "rate_limited")
        # another number from this address still books
        self.book(hour=10, phone="699 000 333")
        # the table holds no phone number or address in clear
        keys = self.env["smartbook.website.attempt"].search([]).mapped("key")
        self.assertTrue(keys)
        self.assertFalse([key for key in keys if "612345678" in key or "127.0.0.1" in key])
