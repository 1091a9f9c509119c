"""What a VEVENT of the ``ics`` feed says, and the values shared between VEVENTs.

The SUMMARY, DESCRIPTION, LOCATION, CATEGORIES, URL, ORGANIZER, STATUS, SEQUENCE,
DTSTAMP and LAST-MODIFIED of a meeting, in the feed's language. :class:`_Properties`
builds each value once per render and sets the same object in every VEVENT that
carries it (see "Shared values" in :mod:`nogentech.exporters.ics`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...meetings import Event, Meeting, MeetingSeries
from ...people import Person
from ._values import (
    _categories,
    _encoded,
    _local_time_type,
    _text,
    clean_text,
    written_span,
)

if TYPE_CHECKING:
    from icalendar import Event as VEvent

    from ...cluster import Cluster
    from ...text import Text

UTC = dt.UTC
FALLBACK_STAMP = dt.datetime(2000, 1, 1, tzinfo=UTC)
"""DTSTAMP of an item when neither it nor the cluster has an ``updated`` stamp."""

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


def _description_key(meeting: Meeting) -> tuple[Any, ...]:
    """What the DESCRIPTION of ``meeting`` depends on: meetings with equal keys share it."""
    return (
        meeting.title,
        meeting.topic,
        meeting.description,
        meeting.speakers,
        meeting.testimonies,
        meeting.venue,
    )


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


def _uri(value: str) -> str:
    """A URL as the feed writes it: without white space or control characters.

    A URI holds neither, and a line break would end the property; the vCard
    exporter writes URLs the same way.
    """
    return "".join(clean_text(value).split())


class _Properties:
    """The property values of one render, each built once and shared by the VEVENTs
    that carry it (see "Shared values" in :mod:`nogentech.exporters.ics`).

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
        key = _description_key(meeting)
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
                _encoded("url", _uri(item.url)) if item.url and _uri(item.url) else None,
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

    def vevent(
        self, uid: str, meeting: Meeting, item: MeetingSeries | Event, *, master: bool
    ) -> VEvent:
        """The VEVENT of ``meeting``, a meeting of the series or event ``item``.

        ``master``: the VEVENT of a series' rule, whose DTSTART is its first date at
        its local start time; any other is written by its instants (see
        :func:`~nogentech.exporters.ics._values.unambiguous`).
        """
        from icalendar import Event as VEvent

        event = VEvent()
        event["UID"] = self._uid(uid)
        dtstamp, modified = self.stamps(meeting.updated)
        event["DTSTAMP"] = dtstamp
        if modified is not None:
            event["LAST-MODIFIED"] = modified
        start, end = written_span(meeting, item, master)
        event["DTSTART"] = self.when(start, meeting.all_day, "dtstart")
        event["DTEND"] = self.when(end, meeting.all_day, "dtend")
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
