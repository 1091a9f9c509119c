"""The occurrences a subscriber must see, computed from the model, not from a feed.

Each occurrence is a dict of the form the engine readers of
:mod:`tests.support.engines` print: ``uid``, ``start`` and ``end`` (a UTC instant
``2024-01-11T07:30:00Z``, or the local date of an all-day event, its end exclusive),
``allDay``, ``summary``, ``description``, ``location`` and ``status``. The texts
follow the feed's documented layout (``docs/subscribe.md``): the topic or the
name as SUMMARY, prefixed when cancelled; DESCRIPTION the name and topic, the
description, the speakers and testimonies, the venue, one per line; LOCATION the
venue and its commune.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from nogentech import Cluster, Meeting, Person
from nogentech.recurrence import build_rule, zone

WORDS = {
    "fr": {
        "cancelled": "Annulé : ",
        "speakers": "Intervenants : ",
        "testimonies": "Témoignages : ",
        "venue": "Lieu : ",
    },
    "en": {
        "cancelled": "Cancelled: ",
        "speakers": "Speakers: ",
        "testimonies": "Testimonies: ",
        "venue": "Venue: ",
    },
}
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")


def cleaned(text: str) -> str:
    """A TEXT value as the feed holds it: line breaks as LF, forbidden controls dropped."""
    return _FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def person_label(cluster: Cluster, ident: str, lang: str) -> str:
    """A speaker as the feed names them: a person with their organisations."""
    obj = cluster.get(ident) if ident in cluster else None
    if not isinstance(obj, Person):
        return cluster.name_of(ident, lang)
    orgs = list(obj.employers()) or [r.of for r in obj.roles if r.of and r.of != cluster.id]
    names = list(dict.fromkeys(cluster.name_of(o, lang) for o in orgs))
    return f"{obj.name} ({', '.join(names)})" if names else obj.name


def location(cluster: Cluster, venue: str | None, lang: str) -> str | None:
    """The venue, then the commune it lies in."""
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
    return cleaned(", ".join(parts))


def description(cluster: Cluster, meeting: Meeting, lang: str) -> str | None:
    words = WORDS[lang]
    lines = []
    if meeting.topic is not None:
        lines += [meeting.title.get(lang), meeting.topic.get(lang)]
    if meeting.description is not None:
        lines.append(meeting.description.get(lang))
    for key, ids in (("speakers", meeting.speakers), ("testimonies", meeting.testimonies)):
        if ids:
            lines.append(words[key] + ", ".join(person_label(cluster, i, lang) for i in ids))
    place = location(cluster, meeting.venue, lang)
    if place:
        lines.append(words["venue"] + place)
    return "\n".join(cleaned(line) for line in lines) or None


def summary(meeting: Meeting, lang: str) -> str:
    text = cleaned((meeting.topic or meeting.title).get(lang))
    return WORDS[lang]["cancelled"] + text if meeting.cancelled else text


def rule_gives(cluster: Cluster, meeting: Meeting) -> bool:
    """Whether the rule of the meeting's series gives its date (not an extra date alone)."""
    series = cluster.series(meeting.uid_base)
    day = meeting.recurrence_date
    assert day is not None
    tz = zone(series.timezone)
    rule = build_rule(series.rule, series.first_date, series.start_time, series.timezone)
    lo = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return any(stamp.date() == day for stamp in rule.between(lo, hi, inc=True))


def uid(cluster: Cluster, meeting: Meeting, expanded: bool) -> str:
    """The UID of the VEVENT that shows ``meeting`` (``docs/subscribe.md``)."""
    if meeting.recurrence_date is None:
        return f"{meeting.uid_base}@{cluster.id}"
    if expanded or not rule_gives(cluster, meeting):
        return f"{meeting.uid_base}.{meeting.recurrence_date:%Y%m%d}@{cluster.id}"
    return f"{meeting.uid_base}@{cluster.id}"


def when(moment: dt.datetime, all_day: bool) -> str:
    if all_day:
        return moment.date().isoformat()
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def library_reading(
    cluster: Cluster, lang: str, start: dt.datetime, end: dt.datetime, *, expanded: bool
) -> list[dict[str, Any]]:
    """Every occurrence starting in ``[start, end)``, cancelled ones included, as the
    feed in ``lang`` must show it."""
    found = cluster.meetings_between(start, end, include_cancelled=True)
    return [
        {
            "uid": uid(cluster, m, expanded),
            "start": when(m.start, m.all_day),
            "end": when(m.end, m.all_day),
            "allDay": m.all_day,
            "summary": summary(m, lang),
            "description": description(cluster, m, lang),
            "location": location(cluster, m.venue, lang),
            "status": "CANCELLED" if m.cancelled else "CONFIRMED",
        }
        for m in found
    ]


def ordered(occurrences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Occurrences in one order whatever order an engine gives them in."""
    return sorted(occurrences, key=lambda o: sorted((k, str(v)) for k, v in o.items()))
