"""The ``meetings-json`` exporter: occurrences of a window, checked against the library,
an independent expander of the iCalendar feed, and the shipped JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import icalendar
import jsonschema
import pytest
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster
from nogentech.exceptions import OptionError
from nogentech.testing import clusters

PARIS = ZoneInfo("Europe/Paris")


def schema() -> dict[str, Any]:
    text = (resources.files("nogentech") / "data" / "meetings.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def validate(document: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(document)


def occurrences(cluster: Cluster, **options: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(nogentech.export(cluster, "meetings-json", **options))
    return loaded


WINDOW = {"from": "2024-01-01", "to": "2024-06-01"}


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_demo_document_validates_and_has_exact_occurrences(demo: Cluster) -> None:
    document = occurrences(demo, **WINDOW)
    validate(document)
    assert {k: v for k, v in document.items() if k != "meetings"} == {
        "schema_version": 1,
        "cluster": {"id": "demo", "name": "DEMO"},
        "lang": "fr",
        "timezone": "Europe/Paris",
        "from": "2024-01-01",
        "to": "2024-06-01",
    }
    rows = [(m["id"], m["start"], m["end"], m["status"]) for m in document["meetings"]]
    assert rows == [
        (
            "jeudis/2024-01-11",
            "2024-01-11T08:30:00+01:00",
            "2024-01-11T10:30:00+01:00",
            "confirmed",
        ),
        (
            "jeudis/2024-02-08",
            "2024-02-08T08:30:00+01:00",
            "2024-02-08T10:30:00+01:00",
            "confirmed",
        ),
        ("visite", "2024-02-08T14:00:00+01:00", "2024-02-08T17:00:00+01:00", "confirmed"),
        (
            "jeudis/2024-03-14",
            "2024-03-15T09:00:00+01:00",
            "2024-03-15T11:00:00+01:00",
            "confirmed",
        ),
        ("salon", "2024-03-20T00:00:00+01:00", "2024-03-22T00:00:00+01:00", "confirmed"),
        (
            "jeudis/2024-04-11",
            "2024-04-11T08:30:00+02:00",
            "2024-04-11T10:30:00+02:00",
            "cancelled",
        ),
        (
            "jeudis/2024-05-09",
            "2024-05-09T08:30:00+02:00",
            "2024-05-09T10:30:00+02:00",
            "confirmed",
        ),
    ]
    by_id = {m["id"]: m for m in document["meetings"]}
    assert by_id["jeudis/2024-05-09"]["holiday"] == "Ascension"
    assert by_id["jeudis/2024-03-14"]["recurrence_id"] == "2024-03-14T08:30:00+01:00"
    assert by_id["salon"]["all_day"] is True
    assert by_id["salon"]["recurrence_id"] is None
    assert by_id["salon"]["venue"] == {
        "id": "chaumont",
        "name": "Chaumont",
        "kind": "commune",
        "address": None,
        "place": None,
        "organisation": None,
    }


def test_programmed_occurrence_in_english_is_exact(demo: Cluster) -> None:
    document = occurrences(demo, lang="en", **WINDOW)
    validate(document)
    meeting = next(m for m in document["meetings"] if m["id"] == "jeudis/2024-02-08")
    assert meeting == {
        "id": "jeudis/2024-02-08",
        "uid": "jeudis@demo",
        "recurrence_id": "2024-02-08T08:30:00+01:00",
        "title": "Thursdays",
        "series": {"id": "jeudis", "name": "Thursdays"},
        "event": None,
        "start": "2024-02-08T08:30:00+01:00",
        "end": "2024-02-08T10:30:00+01:00",
        "timezone": "Europe/Paris",
        "all_day": False,
        "status": "confirmed",
        "topic": "Cybersecurity",
        "description": None,
        "speakers": [{"id": "carol", "name": "Carol Petit", "kind": "person"}],
        "testimonies": [{"id": "usine-b", "name": "Usine B", "kind": "organisation"}],
        "venue": {
            "id": "atelier",
            "name": "Forge workshop",
            "kind": "venue",
            "address": None,
            "place": {"id": "nogent", "name": "Nogent"},
            "organisation": {"id": "forges-a", "name": "Forges A"},
        },
        "holiday": None,
        "url": None,
        "sequence": 0,
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_builtin_data_validates(lang: str) -> None:
    validate(occurrences(nogentech.load(), lang=lang, **{"from": "2023-01-01", "to": "2026-01-01"}))


def _library_rows(cluster: Cluster, first: dt.date, last: dt.date) -> list[tuple[str, str, str]]:
    found = cluster.meetings_between(first, last, include_cancelled=True)
    return [(m.id, m.start.isoformat(), m.end.isoformat()) for m in found]


@pytest.mark.parametrize("cluster_name", ["demo", "builtin"])
def test_occurrences_equal_meetings_between(cluster_name: str, demo: Cluster) -> None:
    cluster = demo if cluster_name == "demo" else nogentech.load()
    first, last = dt.date(2021, 1, 1), dt.date(2027, 1, 1)
    document = occurrences(cluster, **{"from": first.isoformat(), "to": last.isoformat()})
    rows = [(m["id"], m["start"], m["end"]) for m in document["meetings"]]
    assert rows == _library_rows(cluster, first, last)
    cancelled = {m.id for m in cluster.meetings_between(first, last, include_cancelled=True)}
    cancelled -= {m.id for m in cluster.meetings_between(first, last)}
    assert {m["id"] for m in document["meetings"] if m["status"] == "cancelled"} == cancelled


def _from_feed(
    cluster: Cluster, first: dt.date, last: dt.date, **options: Any
) -> list[tuple[str, str | None, str, str, str]]:
    """(UID, RECURRENCE-ID, start, end, STATUS) of each occurrence recurring-ical-events reads."""
    calendar = icalendar.Calendar.from_ical(nogentech.export(cluster, "ics", **options))
    # the expander stamps every occurrence with a RECURRENCE-ID, a one-off event's too
    recurring = {str(e["UID"]) for e in calendar.walk("VEVENT") if "RRULE" in e}
    out = []
    for event in recurring_ical_events.of(calendar).between(first, last):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if not isinstance(start, dt.datetime):  # an all-day event: local midnights
            start = dt.datetime.combine(start, dt.time(0), tzinfo=PARIS)
            end = dt.datetime.combine(end, dt.time(0), tzinfo=PARIS)
        if not first <= start.date() < last:
            continue  # the expander keeps what overlaps the window, not what starts in it
        rid = event.get("RECURRENCE-ID") if str(event["UID"]) in recurring else None
        out.append(
            (
                str(event["UID"]),
                rid.dt.isoformat() if rid is not None else None,
                start.isoformat(),
                end.isoformat(),
                str(event["STATUS"]).lower(),
            )
        )
    return sorted(out, key=lambda row: (dt.datetime.fromisoformat(row[2]), row[0], row[1] or ""))


@pytest.mark.parametrize(
    "cluster_name,options",
    [
        ("demo", {}),
        ("demo", {"series": "jeudis"}),
        ("linked", {"sub_cluster": "med"}),
        ("linked", {"commission": "comm-env"}),
        ("builtin", {}),
    ],
)
def test_occurrences_equal_what_an_independent_expander_reads_from_the_feed(
    cluster_name: str, options: dict[str, str], demo: Cluster
) -> None:
    cluster = {"demo": demo, "linked": linked(demo), "builtin": nogentech.load()}[cluster_name]
    first, last = dt.date(2021, 1, 1), dt.date(2026, 1, 1)
    window = {"from": first.isoformat(), "to": last.isoformat()}
    document = occurrences(cluster, **window, **options)
    ours = [
        (m["uid"], m["recurrence_id"], m["start"], m["end"], m["status"])
        for m in document["meetings"]
    ]
    ours.sort(key=lambda row: (dt.datetime.fromisoformat(row[2]), row[0], row[1] or ""))
    theirs = _from_feed(cluster, first, last, **options)
    assert ours == theirs
    assert ours  # the window holds meetings


def linked(demo: Cluster) -> Cluster:
    """The demo with its series linked to ``med`` and its fair to ``comm-env``."""
    series = attrs.evolve(demo.meeting_series[0], sub_clusters=("med",))
    salon, visite = demo.events
    return attrs.evolve(
        demo,
        meeting_series=(series,),
        events=(attrs.evolve(salon, commissions=("comm-env",)), visite),
    )


def test_filters_keep_what_the_feed_keeps(demo: Cluster) -> None:
    only_series = occurrences(demo, series="jeudis", **WINDOW)["meetings"]
    assert {m["uid"] for m in only_series} == {"jeudis@demo"}
    everything = occurrences(demo, **WINDOW)["meetings"]
    assert {m["uid"] for m in everything} == {"jeudis@demo", "visite@demo", "salon@demo"}
    by_sub = occurrences(linked(demo), sub_cluster="med", **WINDOW)["meetings"]
    assert {m["uid"] for m in by_sub} == {"jeudis@demo"}
    by_commission = occurrences(linked(demo), commission="comm-env", **WINDOW)["meetings"]
    assert [m["id"] for m in by_commission] == ["salon"]


def test_default_window_is_today_to_a_year_later(demo: Cluster) -> None:
    today = dt.datetime.now(PARIS).date()
    document = occurrences(demo)
    assert document["from"] == today.isoformat()
    day = today.day if (today.month, today.day) != (2, 29) else 28
    assert document["to"] == dt.date(today.year + 1, today.month, day).isoformat()
    only_to = occurrences(demo, **{"from": "2024-02-29"})
    assert only_to["to"] == "2025-02-28"


@pytest.mark.parametrize(
    "options,message",
    [
        ({"from": "2024-03-01", "to": "2024-03-01"}, "option 'to' (2024-03-01) must be after"),
        ({"from": "2024-01-01", "to": "2099-01-01"}, "a window spans at most 20 years"),
        ({"series": "nope"}, "option 'series': unknown id 'nope' (valid: jeudis)"),
        ({"from": "tomorrow"}, "option 'from': invalid value 'tomorrow'"),
    ],
)
def test_bad_options_are_option_errors(
    demo: Cluster, options: dict[str, str], message: str
) -> None:
    with pytest.raises(OptionError) as caught:
        nogentech.export(demo, "meetings-json", **options)
    assert str(caught.value).startswith(message)


def test_same_data_and_options_give_the_same_bytes(demo: Cluster) -> None:
    assert nogentech.export(demo, "meetings-json", **WINDOW) == nogentech.export(
        nogentech.loads(nogentech.dumps(demo), "json"), "meetings-json", **WINDOW
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(cluster=clusters(), lang=st.sampled_from(["fr", "en"]))
def test_any_cluster_validates_and_equals_meetings_between(cluster: Cluster, lang: str) -> None:
    """For clusters of every shape the model allows, over the years their meetings span."""
    firsts = [s.first_date for s in cluster.meeting_series] + [e.date for e in cluster.events]
    first = min(firsts, default=dt.date(2024, 1, 1))
    last = dt.date(first.year + 3, 1, 1)
    window = {"from": first.isoformat(), "to": last.isoformat()}
    document = occurrences(cluster, lang=lang, **window)
    validate(document)
    found = cluster.meetings_between(first, last, include_cancelled=True)
    assert [(m["id"], m["start"], m["status"] == "cancelled") for m in document["meetings"]] == [
        (m.id, m.start.isoformat(), m.cancelled) for m in found
    ]
