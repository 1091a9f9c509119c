"""jCal and jCard equal what Mozilla ical.js (``ICAL.parse``) reads from the .ics and
vCard 4.0 exports, property by property."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest

import nogentech
from nogentech import Cluster, Company, Person, Role, Text
from tests.support import ROOT

JS = ROOT / "tests" / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "ical.js").is_dir(),
    reason="needs Node.js and `npm ci` in tests/js",
)


def ical_js(tmp_path: Path, *texts: bytes) -> list[Any]:
    """ICAL.parse of each text, run by node on files holding the exact bytes."""
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"input-{i}.txt"
        path.write_bytes(text)
        paths.append(str(path))
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(JS / "ical-parse.mjs"), *paths],
        capture_output=True,
        check=True,
        timeout=60,
        cwd=JS,
    )
    parsed: list[Any] = json.loads(result.stdout)
    return parsed


def flatten(component: list[Any], path: str = "") -> list[tuple[str, list[Any]]]:
    """(component path, property) for every property, in order, components included."""
    here = f"{path}/{component[0]}"
    out = [(here, prop) for prop in component[1]]
    for child in component[2] if len(component) > 2 else []:
        out += flatten(child, here)
    out.append((here, ["(end)"]))
    return out


def tricky(demo: Cluster) -> Cluster:
    """The demo with texts full of what content lines escape: , ; \\ newlines, quotes."""
    series = attrs.evolve(
        demo.meeting_series[0],
        description=Text(fr="Café, croissants; \\ et « plus »\nLigne 2", en="Tea; biscuits, \\"),
        url="https://example.org/a;b,c",
    )
    companies = (
        *demo.companies,
        Company(
            id="virgule",
            name='Virgule, Point; "Barre" \\ SA',
            email="contact@example.org",
            phone="+33 3 25 00 00 00",
            website="https://example.org/?a=1;b=2",
            places=("atelier",),
            description=Text(fr="Ligne 1\nLigne 2, avec; tout"),
        ),
    )
    people = (
        *demo.people,
        Person(
            id="dana",
            name="Dana O’Brien-Smith",
            roles=(Role(kind="employee", of="virgule", title=Text(fr="Cheffe; de, projet")),),
        ),
    )
    places = tuple(
        attrs.evolve(p, address="1, rue du Pont; bât. B") if p.id == "atelier" else p
        for p in demo.places
    )
    return attrs.evolve(
        demo, meeting_series=(series,), companies=companies, people=people, places=places
    )


def _clusters(demo: Cluster) -> dict[str, Cluster]:
    return {"demo": demo, "tricky": tricky(demo), "builtin": nogentech.load()}


ICS_CASES = [
    ("builtin", {}),
    ("builtin", {"lang": "en"}),
    ("builtin", {"expand": "true", "start": "2023-10-01", "end": "2024-06-01"}),
    ("demo", {}),
    ("demo", {"occurrence": "jeudis/2024-03-14"}),
    ("tricky", {"lang": "fr"}),
    ("tricky", {"lang": "en", "expand": "true"}),
]


def test_jcal_equals_ical_js_parse_of_the_ics_export(demo: Cluster, tmp_path: Path) -> None:
    clusters = _clusters(demo)
    feeds = [nogentech.export(clusters[name], "ics", **opts) for name, opts in ICS_CASES]
    theirs = ical_js(tmp_path, *feeds)
    for (name, opts), parsed in zip(ICS_CASES, theirs, strict=True):
        ours = json.loads(nogentech.export(clusters[name], "jcal", **opts))
        assert ours[0] == "vcalendar"
        assert flatten(ours) == flatten(parsed), (name, opts)
        assert ours == parsed


def _as_ical_js_reads(card: list[Any]) -> list[Any]:
    """The jCard as ical.js gives it: it keeps the backslash of ``\\;`` in single text values.

    RFC 6350 escapes ``;`` everywhere, and ical.js unescapes it only in structured
    values (N, ADR, ORG); see CALENDAR-CLIENTS.md, item 20. The envelope differs
    too: ical.js adds an empty sub-component list that RFC 7095 does not have.
    """
    props = []
    for prop in card[1]:
        name, params, kind, *values = prop
        single = name not in ("n", "adr", "org", "gender", "clientpidmap", "categories")
        if kind == "text" and single:
            values = [v.replace(";", "\\;") for v in values]
        props.append([name, params, kind, *values])
    return [card[0], props, []]


VCARD_CASES = [
    ("builtin", {}),
    ("builtin", {"lang": "en", "sub_cluster": "prosthesis-valley"}),
    ("demo", {}),
    ("tricky", {}),
    ("tricky", {"lang": "en", "people": "false"}),
]


def test_jcard_equals_ical_js_parse_of_the_vcard4_export(demo: Cluster, tmp_path: Path) -> None:
    clusters = _clusters(demo)
    cards = [
        nogentech.export(clusters[name], "vcard", version=4, **opts) for name, opts in VCARD_CASES
    ]
    theirs = ical_js(tmp_path, *cards)
    for (name, opts), parsed in zip(VCARD_CASES, theirs, strict=True):
        ours = json.loads(nogentech.export(clusters[name], "jcard", **opts))
        assert all(len(card) == 2 and card[0] == "vcard" for card in ours)  # RFC 7095 shape
        parsed = parsed if isinstance(parsed[0], list) else [parsed]
        assert len(ours) == len(parsed), (name, opts)
        for card, read in zip(ours, parsed, strict=True):
            expected = _as_ical_js_reads(card)
            assert flatten(expected) == flatten(read), (name, opts)


def test_jcard_unescapes_semicolons_of_single_text_values(demo: Cluster) -> None:
    cards = json.loads(nogentech.export(tricky(demo), "jcard"))
    (virgule,) = [c for c in cards if ["fn", {}, "text", 'Virgule, Point; "Barre" \\ SA'] in c[1]]
    assert ["note", {}, "text", "Ligne 1\nLigne 2, avec; tout"] in virgule[1]
    assert ["org", {}, "text", 'Virgule, Point; "Barre" \\ SA'] in virgule[1]


def test_jcal_keeps_the_feed_options_and_types(demo: Cluster) -> None:
    calendar = json.loads(nogentech.export(demo, "jcal", occurrence="jeudis/2024-03-14"))
    (event,) = [c for c in calendar[2] if c[0] == "vevent"]
    props = {p[0]: p for p in event[1]}
    assert props["uid"] == ["uid", {}, "text", "jeudis@demo"]
    assert props["recurrence-id"] == [
        "recurrence-id",
        {"tzid": "Europe/Paris"},
        "date-time",
        "2024-03-14T08:30:00",
    ]
    assert props["dtstart"] == [
        "dtstart",
        {"tzid": "Europe/Paris"},
        "date-time",
        "2024-03-15T09:00:00",
    ]
    assert props["sequence"] == ["sequence", {}, "integer", 0]


def test_exporters_are_registered_with_json_media_types() -> None:
    info = {f.name: f for f in nogentech.formats()}
    assert (info["jcal"].media_type, info["jcal"].extension) == (
        "application/calendar+json",
        "jcal.json",
    )
    assert (info["jcard"].media_type, info["jcard"].extension) == (
        "application/vcard+json",
        "jcard.json",
    )
    assert "version" not in {o.name for o in info["jcard"].options}
    assert [o.name for o in info["jcal"].options] == [o.name for o in info["ics"].options]
