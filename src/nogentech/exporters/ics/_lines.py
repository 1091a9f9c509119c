"""Values of the ``ics`` feed as text, written as icalendar writes them, without icalendar.

The direct writer (see "Two ways to write the feed" in ``docs/ics.md``) builds its
content lines from these: DATE and DATE-TIME values, UTC offsets, RRULE values with
their parts in icalendar's order, and the TEXT escaping icalendar applies to the
values it escapes itself (UID, PRODID, TZID, TZNAME).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

_RULE_ORDER = (
    "RSCALE",
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYWEEKDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
    "SKIP",
)
"""The order icalendar writes the parts of an RRULE in (RFC 5545 section 3.3.10)."""
_RANK = {name: rank for rank, name in enumerate(_RULE_ORDER)}
_NUMBERS = frozenset(
    {
        *("COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYWEEKNO", "BYMONTHDAY"),
        *("BYMONTH", "BYYEARDAY", "BYSETPOS"),
    }
)
_UNTIL = re.compile(r"\d{8}(?:T\d{6}Z?)?")


def _plain_text(value: str) -> str:
    """TEXT as icalendar escapes it (``\\N`` read as a line break first)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _date(day: dt.date) -> str:
    return "%04d%02d%02d" % (day.year, day.month, day.day)  # noqa: UP031 - the quickest form


def _local_stamp(moment: dt.datetime) -> str:
    """A DATE-TIME without its zone: ``20231012T083000``."""
    m = moment
    # %-formatting: about twice as quick as an f-string with six format specifiers
    return "%04d%02d%02dT%02d%02d%02d" % (m.year, m.month, m.day, m.hour, m.minute, m.second)  # noqa: UP031


def _utc_offset(offset: dt.timedelta) -> str:
    """A UTC-OFFSET value: ``+0100``, ``-0330``, ``+005328`` (seconds only when there are)."""
    sign = "-" if offset < dt.timedelta(0) else "+"
    total = abs(int(offset.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02}{minutes:02}" + (f"{seconds:02}" if seconds else "")


def _rule_value(name: str, value: str) -> str:
    if name in _NUMBERS:
        return ",".join(str(int(item)) for item in value.split(","))
    if name == "UNTIL":
        if not _UNTIL.fullmatch(value):
            raise ValueError(f"Wrong datetime format: {value}")
        return value
    if name in ("FREQ", "BYDAY", "WKST", "BYWEEKDAY"):
        return value.upper()
    return ",".join(_plain_text(item) for item in value.split(","))


def _recur(parts: Mapping[str, object]) -> str:
    """An RRULE value from its parts, as icalendar's ``vRecur`` writes it."""
    names = sorted(parts, key=lambda n: (_RANK.get(n, len(_RANK)), n if n not in _RANK else ""))
    return ";".join(f"{n}={_rule_value(n, str(parts[n]))}" for n in names)


def _rule_parts(text: str) -> dict[str, str]:
    """The parts of an RRULE value as icalendar reads them (a part without one ``=`` is
    skipped, names in capitals, a later part replacing an earlier one)."""
    parts: dict[str, str] = {}
    for pair in text.split(";"):
        bits = pair.split("=")
        if len(bits) != 2:
            continue
        name = bits[0].upper()
        parts.pop(name, None)
        parts[name] = bits[1]
    return parts
