"""An iCalendar (RFC 5545) file of one booking, without the ORM.

Text values are escaped (backslash, semicolon, comma, line breaks) and lines are
folded at 75 octets, never inside a UTF-8 character; lines end with CRLF.
"""

# RFC 5545 3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break."
MAX_LINE_OCTETS = 75


def escape_text(value):
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped,
    every line break as ``\\n``, other control characters dropped."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return "".join(char for char in value if char == "\t" or ord(char) >= 32 and ord(char) != 127)


def fold_line(line):
    """Split a content line into lines of at most 75 octets, continuation lines
    starting with a space (RFC 5545 3.1)."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        limit = MAX_LINE_OCTETS if not parts else MAX_LINE_OCTETS - 1  # the leading space counts
        if size + octets > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def format_utc(naive_utc):
    return naive_utc.strftime("%Y%m%dT%H%M%SZ")


def booking_calendar(uid, start, stop, stamp, summary, description="", location="", cancelled=False):
    """The text of a calendar file with one event; datetimes are naive UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SmartBook//Online Booking//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(start)}",
        f"DTEND:{format_utc(stop)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold_line(line) + "\r\n" for line in lines)
