"""The ``ics`` exporter: feed layout, stable output, options, and agreement with other parsers."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import recurring_ical_events
from icalendar import Calendar, vDuration
from icalendar import Event as VEvent

import nogentech
from nogentech import OptionError
from nogentech.cli import main

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC

SAMPLE = """
id = "nogentech"
name = "NOGENTECH"
full_name = { fr = "Pôle d'excellence de Nogent", en = "Nogent cluster of excellence" }
timezone = "Europe/Paris"
updated = 2024-02-01T10:00:00+01:00

[[places]]
id = "nogent"
kind = "commune"
name = "Nogent"

[[places]]
id = "cfai"
kind = "venue"
name = { fr = "Salle du CFAI, bâtiment B", en = "CFAI hall, building B" }
within = "nogent"

[[sectors]]
id = "forge"
kind = "trade"
name = { fr = "Forge, estampage", en = "Forging" }

[[companies]]
id = "acme"
name = "ACME Forge"
email = "contact@acme.example"

[[companies]]
id = "bolt"
name = "Bolt SA"

[[sub_clusters]]
id = "medical"
name = "Medical; Nogent"
members = ["acme"]

[[commissions]]
id = "formation"
name = { fr = "Formation", en = "Training" }

[[people]]
id = "jean"
name = "Jean Dupont"
roles = [{ kind = "employee", of = "acme" }]

[[meeting_series]]
id = "rencontres-du-jeudi"
name = { fr = "Rencontres du jeudi", en = "Thursday meetings" }
description = { fr = "Petit-déjeuner", en = "Breakfast" }
first_date = 2023-10-12
start_time = "08:30"
duration = "PT2H"
rule = "FREQ=MONTHLY;BYDAY=2TH"
venue = "cfai"
sectors = ["forge"]
sub_clusters = ["medical"]
organisers = ["acme"]
cancelled = [2023-12-14]
extra_dates = [2024-07-04]
sequence = 1
updated = 2023-09-01T12:00:00+02:00
url = "https://example.org/rencontres"

[[meeting_series.overrides]]
date = 2023-10-12
topic = { fr = "L'IA, la forge; et C:\\\\Nogent", en = "AI and forging" }
speakers = ["jean"]
testimonies = ["bolt"]
sequence = 2
updated = 2023-10-01T09:00:00+02:00

[[meeting_series.overrides]]
date = 2024-01-11
moved_to = 2024-01-18
start_time = "09:00"
topic = "Vœux"

[[meeting_series.overrides]]
date = 2024-02-08
cancelled = true

[[meeting_series]]
id = "atelier-ny"
name = "Atelier New York"
first_date = 2023-10-03
start_time = "18:00"
duration = "PT1H"
rule = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20231231"
timezone = "America/New_York"
organisers = ["bolt"]

[[events]]
id = "salon-2024"
name = "Salon de la forge"
date = 2024-05-14
end_date = 2024-05-16
commissions = ["formation"]

[[events]]
id = "visite"
name = { fr = "Visite d'usine", en = "Factory visit" }
date = 2024-03-05
start_time = "14:00"
duration = "PT3H"
venue = "cfai"
sequence = 4
updated = 2024-01-20T08:00:00+01:00
"""


@pytest.fixture
def cluster() -> nogentech.Cluster:
    return nogentech.loads(SAMPLE, "toml")


def export(cluster: nogentech.Cluster, **options: object) -> bytes:
    return nogentech.export(cluster, "ics", **options)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def by_uid(calendar: Calendar, uid: str) -> list[VEvent]:
    return [e for e in calendar.events if str(e["UID"]) == uid]


def master(calendar: Calendar, uid: str) -> VEvent:
    (found,) = [e for e in by_uid(calendar, uid) if "RECURRENCE-ID" not in e]
    return found


def override(calendar: Calendar, uid: str, original: dt.datetime) -> VEvent:
    (found,) = [
        e
        for e in by_uid(calendar, uid)
        if "RECURRENCE-ID" in e and e["RECURRENCE-ID"].dt == original
    ]
    return found


def content_lines(data: bytes) -> list[str]:
    """The unfolded content lines of a feed."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


# -- calendar header and time zones ------------------------------------------------


def test_exporter_is_registered_with_extension_and_media_type() -> None:
    info = {f.name: f for f in nogentech.formats()}["ics"]
    assert (info.extension, info.media_type) == ("ics", "text/calendar")
    assert info.plugin == "nogentech.exporters.ics"
    names = [o.name for o in info.options]
    assert names == [
        "lang",
        "expand",
        "start",
        "end",
        "series",
        "sub_cluster",
        "commission",
        "refresh",
        "occurrence",
    ]


def test_calendar_header_has_every_subscription_property(cluster: nogentech.Cluster) -> None:
    lines = content_lines(export(cluster))
    header = lines[: lines.index("BEGIN:VTIMEZONE")]
    assert header == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//nogentech//nogentech {nogentech.__version__}//FR",
        "CALSCALE:GREGORIAN",
        "X-WR-CALDESC:Rencontres et événements de Pôle d'excellence de Nogent",
        "NAME:NOGENTECH · Rencontres",
        "X-WR-CALNAME:NOGENTECH · Rencontres",
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
        "X-WR-TIMEZONE:Europe/Paris",
    ]


@pytest.mark.parametrize(
    ("refresh", "written", "hours"),
    [
        ("PT12H", "PT12H", 12),
        ("P1DT6H", "PT30H", 30),
        ("P1W", "PT168H", 168),
        ("pt90m", "PT1H30M", 1.5),
        ("PT45S", "PT45S", 45 / 3600),
    ],
)
def test_refresh_option_sets_both_refresh_hints_as_pt_durations(
    cluster: nogentech.Cluster, refresh: str, written: str, hours: float
) -> None:
    """Whatever form the option has, both hints are ``PT…`` durations of the same length."""
    data = export(cluster, refresh=refresh)
    lines = content_lines(data)
    assert f"REFRESH-INTERVAL;VALUE=DURATION:{written}" in lines
    assert f"X-PUBLISHED-TTL:{written}" in lines
    calendar = parse(data)
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=hours)
    assert vDuration.from_ical(str(calendar["X-PUBLISHED-TTL"])) == dt.timedelta(hours=hours)


@pytest.mark.parametrize("bad", ["P1H", "12h", "PT0S", ""])
def test_refresh_must_be_a_positive_duration(cluster: nogentech.Cluster, bad: str) -> None:
    with pytest.raises(OptionError) as info:
        export(cluster, refresh=bad)
    assert str(info.value) == (
        f"option 'refresh': invalid value {bad!r} (expected a positive RFC 5545 duration "
        "such as PT12H)"
    )


def test_every_zone_used_has_a_vtimezone_with_standard_and_daylight(
    cluster: nogentech.Cluster,
) -> None:
    calendar = parse(export(cluster))
    assert sorted(str(tz["TZID"]) for tz in calendar.timezones) == [
        "America/New_York",
        "Europe/Paris",
    ]
    assert calendar.get_missing_tzids() == set()
    for tz in calendar.timezones:
        kinds = sorted({part.name for part in tz.subcomponents})
        assert kinds == ["DAYLIGHT", "STANDARD"]


def test_paris_vtimezone_is_the_compact_yearly_rule_form(cluster: nogentech.Cluster) -> None:
    lines = content_lines(export(cluster))
    start = lines.index("TZID:Europe/Paris")
    block = lines[start : lines.index("END:VTIMEZONE", start)]
    assert block == [
        "TZID:Europe/Paris",
        "BEGIN:DAYLIGHT",
        "DTSTART:20220327T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZNAME:CEST",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20221030T030000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZNAME:CET",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "END:STANDARD",
    ]


def assert_vtimezone_offsets(
    data: bytes, zone_name: str, until: int, *, with_dateutil: bool = True
) -> None:
    """Two parsers build the zone from the feed's VTIMEZONE alone (not from its TZID)
    and agree with zoneinfo from 2023 until ``until``: at noon UTC each day, and every
    15 minutes on the days the offset changes.

    icalendar's ``to_tz`` gives a dateutil zone, which converts from UTC with Python's
    default ``fromutc``: that assumes a single standard offset, so a change of standard
    time (Nuuk in 2023) is checked with ``ical`` only (``with_dateutil=False``).
    """
    from ical.calendar_stream import IcsCalendarStream
    from ical.timezone import IcsTimezoneInfo

    (component,) = [tz for tz in parse(data).timezones if tz["TZID"] == zone_name]
    from_icalendar = component.to_tz(lookup_tzid=False)
    (ical_tz,) = [
        tz
        for tz in IcsCalendarStream.calendar_from_ics(data.decode()).timezones
        if tz.tz_id == zone_name
    ]
    from_ical = IcsTimezoneInfo.from_timezone(ical_tz)
    reference = ZoneInfo(zone_name)

    def check(moment: dt.datetime) -> None:
        local = moment.astimezone(reference)
        if with_dateutil:
            assert moment.astimezone(from_icalendar).utcoffset() == local.utcoffset(), moment
        if not local.fold:  # a wall time that happens once
            assert from_ical.utcoffset(local.replace(tzinfo=None)) == local.utcoffset(), moment

    day = dt.datetime(2023, 1, 1, tzinfo=UTC)
    while day < dt.datetime(until, 1, 1, tzinfo=UTC):
        after = day + dt.timedelta(days=1)
        if day.astimezone(reference).utcoffset() == after.astimezone(reference).utcoffset():
            check(day + dt.timedelta(hours=12))
        else:
            for quarter in range(96):
                check(day + dt.timedelta(minutes=15 * quarter))
        day = after


@pytest.mark.parametrize("zone_name", ["Europe/Paris", "America/New_York"])
def test_vtimezones_give_the_tz_database_offsets_through_2060(
    cluster: nogentech.Cluster, zone_name: str
) -> None:
    """The yearly rules keep the zones right long after the data's last date (2024)."""
    assert_vtimezone_offsets(export(cluster), zone_name, 2061)


@pytest.mark.parametrize(
    ("zone_name", "until", "with_dateutil", "rules"),
    [
        # winter time is negative daylight saving in tz data
        ("Europe/Dublin", 2061, True, ["DAYLIGHT", "STANDARD"]),
        ("Australia/Sydney", 2061, True, ["DAYLIGHT", "STANDARD"]),  # southern hemisphere
        ("America/Santiago", 2035, True, []),  # dates no weekday rule gives: listed up to 2034
        # standard time changed in 2023, summer time since 2024, on the Saturday before
        # the last Sunday of March (no weekday rule): listed up to the last year its
        # file lists (2037) and twelve more, with a yearly rule for its autumn change
        ("America/Nuuk", 2050, False, ["STANDARD"]),
        ("Africa/Casablanca", 2035, True, []),  # changes around Ramadan
    ],
)
def test_vtimezones_of_other_zones(
    zone_name: str, until: int, with_dateutil: bool, rules: list[str]
) -> None:
    """Zones with unusual rules: right up to ten years after the data's last date, and
    beyond where a yearly rule holds; DAYLIGHT is the higher offset of a pair."""
    data = export(nogentech.loads(SAMPLE.replace("America/New_York", zone_name), "toml"))
    assert_vtimezone_offsets(data, zone_name, until, with_dateutil=with_dateutil)
    (component,) = [tz for tz in parse(data).timezones if tz["TZID"] == zone_name]

    def rises(part: Any) -> bool:
        return bool(part["TZOFFSETTO"].td > part["TZOFFSETFROM"].td)

    parts = component.subcomponents
    assert {rises(part) for part in parts if part.name == "DAYLIGHT"} == {True}
    # only a change of standard time (Nuuk, 2023) is a STANDARD that raises the offset
    standard_rising = [part for part in parts if part.name == "STANDARD" and rises(part)]
    assert len(standard_rising) == (1 if zone_name == "America/Nuuk" else 0)
    has_rule = sorted({part.name for part in component.subcomponents if "RRULE" in part})
    assert has_rule == rules


def test_vtimezone_for_a_zone_without_daylight_saving_has_one_observance() -> None:
    data = SAMPLE.replace('timezone = "America/New_York"', 'timezone = "Asia/Tokyo"')
    lines = content_lines(export(nogentech.loads(data, "toml")))
    start = lines.index("TZID:Asia/Tokyo")
    assert lines[start : lines.index("END:VTIMEZONE", start)] == [
        "TZID:Asia/Tokyo",
        "BEGIN:STANDARD",
        "DTSTART:20220101T000000",
        "RDATE:20220101T000000",
        "TZNAME:JST",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+0900",
        "END:STANDARD",
    ]


# -- series, overrides, events -------------------------------------------------------


def test_series_is_one_master_with_rule_and_its_own_fields(
    cluster: nogentech.Cluster,
) -> None:
    data = export(cluster)
    event = master(parse(data), "rencontres-du-jeudi@nogentech")
    assert event["DTSTART"].dt == dt.datetime(2023, 10, 12, 8, 30, tzinfo=PARIS)
    assert event["DTEND"].dt == dt.datetime(2023, 10, 12, 10, 30, tzinfo=PARIS)
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=2TH"
    assert "RDATE" not in event
    assert "EXDATE" not in event
    assert str(event["SUMMARY"]) == "Rencontres du jeudi"
    assert str(event["DESCRIPTION"]) == "Petit-déjeuner\nLieu : Salle du CFAI, bâtiment B, Nogent"
    assert str(event["LOCATION"]) == "Salle du CFAI, bâtiment B, Nogent"
    assert event.categories == ["Forge, estampage", "Medical; Nogent"]
    assert str(event["URL"]) == "https://example.org/rencontres"
    assert str(event["ORGANIZER"]) == "mailto:contact@acme.example"
    assert event["ORGANIZER"].params["CN"] == "ACME Forge"
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CONFIRMED", 1)
    lines = content_lines(data)
    assert "DTSTART;TZID=Europe/Paris:20231012T083000" in lines
    assert not [line for line in lines if line.startswith("RDATE") and "TZID=" in line]
    assert "CATEGORIES:Forge\\, estampage,Medical\\; Nogent" in lines


def test_an_extra_date_is_an_event_of_its_own_not_an_rdate(cluster: nogentech.Cluster) -> None:
    """The extra date 2024-07-04 is one VEVENT with the UID of its expanded occurrence
    and the series' fields, without RRULE, RDATE or RECURRENCE-ID: sabre/vobject
    drops the RRULE of a master with RDATE, node-ical drops RDATE."""
    data = export(cluster)
    (event,) = by_uid(parse(data), "rencontres-du-jeudi.20240704@nogentech")
    assert event["DTSTART"].dt == dt.datetime(2024, 7, 4, 8, 30, tzinfo=PARIS)
    assert event["DTEND"].dt == dt.datetime(2024, 7, 4, 10, 30, tzinfo=PARIS)
    for name in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"):
        assert name not in event
    assert str(event["SUMMARY"]) == "Rencontres du jeudi"
    assert str(event["DESCRIPTION"]) == "Petit-déjeuner\nLieu : Salle du CFAI, bâtiment B, Nogent"
    assert str(event["LOCATION"]) == "Salle du CFAI, bâtiment B, Nogent"
    assert event.categories == ["Forge, estampage", "Medical; Nogent"]
    assert str(event["ORGANIZER"]) == "mailto:contact@acme.example"
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CONFIRMED", 1)
    assert event["DTSTAMP"].dt == dt.datetime(2023, 9, 1, 10, tzinfo=UTC)
    assert "DTSTART;TZID=Europe/Paris:20240704T083000" in content_lines(data)
    expanded = by_uid(parse(export(cluster, expand=True)), "rencontres-du-jeudi.20240704@nogentech")
    assert [e["DTSTART"].dt for e in expanded] == [event["DTSTART"].dt]


def test_rule_until_is_written_in_utc(cluster: nogentech.Cluster) -> None:
    data = export(cluster)
    event = master(parse(data), "atelier-ny@nogentech")
    assert event["RRULE"]["UNTIL"] == [dt.datetime(2024, 1, 1, 4, 59, 59, tzinfo=UTC)]
    assert "RRULE:FREQ=WEEKLY;UNTIL=20240101T045959Z;BYDAY=TU" in content_lines(data)
    assert event["DTSTART"].dt == dt.datetime(2023, 10, 3, 18, tzinfo=NEW_YORK)


def test_programmed_occurrence_is_an_override_with_its_programme(
    cluster: nogentech.Cluster,
) -> None:
    calendar = parse(export(cluster))
    original = dt.datetime(2023, 10, 12, 8, 30, tzinfo=PARIS)
    event = override(calendar, "rencontres-du-jeudi@nogentech", original)
    assert str(event["SUMMARY"]) == "L'IA, la forge; et C:\\Nogent"
    assert str(event["DESCRIPTION"]) == (
        "Rencontres du jeudi\n"
        "L'IA, la forge; et C:\\Nogent\n"
        "Petit-déjeuner\n"
        "Intervenants : Jean Dupont (ACME Forge)\n"
        "Témoignages : Bolt SA\n"
        "Lieu : Salle du CFAI, bâtiment B, Nogent"
    )
    assert str(event["LOCATION"]) == "Salle du CFAI, bâtiment B, Nogent"
    assert (event["SEQUENCE"], str(event["STATUS"])) == (2, "CONFIRMED")
    assert event["DTSTAMP"].dt == dt.datetime(2023, 10, 1, 7, tzinfo=UTC)
    assert event["LAST-MODIFIED"].dt == dt.datetime(2023, 10, 1, 7, tzinfo=UTC)


def test_moved_occurrence_keeps_its_original_start_as_recurrence_id(
    cluster: nogentech.Cluster,
) -> None:
    data = export(cluster)
    original = dt.datetime(2024, 1, 11, 8, 30, tzinfo=PARIS)
    event = override(parse(data), "rencontres-du-jeudi@nogentech", original)
    assert event["DTSTART"].dt == dt.datetime(2024, 1, 18, 9, tzinfo=PARIS)
    assert event["DTEND"].dt == dt.datetime(2024, 1, 18, 11, tzinfo=PARIS)
    assert str(event["SUMMARY"]) == "Vœux"
    assert "RECURRENCE-ID;TZID=Europe/Paris:20240111T083000" in content_lines(data)


@pytest.mark.parametrize("day", [dt.date(2023, 12, 14), dt.date(2024, 2, 8)])
def test_cancelled_dates_stay_as_cancelled_overrides_not_exdates(
    cluster: nogentech.Cluster, day: dt.date
) -> None:
    """Both a date in ``cancelled`` and an override with ``cancelled = true``."""
    calendar = parse(export(cluster))
    original = dt.datetime.combine(day, dt.time(8, 30), tzinfo=PARIS)
    event = override(calendar, "rencontres-du-jeudi@nogentech", original)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Annulé : Rencontres du jeudi"
    assert event["DTSTART"].dt == original
    assert all("EXDATE" not in e for e in calendar.events)


def test_series_overrides_are_exactly_the_programmed_and_cancelled_dates(
    cluster: nogentech.Cluster,
) -> None:
    calendar = parse(export(cluster))
    ids = [e["RECURRENCE-ID"].dt for e in by_uid(calendar, "rencontres-du-jeudi@nogentech")[1:]]
    assert ids == [
        dt.datetime(2023, 10, 12, 8, 30, tzinfo=PARIS),
        dt.datetime(2023, 12, 14, 8, 30, tzinfo=PARIS),
        dt.datetime(2024, 1, 11, 8, 30, tzinfo=PARIS),
        dt.datetime(2024, 2, 8, 8, 30, tzinfo=PARIS),
    ]
    assert by_uid(calendar, "atelier-ny@nogentech")[0].get("RECURRENCE-ID") is None
    assert len(by_uid(calendar, "atelier-ny@nogentech")) == 1


def test_all_day_event_has_dates_and_an_exclusive_end(cluster: nogentech.Cluster) -> None:
    data = export(cluster)
    (event,) = by_uid(parse(data), "salon-2024@nogentech")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (dt.date(2024, 5, 14), dt.date(2024, 5, 17))
    lines = content_lines(data)
    assert "DTSTART;VALUE=DATE:20240514" in lines
    assert "DTEND;VALUE=DATE:20240517" in lines


def test_timed_event_has_its_zone_sequence_and_stamp(cluster: nogentech.Cluster) -> None:
    (event,) = by_uid(parse(export(cluster)), "visite@nogentech")
    assert event["DTSTART"].dt == dt.datetime(2024, 3, 5, 14, tzinfo=PARIS)
    assert event["DTEND"].dt == dt.datetime(2024, 3, 5, 17, tzinfo=PARIS)
    assert event["SEQUENCE"] == 4
    assert event["DTSTAMP"].dt == dt.datetime(2024, 1, 20, 7, tzinfo=UTC)
    assert str(event["LOCATION"]) == "Salle du CFAI, bâtiment B, Nogent"


def test_organizer_only_where_the_data_has_an_email_and_no_alarms(
    cluster: nogentech.Cluster,
) -> None:
    data = export(cluster)
    calendar = parse(data)
    with_organizer = sorted({str(e["UID"]) for e in calendar.events if "ORGANIZER" in e})
    assert with_organizer == [
        "rencontres-du-jeudi.20240704@nogentech",  # the extra date, an event of its own
        "rencontres-du-jeudi@nogentech",
    ]
    assert b"VALARM" not in data
    assert all("URL" not in e for e in by_uid(calendar, "atelier-ny@nogentech"))


# -- stable output --------------------------------------------------------------------


def test_same_data_gives_the_same_bytes(cluster: nogentech.Cluster, tmp_path: Path) -> None:
    """Also in another process with another hash seed and another local time zone."""
    again = nogentech.loads(SAMPLE, "toml")
    assert export(cluster) == export(again)
    assert export(cluster, expand=True) == export(again, expand=True)
    source = tmp_path / "cluster.toml"
    source.write_text(SAMPLE, encoding="utf-8")
    code = (
        "import sys, nogentech\n"
        f"sys.stdout.buffer.write(nogentech.export(nogentech.load({str(source)!r}), 'ics'))\n"
    )
    env = {"PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
    assert out.stdout == export(cluster)


def test_uids_are_derived_from_ids_not_positions(cluster: nogentech.Cluster) -> None:
    events = parse(export(cluster)).events
    assert sorted({str(e["UID"]) for e in events}) == [
        "atelier-ny@nogentech",
        "rencontres-du-jeudi.20240704@nogentech",
        "rencontres-du-jeudi@nogentech",
        "salon-2024@nogentech",
        "visite@nogentech",
    ]
    reordered = attrs.evolve(
        cluster, meeting_series=cluster.meeting_series[::-1], events=cluster.events[::-1]
    )
    moved = parse(export(reordered)).events
    assert sorted(e.to_ical() for e in moved) == sorted(e.to_ical() for e in events)


def test_raising_an_override_sequence_raises_only_its_sequence(
    cluster: nogentech.Cluster,
) -> None:
    series = cluster.series("rencontres-du-jeudi")
    moved = attrs.evolve(series.overrides[1], sequence=5)
    changed = attrs.evolve(
        cluster,
        meeting_series=(
            attrs.evolve(series, overrides=(series.overrides[0], moved, series.overrides[2])),
            *cluster.meeting_series[1:],
        ),
    )
    before, after = parse(export(cluster)), parse(export(changed))
    original = dt.datetime(2024, 1, 11, 8, 30, tzinfo=PARIS)
    uid = "rencontres-du-jeudi@nogentech"
    assert override(before, uid, original)["SEQUENCE"] == 1
    assert override(after, uid, original)["SEQUENCE"] == 5
    others = [
        e.to_ical()
        for e in after.events
        if e.get("RECURRENCE-ID") is None or e["RECURRENCE-ID"].dt != original
    ]
    assert others == [
        e.to_ical()
        for e in before.events
        if e.get("RECURRENCE-ID") is None or e["RECURRENCE-ID"].dt != original
    ]


def test_stamps_fall_back_to_the_series_then_the_cluster_then_a_fixed_date(
    cluster: nogentech.Cluster,
) -> None:
    calendar = parse(export(cluster))
    moved = override(
        calendar, "rencontres-du-jeudi@nogentech", dt.datetime(2024, 1, 11, 8, 30, tzinfo=PARIS)
    )
    assert moved["DTSTAMP"].dt == dt.datetime(2023, 9, 1, 10, tzinfo=UTC)
    ny = master(calendar, "atelier-ny@nogentech")
    assert ny["DTSTAMP"].dt == dt.datetime(2024, 2, 1, 9, tzinfo=UTC)
    assert ny["LAST-MODIFIED"].dt == dt.datetime(2024, 2, 1, 9, tzinfo=UTC)
    bare = nogentech.loads(SAMPLE.replace("updated = 2024-02-01T10:00:00+01:00", ""), "toml")
    ny = master(parse(export(bare)), "atelier-ny@nogentech")
    assert ny["DTSTAMP"].dt == dt.datetime(2000, 1, 1, tzinfo=UTC)
    assert "LAST-MODIFIED" not in ny


# -- options ----------------------------------------------------------------------------


def test_english_feed_has_one_summary_per_event_in_english(cluster: nogentech.Cluster) -> None:
    data = export(cluster, lang="en")
    calendar = parse(data)
    for event in calendar.events:
        assert sum(1 for name, _ in event.property_items() if name == "SUMMARY") == 1
    summaries = [str(e["SUMMARY"]) for e in by_uid(calendar, "rencontres-du-jeudi@nogentech")]
    assert summaries == [
        "Thursday meetings",
        "AI and forging",
        "Cancelled: Thursday meetings",
        "Vœux",
        "Cancelled: Thursday meetings",
    ]
    assert str(calendar["X-WR-CALNAME"]) == "NOGENTECH · Meetings"
    assert str(calendar["PRODID"]).endswith("//EN")
    assert master(calendar, "rencontres-du-jeudi@nogentech").categories == [
        "Forging",
        "Medical; Nogent",
    ]


def test_series_filter_keeps_those_series_only(cluster: nogentech.Cluster) -> None:
    calendar = parse(export(cluster, series="atelier-ny"))
    assert {str(e["UID"]) for e in calendar.events} == {"atelier-ny@nogentech"}
    assert str(calendar["X-WR-CALNAME"]) == "NOGENTECH · Atelier New York"
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["America/New_York", "Europe/Paris"]


def test_sub_cluster_and_commission_filters(cluster: nogentech.Cluster) -> None:
    medical = parse(export(cluster, sub_cluster="medical"))
    assert {str(e["UID"]) for e in medical.events} == {
        "rencontres-du-jeudi@nogentech",
        "rencontres-du-jeudi.20240704@nogentech",
    }
    training = parse(export(cluster, commission=["formation"]))
    assert {str(e["UID"]) for e in training.events} == {"salon-2024@nogentech"}
    both = parse(export(cluster, sub_cluster="medical", commission="formation"))
    assert both.events == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"series": "nope,atelier-ny"},
            "option 'series': unknown id 'nope' (valid: atelier-ny, rencontres-du-jeudi)",
        ),
        ({"sub_cluster": "a,b"}, "option 'sub_cluster': unknown ids 'a', 'b' (valid: medical)"),
        ({"commission": "medical"}, "option 'commission': unknown id 'medical' (valid: formation)"),
    ],
)
def test_unknown_ids_in_filters_name_the_valid_ids(
    cluster: nogentech.Cluster, options: dict[str, str], message: str
) -> None:
    with pytest.raises(OptionError) as info:
        export(cluster, **options)
    assert str(info.value) == message


def test_date_window_keeps_whole_series_and_events_starting_inside(
    cluster: nogentech.Cluster,
) -> None:
    calendar = parse(export(cluster, start="2024-04-01", end="2024-06-01"))
    assert sorted({str(e["UID"]) for e in calendar.events}) == [
        "rencontres-du-jeudi.20240704@nogentech",
        "rencontres-du-jeudi@nogentech",
        "salon-2024@nogentech",
    ]
    # the series keeps every override, so no date falls back to the bare rule
    assert len(by_uid(calendar, "rencontres-du-jeudi@nogentech")) == 5


def test_end_must_follow_start(cluster: nogentech.Cluster) -> None:
    with pytest.raises(OptionError) as info:
        export(cluster, start="2024-02-01", end="2024-02-01")
    assert str(info.value) == "option 'end' (2024-02-01) must be after 'start' (2024-02-01)"


def test_expanded_feed_has_one_event_per_occurrence_in_the_window(
    cluster: nogentech.Cluster,
) -> None:
    data = export(cluster, expand=True, start="2023-12-01", end="2024-03-06")
    calendar = parse(data)
    got = [(str(e["UID"]), e["DTSTART"].dt, str(e["STATUS"])) for e in calendar.events]
    assert got == [
        (
            "atelier-ny.20231205@nogentech",
            dt.datetime(2023, 12, 5, 18, tzinfo=NEW_YORK),
            "CONFIRMED",
        ),
        (
            "atelier-ny.20231212@nogentech",
            dt.datetime(2023, 12, 12, 18, tzinfo=NEW_YORK),
            "CONFIRMED",
        ),
        (
            "rencontres-du-jeudi.20231214@nogentech",
            dt.datetime(2023, 12, 14, 8, 30, tzinfo=PARIS),
            "CANCELLED",
        ),
        (
            "atelier-ny.20231219@nogentech",
            dt.datetime(2023, 12, 19, 18, tzinfo=NEW_YORK),
            "CONFIRMED",
        ),
        (
            "atelier-ny.20231226@nogentech",
            dt.datetime(2023, 12, 26, 18, tzinfo=NEW_YORK),
            "CONFIRMED",
        ),
        (
            "rencontres-du-jeudi.20240111@nogentech",
            dt.datetime(2024, 1, 18, 9, tzinfo=PARIS),
            "CONFIRMED",
        ),
        (
            "rencontres-du-jeudi.20240208@nogentech",
            dt.datetime(2024, 2, 8, 8, 30, tzinfo=PARIS),
            "CANCELLED",
        ),
        ("visite@nogentech", dt.datetime(2024, 3, 5, 14, tzinfo=PARIS), "CONFIRMED"),
    ]
    for name in ("RRULE", "RDATE", "RECURRENCE-ID"):
        assert all(name not in e for e in calendar.events)
    assert str(by_uid(calendar, "rencontres-du-jeudi.20240111@nogentech")[0]["SUMMARY"]) == "Vœux"


def test_expanded_feed_default_window_comes_from_the_data_not_the_clock(
    cluster: nogentech.Cluster,
) -> None:
    """From the first meeting to 1 January two years after the latest date in the data
    (here the extra date 2024-07-04): the same feed whatever day it is rendered."""
    calendar = parse(export(cluster, expand=True, series="rencontres-du-jeudi"))
    starts = [e["DTSTART"].dt for e in calendar.events]
    assert starts[0] == dt.datetime(2023, 10, 12, 8, 30, tzinfo=PARIS)
    assert starts[-1] == dt.datetime(2025, 12, 11, 8, 30, tzinfo=PARIS)
    assert len(starts) == 28  # 27 second Thursdays and the extra date


# -- agreement with an independent expander ----------------------------------------------


def expected_summary(meeting: nogentech.Meeting, lang: str = "fr") -> str:
    text = (meeting.topic or meeting.title).get(lang)
    prefix = {"fr": "Annulé : ", "en": "Cancelled: "}[lang]
    return prefix + text if meeting.cancelled else text


def as_instant(value: dt.date | dt.datetime, tz: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(0), tzinfo=tz)


def occurrences_read_back(
    cluster: nogentech.Cluster, data: bytes, start: dt.date, end: dt.date
) -> list[tuple[dt.datetime, dt.timedelta | None, dt.datetime, str, str]]:
    tz = ZoneInfo(cluster.timezone)
    found = recurring_ical_events.of(parse(data)).between(start, end)
    rows = []
    for event in found:
        begin = as_instant(event["DTSTART"].dt, tz)
        rows.append(
            (
                begin,
                begin.utcoffset(),
                as_instant(event["DTEND"].dt, tz),
                str(event["SUMMARY"]),
                str(event["STATUS"]),
            )
        )
    return sorted(rows, key=lambda r: (r[0], r[3]))


def occurrences_of_library(
    cluster: nogentech.Cluster, start: dt.date, end: dt.date, lang: str = "fr"
) -> list[tuple[dt.datetime, dt.timedelta | None, dt.datetime, str, str]]:
    rows = [
        (
            m.start,
            m.start.utcoffset(),
            m.end,
            expected_summary(m, lang),
            "CANCELLED" if m.cancelled else "CONFIRMED",
        )
        for m in cluster.meetings_between(start, end, include_cancelled=True)
    ]
    return sorted(rows, key=lambda r: (r[0], r[3]))


@pytest.mark.parametrize("expand", [False, True])
def test_independent_expander_reads_the_library_occurrences_2023_to_2030(
    cluster: nogentech.Cluster, expand: bool
) -> None:
    """recurring_ical_events expands the feed to the same starts (with their offsets),
    ends, summaries and cancellations as ``Cluster.meetings_between``."""
    start, end = dt.date(2023, 1, 1), dt.date(2031, 1, 1)
    options = {"expand": True, "start": start, "end": end} if expand else {}
    got = occurrences_read_back(cluster, export(cluster, **options), start, end)
    want = occurrences_of_library(cluster, start, end)
    assert got == want
    assert len(want) == 13 + 88 + 2  # New York Tuesdays, Paris occurrences, events
    assert sum(1 for row in want if row[4] == "CANCELLED") == 2


# -- plugins ------------------------------------------------------------------------------


class Enricher:
    """A plugin that marks each VEVENT with the meeting it shows and counts them."""

    @nogentech.hookimpl
    def nogentech_ics_event(
        self, event: VEvent, meeting: nogentech.Meeting | None, options: dict[str, object]
    ) -> None:
        event.add("x-meeting", "master" if meeting is None else f"{meeting.id} {options['lang']}")

    @nogentech.hookimpl
    def nogentech_ics_calendar(self, calendar: Calendar) -> None:
        calendar.add("x-count", str(len(calendar.events)))


@pytest.fixture
def enriched() -> Iterator[None]:
    from nogentech import plugins

    plugins.reset([("enricher", Enricher())])
    yield
    plugins.reset()


@pytest.mark.usefixtures("enriched")
def test_plugins_enrich_every_vevent_and_the_calendar(cluster: nogentech.Cluster) -> None:
    calendar = parse(export(cluster, lang="en", series="rencontres-du-jeudi"))
    assert [str(e["X-MEETING"]) for e in calendar.events] == [
        "master",
        "rencontres-du-jeudi/2023-10-12 en",
        "rencontres-du-jeudi/2023-12-14 en",
        "rencontres-du-jeudi/2024-01-11 en",
        "rencontres-du-jeudi/2024-02-08 en",
        "rencontres-du-jeudi/2024-07-04 en",
    ]
    assert str(calendar["X-COUNT"]) == "6"


# -- command line and laziness -------------------------------------------------------------


def test_cli_writes_the_feed_to_a_file(
    cluster: nogentech.Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "cluster.toml"
    source.write_text(SAMPLE, encoding="utf-8")
    target = tmp_path / "meetings.ics"
    assert main(["export", "ics", "-o", str(target), "--data", str(source)]) == 0
    assert target.read_bytes() == export(cluster)
    english = tmp_path / "meetings-en.ics"
    argv = ["export", "ics", "--data", str(source), "--lang", "en", "-o", str(english)]
    assert main([*argv, "--option", "expand=true"]) == 0
    assert english.read_bytes() == export(cluster, lang="en", expand=True)
    assert capsys.readouterr().out == ""


def test_cli_reports_an_unknown_series(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cluster.toml"
    source.write_text(SAMPLE, encoding="utf-8")
    argv = ["export", "ics", "--data", str(source), "--option", "series=jeudi"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "error: option 'series': unknown id 'jeudi' (valid: atelier-ny, rencontres-du-jeudi)\n"
    )


def test_loading_data_does_not_import_icalendar(tmp_path: Path) -> None:
    source = tmp_path / "cluster.toml"
    source.write_text(SAMPLE, encoding="utf-8")
    code = (
        "import sys, nogentech, nogentech.plugins\n"
        f"nogentech.load({str(source)!r}); nogentech.formats()\n"
        "print('icalendar' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


# -- the built-in data ------------------------------------------------------------------------


@pytest.fixture
def builtin() -> nogentech.Cluster:
    if not nogentech.builtin_path().exists():
        pytest.skip("the built-in data file is not there yet")
    return nogentech.load()


SECOND_THURSDAYS = [
    dt.datetime(2023, 10, 12, 8, 30, tzinfo=PARIS),
    dt.datetime(2023, 11, 9, 8, 30, tzinfo=PARIS),
    dt.datetime(2023, 12, 14, 8, 30, tzinfo=PARIS),
    dt.datetime(2024, 1, 11, 8, 30, tzinfo=PARIS),
    dt.datetime(2024, 2, 8, 8, 30, tzinfo=PARIS),
    dt.datetime(2024, 3, 14, 8, 30, tzinfo=PARIS),
]


def test_builtin_thursday_series_master_and_programmed_overrides(
    builtin: nogentech.Cluster,
) -> None:
    data = export(builtin)
    calendar = parse(data)
    uid = f"rencontres-du-jeudi@{builtin.id}"
    event = master(calendar, uid)
    assert event["DTSTART"].dt == SECOND_THURSDAYS[0]
    assert event["DTEND"].dt == dt.datetime(2023, 10, 12, 10, 30, tzinfo=PARIS)
    assert event["RRULE"]["FREQ"] == ["MONTHLY"]
    assert event["RRULE"]["BYDAY"] == ["2TH"]
    ids = [e["RECURRENCE-ID"].dt for e in by_uid(calendar, uid) if "RECURRENCE-ID" in e]
    assert ids[:6] == SECOND_THURSDAYS
    series = builtin.series("rencontres-du-jeudi")
    for override_ in series.overrides:
        if override_.topic is not None and not override_.cancelled:
            original = dt.datetime.combine(override_.date, dt.time(8, 30), tzinfo=PARIS)
            assert str(override(calendar, uid, original)["SUMMARY"]) == override_.topic.get("fr")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("expand", [False, True])
def test_builtin_feed_agrees_with_an_independent_expander(
    builtin: nogentech.Cluster, lang: str, expand: bool
) -> None:
    """Starts with their offsets, ends, topics and cancellations of 2023–2030, in
    each language and in both forms of the feed."""
    start, end = dt.date(2023, 1, 1), dt.date(2031, 1, 1)
    options: dict[str, object] = {"lang": lang}
    if expand:
        options |= {"expand": True, "start": start, "end": end}
    got = occurrences_read_back(builtin, export(builtin, **options), start, end)
    want = occurrences_of_library(builtin, start, end, lang)
    assert got == want
    # the monthly meetings read back at 08:30 Paris time on both sides of each DST
    # change: 06:30 UTC (+02:00) in summer, 07:30 UTC (+01:00) in winter
    series = builtin.series("rencontres-du-jeudi")
    rule_starts = {
        m.start for m in series.occurrences(start, end, include_cancelled=True) if not m.override
    }
    read = [row for row in got if row[0] in rule_starts]
    assert len(read) == len(rule_starts) > 60
    assert {(r[0].astimezone(PARIS).hour, r[0].astimezone(PARIS).minute) for r in read} == {(8, 30)}
    by_offset = {r[1]: r[0].astimezone(UTC).strftime("%H:%M") for r in read}
    assert by_offset == {dt.timedelta(hours=2): "06:30", dt.timedelta(hours=1): "07:30"}


def test_builtin_feed_is_stable_and_lines_are_short(builtin: nogentech.Cluster) -> None:
    data = export(builtin)
    assert data == export(nogentech.loads(nogentech.builtin_path().read_text("utf-8"), "toml"))
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
