from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import tagged

from .common import SmartbookBookingCase, every_day_calendar


@tagged("post_install", "-at_install")
class TestScheduleBoardData(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = new_test_user(
            cls.env, login="sb_board_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        _user, cls.other = cls._create_specialist()

    def board(self, user, employee_ids=None):
        # The test's specialists only, not those of the demo data.
        employee_ids = employee_ids or (self.employee | self.other).ids
        Booking = self.env["smartbook.booking"].with_user(user)
        return Booking.smartbook_board_data(
            fields.Datetime.to_string(self.day),
            fields.Datetime.to_string(self.day + timedelta(days=1)),
            employee_ids,
        )

    def test_manager_sees_every_column(self):
        own = self.book(10)
        cancelled = self.book(14)
        cancelled.action_cancel(reason="Ill")
        others = self.book(10, employee_id=self.other.id)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "resource_id": self.other.resource_id.id,
                "calendar_id": self.calendar.id,
                "date_from": self.at(15),
                "date_to": self.at(16),
            }
        )
        data = self.board(self.user_manager)
        self.assertTrue(data["is_manager"])
        columns = {employee["id"]: employee for employee in data["employees"]}
        self.assertEqual(set(columns), {self.employee.id, self.other.id})
        self.assertEqual(
            columns[self.employee.id]["avatar_url"], f"/web/image/hr.employee/{self.employee.id}/avatar_128"
        )
        self.assertEqual(columns[self.employee.id]["work"], [[str(self.at(9)), str(self.at(17))]])
        self.assertEqual(columns[self.other.id]["leaves"], [[str(self.at(15)), str(self.at(16))]])
        self.assertEqual(columns[self.employee.id]["leaves"], [])
        bookings = {booking["id"]: booking for booking in data["bookings"]}
        self.assertEqual(set(bookings), {own.id, cancelled.id, others.id})
        self.assertEqual(bookings[own.id]["client"], "Booking Client")
        self.assertEqual(bookings[own.id]["service"], "Test Cut")
        self.assertEqual(bookings[own.id]["start"], str(self.at(10)))
        self.assertEqual(bookings[own.id]["stop"], str(self.at(11)))
        self.assertEqual(bookings[cancelled.id]["state"], "cancelled")
        self.assertEqual(bookings[others.id]["employee_id"], self.other.id)

    def test_group_sessions_are_blocks(self):
        group_service = self.service.copy({"name": "Yoga", "is_group": True, "capacity": 8})
        session = self.env["smartbook.session"].create(
            {"service_id": group_service.id, "employee_id": self.employee.id, "start": self.at(12)}
        )
        self.book(12, service_id=group_service.id, session_id=session.id)
        data = self.board(self.user_manager)
        self.assertEqual(
            [(s["id"], s["seats_taken"], s["capacity"]) for s in data["sessions"]], [(session.id, 1, 8)]
        )
        # The attendees are in the session's block, not blocks of their own.
        self.assertEqual(data["bookings"], [])

    def test_employee_sees_own_column_only(self):
        own = self.book(10)
        self.book(10, employee_id=self.other.id)
        data = self.board(self.user_specialist)
        self.assertFalse(data["is_manager"])
        self.assertEqual([employee["id"] for employee in data["employees"]], self.employee.ids)
        self.assertEqual([booking["id"] for booking in data["bookings"]], own.ids)
        # Asking for another specialist's column does not show it either.
        data = self.board(self.user_specialist, employee_ids=self.other.ids)
        self.assertEqual(data["employees"], [])
        self.assertEqual(data["bookings"], [])

    def test_queries_do_not_grow_with_specialists(self):
        employees = self.employee | self.other

        def count_queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.board(self.user_manager, employees.ids)
            return self.env.cr.sql_log_count - before

        self.book(10)
        self.board(self.user_manager, employees.ids)  # warm the caches (groups, access rules)
        few = count_queries()
        for index in range(6):
            employee = self.employee.copy({"name": f"Extra {index}", "user_id": False})
            employees |= employee
            self.service.employee_ids = [(4, employee.id)]
            self.book(9 + index, employee_id=employee.id)
            self.env["resource.calendar.leaves"].create(
                {
                    "name": "Leave",
                    "resource_id": employee.resource_id.id,
                    "date_from": self.at(16),
                    "date_to": self.at(17),
                }
            )
        self.board(self.user_manager, employees.ids)
        many = count_queries()
        self.assertEqual(len(self.board(self.user_manager, employees.ids)["employees"]), 8)
        self.assertEqual(few, many)


@tagged("post_install", "-at_install")
class TestScheduleBoardTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.user_manager = new_test_user(
            cls.env,
            login="sb_board_manager",
            groups="base.group_user,smartbook_crm.group_smartbook_manager",
            tz="UTC",
        )
        cls.user_employee = new_test_user(
            cls.env,
            login="sb_board_employee",
            groups="base.group_user,smartbook_crm.group_smartbook_employee",
            tz="UTC",
        )
        calendar = every_day_calendar(cls.env, "Board 9-17 UTC", 9, 17)
        # Only the tour's specialists: the board's columns are the bookable ones.
        cls.env["hr.employee"].search([("smartbook_bookable", "=", True)]).smartbook_bookable = False
        anna, bruno = cls.env["hr.employee"].create(
            [
                {
                    "name": name,
                    "resource_calendar_id": calendar.id,
                    "tz": "UTC",
                    "smartbook_bookable": True,
                    "user_id": user.id,
                }
                for name, user in (("Board Anna", cls.user_employee), ("Board Bruno", cls.env["res.users"]))
            ]
        )
        product = cls.env["product.product"].create({"name": "Board Cut", "type": "service"})
        service = cls.env["smartbook.service"].create(
            {
                "name": "Board Cut",
                "product_id": product.id,
                "duration": 60,
                "employee_ids": [(6, 0, (anna | bruno).ids)],
            }
        )
        one, cls.client_two, three, gone = cls.env["res.partner"].create(
            [
                {"name": f"Board Client {name}", "smartbook_client": True}
                for name in ("One", "Two", "Three", "Gone")
            ]
        )
        today = fields.Datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        cls.env["smartbook.booking"].create(
            [
                {"partner_id": partner.id, "service_id": service.id, "employee_id": anna.id, "start": start}
                for partner, start in (
                    (one, today + timedelta(hours=10)),
                    (three, today + timedelta(hours=12)),
                    (gone, today + timedelta(hours=15)),
                )
            ]
        )[2].action_cancel(reason="Ill")
        cls.anna, cls.bruno = anna, bruno

    def test_board_as_manager(self):
        self.start_tour(
            "/odoo/action-smartbook_booking.smartbook_schedule_board_action",
            "smartbook_schedule_board_manager_tour",
            login="sb_board_manager",
        )
        bookings = self.env["smartbook.booking"].search([("partner_id.name", "like", "Board Client")])
        by_client = {booking.partner_id.name: booking for booking in bookings}
        self.assertEqual(by_client["Board Client One"].employee_id, self.bruno)
        self.assertEqual(by_client["Board Client One"].start.hour, 10)
        self.assertEqual(by_client["Board Client Two"].employee_id, self.anna)
        self.assertEqual(by_client["Board Client Two"].start.hour, 14)

    def test_board_as_employee(self):
        self.start_tour(
            "/odoo/action-smartbook_booking.smartbook_schedule_board_action",
            "smartbook_schedule_board_employee_tour",
            login="sb_board_employee",
        )
