"""A campaign's holdout group and its uplift (no ORM).

Part of a campaign's audience is held out (sent nothing) so that its bookings
show what the recipients would have done anyway; the uplift is the difference
per client."""

import hashlib


def in_holdout(campaign_id, partner_id, percent):
    """Whether a client is in a campaign's holdout group.

    Deterministic (the same campaign and client always land on the same side) and
    independent between campaigns: a hash of both ids gives the client a place in
    0..9999 and the first ``percent`` hundredths of that range are held out."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"smartbook-holdout:{campaign_id}:{partner_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10000 < round(percent * 100)


def uplift(recipients, holdout):
    """Per-client figures of two groups and the difference.

    ``recipients`` and ``holdout`` are ``(clients, bookings, revenue)``; returns
    ``{"recipients": (bookings per client, revenue per client), "holdout": (...),
    "bookings": absolute uplift, "revenue": absolute uplift}``. A group without
    clients has no per-client figure (0) and no uplift can be read against it."""

    def per_client(group):
        clients, bookings, revenue = group
        return (bookings / clients, revenue / clients) if clients else (0.0, 0.0)

    sent, held = per_client(recipients), per_client(holdout)
    comparable = bool(recipients[0] and holdout[0])
    return {
        "recipients": sent,
        "holdout": held,
        "bookings": sent[0] - held[0] if comparable else 0.0,
        "revenue": sent[1] - held[1] if comparable else 0.0,
    }
