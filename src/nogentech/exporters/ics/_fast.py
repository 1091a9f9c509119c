"""The ``ics`` feed written directly as text, without importing icalendar.

Used when no plugin implements ``nogentech_ics_calendar`` or ``nogentech_ics_event``
(the hooks that receive icalendar objects): the same VEVENTs (:func:`_specs`) and
VTIMEZONEs, each property in the order and form icalendar writes it, so the bytes
are those of the icalendar path (see "Two ways to write the feed" in ``docs/ics.md``).
Each content line that many VEVENTs share is made and folded once per render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...content_lines import FOLD_OCTETS, clean_text, escape_text, fold_line, param_value
from ...meetings import Event, Meeting, MeetingSeries
from ._content import (
    UTC,
    WORDS,
    _category_names,
    _description,
    _description_key,
    _location,
    _person_label,
    _stamp,
    _summary,
    _uri,
)
from ._events import _Spec, _specs
from ._lines import _date, _local_stamp, _plain_text, _recur, _rule_parts
from ._timezones import _vtimezone_text
from ._values import _clock_duration, written_span

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...recurrence import Window

UTC_ZONES = frozenset(
    (
        *("Africa/Abidjan", "Africa/Accra", "Africa/Bamako", "Africa/Banjul", "Africa/Conakry"),
        *("Africa/Dakar", "Africa/Freetown", "Africa/Lome", "Africa/Nouakchott"),
        *("Africa/Ouagadougou", "Africa/Timbuktu", "Atlantic/Reykjavik", "Atlantic/St_Helena"),
        *("Etc/GMT", "Etc/GMT+0", "Etc/GMT-0", "Etc/GMT0", "Etc/Greenwich", "Etc/UCT"),
        *("Etc/UTC", "Etc/Universal", "Etc/Zulu", "GMT", "GMT+0", "GMT-0", "GMT0"),
        *("Greenwich", "Iceland", "UCT", "UTC", "Universal", "Zulu"),
    )
)
"""Zones whose times icalendar writes in UTC (``Z``, no TZID): those it holds equivalent
to UTC. Any other zone is written with its own name as TZID."""


_CN_QUOTED = " '"
"""icalendar quotes a CN that holds one of these."""


def _text_line(name: str, value: str) -> str:
    return fold_line(f"{name}:{escape_text(clean_text(value))}")


class _Writer:
    """The content lines of one render, each shared line made once (by value)."""

    def __init__(self, cluster: Cluster, lang: str) -> None:
        self.cluster = cluster
        self.lang = lang
        self._zones: dict[dt.tzinfo | None, tuple[str, str]] = {}
        self._stamps: dict[dt.datetime | None, tuple[str, str | None]] = {}
        self._summaries: dict[tuple[Any, bool], str] = {}
        self._descriptions: dict[tuple[Any, ...], str | None] = {}
        self._locations: dict[str | None, tuple[str | None, str | None]] = {}
        self._labels: dict[str, str] = {}
        self._items: dict[tuple[str, str], tuple[str | None, str | None, str | None]] = {}
        self._lines: dict[str, str] = {}
        self._plain: dict[int, tuple[str | None]] = {}
        """The DESCRIPTION of a series' occurrences without override, by id of the series
        (the series outlive the render)."""

    def folded(self, line: str) -> str:
        if len(line) < 19:
            return line
        found = self._lines.get(line)
        if found is None:
            found = self._lines[line] = fold_line(line)
        return found

    def when(self, name: str, moment: dt.datetime, all_day: bool) -> str:
        if all_day:
            return f"{name};VALUE=DATE:{_date(moment)}"
        zone = self._zones.get(moment.tzinfo)
        if zone is None:
            key = str(getattr(moment.tzinfo, "key", ""))
            if key in UTC_ZONES or moment.tzinfo is UTC:
                zone = self._zones[moment.tzinfo] = ("", "Z")
            else:
                zone = self._zones[moment.tzinfo] = (";TZID=" + param_value(key), "")
        line = f"{name}{zone[0]}:{_local_stamp(moment)}{zone[1]}"
        return line if len(line) < FOLD_OCTETS else fold_line(line)

    def stamps(self, updated: dt.datetime | None) -> tuple[str, str | None]:
        found = self._stamps.get(updated)
        if found is None:
            stamp, known = _stamp(self.cluster, updated)
            value = _local_stamp(stamp) + "Z"
            found = self._stamps[updated] = (
                "DTSTAMP:" + value,
                "LAST-MODIFIED:" + value if known else None,
            )
        return found

    def label(self, ident: str) -> str:
        found = self._labels.get(ident)
        if found is None:
            found = self._labels[ident] = _person_label(self.cluster, ident, self.lang)
        return found

    def location(self, venue: str | None) -> tuple[str | None, str | None]:
        found = self._locations.get(venue)
        if found is None:
            text = _location(self.cluster, venue, self.lang)
            found = self._locations[venue] = (text, _text_line("LOCATION", text) if text else None)
        return found

    def summary(self, meeting: Meeting) -> str:
        key = (meeting.topic or meeting.title, meeting.cancelled)
        found = self._summaries.get(key)
        if found is None:
            found = self._summaries[key] = _text_line("SUMMARY", _summary(meeting, self.lang))
        return found

    def description(self, meeting: Meeting) -> str | None:
        series = meeting.series
        if series is not None and meeting.override is None:
            # an occurrence without override says what its series says
            plain = self._plain.get(id(series))
            if plain is None:
                plain = self._plain[id(series)] = (self._description(meeting),)
            return plain[0]
        return self._description(meeting)

    def _description(self, meeting: Meeting) -> str | None:
        key = _description_key(meeting)
        try:
            return self._descriptions[key]
        except KeyError:
            pass
        text = _description(self.cluster, meeting, self.lang, self.label, self.location)
        # the text is made of cleaned lines: it is escaped without cleaning it again
        found = self._descriptions[key] = (
            fold_line("DESCRIPTION:" + escape_text(text)) if text else None
        )
        return found

    def of_item(self, item: MeetingSeries | Event) -> tuple[str | None, str | None, str | None]:
        """CATEGORIES, URL and ORGANIZER lines of a series or event (None where it has none)."""
        key = ("series" if isinstance(item, MeetingSeries) else "event", item.id)
        found = self._items.get(key)
        if found is None:
            names = _category_names(self.cluster, item, self.lang)
            categories = None
            if names:
                value = ",".join(escape_text(clean_text(n)) for n in names)
                categories = fold_line("CATEGORIES:" + value)
            uri = _uri(item.url) if item.url else ""
            url = fold_line("URL:" + uri) if uri else None
            found = self._items[key] = (categories, url, self._organizer(item))
        return found

    def _organizer(self, item: MeetingSeries | Event) -> str | None:
        cluster = self.cluster
        for ident in item.organisers:
            email = getattr(cluster.get(ident), "email", None)
            if email:
                name = clean_text(cluster.name_of(ident, self.lang)).replace("\t", " ")
                cn = param_value(name, _CN_QUOTED)
                return fold_line(f"ORGANIZER;CN={cn}:mailto:{email}")
        return None

    def vevent(self, spec: _Spec, out: list[str]) -> None:
        """Append the content lines of the VEVENT of ``spec`` to ``out``."""
        meeting = spec.meeting
        all_day = meeting.all_day
        dtstamp, modified = self.stamps(meeting.updated)
        start, end = written_span(meeting, spec.item, spec.master)
        out += (
            "BEGIN:VEVENT",
            self.summary(meeting),
            self.when("DTSTART", start, all_day),
            self.when("DTEND", end, all_day),
            dtstamp,
            self.folded("UID:" + _plain_text(spec.uid)),
        )
        if spec.original is not None:
            out.append(self.when("RECURRENCE-ID", spec.original, False))
        out.append(f"SEQUENCE:{meeting.sequence}")
        if spec.rule is not None:
            out.append(self.folded("RRULE:" + _recur(_rule_parts(spec.rule))))
        categories, url, organizer = self.of_item(spec.item)
        if categories is not None:
            out.append(categories)
        description = self.description(meeting)
        if description is not None:
            out.append(description)
        if modified is not None:
            out.append(modified)
        location = self.location(meeting.venue)[1]
        if location is not None:
            out.append(location)
        if organizer is not None:
            out.append(organizer)
        out.append("STATUS:CANCELLED" if meeting.cancelled else "STATUS:CONFIRMED")
        if url is not None:
            out.append(url)
        out.append("END:VEVENT")


def _header(
    cluster: Cluster, lang: str, title: str, refresh: dt.timedelta, version: str
) -> list[str]:
    words = WORDS[lang]
    full = cluster.full_name.get(lang) if cluster.full_name else cluster.name
    clock = _clock_duration(refresh)
    return [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        fold_line(f"PRODID:{_plain_text(f'-//nogentech//nogentech {version}//{lang.upper()}')}"),
        "CALSCALE:GREGORIAN",
        _text_line("X-WR-CALDESC", f"{words['about']} {full}"),
        _text_line("NAME", title),
        _text_line("X-WR-CALNAME", title),
        "REFRESH-INTERVAL;VALUE=DURATION:" + clock,
        "X-PUBLISHED-TTL:" + _plain_text(clock),
        fold_line("X-WR-TIMEZONE:" + _plain_text(cluster.timezone)),
    ]


def feed(
    cluster: Cluster,
    options: Mapping[str, Any],
    header: tuple[str, dt.timedelta, str],
    zones: Sequence[tuple[str, int, int]],
    series: Sequence[MeetingSeries],
    events: Sequence[Event],
    expand_in: Window | None,
    one: tuple[Meeting, dt.datetime | None] | None = None,
) -> bytes:
    """The feed's bytes: ``header`` is (title, refresh, version), ``zones`` the VTIMEZONEs
    (name, first year, last year); ``one`` a single meeting and its RECURRENCE-ID instead
    of the VEVENTs of ``series`` and ``events``."""
    lang = options.get("lang") or "fr"
    out = _header(cluster, lang, *header)
    out += (_vtimezone_text(*zone) for zone in zones)
    writer = _Writer(cluster, lang)
    if one is not None:
        meeting, original = one
        item = meeting.series or meeting.event
        assert item is not None
        uid = f"{meeting.uid_base}@{cluster.id}"
        writer.vevent(_Spec(uid, meeting, item, None, original, False), out)
    else:
        for spec in _specs(cluster, series, events, expand_in):
            writer.vevent(spec, out)
    out.append("END:VCALENDAR\r\n")
    return "\r\n".join(out).encode("utf-8")
