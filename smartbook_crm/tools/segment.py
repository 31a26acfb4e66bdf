"""Date logic of client segments, with no ORM: birthday windows and age bounds.

A segment compiles to one SQL query, so these functions turn "birthday in the
next N days" or "aged 25 to 40" into plain bounds the domain can use: month and
day-of-month ranges (the year of birth does not matter for a birthday), and
birth-date limits for an age.
"""

import calendar
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

FEBRUARY = 2
LEAP_DAY = 29


def birthday_days(today, days):
    """Return the set of (month, day) birthdays that fall in the ``days`` days
    starting ``today`` (today included; ``days=7`` from a Monday ends on Sunday).

    In a common year the birthday of someone born on 29 February is celebrated
    on the 28th, so 29 February belongs to a window holding 28 February.
    """
    found = set()
    for offset in range(min(max(days, 0), 366)):
        day = today + timedelta(days=offset)
        found.add((day.month, day.day))
        if (day.month, day.day) == (FEBRUARY, 28) and not calendar.isleap(day.year):
            found.add((FEBRUARY, LEAP_DAY))
    return found


def birthday_windows(today, days):
    """The birthdays of the next ``days`` days as ``(month, first_day, last_day)``
    ranges, sorted by month then day, one per run of consecutive days.

    A window across the end of the year gives its December and January parts; a
    range that covers a whole month is ``(month, 1, 31)`` whatever the month's
    length (29 February included), so that callers can drop the day condition.
    An empty list means no birthday at all (``days`` < 1).
    """
    wanted = birthday_days(today, days)
    windows = []
    for month in range(1, 13):
        # The longest the month ever is: 29 days for February.
        month_days = calendar.monthrange(2000, month)[1]
        days_in_month = [day for day in range(1, month_days + 1) if (month, day) in wanted]
        if len(days_in_month) == month_days:
            windows.append((month, 1, 31))
            continue
        for day in days_in_month:
            if windows and windows[-1][0] == month and windows[-1][2] == day - 1:
                windows[-1] = (month, windows[-1][1], day)
            else:
                windows.append((month, day, day))
    return windows


def birth_date_bounds(today, age_min=None, age_max=None):
    """Birth dates of the people aged ``age_min`` to ``age_max`` (both included,
    in whole years) on ``today``, as ``(born_after, born_on_or_before)``: either
    is ``None`` when its age is not given.

    Age at least ``n``: born on or before ``today`` minus ``n`` years. Age at most
    ``n``: not yet ``n + 1``, so born after ``today`` minus ``n + 1`` years.
    Someone born on 29 February comes of age on 1 March in a common year.
    """
    born_on_or_before = today - relativedelta(years=age_min) if age_min is not None else None
    born_after = today - relativedelta(years=age_max + 1) if age_max is not None else None
    return born_after, born_on_or_before


def local_day_start_utc(day, tz_name):
    """The UTC naive datetime at which ``day`` begins in time zone ``tz_name``
    (Odoo stores datetimes in naive UTC); an unknown zone counts as UTC."""
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    local_midnight = zone.localize(datetime.combine(day, time.min))
    return local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
