"""Every limit nogentech puts on its input, in one place; ``docs/limits.md`` says why.

Data beyond a limit is refused when it is read (a :class:`~nogentech.DataError`
naming the value), so that what loads can always be exported and served.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_CALENDAR_SIZE",
    "MAX_COUNT",
    "MAX_DEPTH",
    "MAX_DURATION",
    "MAX_EXPANDED_MEETINGS",
    "MAX_FILE_SIZE",
    "MAX_INTERVAL",
    "MAX_LINT_STEPS",
    "MAX_NUMBER_LENGTH",
    "MAX_QUOTED",
    "MAX_RESPONSE_SIZE",
    "MAX_SEQUENCE",
    "MAX_STATE_SIZE",
    "MAX_YEAR",
    "MIN_YEAR",
]

EARLIEST_DATE = dt.date(1900, 1, 1)
"""The earliest date of a meeting, an event, an update or a command-line option."""
LATEST_DATE = dt.date(2199, 12, 31)
"""The latest date of a meeting, an event, an update or a command-line option."""

MIN_YEAR = 1
"""The earliest year of a partial date (``founded``, a milestone) or a key figure."""
MAX_YEAR = 9999
"""The latest year of a partial date or a key figure: four digits, as ``YYYY`` writes it."""

MAX_DURATION = dt.timedelta(days=366)
"""The longest meeting or event: a year (a longer one is a series or an all-day event)."""

MAX_SEQUENCE = 2**31 - 1
"""The largest ``sequence``: the top of the RFC 5545 INTEGER range."""
MAX_COUNT = 2**31 - 1
"""The largest COUNT of a rule: the top of the RFC 5545 INTEGER range."""
MAX_INTERVAL = 1000
"""The largest INTERVAL of a rule: every thousand days, weeks, months or years."""

MAX_FILE_SIZE = 8 * 1024 * 1024
"""The largest data file, in bytes (characters for text given to ``loads``): 8 MiB."""
MAX_CALENDAR_SIZE = 64 * 1024 * 1024
"""The largest calendar file ``nogentech lint`` reads, in bytes: 64 MiB."""
MAX_LINT_STEPS = 100_000
"""How far ``nogentech lint`` counts a series with COUNT from its DTSTART, in days (in
hours, minutes or seconds for a rule that repeats that often) and in occurrences, to
tell whether an override is one of the first COUNT."""
MAX_STATE_SIZE = 256 * 1024 * 1024
"""The largest state file (``--stamps``, the publish record) read, in bytes: 256 MiB."""
MAX_RESPONSE_SIZE = 64 * 1024 * 1024
"""The largest response of a CalDAV or CardDAV server ``publish`` reads, in bytes: 64 MiB."""
MAX_DEPTH = 16
"""How deeply tables and lists may nest in a data file (the schema needs 6 levels)."""
MAX_NUMBER_LENGTH = 64
"""The most characters a number in a JSON data file may have."""

MAX_QUOTED = 60
"""About how many characters of a bad value an error message quotes."""

MAX_EXPANDED_MEETINGS = 100_000
"""The most occurrences one export or listing expands (an expanded feed, the
meetings of a window): each is an event, an entry or a line of its own."""
