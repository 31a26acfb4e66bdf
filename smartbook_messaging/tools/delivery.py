"""What a channel reports back for each message it tried to deliver (no ORM).

``smartbook.message._smartbook_deliver_<channel>()`` returns ``{message_id:
DeliveryResult}``; the outbox applies it:

- ``sent``: the provider took it (``ref`` is its id: Telegram message id, Twilio SID);
- ``retry``: a temporary failure (timeout, 5xx, 429); ``retry_after`` in seconds when
  the provider said how long to wait, else the outbox's exponential backoff;
- ``failed``: the provider refused it for good (``error`` says why);
- ``opt_out``: the recipient withdrew (Telegram bot blocked, SMS STOP / Twilio 21610):
  failed, and the client's consent for the channel is withdrawn.
"""

from typing import NamedTuple

DELIVERY_STATUSES = ("sent", "retry", "failed", "opt_out")


class DeliveryResult(NamedTuple):
    status: str
    ref: str | None = None
    error: str | None = None
    retry_after: float | None = None
