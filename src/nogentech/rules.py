"""RFC 5545 recurrence rules (section 3.3.10) read and checked as text, part by part.

:func:`parse_rule` gives the parts of an RRULE value or raises ``ValueError`` naming
the first part that RFC 5545 or a meeting does not allow: an unknown or repeated
part, a value out of its range, COUNT with UNTIL, a part the frequency forbids. Only
the frequencies of :data:`FREQUENCIES` are meetings' (see ``docs/meetings.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

from .limits import EARLIEST_DATE, LATEST_DATE, MAX_COUNT, MAX_INTERVAL, MAX_QUOTED

__all__ = [
    "FREQUENCIES",
    "KEPT_RULES",
    "TIME_PARTS",
    "WEEKDAYS",
    "basic_date",
    "basic_datetime",
    "days_in_month",
    "parse_rule",
    "set_positions",
    "utc_until",
]

FREQUENCIES: tuple[str, ...] = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
"""The frequencies of a meeting series: one occurrence per date at most."""
TIME_PARTS: tuple[str, ...] = ("BYHOUR", "BYMINUTE", "BYSECOND")
"""Rule parts that would give several times a day; a series has one ``start_time``."""
WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_PARTS = (
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    *TIME_PARTS,
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
)
# RFC 5545's digits are ASCII: another script's digits, which ``\d`` and ``int`` take,
# would pass into the feed as they are written and be refused by the clients.
_SIGNED = re.compile(r"[+-]?[0-9]{1,3}")
_WEEKDAY_NUM = re.compile(r"([+-]?[0-9]{1,2})?([A-Z]{2})")
_UNTIL = re.compile(r"([0-9]{8})(?:T([0-9]{6})(Z?))?")
_NUMBER = re.compile(r"[0-9]{1,10}")


def _cut(text: str) -> str:
    return repr(text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…")


def _signed_list(high: int) -> Callable[[str, str], None]:
    """A check of a list of whole numbers from 1 to ``high`` or -``high`` to -1, no repeats."""

    def check(name: str, value: str) -> None:
        seen: set[int] = set()
        for item in value.split(","):
            number = int(item) if _SIGNED.fullmatch(item) else 0
            if not 1 <= abs(number) <= high:
                raise ValueError(
                    f"{name} takes numbers from 1 to {high} or -{high} to -1 (got {_cut(item)})"
                )
            if number in seen:
                raise ValueError(f"{name} repeats {item}")
            seen.add(number)

    return check


def _months(name: str, value: str) -> None:
    seen: set[str] = set()
    for item in value.split(","):
        if not (item.isascii() and item.isdigit() and len(item) <= 2 and 1 <= int(item) <= 12):
            raise ValueError(f"{name} takes months from 1 to 12 (got {_cut(item)})")
        if str(int(item)) in seen:
            raise ValueError(f"{name} repeats {item}")
        seen.add(str(int(item)))


def _weekday(name: str, value: str) -> None:
    if value not in WEEKDAYS:
        raise ValueError(f"{name} takes a weekday, {', '.join(WEEKDAYS)} (got {_cut(value)})")


def _days(freq: str, parts: dict[str, str]) -> None:
    """BYDAY: weekdays, with an ordinal only in a MONTHLY or YEARLY rule (±1..5, ±1..53)."""
    seen: set[tuple[int, str]] = set()
    for item in parts["BYDAY"].split(","):
        match = _WEEKDAY_NUM.fullmatch(item)
        if not match or match.group(2) not in WEEKDAYS:
            raise ValueError(f"BYDAY takes weekdays such as TH or 2TH or -1FR (got {_cut(item)})")
        ordinal = int(match.group(1)) if match.group(1) else 0
        if match.group(1):
            if freq not in ("MONTHLY", "YEARLY"):
                raise ValueError(f"BYDAY {item}: an ordinal needs FREQ=MONTHLY or FREQ=YEARLY")
            if freq == "YEARLY" and "BYWEEKNO" in parts:
                raise ValueError(f"BYDAY {item}: an ordinal cannot go with BYWEEKNO")
            top = 53 if freq == "YEARLY" and "BYMONTH" not in parts else 5
            if not 1 <= abs(ordinal) <= top:
                raise ValueError(f"BYDAY {item}: the ordinal must be from ±1 to ±{top}")
        if (ordinal, match.group(2)) in seen:
            raise ValueError(f"BYDAY repeats {item}")
        seen.add((ordinal, match.group(2)))


def _until(value: str) -> None:
    match = _UNTIL.fullmatch(value)
    day: dt.date | None = None
    if match:
        try:
            day = basic_date(match.group(1))
            if match.group(2):
                _basic_time(match.group(2))
        except ValueError:
            day = None
    if day is None:
        raise ValueError(
            f"UNTIL takes a date YYYYMMDD or a time YYYYMMDDTHHMMSS[Z] (got {_cut(value)})"
        )
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"UNTIL must be from {EARLIEST_DATE} to {LATEST_DATE} (got {value})")


def basic_date(text: str) -> dt.date:
    """The date of ``YYYYMMDD`` in ASCII digits (RFC 5545's basic form); ``ValueError`` otherwise.

    What ``datetime.strptime(text, "%Y%m%d")`` gives for such text, without the
    module that reads formats: its first call costs a few tens of milliseconds and
    half a MiB of locale tables, for the one date a rule's UNTIL holds.
    """
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(f"a date is written YYYYMMDD (got {_cut(text)})")
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _basic_time(text: str) -> dt.time:
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        raise ValueError(f"a time is written HHMMSS (got {_cut(text)})")
    return dt.time(int(text[:2]), int(text[2:4]), int(text[4:]))


def basic_datetime(text: str) -> dt.datetime:
    """The local time of ``YYYYMMDDTHHMMSS`` in ASCII digits; ``ValueError`` otherwise.

    The ``T`` may be written ``t``, as the rule itself may be written in lower case.

    What ``datetime.strptime(text, "%Y%m%dT%H%M%S")`` gives for such text (see
    :func:`basic_date`).
    """
    if len(text) != 15 or text[8] not in "Tt":
        raise ValueError(f"a time is written YYYYMMDDTHHMMSS (got {_cut(text)})")
    return dt.datetime.combine(basic_date(text[:8]), _basic_time(text[9:]))


_UTC_UNTIL = re.compile(r"UNTIL=([0-9]{8}T[0-9]{6})Z")


def utc_until(text: str) -> dt.datetime | None:
    """The UNTIL of the RRULE value ``text`` (in any case) when it is a UTC time, else None."""
    match = _UTC_UNTIL.search(text.upper())
    return basic_datetime(match.group(1)).replace(tzinfo=dt.UTC) if match else None


def _whole(name: str, value: str, top: int) -> None:
    if not _NUMBER.fullmatch(value) or not 1 <= int(value) <= top:
        raise ValueError(f"{name} takes a whole number from 1 to {top} (got {_cut(value)})")


_LISTS: dict[str, Callable[[str, str], None]] = {
    "BYMONTHDAY": _signed_list(31),
    "BYYEARDAY": _signed_list(366),
    "BYWEEKNO": _signed_list(53),
    "BYSETPOS": _signed_list(366),
    "BYMONTH": _months,
    "WKST": _weekday,
}

# The parts RFC 5545 forbids with a frequency (section 3.3.10, the table of BYxxx parts).
_FORBIDDEN_WITH = {
    "BYMONTHDAY": ("WEEKLY",),
    "BYYEARDAY": ("DAILY", "WEEKLY", "MONTHLY"),
    "BYWEEKNO": ("DAILY", "WEEKLY", "MONTHLY"),
}


def _split(rule: str) -> dict[str, str]:
    body = rule.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, sep, value = part.partition("=")
        name = name.upper()
        if not sep or not value:
            raise ValueError(f"each part is NAME=VALUE (got {_cut(part)})")
        if name == "DTSTART":
            raise ValueError("DTSTART belongs in 'first_date', not in the rule")
        if name not in _PARTS:
            raise ValueError(f"unknown part {_cut(name)} (RFC 5545 parts: {', '.join(_PARTS)})")
        if name in parts:
            raise ValueError(f"{name} is given twice")
        parts[name] = value.upper()
    return parts


_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """The number of days of ``month`` (1 to 12) in ``year`` of the Gregorian calendar."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_LENGTHS[month - 1]


def set_positions(value: str) -> tuple[int, ...]:
    """The BYSETPOS ``value`` of a checked rule as indexes from either end (``1`` → 0, ``-1`` → -1).

    dateutil takes the dates of a period that pass the other parts, in order, and
    keeps those at these indexes; an index past either end keeps nothing.
    """
    return tuple(int(p) - 1 if int(p) > 0 else int(p) for p in value.split(","))


def parse_rule(rule: str) -> dict[str, str]:
    """The parts of the RRULE value ``rule`` (names and values in upper case), checked.

    ``ValueError`` says what is wrong. A leading ``RRULE:`` is allowed; ``DTSTART``
    is not (it is the series' ``first_date``).

    The parts of the last :data:`KEPT_RULES` valid rules read are kept, and each
    call returns a new dict of them: a series' rule is read by its checks and by
    its date test, and series often share a rule. A rule read after more than so
    many others is read again, as it would be without the kept parts.
    """
    if type(rule) is str:
        return _read(rule).copy()
    return _parse(rule)


KEPT_RULES = 1024
"""How many rules' parts :func:`parse_rule` keeps."""


@functools.lru_cache(maxsize=KEPT_RULES)
def _read(rule: str) -> dict[str, str]:
    return _parse(rule)


def _parse(rule: str) -> dict[str, str]:
    if not isinstance(rule, str) or not rule.strip():
        raise ValueError("a rule is text such as 'FREQ=MONTHLY;BYDAY=2TH'")
    parts = _split(rule)
    freq = parts.get("FREQ")
    if freq is None:
        raise ValueError("FREQ is required")
    if freq not in FREQUENCIES:
        raise ValueError(
            f"FREQ {_cut(freq)} is not a meeting frequency (one of {', '.join(FREQUENCIES)})"
        )
    for name in TIME_PARTS:
        if name in parts:
            raise ValueError(f"{name} is not allowed: a series starts at its 'start_time'")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL cannot both be given")
    if "COUNT" in parts:
        _whole("COUNT", parts["COUNT"], MAX_COUNT)
    if "INTERVAL" in parts:
        _whole("INTERVAL", parts["INTERVAL"], MAX_INTERVAL)
    if "UNTIL" in parts:
        _until(parts["UNTIL"])
    for name, frequencies in _FORBIDDEN_WITH.items():
        if name in parts and freq in frequencies:
            raise ValueError(f"{name} cannot go with FREQ={freq}")
    for name, check in _LISTS.items():
        if name in parts:
            check(name, parts[name])
    if "BYDAY" in parts:
        _days(freq, parts)
    if "BYSETPOS" in parts and not any(p.startswith("BY") and p != "BYSETPOS" for p in parts):
        raise ValueError("BYSETPOS needs another BYxxx part to choose among")
    return parts
