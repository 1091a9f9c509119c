"""The built-in cards as contacts apps read them: what each card must hold to be accepted.

Apple Contacts and Android take vCard 3.0 (RFC 2426), which requires N and FN;
Google Contacts drops empty properties; a group only works when its members are
cards of the same address book; 4.0 cards (RFC 6350) start with VERSION and use
KIND. Each export of the built-in data is checked line by line on the raw text,
and its values are compared with what the model holds.
"""

from __future__ import annotations

import re
import uuid
import warnings
from pathlib import Path
from typing import Any

import pytest
import vobject
from vcard import vcard_validator

import nogentech
from nogentech import Cluster

NAMESPACE = uuid.UUID("066c1aa3-c0e6-4e5b-bc36-013d266c4b70")
EXPORTS = [
    pytest.param({}, id="3.0-fr"),
    pytest.param({"lang": "en"}, id="3.0-en"),
    pytest.param({"version": 4}, id="4.0-fr"),
    pytest.param({"version": 4, "lang": "en"}, id="4.0-en"),
]
# RFC 6350 section 6 properties, and those of RFC 6474 and RFC 6715.
RFC6350 = {
    *("BEGIN", "END", "SOURCE", "KIND", "XML", "FN", "N", "NICKNAME", "PHOTO", "BDAY"),
    *("ANNIVERSARY", "GENDER", "ADR", "TEL", "EMAIL", "IMPP", "LANG", "TZ", "GEO"),
    *("TITLE", "ROLE", "LOGO", "ORG", "MEMBER", "RELATED", "CATEGORIES", "NOTE"),
    *("PRODID", "REV", "SOUND", "UID", "CLIENTPIDMAP", "URL", "VERSION", "KEY"),
    *("FBURL", "CALADRURI", "CALURI", "BIRTHPLACE", "DEATHPLACE", "DEATHDATE"),
    *("EXPERTISE", "HOBBY", "INTEREST", "ORG-DIRECTORY"),
}
STRUCTURED = {"N": 5, "ADR": 7}


@pytest.fixture(scope="module")
def builtin() -> Cluster:
    return nogentech.load()


def uid(ident: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'nogentech/{ident}')}"


def unfold(data: bytes) -> list[list[str]]:
    """The cards of ``data``, each as its unfolded content lines."""
    text = data.decode("utf-8").replace("\r\n ", "")
    assert text.endswith("\r\n")
    cards: list[list[str]] = []
    for line in text[:-2].split("\r\n"):
        if line == "BEGIN:VCARD":
            cards.append([])
        cards[-1].append(line)
    return cards


def split_unescaped(value: str, sep: str) -> list[str]:
    """``value`` cut at each ``sep`` that no backslash escapes."""
    parts, current, escaped = [], "", False
    for char in value:
        if char == sep and not escaped:
            parts.append(current)
            current = ""
            continue
        current += char
        escaped = char == "\\" and not escaped
    return [*parts, current]


def name_and_value(line: str) -> tuple[str, str]:
    head, _, value = line.partition(":")
    return head.partition(";")[0].upper(), value


def octet_view(data: bytes) -> str:
    """``data`` with each octet 80–FF as "é": the RFC 2426 grammar counts octets."""
    return data.translate(bytes(range(128)) + b"\xe9" * 128).decode("latin-1")


def address_of(cluster: Cluster, place_id: str, lang: str) -> list[str]:
    """The seven ADR components the model gives for a place, walking ``within``."""
    street = city = region = country = ""
    place: Any = cluster.place_of(place_id)
    while place is not None:
        name = place.name.get(lang)
        street = street or (place.address or "")
        if place.kind == "commune":
            city = city or name
        elif place.kind in ("departement", "region"):
            region = region or name
        elif place.kind == "country":
            country = country or name
        place = cluster.place_of(place.within) if place.within else None
    return ["", "", street, city, region, "", country]


@pytest.mark.parametrize("options", EXPORTS)
def test_every_card_has_what_the_version_requires(
    builtin: Cluster, options: dict[str, Any]
) -> None:
    """BEGIN, then VERSION, then END; one FN, not empty; a UID; N in every 3.0 card;
    N and ADR with all their components; no property with an empty value."""
    version = options.get("version", 3)
    cards = unfold(nogentech.export(builtin, "vcard", **options))
    assert len(cards) > 30
    for card in cards:
        assert card[0] == "BEGIN:VCARD" and card[-1] == "END:VCARD"
        assert card[1] == f"VERSION:{version}.0"
        props = [name_and_value(line) for line in card[1:-1]]
        counts = {name: [n for n, _ in props].count(name) for name, _ in props}
        assert counts["FN"] == counts["UID"] == counts["VERSION"] == 1, card
        if version == 3:
            assert counts.get("N") == 1, card
        for name, value in props:
            if name in STRUCTURED:
                assert len(split_unescaped(value, ";")) == STRUCTURED[name], card
            if name != "N":
                assert value.replace(";", "").strip(), f"empty {name} in {card}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_3_0_cards_pass_the_rfc_2426_validator(builtin: Cluster, lang: str, tmp_path: Path) -> None:
    path = tmp_path / "members.vcf"
    path.write_bytes(octet_view(nogentech.export(builtin, "vcard", lang=lang)).encode("utf-8"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert vcard_validator.validate_file(str(path), False) == ""
    assert not [w for w in caught if "Long line" in str(w.message)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_4_0_cards_follow_rfc_6350(builtin: Cluster, lang: str) -> None:
    """Only RFC 6350 properties (and X- ones), no Apple 3.0 extension, KIND on each
    card, MEMBER only in groups, REV a UTC timestamp, no TYPE=internet."""
    kinds = []
    for card in unfold(nogentech.export(builtin, "vcard", version=4, lang=lang)):
        props = [name_and_value(line) for line in card[1:-1]]
        names = [n for n, _ in props]
        assert not {n for n in names if not n.startswith("X-")} - RFC6350, card
        assert not [n for n in names if n.startswith(("X-ABSHOWAS", "X-ADDRESSBOOKSERVER"))]
        (kind,) = [v for n, v in props if n == "KIND"]
        kinds.append(kind)
        if kind != "group":
            assert "MEMBER" not in names, card
        for name, value in props:
            if name == "REV":
                assert re.fullmatch(r"\d{8}T\d{6}Z", value), value
            if name == "MEMBER":
                assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", value), value
        assert "internet" not in "\n".join(card).lower(), card
    assert {"org", "individual", "group"} <= set(kinds)
    assert set(kinds) == {"org", "individual", "group"}


@pytest.mark.parametrize("options", EXPORTS)
def test_organisation_values_are_the_models(builtin: Cluster, options: dict[str, Any]) -> None:
    """FN, ORG, UID, ADR (one per distinct address of its places), CATEGORIES (its
    sectors, then its sub-clusters) and NOTE of each organisation, value by value."""
    lang = options.get("lang", "fr")
    cards = {
        c.uid.value: c
        for c in vobject.readComponents(nogentech.export(builtin, "vcard", **options).decode())
    }
    for company in builtin.companies:
        card = cards[uid(company.id)]
        assert card.fn.value == company.name
        assert card.org.value == [company.name]
        addresses: list[list[str]] = []
        for place in company.places:
            fields = address_of(builtin, place, lang)
            if any(fields) and fields not in addresses:
                addresses.append(fields)
        got = [
            [getattr(a.value, field) for field in vobject.vcard.ADDRESS_ORDER]
            for a in card.contents.get("adr", [])
        ]
        assert got == addresses, company.id
        categories = [builtin.sector(s).name.get(lang) for s in company.sectors]
        categories += [s.name for s in builtin.sub_clusters if company.id in s.members]
        if categories:
            assert card.categories.value == list(dict.fromkeys(categories)), company.id
        else:
            assert "categories" not in card.contents
        if company.description:
            assert card.note.value == company.description.get(lang).strip()
        else:
            assert "note" not in card.contents
        for prop, value in (("url", company.website), ("email", company.email)):
            assert (prop in card.contents) == bool(value), (company.id, prop)


def test_builtin_addresses_name_the_commune_département_and_country(builtin: Cluster) -> None:
    """A firm placed in Nogent gets Nogent, Haute-Marne, France, as the data nests them."""
    text = nogentech.export(builtin, "vcard").decode("utf-8")
    card = text[text.index(f"UID:{uid('gillet-group')}") :].split("END:VCARD")[0]
    assert "\r\nADR;TYPE=work:;;;Nogent;Haute-Marne;;France\r\n" in card


@pytest.mark.parametrize("options", EXPORTS)
def test_people_values_are_the_models(builtin: Cluster, options: dict[str, Any]) -> None:
    """FN, TITLE (an employee role's title first) and ORG (the employer) of each person."""
    lang = options.get("lang", "fr")
    cards = {
        c.uid.value: c
        for c in vobject.readComponents(nogentech.export(builtin, "vcard", **options).decode())
    }
    for person in builtin.people:
        card = cards[uid(person.id)]
        assert card.fn.value == person.name
        titles = [r.title for r in person.roles if r.kind == "employee" and r.title]
        titles += [r.title for r in person.roles if r.kind != "employee" and r.title]
        if titles:
            assert card.title.value == titles[0].get(lang)
        else:
            assert "title" not in card.contents
        employers = person.employers()
        if employers:
            assert card.org.value == [builtin.company(employers[0]).name]
        else:
            assert "org" not in card.contents


@pytest.mark.parametrize("options", EXPORTS)
def test_group_members_are_cards_of_the_same_file(
    builtin: Cluster, options: dict[str, Any]
) -> None:
    """Each group lists the UIDs of its members, each the UID of a card of the file."""
    version = options.get("version", 3)
    member = "member" if version == 4 else "x-addressbookserver-member"
    cards = list(vobject.readComponents(nogentech.export(builtin, "vcard", **options).decode()))
    uids = {c.uid.value for c in cards}
    assert len(uids) == len(cards)
    by_uid = {c.uid.value: c for c in cards}
    for group in (*builtin.sub_clusters, *builtin.commissions):
        card = by_uid[uid(group.id)]
        members = [m.value for m in card.contents.get(member, [])]
        assert members == [uid(m) for m in group.members]
        assert set(members) <= uids
