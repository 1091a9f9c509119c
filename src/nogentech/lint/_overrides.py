"""The check of ``nogentech lint`` that each RECURRENCE-ID names an occurrence of its series.

The occurrences are DTSTART, the RRULEs (read with dateutil) and the RDATEs of the
master component, less its EXDATEs. A rule is never expanded from DTSTART up to the
RECURRENCE-ID, which may lie billions of occurrences later: only the period of the
rule that holds it is, and COUNT is counted within
:data:`~nogentech.limits.MAX_LINT_STEPS`. What cannot be told (an unknown zone, a
rule dateutil cannot read, a COUNT past the limit) is not reported; ``docs/lint.md``
says how an override is judged.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from ..limits import MAX_LINT_STEPS
from ._events import ITEMS
from ._parse import Component, Line, moment
from ._text import Found

if TYPE_CHECKING:
    from dateutil.rrule import rrule

Frequency = Literal[0, 1, 2, 3, 4, 5, 6]
YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY, SECONDLY = range(7)
"""The frequencies, numbered as dateutil numbers them."""
_TIMES = ("byhour", "byminute", "bysecond")
"""The parts of a rule that choose the times of a day, from the coarsest."""
_PERIOD_DAYS = {YEARLY: 366, MONTHLY: 31, WEEKLY: 7}
"""The most days in a period of a rule; a period of the other frequencies is one day or less."""
_PAST_THE_END = {YEARLY: 10_000, MONTHLY: 120_000, WEEKLY: 530_000}
"""An INTERVAL that takes a copy of a rule past year 9999 in one step, where dateutil stops."""
_CYCLE_YEARS = 400
"""The Gregorian calendar repeats every 400 years: weekdays, leap years, week numbers."""
_WEEK_YEAR = 9998
"""The year a week is moved towards, by whole cycles, before its copy is expanded: a
weekly copy walks month by month to the end of year 9999 after its one week, and
no day of a week that starts in 9998 or before lies past it."""


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(0))


def _values(line: Line) -> list[dt.datetime]:
    found = (moment(v, line.param("TZID")) for v in line.value.split(","))
    return [_as_datetime(v) for v in found if v is not None]


def _rule(text: str, start: dt.datetime) -> rrule | None:
    from dateutil.rrule import rrule, rrulestr

    texts = [text]
    if start.tzinfo is None:  # a floating series with a UTC UNTIL: read it as local
        texts.append(text.replace("Z", ""))
    for candidate in texts:
        try:
            parsed = rrulestr(candidate, dtstart=start)
        except ValueError:
            continue
        return parsed if isinstance(parsed, rrule) else None
    return None


def _moved(when: dt.datetime, years: int) -> dt.datetime:
    """``when``, a whole number of 400-year cycles away: the same day of the calendar."""
    return when.replace(year=when.year + years) if years else when


def _period_index(freq: int, start: dt.datetime, wall: dt.datetime, wkst: int) -> int:
    """How many periods of ``freq`` (years, months, weeks from ``wkst``, days, hours,
    minutes or seconds) the one that holds ``wall`` comes after the one of ``start``."""
    if freq == YEARLY:
        return wall.year - start.year
    if freq == MONTHLY:
        return (wall.year - start.year) * 12 + wall.month - start.month
    days = (wall.date() - start.date()).days
    if freq == WEEKLY:
        return (days - (wall.weekday() - wkst) % 7 + (start.weekday() - wkst) % 7) // 7
    if freq == DAILY:
        return days
    hours = days * 24 + wall.hour - start.hour
    if freq == HOURLY:
        return hours
    minutes = hours * 60 + wall.minute - start.minute
    if freq == MINUTELY:
        return minutes
    return minutes * 60 + wall.second - start.second


class _Rule:
    """One RRULE of a series, as dateutil read it with the series' DTSTART.

    Whether the rule gives an instant depends only on the period that holds it (its
    year, month, week or day, as the rule steps) and on whether INTERVAL steps onto
    that period: the period is found by arithmetic and expanded alone, by a copy of
    the rule that starts there and whose INTERVAL takes dateutil past year 9999,
    where it stops, at its first step. Only COUNT needs the periods before.
    """

    def __init__(self, rule: rrule) -> None:
        from dateutil.rrule import weekday

        # dateutil keeps the parts it read, completed from DTSTART where the rule
        # leaves them out (the day of a monthly rule, the time of a daily one), in
        # these attributes; its own ``replace`` reads them too.
        state = vars(rule)
        start: dt.datetime = state["_dtstart"]
        self.rule = rule
        self.zone = start.tzinfo
        self.start = start.replace(tzinfo=None)
        self.freq: Frequency = state["_freq"]
        self.interval: int = state["_interval"]
        self.count: int | None = state["_count"]
        self.until: dt.datetime | None = state["_until"]
        self.wkst: int = state["_wkst"]
        days = [
            *(state["_byweekday"] or ()),
            *(weekday(d, n) for d, n in state["_bynweekday"] or ()),
        ]
        self.parts: dict[str, Any] = {
            "wkst": self.wkst,
            "bysetpos": state["_bysetpos"],
            "bymonth": state["_bymonth"],
            "bymonthday": (*state["_bymonthday"], *state["_bynmonthday"]) or None,
            "byyearday": state["_byyearday"],
            "byeaster": state["_byeaster"],
            "byweekno": state["_byweekno"],
            "byweekday": days or None,
            "byhour": state["_byhour"],
            "byminute": state["_byminute"],
            "bysecond": state["_bysecond"],
        }

    def gives(self, wanted: dt.datetime) -> bool | None:
        """Whether the rule gives the instant (or floating time) ``wanted``; None when
        that cannot be told within the limit."""
        if self.interval < 1:
            return None  # RFC 5545 wants a positive INTERVAL; dateutil would loop on 0
        if self.until is not None and wanted > self.until:
            return False
        walls = self._walls(wanted)
        if walls is None:
            return None
        answers = {self._gives_wall(wall) for wall in walls}
        return True if True in answers else None if None in answers else False

    def _walls(self, wanted: dt.datetime) -> set[dt.datetime] | None:
        """The wall-clock times of the series' zone that stand for the instant ``wanted``:
        its own, and a time the clocks skip, which is read with the offset before the
        change (02:30 on the night clocks go from 02:00 to 03:00 is 03:30). The second
        of two equal wall-clock times stands for none: a rule gives only the first.
        None when ``wanted`` is past year 9999 in UTC."""
        zone = self.zone
        if zone is None:
            return {wanted}
        # Compared in UTC: == between two zones is never true for a time the clocks
        # skip or repeat.
        try:
            instant = wanted.astimezone(dt.UTC)
        except OverflowError:
            return None
        walls: set[dt.datetime] = set()
        for days in (-1, 0, 1):
            try:
                offset = (wanted + dt.timedelta(days=days)).astimezone(zone).utcoffset()
                wall = (instant + (offset or dt.timedelta(0))).replace(tzinfo=None)
                if wall.replace(tzinfo=zone).astimezone(dt.UTC) == instant:
                    walls.add(wall)
            except OverflowError:
                continue  # a day before year 1 or after 9999
        return walls

    def _gives_wall(self, wall: dt.datetime) -> bool | None:
        if wall < self.start:
            return False  # dateutil compares wall-clock times in the series' zone
        index = _period_index(self.freq, self.start, wall, self.wkst)
        if index % self.interval:
            return False
        found = self._in_period(wall, first=index == 0)
        if not found or self.count is None:
            return found
        return self._counted(wall, index // self.interval + 1)

    def _in_period(self, wall: dt.datetime, *, first: bool) -> bool | None:
        """Whether the period of the rule that holds ``wall`` gives it (COUNT and UNTIL aside)."""
        from dateutil.rrule import MONTHLY as MONTHLY_COPY
        from dateutil.rrule import rrule

        parts = dict(self.parts)
        # Without BYSETPOS a period gives a time of day only if the rule lists it:
        # the copy keeps that one time. With BYSETPOS the rule's own positions need
        # every time of the period, which for a rule more frequent than daily is one
        # hour, minute or second.
        fixed = len(_TIMES) if parts["bysetpos"] is None else max(0, self.freq - DAILY)
        times = (wall.hour, wall.minute, wall.second)
        for name, value in zip(_TIMES[:fixed], times[:fixed], strict=True):
            if parts[name] is not None and value not in parts[name]:
                return False
            parts[name] = (value,)
        freq: Frequency = self.freq
        if freq >= DAILY:
            # One day, or a part of it: a monthly copy that keeps only that day, since
            # a daily or finer rule filters days the way a monthly one does.
            monthdays = parts["bymonthday"]
            length = monthrange(wall.year, wall.month)[1]
            if monthdays is not None and not {wall.day, wall.day - length - 1} & set(monthdays):
                return False
            freq, parts["bymonthday"] = MONTHLY_COPY, (wall.day,)
            begin = dt.datetime(wall.year, wall.month, 1)
        elif freq == YEARLY:
            begin = dt.datetime(wall.year, 1, 1)
        elif freq == MONTHLY:
            begin = dt.datetime(wall.year, wall.month, 1)
        else:
            days = (wall.weekday() - self.wkst) % 7
            begin = dt.datetime.combine(wall.date() - dt.timedelta(days=days), dt.time(0))
        if first:
            begin = self.start  # the first period gives nothing before DTSTART
        shift = 0
        if freq == WEEKLY and parts["byeaster"] is None:  # Easter does not repeat every 400 years
            shift = (_WEEK_YEAR - wall.year) // _CYCLE_YEARS * _CYCLE_YEARS
        try:
            copy = rrule(freq, dtstart=_moved(begin, shift), interval=_PAST_THE_END[freq], **parts)
            return _moved(wall, shift) in copy
        except (ValueError, OverflowError, IndexError):
            return None  # a date past year 9999, or an Easter offset off the year

    def _counted(self, wall: dt.datetime, periods: int) -> bool | None:
        """Whether ``wall``, which the rule gives in its ``periods``-th period, is one of
        the first COUNT occurrences."""
        count = self.count or 0
        parts = self.parts
        if parts["bysetpos"] is not None:
            most = len(parts["bysetpos"])
        else:
            most = _PERIOD_DAYS.get(self.freq, 1)
            for level, name in enumerate(_TIMES, HOURLY):
                if level > self.freq:
                    most *= len(parts[name])
        if periods * most <= count:
            return True  # too few occurrences come before it to reach COUNT
        if periods * _PERIOD_DAYS.get(self.freq, 1) > MAX_LINT_STEPS:
            return None
        try:
            # The walk stops at ``wall`` at the latest, which the rule gives: it goes
            # through at most ``periods`` periods.
            for number, occurrence in enumerate(self.rule, 1):
                seen = occurrence.replace(tzinfo=None)
                if seen >= wall:
                    return seen == wall
                if number >= MAX_LINT_STEPS:
                    return None
        except (ValueError, OverflowError, IndexError):
            return None
        return False


class _Series:
    """The occurrences of a master component: DTSTART, RRULEs and RDATEs, less EXDATEs."""

    def __init__(self, master: Component) -> None:
        line = master.first("DTSTART")
        start = moment(line.value, line.param("TZID")) if line else None
        self.first = _as_datetime(start) if start is not None else None
        self.excluded = [d for line in master.all("EXDATE") for d in _values(line)]
        self.added = [d for line in master.all("RDATE") for d in _values(line)]
        self.rules: list[_Rule | None] = []
        if self.first is not None:
            for rule_line in master.all("RRULE"):
                rule = _rule(f"RRULE:{rule_line.value}", self.first)
                self.rules.append(_Rule(rule) if rule is not None else None)

    def has(self, wanted: dt.datetime) -> bool | None:
        """Whether ``wanted`` is an occurrence; None when it cannot be told."""
        first = self.first
        if first is None or (first.tzinfo is None) != (wanted.tzinfo is None):
            return None
        same_kind = (d for d in self.excluded if (d.tzinfo is None) == (wanted.tzinfo is None))
        if any(wanted == d for d in same_kind):
            return False
        if wanted == first or any(wanted == d for d in self.added):
            return True
        unknown = False
        for rule in self.rules:
            found = rule.gives(wanted) if rule is not None else None
            if found:
                return True
            unknown = unknown or found is None
        return None if unknown else False


def overrides(calendar: Component) -> Iterator[Found]:
    """Overrides whose RECURRENCE-ID is not an occurrence, or whose series is missing."""
    masters: dict[str, Component] = {}
    for item in calendar.children:
        uid = item.first("UID")
        if item.name in ITEMS and uid is not None and item.first("RECURRENCE-ID") is None:
            masters.setdefault(uid.value, item)
    series: dict[str, _Series] = {}
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
        if uid.value not in series:
            series[uid.value] = _Series(master)
        if series[uid.value].has(_as_datetime(value)) is False:
            message = (
                f"RECURRENCE-ID:{line.value} is not an occurrence of the series on "
                f"line {master.number}"
            )
            yield "override-without-instance", line.number, message
