"""The instants a zone may change at, read from the TZif file its ``ZoneInfo`` reads.

The file's transitions, and for the years after them those its footer's POSIX TZ
rule gives (RFC 8536 section 3.3). These are candidates only: whether the zone's
offset, daylight saving or abbreviation changes at one is asked of ``ZoneInfo``.
None when the file cannot be found or read (then the zone is probed instead).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import struct
import zoneinfo

_HEADER = struct.Struct(">4sc15x6l")
_TIME = r"([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?"
_NAME = r"(?:<[^>]*>|[A-Za-z]+)"
_POSIX = rf"{_NAME}{_TIME}(?:{_NAME}(?:{_TIME})?,([^,/]+)(?:/{_TIME})?,([^,/]+)(?:/{_TIME})?)?"
"""A POSIX TZ string (compiled when first needed: most renders find the zones cached)."""
_DAY = r"M(\d{1,2})\.(\d)\.(\d)|J(\d{1,3})|(\d{1,3})"


def _seconds(sign: str | None, hours: str | None, minutes: str | None, seconds: str | None) -> int:
    value = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
    return -value if sign == "-" else value


def _days_in(year: int, month: int) -> int:
    if year == dt.MAXYEAR and month == 12:
        return 31
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.date(year, month, 1)).days


def _day_of_year(spec: str, year: int) -> int | None:
    """The day of ``year`` (0 for 1 January) of a POSIX rule date."""
    match = re.fullmatch(_DAY, spec)
    if match is None:
        return None
    month, week, weekday, julian, plain = match.groups()
    if plain is not None:
        return int(plain)
    if julian is not None:
        day = int(julian) - 1
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day + 1 if leap and day >= 59 else day
    m, w, d = int(month), int(week), int(weekday)
    first = (dt.date(year, m, 1).weekday() + 1) % 7  # POSIX: 0 is Sunday
    day = 1 + (d - first) % 7 + (w - 1) * 7
    last = _days_in(year, m)
    while day > last:
        day -= 7
    return (dt.date(year, m, day) - dt.date(year, 1, 1)).days


def _read(name: str) -> bytes | None:
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, *name.split("/"))
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                return handle.read()
    from importlib import resources  # only when no TZPATH folder has the zone

    try:
        return resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    except (ImportError, OSError, ValueError):
        return None


@functools.cache
def _tzfile(name: str) -> tuple[tuple[int, ...], tuple[int, int, str, int, str, int] | None] | None:
    """The transitions (UTC seconds) and the footer's rule of zone ``name``.

    The rule is (standard offset, daylight offset, start day, start time, end day,
    end time) in seconds east of UTC and local seconds after midnight; None without
    daylight saving. None when the file is missing or not understood.
    """
    data = _read(name)
    if data is None or data[:4] != b"TZif":
        return None
    try:
        _, version, isut, isstd, leap, times, types, chars = _HEADER.unpack_from(data)
        size = 4
        offset = _HEADER.size
        if version != b"\x00":
            offset += times * 5 + types * 6 + chars + leap * 8 + isstd + isut
            _, _, isut, isstd, leap, times, types, chars = _HEADER.unpack_from(data, offset)
            offset += _HEADER.size
            size = 8
        moments = struct.unpack_from(f">{times}{'q' if size == 8 else 'l'}", data, offset)
        offset += times * (size + 1) + types * 6 + chars + leap * (size + 4) + isstd + isut
    except struct.error:
        return None
    footer = data[offset:].strip(b"\n").decode("ascii", "replace") if size == 8 else ""
    match = re.fullmatch(_POSIX, footer)
    if footer and match is None:
        return None
    rule = None
    if match is not None and match.group(9) is not None:
        g = match.groups()
        std = -_seconds(*g[0:4])
        dst = -_seconds(*g[4:8]) if g[5] is not None else std + 3600
        start_time = _seconds(*g[9:13]) if g[10] is not None else 7200
        end_time = _seconds(*g[14:18]) if g[15] is not None else 7200
        rule = (std, dst, g[8], start_time, g[13], end_time)
    return tuple(moments), rule


_EPOCH_DAYS = 719162
"""Days from 1 January of year 1 to 1 January 1970."""


def _year_start(year: int) -> int:
    y = year - 1
    return (y * 365 + y // 4 - y // 100 + y // 400 - _EPOCH_DAYS) * 86400


def listed(name: str) -> tuple[int, ...] | None:
    """The transitions (UTC seconds) the file of zone ``name`` lists one by one, or None."""
    found = _tzfile(name)
    return None if found is None else found[0]


def candidates(name: str, lo: int, hi: int) -> list[int] | None:
    """The instants (UTC seconds) in ``[lo, hi]`` at which zone ``name`` may change."""
    found = _tzfile(name)
    if found is None:
        return None
    moments, rule = found
    out = {m for m in moments if lo <= m <= hi}
    if rule is not None:
        std, dst, start_day, start_time, end_day, end_time = rule
        first = 1970 + lo // (365 * 86400) - 2
        last = 1970 + hi // (365 * 86400) + 2
        if moments:
            first = max(first, 1970 + moments[-1] // (365 * 86400) - 2)
        for year in range(max(first, 1), min(last, 9999) + 1):
            begin, end = _day_of_year(start_day, year), _day_of_year(end_day, year)
            if begin is None or end is None:
                return None
            base = _year_start(year)
            for moment in (
                base + begin * 86400 + start_time - std,
                base + end * 86400 + end_time - dst,
            ):
                if lo <= moment <= hi:
                    out.add(moment)
    return sorted(out)
