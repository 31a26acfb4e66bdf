"""Phone numbers of clients: stored in E.164, shown in the national format.

Pure functions over the ``phonenumbers`` library, shared by the client card and
the import so that both accept and refuse exactly the same numbers.
"""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class InvalidPhone(ValueError):
    """``reason`` is one of: ``unparsable``, ``no_country``, ``invalid``."""

    def __init__(self, raw, reason):
        super().__init__(f"{reason}: {raw!r}")
        self.raw = raw
        self.reason = reason


def normalize_phone(raw, default_country=None):
    """Return ``raw`` as an E.164 string (``+34600123456``), or ``None`` when empty.

    ``default_country`` (ISO code such as ``"ES"``) applies to numbers written
    without an international prefix. Raise :class:`InvalidPhone` otherwise.
    """
    text = (raw or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    region = (default_country or "").upper() or None
    if not text.startswith("+") and not region:
        raise InvalidPhone(raw, "no_country")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        raise InvalidPhone(raw, "unparsable") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw, "invalid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone(e164, home_country=None):
    """National format for numbers of ``home_country``, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    if home_country and region == home_country.upper():
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
