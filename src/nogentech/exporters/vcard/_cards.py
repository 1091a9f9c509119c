"""The cards of the ``vcard`` exporter: organisations, people and groups (see
:mod:`nogentech.exporters.vcard`).

:func:`cards` builds, in order, one card per kept organisation, person and group
with a stable UID (:func:`card_uid`), and passes each to the ``nogentech_vcard``
hook as soon as it is built. What the cards of one export share (REV, sector and
sub-cluster names, addresses) is looked up once (:class:`Shared`); the helpers
that choose a card's values serve the direct writer (``_direct``) too.

vobject is imported when the first card of an export is built.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...exceptions import OptionError
from ...organisations import Commission, Company, SubCluster
from ...people import Person, Role
from ._lines import clean_text
from ._select import select

if TYPE_CHECKING:
    import uuid

    from ...cluster import Cluster
    from ...places import Place
    from ...plugins import Hooks

NAMESPACE_TEXT = "066c1aa3-c0e6-4e5b-bc36-013d266c4b70"
"""Namespace of the name-based (version 5) UUIDs of the cards; the module's
``NAMESPACE`` is its :class:`uuid.UUID`, made on first use (the direct writer hashes
the namespace's bytes itself, and imports no uuid)."""
PRODID = "-//nogentech//vCard export//EN"
VERSIONS = (3, 4)

_PARTICLES = frozenset(
    {"de", "du", "des", "del", "della", "der", "den", "di", "da", "le", "la", "van", "von", "zu"}
)
_ADR_FIELDS = {"commune": "city", "departement": "region", "region": "region", "country": "country"}


@functools.cache
def _namespace() -> uuid.UUID:
    import uuid

    return uuid.UUID(NAMESPACE_TEXT)


def __getattr__(name: str) -> Any:
    if name == "NAMESPACE":
        return _namespace()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def card_uid(cluster_id: str, ident: str) -> str:
    """The UID of the card of object ``ident`` of cluster ``cluster_id``."""
    import uuid

    return f"urn:uuid:{uuid.uuid5(_namespace(), f'{cluster_id}/{ident}')}"


def split_name(name: str) -> tuple[str, str]:
    """``(family, given)`` for a person's name.

    Words in capitals at the start or the end (``DUPONT Jean``, ``Jean LE GALL``)
    are the family name, unless every word is in capitals. Otherwise the last word
    is, together with the lowercase particles before it (``Jean de la Fontaine``
    gives ``de la Fontaine``, ``de Gaulle`` is all family name); a hyphenated name
    is one word. The words before the family name are the given names; a single
    word is a family name.
    """
    words = clean_text(name).split()
    if len(words) < 2:
        return (words[0] if words else "", "")

    def capitals(word: str) -> bool:
        return word.isupper() and sum(ch.isalpha() for ch in word) >= 2

    if not all(capitals(w) for w in words):
        head = next(i for i, w in enumerate(words) if not capitals(w))
        if head:
            return " ".join(words[:head]), " ".join(words[head:])
        tail = next(i for i, w in enumerate(reversed(words)) if not capitals(w))
        if tail:
            return " ".join(words[-tail:]), " ".join(words[:-tail])
    start = len(words) - 1
    while start > 0 and words[start - 1] in _PARTICLES:
        start -= 1
    return " ".join(words[start:]), " ".join(words[:start])


def _address(cluster: Cluster, place: Place, lang: str) -> dict[str, str]:
    """ADR fields of ``place``, walking ``within`` up to the country."""
    fields: dict[str, str] = {}
    seen: set[str] = set()
    current: Place | None = place
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.address and "street" not in fields:
            fields["street"] = clean_text(current.address)
        key = _ADR_FIELDS.get(current.kind)
        if key and key not in fields:  # the nearest wins: a département before its région
            fields[key] = clean_text(current.name.get(lang))
        current = cluster.place_of(current.within) if current.within else None
    return {k: v for k, v in fields.items() if v}


def export_version(options: Mapping[str, Any]) -> int:
    """The ``version`` option, 3 or 4; :class:`OptionError` for any other value."""
    version: int = options.get("version", 3)
    if version not in VERSIONS:
        raise OptionError(f"option 'version': invalid value {version!r} (expected 3 or 4)")
    return version


class Shared:
    """What the cards of one export share, looked up once: a render stays linear.

    Both writers use it: :func:`cards` (vobject) and the direct one (``_direct``).
    """

    def __init__(self, cluster: Cluster, version: int, lang: str) -> None:
        self.cluster = cluster
        self.version = version
        self.lang = lang
        self.rev: str | None = None
        if cluster.updated is not None:
            stamp = cluster.updated
            utc = stamp.astimezone(dt.UTC) if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
            self.rev = utc.strftime("%Y%m%dT%H%M%SZ" if version == 4 else "%Y-%m-%dT%H:%M:%SZ")
        self.sector_names = {s.id: clean_text(s.name.get(lang)) for s in cluster.sectors}
        self.sub_cluster_names: dict[str, list[str]] = {}
        for sub in cluster.sub_clusters:
            name = clean_text(sub.name)
            for member in sub.members:
                self.sub_cluster_names.setdefault(member, []).append(name)
        self._addresses: dict[str, dict[str, str]] = {}

    def address(self, place_id: str) -> dict[str, str]:
        """ADR fields of a place (see :func:`_address`), computed once per place."""
        fields = self._addresses.get(place_id)
        if fields is None:
            fields = _address(self.cluster, self.cluster.place_of(place_id), self.lang)
            self._addresses[place_id] = fields
        return fields


class _Export(Shared):
    """:class:`Shared`, with vobject imported for the cards :func:`cards` builds."""

    def __init__(self, cluster: Cluster, version: int, lang: str) -> None:
        import vobject

        self.vobject: Any = vobject
        super().__init__(cluster, version, lang)


_URI_ESCAPES = {",": "%2C", ";": "%3B", "\\": "%5C"}
"""A URL is written as is, but for the three characters vCard readers take for
separators or escapes in it: vobject cuts a URL at a comma, the 3.0 validator at a
semicolon (see ``docs/clients.md``); percent-encoded, they read the same everywhere."""


class _Card:
    """A vobject vCard being built for one version of the format.

    Lines are made as ``ContentLine`` objects holding their value and added with
    ``card.add(line)``, then given the behaviour and native form ``card.add(name)``
    gives a new line (which parses an empty value first).
    """

    def __init__(self, export: _Export, uid: str) -> None:
        self.export = export
        self.version = export.version
        self.card = export.vobject.vCard()
        self.add("version", "4.0" if self.version == 4 else "3.0")
        self.add("prodid", PRODID)
        self.add("uid", uid)
        if export.rev is not None:
            self.add("rev", export.rev)

    def add(self, name: str, value: Any, types: Sequence[str] = (), raw: bool = False) -> None:
        upper = name.upper()
        params = [["TYPE", *types]] if types else []
        line = self.export.vobject.base.ContentLine(upper, params, value)
        self.card.add(line)
        if line.behavior is None:  # a known name without a behaviour of its own: VERSION
            line.behavior = self.card.behavior.defaultBehavior
        line.isNative = line.behavior.hasNative  # N, ADR, ORG hold a Name, Address, list
        if raw:
            line.encoded = True  # a URI: written as is, without text escaping

    def text(self, name: str, value: str | None) -> None:
        if value and clean_text(value):
            self.add(name, clean_text(value))

    def name(self, family: str = "", given: str = "") -> None:
        self.add("n", self.export.vobject.vcard.Name(family=family, given=given))

    def contact(self, subject: Company | Person) -> None:
        url = website(subject)
        if url:
            self.add("url", url, raw=True)
        if subject.email and clean_text(subject.email):
            types = ("work",) if self.version == 4 else ("internet", "work")
            self.add("email", clean_text(subject.email), types)
        if subject.phone and clean_text(subject.phone):
            self.add("tel", clean_text(subject.phone), ("work",))


def website(subject: Company | Person) -> str:
    """The URL of an organisation's card, without white space, :data:`_URI_ESCAPES` applied."""
    if isinstance(subject, Company) and subject.website:
        url = "".join(clean_text(subject.website).split())  # no white space in a URI
        for char, code in _URI_ESCAPES.items():
            url = url.replace(char, code)
        return url
    return ""


def addresses(export: Shared, company: Company) -> list[dict[str, str]]:
    """The ADR fields of an organisation's card: one per place, without repeats."""
    found: list[dict[str, str]] = []
    for place_id in company.places:
        fields = export.address(place_id)
        if fields and fields not in found:
            found.append(fields)
    return found


def categories(export: Shared, company: Company) -> list[str]:
    """The CATEGORIES of an organisation's card: sectors, then sub-clusters, cleaned, once."""
    names = [export.sector_names[s] for s in company.sectors]
    names += export.sub_cluster_names.get(company.id, ())
    return list(dict.fromkeys(c for c in names if c))  # cleaned in Shared


def group_text(group: SubCluster | Commission, lang: str) -> tuple[str, str | None]:
    """``(name, note)`` of a group's card: its name (else its id) and its NOTE text."""
    if isinstance(group, SubCluster):
        name = clean_text(group.name)
        about = group.description or group.focus
        note = about.get(lang) if about else None
    else:
        name = clean_text(group.name.get(lang))
        note = "\n".join(m.get(lang) for m in group.missions) or None
    return name or group.id, note


def _organisation(export: _Export, company: Company, card: _Card) -> None:
    lang = export.lang
    name = clean_text(company.name) or company.id
    card.add("fn", name)
    if card.version == 4:
        card.add("kind", "org")
    else:
        card.name()
        card.add("x-abshowas", "COMPANY")
    card.add("org", [name])
    for fields in addresses(export, company):
        card.add("adr", export.vobject.vcard.Address(**fields), ("work",))
    cleaned = categories(export, company)
    if cleaned:
        card.add("categories", cleaned)
    card.text("note", company.description.get(lang) if company.description else None)
    card.contact(company)


def _roles(cluster: Cluster, person: Person, lang: str) -> tuple[str | None, str | None, list[str]]:
    """``(title, employer, roles)``: the TITLE, ORG and ROLE values of a person's card.

    TITLE is the title of an employee role, else of any role; ORG names the first
    employer. Every role these two do not already show in full is a ROLE value:
    its title, else a label for its kind (:meth:`~nogentech.Role.label`),
    then the name of the body it is held in (``Présidente, NOGENTECH``).
    """
    titled = sorted((r for r in person.roles if r.title), key=lambda r: r.kind != "employee")
    title_role = titled[0] if titled else None
    title = clean_text(title_role.title.get(lang)) if title_role and title_role.title else None
    employer_role = next((r for r in person.roles if r.kind == "employee" and r.of), None)
    employer = None
    if employer_role is not None and employer_role.of:
        employer = clean_text(cluster.name_of(employer_role.of, lang)) or employer_role.of

    def shown(role: Role) -> bool:
        if role is employer_role:
            return True
        in_org = role.of is None or (employer_role is not None and role.of == employer_role.of)
        return role is title_role and bool(title) and in_org

    values = []
    for role in person.roles:
        if shown(role):
            continue
        parts = [clean_text(role.label(lang))]
        if role.of:
            parts.append(clean_text(cluster.name_of(role.of, lang)) or role.of)
        value = ", ".join(p for p in parts if p)
        if value:
            values.append(value)
    return title or None, employer, list(dict.fromkeys(values))


def _person(cluster: Cluster, person: Person, card: _Card, lang: str) -> None:
    card.add("fn", clean_text(person.name) or person.id)
    if card.version == 4:
        card.add("kind", "individual")
    card.name(*split_name(person.name))
    title, employer, roles = _roles(cluster, person, lang)
    if title:
        card.add("title", title)
    if employer:
        card.add("org", [employer])
    for role in roles:
        card.add("role", role)
    card.contact(person)


def _group(group: SubCluster | Commission, card: _Card, lang: str, members: list[str]) -> None:
    name, note = group_text(group, lang)
    card.add("fn", name)
    if card.version == 3:
        card.name(name)
    card.text("note", note)
    kind, member = (
        ("kind", "member")
        if card.version == 4
        else ("x-addressbookserver-kind", "x-addressbookserver-member")
    )
    card.add(kind, "group")
    for uid in members:
        card.add(member, uid, raw=True)


def cards(
    cluster: Cluster, options: Mapping[str, Any], hooks: Hooks | None = None
) -> Iterator[tuple[Any, Any]]:
    """``(subject, vobject card)`` for every card of the export, in order."""
    version = export_version(options)
    export = _Export(cluster, version, options.get("lang", "fr"))
    chosen = select(cluster, options)
    exported = {c.id for c in chosen.companies} | {p.id for p in chosen.people}
    subjects: list[Company | Person | SubCluster | Commission] = [
        *chosen.companies,
        *chosen.people,
        *chosen.groups,
    ]
    for subject in subjects:
        card = _Card(export, card_uid(cluster.id, subject.id))
        if isinstance(subject, Company):
            _organisation(export, subject, card)
        elif isinstance(subject, Person):
            _person(cluster, subject, card, export.lang)
        else:
            members = [card_uid(cluster.id, m) for m in subject.members if m in exported]
            _group(subject, card, export.lang, members)
        if hooks is not None:
            hooks.vcard(card.card, subject, cluster, options)
        yield subject, card.card
