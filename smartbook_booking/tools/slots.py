"""The slot engine's pure core: where can a service start? (no ORM here)

Times are datetimes with ``timedelta`` durations, or plain numbers (e.g. epoch
seconds, which the model layer uses for speed); callers pass UTC so that DST days need nothing
special: a working interval given in local time and converted to UTC keeps its
true length, and slot steps are counted in real minutes from its start.

Rules, for one employee:
- a slot starts on ``interval start + k * step`` of a working interval (the
  calendar's attendance, leaves NOT removed: leaves are passed as busy time, so
  that a half-day off does not shift the grid of the rest of the day);
- the service and both buffers fit inside that working interval:
  ``[start - buffer_before, start + duration + buffer_after)``;
- that span overlaps no busy interval (existing bookings with their own
  buffers, group sessions, leaves);
- ``start >= earliest`` (now + minimum notice) and ``start < latest`` (horizon).
"""

import bisect


def merge_intervals(intervals):
    """Sort and merge overlapping or touching ``(start, end)`` pairs; drop empty ones."""
    merged = []
    for start, end in sorted(interval for interval in intervals if interval[0] < interval[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def slot_starts(
    work_intervals,
    busy_intervals,
    duration,
    step,
    buffer_before=None,
    buffer_after=None,
    earliest=None,
    latest=None,
):
    """Return the sorted list of possible slot starts.

    ``duration``, ``step`` and the buffers are ``timedelta`` (or numbers, with
    numeric times); ``step`` must be positive. Work intervals that touch (an
    overnight shift split at midnight) count as one interval.
    """
    zero = step - step
    buffer_before = zero if buffer_before is None else buffer_before
    buffer_after = zero if buffer_after is None else buffer_after
    if step <= zero:
        raise ValueError("the slot step must be positive")
    if duration <= zero:
        raise ValueError("the duration must be positive")
    busy = merge_intervals(busy_intervals)
    busy_ends = [end for _start, end in busy]
    span_before, span_after = buffer_before, duration + buffer_after
    starts = []
    for work_start, work_end in merge_intervals(work_intervals):
        # First candidate whose leading buffer fits in the interval, and not before `earliest`.
        k = _first_step_at_or_after(work_start, work_start + span_before, step)
        if earliest is not None:
            k = max(k, _first_step_at_or_after(work_start, earliest, step))
        last_start = work_end - span_after
        start = work_start + k * step
        while start <= last_start and (latest is None or start < latest):
            occupied_start, occupied_end = start - span_before, start + span_after
            # The first busy interval that ends after the span starts.
            index = bisect.bisect_right(busy_ends, occupied_start)
            if index < len(busy) and busy[index][0] < occupied_end:
                # Overlap: jump to the first step whose span starts after that busy time.
                k = _first_step_at_or_after(work_start, busy[index][1] + span_before, step)
            else:
                starts.append(start)
                k += 1
            start = work_start + k * step
    return starts


def _first_step_at_or_after(origin, moment, step):
    """Smallest k >= 0 with origin + k * step >= moment."""
    if moment <= origin:
        return 0
    return -((origin - moment) // step)
