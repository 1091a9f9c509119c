"""The ``meetings-atom`` exporter, read back with feedparser."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest

import nogentech
from nogentech import Cluster
from nogentech.exporters.atom import NAMESPACE

WINDOW = {"from": "2024-01-01", "to": "2024-06-01"}
BASE = "https://feeds.example.org/nogentech"


def parsed(cluster: Cluster, **options: Any) -> Any:
    result = feedparser.parse(nogentech.export(cluster, "meetings-atom", **options))
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "atom10"
    return result


def test_entries_are_the_meetings_of_the_window_in_order(demo: Cluster) -> None:
    feed = parsed(demo, lang="en", **WINDOW)
    found = demo.meetings_between(dt.date(2024, 1, 1), dt.date(2024, 6, 1), include_cancelled=True)
    assert [e.id for e in feed.entries] == [
        uuid.uuid5(NAMESPACE, f"demo/{m.id}").urn for m in found
    ]
    assert [e.title for e in feed.entries] == [
        "Thursdays",
        "Cybersecurity",
        "Factory visit",
        "Recruiting without a CV",
        "Industry fair",
        "Cancelled: Thursdays",
        "Thursdays",
    ]
    assert feed.feed.title == "DEMO · Upcoming meetings"
    assert feed.feed.language == "en"
    assert feed.feed.author == "DEMO"


def test_entry_summary_gives_date_programme_and_venue(demo: Cluster) -> None:
    feed = parsed(demo, lang="fr", **WINDOW)
    by_title = {e.title: e for e in feed.entries}
    assert by_title["La cybersécurité"].summary == (
        "jeudi 8 février 2024, 08:30–10:30\n"
        "Les jeudis\n"
        "Intervenants : Carol Petit\n"
        "Témoignages : Usine B\n"
        "Lieu : Atelier des forges, Nogent"
    )
    assert by_title["Salon de l’industrie"].summary == (
        "mercredi 20 mars 2024 – jeudi 21 mars 2024\nLieu : Chaumont"
    )
    holiday = feed.entries[-1]
    assert holiday.summary.endswith("Jour férié : Ascension")


def test_links_to_the_page_and_the_single_meeting_calendar(demo: Cluster) -> None:
    feed = parsed(demo, lang="en", base_url=BASE + "/", **WINDOW)
    entry = feed.entries[1]
    assert [(link.href, link.rel) for link in entry.links] == [
        (f"{BASE}/?lang=en#meeting-jeudis/2024-02-08", "alternate")
    ]
    (content,) = entry.content
    assert content.type == "text/html"
    assert f'<a href="{BASE}/meetings/jeudis/2024-02-08.ics?lang=en">Add to my calendar</a>' in (
        content.value
    )
    assert {(link.href, link.rel) for link in feed.feed.links} == {
        (f"{BASE}/meetings.atom?lang=en", "self"),
        (f"{BASE}/?lang=en", "alternate"),
    }


def test_updated_comes_from_the_data(demo: Cluster) -> None:
    import attrs

    stamp = dt.datetime(2024, 1, 5, 9, 0, tzinfo=dt.UTC)
    feed = parsed(attrs.evolve(demo, updated=stamp), **WINDOW)
    assert {e.updated for e in feed.entries} == {"2024-01-05T09:00:00+00:00"}
    assert feed.feed.updated == "2024-01-05T09:00:00+00:00"


def test_same_data_same_bytes_and_default_window(demo: Cluster) -> None:
    once = nogentech.export(demo, "meetings-atom", **WINDOW)
    assert once == nogentech.export(demo, "meetings-atom", **WINDOW)
    cluster = nogentech.load()
    today = dt.datetime.now(ZoneInfo(cluster.timezone)).date()
    day = today.day if (today.month, today.day) != (2, 29) else 28
    feed = parsed(cluster)
    upcoming = cluster.meetings_between(
        today, dt.date(today.year + 1, today.month, day), include_cancelled=True
    )
    assert upcoming
    assert [e.id for e in feed.entries] == [
        uuid.uuid5(NAMESPACE, f"nogentech/{m.id}").urn for m in upcoming
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_builtin_feed_is_well_formed(lang: str) -> None:
    feed = parsed(nogentech.load(), lang=lang, **{"from": "2023-01-01", "to": "2025-01-01"})
    assert len(feed.entries) == len(
        nogentech.load().meetings_between(
            dt.date(2023, 1, 1), dt.date(2025, 1, 1), include_cancelled=True
        )
    )
