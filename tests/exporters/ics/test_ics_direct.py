"""The ``ics`` feed's two writers: written directly as text, or through icalendar.

Without a plugin implementing ``nogentech_ics_calendar`` or ``nogentech_ics_event``
the feed is written as text without importing icalendar; with one, icalendar builds
it (the reference). Both must give the same bytes for any data and options, and the
direct feed must read back in icalendar as the objects the reference path built.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zoneinfo
from typing import Any

import pluggy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.parser import Contentline
from icalendar.timezone.tzid import tzid_from_tzinfo

import nogentech
from nogentech import Cluster, Company, Event, MeetingSeries, Override, Place, Text, hookspecs
from nogentech.content_lines import fold_line, param_value
from nogentech.exporters import ics
from nogentech.exporters.ics._fast import UTC_ZONES
from nogentech.hookspecs import hookimpl
from nogentech.plugins import Hooks, get_exporter, resolve_options
from nogentech.testing import clusters, series
from tests.exporters.ics.test_ics_properties import TEXTS, cluster_with

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Recorder:
    """A plugin that only looks: the feed then goes through icalendar."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    @hookimpl
    def nogentech_ics_event(
        self, event: Any, meeting: Any, cluster: Cluster, options: dict[str, Any]
    ) -> None:
        self.events.append(event)


class CalendarOnly:
    @hookimpl
    def nogentech_ics_calendar(
        self, calendar: Any, cluster: Cluster, options: dict[str, Any]
    ) -> None:
        pass


def hooks_with(*plugins: object) -> Hooks:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        pm.register(plugin)
    return Hooks(pm)


PLAIN = hooks_with()


def both(cluster: Cluster, options: dict[str, Any]) -> tuple[bytes, bytes, Recorder]:
    """(direct bytes, reference bytes, the reference's recorded VEVENTs)."""
    resolved = resolve_options(get_exporter("ics"), options)
    recorder = Recorder()
    direct = ics.render(cluster, resolved, PLAIN)
    reference = ics.render(cluster, resolved, hooks_with(recorder))
    return direct, reference, recorder


REFRESH = st.sampled_from(["PT12H", "P1D", "PT90M", "P1W", "PT1H30M15S", "PT45S"])
DAYS = st.dates(dt.date(2019, 1, 1), dt.date(2034, 12, 31))


@st.composite
def options_for(draw: st.DrawFn, cluster: Cluster) -> dict[str, Any]:
    """Any combination of the feed's options that fits ``cluster``."""
    options: dict[str, Any] = {"lang": draw(st.sampled_from(["fr", "en"]))}
    options["refresh"] = draw(REFRESH)
    expand = draw(st.booleans())
    if expand:
        options["expand"] = True
        start = draw(DAYS)
        options["start"] = start
        options["end"] = start + dt.timedelta(days=draw(st.integers(1, 900)))
    else:
        start, end = draw(st.one_of(st.none(), DAYS)), draw(st.one_of(st.none(), DAYS))
        if start is not None and end is not None and end <= start:
            start, end = end, start + dt.timedelta(days=1)
        options |= {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    for option, ids in (
        ("series", [s.id for s in cluster.meeting_series]),
        ("sub_cluster", [s.id for s in cluster.sub_clusters]),
        ("commission", [c.id for c in cluster.commissions]),
    ):
        if ids and draw(st.integers(0, 3)) == 0:
            options[option] = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    return options


@SETTINGS
@given(data=st.data(), cluster=clusters())
def test_direct_and_icalendar_feeds_have_the_same_bytes(
    data: st.DataObject, cluster: Cluster
) -> None:
    options = data.draw(options_for(cluster))
    direct, reference, _ = both(cluster, options)
    assert direct == reference


@SETTINGS
@given(data=st.data(), cluster=clusters())
def test_a_single_occurrence_has_the_same_bytes_both_ways(
    data: st.DataObject, cluster: Cluster
) -> None:
    ids = [e.id for e in cluster.events]
    for s in cluster.meeting_series:
        ids += [m.id for m in s.occurrences(s.first_date, None, include_cancelled=True)[:4]]
        ids += [f"{s.id}/{o.date.isoformat()}" for o in s.overrides]
    if not ids:
        return
    ident = data.draw(st.sampled_from(ids))
    lang = data.draw(st.sampled_from(["fr", "en"]))
    direct, reference, _ = both(cluster, {"occurrence": ident, "lang": lang})
    assert direct == reference


@SETTINGS
@given(cluster=clusters())
def test_the_direct_feed_reads_back_as_the_reference_objects(cluster: Cluster) -> None:
    """icalendar reads the direct feed's VEVENTs as the components the reference path
    built, property by property and value by value."""
    direct, reference, recorder = both(cluster, {})
    read = Calendar.from_ical(direct).events
    read_reference = Calendar.from_ical(reference).events
    assert len(read) == len(recorder.events)
    for got, built, again in zip(read, recorder.events, read_reference, strict=True):
        assert sorted(got) == sorted(built)
        for name in built:
            want, have = built[name], got[name]
            params = dict(getattr(want, "params", {}))
            if any(str(v).endswith("\\") for v in params.values()):
                # An unquoted parameter value ending with a backslash: icalendar's
                # reader takes that backslash and the colon after it for an escape,
                # and the value runs into the parameter. It reads the reference's
                # own bytes the same way (see docs/clients.md).
                want = again[name]
            if hasattr(want, "dt"):
                assert have.dt == want.dt
            elif name == "RRULE":
                assert have == want
            elif name == "CATEGORIES":
                assert [str(c) for c in have.cats] == [str(c) for c in want.cats]
            else:
                assert str(have) == str(want)
            if any("\\" in str(v) for v in params.values()):
                # icalendar's reader takes a backslash in a parameter value for an
                # escape (RFC 5545 has none there): it reads the reference's own
                # bytes the same way (see docs/clients.md).
                params = dict(again[name].params)
            assert dict(have.params) == params, name


@settings(max_examples=60, deadline=None)
@given(
    topic=TEXTS.filter(bool),
    description=TEXTS.filter(bool),
    venue=TEXTS.filter(bool),
    sector=TEXTS.filter(bool),
    organiser=TEXTS.filter(bool),
    lang=st.sampled_from(["fr", "en"]),
    expand=st.booleans(),
)
def test_hostile_texts_give_the_same_bytes_both_ways(
    topic: str, description: str, venue: str, sector: str, organiser: str, lang: str, expand: bool
) -> None:
    """Control characters, CR and LF, ``;,\\``, non-ASCII and lines long enough to fold
    at octet boundaries (1,000 characters of accents, emoji and backslashes)."""
    cluster = cluster_with(topic, description, venue, sector, organiser)
    direct, reference, _ = both(cluster, {"lang": lang, "expand": expand})
    assert direct == reference


ZONES = ("Africa/Abidjan", "Europe/Dublin", "Asia/Kolkata", "America/St_Johns", "Etc/GMT-14")


@settings(max_examples=40, deadline=None)
@given(
    found=st.lists(series(timezones=ZONES), min_size=1, max_size=3, unique_by=lambda s: s.id),
    zone=st.sampled_from(ZONES),
    expand=st.booleans(),
)
def test_zones_icalendar_writes_in_utc_or_with_odd_offsets(
    found: list[MeetingSeries], zone: str, expand: bool
) -> None:
    """Zones icalendar holds equal to UTC (DATE-TIME with Z), negative daylight saving,
    half-hour offsets, fourteen hours."""
    assume(all(s.id != "c" for s in found))  # ids are unique across a cluster
    cluster = Cluster(id="c", name="C", timezone=zone, meeting_series=tuple(found))
    direct, reference, _ = both(cluster, {"expand": expand})
    assert direct == reference


def test_the_zones_written_in_utc_are_those_icalendar_writes_in_utc() -> None:
    for name in sorted(zoneinfo.available_timezones()):
        tzid = tzid_from_tzinfo(zoneinfo.ZoneInfo(name))
        assert tzid == ("UTC" if name in UTC_ZONES else name), name


def test_a_plugin_on_either_hook_gets_the_icalendar_path() -> None:
    """The bytes are the same, and a plugin that changes the calendar is heard."""

    class Named:
        @hookimpl
        def nogentech_ics_calendar(
            self, calendar: Any, cluster: Cluster, options: dict[str, Any]
        ) -> None:
            calendar.add("x-extra", "yes")

    cluster = nogentech.load()
    resolved = resolve_options(get_exporter("ics"), {})
    direct = ics.render(cluster, resolved, PLAIN)
    assert ics.render(cluster, resolved, hooks_with(CalendarOnly())) == direct
    assert ics.render(cluster, resolved, hooks_with(Recorder())) == direct
    changed = ics.render(cluster, resolved, hooks_with(Named()))
    assert b"\r\nX-EXTRA:yes\r\n" in changed
    assert changed.replace(b"X-EXTRA:yes\r\n", b"") == direct


def test_the_direct_feed_does_not_import_icalendar() -> None:
    code = (
        "import sys, nogentech\n"
        "data = nogentech.export(nogentech.load(), 'ics', expand=True)\n"
        "assert data.startswith(b'BEGIN:VCALENDAR'), data[:40]\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'icalendar'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_property_kind_is_written_alike() -> None:
    """An all-day event over days, a cancelled moved override, an extra date, UNTIL,
    an organiser, a URL, categories: every line kind of the feed."""
    cluster = Cluster(
        id="c",
        name="C; a, b",
        full_name=Text(fr="Le C", en="The C"),
        updated=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        companies=(Company(id="o", name='O\'Neil & "Sons"', email="o@example.org"),),
        places=(Place(id="v", kind="venue", name=Text(fr="Salle ; A, B")),),
        meeting_series=(
            MeetingSeries(
                id="m",
                name=Text(fr="Série", en="Series"),
                first_date=dt.date(2024, 1, 11),
                start_time=dt.time(8, 30),
                duration=dt.timedelta(hours=2),
                rule="freq=monthly;byday=+2th;interval=01;until=20251231",
                organisers=("o",),
                url="https://example.org/a b",
                extra_dates=(dt.date(2024, 1, 20),),
                cancelled=(dt.date(2024, 3, 14),),
                overrides=(
                    Override(
                        date=dt.date(2024, 2, 8),
                        moved_to=dt.date(2024, 2, 9),
                        cancelled=True,
                        sequence=2,
                        updated=dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
                    ),
                ),
                sequence=1,
            ),
        ),
        events=(
            Event(
                id="e",
                name=Text(fr="Salon"),
                date=dt.date(2024, 5, 1),
                end_date=dt.date(2024, 5, 3),
                venue="v",
            ),
        ),
    )
    for options in ({}, {"lang": "en"}, {"expand": True}, {"occurrence": "m/2024-02-08"}):
        direct, reference, _ = both(cluster, options)
        assert direct == reference, options
    direct, _, _ = both(cluster, {})
    assert b"\r\nRRULE:FREQ=MONTHLY;UNTIL=20251231T225959Z;INTERVAL=1;BYDAY=+2TH\r\n" in direct
    assert b"\r\nORGANIZER;CN=\"O'Neil & ^'Sons^'\":mailto:o@example.org\r\n" in direct


ANY_LINE = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)
EDGY_LINE = st.lists(st.sampled_from(["a", "\\", "^", "é", "€", "🎉", ";"]), max_size=300)


@given(st.one_of(ANY_LINE, EDGY_LINE.map("".join)).map(lambda t: t.replace("\n", "")))
@settings(max_examples=400, deadline=None)
def test_lines_fold_as_icalendar_folds_them(line: str) -> None:
    """At octet boundaries, never inside a character, and a ``\\`` or ``^`` that would
    end a physical line moved to the next one (icalendar 7)."""
    assert fold_line(line).encode() == Contentline(line).to_ical()


@pytest.mark.parametrize(
    ("value", "quote_if", "written"),
    [
        ("plain", "", "plain"),
        ("a b", " '", '"a b"'),
        ("a b", "", "a b"),
        ("a,b", "", '"a,b"'),
        ("a:b", "", '"a:b"'),
        ("l\u2019a", "", '"l\u2019a"'),
        ('say "hi"^', "", "say ^'hi^'^^"),
        ("two\r\nlines\rand\nmore", "", "two^nlines^nand^nmore"),
    ],
)
def test_parameter_values_are_quoted_as_icalendar_quotes_them(
    value: str, quote_if: str, written: str
) -> None:
    assert param_value(value, quote_if) == written


def test_a_backslash_in_an_organiser_name_is_written_as_it_is() -> None:
    """RFC 5545 has no escape in parameter values: the CN holds the backslash itself,
    and icalendar's reader, which unescapes it, is the one that differs."""
    cluster = cluster_with("Sujet", "Texte", "Salle", "Forge", "Forge\\; Marle, C:\\x\\")
    direct, reference, _ = both(cluster, {})
    assert direct == reference
    unfolded = direct.replace(b"\r\n ", b"")
    assert b'ORGANIZER;CN="Forge\\; Marle, C:\\x\\":mailto:' in unfolded
    organizer = Calendar.from_ical(direct).events[0]["ORGANIZER"]
    assert organizer.params["CN"] == "Forge; Marle, C:\\x\\"
