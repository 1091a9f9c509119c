"""jCal and jCard equal what Mozilla ical.js (``ICAL.parse``) reads from the .ics and
vCard 4.0 exports, property by property."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, Company, Person, Role, Text
from nogentech.testing import clusters
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
        assert flatten(_calendar_as_ical_js_reads(ours)) == flatten(parsed), (name, opts)


def _ical_js_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as ical.js reads them: it takes ``\\,``, ``\\;``, ``\\\\`` and ``\\n`` in a
    parameter value for TEXT escapes, where RFC 5545 has none (a backslash is itself)."""

    def read(value: Any) -> Any:
        if isinstance(value, list):
            return [read(v) for v in value]
        return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)

    return {name: read(value) for name, value in params.items()}


def _ical_js_values(kind: str, values: list[Any]) -> list[Any]:
    """Values of a multi-valued text property as ical.js splits them.

    A value ending with a backslash is written ``…\\\\,`` before the next one; ical.js
    takes that comma for an escaped one (it looks at the one character before it),
    so it reads the two values as one, joined by the comma.
    """
    if kind != "text" or len(values) < 2:
        return values
    out = [values[0]]
    for value in values[1:]:
        if isinstance(out[-1], str) and out[-1].endswith("\\"):
            out[-1] = f"{out[-1]},{value}"
        else:
            out.append(value)
    return out


def _ical_js_structured(value: Any) -> Any:
    """A structured value (N, ADR…) as ical.js splits it: the same slip as
    :func:`_ical_js_values`, with the semicolon between components."""
    if not isinstance(value, list):
        return value
    out = [value[0]]
    for part in value[1:]:
        if isinstance(out[-1], str) and out[-1].endswith("\\") and isinstance(part, str):
            out[-1] = f"{out[-1]};{part}"
        else:
            out.append(part)
    return out if len(out) > 1 else out[0]


def _calendar_as_ical_js_reads(component: list[Any]) -> list[Any]:
    """The jCal as ical.js gives it (see :func:`_ical_js_params`, :func:`_ical_js_values`)."""
    props = [
        [name, _ical_js_params(params), kind, *_ical_js_values(kind, values)]
        for name, params, kind, *values in component[1]
    ]
    return [component[0], props, [_calendar_as_ical_js_reads(c) for c in component[2]]]


def _as_ical_js_reads(card: list[Any]) -> list[Any]:
    """The jCard as ical.js gives it (see :func:`_ical_js_params`, :func:`_ical_js_values`).

    The envelope differs too: ical.js adds an empty sub-component list that RFC 7095
    does not have.
    """
    props = []
    for prop in card[1]:
        name, params, kind, *values = prop
        structured = name in ("n", "adr", "org", "gender", "clientpidmap")
        if kind == "text" and not structured:
            values = _ical_js_values(kind, values)
        elif kind == "text":
            values = [_ical_js_structured(v) for v in values]
        props.append([name, _ical_js_params(params), kind, *values])
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


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking runs node hundreds of times
)
@given(cluster=clusters(), lang=st.sampled_from(["fr", "en"]))
def test_any_cluster_jcal_and_jcard_equal_ical_js(cluster: Cluster, lang: str) -> None:
    """For clusters of every shape the model allows, both conversions agree with ical.js."""
    with tempfile.TemporaryDirectory() as folder:
        ics = nogentech.export(cluster, "ics", lang=lang)
        vcf = nogentech.export(cluster, "vcard", version=4, lang=lang)
        calendar, cards = ical_js(Path(folder), ics, vcf)
    ours_calendar = json.loads(nogentech.export(cluster, "jcal", lang=lang))
    assert flatten(_calendar_as_ical_js_reads(ours_calendar)) == flatten(calendar)
    ours = json.loads(nogentech.export(cluster, "jcard", lang=lang))
    cards = cards if cards and isinstance(cards[0], list) else [cards] if cards else []
    assert [flatten(_as_ical_js_reads(c)) for c in ours] == [flatten(c) for c in cards]


ICS_SLIPS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n"
    "DTSTAMP:20240101T000000Z\r\nCATEGORIES:a\\\\,b,c\r\n"
    'ORGANIZER;CN="x\\,y":mailto:o@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
)
VCF_SLIPS = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:a\\; b\r\nN:x\\\\;y;;;\r\nCATEGORIES:p\\\\,q\r\nEND:VCARD\r\n"
)


def test_the_ical_js_slips_the_comparison_allows_for_are_real(tmp_path: Path) -> None:
    """Each difference the comparison expects is what ical.js does, and ours is the RFC's.

    ical.js also keeps the backslash of ``\\;`` in a vCard's text that is not
    structured; the ``vcard`` exporter writes ``;`` there unescaped, so the
    comparison needs nothing for it.
    """
    from nogentech.exporters.jcal import convert

    (calendar,) = convert(ICS_SLIPS, "ical")
    (card,) = convert(VCF_SLIPS, "vcard")
    event = calendar[2][0][1]
    assert ["categories", {}, "text", "a\\", "b", "c"] in event
    assert ["organizer", {"cn": "x\\,y"}, "cal-address", "mailto:o@example.org"] in event
    assert card[1][1:] == [
        ["fn", {}, "text", "a; b"],
        ["n", {}, "text", ["x\\", "y", "", "", ""]],
        ["categories", {}, "text", "p\\", "q"],
    ]
    theirs_calendar, theirs_card = ical_js(tmp_path, ICS_SLIPS.encode(), VCF_SLIPS.encode())
    assert theirs_calendar[2][0][1][2:] == [
        ["categories", {}, "text", "a\\,b", "c"],
        ["organizer", {"cn": "x,y"}, "cal-address", "mailto:o@example.org"],
    ]
    assert theirs_card[1][1:] == [
        ["fn", {}, "text", "a\\; b"],
        ["n", {}, "text", ["x\\;y", "", "", ""]],
        ["categories", {}, "text", "p\\,q"],
    ]
    assert _calendar_as_ical_js_reads(calendar) == theirs_calendar
    fn_as_written, *rest = _as_ical_js_reads(card)[1][1:]
    assert rest == theirs_card[1][2:]
    assert fn_as_written == ["fn", {}, "text", "a; b"]  # ical.js keeps the backslash of \;
