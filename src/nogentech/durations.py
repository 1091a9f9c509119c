"""ISO 8601 / RFC 5545 durations (``PT2H``, ``P1DT30M``): read and written.

Plain values, no converter: the loader and the exporters' options share these.
"""

from __future__ import annotations

import datetime as dt
import re

from .text import quote

__all__ = ["format_clock", "format_duration", "parse_duration"]

_DURATION = re.compile(
    r"P(?:(\d{1,6})W)?(?:(\d{1,7})D)?(?:T(?:(\d{1,8})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?"
)


def parse_duration(text: str) -> dt.timedelta:
    """Read an ISO 8601 / RFC 5545 duration such as ``PT2H`` or ``PT1H30M``.

    Each number has a few digits at most (a week count six, a second count ten):
    enough for any duration the model allows, and never a number too long to read.
    """
    if type(text) is str:
        known = _READ.get(text)
        if known is not None:
            return known
    found = _DURATION.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    # "P" and "PT" match the pattern but name no duration, nor does a trailing "T".
    if found is None or found.string in ("P", "PT") or found.string.endswith("T"):
        raise ValueError(f"expected an ISO 8601 duration such as 'PT2H' (got {quote(text)})")
    weeks, days, hours, minutes, seconds = found.groups(0)
    value = dt.timedelta(
        days=int(weeks) * 7 + int(days),
        seconds=(int(hours) * 60 + int(minutes)) * 60 + int(seconds),
    )
    if type(text) is str and len(text) <= 64 and len(_READ) < _KEPT:
        _READ[text] = value
    return value


_KEPT = 512
"""How many texts :func:`parse_duration` keeps the duration of."""
_READ: dict[str, dt.timedelta] = {}
"""The duration of the first :data:`_KEPT` texts read (of 64 characters at most): a
data file names the same few durations many times. Once it is full, other texts are
read each time, at the cost of a first reading."""


def format_duration(value: dt.timedelta) -> str:
    """Write a duration as ``PT2H``, ``P1DT30M``…: the form RFC 5545 accepts."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    clock += f"{secs}S" if secs else ""
    if clock:
        out += "T" + clock
    return out if out != "P" else "PT0S"


def format_clock(value: dt.time) -> str:
    """A time of day as a data file writes it: ``HH:MM``, or ``HH:MM:SS`` with seconds."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")
