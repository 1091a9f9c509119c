"""How the ``vcard`` exporter writes text and content lines (see :mod:`~nogentech.exporters.vcard`).

* Text values are cleaned (:func:`clean_text`): line breaks as LF, the control
  characters vCard forbids and U+FEFF dropped, no surrounding white space.
* Lines of plain text and structured values are turned into their written form
  before ``serialize`` (:func:`_encoded`): structured values (N, ADR, ORG) escaped by
  vobject's behaviours, other text by :func:`escape_text`, which leaves ``;`` bare
  where the version lets it (see ``docs/clients.md``).
* A serialised card is respelt (``X-ABShowAs``) and folded at 75 octets without
  splitting a UTF-8 character (:func:`fold_line`, :func:`_fold_card`); the direct
  writer folds each line as it makes it (:func:`fold_text`). vobject is imported
  inside the functions, when vobject cards are rendered.
"""

from __future__ import annotations

import functools
import re
from typing import Any

LINE_OCTETS = 75

_FORBIDDEN = "[\x00-\x08\x0b-\x1f\x7f\ufeff]"
"""The characters a card never holds: C0 controls but tab and line feed, DEL and
U+FEFF (compiled on first use and kept by :mod:`re`'s own cache, not on import)."""
# vobject writes property names in capitals; Apple Contacts spells this one so.
_SPELLING = {"X-ABSHOWAS": "X-ABShowAs"}
_SPELLING_BYTES = {k.encode("ascii"): v.encode("ascii") for k, v in _SPELLING.items()}
_RESPELT = tuple(_SPELLING_BYTES)


def clean_text(value: str) -> str:
    """``value`` as a card holds it: line breaks as LF, controls dropped, no outer spaces."""
    if value.isprintable():  # no line break, no control, no U+FEFF: nothing to drop
        return value.strip()
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.replace("\n", "").replace("\t", "").isprintable():  # lines, tabs: all kept
        return value.strip()
    return re.sub(_FORBIDDEN, "", value).strip()


BARE_SEMICOLON_3_0 = frozenset({"NOTE", "CATEGORIES"})
"""The 3.0 properties whose text keeps ``;`` unescaped: RFC 2426 has no rule for it,
but a strict 3.0 reader such as the ``vcard`` validator reads a bare ``;`` in FN,
TITLE, ROLE, EMAIL or TEL as a second value, and reads these whole."""


def escape_text(value: str, semicolon: bool = True) -> str:
    """A cleaned text value with ``\\``, ``,`` and line breaks escaped, and ``;`` when
    ``semicolon``: RFC 6350 section 3.4 escapes ``;`` only inside structured values
    (N, ADR, ORG), and Mozilla ical.js keeps the backslash of ``\\;`` elsewhere."""
    value = value.replace("\\", "\\\\").replace(",", "\\,")
    value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return value.replace(";", "\\;") if semicolon else value


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


def fold_text(line: str) -> str:
    """``line``, one content line ended by CR LF, folded as :func:`fold_line` folds it.

    Text in, text out, for a writer that encodes its output once: a line of at most
    18 characters (72 octets at most) or of at most 75 ASCII ones is returned as is.
    """
    if len(line) <= 20 or (len(line) <= LINE_OCTETS + 2 and line.isascii()):
        return line
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS + 2:
        return line
    return _fold_bytes(data[:-2]).decode("utf-8") + "\r\n"


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
def _behaviours() -> tuple[frozenset[Any], frozenset[Any], frozenset[Any]]:
    """vobject's behaviours of the lines this exporter writes, in three kinds: one
    text value, a list of text values (CATEGORIES), a structured value. ``serialize``
    only turns their lines from native and encodes them (no implicit parameters, no
    serialisation of their own)."""
    from vobject import icalendar, vcard

    return (
        frozenset({vcard.VCardTextBehavior, vcard.FN, vcard.Label, icalendar.TextBehavior}),
        frozenset({icalendar.MultiTextBehavior}),
        frozenset({vcard.NameBehavior, vcard.AddressBehavior, vcard.OrgBehavior}),
    )


def _encoded(card: Any) -> Any:
    """``card`` with its lines in their written form, ready for ``serialize``.

    vobject's ``serialize`` turns each line into its written form (Name, Address
    and lists to text, text escaped), writes it, then turns it back, parsing the
    escaped text again. A card that is only written does not need the way back:
    lines are turned here and ``serialize`` writes them as they are. Text and lists
    of text are escaped with :func:`escape_text`, ``;`` kept bare in 4.0 and in the
    3.0 properties of :data:`BARE_SEMICOLON_3_0`; structured values with their
    behaviours' own ``transformFromNative`` and ``encode``, which escape ``;``.
    Lines of other behaviours (a plugin's PHOTO…) and lines with an ENCODING are
    left to ``serialize``.
    """
    text, lists, structured = _behaviours()
    version = card.contents["version"][0].value if "version" in card.contents else "3.0"
    for line in card.getChildren():
        behaviour: Any = getattr(line, "behavior", None)
        if line.encoded or getattr(line, "encoding_param", None):
            continue
        semicolon = version != "4.0" and line.name.upper() not in BARE_SEMICOLON_3_0
        if behaviour in text and isinstance(line.value, str):
            line.value = escape_text(line.value, semicolon)
            line.encoded = True
        elif behaviour in lists and isinstance(line.value, list):
            line.value = ",".join(escape_text(v, semicolon) for v in line.value)
            line.isNative = False
            line.encoded = True
        elif behaviour in structured:
            if line.isNative:
                line.transformFromNative()
            if not line.encoded:
                behaviour.encode(line)
    return card
