"""Text rules of the ``vcard`` exporter: escaping, CR LF, folding at 75 octets.

Cards are read back with vobject and with the ``vcard`` package's RFC 2426
validator; folding and line ends are checked on the raw bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vcard import vcard_validator

import nogentech
from nogentech import Cluster, Commission, Company, Person, Place, Role, Text
from nogentech.exporters.vcard import fold_line, split_name

UPDATED = dt.datetime(2024, 2, 1, 9, tzinfo=dt.UTC)


def cluster_with(name: str, description: str) -> Cluster:
    """One organisation with the given name and description, in a commission."""
    return Cluster(
        id="c",
        name="C",
        updated=UPDATED,
        companies=(
            Company(id="org", name=name, description=Text(fr=description) if description else None),
        ),
        commissions=(Commission(id="com", name=Text(fr="Commission"), members=("org",)),),
    )


def expected(text: str) -> str:
    """What a card carries of ``text``: CR LF and CR read as LF, control characters
    but tab and LF dropped, U+FEFF dropped, surrounding white space stripped."""
    text = re.sub("\r\n?", "\n", text)
    kept = "".join(c for c in text if c in "\t\n" or not (c < " " or c in "\x7f\ufeff"))
    return kept.strip()


def physical_lines(data: bytes) -> list[bytes]:
    """The lines of ``data`` without their CR LF; fails on a bare CR or LF."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
    return lines


def check_folding(data: bytes) -> None:
    """At most 75 octets a line, each line whole UTF-8 (no character split)."""
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold split a character


def octet_view(data: bytes) -> str:
    """``data`` as the RFC 2426 grammar sees it: one character per octet.

    RFC 2426 defines its values over octets, any octet 80–FF being a NON-ASCII
    character. The validator works on decoded text and accepts only U+0080–U+00FF
    as non-ASCII, and counts characters for the line length; mapping every octet
    from 80 to FF to "é" keeps the octet count and puts each multi-octet character
    in terms it checks.
    """
    return data.translate(bytes(range(128)) + b"\xe9" * 128).decode("latin-1")


def validate(data: bytes, tmp_path: Path) -> None:
    """Run ``vcard.validate_file`` on the octet view of ``data``; no error, no long line."""
    path = tmp_path / "cards.vcf"
    path.write_bytes(octet_view(data).encode("utf-8"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = vcard_validator.validate_file(str(path), False)
    assert result == ""
    assert not [w for w in caught if "Long line" in str(w.message)]


def parse(data: bytes) -> list[vobject.base.Component]:
    return list(vobject.readComponents(data.decode("utf-8")))


# -- exact examples ------------------------------------------------------------


def test_text_values_are_escaped() -> None:
    """Backslash, comma, semicolon and line breaks are escaped; a colon is not."""
    cluster = cluster_with("A, B; C\\ D:E", "one\r\ntwo\rthree\nfour")
    data = nogentech.export(cluster, "vcard", groups=False)
    assert b"FN:A\\, B\\; C\\\\ D:E\r\n" in data
    assert b"ORG:A\\, B\\; C\\\\ D:E\r\n" in data
    assert b"NOTE:one\\ntwo\\nthree\\nfour\r\n" in data


def test_semicolons_are_escaped_only_inside_structured_values() -> None:
    """RFC 6350 section 3.4: in 4.0 a ``;`` stands bare outside N, ADR and ORG (Mozilla
    ical.js keeps the backslash of ``\\;`` there). In 3.0, FN keeps ``\\;`` for strict
    3.0 readers (see test_text_values_are_escaped) and NOTE writes it bare."""
    cluster = cluster_with("A, B; C", "x; y, z")
    four = nogentech.export(cluster, "vcard", version=4, groups=False)
    assert b"FN:A\\, B; C\r\n" in four
    assert b"ORG:A\\, B\\; C\r\n" in four
    assert b"NOTE:x; y\\, z\r\n" in four
    three = nogentech.export(cluster, "vcard", groups=False)
    assert b"FN:A\\, B\\; C\r\n" in three
    assert b"NOTE:x; y\\, z\r\n" in three


def test_categories_separate_values_with_bare_commas() -> None:
    """Commas between CATEGORIES values stay bare; those inside a value are escaped."""
    cluster = nogentech.loads(
        """
id = "c"
name = "C"
[[sectors]]
id = "s1"
kind = "trade"
name = "Forge, estampage"
[[sectors]]
id = "s2"
kind = "market"
name = "Médical; dentaire"
[[companies]]
id = "org"
name = "Org"
sectors = ["s1", "s2"]
""",
        "toml",
    )
    data = nogentech.export(cluster, "vcard")
    assert b"CATEGORIES:Forge\\, estampage,M\xc3\xa9dical; dentaire\r\n" in data
    (card,) = parse(data)
    assert card.categories.value == ["Forge, estampage", "Médical; dentaire"]


def test_fold_line_cuts_at_75_octets_and_continues_with_a_space() -> None:
    assert fold_line("N" * 75) == b"N" * 75 + b"\r\n"
    assert fold_line("N" * 76) == b"N" * 75 + b"\r\n N\r\n"
    assert fold_line("N" * 149) == b"N" * 75 + b"\r\n " + b"N" * 74 + b"\r\n"
    assert fold_line("N" * 150) == b"N" * 75 + b"\r\n " + b"N" * 74 + b"\r\n N\r\n"


def test_fold_line_never_splits_a_utf8_character() -> None:
    """74 ASCII octets then "é" (2 octets): the accent moves whole to the next line;
    an emoji (4 octets) straddling the limit too."""
    assert fold_line("a" * 74 + "é") == b"a" * 74 + b"\r\n \xc3\xa9\r\n"
    assert fold_line("a" * 73 + "😀b") == b"a" * 73 + b"\r\n \xf0\x9f\x98\x80b\r\n"
    assert fold_line("a" * 71 + "😀b") == b"a" * 71 + b"\xf0\x9f\x98\x80\r\n b\r\n"


def test_lines_of_accented_letters_are_folded_by_octets() -> None:
    """60 "é" make a 120-octet value in 63 characters; vobject on its own leaves such
    a line unfolded (it compares characters with 75), the export does not."""
    cluster = cluster_with("é" * 60, "ü" * 500)
    data = nogentech.export(cluster, "vcard")
    check_folding(data)
    lines = physical_lines(data)
    start = lines.index(b"FN:" + "é".encode() * 36)
    assert lines[start + 1] == b" " + "é".encode() * 24
    (card, _group) = parse(data)
    assert card.fn.value == "é" * 60
    assert card.note.value == "ü" * 500


# -- round trips ---------------------------------------------------------------

TRICKY = st.sampled_from(
    [
        *("\r", "\n", "\r\n", ",", ";", "\\", ":", "\\n", "\\N", '"', "é", "œ", "ß", "’", "🎉"),
        *("👩‍🔬", "\t", " ", "\u2028", "\x85", "\ufeff", "\x00", "\x7f"),
    ]
)
ANY_CHAR = st.characters(codec="utf-8")
PIECES = st.lists(st.one_of(TRICKY, ANY_CHAR), max_size=60).map("".join)
LONG_LINE = st.lists(
    st.sampled_from(["é", "€", "🎉", "a", ",", ";", "\\", "ü", " "]), min_size=250, max_size=250
).map(lambda chars: "".join(chars) * 4)  # 1,000 characters on one line
ACCENTED = st.text(st.sampled_from("éàœ€ü🎉’"), min_size=30, max_size=74)
# under 75 characters but over 75 octets: the case vobject's own folding misses
TEXTS = st.one_of(PIECES, LONG_LINE, ACCENTED)
NAMES = TEXTS.filter(lambda text: len(text) > 0)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, description=TEXTS)
def test_3_0_round_trips_through_vobject_and_the_vcard_validator(
    name: str, description: str, tmp_path: Path
) -> None:
    """Any name and description: the exact text comes back from vobject, the card
    passes the RFC 2426 validator, lines are CR LF and at most 75 octets."""
    data = nogentech.export(cluster_with(name, description), "vcard")
    check_folding(data)
    validate(data, tmp_path)
    card, group = parse(data)
    assert card.version.value == "3.0"
    assert card.fn.value == (expected(name) or "org")
    assert card.org.value == [expected(name) or "org"]
    if expected(description):
        assert card.note.value == expected(description)
    else:
        assert "note" not in card.contents
    assert group.contents["x-addressbookserver-member"][0].value == card.uid.value


@settings(max_examples=75)
@given(name=NAMES, description=TEXTS)
def test_4_0_reads_back_with_vobject(name: str, description: str) -> None:
    """The same texts in 4.0: VERSION 4.0, KIND org and group, MEMBER the organisation."""
    data = nogentech.export(cluster_with(name, description), "vcard", version=4)
    check_folding(data)
    card, group = parse(data)
    assert [card.version.value, group.version.value] == ["4.0", "4.0"]
    assert card.kind.value == "org"
    assert card.fn.value == (expected(name) or "org")
    if expected(description):
        assert card.note.value == expected(description)
    assert group.kind.value == "group"
    assert [m.value for m in group.contents["member"]] == [card.uid.value]
    assert "n" not in card.contents


@pytest.mark.parametrize("version", [3, 4])
def test_1000_character_line_reads_back_exactly(version: int) -> None:
    text = ("Forgé à Nogent, 🎉; \\ " * 50)[:1000]
    data = nogentech.export(cluster_with(text, text), "vcard", version=version)
    check_folding(data)
    card, _group = parse(data)
    assert card.fn.value == text.strip()
    assert card.note.value == text.strip()


def cluster_with_person(name: str, title: str, commune: str) -> Cluster:
    """A person employed, with ``title``, by an organisation located in ``commune``."""
    return Cluster(
        id="c",
        name="C",
        updated=UPDATED,
        places=(Place(id="here", kind="commune", name=Text(fr=commune)),),
        companies=(Company(id="org", name="Org", places=("here",)),),
        people=(
            Person(
                id="someone",
                name=name,
                roles=(Role(kind="employee", of="org", title=Text(fr=title)),),
            ),
        ),
    )


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, title=NAMES, commune=NAMES)
def test_structured_values_round_trip_in_3_0(
    name: str, title: str, commune: str, tmp_path: Path
) -> None:
    """Any text in N (split from a person's name), TITLE, ORG and an ADR component:
    vobject reads back each part exactly, and the cards pass the RFC 2426 validator."""
    data = nogentech.export(cluster_with_person(name, title, commune), "vcard", groups=False)
    check_folding(data)
    validate(data, tmp_path)
    org, person = parse(data)
    if expected(commune):
        assert org.adr.value.city == expected(commune)
        assert [org.adr.value.street, org.adr.value.region, org.adr.value.country] == [""] * 3
    else:
        assert "adr" not in org.contents
    family, given_names = split_name(name)
    assert (person.n.value.family, person.n.value.given) == (family, given_names)
    assert person.fn.value == (expected(name) or "someone")
    assert person.org.value == ["Org"]
    if expected(title):
        assert person.title.value == expected(title)
    else:
        assert "title" not in person.contents
