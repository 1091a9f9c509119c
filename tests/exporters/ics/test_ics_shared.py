"""Values shared between the VEVENTs of one feed (see "Shared values" in the
``ics`` module): the bytes are icalendar's own, and a plugin that sets a property
of one VEVENT changes that VEVENT only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from icalendar import Calendar, vText
from icalendar import Event as VEvent

import nogentech
from nogentech import plugins
from tests.exporters.ics.test_ics import SAMPLE


@pytest.fixture
def builtin() -> nogentech.Cluster:
    if not nogentech.builtin_path().exists():
        pytest.skip("the built-in data file is not there yet")
    return nogentech.load()


@pytest.mark.parametrize(
    "options",
    [{}, {"lang": "en"}, {"expand": True}, {"expand": True, "lang": "en"}],
    ids=["fr", "en", "fr-expanded", "en-expanded"],
)
def test_feed_is_what_icalendar_writes_for_the_same_components(
    builtin: nogentech.Cluster, options: dict[str, object]
) -> None:
    """Parsed and written again by a plain ``icalendar.Calendar``, the feed gives the
    same bytes: writing each repeated line once changes nothing. (The built-in texts
    hold no backslash before an ``N``, which icalendar would read as a line break.)"""
    data = nogentech.export(builtin, "ics", **options)
    again = Calendar.from_ical(data)
    assert type(again) is Calendar
    assert again.to_ical() == data


class Relocator:
    """Sets the LOCATION of one occurrence and adds a category to another."""

    @nogentech.hookimpl
    def nogentech_ics_event(self, event: VEvent, meeting: nogentech.Meeting | None) -> None:
        if meeting is None:
            return
        if meeting.id == "rencontres-du-jeudi/2023-10-12":
            event["LOCATION"] = vText("Salle annexe")
        if meeting.id == "rencontres-du-jeudi/2023-12-14":
            event.add("categories", ["Annulé"])


@pytest.fixture
def relocator() -> Iterator[None]:
    plugins.reset([("relocator", Relocator())])
    yield
    plugins.reset()


@pytest.mark.usefixtures("relocator")
@pytest.mark.parametrize("expand", [False, True])
def test_a_plugin_setting_a_property_changes_that_vevent_only(expand: bool) -> None:
    cluster = nogentech.loads(SAMPLE, "toml")
    options = {"expand": True, "start": "2023-10-01", "end": "2024-02-01"} if expand else {}
    calendar = Calendar.from_ical(nogentech.export(cluster, "ics", **options))
    events = [e for e in calendar.events if str(e["UID"]).startswith("rencontres-du-jeudi")]
    locations = {}
    categories = {}
    for event in events:
        if "RECURRENCE-ID" in event or expand:
            key = event.get("RECURRENCE-ID", event["DTSTART"]).dt.date().isoformat()
        else:
            key = "master"
        locations[key] = str(event.get("LOCATION"))
        categories[key] = event.categories
    venue = "Salle du CFAI, bâtiment B, Nogent"
    assert locations["2023-10-12"] == "Salle annexe"
    assert {k: v for k, v in locations.items() if k != "2023-10-12"} == {
        k: venue for k in locations if k != "2023-10-12"
    }
    usual = ["Forge, estampage", "Medical; Nogent"]
    assert categories["2023-12-14"] == [*usual, "Annulé"]
    assert {k: v for k, v in categories.items() if k != "2023-12-14"} == {
        k: usual for k in categories if k != "2023-12-14"
    }
    assert len(locations) >= 3
