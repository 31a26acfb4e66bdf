from collections import Counter, defaultdict
from datetime import datetime, timedelta

from odoo.tests import new_test_user, tagged

from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestBookingReports(SmartbookBookingCase):
    """Report figures against values computed by hand on data each test creates,
    and against plain ORM arithmetic on the whole (demo) database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_other, cls.employee_other = cls._create_specialist("sb_report_other")
        cls.client_b = cls.env["res.partner"].create({"name": "Second Client", "smartbook_client": True})
        cls.manager = new_test_user(
            cls.env, login="sb_report_manager", groups="smartbook_crm.group_smartbook_manager"
        )

    def book_in(self, state, hour, minute=0, **vals):
        booking = self.book(hour, minute, **vals)
        path = {
            "draft": [],
            "confirmed": ["action_confirm"],
            "done": ["action_confirm", "action_done"],
            "no_show": ["action_confirm", "action_no_show"],
            "cancelled": ["action_cancel"],
        }[state]
        for method in path:
            getattr(booking, method)()
        return booking

    def visit(self, partner, when, state="done"):
        # past visits come in as history, in their final state
        return (
            self.env["smartbook.booking"]
            .with_context(smartbook_import_history=True)
            .create(
                {
                    "partner_id": partner.id,
                    "service_id": self.service.id,
                    "employee_id": self.employee.id,
                    "start": when,
                    "state": state,
                }
            )
        )

    # ------------------------------------------------------------------ bookings analysis

    def test_bookings_by_state_channel_and_period(self):
        self.book_in("done", 9, channel="backoffice")
        self.book_in("done", 10, 15, channel="website", price=50.0)
        self.book_in("done", 11, 30, channel="phone")
        self.book_in("no_show", 12, 45, channel="website")
        self.book_in("cancelled", 14)
        self.book_in("confirmed", 15, 15)
        self.book_in("draft", 33)  # Tuesday 9:00
        self.book_in("done", 9, employee_id=self.employee_other.id)  # someone else's
        Report = self.env["smartbook.booking.report"]
        mine = [("employee_id", "=", self.employee.id)]
        by_state = dict(Report._read_group(mine, ["state"], ["__count"]))
        self.assertEqual(by_state, {"done": 3, "no_show": 1, "cancelled": 1, "confirmed": 1, "draft": 1})
        by_channel = dict(Report._read_group(mine, ["channel"], ["__count"]))
        self.assertEqual(by_channel, {"backoffice": 4, "website": 2, "phone": 1})
        by_day = {
            day.date(): count
            for day, count in Report.with_context(tz="UTC")._read_group(mine, ["date:day"], ["__count"])
        }
        self.assertEqual(by_day, {self.day.date(): 6, (self.day + timedelta(days=1)).date(): 1})
        [(revenue, pending, paid, upcoming, visits, no_shows, no_show_rate, hours)] = Report._read_group(
            mine,
            [],
            [
                "revenue:sum",
                "pending_amount:sum",
                "paid_amount:sum",
                "upcoming_amount:sum",
                "visit_count:sum",
                "no_show_count:sum",
                "no_show_rate:avg",
                "booked_hours:sum",
            ],
        )
        self.assertEqual(revenue, 30 + 50 + 30)
        # Nothing invoiced: the done visits are all pending; the confirmed booking to
        # come is upcoming, never pending; the draft one is neither.
        self.assertEqual((pending, paid), (110, 0))
        self.assertEqual(upcoming, 30)
        self.assertEqual((visits, no_shows), (4, 1))
        self.assertAlmostEqual(no_show_rate, 25.0)  # 1 no-show out of 4 expected visits
        self.assertAlmostEqual(hours, 7.0)
        # Per service, as the pivot shows it.
        [(service, service_rate)] = Report._read_group(mine, ["service_id"], ["no_show_rate:avg"])
        self.assertEqual((service, service_rate), (self.service, 25.0))

    def test_employee_sees_only_own_rows(self):
        mine = self.book_in("done", 9)
        theirs = self.book_in("done", 9, employee_id=self.employee_other.id)
        Report = self.env["smartbook.booking.report"]
        seen = Report.with_user(self.user_specialist).search([("booking_id", "in", (mine | theirs).ids)])
        self.assertEqual(seen.booking_id, mine)
        seen = Report.with_user(self.manager).search([("booking_id", "in", (mine | theirs).ids)])
        self.assertEqual(seen.booking_id, mine | theirs)
        [(total,)] = Report.with_user(self.user_other)._read_group(
            [("booking_id", "in", (mine | theirs).ids)], [], ["revenue:sum"]
        )
        self.assertEqual(total, 30.0)

    # ------------------------------------------------------------------ retention

    def test_retention_cohorts(self):
        Partner = self.env["res.partner"]
        c1, c2, c3, c4 = Partner.create(
            [{"name": f"Cohort Client {index}", "smartbook_client": True} for index in range(1, 5)]
        )
        self.visit(c1, datetime(2024, 12, 20, 10), state="cancelled")  # not a visit
        self.visit(c1, datetime(2025, 1, 10, 10))
        self.visit(c1, datetime(2025, 1, 25, 10))  # back after 15 days
        self.visit(c1, datetime(2025, 6, 1, 10))
        self.visit(c2, datetime(2025, 1, 20, 12))
        self.visit(c2, datetime(2025, 3, 5, 12))  # back after 44 days
        self.visit(c3, datetime(2025, 1, 31, 10))
        self.visit(c3, datetime(2025, 1, 31, 14))  # the same day: the same visit
        self.visit(c3, datetime(2025, 2, 5, 10), state="no_show")  # not a visit
        self.visit(c4, datetime(2025, 2, 3, 15))
        self.visit(c4, datetime(2025, 5, 1, 15))  # back after 87 days
        rows = self.env["smartbook.retention.report"]._read_group(
            [("partner_id", "in", (c1 | c2 | c3 | c4).ids)],
            ["cohort_month:month"],
            [
                "new_clients:sum",
                "returned_30:sum",
                "returned_60:sum",
                "returned_90:sum",
                "returned_30_rate:avg",
                "returned_60_rate:avg",
                "returned_90_rate:avg",
            ],
        )
        cohorts = {(month.year, month.month): values for month, *values in rows}
        self.assertEqual(set(cohorts), {(2025, 1), (2025, 2)})
        january, february = cohorts[2025, 1], cohorts[2025, 2]
        self.assertEqual(january[:4], [3, 1, 2, 2])
        self.assertAlmostEqual(january[4], 100 / 3)
        self.assertAlmostEqual(january[5], 200 / 3)
        self.assertAlmostEqual(january[6], 200 / 3)
        self.assertEqual(february, [1, 0, 0, 1, 0.0, 0.0, 100.0])
        c2_row = self.env["smartbook.retention.report"].search([("partner_id", "=", c2.id)])
        self.assertEqual(c2_row.days_to_return, 44)

    # ------------------------------------------------------------------ utilisation

    def utilisation(self, days=1, employees=None):
        report = (
            self.env["smartbook.utilisation.report"]
            .with_context(tz="UTC")
            .create(
                {
                    "date_from": self.day.date(),
                    "date_to": (self.day + timedelta(days=days - 1)).date(),
                    "employee_ids": [(6, 0, (employees or self.employee).ids)],
                }
            )
        )
        action = report.action_compute()
        lines = self.env[action["res_model"]].search(action["domain"])
        return {line.employee_id: line for line in lines}

    def test_utilisation_hours(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "resource_id": self.employee.resource_id.id,
                "calendar_id": self.calendar.id,
                "date_from": self.at(13),
                "date_to": self.at(15),
            }
        )
        self.book_in("done", 9)
        self.book_in("confirmed", 10, 15)
        self.book_in("cancelled", 11, 30)
        self.book_in("draft", 11, 45)  # not confirmed: not counted
        yoga = self.env["smartbook.service"].create(
            {
                "name": "Test Yoga",
                "product_id": self.product.id,
                "duration": 60,
                "is_group": True,
                "capacity": 5,
                "employee_ids": [(6, 0, self.employee.ids)],
            }
        )
        session = self.env["smartbook.session"].create(
            {"service_id": yoga.id, "employee_id": self.employee.id, "start": self.at(16)}
        )
        for client in self.client | self.client_b:
            self.env["smartbook.booking"].create(
                {"partner_id": client.id, "session_id": session.id}
            ).action_confirm()
        self.book_in("confirmed", 33)  # Tuesday 9:00
        self.book_in("done", 9, employee_id=self.employee_other.id)
        monday = self.utilisation()[self.employee]
        # 9-17 less two hours' leave; 9-10, 10:15-11:15 and the class (once for both attendees).
        self.assertAlmostEqual(monday.available_hours, 6.0)
        self.assertAlmostEqual(monday.booked_hours, 3.0)
        self.assertAlmostEqual(monday.free_hours, 3.0)
        self.assertAlmostEqual(monday.utilisation, 50.0)
        both = self.utilisation(days=2, employees=self.employee | self.employee_other)
        self.assertAlmostEqual(both[self.employee].available_hours, 14.0)
        self.assertAlmostEqual(both[self.employee].booked_hours, 4.0)
        self.assertAlmostEqual(both[self.employee_other].available_hours, 16.0)
        self.assertAlmostEqual(both[self.employee_other].utilisation, 100.0 / 16)

    # ------------------------------------------------------------------ the whole database

    def test_reports_match_the_database(self):
        """On the demo data (or whatever the database holds): the SQL reports
        agree with the same figures counted booking by booking in Python."""
        bookings = self.env["smartbook.booking"].search([])
        Report = self.env["smartbook.booking.report"].with_context(tz="UTC")
        states = Counter(bookings.mapped("state"))
        self.assertEqual(dict(Report._read_group([], ["state"], ["__count"])), dict(states))
        months = Counter((booking.start.year, booking.start.month) for booking in bookings)
        self.assertEqual(
            {
                (month.year, month.month): count
                for month, count in Report._read_group([], ["date:month"], ["__count"])
            },
            dict(months),
        )
        [(revenue, rate)] = Report._read_group([], [], ["revenue:sum", "no_show_rate:avg"])
        done = bookings.filtered(lambda booking: booking.state == "done")
        self.assertAlmostEqual(revenue, sum(done.mapped("price_total")), places=2)  # taxes included
        if states["done"] + states["no_show"]:
            self.assertAlmostEqual(rate, 100.0 * states["no_show"] / (states["done"] + states["no_show"]))

        visit_days = defaultdict(set)
        for booking in done:
            visit_days[booking.partner_id.id].add(booking.start.date())
        expected = defaultdict(lambda: [0, 0, 0, 0])
        for days in visit_days.values():
            first, *later = sorted(days)
            cohort = expected[first.year, first.month]
            cohort[0] += 1
            for index, window in enumerate((30, 60, 90), start=1):
                if later and (later[0] - first).days <= window:
                    cohort[index] += 1
        rows = self.env["smartbook.retention.report"]._read_group(
            [],
            ["cohort_month:month"],
            ["new_clients:sum", "returned_30:sum", "returned_60:sum", "returned_90:sum"],
        )
        self.assertEqual({(month.year, month.month): list(values) for month, *values in rows}, dict(expected))
