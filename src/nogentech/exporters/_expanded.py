"""The occurrences of a window, for the formats that write each one: bounded in number.

The data bounds a series (its dates end in 2199, a rule gives one occurrence a day
at most), not how many series a window crosses: a few hundred daily series over
a year, or a few over a century, are a feed of millions of events. Past
:data:`~nogentech.limits.MAX_EXPANDED_MEETINGS` the window is refused, series by
series as it is expanded, before the rest is computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..exceptions import OptionError
from ..limits import MAX_EXPANDED_MEETINGS
from ..meetings import Event, Meeting, MeetingSeries, event_meetings, sort_key
from ..recurrence import Window


def expanded(
    series: Iterable[MeetingSeries], events: Sequence[Event], win: Window
) -> list[Meeting]:
    """Every occurrence of ``series`` and ``events`` in ``win``, cancelled ones included,
    sorted by start then id; :class:`~nogentech.OptionError` past the limit."""
    found: list[Meeting] = []
    for item in series:
        found.extend(item.expand_window(win, include_cancelled=True))
        _check(len(found))
    found.extend(event_meetings(events, win, include_cancelled=True))
    _check(len(found))
    found.sort(key=sort_key)
    return found


def _check(count: int) -> None:
    if count > MAX_EXPANDED_MEETINGS:
        raise OptionError(
            f"the window holds more than {MAX_EXPANDED_MEETINGS:,} meetings, the most one "
            "export or listing writes: give a shorter one (start and end, from and to) "
            "or fewer series"
        )
