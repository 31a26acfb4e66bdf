from datetime import date, datetime

from odoo.tests.common import BaseCase, tagged

from ..tools.segment import birth_date_bounds, birthday_days, birthday_windows, local_day_start_utc


@tagged("post_install", "-at_install")
class TestBirthdayWindows(BaseCase):
    """Pure date logic of segments: no database."""

    def test_window_inside_a_month(self):
        self.assertEqual(birthday_windows(date(2026, 5, 10), 7), [(5, 10, 16)])

    def test_today_included_and_one_day(self):
        self.assertEqual(birthday_windows(date(2026, 5, 10), 1), [(5, 10, 10)])
        self.assertEqual(birthday_windows(date(2026, 5, 10), 0), [])

    def test_window_across_a_month_end(self):
        self.assertEqual(birthday_windows(date(2026, 4, 28), 7), [(4, 28, 30), (5, 1, 4)])
        self.assertEqual(birthday_windows(date(2026, 1, 31), 2), [(1, 31, 31), (2, 1, 1)])

    def test_window_across_the_year_end(self):
        self.assertEqual(birthday_windows(date(2026, 12, 28), 10), [(1, 1, 6), (12, 28, 31)])
        self.assertEqual(birthday_windows(date(2026, 12, 31), 1), [(12, 31, 31)])
        self.assertEqual(birthday_windows(date(2026, 12, 31), 2), [(1, 1, 1), (12, 31, 31)])

    def test_whole_months_covered(self):
        windows = birthday_windows(date(2026, 11, 30), 35)
        self.assertEqual(windows, [(1, 1, 3), (11, 30, 30), (12, 1, 31)])
        self.assertEqual(birthday_windows(date(2026, 3, 1), 366), [(month, 1, 31) for month in range(1, 13)])

    def test_leap_day_in_common_and_leap_years(self):
        # 2027 is a common year: 29 February birthdays are celebrated on the 28th.
        self.assertIn((2, 29), birthday_days(date(2027, 2, 27), 2))
        self.assertEqual(birthday_windows(date(2027, 2, 27), 3), [(2, 27, 29), (3, 1, 1)])
        self.assertNotIn((2, 29), birthday_days(date(2027, 3, 1), 30))
        # 2028 is a leap year: the 29th is a day like any other.
        self.assertEqual(birthday_windows(date(2028, 2, 27), 3), [(2, 27, 29)])
        self.assertEqual(birthday_windows(date(2028, 2, 1), 29), [(2, 1, 31)])
        self.assertEqual(birthday_windows(date(2027, 2, 1), 28), [(2, 1, 31)])

    def test_months_of_30_days_full(self):
        self.assertEqual(birthday_windows(date(2026, 4, 1), 30), [(4, 1, 31)])


@tagged("post_install", "-at_install")
class TestAgeBounds(BaseCase):
    def test_bounds(self):
        today = date(2026, 6, 15)
        born_after, born_on_or_before = birth_date_bounds(today, age_min=18, age_max=30)
        self.assertEqual(born_on_or_before, date(2008, 6, 15))  # 18 today
        self.assertEqual(born_after, date(1995, 6, 15))  # 31 today: too old
        self.assertEqual(birth_date_bounds(today), (None, None))
        self.assertEqual(birth_date_bounds(today, age_max=0), (date(2025, 6, 15), None))

    def test_leap_day_birth_comes_of_age_on_first_march(self):
        born_after, born_on_or_before = birth_date_bounds(date(2026, 2, 28), age_min=18)
        self.assertIsNone(born_after)
        self.assertLess(born_on_or_before, date(2008, 2, 29))
        self.assertGreaterEqual(birth_date_bounds(date(2026, 3, 1), age_min=18)[1], date(2008, 2, 29))


@tagged("post_install", "-at_install")
class TestLocalDays(BaseCase):
    def test_day_start_in_utc(self):
        self.assertEqual(local_day_start_utc(date(2026, 7, 1), "Europe/Madrid"), datetime(2026, 6, 30, 22))
        self.assertEqual(local_day_start_utc(date(2026, 1, 1), "America/Sao_Paulo"), datetime(2026, 1, 1, 3))
        self.assertEqual(local_day_start_utc(date(2026, 1, 1), False), datetime(2026, 1, 1))
        self.assertEqual(local_day_start_utc(date(2026, 1, 1), "Nowhere/Town"), datetime(2026, 1, 1))
