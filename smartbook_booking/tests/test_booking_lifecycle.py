"""The booking lifecycle: one table of transitions, one hook after them, the
save-time schedule check, and what a user below Manager may not do."""

from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tests.common import tagged

from ..models.smartbook_booking import (
    ACTIVE_STATES,
    BUSY_STATES,
    TRANSITIONS,
    SmartbookBooking,
)
from .common import SmartbookBookingCase

ACTIONS = {
    "confirmed": "action_confirm",
    "done": "action_done",
    "no_show": "action_no_show",
    "cancelled": "action_cancel",
    "draft": "action_reset_draft",
}
BUTTON_FLAGS = {
    "action_confirm": "can_confirm",
    "action_done": "can_done",
    "action_no_show": "can_no_show",
    "action_cancel": "can_cancel",
    "action_reset_draft": "can_reset",
}


@tagged("post_install", "-at_install")
class TestBookingLifecycle(SmartbookBookingCase):
    def in_state(self, state, hour=10):
        return self.book(hour, state=state) if state in ACTIVE_STATES else self.history(hour, state=state)

    def test_transition_table(self):
        """Every action succeeds exactly where the table allows it, and the form's
        flags say the same."""
        self.assertNotIn("done", TRANSITIONS["draft"])
        for source in TRANSITIONS:
            for target, action in ACTIONS.items():
                if target == source:
                    continue
                with self.subTest(source=source, target=target), self.env.cr.savepoint() as savepoint:
                    booking = self.in_state(source)
                    self.assertEqual(booking[BUTTON_FLAGS[action]], target in TRANSITIONS[source])
                    if target in TRANSITIONS[source]:
                        getattr(booking, action)()
                        self.assertEqual(booking.state, target)
                    else:
                        with self.assertRaises(UserError):
                            getattr(booking, action)()
                    savepoint.rollback()

    def test_draft_cannot_jump_to_done(self):
        booking = self.book(10)
        with self.assertRaisesRegex(UserError, "cannot become"):
            booking.action_done()
        with self.assertRaisesRegex(UserError, "cannot become"):
            booking.write({"state": "done"})
        self.assertEqual(booking.state, "draft")

    def test_no_booking_is_born_with_its_history_skipped(self):
        for state in ("done", "no_show", "cancelled"):
            with self.subTest(state=state), self.assertRaisesRegex(UserError, "cannot be"):
                self.book(10, state=state)
        # The import and demo path says so, and may.
        self.assertEqual(self.history(10, state="done", channel="import").state, "done")
        self.assertEqual(self.book(12, state="confirmed").state, "confirmed")

    def test_after_transition_hook(self):
        calls = []

        def spy(records, old_states):
            calls.append((records.ids, dict(old_states), records.mapped("state")))

        with patch.object(SmartbookBooking, "_smartbook_after_transition", spy):
            booking = self.book(10)
            booking.action_confirm()
            booking.action_cancel(reason="Ill")
            booking.action_cancel(reason="Again")  # already cancelled: no change, no call
            booking.write({"state": "draft"})
        self.assertEqual(
            calls,
            [
                (booking.ids, {booking.id: False}, ["draft"]),
                (booking.ids, {booking.id: "draft"}, ["confirmed"]),
                (booking.ids, {booking.id: "confirmed"}, ["cancelled"]),
                (booking.ids, {booking.id: "cancelled"}, ["draft"]),
            ],
        )

    def test_form_buttons_follow_the_table(self):
        arch = self.env["smartbook.booking"].get_view(view_type="form")["arch"]
        header = etree.fromstring(arch).find(".//header")
        for button in header.iter("button"):
            name = button.get("name")
            if name in BUTTON_FLAGS:
                self.assertEqual(button.get("invisible"), f"not {BUTTON_FLAGS[name]}", name)

    def test_state_groups(self):
        self.assertEqual(set(BUSY_STATES) | {"cancelled"}, set(TRANSITIONS))
        self.assertTrue(set(ACTIVE_STATES) <= set(BUSY_STATES))


@tagged("post_install", "-at_install")
class TestScheduleCheck(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_user, cls.other_employee = cls._create_specialist(
            "sb_lifecycle_other", performs_service=False
        )
        cls.manager = new_test_user(
            cls.env, login="sb_lifecycle_manager", groups="smartbook_crm.group_smartbook_manager"
        )

    def test_specialist_must_perform_the_service(self):
        with self.assertRaisesRegex(ValidationError, "does not perform"):
            self.book(10, employee_id=self.other_employee.id)
        booking = self.book(10)
        with self.assertRaisesRegex(ValidationError, "does not perform"):
            booking.employee_id = self.other_employee

    def test_working_hours(self):
        with self.assertRaisesRegex(ValidationError, "outside the working hours"):
            self.book(8)
        # 16:00 + 60 min + 15 min cleaning ends after 17:00
        with self.assertRaisesRegex(ValidationError, "outside the working hours"):
            self.book(16)
        booking = self.book(15, 30)
        with self.assertRaisesRegex(ValidationError, "outside the working hours"):
            booking.start = self.at(7)
        # A manager may choose to; it is tracked.
        late = self.book(18, outside_hours_ok=True)
        self.assertTrue(late.outside_hours_ok)
        self.assertTrue(late._fields["outside_hours_ok"].tracking)
        with self.assertRaisesRegex(ValidationError, "outside the working hours"):
            late.outside_hours_ok = False

    def test_only_managers_book_outside_hours(self):
        Booking = self.env["smartbook.booking"]
        self.book(9)  # the client is now one the specialist served
        vals = {
            "partner_id": self.client.id,
            "service_id": self.service.id,
            "employee_id": self.employee.id,
            "start": self.at(18),
            "outside_hours_ok": True,
        }
        with self.assertRaisesRegex(AccessError, "Only managers"):
            Booking.with_user(self.user_specialist).create(vals)
        booking = Booking.with_user(self.manager).create(vals)
        self.assertTrue(booking.outside_hours_ok)

    def test_leaves_and_public_holidays(self):
        Leave = self.env["resource.calendar.leaves"]
        Leave.create(
            {
                "name": "Dentist",
                "resource_id": self.employee.resource_id.id,
                "calendar_id": self.calendar.id,
                "date_from": self.at(12),
                "date_to": self.at(14),
            }
        )
        for hour in (11, 12, 13):
            with self.assertRaisesRegex(ValidationError, "on leave"):
                self.book(hour, outside_hours_ok=True)  # a manager's choice does not cover leaves
        self.assertTrue(self.book(14))
        Leave.create(
            {
                "name": "Public holiday",
                "resource_id": False,
                "calendar_id": False,
                "date_from": self.at(24),
                "date_to": self.at(48),
            }
        )
        with self.assertRaisesRegex(ValidationError, "on leave"):
            self.book(34)

    def test_session_blocks_individual_bookings(self):
        group_service = self.service.copy({"name": "Yoga", "is_group": True, "capacity": 2, "slug": "yoga2"})
        self.env["smartbook.session"].create(
            {"service_id": group_service.id, "employee_id": self.employee.id, "start": self.at(13)}
        )
        with self.assertRaisesRegex(ValidationError, "not free"):
            self.book(12, 30)
        booking = self.book(11)
        with self.assertRaisesRegex(ValidationError, "not free"):
            booking.start = self.at(13, 30)

    def test_website_rules(self):
        now = fields.Datetime.now().replace(microsecond=0)
        self.service.write({"min_notice_hours": 24, "max_days_ahead": 30})
        # Every day is a working day 9-17 UTC: the next 12:00, within the notice.
        soon = now.replace(hour=12, minute=0, second=0)
        if soon <= now:
            soon += timedelta(days=1)
        website = {
            "partner_id": self.client.id,
            "service_id": self.service.id,
            "employee_id": self.employee.id,
            "channel": "website",
        }
        Booking = self.env["smartbook.booking"]
        with self.assertRaisesRegex(ValidationError, "at least 24 hours ahead"):
            Booking.create({**website, "start": soon})
        far = (now + timedelta(days=31)).replace(hour=12, minute=0, second=0)
        with self.assertRaisesRegex(ValidationError, "at most 30 days ahead"):
            Booking.create({**website, "start": far})
        fine = (now + timedelta(days=3)).replace(hour=12, minute=0, second=0)
        self.service.online = False
        with self.assertRaisesRegex(ValidationError, "cannot be booked online"):
            Booking.create({**website, "start": fine})
        self.service.online = True
        self.assertTrue(Booking.create({**website, "start": fine}))
        # The back office is not held to the client's notice.
        self.assertTrue(Booking.create({**website, "channel": "backoffice", "start": soon}))

    def test_check_is_batched(self):
        """A few queries per batch, not per booking."""

        def vals(count, day):
            return [
                {
                    "partner_id": self.client.id,
                    "service_id": self.service.id,
                    "employee_id": self.employee.id,
                    "start": self.at(24 * day + 9 + 2 * index),
                }
                for index in range(count)
            ]

        Booking = self.env["smartbook.booking"]
        self.env.flush_all()
        counts = []
        for count, day in ((1, 2), (4, 3)):
            before = self.env.cr.sql_log_count
            Booking.create(vals(count, day))
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
        self.assertLessEqual(counts[1] - counts[0], 3, counts)

    def test_reset_to_draft_checks_the_time_again(self):
        booking = self.book(10)
        booking.action_cancel()
        self.book(10, 30)
        with self.assertRaisesRegex(ValidationError, "already has a booking"):
            booking.action_reset_draft()


@tagged("post_install", "-at_install")
class TestBookingRights(SmartbookBookingCase):
    """Holes closed, each tried as the weaker user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_user, cls.other_employee = cls._create_specialist("sb_rights_other")
        cls.manager = new_test_user(
            cls.env, login="sb_rights_manager", groups="smartbook_crm.group_smartbook_manager"
        )
        cls.stranger = cls.env["res.partner"].create({"name": "Stranger", "smartbook_client": True})

    def setUp(self):
        super().setUp()
        # The stranger is the other specialist's client; ours is served by us.
        self.book(13, employee_id=self.other_employee.id, partner_id=self.stranger.id)
        self.mine = self.book(10)
        self.Booking = self.env["smartbook.booking"].with_user(self.user_specialist)
        with self.assertRaises(AccessError):
            self.stranger.with_user(self.user_specialist).read(["name"])

    def test_hole_1_cannot_attach_a_client_one_cannot_read(self):
        with self.assertRaisesRegex(AccessError, "cannot see"):
            self.Booking.create(
                {
                    "partner_id": self.stranger.id,
                    "service_id": self.service.id,
                    "employee_id": self.employee.id,
                    "start": self.at(12),
                }
            )
        with self.assertRaisesRegex(AccessError, "cannot see"):
            self.mine.with_user(self.user_specialist).partner_id = self.stranger
        with self.assertRaises(AccessError):
            self.stranger.with_user(self.user_specialist).read(["name"])
        # Clients one can read are fine, and managers are not concerned.
        own = self.Booking.create(
            {
                "partner_id": self.client.id,
                "service_id": self.service.id,
                "employee_id": self.employee.id,
                "start": self.at(12),
            }
        )
        self.assertEqual(own.partner_id, self.client)
        self.mine.with_user(self.manager).partner_id = self.stranger
        self.assertEqual(self.mine.partner_id, self.stranger)

    def test_hole_8a_employee_keeps_to_their_own_specialist(self):
        with self.assertRaisesRegex(AccessError, "Only managers"):
            self.mine.with_user(self.user_specialist).employee_id = self.other_employee
        with self.assertRaisesRegex(AccessError, "Only managers"):
            self.Booking.create(
                {
                    "partner_id": self.client.id,
                    "service_id": self.service.id,
                    "employee_id": self.other_employee.id,
                    "start": self.at(12),
                }
            )
        self.mine.with_user(self.manager).employee_id = self.other_employee
        self.assertEqual(self.mine.employee_id, self.other_employee)

    def test_employee_moves_own_booking_in_time(self):
        self.mine.with_user(self.user_specialist).start = self.at(13)
        self.assertEqual(self.mine.stop, self.at(14))


@tagged("post_install", "-at_install")
class TestGroupSessions(SmartbookBookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.yoga = cls.service.copy({"name": "Yoga", "is_group": True, "capacity": 3, "slug": "yoga3"})
        cls.session = cls.env["smartbook.session"].create(
            {
                "service_id": cls.yoga.id,
                "employee_id": cls.employee.id,
                "start": cls.day + timedelta(hours=13),
            }
        )
        cls.other_employee = cls.employee.copy({"name": "Other", "user_id": False, "smartbook_slug": False})
        cls.clients = cls.env["res.partner"].create(
            [{"name": f"Yogi {index}", "smartbook_client": True} for index in range(3)]
        )

    def attend(self, client, **vals):
        return self.env["smartbook.booking"].create(
            {"partner_id": client.id, "session_id": self.session.id, **vals}
        )

    def test_hole_2_session_booking_takes_the_session_place(self):
        booking = self.attend(self.clients[0], start=self.at(10), employee_id=self.other_employee.id)
        self.assertEqual(
            (booking.start, booking.stop, booking.employee_id, booking.service_id),
            (self.session.start, self.session.stop, self.employee, self.yoga),
        )
        with self.assertRaisesRegex(ValidationError, "Move the session"):
            booking.start = self.at(10)
        with self.assertRaisesRegex(ValidationError, "Move the session"):
            booking.employee_id = self.other_employee
        # Outside its session, the same client books the specialist's free time.
        self.book(10, partner_id=self.clients[0].id)
        # The session moves: its bookings follow.
        self.session.start = self.at(15)
        self.assertEqual((booking.start, booking.stop), (self.at(15), self.at(16)))
        with self.assertRaisesRegex(ValidationError, "not free"):
            self.book(15)

    def test_hole_3_capacity_and_cancel(self):
        first, second = self.attend(self.clients[0]), self.attend(self.clients[1])
        second.action_confirm()
        with self.assertRaisesRegex(ValidationError, "capacity cannot be lower"):
            self.session.capacity = 1
        self.session.capacity = 2
        self.session.action_cancel()
        self.assertEqual((first | second).mapped("state"), ["cancelled", "cancelled"])
        self.assertEqual(first.cancel_reason, "The group session was cancelled.")
        self.assertIn("10:00", self.free_hours())
        self.assertIn("13:00", self.free_hours())


@tagged("post_install", "-at_install")
class TestMultiCompany(SmartbookBookingCase):
    """Hole 10: two companies share the database, not their bookings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "SmartBook Branch B"})
        calendar_b = cls.calendar.copy({"name": "Branch B hours", "company_id": cls.company_b.id})
        cls.employee_b = cls.env["hr.employee"].create(
            {
                "name": "Branch Specialist",
                "company_id": cls.company_b.id,
                "resource_calendar_id": calendar_b.id,
                "tz": "UTC",
                "smartbook_bookable": True,
            }
        )
        cls.service_b = cls.env["smartbook.service"].create(
            {
                "name": "Branch Cut",
                "product_id": cls.product.id,
                "company_id": cls.company_b.id,
                "duration": 60,
                "employee_ids": [(6, 0, cls.employee_b.ids)],
                "min_notice_hours": 0,
                "max_days_ahead": 365,
            }
        )
        cls.manager_a = new_test_user(
            cls.env,
            login="sb_company_a_manager",
            groups="smartbook_crm.group_smartbook_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )

    def test_bookings_keep_to_their_company(self):
        self.assertEqual(self.service.company_id, self.company_a)
        booking_b = self.book(10, service_id=self.service_b.id, employee_id=self.employee_b.id)
        self.assertEqual(booking_b.company_id, self.company_b)
        mine = self.book(10)
        self.assertEqual(mine.company_id, self.company_a)
        # A specialist of one company cannot serve the other's service.
        with self.assertRaises(UserError):
            self.book(12, service_id=self.service_b.id)
        group_b = self.service_b.copy({"name": "Branch Yoga", "is_group": True, "slug": "branch-yoga"})
        with self.assertRaises(UserError):
            self.env["smartbook.session"].create(
                {"service_id": group_b.id, "employee_id": self.employee.id, "start": self.at(14)}
            )
        # Company rules: a manager of company A sees nothing of company B.
        Booking = self.env["smartbook.booking"].with_user(self.manager_a)
        self.assertEqual(Booking.search([("id", "in", (booking_b | mine).ids)]), mine)
        self.assertFalse(
            self.env["smartbook.service"].with_user(self.manager_a).search([("id", "=", self.service_b.id)])
        )
        with self.assertRaises(AccessError):
            booking_b.with_user(self.manager_a).read(["state"])

    def test_slots_only_from_the_service_company(self):
        window = (self.day, self.day + timedelta(days=1))
        self.assertEqual(
            {slot["employee_id"] for slot in self.service_b.get_free_slots(*window)}, {self.employee_b.id}
        )
        # Data from before the company checks: a specialist of company A linked
        # to company B's service is not offered on it.
        self.env.cr.execute(
            "INSERT INTO smartbook_service_hr_employee_rel (service_id, employee_id) VALUES (%s, %s)",
            [self.service_b.id, self.employee.id],
        )
        self.env.invalidate_all()
        self.assertEqual(
            {slot["employee_id"] for slot in self.service_b.get_free_slots(*window)}, {self.employee_b.id}
        )
