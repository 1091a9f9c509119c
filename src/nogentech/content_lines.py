"""Content lines of iCalendar or vCard bytes: read without a parser, and written.

Reading keeps every byte: a line is its physical lines as written (folds included),
so a caller can replace a few lines of a component and join the others back
unchanged (change tracking, ``docs/changes.md``; publishing, ``docs/publish.md``).
Writing: RFC 5545 TEXT cleaned and escaped, parameter values quoted, and lines
folded at 75 octets as icalendar folds them (the ``ics`` feed, ``docs/ics.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import attrs

__all__ = [
    "Component",
    "Lines",
    "clean_text",
    "escape_text",
    "fold_line",
    "line_name",
    "line_params",
    "line_value",
    "param_value",
    "split",
]

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")
FOLD_OCTETS = 75
"""A folded line holds fewer octets than this, its line break and leading space aside."""


def clean_text(value: str) -> str:
    """``value`` as a TEXT property holds it: line breaks as LF, forbidden controls dropped."""
    return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping of a cleaned value: ``\\``, ``;``, ``,`` and line breaks."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


_QUOTABLE = re.compile("[,;:\u2019]")
_RFC_6868 = re.compile('\\^|\r\n|\r|\n|"')
_RFC_6868_CODES = {"^": "^^", "\n": "^n", "\r": "^n", "\r\n": "^n", '"': "^'"}


def param_value(value: str, quote_if: str = "") -> str:
    """A parameter value as icalendar writes it: RFC 6868 escapes (``^^``, ``^n``,
    ``^'``), in double quotes when it holds ``,``, ``;``, ``:``, U+2019 or one of
    the characters of ``quote_if`` (icalendar quotes a CN with a space or ``'``).
    """
    quote = any(c in value for c in quote_if)
    if "^" in value or "\r" in value or "\n" in value or '"' in value:
        value = _RFC_6868.sub(lambda m: _RFC_6868_CODES[m.group(0)], value)
    if quote or _QUOTABLE.search(value):
        return f'"{value}"'
    return value


def fold_line(line: str) -> str:
    """``line`` folded with CR LF and a space, as icalendar 7 folds a content line.

    Each physical line holds at most 74 octets after its leading space, a UTF-8
    character is never split, and a ``\\`` or ``^`` that would end a physical line
    (the start of an escape) moves to the next one.
    """
    limit = FOLD_OCTETS - 1
    if len(line) <= limit // 4 or (len(line) <= limit and line.isascii()):
        return line
    if line.isascii():
        pieces = []
        start, size = 0, len(line)
        while size - start > limit:
            end = start + limit
            if line[end - 1] in "\\^":
                end -= 1
            pieces.append(line[start:end])
            start = end
        pieces.append(line[start:])
        return "\r\n ".join(pieces)
    data = line.encode("utf-8")
    size = len(data)
    if size <= limit:
        return line
    chunks = []
    start = 0
    while size - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # inside a character: break before it
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return b"\r\n ".join(chunks).decode("utf-8")


def _unfold(raw: bytes) -> bytes:
    return (
        raw.replace(b"\r\n ", b"")
        .replace(b"\r\n\t", b"")
        .replace(b"\n ", b"")
        .replace(b"\n\t", b"")
    )


def _parts(raw: bytes) -> tuple[bytes, bytes]:
    """Name with parameters, and value, of an unfolded line (a colon in quotes is a parameter's)."""
    text = _unfold(raw)
    quoted = False
    for index, byte in enumerate(text):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return text[:index], text[index + 1 :]
    return text, b""


def line_name(raw: bytes) -> str:
    """The property name of a content line, in capitals (``DTSTART`` of ``DTSTART;TZID=…:…``)."""
    head = _parts(raw)[0]
    return head.split(b";", 1)[0].decode("utf-8", "replace").strip().upper()


def line_value(raw: bytes) -> str:
    """The value of a content line, unfolded (everything after the first unquoted colon)."""
    return _parts(raw)[1].decode("utf-8", "replace")


def line_params(raw: bytes) -> str:
    """The parameters of a content line with their leading ``;`` (empty without any)."""
    head = _parts(raw)[0]
    _name, sep, params = head.partition(b";")
    return (sep + params).decode("utf-8", "replace")


@attrs.frozen
class Component:
    """One component: its name and the indexes of its BEGIN and END lines in :class:`Lines`."""

    name: str
    begin: int
    end: int


@attrs.define
class Lines:
    """The content lines of a document and the components it holds at the first level.

    The first level is the components of the outer ``VCALENDAR`` (``VEVENT``,
    ``VTIMEZONE``…) or, in a vCard file, each ``VCARD``.
    """

    lines: list[bytes]
    eol: bytes
    components: list[Component]
    trailer: bytes

    def own(self, component: Component) -> Iterator[int]:
        """Indexes of the lines of ``component`` itself, not of the components inside it."""
        depth = 0
        for index in range(component.begin + 1, component.end):
            name = line_name(self.lines[index])
            if name == "BEGIN":
                depth += 1
            elif name == "END":
                depth -= 1
            elif depth == 0:
                yield index

    def first(self, component: Component, name: str) -> int | None:
        """The index of the first own line of ``component`` named ``name``, if any."""
        for index in self.own(component):
            if line_name(self.lines[index]) == name:
                return index
        return None

    def text(self, component: Component) -> bytes:
        """The component's lines joined as written, with a line end after each."""
        chosen = self.lines[component.begin : component.end + 1]
        return b"".join(line + self.eol for line in chosen)

    def join(self, lines: Sequence[bytes] | None = None) -> bytes:
        """The document again: ``lines`` (by default its own) joined as they were."""
        return self.eol.join(self.lines if lines is None else lines) + self.trailer


def split(data: bytes) -> Lines:
    """The content lines of ``data`` and its first-level components."""
    eol = b"\r\n" if b"\r\n" in data else b"\n"
    physical = data.split(eol)
    trailer = b""
    if physical and physical[-1] == b"":
        physical.pop()
        trailer = eol
    lines: list[bytes] = []
    for raw in physical:
        if lines and raw[:1] in (b" ", b"\t"):
            lines[-1] += eol + raw
        else:
            lines.append(raw)
    components: list[Component] = []
    stack: list[tuple[str, int]] = []
    for index, raw in enumerate(lines):
        name = line_name(raw)
        if name == "BEGIN":
            stack.append((line_value(raw).strip().upper(), index))
        elif name == "END" and stack:
            kind, begin = stack.pop()
            first_level = (not stack and kind == "VCARD") or (
                len(stack) == 1 and stack[0][0] == "VCALENDAR"
            )
            if first_level:
                components.append(Component(kind, begin, index))
    return Lines(lines, eol, components, trailer)
