"""The rules of change tracking, one by one: removal, return, hand-kept numbers,
stale states, vCards, and the state file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest
import vobject

import nogentech
from nogentech.exporters.vcard import card_uid
from nogentech.stamps import VIEWS, Change, Stamps, default_path, refresh, view_of
from tests.conftest import make_demo

UTC = dt.UTC
T0 = dt.datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
T1 = dt.datetime(2024, 1, 6, 11, 0, tzinfo=UTC)
T2 = dt.datetime(2024, 1, 7, 12, 0, tzinfo=UTC)
FEB8 = ";TZID=Europe/Paris:20240208T083000"


def renders(cluster: nogentech.Cluster) -> list[tuple[str, str, bytes]]:
    return [(fmt, view, nogentech.export(cluster, fmt, **opts)) for fmt, view, opts in VIEWS]


def base() -> nogentech.Cluster:
    return attrs.evolve(make_demo(), updated=T0)


def with_overrides(cluster: nogentech.Cluster, *overrides: nogentech.Override) -> nogentech.Cluster:
    series = attrs.evolve(cluster.meeting_series[0], overrides=overrides)
    return attrs.evolve(cluster, meeting_series=(series,))


def lines(data: bytes, uid: str, rid: str = "") -> list[str]:
    """SEQUENCE, DTSTAMP and LAST-MODIFIED lines of one VEVENT of a feed."""
    text = data.decode().replace("\r\n ", "")
    for block in text.split("BEGIN:VEVENT\r\n")[1:]:
        body = block.split("END:VEVENT")[0].splitlines()
        own_rid = next(
            (x[len("RECURRENCE-ID") :] for x in body if x.startswith("RECURRENCE-ID")), ""
        )
        if f"UID:{uid}" in body and own_rid == rid:
            return [x for x in body if x.split(":")[0] in ("SEQUENCE", "DTSTAMP", "LAST-MODIFIED")]
    raise AssertionError(f"no VEVENT {uid} {rid}")


def test_a_removed_override_bumps_its_series_and_comes_back_above_its_old_number() -> None:
    """Dropping the 8 February override gives the date back to the series: the master
    is changed; when an override for that date returns, its sequence goes on growing."""
    start = base()
    s0, _ = Stamps().record(renders(start), T0)
    march = start.meeting_series[0].overrides[1]
    s1, changes = s0.record(renders(with_overrides(start, march)), T1)
    assert Change("ics", "jeudis@demo", FEB8, "removed", 0) in changes
    assert Change("ics", "jeudis@demo", "", "changed", 1) in changes
    assert s1.get("ics", "jeudis@demo", FEB8) == attrs.evolve(
        s0.get("ics", "jeudis@demo", FEB8), digests={}
    )
    s2, changes = s1.record(renders(start), T2)
    assert Change("ics", "jeudis@demo", FEB8, "new", 2) in changes
    data = s2.apply("ics", "fr", nogentech.export(start, "ics"))[0]
    assert lines(data, "jeudis@demo", FEB8) == [
        "DTSTAMP:20240107T120000Z",
        "SEQUENCE:2",
        "LAST-MODIFIED:20240107T120000Z",
    ]
    assert lines(data, "jeudis@demo") == [
        "DTSTAMP:20240106T110000Z",
        "SEQUENCE:1",
        "LAST-MODIFIED:20240106T110000Z",
    ]


def test_a_sequence_raised_by_hand_is_kept_as_a_floor() -> None:
    start = base()
    s0, _ = Stamps().record(renders(start), T0)
    feb, march = start.meeting_series[0].overrides
    raised = with_overrides(start, attrs.evolve(feb, sequence=7), march)
    s1, changes = s0.record(renders(raised), T1)
    assert Change("ics", "jeudis@demo", FEB8, "changed", 7) in changes
    assert (
        lines(s1.apply("ics", "fr", nogentech.export(raised, "ics"))[0], "jeudis@demo", FEB8)[1]
        == "SEQUENCE:7"
    )


def test_a_stale_state_gives_pending_values_that_do_not_read_the_clock() -> None:
    """Exporting an edit before it is recorded lists it, with the next sequence and the
    later of its recorded time and the data's stamp: twice the same bytes."""
    start = base()
    s0, _ = Stamps().record(renders(start), T0)
    feb, march = start.meeting_series[0].overrides
    edited = with_overrides(start, attrs.evolve(feb, venue="salle"), march)
    plain = nogentech.export(edited, "ics")
    first, pending = s0.apply("ics", "fr", plain)
    assert pending == [("ics", "jeudis@demo", FEB8)]
    assert s0.apply("ics", "fr", plain) == (first, pending)
    assert lines(first, "jeudis@demo", FEB8) == [
        "DTSTAMP:20240105T100000Z",
        "SEQUENCE:1",
        "LAST-MODIFIED:20240105T100000Z",
    ]


def cards(data: bytes) -> dict[str, str | None]:
    """REV of each card by UID, as vobject reads them."""
    out = {}
    for card in vobject.readComponents(data.decode()):
        rev = card.contents.get("rev")
        out[card.uid.value] = rev[0].value if rev else None
    return out


@pytest.mark.parametrize(
    ("version", "form"), [(3, "2024-01-06T11:00:00Z"), (4, "20240106T110000Z")]
)
def test_a_renamed_person_changes_the_rev_of_that_card_only(version: int, form: str) -> None:
    start = base()
    s0, _ = Stamps().record(renders(start), T0)
    people = tuple(
        attrs.evolve(p, name="Robert Durand") if p.id == "bob" else p for p in start.people
    )
    renamed = attrs.evolve(start, people=people)
    s1, changes = s0.record(renders(renamed), T1)
    bob = card_uid("demo", "bob")
    assert changes == [Change("vcard", bob, "", "changed", 1)]
    before = cards(
        s0.apply("vcard", f"fr,{version}", nogentech.export(start, "vcard", version=version))[0]
    )
    after = cards(
        s1.apply("vcard", f"fr,{version}", nogentech.export(renamed, "vcard", version=version))[0]
    )
    assert {k for k in after if after[k] != before[k]} == {bob}
    assert after[bob] == form
    assert set(before.values()) == {"2024-01-05T10:00:00Z" if version == 3 else "20240105T100000Z"}


def test_a_filtered_card_export_takes_the_recorded_values() -> None:
    """A group card of a filtered export lists fewer members: that is no change."""
    start = base()
    s0, _ = Stamps().record(renders(start), T0)
    options = {"lang": "fr", "version": 3, "sub_cluster": ("med",)}
    assert view_of("vcard", options) is None
    data = nogentech.export(start, "vcard", **options)
    assert s0.apply("vcard", None, data) == (data, [])


def test_refresh_writes_the_file_only_when_something_changed(tmp_path: Path) -> None:
    data = tmp_path / "demo.toml"
    path = default_path(data)
    assert path == tmp_path / "demo.stamps.json"
    start = base()

    def render(fmt: str, options: object) -> bytes:
        return nogentech.export(start, fmt, **options)  # type: ignore[arg-type]

    state, changes = refresh(path, render, T0)
    written = path.read_bytes()
    assert changes == [] and Stamps.loads(written) == state
    path.touch()
    mtime = path.stat().st_mtime_ns
    assert refresh(path, render, T1) == (state, [])
    assert path.stat().st_mtime_ns == mtime and path.read_bytes() == written


def test_a_state_file_that_is_not_one_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "x.stamps.json"
    path.write_text('{"ics": {}}', encoding="utf-8")
    with pytest.raises(nogentech.DataError) as info:
        Stamps.load(path)
    assert info.value.source == str(path)
    assert info.value.lines() == [
        "invalid state file: not a state file ('nogentech-stamps': 1 missing)"
    ]
    assert Stamps.load(tmp_path / "missing.json") == Stamps()
