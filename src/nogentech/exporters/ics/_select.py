"""The options of the ``ics`` feed read against the data: what is kept, over which window.

``series``, ``sub_cluster`` and ``commission`` choose the series and events (an unknown
id is an :class:`~nogentech.OptionError`); ``start``, ``end`` and ``expand`` give the
window; ``refresh`` is checked to be a positive duration.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...durations import parse_duration
from ...exceptions import OptionError, did_you_mean
from ...meetings import Event, MeetingSeries
from ...recurrence import Window, rule_text, window, zone
from ...rules import basic_date
from ._content import FALLBACK_STAMP

if TYPE_CHECKING:
    from ...cluster import Cluster


def _refresh(text: str) -> dt.timedelta:
    try:
        value = parse_duration(text)
    except ValueError:
        value = dt.timedelta(0)
    if value <= dt.timedelta(0):
        raise OptionError(
            f"option 'refresh': invalid value {text!r} (expected a positive RFC 5545 duration "
            "such as PT12H)"
        )
    return value


def _check_ids(option: str, wanted: Sequence[str], valid: Sequence[str]) -> None:
    unknown = [i for i in wanted if i not in valid]
    if unknown:
        raise OptionError(
            f"option {option!r}: unknown id{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (valid: {', '.join(sorted(valid)) or 'none'})"
            f"{did_you_mean(unknown[0], valid) if len(unknown) == 1 else ''}"
        )


def _linked(item: MeetingSeries | Event, ids: Sequence[str], field: str) -> bool:
    return not ids or bool(set(ids) & {*getattr(item, field), *item.organisers})


def _select(
    cluster: Cluster, options: Mapping[str, Any]
) -> tuple[list[MeetingSeries], list[Event]]:
    only = options.get("series") or ()
    subs = options.get("sub_cluster") or ()
    comms = options.get("commission") or ()
    _check_ids("series", only, [s.id for s in cluster.meeting_series])
    _check_ids("sub_cluster", subs, [s.id for s in cluster.sub_clusters])
    _check_ids("commission", comms, [c.id for c in cluster.commissions])

    def keep(item: MeetingSeries | Event) -> bool:
        return _linked(item, subs, "sub_clusters") and _linked(item, comms, "commissions")

    series = [s for s in cluster.meeting_series if (not only or s.id in only) and keep(s)]
    events = [] if only else [e for e in cluster.events if keep(e)]
    return series, events


def _dates(
    cluster: Cluster, series: Iterable[MeetingSeries], events: Iterable[Event]
) -> set[dt.date]:
    """Every date the selected data mentions (starts, overrides, moves, UNTIL, updates)."""
    out: set[dt.date] = set()
    for s in series:
        out.update((s.first_date, *s.cancelled, *s.extra_dates))
        out.update(d for o in s.overrides for d in (o.date, o.moved_to) if d)
        until = re.search(r"UNTIL=([0-9]{8})", rule_text(s.rule, zone(s.timezone)))
        if until:
            out.add(basic_date(until.group(1)))
    for e in events:
        out.update((e.date, e.end_date or e.date))
    if cluster.updated is not None:
        out.add(cluster.updated.date())
    return out


MAX_EXPANDED_YEARS = 100
"""How many years an expanded feed may span: each occurrence is a VEVENT of its own."""


def _window(
    cluster: Cluster,
    options: Mapping[str, Any],
    series: Sequence[MeetingSeries],
    events: Sequence[Event],
) -> Window | None:
    """The window the options ask for; None when a series feed is not windowed."""
    start: dt.date | None = options.get("start")
    end: dt.date | None = options.get("end")
    if start is not None and end is not None and end <= start:
        raise OptionError(f"option 'end' ({end}) must be after 'start' ({start})")
    if start is None and end is None and not options.get("expand"):
        return None
    firsts = [s.first_date for s in series] + [e.date for e in events]
    lo = start or min(firsts, default=FALLBACK_STAMP.date())
    if end is None and options.get("expand"):
        last = max(_dates(cluster, series, events), default=lo)
        # Any data gives a window it may expand: at most MAX_EXPANDED_YEARS long.
        end = dt.date(min(max(last.year, lo.year) + 2, lo.year + MAX_EXPANDED_YEARS), 1, 1)
    if options.get("expand") and end is not None and end.year - lo.year > MAX_EXPANDED_YEARS:
        raise OptionError(
            f"an expanded feed spans at most {MAX_EXPANDED_YEARS} years "
            f"(asked for {lo} to {end}): give 'start' and 'end' closer together"
        )
    return window(cluster.timezone, lo, end)
