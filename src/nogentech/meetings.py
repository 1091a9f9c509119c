"""Recurring meeting series, their occurrences, and one-off events.

The classes here only hold data; the recurrence arithmetic lives in
:mod:`nogentech.recurrence` and is reached through :meth:`MeetingSeries.occurrences`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs

from .exceptions import DataError, Problem
from .text import PartialDate, Text, ref, refs, slug

if TYPE_CHECKING:
    from .recurrence import Window

__all__ = ["Event", "Meeting", "MeetingSeries", "Override"]


def _aware(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise ValueError(f"'{attribute.name}' must be a timezone-aware datetime (got {value!r})")


def _positive(_inst: Any, attribute: attrs.Attribute[Any], value: dt.timedelta | None) -> None:
    if value is not None and value <= dt.timedelta(0):
        raise ValueError(f"'{attribute.name}' must be a positive duration (got {value})")


def _timezone(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    from .recurrence import zone

    if not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be an IANA zone name (got {value!r})")
    try:
        zone(value)
    except (ValueError, KeyError) as exc:
        raise ValueError(
            f"'{attribute.name}' must be an IANA zone name such as 'Europe/Paris' (got {value!r})"
        ) from exc


def _rule(inst: MeetingSeries, attribute: attrs.Attribute[Any], value: object) -> None:
    from .recurrence import build_rule

    try:
        _timezone(inst, attrs.fields(MeetingSeries).timezone, inst.timezone)
    except (ValueError, TypeError):
        return  # the rule cannot be anchored; the timezone's own validator reports why
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{attribute.name}' must be an RRULE such as 'FREQ=MONTHLY;BYDAY=2TH'")
    try:
        build_rule(inst)
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

    date: dt.date
    topic: Text | None = None
    description: Text | None = None
    speakers: tuple[str, ...] = refs("people", "companies")
    testimonies: tuple[str, ...] = refs("people", "companies")
    venue: str | None = ref("places")
    moved_to: dt.date | None = None
    start_time: dt.time | None = None
    duration: dt.timedelta | None = attrs.field(default=None, validator=_positive)
    cancelled: bool = False
    sequence: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    updated: dt.datetime | None = attrs.field(default=None, validator=_aware)
    note: Text | None = None
    sources: tuple[str, ...] = refs("sources")


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
    name: Text
    first_date: dt.date
    start_time: dt.time
    duration: dt.timedelta = attrs.field(validator=_positive)
    rule: str = attrs.field(validator=_rule)
    timezone: str = attrs.field(default="Europe/Paris", validator=_timezone)
    description: Text | None = None
    venue: str | None = ref("places")
    organisers: tuple[str, ...] = refs("cluster", "companies", "sub_clusters", "commissions")
    sub_clusters: tuple[str, ...] = refs("sub_clusters")
    commissions: tuple[str, ...] = refs("commissions")
    sectors: tuple[str, ...] = refs("sectors")
    cancelled: tuple[dt.date, ...] = ()
    extra_dates: tuple[dt.date, ...] = ()
    overrides: tuple[Override, ...] = ()
    free: bool | None = None
    open_to_public: bool | None = None
    url: str | None = None
    holiday_country: str | None = "FR"
    """ISO country whose public holidays are flagged on occurrences (None: no flags)."""
    sequence: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    updated: dt.datetime | None = attrs.field(default=None, validator=_aware)
    sources: tuple[str, ...] = refs("sources")

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
        from .recurrence import off_rule_dates

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
        from .recurrence import expand, window

        return expand(
            self,
            window(self.timezone, start, end, default_start=self.first_date),
            include_cancelled=include_cancelled,
        )

    def expand_window(self, win: Window, *, include_cancelled: bool = False) -> list[Meeting]:
        """Occurrences in an already resolved :class:`~nogentech.recurrence.Window`."""
        from .recurrence import expand

        return expand(self, win, include_cancelled=include_cancelled)


@attrs.frozen
class Event:
    """A one-off event: a trade fair, a workshop, a visit.

    A timed event gives ``start`` (local date and time) and ``end``; an all-day
    event gives ``date`` and optionally ``end_date`` (inclusive).
    """

    id: str = attrs.field(validator=slug)
    name: Text
    date: dt.date
    end_date: dt.date | None = None
    start_time: dt.time | None = None
    duration: dt.timedelta | None = attrs.field(default=None, validator=_positive)
    timezone: str = attrs.field(default="Europe/Paris", validator=_timezone)
    description: Text | None = None
    venue: str | None = ref("places")
    place: str | None = ref("places")
    speakers: tuple[str, ...] = refs("people", "companies")
    organisers: tuple[str, ...] = refs("cluster", "companies", "sub_clusters", "commissions")
    sub_clusters: tuple[str, ...] = refs("sub_clusters")
    commissions: tuple[str, ...] = refs("commissions")
    sectors: tuple[str, ...] = refs("sectors")
    cancelled: bool = False
    postponed_from: PartialDate | None = None
    url: str | None = None
    sequence: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    updated: dt.datetime | None = attrs.field(default=None, validator=_aware)
    sources: tuple[str, ...] = refs("sources")

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
    start: dt.datetime
    end: dt.datetime
    series: MeetingSeries | None = attrs.field(default=None, eq=False, repr=False)
    event: Event | None = attrs.field(default=None, eq=False, repr=False)
    recurrence_date: dt.date | None = None
    topic: Text | None = None
    description: Text | None = None
    speakers: tuple[str, ...] = ()
    testimonies: tuple[str, ...] = ()
    venue: str | None = None
    cancelled: bool = False
    all_day: bool = False
    holiday: Text | None = None
    """Name of the public holiday the meeting falls on, if any (French and English)."""
    override: Override | None = attrs.field(default=None, eq=False, repr=False)
    sequence: int = 0
    updated: dt.datetime | None = None

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
