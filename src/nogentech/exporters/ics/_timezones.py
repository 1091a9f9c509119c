"""The VTIMEZONE components of the ``ics`` feed, read from the tz database.

A zone's changes are found to the second between two years; a change that follows
one weekday rule for at least :data:`RULE_MIN_YEARS` years up to the last year is
written as an open-ended yearly RRULE, the others are listed with RDATE.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...content_lines import fold_line
from ...recurrence import zone
from ._lines import _local_stamp, _plain_text, _recur, _utc_offset
from ._tzfile import candidates, listed

if TYPE_CHECKING:
    from icalendar import Timezone

UTC = dt.UTC
RULE_MIN_YEARS = 12
"""Years a time-zone change must follow one weekday rule to be written as an RRULE
(in fewer years, a rule such as "the Saturday before the last Sunday" can look like
"the last Saturday")."""

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_State = tuple[dt.timedelta, bool, str]


_STEP = dt.timedelta(hours=12)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_Changes = tuple[_State, tuple[tuple[dt.datetime, _State, _State], ...]]


def _state(tz: dt.tzinfo, moment: dt.datetime) -> _State:
    local = moment.astimezone(tz)
    return (local.utcoffset() or dt.timedelta(0), bool(local.dst()), local.tzname() or "")


def _span(name: str, first_year: int, last_year: int) -> tuple[dt.datetime, dt.datetime]:
    """From 1 January ``first_year`` to the first half-day step past the end of ``last_year``."""
    tz = zone(name)
    start = dt.datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    stop = dt.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    return start, start + -((start - stop) // _STEP) * _STEP


def _transitions(name: str, first_year: int, last_year: int) -> _Changes:
    """The zone's state on 1 January ``first_year`` and each change until ``last_year`` ends.

    A state is (UTC offset, daylight saving, abbreviation); a change is (UTC
    instant, state before, state after), to the second. The zone is asked for its
    state at the instants its file says it may change (:mod:`._tzfile`), or probed
    every half day when the file cannot be read.
    """
    start, stop = _span(name, first_year, last_year)
    found = candidates(name, int(start.timestamp()) + 1, int(stop.timestamp()))
    if found is None:
        return _probed(name, first_year, last_year)
    tz = zone(name)
    initial = current = _state(tz, start)
    changes = []
    for seconds in found:
        moment = _EPOCH + dt.timedelta(seconds=seconds)
        after = _state(tz, moment)
        if after != current:
            changes.append((moment, current, after))
            current = after
    return initial, tuple(changes)


@functools.cache
def last_year_needed(name: str) -> int:
    """The last year a VTIMEZONE of ``name`` must describe, whatever the data's dates.

    A change that follows one weekday rule up to the VTIMEZONE's last year is
    written as an open-ended RRULE, which a client applies for ever: the years
    described must therefore reach past the zone's last change of rules, or a
    zone that stopped daylight saving (Mexico City in 2022, São Paulo in 2019)
    would keep it in the feed. That is :data:`RULE_MIN_YEARS` after the last
    change its file lists one by one (later ones follow the file's closing rule,
    which the RRULE then is). 0 when the file cannot be read.
    """
    moments = listed(name)
    if not moments:
        return 0
    tz = zone(name)
    second = dt.timedelta(seconds=1)
    for seconds in reversed(moments):
        moment = _EPOCH + dt.timedelta(seconds=seconds)
        if _state(tz, moment) != _state(tz, moment - second):
            return moment.year + RULE_MIN_YEARS
    return 0


def _probed(name: str, first_year: int, last_year: int) -> _Changes:
    """:func:`_transitions` found by asking the zone's state every half day."""
    tz = zone(name)

    def state(moment: dt.datetime) -> _State:
        return _state(tz, moment)

    moment = dt.datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    stop = dt.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    step = _STEP
    initial = current = state(moment)
    changes = []
    while moment < stop:
        after = state(moment + step)
        if after != current:
            lo, hi = moment, moment + step
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + dt.timedelta(seconds=int((hi - lo).total_seconds()) // 2)
                lo, hi = (mid, hi) if state(mid) == current else (lo, mid)
            changes.append((hi, current, after))
        moment, current = moment + step, after
    return initial, tuple(changes)


def _yearly_rule(onsets: Sequence[dt.datetime], last_year: int) -> dict[str, Any] | None:
    """A yearly RRULE that gives exactly ``onsets`` and still holds in ``last_year``."""
    first = onsets[0]
    if len(onsets) < RULE_MIN_YEARS or onsets[-1].year != last_year:
        return None
    shape = (first.month, first.weekday(), first.time())
    for i, onset in enumerate(onsets):
        if (onset.month, onset.weekday(), onset.time()) != shape or onset.year != first.year + i:
            return None
    if all((d + dt.timedelta(days=7)).month != d.month for d in onsets):
        position = -1
    elif len({(d.day - 1) // 7 for d in onsets}) == 1:
        position = (first.day - 1) // 7 + 1
    else:
        return None
    return {
        "FREQ": "YEARLY",
        "BYMONTH": first.month,
        "BYDAY": f"{position}{_DAYS[first.weekday()]}",
    }


def _daylight(before: _State, after: _State) -> bool:
    """Whether a change starts a DAYLIGHT observance: the higher offset of a daylight
    saving pair, so that negative DST (Europe/Dublin's winter) reads as usual."""
    if after[0] == before[0]:
        return after[1]
    if before[1] or after[1]:
        return after[0] > before[0]
    return False  # a change of standard time


_Key = tuple[bool, dt.timedelta, dt.timedelta, str]
_Part = tuple[tuple[dt.datetime, ...], _Key, tuple[tuple[str, Any], ...] | None]


@functools.lru_cache(maxsize=1024)
def _observances(name: str, first_year: int, last_year: int) -> tuple[_Part, ...]:
    """The observances of the VTIMEZONE of ``name`` (see :func:`_vtimezone`), in order.

    Each is (onsets in local time, (daylight, offset from, offset to, abbreviation),
    the yearly RRULE parts or None).
    """
    initial, changes = _transitions(name, first_year - 1, last_year)
    groups: dict[_Key, list[dt.datetime]] = {}
    if not changes or changes[0][0] >= dt.datetime(first_year, 1, 1, tzinfo=zone(name)):
        key = (initial[1], initial[0], initial[0], initial[2])
        groups[key] = [dt.datetime(first_year - 1, 1, 1)]
    for moment, before, after in changes:
        key = (_daylight(before, after), before[0], after[0], after[2])
        groups.setdefault(key, []).append((moment + before[0]).replace(tzinfo=None))
    parts: list[_Part] = []
    for key, onsets in groups.items():
        head = onsets
        for k in range(len(onsets) - 1):
            rule = _yearly_rule(onsets[k:], last_year)
            if rule is not None:
                head = onsets[:k]
                parts.append((tuple(onsets[k:]), key, tuple(rule.items())))
                break
        if head:
            parts.append((tuple(head), key, None))
    return tuple(sorted(parts, key=lambda part: part[0][0]))


def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE of ``name``, right from 1 January ``first_year`` on (see the module doc).

    Onsets that a yearly rule gives up to ``last_year`` share one observance with an
    RRULE; the others are listed in RDATE, DTSTART included, since some parsers read
    only the RDATE of an observance without RRULE (RFC 5545 counts a repeat once).
    A new component each time (a plugin may change it); its observances are cached.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    component = Timezone()
    component.add("tzid", name)
    for onsets, (daylight, offset_from, offset_to, abbreviation), rule in _observances(
        name, first_year, last_year
    ):
        part = TimezoneDaylight() if daylight else TimezoneStandard()
        part.add("dtstart", onsets[0])
        if rule is not None:
            part.add("rrule", dict(rule))
        else:
            part.add("rdate", list(onsets))
        part.add("tzoffsetfrom", offset_from)
        part.add("tzoffsetto", offset_to)
        part.add("tzname", abbreviation)
        component.add_component(part)
    return component


@functools.lru_cache(maxsize=1024)
def _vtimezone_text(name: str, first_year: int, last_year: int) -> str:
    """The content lines of :func:`_vtimezone`, as icalendar writes them, without a line end."""
    lines = ["BEGIN:VTIMEZONE", fold_line("TZID:" + _plain_text(name))]
    for onsets, (daylight, offset_from, offset_to, abbreviation), rule in _observances(
        name, first_year, last_year
    ):
        kind = "DAYLIGHT" if daylight else "STANDARD"
        lines += [f"BEGIN:{kind}", "DTSTART:" + _local_stamp(onsets[0])]
        if rule is not None:
            lines.append(fold_line("RRULE:" + _recur(dict(rule))))
        else:
            lines.append(fold_line("RDATE:" + ",".join(_local_stamp(o) for o in onsets)))
        lines += [
            fold_line("TZNAME:" + _plain_text(abbreviation)),
            "TZOFFSETFROM:" + _utc_offset(offset_from),
            "TZOFFSETTO:" + _utc_offset(offset_to),
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return "\r\n".join(lines)
