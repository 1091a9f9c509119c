"""How the ``vcard`` exporter writes text and content lines (see :mod:`~nogentech.exporters.vcard`).

* Text values are cleaned (:func:`clean_text`): line breaks as LF, the control
  characters vCard forbids and U+FEFF dropped, no surrounding white space.
* Lines of plain text and structured values are turned into their written form
  (escaped by vobject's behaviours) before ``serialize`` (:func:`_encoded`).
* A serialised card is respelt (``X-ABShowAs``) and folded at 75 octets without
  splitting a UTF-8 character (:func:`fold_line`, :func:`_fold_card`).

vobject is imported inside the functions, when cards are rendered.
"""

from __future__ import annotations

import functools
import re
from typing import Any

LINE_OCTETS = 75

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")
# vobject writes property names in capitals; Apple Contacts spells this one so.
_SPELLING = {"X-ABSHOWAS": "X-ABShowAs"}
_SPELLING_BYTES = {k.encode("ascii"): v.encode("ascii") for k, v in _SPELLING.items()}
_RESPELT = tuple(_SPELLING_BYTES)


def clean_text(value: str) -> str:
    """``value`` as a card holds it: line breaks as LF, controls dropped, no outer spaces."""
    return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


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


@functools.cache
def _plain_behaviours() -> frozenset[Any]:
    """vobject's behaviours of the lines this exporter writes: ``serialize`` only
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
