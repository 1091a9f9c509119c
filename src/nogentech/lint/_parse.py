"""An iCalendar file as the checks of :mod:`nogentech.lint` see it: physical lines,
content lines with the number of the line they start on, and the tree of components.

The reading is tolerant on purpose (a checker must see what a strict parser would
refuse); values are parsed only where a check needs them (:func:`moment`,
:func:`duration_parts`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

_NAME = re.compile(r"[A-Za-z0-9-]+")


@attrs.frozen
class Line:
    """One unfolded content line: ``name;params:value``, from physical line ``number``."""

    number: int
    name: str
    params: tuple[tuple[str, str], ...]
    value: str

    def param(self, key: str) -> str | None:
        """The value of the parameter ``key`` (without quotes), if given."""
        for name, value in self.params:
            if name == key:
                return value
        return None


@attrs.define
class Component:
    """A BEGIN/END block with its content lines and inner components."""

    name: str
    number: int
    lines: list[Line] = attrs.field(factory=list)
    children: list[Component] = attrs.field(factory=list)

    def all(self, name: str) -> list[Line]:
        """Every content line called ``name``."""
        return [line for line in self.lines if line.name == name]

    def first(self, name: str) -> Line | None:
        found = self.all(name)
        return found[0] if found else None

    def walk(self) -> Iterator[Component]:
        """This component and every component inside it."""
        yield self
        for child in self.children:
            yield from child.walk()


def physical_lines(data: bytes) -> list[bytes]:
    """The lines of ``data`` without their line ends (CR LF, or a bare LF)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def content_lines(raw: list[bytes]) -> Iterator[tuple[int, bytes]]:
    """Unfolded content lines and the number (from 1) of the physical line each starts on."""
    start, parts = 0, list[bytes]()
    for number, line in enumerate(raw, 1):
        if line[:1] in (b" ", b"\t") and parts:
            parts.append(line[1:])
            continue
        if parts:
            yield start, b"".join(parts)
        start, parts = number, [line]
    if parts:
        yield start, b"".join(parts)


def _split(text: str) -> tuple[str, list[tuple[str, str]], str] | None:
    """``name``, parameters and value of a content line; None if it has no colon."""
    name_match = _NAME.match(text)
    if name_match is None:
        return None
    name, pos, params = name_match.group().upper(), name_match.end(), []
    while pos < len(text) and text[pos] == ";":
        eq = text.find("=", pos)
        if eq == -1:
            return None
        key, pos, value = text[pos + 1 : eq].upper(), eq + 1, ""
        while pos < len(text) and text[pos] not in ";:":
            if text[pos] == '"':
                close = text.find('"', pos + 1)
                if close == -1:
                    return None
                value, pos = value + text[pos + 1 : close], close + 1
            else:
                value, pos = value + text[pos], pos + 1
        params.append((key, value))
    if pos >= len(text) or text[pos] != ":":
        return None
    return name, params, text[pos + 1 :]


def parse(data: bytes) -> Component | None:
    """The VCALENDAR of ``data``, or None when ``data`` is not an iCalendar object."""
    root: Component | None = None
    stack: list[Component] = []
    for number, raw in content_lines(physical_lines(data.removeprefix(b"\xef\xbb\xbf"))):
        text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            continue
        parts = _split(text)
        if parts is None:
            if root is None:
                return None
            continue
        name, params, value = parts
        if name == "BEGIN":
            component = Component(value.strip().upper(), number)
            if stack:
                stack[-1].children.append(component)
            elif root is None and component.name == "VCALENDAR":
                root = component
            else:
                return None
            stack.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value.strip().upper():
                return None
            stack.pop()
        elif stack:
            stack[-1].lines.append(Line(number, name, tuple(params), value))
        else:
            return None
    return root if root is not None and not stack else None


_MOMENT = re.compile(r"(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?")


def moment(value: str, tzid: str | None) -> dt.date | dt.datetime | None:
    """A DATE or DATE-TIME value: a date, an aware datetime (UTC or a known TZID), or a
    naive one (floating, or a zone this machine does not know); None if malformed."""
    found = _MOMENT.fullmatch(value.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, utc = found.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        stamp = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if utc:
        return stamp.replace(tzinfo=dt.UTC)
    zone = known_zone(tzid)
    return stamp.replace(tzinfo=zone) if zone is not None else stamp


def known_zone(tzid: str | None) -> ZoneInfo | None:
    """The IANA zone called ``tzid``, if there is one."""
    if not tzid:
        return None
    try:
        return ZoneInfo(tzid.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


_DURATION = re.compile(r"[+-]?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)")


def duration_ok(value: str) -> bool:
    """Whether ``value`` is an RFC 5545 duration (``PT12H``, ``P1D``, ``P1W``…)."""
    text = value.strip().upper()
    return bool(_DURATION.fullmatch(text)) and text.rstrip("T") == text and len(text) > 1
