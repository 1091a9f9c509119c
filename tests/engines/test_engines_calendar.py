"""The feeds as the engines of real clients read them: ical.js, node-ical and libical.

Thunderbird reads a feed through Mozilla ical.js, many web front-ends through
node-ical, Evolution and GNOME through libical. Each engine expands every series
with its exceptions itself; the occurrences it gives (start and end instants in
UTC, or dates for all-day events, SUMMARY, DESCRIPTION, LOCATION, STATUS, UID) must
be exactly the library's own (``Cluster.meetings_between``), in French, in English,
and in the expanded feed, on the built-in data and on test clusters with moved,
cancelled and extra dates, one-off and all-day events and hostile text.

The one known difference is node-ical's reading of two texts, which no way of
writing them avoids (``docs/clients.md``): it is applied to the expected text as
an exact transformation, so that the test fails if node-ical reads anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

import nogentech
from tests.engines.conftest import Case
from tests.support import DATA
from tests.support.engines import CALENDAR_ENGINES, calendar_reading
from tests.support.occurrences import library_reading, ordered

FEEDS = [
    pytest.param({"lang": "fr"}, id="fr"),
    pytest.param({"lang": "en"}, id="en"),
    pytest.param({"lang": "fr", "expand": True}, id="fr-expanded"),
    pytest.param({"lang": "en", "expand": True}, id="en-expanded"),
]


def escaped(text: str) -> str:
    """A TEXT value as RFC 5545 writes it."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def node_ical_text(text: str | None) -> str | None:
    """What node-ical 0.26 reads of a TEXT value holding ``text``.

    It undoes the escapes one kind at a time, the line breaks before the
    backslashes, so that a backslash followed by ``n`` or ``N`` becomes a backslash
    and a line break; and it drops the double quotes around a one-line value.
    """
    if text is None:
        return None
    value = escaped(text).replace("\\,", ",").replace("\\;", ";")
    value = re.sub(r"\\[nN]", "\n", value).replace("\\\\", "\\")
    return re.sub(r'^"(.*)"$', r"\1", value)


def as_read_by(engine: str, occurrences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if engine != "node-ical":
        return occurrences
    texts = ("summary", "description", "location")
    return [{k: node_ical_text(v) if k in texts else v for k, v in o.items()} for o in occurrences]


def feed_file(case: Case, options: dict[str, Any], tmp_path: Path) -> Path:
    if options.get("expand"):
        options = {**options, "start": case.start.date(), "end": case.end.date()}
    path = tmp_path / "feed.ics"
    path.write_bytes(nogentech.export(case.cluster, "ics", **options))
    return path


@pytest.mark.parametrize("engine", CALENDAR_ENGINES)
@pytest.mark.parametrize("options", FEEDS)
def test_engine_reads_the_library_occurrences(
    case: Case, options: dict[str, Any], engine: str, tmp_path: Path
) -> None:
    """Every occurrence, its instants and texts, nothing more, no exception left over."""
    reading = calendar_reading(engine, feed_file(case, options, tmp_path), case.start, case.end)
    want = library_reading(
        case.cluster, options["lang"], case.start, case.end, expanded=bool(options.get("expand"))
    )
    assert want
    assert reading["orphans"] == []
    assert ordered(reading["occurrences"]) == ordered(as_read_by(engine, want))


def test_the_test_cluster_has_every_kind_of_date(tricky: nogentech.Cluster) -> None:
    """The cases the comparison above covers, so that it cannot pass on an easy cluster."""
    jeudis = tricky.series("jeudis")
    rule_dates = {o.date for o in jeudis.overrides} | set(jeudis.cancelled)
    extra = set(jeudis.extra_dates)
    assert extra - rule_dates and extra & rule_dates  # plain extra dates, programmed ones
    assert any(o.moved_to for o in jeudis.overrides if o.date in extra)
    assert any(o.cancelled for o in jeudis.overrides) and set(jeudis.cancelled) & extra
    assert min(extra) < jeudis.first_date
    meetings = tricky.meetings_between(
        jeudis.first_date, jeudis.first_date.replace(year=2026), include_cancelled=True
    )
    assert any(m.all_day and (m.end - m.start).days > 1 for m in meetings)
    assert any(m.all_day and (m.end - m.start).days == 1 for m in meetings)
    assert any(m.cancelled and m.event is not None for m in meetings)
    assert {str(m.start.tzinfo) for m in meetings} == {
        "Europe/Paris",
        "America/New_York",
        "Asia/Tokyo",
    }
    start, end = dt.datetime(2023, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    shown = [*library_reading(tricky, "fr", start, end, expanded=False)]
    shown += library_reading(tricky, "en", start, end, expanded=False)
    texts = [o[k] or "" for o in shown for k in ("summary", "description", "location")]
    assert any(o["uid"] == "jeudis.20240725@club" for o in shown)
    for hostile in (",", ";", "\\", "\\n", "\\N", '"', "\t", "🔧", "東京"):
        assert any(hostile in t for t in texts), hostile


def test_node_ical_misreads_exactly_the_two_known_texts() -> None:
    """The transformation above changes only a backslash before n or N, and quotes
    around a whole one-line value."""
    assert node_ical_text('C:\\Nogent, 1\\n; "x"') == 'C:\\\nogent, 1\\\n; "x"'
    assert node_ical_text('"Cité"') == "Cité"
    assert node_ical_text('"a"\n"b"') == '"a"\n"b"'
    plain = "L’IA ; la forge, et C:\\Forge \\ éàü 🎉\nligne 2"
    assert node_ical_text(plain) == plain


def test_an_rdate_beside_an_rrule_is_read_three_ways() -> None:
    """Why extra dates are events of their own (and why ``nogentech lint`` flags RDATE
    beside RRULE): in the planted sample, an extra date on 25 July 2024 at 08:30 in
    Paris, ical.js reads it right, node-ical drops it, and libical's expansion
    ignores its TZID and puts it two hours late."""
    path = DATA / "lint" / "rdate-with-rrule.ics"
    start, end = dt.datetime(2024, 7, 1, tzinfo=dt.UTC), dt.datetime(2024, 8, 1, tzinfo=dt.UTC)
    starts = {
        engine: [o["start"] for o in calendar_reading(engine, path, start, end)["occurrences"]]
        for engine in CALENDAR_ENGINES
    }
    assert starts == {
        "ical.js": ["2024-07-11T06:30:00Z", "2024-07-25T06:30:00Z"],
        "node-ical": ["2024-07-11T06:30:00Z"],
        "libical": ["2024-07-11T06:30:00Z", "2024-07-25T08:30:00Z"],
    }
