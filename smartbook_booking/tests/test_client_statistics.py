from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import Form, new_test_user
from odoo.tests.common import tagged

from ..models.res_partner import STATISTICS_FIELDS
from .common import SmartbookBookingCase


@tagged("post_install", "-at_install")
class TestClientStatistics(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_color = cls.env["product.product"].create(
            {"name": "Color", "type": "service", "list_price": 80}
        )
        cls.employee_2 = cls.env["hr.employee"].create(
            {
                "name": "Second Specialist",
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
                "smartbook_bookable": True,
            }
        )
        cls.service.employee_ids |= cls.employee_2
        cls.service_color = cls.env["smartbook.service"].create(
            {
                "name": "Test Color",
                "product_id": cls.product_color.id,
                "duration": 90,
                "employee_ids": [(6, 0, (cls.employee | cls.employee_2).ids)],
            }
        )
        cls.client.tz = "UTC"
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Other Client", "smartbook_client": True, "tz": "UTC"}
        )

    def visit(self, start, state="done", partner=None, service=None, employee=None, **vals):
        booking = self.env["smartbook.booking"].create(
            {
                "partner_id": (partner or self.client).id,
                "service_id": (service or self.service).id,
                "employee_id": (employee or self.employee).id,
                "start": start,
                **vals,
            }
        )
        if state == "done":
            booking.action_confirm()
            booking.action_done()
        elif state == "no_show":
            booking.action_confirm()
            booking.action_no_show()
        elif state == "cancelled":
            booking.action_cancel(reason="Test")
        elif state == "confirmed":
            booking.action_confirm()
        return booking

    def assertStatistics(self, partner, **expected):
        self.env.flush_all()
        for name, value in expected.items():
            # places=1: the interval is stored with one decimal
            self.assertAlmostEqual(partner[name], value, places=1, msg=name)

    def test_statistics_after_a_history(self):
        self.visit(datetime(2025, 1, 6, 10), price=30)
        self.visit(datetime(2025, 1, 20, 10), price=50)
        late = self.visit(datetime(2025, 2, 3, 10), price=40)
        self.visit(datetime(2025, 2, 10, 10), state="no_show", price=99)
        self.visit(datetime(2025, 2, 17, 10), state="cancelled", price=99)
        upcoming = self.visit(datetime(2025, 3, 3, 10), state="confirmed", price=60)
        self.assertStatistics(
            self.client,
            smartbook_visit_count=3,
            smartbook_no_show_count=1,
            smartbook_cancel_count=1,
            smartbook_first_visit=datetime(2025, 1, 6, 10),
            smartbook_last_visit=datetime(2025, 2, 3, 10),
            smartbook_revenue=120,  # only what was done: 30 + 50 + 40
            smartbook_average_ticket=40,
            smartbook_visit_interval_days=14,  # 28 days over two intervals
            smartbook_next_visit_due=date(2025, 2, 17),
            smartbook_client_since=date(2025, 1, 6),  # the first booking, before the record existed
        )
        # A booking changes: the statistics follow.
        late.price = 70
        self.assertStatistics(self.client, smartbook_revenue=150, smartbook_average_ticket=50)
        upcoming.action_done()
        self.assertStatistics(
            self.client,
            smartbook_visit_count=4,
            smartbook_revenue=210,
            smartbook_average_ticket=52.5,
            smartbook_last_visit=datetime(2025, 3, 3, 10),
            smartbook_visit_interval_days=56 / 3,
            smartbook_next_visit_due=date(2025, 3, 22),  # 3 March 10:00 + 18.67 days: 22 March, 02:00
        )
        upcoming.unlink()
        self.assertStatistics(self.client, smartbook_visit_count=3, smartbook_revenue=150)

    def test_a_client_without_visits(self):
        self.visit(datetime(2025, 1, 6, 10), state="cancelled")
        self.assertStatistics(
            self.other_client,
            smartbook_visit_count=0,
            smartbook_revenue=0,
            smartbook_average_ticket=0,
            smartbook_visit_interval_days=0,
        )
        self.assertFalse(self.other_client.smartbook_last_visit)
        self.assertFalse(self.other_client.smartbook_next_visit_due)
        self.assertEqual(self.other_client.smartbook_client_since, self.other_client.create_date.date())
        # One visit gives no usual interval, hence no due date.
        self.assertEqual(self.client.smartbook_cancel_count, 1)
        self.visit(datetime(2025, 1, 13, 10))
        self.assertStatistics(self.client, smartbook_visit_count=1, smartbook_visit_interval_days=0)
        self.assertFalse(self.client.smartbook_next_visit_due)

    def test_dates_are_the_clients_days(self):
        self.client.tz = "Europe/Madrid"
        # 6 and 13 January, 00:30 in Madrid: a manager's choice outside working hours
        self.visit(datetime(2025, 1, 5, 23, 30), outside_hours_ok=True)
        self.visit(datetime(2025, 1, 12, 23, 30), outside_hours_ok=True)
        self.assertStatistics(self.client, smartbook_visit_interval_days=7)
        self.assertEqual(self.client.smartbook_client_since, date(2025, 1, 6))
        self.assertEqual(self.client.smartbook_next_visit_due, date(2025, 1, 20))

    def test_a_booking_moved_to_another_client(self):
        booking = self.visit(datetime(2025, 1, 6, 10), price=30)
        self.assertStatistics(self.client, smartbook_visit_count=1)
        booking.partner_id = self.other_client
        self.assertStatistics(self.client, smartbook_visit_count=0, smartbook_revenue=0)
        self.assertStatistics(self.other_client, smartbook_visit_count=1, smartbook_revenue=30)

    def test_only_the_changed_clients_statistics_recompute(self):
        booking = self.visit(datetime(2025, 1, 6, 10), state="confirmed")
        self.visit(datetime(2025, 1, 6, 12), state="done", partner=self.other_client)
        self.env.flush_all()
        Partner = self.registry["res.partner"]
        original = Partner._compute_smartbook_statistics
        computed = self.env["res.partner"]

        def spy(partners):
            nonlocal computed
            computed |= partners
            return original(partners)

        with patch.object(Partner, "_compute_smartbook_statistics", spy):
            booking.action_done()
            self.env.flush_all()
        self.assertEqual(computed, self.client)
        self.assertEqual(self.client.smartbook_visit_count, 1)

    def test_statistics_are_computed_in_one_query_for_many_clients(self):
        clients = self.client | self.other_client
        clients |= self.env["res.partner"].create({"name": "Third Client", "smartbook_client": True})
        for hour, client in zip((9, 11, 13), clients, strict=True):
            self.visit(datetime(2025, 1, 6, hour), partner=client)
        self.env.flush_all()

        def queries(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with self.env.protecting([partners._fields[name] for name in STATISTICS_FIELDS], partners):
                partners._compute_smartbook_statistics()
            return self.env.cr.sql_log_count - before

        # The same queries for one client as for three: the clients' row, the company's
        # currency and one aggregate over all their bookings, none per client.
        self.assertEqual(queries(self.client), queries(clients))

    def test_statistics_count_bookings_the_user_cannot_see(self):
        self.visit(datetime(2025, 1, 6, 10), employee=self.employee_2, price=80)
        booking = self.visit(datetime(2025, 1, 20, 10), state="confirmed", price=30)
        booking.with_user(self.user_specialist).action_done()
        self.env.flush_all()
        self.env.invalidate_all()
        # What the client card reads: all the visits counted, only the employee's listed.
        card = self.client.with_user(self.user_specialist).web_read(
            {
                "smartbook_visit_count": {},
                "smartbook_revenue": {},
                "smartbook_booking_ids": {"fields": {"service_id": {"fields": {"display_name": {}}}}},
            }
        )[0]
        self.assertEqual(card["smartbook_visit_count"], 2)
        self.assertEqual(card["smartbook_revenue"], 110)
        self.assertEqual([line["id"] for line in card["smartbook_booking_ids"]], booking.ids)

    def test_sleeping_flag_and_its_search(self):
        today = fields.Datetime.now().replace(hour=10, minute=0, second=0, microsecond=0)
        sleeper = self.client
        awake = self.other_client
        never = self.env["res.partner"].create({"name": "New Client", "smartbook_client": True})
        self.visit(today - timedelta(days=100), partner=sleeper)
        self.visit(today - timedelta(days=10), partner=awake)
        self.env.company.smartbook_sleeping_days = 90
        self.env.flush_all()
        clients = sleeper | awake | never
        self.assertEqual(clients.filtered("smartbook_sleeping"), sleeper)
        Partner = self.env["res.partner"]
        in_test = [("id", "in", clients.ids)]
        self.assertEqual(Partner.search([("smartbook_sleeping", "=", True), *in_test]), sleeper)
        self.assertEqual(Partner.search([("smartbook_sleeping", "!=", True), *in_test]), awake | never)
        self.assertEqual(Partner.search([("smartbook_sleeping", "=", False), *in_test]), awake | never)
        # A shorter threshold, from the settings.
        settings = self.env["res.config.settings"].create({"smartbook_sleeping_days": 7})
        settings.execute()
        self.assertEqual(self.env.company.smartbook_sleeping_days, 7)
        clients.invalidate_recordset(["smartbook_sleeping"])
        self.assertEqual(clients.filtered("smartbook_sleeping"), sleeper | awake)
        self.assertEqual(Partner.search([("smartbook_sleeping", "=", True), *in_test]), sleeper | awake)
        # 0 turns the flag off.
        self.env.company.smartbook_sleeping_days = 0
        clients.invalidate_recordset(["smartbook_sleeping"])
        self.assertFalse(clients.filtered("smartbook_sleeping"))
        self.assertFalse(Partner.search([("smartbook_sleeping", "=", True), *in_test]))

    def test_due_for_a_visit_filter(self):
        today = fields.Datetime.now().replace(hour=10, minute=0, second=0, microsecond=0)
        self.visit(today - timedelta(days=60))
        self.visit(today - timedelta(days=30))  # every 30 days: due today
        self.visit(today - timedelta(days=30), partner=self.other_client, employee=self.employee_2)
        self.visit(
            today - timedelta(days=10), partner=self.other_client, employee=self.employee_2
        )  # every 20 days: due in 10
        self.env.flush_all()
        self.assertEqual(self.client.smartbook_next_visit_due, today.date())
        due = self.env["res.partner"].search(
            [
                ("smartbook_next_visit_due", "<=", fields.Date.to_string(today.date())),
                ("id", "in", (self.client | self.other_client).ids),
            ]
        )
        self.assertEqual(due, self.client)

    def test_suggested_services_and_specialists(self):
        start = datetime(2025, 1, 6, 10)
        for week in range(3):
            self.visit(start + timedelta(weeks=week), service=self.service, employee=self.employee)
        self.visit(start + timedelta(weeks=3), service=self.service_color, employee=self.employee_2)
        self.visit(start + timedelta(weeks=4), service=self.service_color, employee=self.employee_2)
        for week in range(5, 10):  # cancelled bookings are no preference
            self.visit(start + timedelta(weeks=week), state="cancelled", employee=self.employee_2)
        self.assertEqual(
            self.client.smartbook_suggested_service_ids.ids, [self.service.id, self.service_color.id]
        )
        # Three visits with the first specialist, two with the second.
        self.assertEqual(
            self.client.smartbook_suggested_employee_ids.ids, [self.employee.id, self.employee_2.id]
        )
        self.visit(start + timedelta(weeks=11), service=self.service_color, employee=self.employee_2)
        self.client.invalidate_recordset(["smartbook_suggested_employee_ids"])
        # A tie: the most recent first.
        self.assertEqual(
            self.client.smartbook_suggested_employee_ids.ids, [self.employee_2.id, self.employee.id]
        )
        self.assertFalse(self.other_client.smartbook_suggested_service_ids)
        # The chosen preferences are the client's own, whatever the history says.
        self.client.write(
            {
                "smartbook_preferred_service_ids": [(6, 0, self.service_color.ids)],
                "smartbook_preferred_employee_ids": [(6, 0, self.employee.ids)],
            }
        )
        self.assertEqual(self.client.smartbook_preferred_service_ids, self.service_color)
        self.assertEqual(self.client.smartbook_preferred_employee_ids, self.employee)

    def test_repeat_a_past_booking(self):
        past = self.visit(
            datetime(2025, 1, 6, 10), service=self.service_color, employee=self.employee_2, price=55
        )
        action = past.action_repeat()
        self.assertEqual(action["res_model"], "smartbook.booking")
        self.assertEqual(action["target"], "new")
        with Form(self.env["smartbook.booking"].with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.client)
            self.assertEqual(form.service_id, self.service_color)
            self.assertEqual(form.employee_id, self.employee_2)
            form.start = self.at(10)
        repeated = form.record
        self.assertEqual(repeated.state, "draft")
        self.assertEqual(repeated.price, 80, "the service's price of today, not the old one")
        self.assertEqual(repeated.stop, self.at(11, 30))
        self.assertNotEqual(repeated, past)

    def test_employee_can_repeat_and_read_the_card(self):
        employee_user = new_test_user(
            self.env, login="sb_card_reader", groups="smartbook_crm.group_smartbook_employee"
        )
        self.employee_2.user_id = employee_user
        past = self.visit(datetime(2025, 1, 6, 10), employee=self.employee_2)
        client = self.client.with_user(employee_user)
        self.assertEqual(client.smartbook_visit_count, 1)
        self.assertEqual(client.smartbook_suggested_employee_ids, self.employee_2)
        action = past.with_user(employee_user).action_repeat()
        self.assertEqual(action["context"]["default_partner_id"], self.client.id)
