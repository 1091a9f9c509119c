"""The cards of the ``vcard`` exporter written directly as text, without vobject.

Used when no plugin implements the ``nogentech_vcard`` hook (which receives vobject
cards): the same values as :func:`~nogentech.exporters.vcard.cards` (the helpers of
``_cards`` choose them), written as vobject's ``serialize`` writes them: VERSION,
PRODID and UID first, then the properties in the alphabetical order of their names,
text escaped as ``_lines._encoded`` escapes it, then folded by ``_lines``. The tests
compare both writers' bytes on random clusters with hostile text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._cards import (
    NAMESPACE_TEXT,
    PRODID,
    Shared,
    _roles,
    categories,
    export_version,
    group_text,
    split_name,
    website,
)
from ._lines import clean_text, escape_text, fold_text
from ._select import select

if TYPE_CHECKING:
    from hashlib import sha1

    from ...cluster import Cluster
    from ...organisations import Commission, Company, SubCluster
    from ...people import Person
else:
    try:
        # CPython's own SHA-1, the one hashlib falls back to: importing hashlib
        # first loads OpenSSL, which costs more than writing a hundred cards.
        from _sha1 import sha1
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import sha1

_ADR_ORDER = ("street", "city", "region", "country")


def _uids(cluster_id: str) -> Callable[[str], str]:
    """A function giving :func:`~nogentech.exporters.vcard.card_uid` of an id, made
    for many calls: RFC 4122's name-based version 5, computed as ``uuid.uuid5`` does."""
    base = sha1(bytes.fromhex(NAMESPACE_TEXT.replace("-", "")) + f"{cluster_id}/".encode())

    def uid(ident: str) -> str:
        digest = base.copy()
        digest.update(ident.encode("utf-8"))
        raw = bytearray(digest.digest()[:16])
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    return uid


class _Writer:
    """The cards of one export: ``lines`` those of the card being written, as text,
    folded; ``cards`` the cards written, in UTF-8 (a card at a time keeps the text
    of one card, not of the export, beside its bytes).

    ``uids`` maps the organisations and people written so far to their UIDs: the
    members a group card may list.
    """

    def __init__(self, cluster: Cluster, version: int, lang: str) -> None:
        self.shared = Shared(cluster, version, lang)
        self.cluster = cluster
        self.lang = lang
        self.v4 = version == 4
        self.semicolon = not self.v4  # in FN, TITLE, ROLE, EMAIL, TEL (see BARE_SEMICOLON_3_0)
        self.head = f"BEGIN:VCARD\r\nVERSION:{'4.0' if self.v4 else '3.0'}\r\nPRODID:{PRODID}\r\n"
        rev = self.shared.rev
        self.rev = "" if rev is None else fold_text(f"REV:{escape_text(rev, self.semicolon)}\r\n")
        self.email = "EMAIL;TYPE=work:" if self.v4 else "EMAIL;TYPE=internet,work:"
        self.uid = _uids(cluster.id)
        self.uids: dict[str, str] = {}
        self.lines: list[str] = []
        self.cards: list[bytes] = []
        self._adr: dict[str, str] = {}
        self._escaped: dict[str, str] = {}

    def card(self, ident: str) -> str:
        """BEGIN, VERSION, PRODID and UID (49 octets: never folded); gives the UID."""
        uid = self.uid(ident)
        self.lines.append(f"{self.head}UID:{uid}\r\n")
        return uid

    def end(self, tail: str) -> None:
        """The last lines of a card (``tail``, ending with END); the card to UTF-8."""
        self.lines.append(tail)
        self.cards.append("".join(self.lines).encode("utf-8"))
        self.lines.clear()

    def adr(self, company: Company) -> None:
        """One ADR per place, without repeats (as :func:`addresses`: the line of a
        place is a one-to-one function of its fields)."""
        lines = []
        for place_id in company.places:
            line = self._adr.get(place_id)
            if line is None:
                fields = self.shared.address(place_id)
                parts = [escape_text(fields.get(k, "")) for k in _ADR_ORDER]
                line = self._adr[place_id] = (
                    fold_text(f"ADR;TYPE=work:;;{parts[0]};{parts[1]};{parts[2]};;{parts[3]}\r\n")
                    if fields
                    else ""
                )
            if line and line not in lines:
                lines.append(line)
        self.lines.extend(lines)

    def categories(self, company: Company) -> None:
        """CATEGORIES (as :func:`categories`), each name escaped once per export."""
        names = categories(self.shared, company)
        if names:
            escaped = self._escaped
            for name in names:
                if name not in escaped:
                    escaped[name] = escape_text(name, False)
            self.lines.append(fold_text(f"CATEGORIES:{','.join([escaped[n] for n in names])}\r\n"))

    def contact(self, subject: Company | Person) -> tuple[str, str]:
        """Writes EMAIL; gives the TEL and URL lines, which come later in the card."""
        email, phone, semicolon = subject.email, subject.phone, self.semicolon
        if email and clean_text(email):
            self.lines.append(
                fold_text(f"{self.email}{escape_text(clean_text(email), semicolon)}\r\n")
            )
        tel = ""
        if phone and clean_text(phone):
            tel = fold_text(f"TEL;TYPE=work:{escape_text(clean_text(phone), semicolon)}\r\n")
        url = website(subject)
        return tel, fold_text(f"URL:{url}\r\n") if url else ""

    def note(self, value: str | None) -> None:
        if value and clean_text(value):
            self.lines.append(fold_text(f"NOTE:{escape_text(clean_text(value), False)}\r\n"))

    def organisation(self, company: Company) -> None:
        out = self.lines
        self.uids[company.id] = self.card(company.id)
        name = clean_text(company.name) or company.id
        self.adr(company)
        self.categories(company)
        tel, url = self.contact(company)
        out.append(fold_text(f"FN:{escape_text(name, self.semicolon)}\r\n"))
        out.append("KIND:org\r\n" if self.v4 else "N:;;;;\r\n")
        self.note(company.description.get(self.lang) if company.description else None)
        out.append(fold_text(f"ORG:{escape_text(name)}\r\n"))
        out.append(f"{self.rev}{tel}{url}")
        self.end("END:VCARD\r\n" if self.v4 else "X-ABShowAs:COMPANY\r\nEND:VCARD\r\n")

    def person(self, person: Person) -> None:
        out, semicolon = self.lines, self.semicolon
        self.uids[person.id] = self.card(person.id)
        tel, _ = self.contact(person)
        out.append(
            fold_text(f"FN:{escape_text(clean_text(person.name) or person.id, semicolon)}\r\n")
        )
        if self.v4:
            out.append("KIND:individual\r\n")
        family, given = split_name(person.name)
        out.append(fold_text(f"N:{escape_text(family)};{escape_text(given)};;;\r\n"))
        title, employer, roles = _roles(self.cluster, person, self.lang)
        if employer:
            out.append(fold_text(f"ORG:{escape_text(employer)}\r\n"))
        out.append(self.rev)
        for role in roles:
            out.append(fold_text(f"ROLE:{escape_text(role, semicolon)}\r\n"))
        out.append(tel)
        if title:
            out.append(fold_text(f"TITLE:{escape_text(title, semicolon)}\r\n"))
        self.end("END:VCARD\r\n")

    def group(self, group: SubCluster | Commission, members: list[str]) -> None:
        out = self.lines
        self.card(group.id)
        name, note = group_text(group, self.lang)
        out.append(fold_text(f"FN:{escape_text(name, self.semicolon)}\r\n"))
        if self.v4:
            out.append("KIND:group\r\n")
            out.extend(fold_text(f"MEMBER:{uid}\r\n") for uid in members)
        else:
            out.append(fold_text(f"N:{escape_text(name)};;;;\r\n"))
        self.note(note)
        out.append(self.rev)
        if not self.v4:
            out.append("X-ADDRESSBOOKSERVER-KIND:group\r\n")
            out.extend(fold_text(f"X-ADDRESSBOOKSERVER-MEMBER:{uid}\r\n") for uid in members)
        self.end("END:VCARD\r\n")


def render_direct(cluster: Cluster, options: Mapping[str, Any]) -> bytes:
    """The bytes of the ``vcard`` export, as ``render`` writes them without a hook."""
    version = export_version(options)
    writer = _Writer(cluster, version, options.get("lang", "fr"))
    chosen = select(cluster, options)
    for company in chosen.companies:
        writer.organisation(company)
    for person in chosen.people:
        writer.person(person)
    uids = writer.uids
    for group in chosen.groups:
        writer.group(group, [uids[m] for m in group.members if m in uids])
    return b"".join(writer.cards)
