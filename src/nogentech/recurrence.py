"""Occurrences of meeting series and one-off events.

python-dateutil does the RFC 5545 rule arithmetic; this module anchors rules in
an IANA timezone so that a local 08:30 stays 08:30 across daylight-saving
changes, applies cancelled and extra dates and per-date overrides, and flags
public holidays.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from .meetings import Event, Meeting, MeetingSeries, Override
from .text import Text

if TYPE_CHECKING:
    from dateutil.rrule import rrule

    from .cluster import Cluster

__all__ = ["Window", "build_rule", "expand", "holiday_name", "upcoming", "window", "zone"]

UTC = dt.UTC
DEFAULT_SPAN = dt.timedelta(days=3653)


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name (cached); ``ValueError``/``KeyError`` if unknown."""
    if not name or name != name.strip():
        raise ValueError(f"invalid timezone name {name!r}")
    return ZoneInfo(name)


@attrs.frozen
class Window:
    """A half-open interval ``[start, end)`` of aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: object) -> bool:
        """True for an aware datetime whose instant lies in the window.

        Instants are compared, not wall-clock times, even when the bounds and
        ``moment`` share a timezone: at a daylight-saving change the same wall-clock
        time can name two instants (``fold``) or none. A naive ``moment`` raises
        ``TypeError``.
        """
        if not isinstance(moment, dt.datetime):
            return False
        if moment.utcoffset() is None:
            raise TypeError(f"cannot place a naive datetime in a window: {moment!r}")
        instant = moment.astimezone(UTC)
        return self.start.astimezone(UTC) <= instant < self.end.astimezone(UTC)


def _aware(value: dt.date | dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware datetime: a date is local midnight, a naive datetime a local time."""
    if isinstance(value, dt.datetime):
        return value if value.utcoffset() is not None else value.replace(tzinfo=tz)
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date or a datetime, got {type(value).__name__} {value!r}")
    return dt.datetime.combine(value, dt.time(0), tzinfo=tz)


def window(
    timezone: str,
    start: dt.date | dt.datetime | None,
    end: dt.date | dt.datetime | None,
    *,
    default_start: dt.date | None = None,
) -> Window:
    """Resolve user bounds: dates mean local midnight; naive datetimes are local times."""
    tz = zone(timezone)
    if start is None:
        start = default_start if default_start is not None else dt.datetime.now(UTC)
    lo = _aware(start, tz)
    hi = _aware(end, tz) if end is not None else lo + DEFAULT_SPAN
    return Window(lo, hi)


def _local(date: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """Local wall-clock time, normalised: a time skipped by a DST change moves forward."""
    naive = dt.datetime.combine(date, time, tzinfo=tz)
    return naive.astimezone(UTC).astimezone(tz)


def _rule_text(rule: str, tz: ZoneInfo) -> str:
    """The RRULE value with any local or date UNTIL turned into UTC, as RFC 5545 wants."""
    body = rule.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts = []
    for part in body.split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "DTSTART":
            raise ValueError("DTSTART belongs in 'first_date', not in the rule")
        if key.upper() == "UNTIL" and not value.upper().endswith("Z"):
            if len(value) == 8:  # a date: the whole day counts
                day = dt.datetime.strptime(value, "%Y%m%d").date()
                local = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)
            else:
                local = dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
            value = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{key}={value}")
    return ";".join(parts)


def build_rule(series: MeetingSeries) -> rrule:
    """The dateutil rule of a series, anchored at its first date and local start time.

    Raises ``ValueError`` when the rule is invalid or when ``first_date`` is not
    itself an occurrence of the rule (RFC 5545 counts DTSTART as the first
    instance, and clients disagree when it does not match).
    """
    return _cached_rule(series.rule, series.first_date, series.start_time, series.timezone)


@functools.lru_cache(maxsize=4096)
def _cached_rule(rule: str, first: dt.date, start: dt.time, timezone: str) -> rrule:
    from dateutil.rrule import rrule as rrule_type
    from dateutil.rrule import rrulestr

    tz = zone(timezone)
    dtstart = dt.datetime.combine(first, start, tzinfo=tz)
    text = _rule_text(rule, tz)
    # dateutil's own cache keeps the occurrences already computed, so that expanding
    # the same series again (a feed server, ``upcoming`` widening its window) does not
    # redo the rule arithmetic from the first date.
    parsed = rrulestr(text, dtstart=dtstart, cache=True)
    if not isinstance(parsed, rrule_type):
        raise ValueError("expected a single RRULE")
    head = parsed.after(dtstart, inc=True)
    if head is None or head.replace(tzinfo=None) != dtstart.replace(tzinfo=None):
        raise ValueError(f"first_date {first.isoformat()} is not an occurrence of the rule")
    return parsed


def off_rule_dates(series: MeetingSeries, dates: Iterable[dt.date]) -> frozenset[dt.date]:
    """The dates among ``dates`` that are not occurrences of ``series``.

    An occurrence is a local date the rule gives from ``first_date`` on (``COUNT``
    and ``UNTIL`` included) or one of ``extra_dates``. The rule is run once, up to
    the last date asked about; dateutil keeps what it computed, so expanding the
    series later does not compute those occurrences again.
    """
    wanted = set(dates) - set(series.extra_dates)
    if not wanted:
        return frozenset()
    tz = zone(series.timezone)
    lo = dt.datetime.combine(min(wanted), dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(max(wanted) + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    found = {stamp.date() for stamp in build_rule(series).between(lo, hi, inc=True)}
    return frozenset(wanted - found)


def holiday_name(country: str | None, date: dt.date) -> Text | None:
    """Name of the public holiday on ``date`` in ``country`` (ISO code), or None.

    The name is given in French and English where the holiday library has them.
    """
    if not country:
        return None
    return _holidays(country, date.year).get(date)


@functools.cache
def _languages(country: str) -> tuple[str | None, str | None]:
    """The holiday library's languages for French and English names in ``country``."""
    import holidays

    supported = holidays.country_holidays(country).supported_languages
    return ("fr" if "fr" in supported else None, "en_US" if "en_US" in supported else None)


@functools.lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> dict[dt.date, Text]:
    import holidays

    fr_language, en_language = _languages(country)
    french = holidays.country_holidays(country, years=year, language=fr_language)
    english = holidays.country_holidays(country, years=year, language=en_language)
    names_fr = {day: str(name) for day, name in french.items()}
    names_en = {day: str(name) for day, name in english.items()}
    return {day: Text(fr=name, en=names_en.get(day) or name) for day, name in names_fr.items()}


def _meeting(
    series: MeetingSeries,
    rule_date: dt.date,
    override: Override | None,
    cancelled: bool,
    tz: ZoneInfo,
) -> Meeting:
    o = override
    date = (o.moved_to if o and o.moved_to else None) or rule_date
    start = _local(date, (o.start_time if o and o.start_time else None) or series.start_time, tz)
    duration = (o.duration if o and o.duration else None) or series.duration
    end = (start.astimezone(UTC) + duration).astimezone(tz)
    return Meeting(
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
        holiday=holiday_name(series.holiday_country, start.date()),
        override=o,
        sequence=max(series.sequence, o.sequence if o else 0),
        updated=max((u for u in (series.updated, o.updated if o else None) if u), default=None),
    )


def _margin(series: MeetingSeries) -> dt.timedelta:
    """How far outside a window the rule must be expanded to catch moved occurrences."""
    margin = _MARGIN
    for o in series.overrides:
        if o.moved_to:
            margin = max(margin, abs(o.moved_to - o.date) + _MARGIN)
    return margin


_MARGIN = dt.timedelta(days=2)


def expand(series: MeetingSeries, win: Window, *, include_cancelled: bool = False) -> list[Meeting]:
    """Occurrences of ``series`` whose (possibly moved) start lies in ``win``, sorted.

    Sorted by start instant, then by the date the rule gave (the order of their ids).
    """
    tz = zone(series.timezone)
    rule = build_rule(series)
    overrides = {o.date: o for o in series.overrides} if series.overrides else None
    margin = _margin(series) if overrides else _MARGIN
    lo = win.start.astimezone(tz) - margin
    hi = win.end.astimezone(tz) + margin
    # The rule gives one start per date (local dates, ascending); extra dates join them.
    dates: list[dt.date] = []
    previous = None
    for stamp in rule.between(lo, hi, inc=True):
        day = stamp.date()
        if day != previous:
            dates.append(day)
            previous = day
    if series.extra_dates:
        first, last = lo.date(), hi.date()
        extra = [d for d in series.extra_dates if first <= d <= last]
        if extra:
            dates = sorted(set(dates).union(extra))
    cancelled = frozenset(series.cancelled)
    # Bounds as UTC instants: comparing datetimes of one tzinfo is the cheapest.
    w_start = win.start.astimezone(UTC)
    w_end = win.end.astimezone(UTC)
    start_time = series.start_time
    duration = series.duration
    country = series.holiday_country
    table: dict[dt.date, Text] = {}
    table_year = None
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
            day = start.date()
            holiday = None
            if country:
                if day.year != table_year:
                    table_year = day.year
                    table = _holidays(country, table_year)
                holiday = table.get(day)
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
                holiday=holiday,
                sequence=series.sequence,
                updated=series.updated,
            )
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
        start = _local(event.date, event.start_time, tz)
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


def sort_key(meeting: Meeting) -> tuple[dt.datetime, str]:
    """Order meetings by start instant, then by id."""
    day = meeting.recurrence_date
    ident = meeting.uid_base if day is None else f"{meeting.uid_base}/{day.isoformat()}"
    return (meeting.start.astimezone(UTC), ident)


def upcoming(cluster: Cluster, n: int, after: dt.datetime | None) -> list[Meeting]:
    """The next ``n`` active meetings of ``cluster`` starting strictly after ``after``.

    A meeting that starts exactly at ``after``, or is in progress then, is not among
    them. A date means local midnight, a naive datetime a local time, both in the
    cluster's timezone.
    """
    if n <= 0:
        return []
    tz = zone(cluster.timezone)
    moment = _aware(after, tz) if after is not None else dt.datetime.now(UTC)
    instant = moment.astimezone(UTC)
    # A month per meeting wanted, widened fourfold until enough are found: a short
    # first window keeps ``next`` from expanding (and flagging holidays over) a year.
    span = dt.timedelta(days=31 * n)
    limit = moment + dt.timedelta(days=365 * 200)
    while True:
        end = min(moment + span, limit)
        found = [
            m for m in cluster.meetings_between(moment, end) if m.start.astimezone(UTC) > instant
        ]
        if len(found) >= n or end >= limit:
            return found[:n]
        span *= 4
