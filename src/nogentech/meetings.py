"""Recurring meeting series and one-off events, and the occurrences they give.

The rule and zone arithmetic on plain values is :mod:`nogentech.recurrence`; this
module applies it to a series: cancelled, extra and moved dates, the programme of
each date, public holidays. See ``docs/meetings.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

import attrs

from .exceptions import DataError, OptionError, Problem
from .limits import LATEST_DATE, MAX_DURATION, MAX_EXPANDED_MEETINGS, MAX_SEQUENCE
from .recurrence import (
    UTC,
    Window,
    build_rule,
    check_country,
    check_day,
    check_days,
    check_moment,
    check_rule,
    check_timezone,
    holiday_names,
    local,
    rule_text,
    window,
    zone,
)
from .rules import KEPT_RULES, WEEKDAYS, days_in_month, parse_rule, set_positions, utc_until
from .text import PartialDate, Text, ref, refs, slug

__all__ = [
    "Event",
    "Meeting",
    "MeetingSeries",
    "Override",
    "event_meetings",
    "expand",
    "holiday_name",
    "sort_key",
]


_NO_TIME = dt.timedelta(0)


def _positive(_inst: Any, attribute: attrs.Attribute[Any], value: dt.timedelta | None) -> None:
    """A duration of whole seconds, more than zero and at most :data:`MAX_DURATION`."""
    if value is None or (
        type(value) is dt.timedelta and _NO_TIME < value <= MAX_DURATION and not value.microseconds
    ):
        return
    if value <= _NO_TIME:
        raise ValueError(f"'{attribute.name}' must be a positive duration (got {value})")
    if value % dt.timedelta(seconds=1):
        raise ValueError(f"'{attribute.name}' must be whole seconds (got {value})")
    if value > MAX_DURATION:
        raise ValueError(
            f"'{attribute.name}' must be at most {MAX_DURATION.days} days (got {value})"
        )


def _clock(_inst: Any, attribute: attrs.Attribute[Any], value: dt.time | None) -> None:
    """A local time of day to the second, as a data file writes it."""
    if value is not None and (
        not isinstance(value, dt.time) or value.tzinfo is not None or value.microsecond
    ):
        raise ValueError(f"'{attribute.name}' must be a local time HH:MM[:SS] (got {value!r})")


_sequence = attrs.validators.and_(attrs.validators.ge(0), attrs.validators.le(MAX_SEQUENCE))


def _rule(inst: MeetingSeries, attribute: attrs.Attribute[Any], value: object) -> None:
    try:
        check_timezone(inst, attrs.fields(MeetingSeries).timezone, inst.timezone)
    except (ValueError, TypeError):
        return  # the rule cannot be anchored; the timezone's own validator reports why
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{attribute.name}' must be an RRULE such as 'FREQ=MONTHLY;BYDAY=2TH'")
    try:
        check_rule(inst.rule, inst.first_date, inst.start_time, inst.timezone, owner=inst)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"invalid recurrence rule {value!r}: {exc}") from exc


class _OffRuleDatesError(DataError, ValueError):
    """Override or cancelled dates of a series that are not occurrences of it.

    A ``ValueError`` like the model's other checks, and a
    :class:`~nogentech.DataError` whose problems give each date's path inside the
    series (``overrides[1].date``, ``cancelled[0]``), so that loading a file
    reports them under the series' own path.
    """


@attrs.frozen
class Override:
    """What differs on one date of a series: programme, venue, time, or a cancellation.

    ``date`` is the date the rule gives (the occurrence's RECURRENCE-ID). A moved
    occurrence gives ``moved_to`` and/or ``start_time``. ``sequence`` is the
    revision number of this occurrence: raise it whenever the occurrence changes
    so calendar clients update in place; ``updated`` is when it last changed.
    """

    date: dt.date = attrs.field(validator=check_day)
    """The date the rule gives for the occurrence (its RECURRENCE-ID), even when it is moved."""
    topic: Text | None = None
    """The programme of the meeting; None while not announced."""
    description: Text | None = None
    """A description for this date, instead of the series'."""
    speakers: tuple[str, ...] = refs("people", "companies")
    """Ids of the speakers: people or organisations."""
    testimonies: tuple[str, ...] = refs("people", "companies")
    """Ids of the people or organisations that bring a testimony."""
    venue: str | None = ref("places")
    """Id of the place where this occurrence is held, instead of the series' venue."""
    moved_to: dt.date | None = attrs.field(default=None, validator=check_day)
    """The date the occurrence is moved to, if it is."""
    start_time: dt.time | None = attrs.field(default=None, validator=_clock)
    """The local start time, if it differs from the series'."""
    duration: dt.timedelta | None = attrs.field(default=None, validator=_positive)
    """How long this occurrence lasts, if it differs from the series'."""
    cancelled: bool = False
    """True when this occurrence is cancelled."""
    sequence: int = attrs.field(default=0, validator=_sequence)
    """Revision number of the occurrence: raise it whenever it changes, so calendar clients update
    in place.
    """
    updated: dt.datetime | None = attrs.field(default=None, validator=check_moment)
    """When the occurrence last changed (timezone-aware)."""
    note: Text | None = None
    """A remark shown with the meeting (for example a disputed venue)."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""


@attrs.frozen
class MeetingSeries:
    """A meeting that recurs by an RFC 5545 rule at a local time in an IANA timezone.

    ``rule`` is the RRULE value (``FREQ=MONTHLY;BYDAY=2TH``); ``first_date`` is
    the DTSTART date; each occurrence starts at ``start_time`` local time in
    ``timezone`` and lasts ``duration``. ``cancelled`` dates are removed
    (EXDATE), ``extra_dates`` added (RDATE), and ``overrides`` give the
    programme of single dates.
    """

    id: str = attrs.field(validator=slug)
    """Unique id of the series across the cluster (a slug)."""
    name: Text
    """The series' name, the title of each of its meetings."""
    first_date: dt.date = attrs.field(validator=check_day)
    """The date of the first occurrence (DTSTART); it must be an occurrence of the rule."""
    start_time: dt.time = attrs.field(validator=_clock)
    """Local start time of each occurrence, in ``timezone``."""
    duration: dt.timedelta = attrs.field(validator=_positive)
    """How long each occurrence lasts (positive)."""
    rule: str = attrs.field(validator=_rule)
    """The RFC 5545 RRULE value (``FREQ=MONTHLY;BYDAY=2TH``)."""
    timezone: str = attrs.field(default="Europe/Paris", validator=check_timezone)
    """IANA timezone of the local times (``Europe/Paris`` by default)."""
    description: Text | None = None
    """What the meetings are about."""
    venue: str | None = ref("places")
    """Id of the usual place, unless an override gives another."""
    organisers: tuple[str, ...] = refs("cluster", "companies", "sub_clusters", "commissions")
    """Ids of the organisers: the cluster, organisations, sub-clusters or commissions."""
    sub_clusters: tuple[str, ...] = refs("sub_clusters")
    """Ids of the sub-clusters the series is linked to (the feeds' ``sub_cluster`` option)."""
    commissions: tuple[str, ...] = refs("commissions")
    """Ids of the commissions the series is linked to (the feeds' ``commission`` option)."""
    sectors: tuple[str, ...] = refs("sectors")
    """Ids of the sectors the series is about."""
    cancelled: tuple[dt.date, ...] = attrs.field(default=(), validator=check_days)
    """Dates of the rule on which there is no meeting (EXDATE)."""
    extra_dates: tuple[dt.date, ...] = attrs.field(default=(), validator=check_days)
    """Dates added to those of the rule (RDATE)."""
    overrides: tuple[Override, ...] = ()
    """What differs on single dates: programme, venue, time, cancellation."""
    free: bool | None = None
    """True when attending is free, False when it is not, None when the sources do not say."""
    open_to_public: bool | None = None
    """True when the meetings are open beyond the members, None when the sources do not say."""
    url: str | None = None
    """A web page about the series, if any."""
    holiday_country: str | None = attrs.field(default="FR", validator=check_country)
    """ISO country whose public holidays are flagged on occurrences (None: no flags)."""
    sequence: int = attrs.field(default=0, validator=_sequence)
    """Revision number of the series: raise it whenever it changes, so calendar clients update in
    place.
    """
    updated: dt.datetime | None = attrs.field(default=None, validator=check_moment)
    """When the series last changed (timezone-aware)."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""

    def __attrs_post_init__(self) -> None:
        dates = [o.date for o in self.overrides]
        repeated = sorted({d for d in dates if dates.count(d) > 1})
        if repeated:
            raise ValueError(f"two overrides for {repeated[0].isoformat()}")
        if self.overrides or self.cancelled:
            self._check_dates()

    def _check_dates(self) -> None:
        """Every override and cancelled date must be an occurrence of the series.

        The feeds name an occurrence by the date the rule gives it (its
        RECURRENCE-ID): an override or a cancellation on another date would match
        no occurrence and be lost. ``moved_to`` may be any date.
        """
        off = off_rule_dates(self, [*(o.date for o in self.overrides), *self.cancelled])
        if not off:
            return
        problems = [
            Problem(f"overrides[{i}].date", self._not_an_occurrence(o.date))
            for i, o in enumerate(self.overrides)
            if o.date in off
        ]
        problems += [
            Problem(f"cancelled[{i}]", self._not_an_occurrence(d))
            for i, d in enumerate(self.cancelled)
            if d in off
        ]
        raise _OffRuleDatesError(problems)

    def _not_an_occurrence(self, date: dt.date) -> str:
        return (
            f"{date.isoformat()} is not an occurrence of the series "
            f"(rule {self.rule} from {self.first_date.isoformat()})"
        )

    def override_for(self, date: dt.date) -> Override | None:
        """The override of the occurrence the rule puts on ``date``, if any."""
        for override in self.overrides:
            if override.date == date:
                return override
        return None

    def occurrences(
        self,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
        *,
        include_cancelled: bool = False,
    ) -> list[Meeting]:
        """Occurrences that start in ``[start, end)``, sorted, with their programme.

        Dates are local dates in the series' timezone; naive datetimes are read in
        that timezone too. Without ``end``, the window is 10 years long; without
        ``start``, it opens at the first date.
        """
        return expand(
            self,
            window(self.timezone, start, end, default_start=self.first_date),
            include_cancelled=include_cancelled,
        )

    def expand_window(self, win: Window, *, include_cancelled: bool = False) -> list[Meeting]:
        """Occurrences in an already resolved :class:`~nogentech.recurrence.Window`."""
        return expand(self, win, include_cancelled=include_cancelled)


@attrs.frozen
class Event:
    """A one-off event: a trade fair, a workshop, a visit.

    A timed event gives ``date`` and ``start_time`` (local, in ``timezone``) and
    its ``duration``; an all-day event gives ``date`` and optionally ``end_date``
    (inclusive).
    """

    id: str = attrs.field(validator=slug)
    """Unique id of the event across the cluster (a slug)."""
    name: Text
    """The event's name, the title of its meeting."""
    date: dt.date = attrs.field(validator=check_day)
    """The (first) day of the event, in ``timezone``."""
    end_date: dt.date | None = attrs.field(default=None, validator=check_day)
    """For an all-day event over several days, its last day (inclusive)."""
    start_time: dt.time | None = attrs.field(default=None, validator=_clock)
    """Local start time; None for an all-day event."""
    duration: dt.timedelta | None = attrs.field(default=None, validator=_positive)
    """How long a timed event lasts (one hour if not given)."""
    timezone: str = attrs.field(default="Europe/Paris", validator=check_timezone)
    """IANA timezone of the local date and time (``Europe/Paris`` by default)."""
    description: Text | None = None
    """What the event is about."""
    venue: str | None = ref("places")
    """Id of the place where it is held."""
    place: str | None = ref("places")
    """Id of the commune or larger place it is held in, when the venue is not known."""
    speakers: tuple[str, ...] = refs("people", "companies")
    """Ids of the speakers: people or organisations."""
    organisers: tuple[str, ...] = refs("cluster", "companies", "sub_clusters", "commissions")
    """Ids of the organisers: the cluster, organisations, sub-clusters or commissions."""
    sub_clusters: tuple[str, ...] = refs("sub_clusters")
    """Ids of the sub-clusters the event is linked to (the feeds' ``sub_cluster`` option)."""
    commissions: tuple[str, ...] = refs("commissions")
    """Ids of the commissions the event is linked to (the feeds' ``commission`` option)."""
    sectors: tuple[str, ...] = refs("sectors")
    """Ids of the sectors the event is about."""
    cancelled: bool = False
    """True when the event is cancelled."""
    postponed_from: PartialDate | None = None
    """The date it was first planned for, if it was postponed."""
    url: str | None = None
    """A web page about the event, if any."""
    sequence: int = attrs.field(default=0, validator=_sequence)
    """Revision number of the event: raise it whenever it changes, so calendar clients update in
    place.
    """
    updated: dt.datetime | None = attrs.field(default=None, validator=check_moment)
    """When the event last changed (timezone-aware)."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""

    def __attrs_post_init__(self) -> None:
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError("'end_date' is before 'date'")
        if self.duration is not None and self.start_time is None:
            raise ValueError("'duration' needs a 'start_time'")

    @property
    def all_day(self) -> bool:
        """True when the event has no start time."""
        return self.start_time is None


@attrs.frozen
class Meeting:
    """One occurrence: of a series (``series`` set) or a one-off event (``event`` set).

    ``start`` and ``end`` are timezone-aware for timed meetings; for an all-day
    event they are midnight local time of the first day and of the day after the
    last. ``recurrence_date`` is the date the rule gave before any move.
    """

    uid_base: str
    """Stable identifier: the series or event id."""
    title: Text
    """The series' or event's name."""
    start: dt.datetime
    """When it starts (timezone-aware; local midnight of the first day for an all-day event)."""
    end: dt.datetime
    """When it ends (timezone-aware; local midnight of the day after the last for an all-day
    event).
    """
    series: MeetingSeries | None = attrs.field(default=None, eq=False, repr=False)
    """The series it is an occurrence of; None for a one-off event."""
    event: Event | None = attrs.field(default=None, eq=False, repr=False)
    """The one-off event it is; None for an occurrence of a series."""
    recurrence_date: dt.date | None = None
    """For an occurrence, the date the rule gave before any move."""
    topic: Text | None = None
    """The programme announced for it; None while not announced."""
    description: Text | None = None
    """The override's description, else the series' or event's."""
    speakers: tuple[str, ...] = ()
    """Ids of the speakers: people or organisations."""
    testimonies: tuple[str, ...] = ()
    """Ids of the people or organisations that bring a testimony."""
    venue: str | None = None
    """Id of the place where it is held, if known."""
    cancelled: bool = False
    """True when it is cancelled."""
    all_day: bool = False
    """True for an all-day event (no start time)."""
    holiday: Text | None = attrs.field(default=None, hash=False)
    """Name of the public holiday the meeting falls on, if any (French and English).

    An occurrence of a series looks it up the first time it is read, in the
    series' ``holiday_country`` on the local date it starts: a meeting whose
    holiday nobody reads costs no holiday table. (Left out of the hash, which
    therefore needs no look-up; equality compares it.)
    """
    override: Override | None = attrs.field(default=None, eq=False, repr=False)
    """The override of the series for this date, if there is one."""
    sequence: int = 0
    """Revision number: the higher of the series' and the override's."""
    updated: dt.datetime | None = None
    """When it last changed: the later of the series' and the override's ``updated``."""

    @property
    def id(self) -> str:
        """``series-id/2023-10-12`` for an occurrence, the event id for an event."""
        if self.recurrence_date is None:
            return self.uid_base
        return f"{self.uid_base}/{self.recurrence_date.isoformat()}"

    @property
    def programmed(self) -> bool:
        """True when a topic has been announced for this meeting."""
        return self.topic is not None

    @property
    def is_holiday(self) -> bool:
        """True when the meeting falls on a public holiday."""
        return self.holiday is not None

    if not TYPE_CHECKING:  # a type checker still sees an unknown attribute as an error

        def __getattr__(self, name: str) -> Any:
            # Called only for an attribute not set: the holiday of an occurrence
            # made by ``_look_up_later``. It is looked up once and kept.
            if name != "holiday":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            country = self.series.holiday_country if self.series is not None else None
            found = holiday_name(country, self.start.date())
            object.__setattr__(self, "holiday", found)
            return found


def _look_up_later(meeting: Meeting) -> None:
    """Leave the holiday of ``meeting``, an occurrence, to be looked up when first read.

    Its ``holiday`` is unset, so that reading it calls ``Meeting.__getattr__``.
    """
    if meeting.series is not None and meeting.series.holiday_country:
        object.__delattr__(meeting, "holiday")


# -- occurrences -------------------------------------------------------------------


def _series_rule(series: MeetingSeries) -> Any:
    """The dateutil rule of ``series``, kept while the series lives (see ``build_rule``)."""
    return build_rule(
        series.rule, series.first_date, series.start_time, series.timezone, owner=series
    )


def holiday_name(country: str | None, date: dt.date) -> Text | None:
    """Name of the public holiday on ``date`` in ``country`` (ISO code), or None.

    The name is given in French and English where the holiday library has them.
    """
    if not country:
        return None
    return _holidays(country, date.year).get(date)


@functools.lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> dict[dt.date, Text]:
    return {day: Text(fr=fr, en=en) for day, (fr, en) in holiday_names(country, year).items()}


def off_rule_dates(series: MeetingSeries, dates: Iterable[dt.date]) -> frozenset[dt.date]:
    """The dates among ``dates`` that are not occurrences of ``series``.

    An occurrence is a local date the rule gives from ``first_date`` on (``COUNT``
    and ``UNTIL`` included) or one of ``extra_dates``. Most rules are answered from
    each date alone (see :func:`_date_test`); any other rule is run once, up to the
    last date asked about, and dateutil keeps what it computed, so expanding the
    series later does not compute those occurrences again.
    """
    return dates_off_the_rule(series, set(dates) - set(series.extra_dates))


def dates_off_the_rule(series: MeetingSeries, dates: Iterable[dt.date]) -> frozenset[dt.date]:
    """The dates among ``dates`` that the rule of ``series`` does not give.

    The same answer as :func:`off_rule_dates` for dates that are not extra dates;
    an extra date is in it too when the rule does not give it.
    """
    wanted = set(dates)
    if not wanted:
        return frozenset()
    occurs = _date_test(series)
    if occurs is None:
        occurs = _counted_date_test(series, max(wanted))
    if occurs is not None:
        return frozenset(day for day in wanted if not occurs(day))
    tz = zone(series.timezone)
    lo = dt.datetime.combine(min(wanted), dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(max(wanted) + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    found = {stamp.date() for stamp in _series_rule(series).between(lo, hi, inc=True)}
    return frozenset(wanted - found)


_WEEKDAY_INDEX = {name: index for index, name in enumerate(WEEKDAYS)}
_BY_DATE = ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")


def _month_dates(
    year: int,
    month: int,
    months: frozenset[int] | None,
    weekdays: frozenset[int] | None,
    month_days: frozenset[int] | None,
    nth: frozenset[tuple[int, int]] | None,
) -> tuple[dt.date, ...]:
    """The dates of a month that pass the BYMONTH, BYDAY and BYMONTHDAY parts of a MONTHLY rule.

    The test of each day of ``passes`` in :func:`_tests`, for a whole month at once:
    a day's weekday and its place from either end of the month are counted from
    the month's first weekday and its length.
    """
    if months is not None and month not in months:
        return ()
    size = days_in_month(year, month)
    first_weekday = dt.date(year, month, 1).weekday()
    found = []
    for i in range(size):
        weekday = (first_weekday + i) % 7
        if weekdays is not None and weekday not in weekdays:
            continue
        if month_days is not None and i + 1 not in month_days and i - size not in month_days:
            continue
        if (
            nth is not None
            and (weekday, i // 7 + 1) not in nth
            and (weekday, -((size - 1 - i) // 7 + 1)) not in nth
        ):
            continue
        found.append(dt.date(year, month, i + 1))
    return tuple(found)


def _date_test(series: MeetingSeries) -> Any:
    """A test telling whether a date is one the series' rule gives, or None (see ``_tests``)."""
    found = _tests(series, counted=False)
    return None if found is None else found[0]


def _counted_date_test(series: MeetingSeries, last: dt.date) -> Any:
    """For a rule with COUNT, the test of :func:`_date_test` for dates up to ``last``, or None.

    COUNT cuts no occurrence up to ``last`` when the rule cannot give more than
    COUNT dates from its first date to ``last``: at most so many dates in each of
    its periods (see :func:`_tests`), in every INTERVAL-th period. The dates are
    then told as for a rule without COUNT; None when the bound passes COUNT (or
    for a rule :func:`_date_test` leaves to dateutil for another reason).
    """
    parts = parse_rule(series.rule)
    if "COUNT" not in parts:
        return None
    found = _tests(series, counted=True)
    if found is None:
        return None
    occurs, most, _ = found
    return occurs if most(last) <= int(parts["COUNT"]) else None


class _Shape(NamedTuple):
    """What :func:`_tests` reads from a rule alone, before the series' first date."""

    freq: str
    step: int
    counted: bool
    """True when the rule has COUNT."""
    positions: tuple[int, ...] | None
    months: frozenset[int] | None
    month_days: frozenset[int] | None
    weekdays: frozenset[int] | None
    nth: frozenset[tuple[int, int]] | None
    by_date: bool
    """True when the rule has a part that picks dates (else the first date gives them)."""
    wkst: int


@functools.lru_cache(maxsize=KEPT_RULES)
def _shape(rule: str) -> _Shape | None:
    """The parts of ``rule`` that :func:`_tests` answers from, or None for a rule it leaves
    to dateutil (BYWEEKNO, BYYEARDAY, BYSETPOS outside a MONTHLY rule, or plain and
    numbered weekdays together).

    The shapes of the last :data:`~nogentech.rules.KEPT_RULES` rules are kept, as their
    parts are; a rule read after more than so many others is read again.
    """
    parts = parse_rule(rule)
    if any(p in parts for p in ("BYWEEKNO", "BYYEARDAY")):
        return None
    positions: tuple[int, ...] | None = None
    if "BYSETPOS" in parts:
        if parts["FREQ"] != "MONTHLY":
            return None
        # The n-th dates (from either end) of those the month gives; dateutil
        # counts them in the whole month, then drops those before the first date.
        positions = set_positions(parts["BYSETPOS"])
    months = frozenset(int(m) for m in parts["BYMONTH"].split(",")) if "BYMONTH" in parts else None
    month_days: frozenset[int] | None = None
    if "BYMONTHDAY" in parts:
        month_days = frozenset(int(d) for d in parts["BYMONTHDAY"].split(","))
    weekdays: frozenset[int] | None = None
    nth: frozenset[tuple[int, int]] | None = None
    if "BYDAY" in parts:
        plain, numbered = set(), set()
        for item in parts["BYDAY"].split(","):
            if item[:-2]:
                numbered.add((_WEEKDAY_INDEX[item[-2:]], int(item[:-2])))
            else:
                plain.add(_WEEKDAY_INDEX[item])
        if plain and numbered:
            return None  # dateutil would ask for both at once
        weekdays, nth = frozenset(plain) or None, frozenset(numbered) or None
    return _Shape(
        freq=parts["FREQ"],
        step=int(parts.get("INTERVAL", "1")),
        counted="COUNT" in parts,
        positions=positions,
        months=months,
        month_days=month_days,
        weekdays=weekdays,
        nth=nth,
        by_date=any(p in parts for p in _BY_DATE),
        wkst=_WEEKDAY_INDEX[parts.get("WKST", "MO")],
    )


def _tests(series: MeetingSeries, *, counted: bool) -> Any:
    """A test telling whether a date is one the series' rule gives, a bound and weekdays, or None.

    dateutil runs a rule from its first date, so asking it about dates years later
    computes every occurrence in between. For a rule without COUNT, BYWEEKNO or
    BYYEARDAY, and with BYSETPOS only in a MONTHLY rule, the answer is a matter of
    the date alone, as dateutil would find it: the period (day, week from WKST,
    month or year) is a multiple of INTERVAL periods after the first date's, the
    date passes each BYxxx part (with the defaults dateutil takes from the first
    date), is at one of the BYSETPOS positions among the dates of its month that
    pass them, and its start is not after UNTIL. None for other rules, which
    dateutil runs. With ``counted``, a rule with COUNT is given the test of the
    same rule without COUNT. The bound is a function giving, for a date, at most
    how many dates the rule gives from its first date to that one.
    """
    shape = _shape(series.rule)
    if shape is None or (shape.counted and not counted):
        return None
    freq, step, positions = shape.freq, shape.step, shape.positions
    months, month_days, weekdays, nth = shape.months, shape.month_days, shape.weekdays, shape.nth
    start = series.first_date
    if not shape.by_date:
        if freq == "YEARLY":
            months = months or frozenset((start.month,))
            month_days = frozenset((start.day,))
        elif freq == "MONTHLY":
            month_days = frozenset((start.day,))
        elif freq == "WEEKLY":
            weekdays = frozenset((start.weekday(),))
    tz = zone(series.timezone)
    until = utc_until(rule_text(series.rule, tz))
    week_one = start - dt.timedelta(days=(start.weekday() - shape.wkst) % 7)
    start_time = series.start_time

    def period_of(day: dt.date) -> int:
        if freq == "DAILY":
            return (day - start).days
        if freq == "WEEKLY":
            return (day - week_one).days // 7
        if freq == "MONTHLY":
            return (day.year - start.year) * 12 + day.month - start.month
        return day.year - start.year

    # The most dates one period can give: its days, or fewer by the BYxxx parts.
    per_period = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[freq]
    month_count = len(months) if months is not None else 12
    if weekdays is not None:
        weeks = {"DAILY": 1, "WEEKLY": 1, "MONTHLY": 5, "YEARLY": 53}[freq]
        per_period = min(per_period, len(weekdays) * weeks)
    if nth is not None:
        per_month = freq == "YEARLY" and months is not None
        per_period = min(per_period, len(nth) * (month_count if per_month else 1))
    if month_days is not None:
        per_period = min(per_period, len(month_days) * (month_count if freq == "YEARLY" else 1))

    if positions is not None:
        per_period = min(per_period, len(positions))

    def most(day: dt.date) -> int:
        """At most how many dates the rule gives from its first date to ``day``."""
        return 0 if day < start else (period_of(day) // step + 1) * per_period

    def occurs(day: dt.date) -> bool:
        if day < start:
            return False
        period = period_of(day)
        if period % step:
            return False
        if positions is None:
            found = passes(day)
        else:
            given = month_given(day.year, day.month)
            size = len(given)
            found = any(-size <= i < size and given[i] == day for i in positions)
        return found and (until is None or dt.datetime.combine(day, start_time, tzinfo=tz) <= until)

    # The last month asked about and its dates, as one pair: threads rendering feeds
    # share the test, and each reads or replaces the pair whole.
    last_month: list[tuple[tuple[int, int], tuple[dt.date, ...]]] = [((0, 0), ())]

    def month_given(year: int, month: int) -> tuple[dt.date, ...]:
        """The dates of a month that pass each BYxxx part but BYSETPOS (the last one kept)."""
        key, given = last_month[0]
        if key != (year, month):
            given = _month_dates(year, month, months, weekdays, month_days, nth)
            last_month[0] = ((year, month), given)
        return given

    def passes(day: dt.date) -> bool:
        """True when ``day`` passes each BYxxx part but BYSETPOS."""
        if months is not None and day.month not in months:
            return False
        if weekdays is not None and day.weekday() not in weekdays:
            return False
        if month_days is not None:
            last = days_in_month(day.year, day.month)
            if day.day not in month_days and day.day - last - 1 not in month_days:
                return False
        if nth is not None:
            # Days before and after ``day`` in its month (or its year).
            if freq == "YEARLY" and months is None:
                before = day.toordinal() - dt.date(day.year, 1, 1).toordinal()
                after = dt.date(day.year, 12, 31).toordinal() - day.toordinal()
            else:
                before = day.day - 1
                after = days_in_month(day.year, day.month) - day.day
            weekday = day.weekday()
            if (weekday, before // 7 + 1) not in nth and (weekday, -(after // 7 + 1)) not in nth:
                return False
        return True

    # Every date the rule gives has one of these weekdays (None: any weekday).
    days = weekdays if weekdays is not None else frozenset(w for w, _ in nth) if nth else None
    return occurs, most, days


def _meeting(
    series: MeetingSeries,
    rule_date: dt.date,
    override: Override | None,
    cancelled: bool,
    tz: ZoneInfo,
) -> Meeting:
    o = override
    date = (o.moved_to if o and o.moved_to else None) or rule_date
    start = local(date, (o.start_time if o and o.start_time else None) or series.start_time, tz)
    duration = (o.duration if o and o.duration else None) or series.duration
    end = (start.astimezone(UTC) + duration).astimezone(tz)
    meeting = Meeting(
        uid_base=series.id,
        title=series.name,
        start=start,
        end=end,
        series=series,
        recurrence_date=rule_date,
        topic=o.topic if o else None,
        description=(o.description if o and o.description else None) or series.description,
        speakers=o.speakers if o else (),
        testimonies=o.testimonies if o else (),
        venue=(o.venue if o and o.venue else None) or series.venue,
        cancelled=cancelled or bool(o and o.cancelled),
        override=o,
        sequence=max(series.sequence, o.sequence if o else 0),
        updated=max((u for u in (series.updated, o.updated if o else None) if u), default=None),
    )
    _look_up_later(meeting)
    return meeting


_MARGIN = dt.timedelta(days=2)
"""How far outside a window the rule is expanded, whatever the series' overrides.

The local date of a start differs from the date it is put on by at most a day (a
time the clocks skip moves forward, across midnight when a whole day is skipped),
and a window's bounds are instants whose local dates a clock change shifts by less
than a day: an occurrence that is not moved starts in a window only if its date
lies within two days of the window's local dates. A moved occurrence is found
from its override instead (:func:`_moved_in`), however far it moved.
"""


def _moved_in(
    overrides: tuple[Override, ...], first: dt.date, last: dt.date, dates: list[dt.date]
) -> list[dt.date]:
    """The dates of moved ``overrides`` that ``dates`` lacks and whose meeting may start
    from ``first`` to ``last``, in the order of ``overrides``.

    ``dates`` are the ascending dates found from ``first`` to ``last``. An override
    moves its occurrence by ``moved_to`` and ``start_time``; its meeting starts on
    ``moved_to`` (else its own date) or, in a time the clocks skip, the day after,
    so one whose date is outside the range (or on one of its end days without a
    start in it) may start there. The date of an override is an occurrence of the
    series (checked when the series is made), so each one given is an occurrence
    whose meeting is then tested against the window as any other is.
    """
    # Only the first and the last of ``dates`` can be on the range's end days.
    ends = (dates[0], dates[-1]) if dates else ()
    found = []
    for o in overrides:
        moved_to = o.moved_to
        if moved_to is None and o.start_time is None:
            continue  # it starts as the rule's dates do: found with them if at all
        day = o.date
        if first < day < last:
            continue  # every occurrence strictly inside the range is in ``dates``
        if first <= (moved_to or day) <= last and day not in ends:
            found.append(day)
    return found


def _end_of_range(tz: ZoneInfo) -> dt.datetime:
    """The end of :data:`~nogentech.limits.LATEST_DATE` in ``tz``: expansions stop there."""
    return dt.datetime.combine(LATEST_DATE + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


_TOLD_DAYS = 100
"""Windows of at most so many days have their dates told one day at a time."""


def _told_window(series: MeetingSeries, first: dt.date, span: int) -> bool:
    """Whether the window of ``span`` days from ``first`` is told a day at a time.

    A short one is; so is a longer one that starts more than its own length after
    the series' first date: dateutil would run through more days to reach it than
    the window holds (a year ten years on: a tenth of the days, and no rule kept).
    """
    return span >= 0 and (span <= _TOLD_DAYS or span < (first - series.first_date).days)


def _told(series: MeetingSeries) -> tuple[Any, frozenset[int] | None] | None:
    """The date test of ``series`` and the weekdays of its dates (see ``_tests``), or None.

    Kept for as long as the series lives, as its dateutil rule is (``build_rule``).
    """
    ident = id(series)
    entry = _TOLD.get(ident)
    if entry is not None and entry[0]() is series:
        return entry[1]
    found = _tests(series, counted=False)
    told = None if found is None else (found[0], found[2])

    def forget(ref: weakref.ref[MeetingSeries]) -> None:
        current = _TOLD.get(ident)
        if current is not None and current[0] is ref:
            _TOLD.pop(ident, None)

    _TOLD[ident] = (weakref.ref(series, forget), told)
    return told


_TOLD: dict[int, tuple[weakref.ref[MeetingSeries], tuple[Any, frozenset[int] | None] | None]] = {}
"""Date tests by the identity of their living series."""


def _rule_dates(series: MeetingSeries, lo: dt.datetime, hi: dt.datetime) -> list[dt.date]:
    """The local dates of the rule's starts from ``lo`` to ``hi`` (both included), ascending.

    ``lo`` and ``hi`` are in the series' timezone. A window of a rule that
    :func:`_date_test` answers, short or far from the first date
    (:func:`_told_window`), is told a day at a time, as dateutil would give it
    (``tests/loading/test_series_dates_told.py``), without running the rule from
    the first date (nor importing dateutil: ``nogentech next`` looks a month
    ahead); any other is run by dateutil, which keeps what it computed.
    """
    first, last = lo.date(), hi.date()
    span = (last - first).days
    if _told_window(series, first, span):
        told = _told(series)
        if told is not None:
            occurs, weekdays = told
            combine, tz, start = dt.datetime.combine, lo.tzinfo, series.start_time
            if weekdays is None:
                steps: Iterable[int] = range(span + 1)
            else:  # only the days of those weekdays, a week at a time
                offsets = sorted((w - first.weekday()) % 7 for w in weekdays)
                weeks = range(0, span + 1, 7)
                steps = (i for week in weeks for o in offsets if (i := week + o) <= span)
            days = (first + dt.timedelta(days=i) for i in steps)
            return [d for d in days if occurs(d) and lo <= combine(d, start, tzinfo=tz) <= hi]
    # The rule gives one start per date (local dates, ascending).
    dates: list[dt.date] = []
    previous = None
    for stamp in _series_rule(series).between(lo, hi, inc=True):
        day = stamp.date()
        if day != previous:
            dates.append(day)
            previous = day
    return dates


def expand(series: MeetingSeries, win: Window, *, include_cancelled: bool = False) -> list[Meeting]:
    """Occurrences of ``series`` whose (possibly moved) start lies in ``win``, sorted.

    Sorted by start instant, then by the date the rule gave (the order of their ids).
    """
    tz = zone(series.timezone)
    # The rule is run over the window and a margin of a few days only: moved
    # occurrences come from the overrides, whatever the distance they moved.
    lo = win.start.astimezone(tz) - _MARGIN
    # Nothing is computed past the supported range: the rule would run on for ever.
    stop = min(win.end.astimezone(tz), _end_of_range(tz))
    hi = stop + _MARGIN
    dates = _rule_dates(series, lo, hi)
    first, last = lo.date(), hi.date()
    if series.extra_dates:
        extra = [d for d in series.extra_dates if first <= d <= last]
        if extra:
            dates = sorted(set(dates).union(extra))
    overrides = None
    if series.overrides:
        overrides = {o.date: o for o in series.overrides}
        moved_in = _moved_in(series.overrides, first, last, dates)
        if moved_in:
            dates = sorted(set(dates).union(moved_in))
    cancelled = frozenset(series.cancelled)
    # Bounds as UTC instants: comparing datetimes of one tzinfo is the cheapest.
    w_start = win.start.astimezone(UTC)
    w_end = stop.astimezone(UTC)
    start_time = series.start_time
    duration = series.duration
    combine = dt.datetime.combine
    keyed: list[tuple[dt.datetime, dt.date, Meeting]] = []
    moved = False
    for date in dates:
        override = overrides.get(date) if overrides else None
        if override is None:
            is_cancelled = date in cancelled
            if is_cancelled and not include_cancelled:
                continue
            # Local wall-clock time, normalised through UTC (see ``_local``).
            instant = combine(date, start_time, tzinfo=tz).astimezone(UTC)
            if not w_start <= instant < w_end:
                continue
            start = instant.astimezone(tz)
            meeting = Meeting(
                uid_base=series.id,
                title=series.name,
                start=start,
                end=(instant + duration).astimezone(tz),
                series=series,
                recurrence_date=date,
                description=series.description,
                venue=series.venue,
                cancelled=is_cancelled,
                sequence=series.sequence,
                updated=series.updated,
            )
            _look_up_later(meeting)
        else:
            is_cancelled = date in cancelled or override.cancelled
            if is_cancelled and not include_cancelled:
                continue
            meeting = _meeting(series, date, override, is_cancelled, tz)
            instant = meeting.start.astimezone(UTC)
            if not w_start <= instant < w_end:
                continue
            moved = moved or bool(override.moved_to or override.start_time)
        keyed.append((instant, date, meeting))
    if moved:
        # Only a moved occurrence can break the order of dates.
        keyed.sort(key=_first_two)
    return [meeting for _, _, meeting in keyed]


def _first_two(item: tuple[dt.datetime, dt.date, Meeting]) -> tuple[dt.datetime, dt.date]:
    return item[0], item[1]


def event_meeting(event: Event) -> Meeting:
    """The occurrence of a one-off event."""
    tz = zone(event.timezone)
    if event.start_time is None:
        start = dt.datetime.combine(event.date, dt.time(0), tzinfo=tz)
        last = event.end_date or event.date
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    else:
        start = local(event.date, event.start_time, tz)
        duration = event.duration or dt.timedelta(hours=1)
        end = (start.astimezone(UTC) + duration).astimezone(tz)
    return Meeting(
        uid_base=event.id,
        title=event.name,
        start=start,
        end=end,
        event=event,
        description=event.description,
        speakers=event.speakers,
        venue=event.venue or event.place,
        cancelled=event.cancelled,
        all_day=event.start_time is None,
        sequence=event.sequence,
        updated=event.updated,
    )


def event_meetings(
    events: Iterable[Event], win: Window, *, include_cancelled: bool = False
) -> list[Meeting]:
    """Occurrences of one-off events that start in ``win``."""
    out = []
    for event in events:
        meeting = event_meeting(event)
        if meeting.start in win and (include_cancelled or not meeting.cancelled):
            out.append(meeting)
    return out


def bounded_meetings(
    series: Iterable[MeetingSeries], events: Sequence[Event], win: Window
) -> list[Meeting]:
    """Every occurrence of ``series`` and ``events`` in ``win``, cancelled ones included,
    sorted by start then id, for a format or a listing that writes each one.

    The data bounds a series (its dates end in 2199, a rule gives one occurrence a
    day at most), not how many series a window crosses: a few hundred daily series
    over a year, or a few over a century, are millions of meetings. Past
    :data:`~nogentech.limits.MAX_EXPANDED_MEETINGS` the window is refused with
    :class:`~nogentech.OptionError`, series by series as it is expanded, before the
    rest is computed.
    """
    found: list[Meeting] = []
    for item in series:
        found.extend(item.expand_window(win, include_cancelled=True))
        _within_limit(len(found))
    found.extend(event_meetings(events, win, include_cancelled=True))
    _within_limit(len(found))
    found.sort(key=sort_key)
    return found


def _within_limit(count: int) -> None:
    if count > MAX_EXPANDED_MEETINGS:
        raise OptionError(
            f"the window holds more than {MAX_EXPANDED_MEETINGS:,} meetings, the most one "
            "export or listing writes: give a shorter one (start and end, from and to) "
            "or fewer series"
        )


def sort_key(meeting: Meeting) -> tuple[dt.datetime, str]:
    """Order meetings by start instant, then by id."""
    day = meeting.recurrence_date
    ident = meeting.uid_base if day is None else f"{meeting.uid_base}/{day.isoformat()}"
    return (meeting.start.astimezone(UTC), ident)


def occurrences_on(
    series: MeetingSeries, dates: Iterable[dt.date], *, include_cancelled: bool = False
) -> list[Meeting]:
    """The occurrences of ``series`` that the rule or its extra dates put on ``dates``.

    A date is the one the rule gives an occurrence (its RECURRENCE-ID, even when the
    occurrence is moved) or an extra date; dates that are neither are left out. Each
    occurrence is the one :func:`expand` gives (override, move, cancellation
    included), sorted by date; only those of ``dates`` are built, however far apart.
    """
    wanted = set(dates)
    if not wanted:
        return []
    overrides = {o.date: o for o in series.overrides}
    cancelled = frozenset(series.cancelled)
    # Override and cancelled dates were checked when the series was made.
    unchecked = wanted - overrides.keys() - cancelled
    if unchecked:
        wanted -= off_rule_dates(series, unchecked)
    tz = zone(series.timezone)
    out = []
    for date in sorted(wanted):
        override = overrides.get(date)
        is_cancelled = date in cancelled or bool(override and override.cancelled)
        if include_cancelled or not is_cancelled:
            out.append(_meeting(series, date, override, is_cancelled, tz))
    return out
