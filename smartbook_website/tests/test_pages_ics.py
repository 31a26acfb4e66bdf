"""The calendar file builder (tools/ics.py), without a database."""

from datetime import datetime

from odoo.addons.smartbook_website.tools.ics import booking_calendar, escape_text, fold_line


def test_escape_text():
    assert escape_text("a,b;c\\d") == "a\\,b\\;c\\\\d"
    assert escape_text("one\r\ntwo\nthree\rfour") == "one\\ntwo\\nthree\\nfour"
    assert escape_text("bell\x07 and\x00 nul") == "bell and nul"
    assert escape_text(None) == ""


def test_fold_line_counts_octets_and_never_splits_a_character():
    line = "DESCRIPTION:" + "é" * 100
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if index else part for index, part in enumerate(parts)) == line
    assert fold_line("SHORT:x") == "SHORT:x"


def test_booking_calendar():
    body = booking_calendar(
        uid="smartbook-booking-7@example.com",
        start=datetime(2027, 3, 29, 8, 0),
        stop=datetime(2027, 3, 29, 9, 0),
        stamp=datetime(2027, 3, 1, 12, 30, 5),
        summary="Cut, wash; dry",
        description="Line one\nLine two",
        location="Salon, Main Street 1",
    )
    assert body.endswith("\r\n")
    lines = body.split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "DTSTART:20270329T080000Z" in lines
    assert "DTEND:20270329T090000Z" in lines
    assert "DTSTAMP:20270301T123005Z" in lines
    assert "SUMMARY:Cut\\, wash\\; dry" in lines
    assert "DESCRIPTION:Line one\\nLine two" in lines
    assert "LOCATION:Salon\\, Main Street 1" in lines
    assert "STATUS:CONFIRMED" in lines
    cancelled = booking_calendar(
        "u", datetime(2027, 1, 1), datetime(2027, 1, 1, 1), datetime(2027, 1, 1), "x", cancelled=True
    )
    assert "STATUS:CANCELLED" in cancelled
    assert "DESCRIPTION" not in cancelled and "LOCATION" not in cancelled
