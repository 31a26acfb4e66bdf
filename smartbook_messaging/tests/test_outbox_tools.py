"""The outbox's timing rules (tools/outbox.py), without a database."""

from datetime import datetime, timedelta

from odoo.addons.smartbook_messaging.tools.outbox import backoff_delay, next_try_after, quiet_hours_end


def test_backoff_doubles_then_caps():
    assert [backoff_delay(attempt) for attempt in range(1, 6)] == [60, 120, 240, 480, 960]
    assert backoff_delay(0) == 60
    assert backoff_delay(40) == 6 * 3600
    assert backoff_delay(10**6) == 6 * 3600


def test_next_try_honours_the_provider_then_backs_off():
    now = datetime(2026, 3, 1, 12, 0)
    assert next_try_after(now, 1, retry_after=30) == now + timedelta(seconds=30)
    assert next_try_after(now, 3) == now + timedelta(minutes=4)
    # "Retry after 0 s" is not a busy loop.
    assert next_try_after(now, 1, retry_after=0) == now + timedelta(seconds=1)


def test_quiet_hours_wrapping_midnight():
    # 21:00-09:00 in Madrid (UTC+1 in winter)
    assert quiet_hours_end(datetime(2026, 1, 10, 19, 59), "Europe/Madrid", 21, 9) is None
    assert quiet_hours_end(datetime(2026, 1, 10, 20, 0), "Europe/Madrid", 21, 9) == datetime(
        2026, 1, 11, 8, 0
    )
    assert quiet_hours_end(datetime(2026, 1, 11, 5, 0), "Europe/Madrid", 21, 9) == datetime(2026, 1, 11, 8, 0)
    assert quiet_hours_end(datetime(2026, 1, 11, 8, 0), "Europe/Madrid", 21, 9) is None


def test_quiet_hours_in_the_clients_zone_not_utc():
    # 23:00 UTC is 08:00 the next day in Tokyo: quiet there until 09:00 local = 00:00 UTC.
    assert quiet_hours_end(datetime(2026, 1, 10, 23, 0), "Asia/Tokyo", 21, 9) == datetime(2026, 1, 11, 0, 0)
    # 12:00 UTC is 21:00 in Tokyo: quiet until 09:00 local next day.
    assert quiet_hours_end(datetime(2026, 1, 10, 12, 0), "Asia/Tokyo", 21, 9) == datetime(2026, 1, 11, 0, 0)
    assert quiet_hours_end(datetime(2026, 1, 10, 12, 0), "UTC", 21, 9) is None


def test_quiet_hours_across_a_dst_change():
    # Night of 28-29 March 2026 in Madrid: clocks jump from 02:00 to 03:00 (UTC+1 → UTC+2);
    # 09:00 local on the 29th is 07:00 UTC, not 08:00.
    assert quiet_hours_end(datetime(2026, 3, 28, 22, 0), "Europe/Madrid", 21, 9) == datetime(
        2026, 3, 29, 7, 0
    )


def test_quiet_hours_same_day_window_half_hours_and_none():
    assert quiet_hours_end(datetime(2026, 1, 10, 13, 15), "UTC", 13, 14.5) == datetime(2026, 1, 10, 14, 30)
    assert quiet_hours_end(datetime(2026, 1, 10, 14, 30), "UTC", 13, 14.5) is None
    assert quiet_hours_end(datetime(2026, 1, 10, 3, 0), "UTC", 9, 9) is None
    # An unknown zone reads as UTC rather than stopping the outbox.
    assert quiet_hours_end(datetime(2026, 1, 10, 22, 0), "Mars/Olympus", 21, 9) == datetime(2026, 1, 11, 9, 0)
