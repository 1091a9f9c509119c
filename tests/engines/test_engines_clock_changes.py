"""Meetings at a local time that clocks skip or repeat, as the engines of real clients read them.

``tests/data/engines/dst-gap.toml`` has series whose start time does not exist on
the day clocks go forward (02:30 in Paris and 02:15 in New York) or comes twice on
the day they go back, with cancelled, programmed and moved occurrences on those
days. The feed names each override by the rule's local time (RECURRENCE-ID) and
writes a start or end that comes twice in UTC; the library, which follows RFC 5545
(a skipped time is read with the offset before the change, a repeated one is the
first), gives the occurrences the engines must read.

The Python engines (icalendar with recurring-ical-events, and ical), ical.js and,
on the expanded feed, every engine read exactly the library's occurrences.
libical and node-ical read the master feed with the differences listed here, which
no way of writing a rule avoids (``docs/clients.md``): the test fails if they read
anything else, so that a change in an engine is seen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import nogentech
from tests.engines.conftest import Case, load_case
from tests.support.engines import calendar_reading
from tests.support.occurrences import library_reading, ordered

UTC = dt.UTC


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case("dst-gap")


def feed(case: Case, tmp_path: Path, expand: bool) -> Path:
    options: dict[str, Any] = {"lang": "fr"}
    if expand:
        options.update(expand=True, start=case.start.date(), end=case.end.date())
    path = tmp_path / ("expanded.ics" if expand else "feed.ics")
    path.write_bytes(nogentech.export(case.cluster, "ics", **options))
    return path


def python_reading(engine: str, path: Path, case: Case) -> list[dict[str, Any]]:
    """The occurrences icalendar with recurring-ical-events, or ical, reads in ``path``."""
    found: list[dict[str, Any]] = []
    if engine == "recurring-ical-events":
        import icalendar
        import recurring_ical_events

        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for event in recurring_ical_events.of(calendar).between(case.start, case.end):
            start, end = event["DTSTART"].dt, event["DTEND"].dt
            found.append(
                {
                    "uid": str(event["UID"]),
                    "start": start,
                    "end": end,
                    "status": str(event["STATUS"]),
                }
            )
    else:
        from ical.calendar_stream import IcsCalendarStream

        calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
        for event in calendar.timeline.overlapping(case.start, case.end):
            found.append(
                {
                    "uid": event.uid,
                    "start": event.dtstart,
                    "end": event.dtend,
                    "status": str(event.status.value if event.status else None),
                }
            )
    return [{**o, "start": _utc(o["start"]), "end": _utc(o["end"])} for o in found]


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instants(occurrences: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return sorted((o["uid"], o["start"], o["end"], o["status"]) for o in occurrences)


# recurring-ical-events moves each instant to the calendar's X-WR-TIMEZONE by its
# local time and loses which of a repeated hour it was: the end of the meeting in
# the repeated hour comes back as its start.
REPEATED_END_LOST = {
    (
        ("nuit.20241027@nightly", "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "CONFIRMED"),
        ("nuit.20241027@nightly", "2024-10-27T00:30:00Z", "2024-10-27T00:30:00Z", "CONFIRMED"),
    )
}


@pytest.mark.parametrize(
    ("engine", "expand", "differences"),
    [
        ("ical", False, set()),
        ("ical", True, set()),
        ("recurring-ical-events", False, set()),
        ("recurring-ical-events", True, REPEATED_END_LOST),
    ],
)
def test_python_engines_read_the_library_instants(
    case: Case, engine: str, expand: bool, differences: set[Any], tmp_path: Path
) -> None:
    want = set(
        _instants(library_reading(case.cluster, "fr", case.start, case.end, expanded=expand))
    )
    got = set(_instants(python_reading(engine, feed(case, tmp_path, expand), case)))
    assert want - got == {lost for lost, _ in differences}
    assert got - want == {instead for _, instead in differences}


@pytest.mark.parametrize("engine", ["ical.js", "node-ical", "libical"])
def test_every_engine_reads_the_expanded_feed_exactly(
    case: Case, engine: str, tmp_path: Path
) -> None:
    reading = calendar_reading(engine, feed(case, tmp_path, True), case.start, case.end)
    want = library_reading(case.cluster, "fr", case.start, case.end, expanded=True)
    assert reading["orphans"] == []
    assert ordered(reading["occurrences"]) == ordered(want)


# What libical and node-ical read differently in the master feed: (the occurrence
# the library gives that the engine does not, the one the engine gives instead), by
# (uid, start, status, summary); the orphans are the overrides it matched to nothing.
KNOWN: dict[str, dict[str, Any]] = {
    "ical.js": {"orphans": [], "changed": []},
    "libical": {
        # It reads a RECURRENCE-ID at a skipped time an hour earlier than the instance
        # it makes there (the override is lost), and makes the instances that follow
        # a skipped date an hour late.
        "orphans": [
            "nuit@nightly 2024-03-31T00:30:00Z",
            "nuit@nightly 2024-04-07T00:30:00Z",
            "nuit@nightly 2025-03-30T00:30:00Z",
            "veille@nightly 2024-03-10T06:15:00Z",
        ],
        "changed": [
            (
                ("nuit@nightly", "2024-03-31T01:30:00Z", "CANCELLED", "Annulé : Réunion de nuit"),
                ("nuit@nightly", "2024-03-31T01:30:00Z", "CONFIRMED", "Réunion de nuit"),
            ),
            (
                ("nuit@nightly", "2024-04-08T00:30:00Z", "CONFIRMED", "Réunion de nuit"),
                ("nuit@nightly", "2024-04-07T01:30:00Z", "CONFIRMED", "Réunion de nuit"),
            ),
            (
                ("nuit@nightly", "2025-03-30T01:30:00Z", "CONFIRMED", "Changement d’heure"),
                ("nuit@nightly", "2025-03-30T01:30:00Z", "CONFIRMED", "Réunion de nuit"),
            ),
            (
                ("nuit@nightly", "2025-04-06T00:30:00Z", "CONFIRMED", "Réunion de nuit"),
                ("nuit@nightly", "2025-04-06T01:30:00Z", "CONFIRMED", "Réunion de nuit"),
            ),
            (
                ("veille@nightly", "2024-03-10T07:15:00Z", "CANCELLED", "Annulé : Veille"),
                ("veille@nightly", "2024-03-10T07:15:00Z", "CONFIRMED", "Veille"),
            ),
            (
                ("veille@nightly", "2024-03-11T06:15:00Z", "CONFIRMED", "Veille"),
                ("veille@nightly", "2024-03-11T07:15:00Z", "CONFIRMED", "Veille"),
            ),
        ],
    },
    "node-ical": {
        # It reads a RECURRENCE-ID at a repeated time as the second one and makes the
        # instance at the first (the override is lost), and makes the instances of a
        # daily rule that follow a skipped date an hour late.
        "orphans": ["nuit@nightly 2024-10-27T01:30:00.000Z"],
        "changed": [
            (
                ("nuit@nightly", "2024-10-27T00:30:00Z", "CONFIRMED", "Heure d’hiver"),
                ("nuit@nightly", "2024-10-27T00:30:00Z", "CONFIRMED", "Réunion de nuit"),
            ),
            (
                ("veille@nightly", "2024-03-11T06:15:00Z", "CONFIRMED", "Veille"),
                ("veille@nightly", "2024-03-11T07:15:00Z", "CONFIRMED", "Veille"),
            ),
            (
                ("veille@nightly", "2024-03-12T06:15:00Z", "CONFIRMED", "Veille"),
                ("veille@nightly", "2024-03-12T07:15:00Z", "CONFIRMED", "Veille"),
            ),
        ],
    },
}


def _key(o: dict[str, Any]) -> tuple[str, str, str, str]:
    return (o["uid"], o["start"], o["status"], o["summary"])


@pytest.mark.parametrize("engine", sorted(KNOWN))
def test_engines_read_the_master_feed_with_only_their_known_differences(
    case: Case, engine: str, tmp_path: Path
) -> None:
    reading = calendar_reading(engine, feed(case, tmp_path, False), case.start, case.end)
    want = {
        _key(o) for o in library_reading(case.cluster, "fr", case.start, case.end, expanded=False)
    }
    got = {_key(o) for o in reading["occurrences"]}
    known = KNOWN[engine]
    assert sorted(reading["orphans"]) == known["orphans"]
    assert sorted(want - got) == [lost for lost, _ in known["changed"]]
    assert sorted(got - want) == sorted(instead for _, instead in known["changed"])


def test_the_feed_names_each_override_by_the_rules_local_time(case: Case, tmp_path: Path) -> None:
    """RECURRENCE-IDs at the skipped and repeated times, a repeated start in UTC,
    and the project's own lint finds nothing."""
    text = feed(case, tmp_path, False).read_bytes().decode("utf-8")
    assert "RECURRENCE-ID;TZID=Europe/Paris:20240331T023000\r\n" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20250330T023000\r\n" in text
    assert "RECURRENCE-ID;TZID=America/New_York:20240310T021500\r\n" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20241027T023000\r\n" in text
    assert "DTSTART:20241027T003000Z\r\nDTEND:20241027T013000Z\r\n" in text
    from nogentech.lint import lint

    assert lint(text.encode("utf-8")) == []
