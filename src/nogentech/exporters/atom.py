"""The ``meetings-atom`` exporter: the upcoming meetings as an Atom feed (RFC 4287) for
feed readers, written with feedgen.

One entry per occurrence of the window of ``meetings-json`` (today and the year after
it by default), cancelled ones included with their title saying so. Ids are
``urn:uuid:`` names derived from the cluster and meeting ids, and every date comes
from the data, so the same data and options give the same bytes. See
``docs/atom.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..plugins import Exporter, Hooks, Option
from ..text import long_date

if TYPE_CHECKING:
    import uuid

    from ..cluster import Cluster
    from ..meetings import Meeting
    from ..plugins import ExporterRegistry

MEDIA_TYPE = "application/atom+xml"
_NAMESPACE = "5b0e3a53-5e0f-4a63-9a39-2f0c7f3f6b0e"
"""Namespace of the entries' and feed's ``urn:uuid:`` ids (uuid5 of ``cluster/meeting``),
the module's ``NAMESPACE`` (made on first use: registering the format imports no uuid)."""
FALLBACK_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

WORDS = {
    "fr": {
        "title": "Rencontres à venir",
        "cancelled": "Annulé : ",
        "speakers": "Intervenants : ",
        "testimonies": "Témoignages : ",
        "venue": "Lieu : ",
        "holiday": "Jour férié : ",
        "add": "Ajouter à mon agenda",
    },
    "en": {
        "title": "Upcoming meetings",
        "cancelled": "Cancelled: ",
        "speakers": "Speakers: ",
        "testimonies": "Testimonies: ",
        "venue": "Venue: ",
        "holiday": "Public holiday: ",
        "add": "Add to my calendar",
    },
}


@functools.cache
def _namespace() -> uuid.UUID:
    import uuid

    return uuid.UUID(_NAMESPACE)


def __getattr__(name: str) -> Any:
    if name == "NAMESPACE":
        return _namespace()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
"""What XML 1.0 cannot hold; compiled by :mod:`re` on first use, not on import."""


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (controls but tab and line breaks).

    The data may hold them; the calendar feed and the vCards drop them the same way.
    """
    return re.sub(_NOT_XML, "", text)


def _options() -> tuple[Option, ...]:
    from .occurrences import OPTIONS

    return (
        *OPTIONS,
        Option(
            "base_url",
            "Public address of the feed server: entries link to its page and to "
            "/meetings/{id}.ics (default: no links).",
            "str",
        ),
    )


def entry_id(cluster: Cluster, meeting: Meeting) -> str:
    """The Atom id of a meeting's entry: the same in every run and language."""
    import uuid

    return uuid.uuid5(_namespace(), f"{cluster.id}/{meeting.id}").urn


def when(meeting: Meeting, lang: str) -> str:
    """``jeudi 10 décembre 2026, 08:30–10:30`` (an all-day event: its day or days)."""
    first = long_date(meeting.start.date(), lang)
    if meeting.all_day:
        last = (meeting.end - dt.timedelta(days=1)).date()
        return first if last == meeting.start.date() else f"{first} – {long_date(last, lang)}"
    return f"{first}, {meeting.start:%H:%M}–{meeting.end:%H:%M}"


def _stamp(cluster: Cluster, meeting: Meeting | None) -> dt.datetime:
    stamp = (meeting.updated if meeting else None) or cluster.updated or FALLBACK_STAMP
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)


def _summary(cluster: Cluster, meeting: Meeting, lang: str) -> str:
    from .occurrences import occurrence

    words = WORDS[lang]
    data = occurrence(cluster, meeting, lang)
    lines = [when(meeting, lang)]
    if data["topic"]:
        lines.append(meeting.title.get(lang))
    for key in ("speakers", "testimonies"):
        if data[key]:
            lines.append(words[key] + ", ".join(w["name"] for w in data[key]))
    venue = data["venue"]
    if venue:
        place = f", {venue['place']['name']}" if venue["place"] else ""
        lines.append(words["venue"] + venue["name"] + place)
    if data["holiday"]:
        lines.append(words["holiday"] + data["holiday"])
    return "\n".join(lines)


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The Atom feed of the meetings in the window; same data and options, same bytes."""
    import html
    import uuid

    from feedgen.feed import FeedGenerator

    from .occurrences import meetings

    lang = options.get("lang") or "fr"
    words = WORDS[lang]
    base = _xml(options.get("base_url") or "").rstrip("/")
    found = meetings(cluster, options)
    feed = FeedGenerator()
    feed.id(uuid.uuid5(_namespace(), f"{cluster.id}/meetings/{lang}").urn)
    feed.title(_xml(f"{cluster.name} · {words['title']}"))
    feed.author({"name": _xml(cluster.name) or cluster.id})
    feed.language(lang)
    feed.generator("nogentech")
    if base:
        feed.link(href=f"{base}/meetings.atom?lang={lang}", rel="self")
        feed.link(href=f"{base}/?lang={lang}", rel="alternate", type="text/html")
    feed.updated(max((_stamp(cluster, m) for m in found), default=_stamp(cluster, None)))
    for meeting in found:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(cluster, meeting))
        title = (meeting.topic or meeting.title).get(lang)
        entry.title(_xml((words["cancelled"] if meeting.cancelled else "") + title))
        entry.updated(_stamp(cluster, meeting))
        summary = _xml(_summary(cluster, meeting, lang))
        entry.summary(summary)
        content = "".join(f"<p>{html.escape(line)}</p>" for line in summary.split("\n"))
        if base:
            # One link only: feedgen 1.0 drops the rel and type of an entry's links,
            # and a second one would read as another alternate. The calendar file is
            # linked from the content instead.
            entry.link(href=f"{base}/?lang={lang}#meeting-{meeting.id}")
            ics = f"{base}/meetings/{meeting.id}.ics?lang={lang}"
            content += f'<p><a href="{html.escape(ics)}">{words["add"]}</a></p>'
        entry.content(content, type="html")
    body: bytes = feed.atom_str(pretty=True)
    return body


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``meetings-atom`` format."""
    registry.add(
        Exporter(
            name="meetings-atom",
            extension="atom",
            media_type=MEDIA_TYPE,
            description="The upcoming meetings as an Atom feed for feed readers.",
            render=render,
            options=_options(),
        )
    )
