"""Working time of a calendar as naive UTC intervals (no ORM).

The same rules as Odoo's ``resource.calendar._attendance_intervals_batch``:
weekly attendances (``dayofweek``, ``hour_from``, ``hour_to`` in the resource's
time zone), optional ``date_from``/``date_to`` bounds, two-week calendars
(``week_type`` 0/1 by the parity of the week counted from 1 January of year 1).
One difference on purpose: ``hour_to == 24`` ends at the next midnight, so an
overnight shift split at midnight is one interval.

It exists for speed: it expands a month of attendances for twenty people in
well under a millisecond, where the ORM path costs tens of milliseconds; a test
checks it against Odoo's own method on DST weeks and two-week calendars.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def week_type(day):
    """0 or 1, as resource.calendar.attendance.get_week_type."""
    return ((day.toordinal() - 1) // 7) % 2


def attendance_intervals(attendances, tz_name, start, end, two_weeks=False):
    """Working intervals between naive UTC ``start`` and ``end``, as sorted
    ``(start, end)`` naive UTC pairs clipped to that window.

    ``attendances``: iterable of ``(dayofweek, hour_from, hour_to, date_from,
    date_to, week_type)``; ``week_type`` only matters when ``two_weeks``.
    """
    zone = ZoneInfo(tz_name or "UTC")
    per_weekday = {}
    for attendance in attendances:
        per_weekday.setdefault(int(attendance[0]), []).append(attendance)
    if not per_weekday:
        return []
    first_day = start.replace(tzinfo=UTC).astimezone(zone).date() - timedelta(days=1)
    last_day = end.replace(tzinfo=UTC).astimezone(zone).date()
    intervals = []
    day = first_day
    while day <= last_day:
        for _weekday, hour_from, hour_to, date_from, date_to, week in per_weekday.get(day.weekday(), ()):
            if (date_from and day < date_from) or (date_to and day > date_to):
                continue
            if two_weeks and week is not None and int(week) != week_type(day):
                continue
            midnight = datetime.combine(day, time())
            local_from = (midnight + timedelta(hours=hour_from)).replace(tzinfo=zone)
            local_to = (midnight + timedelta(hours=hour_to)).replace(tzinfo=zone)
            utc_from = local_from.astimezone(UTC).replace(tzinfo=None)
            utc_to = local_to.astimezone(UTC).replace(tzinfo=None)
            if utc_to > start and utc_from < end:
                intervals.append((max(utc_from, start), min(utc_to, end)))
        day += timedelta(days=1)
    intervals.sort()
    return intervals
