"""The outbox's timing rules, without the ORM: retry backoff and quiet hours.

Datetimes are naive UTC, as Odoo stores them.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# First retry after a minute, then 2, 4, 8... never more than six hours apart.
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600


def backoff_delay(attempts, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_MAX_SECONDS):
    """Seconds to wait after the ``attempts``-th failed try (1 for the first)."""
    exponent = max(attempts, 1) - 1
    # min() before the power keeps huge attempt counts from building huge integers.
    return min(cap, base * 2 ** min(exponent, 32))


def next_try_after(now, attempts, retry_after=None):
    """When to try again: when the provider said (``retry_after`` seconds), else backoff."""
    if retry_after is not None and retry_after >= 0:
        return now + timedelta(seconds=max(retry_after, 1))
    return now + timedelta(seconds=backoff_delay(attempts))


def zone(tz_name):
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _hour_to_time(hours):
    hours = min(max(float(hours or 0.0), 0.0), 24.0)
    if hours >= 24.0:
        return time.max
    minutes = round(hours * 60)
    return time(minutes // 60, minutes % 60)


def quiet_hours_end(now, tz_name, start_hour, end_hour):
    """``None`` when ``now`` (naive UTC) is outside the quiet hours of time zone
    ``tz_name``, else the naive UTC moment they end.

    ``start_hour``/``end_hour`` are local hours as floats (21.5 is 21:30); the window
    may wrap midnight (21 → 9) or not (13 → 14); equal hours mean no quiet hours.
    The end is computed on the local calendar, so it is right across DST changes.
    """
    start, end = _hour_to_time(start_hour), _hour_to_time(end_hour)
    if start == end:
        return None
    local_zone = zone(tz_name)
    local_now = now.replace(tzinfo=UTC).astimezone(local_zone)
    clock = local_now.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
        end_day = local_now.date()
    else:
        quiet = clock >= start or clock < end
        end_day = local_now.date() + timedelta(days=1) if clock >= start else local_now.date()
    if not quiet:
        return None
    # A wall-clock end skipped by a DST jump resolves forward, as ZoneInfo does.
    local_end = datetime.combine(end_day, end, tzinfo=local_zone)
    return local_end.astimezone(UTC).replace(tzinfo=None)
