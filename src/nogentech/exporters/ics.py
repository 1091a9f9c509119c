"""The ``ics`` exporter: the meetings as an iCalendar feed (RFC 5545) ready for subscription.

Layout of the feed:

* ``VCALENDAR`` with PRODID, VERSION, CALSCALE, METHOD:PUBLISH, NAME and
  X-WR-CALNAME, X-WR-CALDESC, X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL (both in
  hours, ``PT12H``, whatever form the ``refresh`` option has).
* One ``VTIMEZONE`` per zone used (and the cluster's zone) with its STANDARD and
  DAYLIGHT observances, read from the tz database from the year before the first
  meeting to ten years after the last date the data mentions. A change that follows
  one weekday rule for at least twelve years up to then is written as an open-ended
  yearly RRULE, so the zone stays right for series without an end; other changes
  are listed with RDATE.
* A series is one master VEVENT (DTSTART;TZID, DTEND, RRULE with UNTIL in UTC, RDATE
  for extra dates), then one VEVENT per override or cancelled date with the same UID
  and a RECURRENCE-ID. Cancelled dates stay in the feed as STATUS:CANCELLED rather
  than EXDATE, so that clients drop copies they already hold. With ``expand=true``
  every occurrence is a VEVENT of its own, without RRULE or RECURRENCE-ID.
* A one-off event is one VEVENT; an all-day one has VALUE=DATE and an exclusive DTEND.

Options: ``series``, ``sub_cluster`` and ``commission`` keep what is linked to those
ids (an unknown id is an :class:`~nogentech.OptionError` naming the valid ones);
``start`` and ``end`` keep the series with an occurrence in the window, whole with
all their overrides, and the events starting in it. With ``expand`` they bound the
occurrences; by default from the first meeting to 1 January two years after the
last date the data mentions (its ``updated`` stamp included), never from today.

Stable output: the UID of a series or event is ``<id>@<cluster id>``; an expanded
occurrence is ``<series id>.<YYYYMMDD>@<cluster id>`` where the date is the one the
rule gave (a dot never occurs in an id, so the two kinds never clash). DTSTAMP and
LAST-MODIFIED are the ``updated`` stamp of the event, series or override (the later
of series and override), else the cluster's ``updated``; without any, DTSTAMP is
:data:`FALLBACK_STAMP` and LAST-MODIFIED is left out. SEQUENCE is the data's
``sequence``. The same data and options give the same bytes: nothing reads the clock.

Text: TEXT values are escaped here (section 3.3.11) rather than by icalendar, whose
escaping turns a backslash followed by ``N`` into a line break. CR LF and a lone CR
become LF; the control characters RFC 5545 forbids in TEXT (all but tab and line
breaks) and U+FEFF are dropped. The organiser's name (the CN parameter of
ORGANIZER) is cleaned the same way, with tabs as spaces; icalendar writes it with
the RFC 6868 escapes (``^n``, ``^'``, ``^^``). icalendar folds lines at 75 octets
without splitting a UTF-8 character, and ends them with CR LF.

Shared values: the values that many VEVENTs of one feed repeat (DTSTAMP and
LAST-MODIFIED, STATUS, SEQUENCE, the LOCATION of a venue, the CATEGORIES, URL and
ORGANIZER of a series, the SUMMARY and DESCRIPTION of occurrences without a
programme) are built once per render and the same object is set in each of those
VEVENTs, and the feed makes and folds the content line of such a value once. The
bytes are those of adding every property to every VEVENT. A plugin that changes a
VEVENT sets or adds properties (``event["LOCATION"] = ...``, ``event.add(...)``);
changing a value object in place would change it in every VEVENT that shares it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..exceptions import OptionError
from ..hookspecs import hookimpl
from ..meetings import Event, Meeting, MeetingSeries
from ..people import Person
from ..plugins import LANG_OPTION, Exporter, Hooks, Option
from ..recurrence import Window, _rule_text, event_meeting, window, zone

if TYPE_CHECKING:
    from icalendar import Calendar, Timezone
    from icalendar import Event as VEvent

    from ..cluster import Cluster
    from ..plugins import ExporterRegistry
    from ..text import Text

__all__ = ["FALLBACK_STAMP", "MEDIA_TYPE", "clean_text", "escape_text", "render"]

MEDIA_TYPE = "text/calendar"
UTC = dt.UTC
FALLBACK_STAMP = dt.datetime(2000, 1, 1, tzinfo=UTC)
"""DTSTAMP of an item when neither it nor the cluster has an ``updated`` stamp."""
ZONE_YEARS_AFTER = 10
"""Years after the data's last date that each VTIMEZONE is checked for."""

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "meetings": "Rencontres",
        "about": "Rencontres et événements de",
        "speakers": "Intervenants : ",
        "testimonies": "Témoignages : ",
        "venue": "Lieu : ",
        "cancelled": "Annulé : ",
    },
    "en": {
        "meetings": "Meetings",
        "about": "Meetings and events of",
        "speakers": "Speakers: ",
        "testimonies": "Testimonies: ",
        "venue": "Venue: ",
        "cancelled": "Cancelled: ",
    },
}

OPTIONS = (
    LANG_OPTION,
    Option(
        "expand",
        "One VEVENT per occurrence, without RRULE (for clients that ignore recurrence).",
        "bool",
        False,
    ),
    Option(
        "start",
        "Keep meetings starting on or after this day; with expand, default: the first meeting.",
        "date",
    ),
    Option(
        "end",
        "Keep meetings starting before this day; with expand, default: 1 January two years "
        "after the last date the data mentions.",
        "date",
    ),
    Option("series", "Only these meeting series (ids; leaves out one-off events).", "list"),
    Option("sub_cluster", "Only series and events linked to these sub-clusters (ids).", "list"),
    Option("commission", "Only series and events linked to these commissions (ids).", "list"),
    Option("refresh", "Suggested refresh interval, an RFC 5545 duration.", "str", "PT12H"),
)

RULE_MIN_YEARS = 12
"""Years a time-zone change must follow one weekday rule to be written as an RRULE
(in fewer years, a rule such as "the Saturday before the last Sunday" can look like
"the last Saturday")."""

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_State = tuple[dt.timedelta, bool, str]


# -- text ----------------------------------------------------------------------


def clean_text(value: str) -> str:
    """``value`` as a TEXT property holds it: line breaks as LF, forbidden controls dropped."""
    return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping of a cleaned value: ``\\``, ``;``, ``,`` and line breaks."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@functools.cache
def _text_type() -> Any:
    from icalendar.prop import vText

    class EscapedText(vText):
        """A TEXT value written with :func:`escape_text`."""

        def to_ical(self) -> bytes:
            return escape_text(str(self)).encode("utf-8")

    return EscapedText


def _text(value: str) -> Any:
    return _text_type()(clean_text(value))


@functools.cache
def _local_time_type() -> Any:
    from icalendar.prop import vDatetime

    class LocalTime(vDatetime):
        """A DATE-TIME whose TZID parameter was found once for its zone."""

        def __init__(self, moment: dt.datetime, params: Any) -> None:
            self.dt = moment
            self.params = params

    return LocalTime


@functools.cache
def _feed_type() -> Any:
    from icalendar import Calendar
    from icalendar.parser import Contentline, Parameters

    class Line(Contentline):
        """A content line that folds itself once, however often the feed repeats it."""

        __slots__ = ("folded",)
        folded: bytes

        def to_ical(self) -> bytes:
            try:
                return self.folded
            except AttributeError:
                self.folded = super().to_ical()  # type: ignore[no-untyped-call]
                return self.folded

    class Feed(Calendar):
        """A VCALENDAR that makes the content line of a repeated value once.

        While the feed is written, a value object met again under the same name (a
        value the VEVENTs share, or the same BEGIN or END) gives the line already
        made, folded once.
        """

        def content_lines(self, sorted: bool = True) -> Any:  # noqa: A002 - icalendar's name
            self._made: dict[tuple[str, object, bool], tuple[object, Any]] = {}
            try:
                return super().content_lines(sorted=sorted)
            finally:
                del self._made

        def content_line(self, name: str, value: Any, sorted: bool = True) -> Any:  # noqa: A002
            made = getattr(self, "_made", None)
            if made is None:
                return super().content_line(name, value, sorted=sorted)
            # the values listed for one writing stay alive until it ends, so an id
            # names one object; bytes (BEGIN, END) are compared by value
            key = (name, value if isinstance(value, bytes) else id(value), sorted)
            found = made.get(key)
            if found is None or not (found[0] is value or isinstance(value, bytes)):
                params = value.params if hasattr(value, "params") else Parameters()
                found = made[key] = (value, Line.from_parts(name, params, value, sorted=sorted))
            return found[1]

    return Feed


def _categories(names: Sequence[str]) -> Any:
    from icalendar.prop import vCategory

    value = vCategory([])
    value.cats = [_text(n) for n in names]
    return value


# -- options and selection -----------------------------------------------------


def _refresh(text: str) -> dt.timedelta:
    from ..converters import parse_duration

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


def _clock_duration(value: dt.timedelta) -> str:
    """A positive duration in hours, minutes and seconds: ``PT12H``, ``PT30H``, ``PT1H30M``.

    The refresh hints are written in this form only (no days or weeks), the one
    every client reads (section 3.3.6 allows both).
    """
    hours, rest = divmod(int(value.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "PT" + clock + (f"{seconds}S" if seconds or not clock else "")


@functools.cache
def _clock_type() -> Any:
    from icalendar.prop import vDuration

    class ClockDuration(vDuration):
        """A DURATION written with :func:`_clock_duration`."""

        def to_ical(self) -> bytes:
            return _clock_duration(self.td).encode("ascii")

    return ClockDuration


def _check_ids(option: str, wanted: Sequence[str], valid: Sequence[str]) -> None:
    unknown = [i for i in wanted if i not in valid]
    if unknown:
        raise OptionError(
            f"option {option!r}: unknown id{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (valid: {', '.join(sorted(valid)) or 'none'})"
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
        until = re.search(r"UNTIL=(\d{8})", _rule_text(s.rule, zone(s.timezone)))
        if until:
            out.add(dt.datetime.strptime(until.group(1), "%Y%m%d").date())
    for e in events:
        out.update((e.date, e.end_date or e.date))
    if cluster.updated is not None:
        out.add(cluster.updated.date())
    return out


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
        end = dt.date(max(last.year, lo.year) + 2, 1, 1)
    return window(cluster.timezone, lo, end)


# -- content of a VEVENT ---------------------------------------------------------


def _summary(meeting: Meeting, lang: str) -> str:
    text = (meeting.topic or meeting.title).get(lang)
    return WORDS[lang]["cancelled"] + text if meeting.cancelled else text


def _person_label(cluster: Cluster, ident: str, lang: str) -> str:
    obj = cluster.get(ident) if ident in cluster else None
    if not isinstance(obj, Person):
        return cluster.name_of(ident, lang)
    orgs = list(obj.employers()) or [r.of for r in obj.roles if r.of and r.of != cluster.id]
    names = list(dict.fromkeys(cluster.name_of(o, lang) for o in orgs))
    return f"{obj.name} ({', '.join(names)})" if names else obj.name


def _location(cluster: Cluster, venue: str | None, lang: str) -> str | None:
    if venue is None:
        return None
    place = cluster.place_of(venue)
    parts = [place.name.get(lang)]
    outer = place
    while place.kind != "commune" and outer.within is not None:
        outer = cluster.place_of(outer.within)
        if outer.kind == "commune":
            parts.append(outer.name.get(lang))
            break
    return ", ".join(parts)


def _description(
    cluster: Cluster,
    meeting: Meeting,
    lang: str,
    label: Callable[[str], str] | None = None,
    location: Callable[[str | None], tuple[str | None, Any]] | None = None,
) -> str:
    """Title and topic, description, speakers, testimonies and venue, one per line.

    ``label`` and ``location`` give a person's label and a venue's text (the
    render's cached ones); by default they are computed here.
    """
    words = WORDS[lang]
    lines = []
    if meeting.topic is not None:
        lines += [meeting.title.get(lang), meeting.topic.get(lang)]
    if meeting.description is not None:
        lines.append(meeting.description.get(lang))
    for key, ids in (("speakers", meeting.speakers), ("testimonies", meeting.testimonies)):
        if ids:
            names = [label(i) if label else _person_label(cluster, i, lang) for i in ids]
            lines.append(words[key] + ", ".join(names))
    place = location(meeting.venue)[0] if location else _location(cluster, meeting.venue, lang)
    if place:
        lines.append(words["venue"] + place)
    return "\n".join(clean_text(line) for line in lines)


def _category_names(cluster: Cluster, item: MeetingSeries | Event, lang: str) -> list[str]:
    names = [cluster.sector(s).name.get(lang) for s in item.sectors]
    names += [cluster.sub_cluster(s).name for s in item.sub_clusters]
    return list(dict.fromkeys(names))


def _stamp(cluster: Cluster, updated: dt.datetime | None) -> tuple[dt.datetime, bool]:
    """DTSTAMP in UTC, and whether it comes from the data."""
    known = updated or cluster.updated
    stamp = known or FALLBACK_STAMP
    if stamp.tzinfo is None:  # a cluster built in code may hold a naive stamp: read it as UTC
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC), known is not None


def _encoded(name: str, value: Any) -> Any:
    """``value`` as ``Component.add(name, value)`` stores it."""
    from icalendar import Event as VEvent

    holder = VEvent()
    holder.add(name, value)
    return holder[name]


class _Properties:
    """The property values of one render, each built once and shared by the VEVENTs
    that carry it (see "Shared values" in the module doc).

    Every value is the one ``Component.add`` would store, so the bytes are the same
    as adding each property to each VEVENT; what depends only on a series, a venue,
    a stamp or a text is encoded once instead of once per occurrence.
    """

    def __init__(self, cluster: Cluster, lang: str) -> None:
        from icalendar.parser import Parameters
        from icalendar.prop import vDatetime, vText

        self.cluster = cluster
        self.lang = lang
        self._datetime = vDatetime
        self._local_time = _local_time_type()
        self._parameters = Parameters
        self._zones: dict[dt.tzinfo | None, Any] = {}
        self._uid = vText
        self._status = {
            False: _encoded("status", "CONFIRMED"),
            True: _encoded("status", "CANCELLED"),
        }
        self._stamps: dict[dt.datetime | None, tuple[Any, Any]] = {}
        self._sequences: dict[int, Any] = {}
        self._texts: dict[str, Any] = {}
        self._summaries: dict[tuple[Text, bool], Any] = {}
        self._descriptions: dict[tuple[Any, ...], Any] = {}
        self._locations: dict[str | None, tuple[str | None, Any]] = {}
        self._labels: dict[str, str] = {}
        self._items: dict[tuple[str, str], tuple[Any, Any, Any]] = {}

    def text(self, value: str) -> Any:
        """A TEXT value written with :func:`escape_text`, one object per text."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = _text(value)
        return found

    def stamps(self, updated: dt.datetime | None) -> tuple[Any, Any]:
        """DTSTAMP and LAST-MODIFIED (None when the data has no stamp) for ``updated``."""
        found = self._stamps.get(updated)
        if found is None:
            stamp, known = _stamp(self.cluster, updated)
            dtstamp = _encoded("dtstamp", stamp)
            found = self._stamps[updated] = (
                dtstamp,
                _encoded("last-modified", stamp) if known else None,
            )
        return found

    def sequence(self, number: int) -> Any:
        found = self._sequences.get(number)
        if found is None:
            found = self._sequences[number] = _encoded("sequence", number)
        return found

    def label(self, ident: str) -> str:
        found = self._labels.get(ident)
        if found is None:
            found = self._labels[ident] = _person_label(self.cluster, ident, self.lang)
        return found

    def location(self, venue: str | None) -> tuple[str | None, Any]:
        """The venue as a text, and as a LOCATION value (None without a venue)."""
        found = self._locations.get(venue)
        if found is None:
            text = _location(self.cluster, venue, self.lang)
            found = self._locations[venue] = (text, self.text(text) if text else None)
        return found

    def summary(self, meeting: Meeting) -> Any:
        key = (meeting.topic or meeting.title, meeting.cancelled)
        found = self._summaries.get(key)
        if found is None:
            found = self._summaries[key] = self.text(_summary(meeting, self.lang))
        return found

    def description(self, meeting: Meeting) -> Any:
        """DESCRIPTION of ``meeting`` (see :func:`_description`), None when empty."""
        key = (
            meeting.title,
            meeting.topic,
            meeting.description,
            meeting.speakers,
            meeting.testimonies,
            meeting.venue,
        )
        try:
            return self._descriptions[key]
        except KeyError:
            pass
        text = _description(self.cluster, meeting, self.lang, self.label, self.location)
        found = self._descriptions[key] = self.text(text) if text else None
        return found

    def of_item(self, item: MeetingSeries | Event) -> tuple[Any, Any, Any]:
        """CATEGORIES, URL and ORGANIZER of a series or event (None where it has none)."""
        key = ("series" if isinstance(item, MeetingSeries) else "event", item.id)
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = (
                self._categories(item),
                _encoded("url", item.url) if item.url else None,
                self._organizer(item),
            )
        return found

    def _categories(self, item: MeetingSeries | Event) -> Any:
        names = _category_names(self.cluster, item, self.lang)
        if not names:
            return None
        return _encoded("categories", _categories(names))

    def _organizer(self, item: MeetingSeries | Event) -> Any:
        from icalendar import vCalAddress

        cluster = self.cluster
        for ident in item.organisers:
            email = getattr(cluster.get(ident), "email", None)
            if email:
                address = vCalAddress(f"mailto:{email}")
                # parameter text: a tab becomes a space, which icalendar quotes and
                # keeps (it strips an unquoted tab at either end when reading)
                name = clean_text(cluster.name_of(ident, self.lang)).replace("\t", " ")
                address.params["CN"] = name
                return _encoded("organizer", address)
        return None

    def when(self, moment: dt.datetime, all_day: bool, name: str) -> Any:
        """DTSTART, DTEND or RECURRENCE-ID: a DATE for an all-day meeting, else with TZID."""
        if all_day:
            return _encoded(name, moment.date())
        tz = moment.tzinfo
        params = self._zones.get(tz)
        if params is None:
            params = self._zones[tz] = self._datetime(moment).params
        return self._local_time(moment, self._parameters(params))

    def vevent(self, uid: str, meeting: Meeting, item: MeetingSeries | Event) -> VEvent:
        """The VEVENT of ``meeting``, a meeting of the series or event ``item``."""
        from icalendar import Event as VEvent

        event = VEvent()
        event["UID"] = self._uid(uid)
        dtstamp, modified = self.stamps(meeting.updated)
        event["DTSTAMP"] = dtstamp
        if modified is not None:
            event["LAST-MODIFIED"] = modified
        event["DTSTART"] = self.when(meeting.start, meeting.all_day, "dtstart")
        event["DTEND"] = self.when(meeting.end, meeting.all_day, "dtend")
        event["SUMMARY"] = self.summary(meeting)
        description = self.description(meeting)
        if description is not None:
            event["DESCRIPTION"] = description
        location = self.location(meeting.venue)[1]
        if location is not None:
            event["LOCATION"] = location
        categories, url, organizer = self.of_item(item)
        if categories is not None:
            event["CATEGORIES"] = categories
        if url is not None:
            event["URL"] = url
        if organizer is not None:
            event["ORGANIZER"] = organizer
        event["STATUS"] = self._status[meeting.cancelled]
        event["SEQUENCE"] = self.sequence(meeting.sequence)
        return event


# -- series, events, occurrences ------------------------------------------------------


def _local(date: dt.date, time: dt.time, name: str) -> dt.datetime:
    tz = zone(name)
    return dt.datetime.combine(date, time, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _master(series: MeetingSeries) -> Meeting:
    """The master VEVENT's content as a meeting: the series' own fields at its first date."""
    start = _local(series.first_date, series.start_time, series.timezone)
    end = (start.astimezone(UTC) + series.duration).astimezone(start.tzinfo)
    return Meeting(
        uid_base=series.id,
        title=series.name,
        start=start,
        end=end,
        series=series,
        description=series.description,
        venue=series.venue,
        sequence=series.sequence,
        updated=series.updated,
    )


def _exceptions(series: MeetingSeries) -> list[Meeting]:
    """The occurrences that have an override or are cancelled, by date."""
    dates = {o.date for o in series.overrides} | set(series.cancelled)
    if not dates:
        return []
    bounds = dates | {o.moved_to for o in series.overrides if o.moved_to}
    win = window(
        series.timezone, min(bounds) - dt.timedelta(days=2), max(bounds) + dt.timedelta(days=3)
    )
    found = series.expand_window(win, include_cancelled=True)
    return sorted((m for m in found if m.recurrence_date in dates), key=lambda m: m.id)


def _series_events(
    props: _Properties, series: MeetingSeries, hooks: Hooks, options: Mapping[str, Any]
) -> list[VEvent]:
    from icalendar.prop import vRecur

    cluster = props.cluster
    uid = f"{series.id}@{cluster.id}"
    master = props.vevent(uid, _master(series), series)
    master.add("rrule", vRecur.from_ical(_rule_text(series.rule, zone(series.timezone))))
    if series.extra_dates:
        extra = sorted(series.extra_dates)
        master.add("rdate", [_local(d, series.start_time, series.timezone) for d in extra])
    hooks.ics_event(master, None, cluster, options)
    out = [master]
    for meeting in _exceptions(series):
        assert meeting.recurrence_date is not None
        event = props.vevent(uid, meeting, series)
        original = _local(meeting.recurrence_date, series.start_time, series.timezone)
        event.add("recurrence-id", original)
        hooks.ics_event(event, meeting, cluster, options)
        out.append(event)
    return out


def _occurrence_uid(cluster: Cluster, meeting: Meeting) -> str:
    if meeting.recurrence_date is None:
        return f"{meeting.uid_base}@{cluster.id}"
    return f"{meeting.uid_base}.{meeting.recurrence_date:%Y%m%d}@{cluster.id}"


# -- time zones ------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _transitions(
    name: str, first_year: int, last_year: int
) -> tuple[_State, tuple[tuple[dt.datetime, _State, _State], ...]]:
    """The zone's state on 1 January ``first_year`` and each change until ``last_year`` ends.

    A state is (UTC offset, daylight saving, abbreviation); a change is (UTC
    instant, state before, state after), found to the second.
    """
    tz = zone(name)

    def state(moment: dt.datetime) -> _State:
        local = moment.astimezone(tz)
        return (local.utcoffset() or dt.timedelta(0), bool(local.dst()), local.tzname() or "")

    moment = dt.datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    stop = dt.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    step = dt.timedelta(hours=12)
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


def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE of ``name``, right from 1 January ``first_year`` on (see the module doc).

    Onsets that a yearly rule gives up to ``last_year`` share one observance with an
    RRULE; the others are listed in RDATE, DTSTART included, since some parsers read
    only the RDATE of an observance without RRULE (RFC 5545 counts a repeat once).
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    initial, changes = _transitions(name, first_year - 1, last_year)
    groups: dict[tuple[bool, dt.timedelta, dt.timedelta, str], list[dt.datetime]] = {}
    if not changes or changes[0][0] >= dt.datetime(first_year, 1, 1, tzinfo=zone(name)):
        key = (initial[1], initial[0], initial[0], initial[2])
        groups[key] = [dt.datetime(first_year - 1, 1, 1)]
    for moment, before, after in changes:
        key = (_daylight(before, after), before[0], after[0], after[2])
        groups.setdefault(key, []).append((moment + before[0]).replace(tzinfo=None))
    parts: list[tuple[list[dt.datetime], tuple[bool, dt.timedelta, dt.timedelta, str], Any]] = []
    for key, onsets in groups.items():
        head = onsets
        for k in range(len(onsets) - 1):
            rule = _yearly_rule(onsets[k:], last_year)
            if rule is not None:
                head = onsets[:k]
                parts.append((onsets[k:], key, rule))
                break
        if head:
            parts.append((head, key, None))
    component = Timezone()
    component.add("tzid", name)
    for onsets, (daylight, offset_from, offset_to, abbreviation), rule in sorted(
        parts, key=lambda part: part[0][0]
    ):
        part = TimezoneDaylight() if daylight else TimezoneStandard()
        part.add("dtstart", onsets[0])
        if rule is not None:
            part.add("rrule", rule)
        else:
            part.add("rdate", onsets)
        part.add("tzoffsetfrom", offset_from)
        part.add("tzoffsetto", offset_to)
        part.add("tzname", abbreviation)
        component.add_component(part)
    return component


# -- the feed ----------------------------------------------------------------------


def _header(
    calendar: Calendar,
    cluster: Cluster,
    lang: str,
    series: Sequence[MeetingSeries],
    options: Mapping[str, Any],
) -> None:
    from .. import __version__

    words = WORDS[lang]
    only = options.get("series") or ()
    part = series[0].name.get(lang) if len(only) == 1 and series else words["meetings"]
    name = f"{cluster.name} · {part}"
    full = cluster.full_name.get(lang) if cluster.full_name else cluster.name
    refresh = _refresh(options.get("refresh", "PT12H"))
    calendar.add("prodid", f"-//nogentech//nogentech {__version__}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", _text(name))
    calendar.add("x-wr-calname", _text(name))
    calendar.add("x-wr-caldesc", _text(f"{words['about']} {full}"))
    calendar.add("x-wr-timezone", cluster.timezone)
    calendar.add("refresh-interval", _clock_type()(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", _clock_duration(refresh))


def _vevents(
    cluster: Cluster,
    options: Mapping[str, Any],
    hooks: Hooks,
    series: Sequence[MeetingSeries],
    events: Sequence[Event],
    expand_in: Window | None,
) -> Iterator[VEvent]:
    """The VEVENTs of the feed: series and events, or their occurrences in ``expand_in``."""
    props = _Properties(cluster, options.get("lang") or "fr")
    if expand_in is not None:
        chosen = {s.id: s for s in series} | {e.id: e for e in events}
        found = cluster.meetings_between(expand_in.start, expand_in.end, include_cancelled=True)
        for meeting in found:
            if meeting.uid_base in chosen:
                uid = _occurrence_uid(cluster, meeting)
                vevent = props.vevent(uid, meeting, chosen[meeting.uid_base])
                hooks.ics_event(vevent, meeting, cluster, options)
                yield vevent
        return
    for s in series:
        yield from _series_events(props, s, hooks, options)
    for e in events:
        meeting = event_meeting(e)
        vevent = props.vevent(f"{e.id}@{cluster.id}", meeting, e)
        hooks.ics_event(vevent, meeting, cluster, options)
        yield vevent


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The iCalendar feed of ``cluster``'s meetings; same data and options, same bytes."""
    lang = options.get("lang") or "fr"
    series, events = _select(cluster, options)
    win = _window(cluster, options, series, events)
    expand = bool(options.get("expand"))
    if win is not None and not expand:
        series = [s for s in series if s.expand_window(win, include_cancelled=True)]
        events = [e for e in events if event_meeting(e).start in win]
    calendar = _feed_type()()
    _header(calendar, cluster, lang, series, options)
    dates = _dates(cluster, series, events)
    first_year = min(dates, default=FALLBACK_STAMP.date()).year
    last_year = max(dates, default=FALLBACK_STAMP.date()).year + ZONE_YEARS_AFTER
    if win is not None and expand:
        last_year = max(last_year, win.end.year)
    for name in sorted(
        {cluster.timezone, *(s.timezone for s in series), *(e.timezone for e in events)}
    ):
        calendar.add_component(_vtimezone(name, first_year, last_year))
    for vevent in _vevents(cluster, options, hooks, series, events, win if expand else None):
        calendar.add_component(vevent)
    hooks.ics_calendar(calendar, cluster, options)
    data: bytes = calendar.to_ical()
    return data


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``ics`` format."""
    registry.add(
        Exporter(
            name="ics",
            extension="ics",
            media_type=MEDIA_TYPE,
            description="The meetings as an iCalendar feed to subscribe to (RFC 5545).",
            render=render,
            options=OPTIONS,
        )
    )
