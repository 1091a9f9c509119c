"""The resources of a feed: one calendar object per UID, one vCard per card (RFC 4791 §4.1).

The feed's bytes are cut without a parser, so each resource holds the lines exactly
as the exporter (and the change tracking) wrote them.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections import Counter

import attrs

from ..content_lines import line_name, line_value, split

_TZID = re.compile(rb';TZID=("[^"]*"|[^;:]*)')
_CALENDAR_KEEP = ("VERSION", "PRODID", "CALSCALE")
"""Calendar properties each resource keeps; METHOD is not allowed in a resource."""


@attrs.frozen
class Resource:
    """One resource to store: its UID, file name, bytes and the digest of those bytes."""

    uid: str
    name: str
    body: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def resource_name(uid: str, kind: str) -> str:
    """The file name of the resource of ``uid``: ``<uid>.ics``, or ``<uuid>.vcf`` for a card."""
    if kind == "carddav":
        bare = uid.removeprefix("urn:uuid:")
        return urllib.parse.quote(bare, safe="@") + ".vcf"
    return urllib.parse.quote(uid, safe="@") + ".ics"


def calendar_resources(feed: bytes) -> dict[str, Resource]:
    """The VEVENTs of ``feed`` grouped by UID, each with the VTIMEZONEs it uses."""
    doc = split(feed)
    eol = doc.eol
    calendar = next((i for i, raw in enumerate(doc.lines) if line_name(raw) == "BEGIN"), 0)
    inner = {i for c in doc.components for i in range(c.begin, c.end + 1)}
    header = [
        raw
        for i, raw in enumerate(doc.lines)
        if i > calendar and i not in inner and line_name(raw) in _CALENDAR_KEEP
    ]
    zones: dict[bytes, bytes] = {}
    events: dict[str, list[bytes]] = {}
    for comp in doc.components:
        if comp.name == "VTIMEZONE":
            at = doc.first(comp, "TZID")
            if at is not None:
                zones[line_value(doc.lines[at]).strip().encode()] = doc.text(comp)
        elif comp.name == "VEVENT":
            at = doc.first(comp, "UID")
            uid = line_value(doc.lines[at]) if at is not None else ""
            events.setdefault(uid, []).append(doc.text(comp))
    out = {}
    for uid, parts in events.items():
        used = {m.group(1).strip(b'"') for part in parts for m in _TZID.finditer(part)}
        body = b"BEGIN:VCALENDAR" + eol + b"".join(raw + eol for raw in header)
        body += b"".join(text for tzid, text in zones.items() if tzid in used)
        body += b"".join(parts) + b"END:VCALENDAR" + eol
        out[uid] = Resource(uid, resource_name(uid, "caldav"), body)
    return out


def card_resources(cards: bytes) -> dict[str, Resource]:
    """Each VCARD of ``cards`` by UID."""
    doc = split(cards)
    out = {}
    for comp in doc.components:
        if comp.name != "VCARD":
            continue
        at = doc.first(comp, "UID")
        uid = line_value(doc.lines[at]) if at is not None else ""
        out[uid] = Resource(uid, resource_name(uid, "carddav"), doc.text(comp))
    return out


def uids_in(body: bytes) -> list[str]:
    """The UIDs of the VEVENTs, VTODOs, VJOURNALs or VCARDs a stored resource holds."""
    doc = split(body)
    found = []
    for comp in doc.components:
        if comp.name in ("VEVENT", "VTODO", "VJOURNAL", "VCARD"):
            at = doc.first(comp, "UID")
            if at is not None:
                found.append(line_value(doc.lines[at]).strip())
    return list(dict.fromkeys(found))


def same_content(stored: bytes, ours: bytes) -> bool:
    """True when a stored resource says what ours says, line for line in any order or folding."""

    def lines(body: bytes) -> Counter[bytes]:
        doc = split(body)
        return Counter(
            raw.replace(doc.eol + b" ", b"").replace(doc.eol + b"\t", b"")
            for comp in doc.components
            if comp.name in ("VEVENT", "VCARD")
            for raw in doc.lines[comp.begin : comp.end + 1]
        )

    return lines(stored) == lines(ours)
