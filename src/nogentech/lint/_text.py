"""The checks of ``nogentech lint`` on the bytes and the text: octets per line, folds,
UTF-8, escaping of TEXT values."""

from __future__ import annotations

from collections.abc import Iterator

from ._parse import Component, content_lines, physical_lines

LINE_OCTETS = 75
TEXT = frozenset(
    {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME", "TZNAME"}
    | {"X-WR-CALNAME", "X-WR-CALDESC"}
)
"""Properties whose value is one TEXT."""
TEXT_LISTS = frozenset({"CATEGORIES", "RESOURCES"})
"""Properties whose value is a list of TEXT, separated by bare commas."""
ESCAPES = frozenset("\\;,nN")

Found = tuple[str, int, str]
"""A finding before it is dressed: rule id, line number, message."""


def octets(data: bytes) -> Iterator[Found]:
    """Lines over 75 octets, folds inside a UTF-8 character, lines that are not UTF-8."""
    raw = physical_lines(data)
    for number, line in enumerate(raw, 1):
        if len(line) > LINE_OCTETS:
            yield "line-too-long", number, f"line {number} has {len(line)} octets (at most 75)"
    for start, joined in content_lines(raw):
        try:
            joined.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield "invalid-utf8", start, f"octet {exc.start + 1} of the line is not UTF-8"
            continue
        number = start
        for line in raw[start:]:
            number += 1
            if line[:1] not in (b" ", b"\t"):
                break
            if len(line) > 1 and line[1] & 0xC0 == 0x80:
                yield (
                    "fold-splits-character",
                    number,
                    f"the fold before line {number} cuts a UTF-8 character in two",
                )


def _escape_fault(value: str, lists: bool) -> str | None:
    """What is wrong with the escaping of a TEXT value (or list), if anything."""
    pos = 0
    while pos < len(value):
        char = value[pos]
        if char == "\\":
            following = value[pos + 1 : pos + 2]
            if following not in ESCAPES or not following:
                shown = f"\\{following}" if following else "a final \\"
                return f"{shown} is not an escape (\\\\ \\; \\, \\n)"
            pos += 2
            continue
        if char == ";" or (char == "," and not lists):
            return f"a bare {char!r} at character {pos + 1}"
        pos += 1
    return None


def escaping(calendar: Component) -> Iterator[Found]:
    """TEXT values with a bare ``,`` or ``;``, or a backslash that escapes nothing."""
    for component in calendar.walk():
        for line in component.lines:
            lists = line.name in TEXT_LISTS
            if not lists and line.name not in TEXT:
                continue
            if line.param("VALUE") not in (None, "TEXT"):
                continue
            fault = _escape_fault(line.value, lists)
            if fault is not None:
                yield "unescaped-text", line.number, f"{line.name}: {fault}"
