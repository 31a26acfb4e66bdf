"""The pure slot engine: plain unit tests, no database."""

import unittest
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ..tools.slots import merge_intervals, slot_starts

MIN = timedelta(minutes=1)


def at(hour, minute=0, day=2):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def hours(starts):
    return [start.strftime("%H:%M") for start in starts]


class TestSlotStarts(unittest.TestCase):
    def test_step_from_interval_start(self):
        self.assertEqual(
            hours(slot_starts([(at(9), at(12))], [], 60 * MIN, 30 * MIN)),
            ["09:00", "09:30", "10:00", "10:30", "11:00"],
        )

    def test_step_not_dividing_interval(self):
        # 9:15-11:00 with hourly steps: starts 9:15 and 10:15 would end past 11:00 for 60 min
        self.assertEqual(
            hours(slot_starts([(at(9, 15), at(11))], [], 45 * MIN, 60 * MIN)), ["09:15", "10:15"]
        )

    def test_duration_longer_than_gap(self):
        busy = [(at(10), at(11)), (at(11, 30), at(12))]
        starts = slot_starts([(at(9), at(13))], busy, 60 * MIN, 30 * MIN)
        self.assertEqual(hours(starts), ["09:00", "12:00"])

    def test_buffers_at_interval_edges(self):
        starts = slot_starts(
            [(at(9), at(12))], [], 60 * MIN, 30 * MIN, buffer_before=15 * MIN, buffer_after=15 * MIN
        )
        # 9:00 would need 8:45 for preparation; 11:00 would clean until 12:15.
        self.assertEqual(hours(starts), ["09:30", "10:00", "10:30"])

    def test_buffers_against_busy(self):
        busy = [(at(10), at(11))]
        starts = slot_starts([(at(9), at(13))], busy, 30 * MIN, 30 * MIN, buffer_after=10 * MIN)
        self.assertEqual(hours(starts), ["09:00", "11:00", "11:30", "12:00"])

    def test_leave_covering_part_of_day_keeps_the_grid(self):
        leave = [(at(9), at(10, 40))]
        starts = slot_starts([(at(9), at(12))], leave, 60 * MIN, 60 * MIN)
        self.assertEqual(hours(starts), ["11:00"])

    def test_notice_and_horizon(self):
        starts = slot_starts([(at(9), at(17))], [], 60 * MIN, 60 * MIN, earliest=at(11, 20), latest=at(14))
        self.assertEqual(hours(starts), ["12:00", "13:00"])

    def test_overnight_calendar(self):
        work = [(at(22), at(0, day=3)), (at(0, day=3), at(6, day=3))]
        starts = slot_starts(work, [], 120 * MIN, 120 * MIN)
        self.assertEqual(hours(starts), ["22:00", "00:00", "02:00", "04:00"])

    def test_dst_day_counts_real_minutes(self):
        madrid = ZoneInfo("Europe/Madrid")
        # 29 March 2026: clocks jump 02:00 -> 03:00 in Madrid.
        work = [(datetime(2026, 3, 29, 0, 0, tzinfo=madrid), datetime(2026, 3, 29, 5, 0, tzinfo=madrid))]
        work_utc = [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in work]
        starts = slot_starts(work_utc, [], 60 * MIN, 60 * MIN)
        local = [start.astimezone(madrid).strftime("%H:%M") for start in starts]
        # Four real hours between local midnight and 05:00: 00, 01, 03, 04 o'clock.
        self.assertEqual(local, ["00:00", "01:00", "03:00", "04:00"])

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            slot_starts([(at(9), at(10))], [], 60 * MIN, 0 * MIN)
        with self.assertRaises(ValueError):
            slot_starts([(at(9), at(10))], [], 0 * MIN, 30 * MIN)

    def test_merge_intervals(self):
        merged = merge_intervals(
            [(at(10), at(11)), (at(9), at(10)), (at(12), at(12)), (at(10, 30), at(10, 45))]
        )
        self.assertEqual(merged, [(at(9), at(11))])
