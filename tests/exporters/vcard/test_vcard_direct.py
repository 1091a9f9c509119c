"""The two writers of the ``vcard`` exporter give the same bytes.

Without a plugin implementing ``nogentech_vcard``, the cards are written directly
as text; with one, vobject builds and writes them (the reference). Random clusters
full of hostile text (line breaks, control characters, ``;,\\:``, emoji, long
accented lines), every version and option, must give the same bytes both ways, and
the direct bytes must read back in vobject as the values the reference cards hold.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, plugins
from nogentech.exceptions import OptionError
from nogentech.exporters.vcard import NAMESPACE, cards, fold_line, render_direct, render_vobject
from nogentech.exporters.vcard._direct import _uids
from nogentech.exporters.vcard._lines import clean_text, fold_text
from nogentech.organisations import ORGANISATION_KINDS
from nogentech.testing import any_strings, clusters, strings

CONTROLS = st.text(
    st.characters(max_codepoint=0x20) | st.sampled_from("\x7f\ufeff\x85\u2028"), min_size=1
)
"""Control characters, the line breaks Unicode has besides CR and LF, U+FEFF."""

LONG = st.builds(
    lambda unit, count, tail: unit * count + tail,
    st.sampled_from(["é", "😀", "👩‍🏭", "日本", "a;b,c\\d:e", "x", "Œ\n"]),
    st.integers(20, 120),
    st.text(max_size=3),
)
"""Lines long enough to fold, with characters of 1 to 4 octets on the fold points."""

HOSTILE = st.one_of(any_strings, CONTROLS, LONG, (strings | LONG).map(lambda s: f" {s}\r\n"))

SETTINGS = settings(
    max_examples=100, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@st.composite
def hostile_clusters(draw: st.DrawFn) -> Cluster:
    """A cluster of :func:`nogentech.testing.clusters` whose web addresses, e-mail
    addresses and telephone numbers are hostile text too."""
    cluster = draw(clusters())
    maybe = st.none() | HOSTILE | st.just("https://example.org/a b?c=1,2;3\\4")
    companies = tuple(
        attrs.evolve(c, website=draw(maybe), email=draw(maybe), phone=draw(maybe))
        for c in cluster.companies
    )
    people = tuple(
        attrs.evolve(p, email=draw(maybe), phone=draw(maybe), name=draw(HOSTILE | st.just(p.name)))
        for p in cluster.people
    )
    return attrs.evolve(cluster, companies=companies, people=people)


def some(data: st.DataObject, ids: list[str]) -> tuple[str, ...]:
    """No ids most of the time, else one or two of ``ids``."""
    if not ids or data.draw(st.booleans()):
        return ()
    return tuple(data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)))


def draw_options(data: st.DataObject, cluster: Cluster) -> dict[str, Any]:
    """Options as ``nogentech.export`` hands them to ``render``: every one, resolved."""
    given_options: dict[str, Any] = {
        "version": data.draw(st.sampled_from([3, 4])),
        "lang": data.draw(st.sampled_from(["fr", "en"])),
        "people": data.draw(st.booleans()),
        "groups": data.draw(st.booleans()),
        "sub_cluster": some(data, [s.id for s in cluster.sub_clusters]),
        "sector": some(data, [s.id for s in cluster.sectors]),
        "commune": some(data, [p.id for p in cluster.places]),
        "kind": some(data, list(ORGANISATION_KINDS)),
    }
    return plugins.resolve_options(plugins.get_exporter("vcard"), given_options)


@pytest.fixture(autouse=True)
def no_plugins() -> Any:
    plugins.reset()
    yield
    plugins.reset()


@SETTINGS
@given(cluster=hostile_clusters(), data=st.data())
def test_direct_bytes_are_vobjects_bytes(cluster: Cluster, data: st.DataObject) -> None:
    options = draw_options(data, cluster)
    direct = render_direct(cluster, options)
    assert direct == render_vobject(cluster, options, None)
    assert nogentech.export(cluster, "vcard", **options) == direct


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_direct_bytes_are_vobjects_bytes_for_the_builtin_data(version: int, lang: str) -> None:
    cluster = nogentech.load()
    options = plugins.resolve_options(
        plugins.get_exporter("vcard"), {"version": version, "lang": lang}
    )
    assert render_direct(cluster, options) == render_vobject(cluster, options, None)


def contents(card: Any) -> dict[str, list[Any]]:
    """The properties of a vobject card: name, then each line's value and parameters."""
    return {
        name: [(line.value, line.params) for line in lines]
        for name, lines in sorted(card.contents.items())
    }


@SETTINGS
@given(cluster=hostile_clusters(), data=st.data())
def test_direct_bytes_read_back_in_vobject_as_the_reference_cards(
    cluster: Cluster, data: st.DataObject
) -> None:
    """vobject reads the direct bytes (3.0 and 4.0) as the values of the cards it built."""
    options = draw_options(data, cluster)
    direct = render_direct(cluster, options)
    read = list(vobject.readComponents(direct.decode("utf-8")))
    built = [card for _, card in cards(cluster, options)]
    assert len(read) == len(built)
    for ours, theirs in zip(read, built, strict=True):
        assert contents(ours) == contents(theirs)


@pytest.mark.parametrize(
    "options", [{"version": 5}, {"sub_cluster": ("atlantis",)}, {"kind": ("castle",)}]
)
def test_both_writers_refuse_the_same_options(options: Mapping[str, Any]) -> None:
    cluster = nogentech.load()
    with pytest.raises(OptionError) as direct:
        render_direct(cluster, {"lang": "fr", **options})
    with pytest.raises(OptionError) as reference:
        render_vobject(cluster, {"lang": "fr", **options}, None)
    assert str(direct.value) == str(reference.value)
    assert str(direct.value).startswith("option '")


class Marker:
    """A plugin implementing ``nogentech_vcard``: it adds a line to every card."""

    @nogentech.hookimpl
    def nogentech_vcard(self, card: Any, subject: Any) -> None:
        card.add("x-marker").value = subject.id


def test_a_plugin_implementing_the_hook_gets_vobject_cards() -> None:
    cluster = nogentech.load()
    plain = nogentech.export(cluster, "vcard")
    plugins.reset(plugins=[("marker", Marker())])
    marked = nogentech.export(cluster, "vcard")
    hooks = plugins.Hooks(plugins.get_plugin_manager())
    options = plugins.resolve_options(plugins.get_exporter("vcard"), {})
    assert marked == render_vobject(cluster, options, hooks)
    assert marked.count(b"\r\nX-MARKER:") == plain.count(b"BEGIN:VCARD\r\n") > 40
    lines = [line for line in marked.split(b"\r\n") if not line.startswith(b"X-MARKER:")]
    assert b"\r\n".join(lines) == plain


def test_the_direct_path_does_not_import_vobject() -> None:
    code = (
        "import sys, nogentech\n"
        "cluster = nogentech.load()\n"
        "for options in ({}, {'version': 4, 'lang': 'en'}):\n"
        "    assert nogentech.export(cluster, 'vcard', **options).startswith(b'BEGIN:VCARD')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'vobject'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == "[]\n"


@given(cluster_id=st.text(), ident=st.text())
def test_the_direct_uids_are_card_uid(cluster_id: str, ident: str) -> None:
    expected = f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{cluster_id}/{ident}')}"
    assert _uids(cluster_id)(ident) == expected


@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n")) | LONG)
def test_fold_text_folds_as_fold_line(line: str) -> None:
    line = line.replace("\r", "").replace("\n", "")
    assert fold_text(f"{line}\r\n").encode("utf-8") == fold_line(line)


@given(HOSTILE | st.text())
def test_clean_text_drops_the_characters_a_card_never_holds(value: str) -> None:
    """Line breaks become LF; C0 controls but tab and LF, DEL and U+FEFF are dropped."""
    lf = value.replace("\r\n", "\n").replace("\r", "\n")
    assert clean_text(value) == re.sub("[\x00-\x08\x0b-\x1f\x7f\ufeff]", "", lf).strip()


def test_clean_text_examples() -> None:
    assert clean_text(" a\x00b\r\nc\ufeff\x7f\td\x1f\re\x85f ") == "ab\nc\td\ne\x85f"
    assert clean_text("Forge\u2028Nogent") == "Forge\u2028Nogent"
    assert clean_text("\ufeff\x0b") == ""
