"""Dates of a weekly recurring class, in UTC (no ORM)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def weekly_occurrences(date_from, date_to, weekdays, hour, tz_name):
    """Naive UTC starts of a class held on ``weekdays`` (0 = Monday) at local
    ``hour`` (a float: 18.5 is 18:30) in time zone ``tz_name``, from
    ``date_from`` to ``date_to`` included. The local time stays the same across
    DST changes; the UTC time moves with them."""
    if date_to < date_from:
        raise ValueError("the end date is before the start date")
    zone = ZoneInfo(tz_name or "UTC")
    minutes = round(hour * 60)
    local_time = time(minutes // 60, minutes % 60)
    wanted = set(weekdays)
    starts = []
    day = date_from
    while day <= date_to:
        if day.weekday() in wanted:
            local = datetime.combine(day, local_time).replace(tzinfo=zone)
            starts.append(local.astimezone(UTC).replace(tzinfo=None))
        day += timedelta(days=1)
    return starts
