import json
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tests import new_test_user
from odoo.tests.common import tagged

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestSegmentBooking(SmartbookBookingCase):
    """Five clients and their visits, days counted back from today:

    anna   cut with the specialist, done 70 and 40 days ago (30 each)
    boris  colour with the second specialist, done 100 and 90 days ago (100 each);
           cut with the specialist, no-show 20 days ago
    carla  cut with the second specialist, cancelled 5 days ago; colour in 3 days
    dan    no booking
    eva    cut with the specialist, done 2 days ago (30)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee_2 = cls.env["hr.employee"].create(
            {
                "name": "Segment Specialist",
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
            }
        )
        product = cls.env["product.product"].create({"name": "Colour", "type": "service", "list_price": 100})
        cls.colour = cls.env["smartbook.service"].create(
            {
                "name": "Segment Colour",
                "product_id": product.id,
                "duration": 60,
                "employee_ids": [(6, 0, (cls.employee | cls.employee_2).ids)],
            }
        )
        cls.cut = cls.service
        cls.cut.employee_ids |= cls.employee_2
        Partner = cls.env["res.partner"]
        cls.anna, cls.boris, cls.carla, cls.dan, cls.eva = (
            Partner.create({"name": name, "smartbook_client": True, "tz": "UTC"})
            for name in ("Anna", "Boris", "Carla", "Dan", "Eva")
        )
        cls.clients = cls.anna | cls.boris | cls.carla | cls.dan | cls.eva
        cls.today = datetime.combine(fields.Date.today(), time.min)
        cls._visit(cls.anna, cls.cut, cls.employee, -70, "done")
        cls._visit(cls.anna, cls.cut, cls.employee, -40, "done")
        cls._visit(cls.boris, cls.colour, cls.employee_2, -100, "done")
        cls._visit(cls.boris, cls.colour, cls.employee_2, -90, "done")
        cls._visit(cls.boris, cls.cut, cls.employee, -20, "no_show")
        cls._visit(cls.carla, cls.cut, cls.employee_2, -5, "cancelled")
        cls._visit(cls.carla, cls.colour, cls.employee_2, 3, "confirmed")
        cls._visit(cls.eva, cls.cut, cls.employee, -2, "done")
        cls.env.flush_all()
        cls.user_manager = new_test_user(
            cls.env, login="sb_segment_manager", groups="smartbook_crm.group_smartbook_manager"
        )

    @classmethod
    def _visit(cls, partner, service, employee, days, state):
        booking = cls.env["smartbook.booking"].create(
            {
                "partner_id": partner.id,
                "service_id": service.id,
                "employee_id": employee.id,
                "start": cls.today + timedelta(days=days, hours=10),
            }
        )
        if state in ("confirmed", "no_show", "done"):
            booking.action_confirm()
        if state == "no_show":
            booking.action_no_show()
        elif state == "done":
            booking.action_done()
        elif state == "cancelled":
            booking.action_cancel()

    def _segment(self, **vals):
        return self.env["smartbook.segment"].create(
            {"name": "Booking Segment", "blacklist_filter": False, **vals}
        )

    def _matches(self, segment):
        domain = expression.AND([segment._get_client_domain(), [("id", "in", self.clients.ids)]])
        return self.env["res.partner"].search(domain)

    def _search(self, domain):
        """The hand-built search a segment must agree with, among the test clients."""
        return self.env["res.partner"].search([*domain, ("id", "in", self.clients.ids)])

    def _day(self, days):
        return fields.Date.to_string((self.today + timedelta(days=days)).date())

    def test_statistics_of_the_fixture(self):
        self.assertEqual(self.anna.smartbook_revenue, 60)
        self.assertEqual(self.boris.smartbook_visit_interval_days, 10)
        self.assertEqual(self.eva.smartbook_visit_count, 1)

    def test_no_booking_criterion_changes_nothing(self):
        self.assertEqual(self._matches(self._segment()), self.clients)

    def test_services(self):
        segment = self._segment(booking_service_ids=[(6, 0, self.colour.ids)])
        self.assertEqual(self._matches(segment), self.boris | self.carla)
        self.assertEqual(
            self._matches(segment), self._search([("smartbook_booking_ids.service_id", "=", self.colour.id)])
        )

    def test_employees(self):
        segment = self._segment(booking_employee_ids=[(6, 0, self.employee.ids)])
        self.assertEqual(self._matches(segment), self.anna | self.boris | self.eva)
        self.assertEqual(
            self._matches(segment),
            self._search([("smartbook_booking_ids.employee_id", "=", self.employee.id)]),
        )

    def test_visit_states(self):
        cases = [
            ({"visit_state_done": True}, self.anna | self.boris | self.eva),
            ({"visit_state_no_show": True}, self.boris),
            ({"visit_state_cancelled": True}, self.carla),
            ({"visit_state_upcoming": True}, self.carla),
            ({"visit_state_no_show": True, "visit_state_cancelled": True}, self.boris | self.carla),
        ]
        for vals, expected in cases:
            with self.subTest(vals=vals):
                self.assertEqual(self._matches(self._segment(**vals)), expected)
        no_shows = self._search([("smartbook_booking_ids.state", "=", "no_show")])
        self.assertEqual(self._matches(self._segment(visit_state_no_show=True)), no_shows)

    def test_criteria_describe_one_booking(self):
        # A cut that was done: Boris's cut was a no-show, Carla's was cancelled.
        segment = self._segment(booking_service_ids=[(6, 0, self.cut.ids)], visit_state_done=True)
        self.assertEqual(self._matches(segment), self.anna | self.eva)
        hand = self._search(
            [("smartbook_booking_ids", "any", [("service_id", "=", self.cut.id), ("state", "=", "done")])]
        )
        self.assertEqual(self._matches(segment), hand)

    def test_period(self):
        segment = self._segment(booking_date_from=self._day(-45), booking_date_to=self._day(-20))
        self.assertEqual(self._matches(segment), self.anna | self.boris)
        hand = self._search(
            [
                ("smartbook_booking_ids.start", ">=", self._day(-45)),
                ("smartbook_booking_ids.start", "<", self._day(-19)),
            ]
        )
        self.assertEqual(self._matches(segment), hand)
        # From a day on: everything booked since, upcoming included.
        self.assertEqual(self._matches(self._segment(booking_date_from=self._day(-5))), self.carla | self.eva)
        self.assertEqual(self._matches(self._segment(booking_date_to=self._day(-90))), self.boris)

    def test_revenue_range(self):
        self.assertEqual(self._matches(self._segment(revenue_min=50)), self.anna | self.boris)
        self.assertEqual(
            self._matches(self._segment(revenue_max=60)), self.anna | self.carla | self.dan | self.eva
        )
        segment = self._segment(revenue_min=50, revenue_max=100)
        hand = self._search([("smartbook_revenue", ">=", 50), ("smartbook_revenue", "<=", 100)])
        self.assertEqual(self._matches(segment), self.anna)
        self.assertEqual(self._matches(segment), hand)

    def test_visit_frequency_range(self):
        # Only clients with two visits or more have a usual interval: Anna 30 days, Boris 10.
        self.assertEqual(self._matches(self._segment(visit_interval_min=20)), self.anna)
        self.assertEqual(self._matches(self._segment(visit_interval_max=15)), self.boris)
        segment = self._segment(visit_interval_min=5, visit_interval_max=60)
        hand = self._search(
            [
                ("smartbook_visit_count", ">=", 2),
                ("smartbook_visit_interval_days", ">=", 5),
                ("smartbook_visit_interval_days", "<=", 60),
            ]
        )
        self.assertEqual(self._matches(segment), self.anna | self.boris)
        self.assertEqual(self._matches(segment), hand)

    def test_inactive_for_days(self):
        segment = self._segment(inactive_days=30)
        self.assertEqual(self._matches(segment), self.anna | self.boris)
        cutoff = fields.Datetime.now() - timedelta(days=30)
        self.assertEqual(self._matches(segment), self._search([("smartbook_last_visit", "<", cutoff)]))
        self.assertEqual(self._matches(self._segment(inactive_days=60)), self.boris)

    def test_all_criteria_together(self):
        segment = self._segment(
            booking_employee_ids=[(6, 0, self.employee.ids)],
            visit_state_done=True,
            visit_state_no_show=True,
            revenue_min=50,
            inactive_days=30,
        )
        self.assertEqual(self._matches(segment), self.anna | self.boris)
        segment.visit_interval_max = 15
        self.assertEqual(self._matches(segment), self.boris)

    def test_domain_goes_into_an_action(self):
        segment = self._segment(
            booking_service_ids=[(6, 0, self.cut.ids)],
            booking_date_from=self._day(-45),
            visit_state_done=True,
            inactive_days=10,
        )
        action = segment.action_open_clients()
        json.dumps(action["domain"])
        self.assertEqual(self.env["res.partner"].search(action["domain"]) & self.clients, self.anna)

    def test_employee_counts_only_their_clients(self):
        # The specialist served Anna, Boris and Eva; Boris and Carla had colour
        # (with another specialist), so the specialist counts Boris only.
        segment = self._segment(booking_service_ids=[(6, 0, self.colour.ids)])
        self.assertEqual(segment.with_user(self.user_manager).client_count, 2)
        self.assertEqual(segment.with_user(self.user_specialist).client_count, 1)
        self.assertEqual(segment.with_user(self.user_specialist)._get_clients(), self.boris)
        cut_segment = self._segment(booking_service_ids=[(6, 0, self.cut.ids)])
        self.assertEqual(cut_segment.with_user(self.user_manager).client_count, 4)
        self.assertEqual(cut_segment.with_user(self.user_specialist).client_count, 3)

    def test_ranges_are_checked(self):
        with self.assertRaises(ValidationError):
            self._segment(revenue_min=100, revenue_max=50)
        with self.assertRaises(ValidationError):
            self._segment(visit_interval_min=30, visit_interval_max=10)
        with self.assertRaises(ValidationError):
            self._segment(booking_date_from=self._day(0), booking_date_to=self._day(-1))
