"""Reminder offsets of a service (no ORM).

A service says when its clients are reminded as hours before the visit, written
``"24, 2"``; the database keeps the normal form ``"24,2"`` (largest first), which
the enqueue query splits in SQL. A reminder is identified in the outbox by its
offset in minutes, so ``1.5`` hours is fine.
"""

import re

# At most a month ahead: a reminder further out is not a reminder.
MAX_REMINDER_HOURS = 24 * 31
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def parse_reminder_hours(text):
    """The offsets of ``text`` in minutes, largest first, without repeats.

    Raises ``ValueError`` on anything but positive numbers of hours up to
    :data:`MAX_REMINDER_HOURS` separated by commas (or semicolons, spaces)."""
    minutes = set()
    for part in re.split(r"[,;\s]+", (text or "").strip()):
        if not part:
            continue
        if not _NUMBER.match(part):
            raise ValueError(part)
        hours = float(part)
        if not 0 < hours <= MAX_REMINDER_HOURS:
            raise ValueError(part)
        minutes.add(round(hours * 60))
    return sorted(minutes, reverse=True)


def format_reminder_hours(minutes):
    """The normal form of offsets given in minutes: ``"24,2"``, ``"1.5"``."""
    return ",".join(f"{value / 60:g}" for value in sorted(set(minutes), reverse=True))
