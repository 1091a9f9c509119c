"""ISO 8601 / RFC 5545 durations (``PT2H``, ``P1DT30M``): read and written.

Plain values, no converter: the loader and the exporters' options share these.
"""

from __future__ import annotations

import datetime as dt
import re

from .text import quote

__all__ = ["format_clock", "format_duration", "parse_duration"]

_DURATION = re.compile(
    r"^P(?:(?P<w>\d{1,6})W)?(?:(?P<d>\d{1,7})D)?"
    r"(?:T(?:(?P<h>\d{1,8})H)?(?:(?P<m>\d{1,9})M)?(?:(?P<s>\d{1,10})S)?)?$"
)


def parse_duration(text: str) -> dt.timedelta:
    """Read an ISO 8601 / RFC 5545 duration such as ``PT2H`` or ``PT1H30M``.

    Each number has a few digits at most (a week count six, a second count ten):
    enough for any duration the model allows, and never a number too long to read.
    """
    match = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if not match or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise ValueError(f"expected an ISO 8601 duration such as 'PT2H' (got {quote(text)})")
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return dt.timedelta(
        weeks=parts["w"], days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"]
    )


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
