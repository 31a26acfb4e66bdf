import json
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tests.common import tagged

from .common import SmartbookCrmCase


@tagged("post_install", "-at_install")
class TestSegment(SmartbookCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tag = cls.env["res.partner.category"]
        cls.tag_vip = Tag.create({"name": "Segment VIP"})
        cls.tag_regular = Tag.create({"name": "Segment Regular"})
        cls.source_instagram = cls.env.ref("smartbook_crm.source_instagram")
        cls.source_google = cls.env.ref("smartbook_crm.source_google")
        Partner = cls.env["res.partner"]

        def client(name, **vals):
            return Partner.create({"name": name, "smartbook_client": True, **vals})

        cls.anna = client(
            "Anna",
            smartbook_gender="female",
            smartbook_birthday=date(1990, 5, 20),
            category_id=[(6, 0, cls.tag_vip.ids)],
            smartbook_source_id=cls.source_instagram.id,
            smartbook_consent_sms=True,
            smartbook_consent_marketing=True,
            city="Madrid",
            smartbook_user_id=cls.user_employee.id,
        )
        cls.boris = client(
            "Boris",
            smartbook_gender="male",
            smartbook_birthday=date(2000, 12, 30),
            category_id=[(6, 0, cls.tag_regular.ids)],
            smartbook_source_id=cls.source_google.id,
            smartbook_consent_telegram=True,
            city="Sevilla",
            smartbook_user_id=cls.user_employee_2.id,
        )
        cls.carla = client(
            "Carla",
            smartbook_gender="other",
            smartbook_birthday=date(2008, 1, 3),
            category_id=[(6, 0, (cls.tag_vip | cls.tag_regular).ids)],
            smartbook_consent_email=True,
            smartbook_blacklisted=True,
            smartbook_blacklist_reason="No-shows",
            city="MADRID",
            smartbook_user_id=cls.user_employee.id,
        )
        cls.dan = client("Dan", city="Madrid%")
        cls.eva = client(
            "Eva",
            smartbook_gender="female",
            smartbook_birthday=date(2004, 2, 29),
            category_id=[(6, 0, cls.tag_vip.ids)],
            smartbook_consent_sms=True,
        )
        cls.clients = cls.anna | cls.boris | cls.carla | cls.dan | cls.eva
        cls.no_clients = Partner.browse()
        cls.Segment = cls.env["smartbook.segment"]

    def _segment(self, **vals):
        # No blacklist filter unless a test sets one: each test looks at one criterion.
        return self.Segment.create({"name": "Test Segment", "blacklist_filter": False, **vals})

    def _matches(self, segment):
        """The test clients in the segment (the demo clients are left aside)."""
        domain = expression.AND([segment._get_client_domain(), [("id", "in", self.clients.ids)]])
        return self.env["res.partner"].search(domain)

    # ------------------------------------------------------------------ criteria

    def test_no_criterion_means_every_client(self):
        segment = self._segment()
        self.assertEqual(self._matches(segment), self.clients)
        self.assertEqual(
            segment.client_count, self.env["res.partner"].search_count([("smartbook_client", "=", True)])
        )
        self.assertNotIn(self.company_contact, segment._get_clients())

    def test_tags_any_all_and_excluded(self):
        both = (self.tag_vip | self.tag_regular).ids
        self.assertEqual(
            self._matches(self._segment(tag_ids=[(6, 0, both)])),
            self.anna | self.boris | self.carla | self.eva,
        )
        self.assertEqual(self._matches(self._segment(tag_ids=[(6, 0, both)], tag_match="all")), self.carla)
        self.assertEqual(
            self._matches(self._segment(excluded_tag_ids=[(6, 0, self.tag_regular.ids)])),
            self.anna | self.dan | self.eva,
        )
        self.assertEqual(
            self._matches(
                self._segment(
                    tag_ids=[(6, 0, self.tag_vip.ids)], excluded_tag_ids=[(6, 0, self.tag_regular.ids)]
                )
            ),
            self.anna | self.eva,
        )

    def test_sources(self):
        segment = self._segment(source_ids=[(6, 0, self.source_instagram.ids)])
        self.assertEqual(self._matches(segment), self.anna)
        segment.source_ids = self.source_instagram | self.source_google
        self.assertEqual(self._matches(segment), self.anna | self.boris)

    def test_consent_per_channel(self):
        expected = {
            "sms": self.anna | self.eva,
            "telegram": self.boris,
            "email": self.carla,
            "marketing": self.anna,
        }
        for channel, given in expected.items():
            with self.subTest(channel=channel):
                self.assertEqual(self._matches(self._segment(**{f"consent_{channel}": "given"})), given)
                self.assertEqual(
                    self._matches(self._segment(**{f"consent_{channel}": "not_given"})), self.clients - given
                )
        both = self._segment(consent_sms="given", consent_marketing="given")
        self.assertEqual(self._matches(both), self.anna)

    def test_blacklist(self):
        self.assertEqual(self.Segment.create({"name": "Default"}).blacklist_filter, "exclude")
        self.assertEqual(self._matches(self._segment(blacklist_filter="exclude")), self.clients - self.carla)
        self.assertEqual(self._matches(self._segment(blacklist_filter="only")), self.carla)
        self.assertEqual(self._matches(self._segment()), self.clients)

    def test_gender(self):
        self.assertEqual(self._matches(self._segment(gender="female")), self.anna | self.eva)
        self.assertEqual(self._matches(self._segment(gender="male")), self.boris)
        self.assertEqual(self._matches(self._segment(gender="other")), self.carla)

    @freeze_time("2026-05-20")
    def test_age_bounds_inclusive(self):
        # Today Anna turns 36, Boris is 25, Carla 18, Eva 22; Dan has no birthday.
        self.assertEqual(
            self._matches(self._segment(age_min=18, age_max=25)), self.boris | self.carla | self.eva
        )
        self.assertEqual(self._matches(self._segment(age_min=36)), self.anna)
        self.assertEqual(self._matches(self._segment(age_max=35)), self.boris | self.carla | self.eva)
        self.assertEqual(self._matches(self._segment(age_min=19, age_max=24)), self.eva)
        self.assertEqual(self._matches(self._segment(age_max=17)), self.no_clients)

    @freeze_time("2026-05-19")
    def test_age_the_day_before_a_birthday(self):
        self.assertEqual(self._matches(self._segment(age_min=36)), self.no_clients)
        self.assertEqual(self._matches(self._segment(age_min=35, age_max=35)), self.anna)

    def test_birthday_next_days_across_the_year_end(self):
        segment = self._segment(birthday_filter="next_days", birthday_days=10)
        with freeze_time("2026-12-28"):
            self.assertEqual(self._matches(segment), self.boris | self.carla)  # 30 Dec and 3 Jan
        with freeze_time("2026-12-31"):
            self.assertEqual(self._matches(segment), self.carla)
        with freeze_time("2026-12-24"):
            segment.birthday_days = 7  # 24 to 30 December
            self.assertEqual(self._matches(segment), self.boris)

    def test_birthday_next_days_across_a_month_end(self):
        segment = self._segment(birthday_filter="next_days", birthday_days=5)
        with freeze_time("2026-05-16"):
            self.assertEqual(self._matches(segment), self.anna)  # 16 to 20 May
        with freeze_time("2026-05-15"):
            self.assertEqual(self._matches(segment), self.no_clients)  # 15 to 19 May
        with freeze_time("2026-02-27"):
            segment.birthday_days = 3  # 27 Feb to 1 Mar in a common year
            self.assertEqual(self._matches(segment), self.eva)
        with freeze_time("2026-03-01"):
            self.assertEqual(self._matches(segment), self.no_clients)
        with freeze_time("2026-04-29"):
            segment.birthday_days = 30  # to 28 May: April's end and most of May
            self.assertEqual(self._matches(segment), self.anna)

    def test_birthday_in_a_month(self):
        self.assertEqual(
            self._matches(self._segment(birthday_filter="month", birthday_month="12")), self.boris
        )
        self.assertEqual(self._matches(self._segment(birthday_filter="month", birthday_month="2")), self.eva)
        segment = self._segment(birthday_filter="this_month")
        with freeze_time("2026-01-15"):
            self.assertEqual(self._matches(segment), self.carla)
        with freeze_time("2026-05-01"):
            self.assertEqual(self._matches(segment), self.anna)

    def test_city(self):
        self.assertEqual(self._matches(self._segment(city="madrid")), self.anna | self.carla)
        self.assertEqual(
            self._matches(self._segment(city=" Sevilla , Madrid ")), self.anna | self.boris | self.carla
        )
        # "%" is a character of the name, not a wildcard.
        self.assertEqual(self._matches(self._segment(city="Madrid%")), self.dan)

    def test_created_in_a_period(self):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = CASE id WHEN %s THEN %s WHEN %s THEN %s ELSE %s END"
            " WHERE id IN %s",
            [
                self.anna.id,
                datetime(2026, 3, 31, 22, 30),  # 1 April, 00:30 in Madrid (summer time, UTC+2)
                self.boris.id,
                datetime(2026, 4, 30, 21, 59),  # 30 April, 23:59 in Madrid
                datetime(2025, 1, 10, 10),
                tuple(self.clients.ids),
            ],
        )
        self.env.invalidate_all()
        segment = self._segment(created_from=date(2026, 4, 1), created_to=date(2026, 4, 30))
        self.assertEqual(self._matches(segment.with_context(tz="Europe/Madrid")), self.anna | self.boris)
        self.assertEqual(self._matches(segment.with_context(tz="UTC")), self.boris)
        segment.created_to = False
        self.assertEqual(self._matches(segment.with_context(tz="Europe/Madrid")), self.anna | self.boris)
        segment.write({"created_from": False, "created_to": date(2025, 12, 31)})
        self.assertEqual(self._matches(segment), self.carla | self.dan | self.eva)

    # ------------------------------------------------------------------ count and clients

    @freeze_time("2026-12-28")
    def test_count_equals_a_hand_built_search(self):
        segment = self._segment(
            tag_ids=[(6, 0, (self.tag_vip | self.tag_regular).ids)],
            consent_sms="not_given",
            blacklist_filter="exclude",
            birthday_filter="next_days",
            birthday_days=10,
            age_min=18,
            city="Sevilla, Madrid",
        )
        hand_built = [
            ("smartbook_client", "=", True),
            ("category_id", "in", (self.tag_vip | self.tag_regular).ids),
            ("smartbook_consent_sms", "=", False),
            ("smartbook_blacklisted", "=", False),
            ("smartbook_birthday", "<=", "2008-12-28"),
            "|",
            "&",
            ("smartbook_birthday.month_number", "=", 12),
            ("smartbook_birthday.day_of_month", ">=", 28),
            "&",
            ("smartbook_birthday.month_number", "=", 1),
            ("smartbook_birthday.day_of_month", "<=", 6),
            "|",
            ("city", "=ilike", "Sevilla"),
            ("city", "=ilike", "Madrid"),
        ]
        Partner = self.env["res.partner"]
        self.assertEqual(segment.client_count, Partner.search_count(hand_built))
        self.assertIn(self.boris, Partner.search(hand_built))
        self.assertEqual(self._matches(segment), self.boris)

    def test_count_is_one_query(self):
        segment = self._segment(
            tag_ids=[(6, 0, self.tag_vip.ids)], birthday_filter="next_days", birthday_days=60, age_max=50
        )
        segment._get_client_domain()  # segment fields in cache
        self.env.flush_all()
        segment.invalidate_recordset(["client_count"])
        with self.assertQueryCount(1):
            self.assertGreaterEqual(segment.client_count, 0)

    def test_employee_counts_only_their_clients(self):
        segment = self._segment(tag_ids=[(6, 0, self.tag_vip.ids)])
        Partner = self.env["res.partner"]
        for user in (self.user_employee, self.user_employee_2):
            with self.subTest(user=user.login):
                mine = Partner.search_count(
                    expression.AND([segment._get_client_domain(), [("smartbook_user_id", "=", user.id)]])
                )
                self.assertEqual(segment.with_user(user).client_count, mine)
        self.assertEqual(segment.with_user(self.user_employee).client_count, 2)  # Anna and Carla
        self.assertEqual(segment.with_user(self.user_employee_2).client_count, 0)
        self.assertEqual(segment.with_user(self.user_manager).client_count, segment.client_count)
        self.assertEqual(
            segment.with_user(self.user_employee)._get_clients(),
            (self.anna | self.carla).with_user(self.user_employee),
        )

    def test_open_clients_shows_exactly_its_clients(self):
        segment = self._segment(tag_ids=[(6, 0, self.tag_vip.ids)], gender="female")
        action = segment.action_open_clients()
        json.dumps(action)  # goes to the web client as it is
        self.assertEqual(action["res_model"], "res.partner")
        self.assertEqual(action["name"], "Test Segment")
        clients = self.env["res.partner"].search(
            expression.AND([action["domain"], [("id", "in", self.clients.ids)]])
        )
        self.assertEqual(clients, self.anna | self.eva)
        self.assertEqual(self.env["res.partner"].search_count(action["domain"]), segment.client_count)

    # ------------------------------------------------------------------ rules and access

    def test_invalid_criteria_refused(self):
        with self.assertRaisesRegex(ValidationError, "minimum age"):
            self._segment(age_min=40, age_max=30)
        with self.assertRaisesRegex(ValidationError, "1 to 366 days"):
            self._segment(birthday_filter="next_days", birthday_days=0)
        with self.assertRaisesRegex(ValidationError, "month of the birthdays"):
            self._segment(birthday_filter="month")
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self._segment(created_from=date(2026, 5, 1), created_to=date(2026, 4, 1))

    def test_employees_read_managers_manage(self):
        segment = self._segment(gender="female")
        self.assertTrue(segment.with_user(self.user_employee).name)
        with self.assertRaises(AccessError):
            self.Segment.with_user(self.user_employee).create({"name": "By an employee"})
        with self.assertRaises(AccessError):
            segment.with_user(self.user_employee).write({"gender": "male"})
        own = self.Segment.with_user(self.user_manager).create({"name": "By a manager", "gender": "male"})
        own.write({"age_min": 20})
        own.unlink()
