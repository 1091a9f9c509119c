"""The ``vcard`` exporter: organisations, people and groups as vCards (RFC 2426 / RFC 6350).

Cards, in this order, each in the data's order:

* one card per organisation (every :class:`~nogentech.Company`, member or partner):
  FN and ORG (its name), N (empty: vCard 3.0 requires it), one ADR;TYPE=work per
  place (locality = commune, region = département, country, found by walking
  :attr:`Place.within`; street only where the data gives an address), CATEGORIES
  (its sectors, then its sub-clusters), NOTE (description), URL, EMAIL and TEL
  when the data has them, and X-ABShowAs:COMPANY (3.0) or KIND:org (4.0);
* one card per person: FN, N (see :func:`split_name`), TITLE (the job title of
  an employee role, else of any role), ORG (employer), EMAIL and TEL when known,
  KIND:individual in 4.0;
* one group card per sub-cluster, then per commission: FN and N (its name), NOTE,
  and its members among the cards of the same export, as
  X-ADDRESSBOOKSERVER-KIND:group and X-ADDRESSBOOKSERVER-MEMBER (3.0, as Apple
  Contacts writes them) or KIND:group and MEMBER (4.0).

vCard 3.0 is the default, since Apple Contacts and Android refuse 4.0;
``version=4`` gives 4.0. vobject only knows 3.0, so the 4.0 properties are plain
properties of its card.

Stable output: every card's UID is ``urn:uuid:`` followed by
``uuid5(NAMESPACE, "<cluster id>/<object id>")`` (see :func:`card_uid`), the same in
every run, version and language. REV is the cluster's ``updated`` stamp in UTC, and
is left out without one: nothing reads the clock, so the same data and options give
the same bytes.

Text: line breaks (CR LF, CR, LF) become ``\\n``; the control characters vCard
forbids and U+FEFF are dropped; ``\\``, ``,`` and ``;`` are escaped in text
values (vobject does it), and values are stripped of surrounding white space.
Lines end with CR LF and are folded at 75 octets without splitting a UTF-8
character. vobject compares characters, not octets, with 75 before it folds (a
line of 60 accented letters stays whole), so cards are serialised unfolded and
folded here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..exceptions import OptionError
from ..hookspecs import hookimpl
from ..organisations import ORGANISATION_KINDS, Commission, Company, SubCluster
from ..people import Person
from ..plugins import LANG_OPTION, Exporter, Hooks, Option

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..places import Place
    from ..plugins import ExporterRegistry

__all__ = [
    "MEDIA_TYPE",
    "NAMESPACE",
    "Selection",
    "card_uid",
    "cards",
    "clean_text",
    "fold_line",
    "render",
    "select",
    "split_name",
]

MEDIA_TYPE = "text/vcard"
NAMESPACE = uuid.UUID("066c1aa3-c0e6-4e5b-bc36-013d266c4b70")
"""Namespace of the name-based (version 5) UUIDs of the cards."""
PRODID = "-//nogentech//vCard export//EN"
LINE_OCTETS = 75
VERSIONS = (3, 4)

OPTIONS = (
    LANG_OPTION,
    Option("version", "vCard version: 3 (3.0, the default) or 4 (4.0).", "int", 3),
    Option("sub_cluster", "Only the organisations of these sub-clusters (ids).", "list"),
    Option("sector", "Only organisations in these sectors or below them (ids).", "list"),
    Option("commune", "Only organisations located in or inside these places (ids).", "list"),
    Option("kind", "Only organisations of these kinds (firm, partner, school…).", "list"),
    Option("people", "Include the people, as individual cards.", "bool", True),
    Option("groups", "Include sub-clusters and commissions as group cards.", "bool", True),
)

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")
_PARTICLES = frozenset(
    {"de", "du", "des", "del", "della", "der", "den", "di", "da", "le", "la", "van", "von", "zu"}
)
_ADR_FIELDS = {"commune": "city", "departement": "region", "region": "region", "country": "country"}
# vobject writes property names in capitals; Apple Contacts spells this one so.
_SPELLING = {"X-ABSHOWAS": "X-ABShowAs"}
_SPELLING_BYTES = {k.encode("ascii"): v.encode("ascii") for k, v in _SPELLING.items()}
_RESPELT = tuple(_SPELLING_BYTES)


# -- values --------------------------------------------------------------------


def card_uid(cluster_id: str, ident: str) -> str:
    """The UID of the card of object ``ident`` of cluster ``cluster_id``."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{cluster_id}/{ident}')}"


def clean_text(value: str) -> str:
    """``value`` as a card holds it: line breaks as LF, controls dropped, no outer spaces."""
    return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


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


def fold_line(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets between characters, ended by CR LF."""
    return _fold_bytes(line.encode("utf-8")) + b"\r\n"


def _fold_bytes(data: bytes) -> bytes:
    parts = []
    start, limit = 0, LINE_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation octet: cut before its lead
            end -= 1
        parts.append(data[start:end])
        start, limit = end, LINE_OCTETS - 1  # a continuation line starts with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _fold_card(text: str) -> bytes:
    """A card serialised without folding, respelt (``_SPELLING``) and folded; CR LF ends."""
    out = []
    for line in text.encode("utf-8").split(b"\r\n"):
        if not line:
            continue
        if line.startswith(_RESPELT):
            name, sep, rest = line.partition(b":")
            prop, semi, params = name.partition(b";")
            if prop in _SPELLING_BYTES:
                line = _SPELLING_BYTES[prop] + semi + params + sep + rest
        out.append(line if len(line) <= LINE_OCTETS else _fold_bytes(line))
    out.append(b"")
    return b"\r\n".join(out)


# -- selection -----------------------------------------------------------------


@attrs.frozen
class Selection:
    """What an export holds: organisations, people and groups, in the data's order."""

    companies: tuple[Company, ...]
    people: tuple[Person, ...]
    groups: tuple[SubCluster | Commission, ...]


def _check_ids(option: str, given: Sequence[str], valid: Sequence[str]) -> None:
    unknown = [i for i in given if i not in valid]
    if unknown:
        raise OptionError(
            f"option {option!r}: unknown id{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (valid: {', '.join(valid) or 'none'})"
        )


def select(cluster: Cluster, options: Mapping[str, Any]) -> Selection:
    """The objects the ``vcard`` options keep; :class:`OptionError` for an unknown id.

    Organisation filters combine: an organisation is kept when it matches one id
    of each filter given. Without a filter every person and every group is kept;
    with one, the people holding a role in a kept organisation, and the groups
    with at least one kept member.
    """
    wanted = {c.id for c in cluster.companies}
    filtered = False
    tests = (
        ("sub_cluster", [s.id for s in cluster.sub_clusters], cluster.members_of),
        ("sector", [s.id for s in cluster.sectors], cluster.companies_in_sector),
        ("commune", [p.id for p in cluster.places], cluster.companies_in_place),
    )
    for name, valid, finder in tests:
        if options.get(name):
            _check_ids(name, options[name], valid)
            wanted &= {c.id for ident in options[name] for c in finder(ident)}
            filtered = True
    if options.get("kind"):
        _check_ids("kind", options["kind"], ORGANISATION_KINDS)
        wanted &= {c.id for c in cluster.companies if c.kind in options["kind"]}
        filtered = True
    companies = tuple(c for c in cluster.companies if c.id in wanted)
    people: tuple[Person, ...] = ()
    if options.get("people", True):
        people = tuple(
            p for p in cluster.people if not filtered or any(r.of in wanted for r in p.roles)
        )
    kept = wanted | {p.id for p in people}
    groups: tuple[SubCluster | Commission, ...] = ()
    if options.get("groups", True):
        every: list[SubCluster | Commission] = [*cluster.sub_clusters, *cluster.commissions]
        groups = tuple(g for g in every if not filtered or kept.intersection(g.members))
    return Selection(companies, people, groups)


# -- cards ---------------------------------------------------------------------


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


class _Export:
    """What the cards of one export share, looked up once: a render stays linear."""

    def __init__(self, cluster: Cluster, version: int, lang: str) -> None:
        import vobject

        self.vobject: Any = vobject
        self.cluster = cluster
        self.version = version
        self.lang = lang
        self.rev: str | None = None
        if cluster.updated is not None:
            stamp = cluster.updated
            utc = stamp.astimezone(dt.UTC) if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
            self.rev = utc.strftime("%Y%m%dT%H%M%SZ" if version == 4 else "%Y-%m-%dT%H:%M:%SZ")
        self.sector_names = {s.id: s.name.get(lang) for s in cluster.sectors}
        self.sub_cluster_names: dict[str, list[str]] = {}
        for sub in cluster.sub_clusters:
            for member in sub.members:
                self.sub_cluster_names.setdefault(member, []).append(sub.name)
        self._addresses: dict[str, dict[str, str]] = {}

    def address(self, place_id: str) -> dict[str, str]:
        """ADR fields of a place (see :func:`_address`), computed once per place."""
        fields = self._addresses.get(place_id)
        if fields is None:
            fields = _address(self.cluster, self.cluster.place_of(place_id), self.lang)
            self._addresses[place_id] = fields
        return fields


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
        if isinstance(subject, Company) and subject.website:
            website = "".join(clean_text(subject.website).split())  # no white space in a URI
            if website:
                self.add("url", website, raw=True)
        if subject.email and clean_text(subject.email):
            types = ("work",) if self.version == 4 else ("internet", "work")
            self.add("email", clean_text(subject.email), types)
        if subject.phone and clean_text(subject.phone):
            self.add("tel", clean_text(subject.phone), ("work",))


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
    addresses: list[dict[str, str]] = []
    for place_id in company.places:
        fields = export.address(place_id)
        if fields and fields not in addresses:
            addresses.append(fields)
    for fields in addresses:
        card.add("adr", export.vobject.vcard.Address(**fields), ("work",))
    categories = [export.sector_names[s] for s in company.sectors]
    categories += export.sub_cluster_names.get(company.id, ())
    cleaned = list(dict.fromkeys(c for c in map(clean_text, categories) if c))
    if cleaned:
        card.add("categories", cleaned)
    card.text("note", company.description.get(lang) if company.description else None)
    card.contact(company)


def _person(cluster: Cluster, person: Person, card: _Card, lang: str) -> None:
    card.add("fn", clean_text(person.name) or person.id)
    if card.version == 4:
        card.add("kind", "individual")
    card.name(*split_name(person.name))
    titled = sorted((r for r in person.roles if r.title), key=lambda r: r.kind != "employee")
    if titled and titled[0].title:
        card.text("title", titled[0].title.get(lang))
    employers = person.employers()
    if employers:
        card.add("org", [clean_text(cluster.company(employers[0]).name) or employers[0]])
    card.contact(person)


def _group(group: SubCluster | Commission, card: _Card, lang: str, members: list[str]) -> None:
    if isinstance(group, SubCluster):
        name = clean_text(group.name)
        about = group.description or group.focus
        note = about.get(lang) if about else None
    else:
        name = clean_text(group.name.get(lang))
        note = "\n".join(m.get(lang) for m in group.missions) or None
    card.add("fn", name or group.id)
    if card.version == 3:
        card.name(name or group.id)
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
    version = options.get("version", 3)
    if version not in VERSIONS:
        raise OptionError(f"option 'version': invalid value {version!r} (expected 3 or 4)")
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


@functools.cache
def _plain_behaviours() -> frozenset[Any]:
    """vobject's behaviours of the lines this module writes: ``serialize`` only
    turns their lines from native and encodes them (no implicit parameters, no
    serialisation of their own)."""
    from vobject import icalendar, vcard

    return frozenset(
        {
            *(vcard.VCardTextBehavior, vcard.FN, vcard.Label),
            *(vcard.NameBehavior, vcard.AddressBehavior, vcard.OrgBehavior),
            *(icalendar.TextBehavior, icalendar.MultiTextBehavior),
        }
    )


def _encoded(card: Any) -> Any:
    """``card`` with its lines in their written form, ready for ``serialize``.

    vobject's ``serialize`` turns each line into its written form (Name, Address
    and lists to text, text escaped), writes it, then turns it back, parsing the
    escaped text again. A card that is only written does not need the way back:
    lines of the plain text and structured behaviours are turned here, with the
    behaviours' own ``transformFromNative`` and ``encode``, and ``serialize``
    writes them as they are. Lines of other behaviours (a plugin's PHOTO…) are
    left to ``serialize``. The bytes are the same.
    """
    plain = _plain_behaviours()
    for line in card.getChildren():
        behaviour: Any = getattr(line, "behavior", None)
        if behaviour in plain:
            if line.isNative:
                line.transformFromNative()
            if not line.encoded:
                behaviour.encode(line)
    return card


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The cards as UTF-8 with CR LF line ends, folded at 75 octets; same data, same bytes."""
    return b"".join(
        _fold_card(_encoded(card).serialize(lineLength=sys.maxsize))
        for _, card in cards(cluster, options, hooks)
    )


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``vcard`` format."""
    registry.add(
        Exporter(
            name="vcard",
            extension="vcf",
            media_type=MEDIA_TYPE,
            description="Organisations, people and groups as vCards (3.0; 4.0 with version=4).",
            render=render,
            options=OPTIONS,
        )
    )
