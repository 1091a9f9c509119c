"""Check any iCalendar file for what breaks real calendar clients (``nogentech lint``).

:func:`lint` returns one :class:`Finding` per fault: the rule it breaks (see
:data:`RULES`), the line it starts on, the clients it affects and how to fix it. The
rules, and the clients behind each, are described in ``docs/lint.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs

from ..exceptions import NogentechError
from ._events import durations, method, rules, stamps, texts, times, uids
from ._overrides import overrides
from ._parse import parse
from ._rules import RULES, Rule
from ._text import Found, escaping, octets

__all__ = ["RULES", "Finding", "Rule", "UnreadableCalendarError", "lint"]


class UnreadableCalendarError(NogentechError):
    """The input is not an iCalendar object: no VCALENDAR, or BEGIN and END that do not pair."""


@attrs.frozen
class Finding:
    """One fault: the rule it breaks, where, and what to do about it."""

    rule: str
    """The id of the :class:`Rule` (a key of :data:`RULES`)."""
    line: int
    """The line of the file (from 1) the fault starts on."""
    message: str
    """What is wrong there."""
    clients: tuple[str, ...]
    """The clients or engines it affects."""
    fix: str
    """How to fix it."""

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready values."""
        return {
            "rule": self.rule,
            "line": self.line,
            "message": self.message,
            "clients": list(self.clients),
            "fix": self.fix,
        }


def _found(data: bytes, now: dt.datetime) -> Iterator[Found]:
    calendar = parse(data)
    if calendar is None:
        raise UnreadableCalendarError(
            "not an iCalendar object (no BEGIN:VCALENDAR … END:VCALENDAR, or BEGIN and END "
            "that do not pair)"
        )
    yield from octets(data)
    yield from escaping(calendar)
    yield from times(calendar)
    yield from uids(calendar)
    yield from stamps(calendar, now)
    yield from texts(calendar)
    yield from durations(calendar)
    yield from rules(calendar)
    yield from overrides(calendar)
    yield from method(calendar)


def lint(data: bytes, *, now: dt.datetime | None = None) -> list[Finding]:
    """Every finding in the iCalendar ``data``, by line then rule.

    ``now`` is the time the file was fetched (default: the current time), for the
    rule that DTSTAMPs must not all be that time. Raises
    :class:`UnreadableCalendarError` when ``data`` is not an iCalendar object.
    """
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    found = sorted(set(_found(data, moment)), key=lambda f: (f[1], f[0], f[2]))
    return [
        Finding(rule, line, message, RULES[rule].clients, RULES[rule].fix)
        for rule, line, message in found
    ]
