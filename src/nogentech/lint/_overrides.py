"""The check of ``nogentech lint`` that each RECURRENCE-ID names an occurrence of its series.

The occurrences are DTSTART, the RRULEs (expanded with dateutil) and the RDATEs of
the master component, less its EXDATEs. An override is compared with them as an
instant when both are in a known zone or in UTC, as a wall-clock time when both
float; when that cannot be decided (a zone this machine does not know), nothing is
reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ._events import ITEMS
from ._parse import Component, Line, moment
from ._text import Found

_SECOND = dt.timedelta(seconds=1)


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(0))


def _values(line: Line) -> list[dt.datetime]:
    found = (moment(v, line.param("TZID")) for v in line.value.split(","))
    return [_as_datetime(v) for v in found if v is not None]


def _rule(text: str, start: dt.datetime) -> object | None:
    from dateutil.rrule import rrulestr

    try:
        return rrulestr(text, dtstart=start)
    except ValueError:
        pass
    if start.tzinfo is None:  # a floating series with a UTC UNTIL: read it as local
        try:
            return rrulestr(text.replace("Z", ""), dtstart=start)
        except ValueError:
            return None
    return None


def _is_occurrence(master: Component, wanted: dt.datetime) -> bool | None:
    """Whether ``wanted`` is an occurrence of ``master``; None when it cannot be told."""
    start_line = master.first("DTSTART")
    start = moment(start_line.value, start_line.param("TZID")) if start_line else None
    if start is None:
        return None
    first = _as_datetime(start)
    if (first.tzinfo is None) != (wanted.tzinfo is None):
        return None
    excluded = [d for line in master.all("EXDATE") for d in _values(line)]
    if any(wanted == d for d in excluded if (d.tzinfo is None) == (wanted.tzinfo is None)):
        return False
    if wanted == first or any(wanted == d for line in master.all("RDATE") for d in _values(line)):
        return True
    for line in master.all("RRULE"):
        rule = _rule(f"RRULE:{line.value}", first)
        if rule is None:
            return None
        if rule.between(wanted - _SECOND, wanted + _SECOND, inc=True):  # type: ignore[attr-defined]
            return True
    return False


def overrides(calendar: Component) -> Iterator[Found]:
    """Overrides whose RECURRENCE-ID is not an occurrence, or whose series is missing."""
    masters: dict[str, Component] = {}
    for item in calendar.children:
        uid = item.first("UID")
        if item.name in ITEMS and uid is not None and item.first("RECURRENCE-ID") is None:
            masters.setdefault(uid.value, item)
    for item in calendar.children:
        line = item.first("RECURRENCE-ID")
        uid = item.first("UID")
        if item.name not in ITEMS or line is None or uid is None:
            continue
        master = masters.get(uid.value)
        if master is None:
            yield "override-without-instance", line.number, f"no series has the UID {uid.value}"
            continue
        value = moment(line.value, line.param("TZID"))
        if value is None:
            continue
        if _is_occurrence(master, _as_datetime(value)) is False:
            message = (
                f"RECURRENCE-ID:{line.value} is not an occurrence of the series on "
                f"line {master.number}"
            )
            yield "override-without-instance", line.number, message
