"""Change tracking as a subscriber lives it: the feed is read again after each edit.

Each step edits the demo cluster, records the change at a known time, and reads the
feed before and after with two engines: Mozilla's ical.js (as Thunderbird does) and
icalendar. Exactly the edited components get a new SEQUENCE, DTSTAMP and
LAST-MODIFIED; every other component keeps them byte for byte; no component is
duplicated and the engines' occurrences are the library's.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest
from icalendar import Calendar

import nogentech
from nogentech.stamps import VIEWS, Change, Stamps, view_of
from tests.conftest import make_demo

UTC = dt.UTC
JS = Path(__file__).parents[1] / "js"
T0 = dt.datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
T1 = dt.datetime(2024, 1, 20, 9, 15, 30, tzinfo=UTC)
T2 = dt.datetime(2024, 2, 2, 17, 0, 5, tzinfo=UTC)
T3 = dt.datetime(2024, 2, 3, 8, 0, tzinfo=UTC)
FEB8 = ";TZID=Europe/Paris:20240208T083000"
MAY9 = ";TZID=Europe/Paris:20240509T083000"


def renders(cluster: nogentech.Cluster) -> list[tuple[str, str, bytes]]:
    return [(fmt, view, nogentech.export(cluster, fmt, **opts)) for fmt, view, opts in VIEWS]


def feed(cluster: nogentech.Cluster, state: Stamps, **options: Any) -> bytes:
    data, pending = state.apply(
        "ics",
        view_of("ics", {"lang": "fr", **options}),
        nogentech.export(cluster, "ics", **options),
    )
    assert pending == []
    return data


def icaljs(data: bytes) -> dict[str, Any]:
    if shutil.which("node") is None or not (JS / "node_modules" / "ical.js").is_dir():
        pytest.skip("needs Node.js and tests/js installed (cd tests/js && npm ci)")
    done = subprocess.run(
        ["node", str(JS / "stamps.mjs"), "2025-01-01"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def by_component(data: bytes) -> dict[tuple[str, str | None], dict[str, Any]]:
    """ical.js's view of each VEVENT by UID and RECURRENCE-ID; a duplicate fails."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for comp in icaljs(data)["components"]:
        key = (comp["uid"], comp["recurrence_id"])
        assert key not in out, f"duplicated {key}"
        out[key] = comp
    return out


def vevents(data: bytes) -> dict[tuple[str, str], bytes]:
    """icalendar's view: each VEVENT's bytes by UID and RECURRENCE-ID; a duplicate fails."""
    out: dict[tuple[str, str], bytes] = {}
    for event in Calendar.from_ical(data).walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        key = (str(event["UID"]), rid.dt.astimezone(UTC).isoformat() if rid else "")
        assert key not in out, f"duplicated {key}"
        out[key] = event.to_ical()
    return out


def library(cluster: nogentech.Cluster) -> list[tuple[str, str, str, str, str]]:
    end = dt.datetime(2025, 1, 1, tzinfo=UTC)
    found = cluster.meetings_between(
        dt.datetime(2000, 1, 1, tzinfo=UTC), end, include_cancelled=True
    )
    out = []
    for m in found:
        title = (m.topic or m.title).get("fr")
        if m.all_day:
            start, end_ = m.start.date().isoformat(), m.end.date().isoformat()
        else:
            start = m.start.astimezone(UTC).isoformat().replace("+00:00", ".000Z")
            end_ = m.end.astimezone(UTC).isoformat().replace("+00:00", ".000Z")
        summary = f"Annulé : {title}" if m.cancelled else title
        status = "CANCELLED" if m.cancelled else "CONFIRMED"
        out.append((f"{m.uid_base}@demo", start, end_, summary, status))
    return sorted(out)


def engine_occurrences(data: bytes) -> list[tuple[str, str, str, str, str]]:
    return sorted(
        (o["uid"], o["start"], o["end"], o["summary"], o["status"])
        for o in icaljs(data)["occurrences"]
    )


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def changed_keys(before: dict[Any, Any], after: dict[Any, Any]) -> list[Any]:
    assert sorted(before, key=str) == sorted(after, key=str) or set(before) <= set(after)
    return sorted((k for k in after if before.get(k) != after[k]), key=str)


@pytest.fixture(scope="module")
def steps() -> list[tuple[nogentech.Cluster, Stamps, list[Change]]]:
    """The cluster and the state after each edit: start, edit 8 Feb, cancel 9 May, describe."""
    start = attrs.evolve(make_demo(), updated=T0)
    state, changes = Stamps().record(renders(start), T0)
    out = [(start, state, changes)]
    series = start.meeting_series[0]
    feb = attrs.evolve(
        series.overrides[0],
        topic=nogentech.Text(fr="La cybersécurité des PME", en="SME cybersecurity"),
    )
    edited = attrs.evolve(
        start, meeting_series=(attrs.evolve(series, overrides=(feb, series.overrides[1])),)
    )
    cancelled_series = attrs.evolve(
        edited.meeting_series[0], cancelled=(dt.date(2024, 4, 11), dt.date(2024, 5, 9))
    )
    cancelled = attrs.evolve(edited, meeting_series=(cancelled_series,))
    described = attrs.evolve(
        cancelled,
        description=nogentech.Text(fr="Un club d’industriels de Haute-Marne.", en="A club."),
        updated=T3,
    )
    for cluster, when in ((edited, T1), (cancelled, T2), (described, T3)):
        state, changes = out[-1][1].record(renders(cluster), when)
        out.append((cluster, state, changes))
    return out


def test_the_first_record_keeps_the_feed_as_it_was(steps: list[Any]) -> None:
    """Recording into an empty state changes no byte of any feed."""
    cluster, state, changes = steps[0]
    assert changes == []
    for fmt, view, options in VIEWS:
        plain = nogentech.export(cluster, fmt, **options)
        assert state.apply(fmt, view, plain) == (plain, [])


def test_editing_one_occurrence_changes_that_component_only(steps: list[Any]) -> None:
    (c0, s0, _), (c1, s1, changes) = steps[0], steps[1]
    assert changes == [
        Change("ics", "jeudis.20240208@demo", "", "changed", 1),
        Change("ics", "jeudis@demo", FEB8, "changed", 1),
    ]
    before, after = feed(c0, s0), feed(c1, s1)
    old, new = by_component(before), by_component(after)
    assert changed_keys(old, new) == [("jeudis@demo", "2024-02-08T07:30:00.000Z")]
    assert new[("jeudis@demo", "2024-02-08T07:30:00.000Z")] == {
        "uid": "jeudis@demo",
        "recurrence_id": "2024-02-08T07:30:00.000Z",
        "sequence": 1,
        "dtstamp": stamp(T1),
        "last_modified": stamp(T1),
        "summary": "La cybersécurité des PME",
    }
    assert old[("jeudis@demo", None)]["dtstamp"] == stamp(T0)
    ours_old, ours_new = vevents(before), vevents(after)
    assert changed_keys(ours_old, ours_new) == [("jeudis@demo", "2024-02-08T07:30:00+00:00")]
    assert engine_occurrences(after) == library(c1)


def test_cancelling_a_date_adds_one_component_above_its_series(steps: list[Any]) -> None:
    """The new RECURRENCE-ID component gets one more than the series' SEQUENCE and the
    time of the cancellation; the rest of the feed keeps its values."""
    (c1, s1, _), (c2, s2, changes) = steps[1], steps[2]
    assert changes == [
        Change("ics", "jeudis.20240509@demo", "", "changed", 1),
        Change("ics", "jeudis@demo", MAY9, "new", 1),
    ]
    before, after = feed(c1, s1), feed(c2, s2)
    old, new = by_component(before), by_component(after)
    assert set(new) - set(old) == {("jeudis@demo", "2024-05-09T06:30:00.000Z")}
    assert changed_keys(old, new) == [("jeudis@demo", "2024-05-09T06:30:00.000Z")]
    assert new[("jeudis@demo", "2024-05-09T06:30:00.000Z")] == {
        "uid": "jeudis@demo",
        "recurrence_id": "2024-05-09T06:30:00.000Z",
        "sequence": 1,
        "dtstamp": stamp(T2),
        "last_modified": stamp(T2),
        "summary": "Annulé : Les jeudis",
    }
    assert engine_occurrences(after) == library(c2)
    assert (
        "jeudis@demo",
        "2024-05-09T06:30:00.000Z",
        "2024-05-09T08:30:00.000Z",
        "Annulé : Les jeudis",
        "CANCELLED",
    ) in engine_occurrences(after)


def test_changing_the_clusters_description_changes_no_component(steps: list[Any]) -> None:
    """A new description and a later ``updated`` stamp leave every feed byte for byte:
    neither is in any VEVENT or card."""
    (c2, s2, _), (c3, s3, changes) = steps[2], steps[3]
    assert changes == []
    assert feed(c3, s3) == feed(c2, s2)
    for fmt, view, options in VIEWS:
        assert s3.apply(fmt, view, nogentech.export(c3, fmt, **options)) == s2.apply(
            fmt, view, nogentech.export(c2, fmt, **options)
        )
    assert b"LAST-MODIFIED:20240203T080000Z" in nogentech.export(c3, "ics")


def test_the_same_data_and_state_give_the_same_bytes(steps: list[Any]) -> None:
    cluster, state, _ = steps[-1]
    again = Stamps.loads(state.dumps())
    assert again == state
    assert again.dumps() == state.dumps()
    assert feed(cluster, again) == feed(cluster, state)
    assert feed(cluster, again, expand=True) == feed(cluster, state, expand=True)
