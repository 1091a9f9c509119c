"""``nogentech.lint``: each bad sample finds exactly its planted fault; the feeds find none.

The samples under ``tests/data/lint/`` are one small calendar (``clean.ics``) with one
fault planted in each, named after the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import nogentech
from nogentech.lint import RULES, Finding, UnreadableCalendarError, lint
from tests.conftest import make_demo
from tests.support import DATA

SAMPLES = DATA / "lint"
NOW = dt.datetime(2024, 1, 1, 12, 0, 30, tzinfo=dt.UTC)
"""When the samples were "fetched": the DTSTAMPs of dtstamp-now.ics are 30 s earlier."""


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.ics").read_bytes()


def test_every_rule_has_its_sample_and_every_sample_its_rule() -> None:
    names = {p.stem for p in SAMPLES.glob("*.ics")}
    assert names == {*RULES, "clean", "unreadable"}


def test_the_clean_sample_finds_nothing() -> None:
    assert lint(sample("clean"), now=NOW) == []


@pytest.mark.parametrize("rule", list(RULES))
def test_each_sample_finds_exactly_its_planted_rule(rule: str) -> None:
    findings = lint(sample(rule), now=NOW)
    assert findings
    assert {f.rule for f in findings} == {rule}
    for finding in findings:
        assert (finding.clients, finding.fix) == (RULES[rule].clients, RULES[rule].fix)
        assert finding.clients and finding.fix and finding.message


# Each planted fault, where it is and what is said about it.
EXPECTED = {
    "floating-time": [
        (27, "DTSTART:20240111T083000 floats"),
        (28, "DTEND:20240111T103000 floats"),
    ],
    "missing-vtimezone": [(54, "TZID=America/New_York has no VTIMEZONE")],
    "uid-not-unique": [(52, "UID salon@example.org and no RECURRENCE-ID already on line 45")],
    "dtstamp-now": [(26, "all 3 DTSTAMPs are within a minute of now (20240101T120030Z)")],
    "rdate-with-rrule": [(30, "RDATE beside the RRULE of line 29")],
    "unescaped-text": [(49, "SUMMARY: a bare ',' at character 6")],
    "line-too-long": [(50, "line 50 has 80 octets (at most 75)")],
    "fold-splits-character": [(51, "the fold before line 51 cuts a UTF-8 character in two")],
    "invalid-utf8": [(50, "octet 16 of the line is not UTF-8")],
    "repeated-text": [(50, "a second SUMMARY (LANGUAGE=en), after line 49")],
    "duration-needs-t": [(6, "REFRESH-INTERVAL:P1H is not a duration (meant PT1H?)")],
    "override-without-instance": [
        (38, "RECURRENCE-ID:20240209T083000 is not an occurrence of the series on line 24")
    ],
    "publish-without-organizer": [
        (25, "METHOD:PUBLISH (line 5) and no ORGANIZER in jeudis@example.org"),
        (36, "METHOD:PUBLISH (line 5) and no ORGANIZER in jeudis@example.org"),
        (45, "METHOD:PUBLISH (line 5) and no ORGANIZER in salon@example.org"),
    ],
    "alarm-in-feed": [(50, "a VALARM in a published calendar")],
    "rrule-outlook": [(29, "RRULE:FREQ=MONTHLY;BYDAY=TH;BYSETPOS=2")],
}


@pytest.mark.parametrize("rule", list(EXPECTED))
def test_findings_give_the_line_and_the_fault(rule: str) -> None:
    found = [(f.line, f.message) for f in lint(sample(rule), now=NOW)]
    assert found == EXPECTED[rule]
    lines = sample(rule).split(b"\r\n")
    starts = [lines[number - 1][: len(PLANTED[rule])] for number, _ in found]
    assert starts == [PLANTED[rule]] * len(found)


# The start of the line each finding points at: the planted fault itself.
PLANTED = {
    "floating-time": b"DT",
    "missing-vtimezone": b"DTSTART;TZID=America/New_York:",
    "uid-not-unique": b"UID:salon@example.org",
    "dtstamp-now": b"DTSTAMP:20240101T120000Z",
    "rdate-with-rrule": b"RDATE;TZID=Europe/Paris:20240725T083000",
    "unescaped-text": b"SUMMARY:Salon, foire; expo",
    "line-too-long": b"DESCRIPTION:Une description bien trop longue",
    "fold-splits-character": b" \xa9b",
    "invalid-utf8": b"DESCRIPTION:Caf\xe9",
    "repeated-text": b"SUMMARY;LANGUAGE=en:Fair",
    "duration-needs-t": b"REFRESH-INTERVAL;VALUE=DURATION:P1H",
    "override-without-instance": b"RECURRENCE-ID;TZID=Europe/Paris:20240209T083000",
    "publish-without-organizer": b"BEGIN:VEVENT",
    "alarm-in-feed": b"BEGIN:VALARM",
    "rrule-outlook": b"RRULE:FREQ=MONTHLY;BYDAY=TH;BYSETPOS=2",
}


def test_expected_covers_every_rule() -> None:
    assert set(EXPECTED) == set(PLANTED) == set(RULES)


def test_stamps_are_judged_against_the_time_given() -> None:
    assert lint(sample("dtstamp-now"), now=NOW + dt.timedelta(minutes=2)) == []
    assert lint(sample("dtstamp-now"), now=NOW.replace(tzinfo=None))[0].rule == "dtstamp-now"


def test_unreadable_input_raises() -> None:
    for data in (sample("unreadable"), b"", b"BEGIN:VCARD\r\nEND:VCARD\r\n", b"\x00\xff"):
        with pytest.raises(UnreadableCalendarError):
            lint(data)


def test_a_finding_as_json() -> None:
    (finding,) = lint(sample("rdate-with-rrule"), now=NOW)
    assert isinstance(finding, Finding)
    assert finding.as_dict() == {
        "rule": "rdate-with-rrule",
        "line": 30,
        "message": "RDATE beside the RRULE of line 29",
        "clients": list(RULES["rdate-with-rrule"].clients),
        "fix": RULES["rdate-with-rrule"].fix,
    }


# -- this project's feeds ------------------------------------------------------------

CLUSTERS = {
    "builtin": nogentech.load,
    "demo": make_demo,
    "tricky": lambda: nogentech.load(DATA / "engines" / "tricky.toml"),
}
FEEDS = [
    pytest.param({}, id="fr"),
    pytest.param({"lang": "en"}, id="en"),
    pytest.param({"expand": True}, id="fr-expanded"),
    pytest.param({"series": "rencontres-du-jeudi"}, id="one-series"),
]


@pytest.mark.parametrize("options", FEEDS)
@pytest.mark.parametrize("name", list(CLUSTERS))
def test_the_project_feeds_find_nothing(name: str, options: dict[str, object]) -> None:
    cluster = CLUSTERS[name]()
    if "series" in options:
        options = {"series": cluster.meeting_series[0].id}
    assert lint(nogentech.export(cluster, "ics", **options)) == []


def test_the_old_form_of_the_feed_is_found_out(tmp_path: Path) -> None:
    """A feed written with METHOD:PUBLISH and RDATE beside its RRULE, as before."""
    data = nogentech.export(CLUSTERS["tricky"](), "ics")
    old = data.replace(b"CALSCALE:GREGORIAN\r\n", b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
    old = old.replace(
        b"RRULE:FREQ=MONTHLY;BYDAY=2TH\r\n",
        b"RRULE:FREQ=MONTHLY;BYDAY=2TH\r\nRDATE;TZID=Europe/Paris:20240725T083000\r\n",
    )
    rules = {f.rule for f in lint(old)}
    assert rules == {"publish-without-organizer", "rdate-with-rrule"}
