"""The components of iCalendar or vCard bytes, read line by line without a parser.

Every byte is kept: a line is its physical lines as written (folds included), so a
caller can replace a few lines of a component and join the others back unchanged.
Used by change tracking (``docs/changes.md``) and by publishing (``docs/publish.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs

__all__ = ["Component", "Lines", "line_name", "line_params", "line_value", "split"]


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
