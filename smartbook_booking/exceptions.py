"""A refusal of SmartBook's booking rules that carries a stable code.

The website answers it as a JSON-RPC error whose ``data.code`` is :attr:`code`
(the codes of the public HTTP contract: ``slot_taken``, ``outside_hours``,
``too_late``, ``blacklisted``, ``invalid_phone``, ``invalid_input``,
``not_found``, ``service_unavailable``, ``rate_limited``); the back office shows
it as any validation error.
"""

from odoo.exceptions import ValidationError

REFUSAL_CODES = (
    "slot_taken",
    "outside_hours",
    "too_late",
    "blacklisted",
    "invalid_phone",
    "invalid_input",
    "not_found",
    "service_unavailable",
    "rate_limited",
)


class BookingRefused(ValidationError):
    """A booking rule said no; ``code`` is one of :data:`REFUSAL_CODES`."""

    def __init__(self, message, code):
        assert code in REFUSAL_CODES, code
        super().__init__(message)
        self.code = code
