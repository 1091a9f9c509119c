"""Content lines to jCal (RFC 7265) and jCard (RFC 7095): parsing, value types, values.

A text of iCalendar or vCard content lines is unfolded, split into name, parameters
and value (quoted parameter values and RFC 6868 ``^`` escapes understood), and
nested by BEGIN and END. Each property gets the value type its VALUE parameter
names, else the default type of :data:`ICAL_TYPES` or :data:`VCARD_TYPES`, else
``unknown`` (its value kept as written, RFC 7265 section 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

_MULTI = "multi"  # values separated by commas, one JSON value each
_STRUCT = "struct"  # components separated by semicolons: one JSON array

ICAL_TYPES: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(
        [
            "action",
            "calscale",
            "class",
            "comment",
            "contact",
            "description",
            "location",
            "method",
            "prodid",
            "related-to",
            "status",
            "summary",
            "transp",
            "tzid",
            "tzname",
            "uid",
            "version",
        ],
        ("text", None),
    ),
    "categories": ("text", _MULTI),
    "resources": ("text", _MULTI),
    "request-status": ("text", _STRUCT),
    **dict.fromkeys(["percent-complete", "priority", "repeat", "sequence"], ("integer", None)),
    "geo": ("float", _STRUCT),
    **dict.fromkeys(
        [
            "completed",
            "created",
            "dtstamp",
            "last-modified",
            "dtstart",
            "dtend",
            "due",
            "recurrence-id",
        ],
        ("date-time", None),
    ),
    "exdate": ("date-time", _MULTI),
    "rdate": ("date-time", _MULTI),
    "duration": ("duration", None),
    "trigger": ("duration", None),
    "freebusy": ("period", _MULTI),
    "tzoffsetfrom": ("utc-offset", None),
    "tzoffsetto": ("utc-offset", None),
    **dict.fromkeys(["attach", "tzurl", "url"], ("uri", None)),
    "attendee": ("cal-address", None),
    "organizer": ("cal-address", None),
    "rrule": ("recur", None),
    "exrule": ("recur", None),
}
"""Default value type of each RFC 5545 property, and how its values are split."""

VCARD_TYPES: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(
        ["email", "fn", "kind", "note", "role", "title", "uid", "version", "xml"],
        ("text", None),
    ),
    "categories": ("text", _MULTI),
    "nickname": ("text", _MULTI),
    **dict.fromkeys(["n", "adr", "org", "gender", "clientpidmap"], ("text", _STRUCT)),
    **dict.fromkeys(
        [
            "caladruri",
            "caluri",
            "fburl",
            "geo",
            "impp",
            "key",
            "logo",
            "member",
            "photo",
            "related",
            "sound",
            "source",
            "tel",
            "url",
        ],
        ("uri", None),
    ),
    "anniversary": ("date-and-or-time", None),
    "bday": ("date-and-or-time", None),
    "lang": ("language-tag", None),
    "rev": ("timestamp", None),
    "tz": ("text", None),
}
"""Default value type of each RFC 6350 property, and how its values are split.

UID is text and TEL a URI, as Mozilla ical.js reads them (RFC 6350 allows both);
PRODID is left ``unknown``, as ical.js leaves it.
"""

_MULTI_PARAMS = {
    "ical": {"member", "delegated-to", "delegated-from"},
    "vcard": {"type"},
}
_NUMBER_PARTS = {
    "count",
    "interval",
    "bysecond",
    "byminute",
    "byhour",
    "bymonthday",
    "byyearday",
    "byweekno",
    "bymonth",
    "bysetpos",
}
_SPLIT = {",": re.compile(r"(?<!\\)((?:\\\\)*),"), ";": re.compile(r"(?<!\\)((?:\\\\)*);")}


def content_lines(text: str) -> Iterator[str]:
    """The unfolded content lines of ``text`` (CR LF or LF line ends)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    for line in re.split(r"\r?\n", unfolded):
        if line:
            yield line


def _unquote_param(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return re.sub(r"\^(.)", lambda m: {"n": "\n", "'": '"', "^": "^"}.get(m[1], m[0]), value)


def parse_line(line: str) -> tuple[str, list[tuple[str, str]], str]:
    """(lower-case name, [(parameter name, raw value)], value text) of one content line."""
    at, quoted, cut = 0, False, None
    for at, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            cut = at
            break
    if cut is None:
        raise ValueError(f"not a content line: {line[:60]!r}")
    head, value = line[:cut], line[cut + 1 :]
    parts, current, quoted = [], "", False
    for char in head:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    params = []
    for part in parts[1:]:
        name, _, raw = part.partition("=")
        params.append((name.lower(), raw))
    return parts[0].lower(), params, value


def _split(value: str, sep: str) -> list[str]:
    """``value`` split on the separators that no backslash escapes."""
    out, last = [], 0
    for match in _SPLIT[sep].finditer(value):
        out.append(value[last : match.end(1)])
        last = match.end()
    out.append(value[last:])
    return out


def unescape(value: str) -> str:
    """TEXT unescaping: ``\\\\``, ``\\;``, ``\\,`` and ``\\n`` (or ``\\N``)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def _date_time(value: str) -> str:
    day, _, time = value.partition("T")
    rest = time[6:]
    return f"{_date(day)}T{time[:2]}:{time[2:4]}:{time[4:6]}{rest}"


def _offset(value: str) -> str:
    seconds = f":{value[5:7]}" if len(value) > 5 else ""
    return f"{value[:3]}:{value[3:5]}{seconds}"


def _recur(value: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in value.split(";"):
        name, _, raw = part.partition("=")
        key = name.lower()
        items: list[Any] = raw.split(",")
        if key in _NUMBER_PARTS:
            items = [int(i) for i in items]
        elif key == "until":
            items = [_date_time(raw) if "T" in raw else _date(raw)]
        out[key] = items[0] if len(items) == 1 else items
    return out


def _period(value: str) -> list[str]:
    start, _, end = value.partition("/")
    return [_date_time(start), end if end.startswith(("P", "+P", "-P")) else _date_time(end)]


def _float(value: str) -> float:
    return float(value)


_CONVERT: dict[str, Callable[[str], Any]] = {
    "text": unescape,
    "integer": int,
    "float": _float,
    "boolean": lambda v: v.upper() == "TRUE",
    "date": _date,
    "date-time": _date_time,
    "timestamp": _date_time,
    "utc-offset": _offset,
    "recur": _recur,
    "period": _period,
}


def _values(kind: str, split: str | None, raw: str) -> list[Any]:
    convert = _CONVERT.get(kind, str)
    if split == _STRUCT:
        parts = [
            [convert(p) for p in pieces] if len(pieces := _split(part, ",")) > 1 else convert(part)
            for part in _split(raw, ";")
        ]
        return [parts if len(parts) > 1 else parts[0]]
    if split == _MULTI:
        return [convert(p) for p in _split(raw, ",")]
    return [convert(raw)]


def _property(line: str, table: dict[str, tuple[str, str | None]], family: str) -> list[Any]:
    name, raw_params, raw = parse_line(line)
    kind, split = table.get(name, ("unknown", None))
    params: dict[str, Any] = {}
    for pname, pvalue in raw_params:
        if pname == "value":
            kind = pvalue.lower()
            continue
        if pname in _MULTI_PARAMS[family]:
            values = [_unquote_param(v) for v in _split(pvalue, ",")]
            params[pname] = values if len(values) > 1 else values[0]
        else:
            params[pname] = _unquote_param(pvalue)
    if kind == "date-time" and name in ("dtstart", "dtend", "due", "recurrence-id", "exdate"):
        kind = "date" if "T" not in raw else kind
    if name == "rdate" and kind == "date-time":
        kind = "period" if "/" in raw else ("date" if "T" not in raw else kind)
    return [name, params, kind, *_values(kind, split, raw)]


def components(text: str, family: str) -> list[Any]:
    """The components of ``text`` as jCal (``family="ical"``) or jCard (``"vcard"``) arrays.

    A vCard component has no sub-component list (RFC 7095); an iCalendar one
    always has one, empty or not (RFC 7265).
    """
    table = ICAL_TYPES if family == "ical" else VCARD_TYPES
    root: list[Any] = []
    stack: list[list[Any]] = []
    for line in content_lines(text):
        name, _, value = parse_line(line)
        if name == "begin":
            component: list[Any] = [value.lower(), []]
            if family == "ical":
                component.append([])
            (stack[-1][2] if stack else root).append(component)
            stack.append(component)
        elif name == "end":
            if not stack or stack[-1][0] != value.lower():
                raise ValueError(f"END:{value} closes no open component")
            stack.pop()
        elif not stack:
            raise ValueError(f"property outside any component: {line[:60]!r}")
        else:
            stack[-1][1].append(_property(line, table, family))
    if stack:
        raise ValueError(f"component {stack[-1][0]!r} is never closed")
    return root
