"""Parameters of the public booking routes, checked without the ORM.

Every public route receives whatever a stranger sends: each value is checked
for its type, its length and its range before anything reads the database, and
a wrong one raises :class:`InvalidParam` naming the parameter (the route answers
``invalid_input``). Times travel as ISO 8601 with an offset; the models work in
naive UTC (Odoo style).
"""

import hashlib
import hmac
import re
from datetime import UTC, date, datetime, timedelta

import pytz

# A window of /smartbook/slots and /smartbook/availability: at most this many days.
MAX_WINDOW_DAYS = 62
# Longest text accepted per parameter: a booking form, not a document.
MAX_LENGTHS = {
    "name": 128,
    "phone": 32,
    "email": 254,
    "note": 1000,
    "reason": 500,
    "access_token": 128,
    "tz": 64,
    "honeypot": 256,
}
# Rate limit: attempts counted over this sliding window.
RATE_WINDOW = timedelta(minutes=10)
DEFAULT_RATE_LIMIT = 20
# PostgreSQL integer ids.
MAX_ID = 2**31 - 1

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ISO 8601 date-time with an explicit offset (or Z), seconds optional.
_START_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$")
# Control characters have no place in a name or a note (NUL breaks PostgreSQL).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


class InvalidParam(ValueError):
    """``name`` is the parameter at fault; ``reason`` one of ``missing``,
    ``type``, ``too_long``, ``format``, ``range``."""

    def __init__(self, name, reason):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def parse_id(params, name, required=True):
    """A positive database id (an int, never a bool or a string)."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidParam(name, "missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParam(name, "type")
    if not 0 < value <= MAX_ID:
        raise InvalidParam(name, "range")
    return value


def parse_text(params, name, required=False, max_length=None):
    """A string stripped of surrounding blanks and control characters; ``""``
    when optional and absent."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise InvalidParam(name, "missing")
        return ""
    if not isinstance(value, str):
        raise InvalidParam(name, "type")
    max_length = max_length or MAX_LENGTHS[name]
    if len(value) > max_length:
        raise InvalidParam(name, "too_long")
    value = _CONTROL_RE.sub("", value).strip()
    if required and not value:
        raise InvalidParam(name, "missing")
    return value


def parse_bool(params, name):
    """A JSON boolean; absent or null is False."""
    value = params.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidParam(name, "type")
    return value


def parse_email(params, name="email"):
    value = parse_text(params, name)
    if value and not _EMAIL_RE.match(value):
        raise InvalidParam(name, "format")
    return value.lower()


def parse_date(params, name):
    """A ``YYYY-MM-DD`` string as a :class:`date`."""
    value = params.get(name)
    if value is None:
        raise InvalidParam(name, "missing")
    if not isinstance(value, str):
        raise InvalidParam(name, "type")
    if not _DATE_RE.match(value):
        raise InvalidParam(name, "format")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidParam(name, "format") from error


def parse_tz(params, name="tz", default="UTC"):
    """An IANA time zone name; ``default`` when absent."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise InvalidParam(name, "type")
    if len(value) > MAX_LENGTHS["tz"] or value not in pytz.all_timezones_set:
        raise InvalidParam(name, "format")
    return value


def parse_start(params, name="start"):
    """An ISO 8601 date-time with its offset, as a naive UTC datetime."""
    value = params.get(name)
    if value is None:
        raise InvalidParam(name, "missing")
    if not isinstance(value, str):
        raise InvalidParam(name, "type")
    if len(value) > 40 or not _START_RE.match(value):
        raise InvalidParam(name, "format")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidParam(name, "format") from error
    if moment.tzinfo is None:  # pragma: no cover - the pattern requires an offset
        raise InvalidParam(name, "format")
    return moment.astimezone(UTC).replace(tzinfo=None)


def check_window(date_from, date_to, today, max_days=MAX_WINDOW_DAYS):
    """Refuse a window that ends before it starts, starts before ``today`` (both
    local dates) or spans more than ``max_days``; ``date_to`` is exclusive."""
    if date_to <= date_from:
        raise InvalidParam("date_to", "range")
    if date_from < today:
        raise InvalidParam("date_from", "range")
    if (date_to - date_from).days > max_days:
        raise InvalidParam("date_to", "range")


def local_window_to_utc(date_from, date_to, tz_name):
    """Local midnights of ``date_from`` and ``date_to`` in ``tz_name`` as naive
    UTC datetimes (right on days when the clocks change)."""
    zone = pytz.timezone(tz_name)

    def midnight(day):
        local = zone.localize(datetime(day.year, day.month, day.day))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    return midnight(date_from), midnight(date_to)


def local_today(now_utc, tz_name):
    """Today's date in ``tz_name`` at the naive UTC moment ``now_utc``."""
    return pytz.utc.localize(now_utc).astimezone(pytz.timezone(tz_name)).date()


def to_local_iso(naive_utc, tz_name):
    """A naive UTC datetime as ISO 8601 in ``tz_name``, with its offset."""
    local = pytz.utc.localize(naive_utc).astimezone(pytz.timezone(tz_name))
    return local.isoformat(timespec="seconds")


def local_iso_formatter(tz_name):
    """``to_local_iso`` for many datetimes in one zone: each distinct moment is
    converted once (the specialists' slots share their starts and ends)."""
    zone = pytz.timezone(tz_name)
    done = {}

    def to_iso(naive_utc):
        text = done.get(naive_utc)
        if text is None:
            text = done[naive_utc] = (
                pytz.utc.localize(naive_utc).astimezone(zone).isoformat(timespec="seconds")
            )
        return text

    return to_iso


def compact_days(starts, tz_name):
    """``{"YYYY-MM-DD": ["HH:MM", ...]}`` of distinct local slot starts, from
    naive UTC starts: what a month view needs and nothing more."""
    zone = pytz.timezone(tz_name)
    days = {}
    for start in starts:
        local = pytz.utc.localize(start).astimezone(zone)
        days.setdefault(local.strftime("%Y-%m-%d"), set()).add(local.strftime("%H:%M"))
    return {day: sorted(times) for day, times in sorted(days.items())}


def attempt_key(kind, value, secret):
    """The key an attempt is counted under: a keyed hash of the client's IP or
    phone, so the table holds no personal data in clear."""
    digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


def parse_rate_limit(raw, default=DEFAULT_RATE_LIMIT):
    """The ``smartbook_website.book_rate_limit`` setting: attempts allowed per
    10 minutes, ``0`` (off) when set so; a broken value falls back to ``default``."""
    try:
        limit = int(str(raw).strip()) if raw not in (None, False, "") else default
    except ValueError:
        return default
    return max(limit, 0)


def over_limit(counts, limit):
    """Whether any key already reached ``limit`` attempts (``0``: no limit)."""
    return bool(limit) and any(count >= limit for count in counts.values())
