"""Rule and zone arithmetic on plain values: zones, windows, RRULE text, public holidays.

python-dateutil does the RFC 5545 rule arithmetic; this module anchors a rule in an
IANA timezone so that a local 08:30 stays 08:30 across daylight-saving changes. It
knows nothing of the model: :mod:`nogentech.meetings` builds occurrences with it.
See ``docs/meetings.md``.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import os
import re
import threading
import weakref
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from .limits import EARLIEST_DATE as EARLIEST_DATE
from .limits import LATEST_DATE as LATEST_DATE
from .rules import (
    KEPT_RULES,
    WEEKDAYS,
    basic_date,
    basic_datetime,
    days_in_month,
    parse_rule,
    set_positions,
    utc_until,
)

if TYPE_CHECKING:
    from dateutil.rrule import rrule

__all__ = [
    "DEFAULT_SPAN",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "UTC",
    "Window",
    "aware",
    "build_rule",
    "check_country",
    "check_day",
    "check_days",
    "check_moment",
    "check_rule",
    "check_timezone",
    "holiday_names",
    "local",
    "rule_text",
    "window",
    "zone",
]

UTC = dt.UTC
DEFAULT_SPAN = dt.timedelta(days=3653)


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name (cached); ``ValueError``/``KeyError`` if unknown."""
    if not name or name != name.strip():
        raise ValueError(f"invalid timezone name {name!r}")
    return ZoneInfo(name)


def check_timezone(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` must be an IANA zone name known to tzdata.

    The names are those of the tzdata package's list, less ``Factory`` (a zone
    that stands for "not set"): a file the system keeps beside the zones, such as
    ``localtime`` (whatever zone the machine is set to), ``posixrules`` or
    ``right/Europe/Paris`` (with leap seconds), is no zone a calendar client knows,
    and would make the same data mean other times on another machine.
    """
    if not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be an IANA zone name (got {value!r})")
    known = _zone_names()
    try:
        if known is not None and value not in known:
            raise KeyError(value)
        zone(value)
    except (ValueError, KeyError) as exc:
        raise ValueError(
            f"'{attribute.name}' must be an IANA zone name such as 'Europe/Paris' (got {value!r})"
        ) from exc


_NOT_A_PLACE = frozenset(("Factory",))


@functools.cache
def _zone_names() -> frozenset[str] | None:
    """The zone names the tzdata package lists (None if it cannot be read: any zone is taken).

    Its ``zones`` file is read from the package's folder, without importlib.resources
    (which a first load would import for this alone).
    """
    try:
        import tzdata  # type: ignore[import-untyped]

        folder = os.path.dirname(tzdata.__file__ or "")
        with open(os.path.join(folder, "zones"), encoding="utf-8") as f:
            names = frozenset(f.read().split())
    except (ImportError, OSError, ValueError):
        return None
    return (names - _NOT_A_PLACE) or None


def _in_range(name: str, day: dt.date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(
            f"'{name}' must be from {EARLIEST_DATE} to {LATEST_DATE} (got {day.isoformat()})"
        )


def check_day(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is None or a date (not a datetime) in the supported range."""
    if value is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"'{attribute.name}' must be a date (got {type(value).__name__})")
    _in_range(attribute.name, value)


def check_days(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is a tuple of dates in the supported range."""
    if not isinstance(value, tuple):
        raise TypeError(f"'{attribute.name}' must be a tuple (got {type(value).__name__})")
    for day in value:
        check_day(inst, attribute, day)


def check_moment(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is None or an aware datetime on a supported date."""
    if value is None:
        return
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(f"'{attribute.name}' must be a timezone-aware datetime (got {value!r})")
    _in_range(attribute.name, value.date())


_COUNTRY = re.compile(r"[A-Z]{2,3}")


def check_country(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is None or a country code the holidays library knows."""
    if value is None:
        return
    if not (isinstance(value, str) and _COUNTRY.fullmatch(value) and _known_country(value)):
        raise ValueError(
            f"'{attribute.name}' must be a country code the holidays library knows, "
            f"such as 'FR' (got {value!r:.40})"
        )


def _known_country(code: str) -> bool:
    """True when the holidays library has the public holidays of ``code``."""
    return code in _HOLIDAYS.codes()


@attrs.frozen
class Window:
    """A half-open interval ``[start, end)`` of aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: object) -> bool:
        """True for an aware datetime whose instant lies in the window.

        Instants are compared, not wall-clock times, even when the bounds and
        ``moment`` share a timezone: at a daylight-saving change the same wall-clock
        time can name two instants (``fold``) or none. A naive ``moment`` raises
        ``TypeError``.
        """
        if not isinstance(moment, dt.datetime):
            return False
        if moment.utcoffset() is None:
            raise TypeError(f"cannot place a naive datetime in a window: {moment!r}")
        instant = moment.astimezone(UTC)
        return self.start.astimezone(UTC) <= instant < self.end.astimezone(UTC)


def aware(value: dt.date | dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware datetime: a date is local midnight, a naive datetime a local time."""
    if isinstance(value, dt.datetime):
        return value if value.utcoffset() is not None else value.replace(tzinfo=tz)
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date or a datetime, got {type(value).__name__} {value!r}")
    return dt.datetime.combine(value, dt.time(0), tzinfo=tz)


def window(
    timezone: str,
    start: dt.date | dt.datetime | None,
    end: dt.date | dt.datetime | None,
    *,
    default_start: dt.date | None = None,
) -> Window:
    """Resolve user bounds: dates mean local midnight; naive datetimes are local times."""
    tz = zone(timezone)
    if start is None:
        start = default_start if default_start is not None else dt.datetime.now(UTC)
    lo = aware(start, tz)
    hi = aware(end, tz) if end is not None else lo + DEFAULT_SPAN
    return Window(lo, hi)


def local(date: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """Local wall-clock time, normalised: a time skipped by a DST change moves forward."""
    naive = dt.datetime.combine(date, time, tzinfo=tz)
    return naive.astimezone(UTC).astimezone(tz)


def rule_text(rule: str, tz: ZoneInfo) -> str:
    """The RRULE value with any local or date UNTIL turned into UTC, as RFC 5545 wants.

    The text of the last :data:`~nogentech.rules.KEPT_RULES` rules and zones is
    kept, as :func:`~nogentech.rules.parse_rule` keeps their parts.
    """
    if type(rule) is str:
        return _utc_text(rule, tz)
    return _utc(rule, tz)


@functools.lru_cache(maxsize=KEPT_RULES)
def _utc_text(rule: str, tz: ZoneInfo) -> str:
    return _utc(rule, tz)


def _utc(rule: str, tz: ZoneInfo) -> str:
    body = rule.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts = []
    for part in body.split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "DTSTART":
            raise ValueError("DTSTART belongs in 'first_date', not in the rule")
        if key.upper() == "UNTIL" and not value.upper().endswith("Z"):
            if len(value) == 8:  # a date: the whole day counts
                day = basic_date(value)
                local = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)
            else:
                local = basic_datetime(value).replace(tzinfo=tz)
            value = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{key}={value}")
    return ";".join(parts)


def build_rule(
    rule: str, first: dt.date, start: dt.time, timezone: str, *, owner: object = None
) -> rrule:
    """The dateutil rule ``rule`` anchored at ``first`` and the local time ``start``.

    Raises ``ValueError`` when the rule is invalid or when ``first`` is not itself
    an occurrence of it (RFC 5545 counts DTSTART as the first instance, and
    clients disagree when it does not match).

    The result is kept for as long as ``owner`` (the series the rule belongs to)
    lives, and shared by every living owner of the same four values, so that the
    cache grows and shrinks with the data: there is no fixed size past which
    every call parses again, and the rules of a cluster that is dropped (a feed
    server reloading its file) go with it. Without an owner, a rule some living
    owner holds is reused and any other is parsed afresh.
    """
    key = (rule, first, start, timezone)
    if owner is not None:
        entry = _by_owner.get(id(owner))
        if entry is not None and entry[0]() is owner and entry[1] == key:
            return entry[2]
    parsed = _shared.get(key)
    if parsed is None:
        parsed = _parse_rule(rule, first, start, timezone)
        _shared[key] = parsed
    if owner is not None:
        ref = _OwnerRef(owner, _forget)
        ref.ident = id(owner)
        _by_owner[ref.ident] = (ref, key, parsed)
    return parsed


_RuleKey = tuple[str, dt.date, dt.time, str]


class _OwnerRef(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to an owner of a rule that removes the owner's entry."""

    __slots__ = ("ident",)
    ident: int


def _forget(ref: _OwnerRef) -> None:
    """Drop the entry of an owner that has died (unless another owner has it now)."""
    entry = _by_owner.get(ref.ident)
    if entry is not None and entry[0] is ref:
        _by_owner.pop(ref.ident, None)


_by_owner: dict[int, tuple[_OwnerRef, _RuleKey, rrule]] = {}
"""Parsed rules by the identity of their owner, removed when the owner dies."""
_shared: weakref.WeakValueDictionary[_RuleKey, rrule] = weakref.WeakValueDictionary()
"""Parsed rules by their values, for as long as some owner keeps them."""


def check_rule(
    rule: str, first: dt.date, start: dt.time, timezone: str, *, owner: object = None
) -> None:
    """Raise the ``ValueError`` of :func:`build_rule`, if any, without building the rule.

    Whether ``first`` is an occurrence is told by date arithmetic for the rules
    where it is exact (see :func:`_first_is_occurrence`); the dateutil rule is then
    built only when the series is first expanded. Any other rule is built (and
    kept for ``owner``) as :func:`build_rule` does.
    """
    if not _checked(rule, first, start, timezone):
        build_rule(rule, first, start, timezone, owner=owner)


def _parse_rule(rule: str, first: dt.date, start: dt.time, timezone: str) -> rrule:
    from dateutil.rrule import rrule as rrule_type
    from dateutil.rrule import rrulestr

    if not _checked(rule, first, start, timezone):
        return _probed_rule(rule, first, start, timezone)
    tz = zone(timezone)
    # See ``_probed_rule`` for dateutil's cache.
    dtstart = dt.datetime.combine(first, start, tzinfo=tz)
    parsed = rrulestr(rule_text(rule, tz), dtstart=dtstart, cache=True)
    if not isinstance(parsed, rrule_type):
        raise ValueError("expected a single RRULE")
    return parsed


def _checked(rule: str, first: dt.date, start: dt.time, timezone: str) -> bool:
    """True when ``rule`` from ``first`` at ``start`` is valid, told without dateutil.

    Raises the ``ValueError`` of :func:`_probed_rule` when it is not; False when
    this cannot tell: the values are not the plain ones of a series (a rule of
    ASCII text, a date, a time of whole seconds without a zone) or the rule has
    a part that :func:`_first_is_occurrence` leaves to dateutil. For an ASCII
    rule that :func:`~nogentech.rules.parse_rule` accepts, dateutil's parser
    accepts it too: the checks come in the order of :func:`_probed_rule`.
    """
    if not (
        type(rule) is str
        and rule.isascii()
        and type(first) is dt.date
        and type(start) is dt.time
        and start.tzinfo is None
        and not start.microsecond
        and not start.fold
    ):
        return False
    parts = parse_rule(rule)
    tz = zone(timezone)
    occurs = _first_is_occurrence(parts, first)
    if occurs is None:
        return False
    dtstart = dt.datetime.combine(first, start, tzinfo=tz)
    _check_until(rule_text(rule, tz), first, start, dtstart)
    if not occurs:
        raise ValueError(f"first_date {first.isoformat()} is not an occurrence of the rule")
    return True


def _check_until(text: str, first: dt.date, start: dt.time, dtstart: dt.datetime) -> None:
    """Raise ``ValueError`` when the UNTIL of the RRULE value ``text`` is before ``dtstart``."""
    until = utc_until(text)
    if until is not None and until < dtstart.astimezone(UTC):
        raise ValueError(f"UNTIL is before first_date {first.isoformat()} {start.isoformat()}")


_WEEKDAY_INDEX = {name: index for index, name in enumerate(WEEKDAYS)}


def _first_is_occurrence(parts: dict[str, str], first: dt.date) -> bool | None:
    """Whether the rule of ``parts`` started on ``first`` gives ``first``, or None.

    The first occurrence lies in the rule's first period (the day, week, month or
    year of ``first``), which dateutil fills with the dates of that period passing
    every BYxxx part, the parts it leaves out taken from ``first`` (a YEARLY rule
    its month and day, a MONTHLY one its day, a WEEKLY one its weekday: ``first``
    passes those). So ``first`` is the first occurrence when it passes BYMONTH,
    BYMONTHDAY (counted from either end of its month) and BYDAY: a plain weekday,
    and the n-th such weekday of its month (or of its year, for a YEARLY rule
    without BYMONTH) counted from either end. COUNT (at least 1), UNTIL (checked
    apart), INTERVAL and WKST do not matter.

    With BYSETPOS, in a MONTHLY rule, dateutil takes the dates of the whole month
    that pass the other parts (only ``first``'s day of the month when the rule
    has neither BYMONTHDAY nor BYDAY), keeps those at the BYSETPOS positions
    (from either end) and then drops any before the first date: ``first`` is the
    first occurrence when it is at one of the positions. None for BYSETPOS in
    another rule, and for BYWEEKNO or BYYEARDAY, which dateutil answers.
    """
    if "BYWEEKNO" in parts or "BYYEARDAY" in parts:
        return None
    if "BYSETPOS" in parts:
        if parts["FREQ"] != "MONTHLY":
            return None
        if "BYMONTHDAY" in parts or "BYDAY" in parts:
            start = first.replace(day=1)
            month = [start + dt.timedelta(days=i) for i in range(_month_length(first))]
            dates = [day for day in month if _passes(parts, day)]
        else:
            dates = [first] if _passes(parts, first) else []
        size = len(dates)
        return any(
            -size <= i < size and dates[i] == first for i in set_positions(parts["BYSETPOS"])
        )
    return _passes(parts, first)


def _passes(parts: dict[str, str], first: dt.date) -> bool:
    """Whether ``first`` passes the BYMONTH, BYMONTHDAY and BYDAY parts of ``parts``.

    See :func:`_first_is_occurrence`: a day of the rule's first period passes
    when it is one of the dates dateutil fills that period with.
    """
    if "BYMONTH" in parts and first.month not in {int(m) for m in parts["BYMONTH"].split(",")}:
        return False
    if "BYMONTHDAY" in parts:
        days = {int(d) for d in parts["BYMONTHDAY"].split(",")}
        last = _month_length(first)
        if first.day not in days and first.day - last - 1 not in days:
            return False
    if "BYDAY" in parts:
        weekday = first.weekday()
        plain: set[int] = set()
        numbered: set[int] = set()
        for item in parts["BYDAY"].split(","):
            day = _WEEKDAY_INDEX[item[-2:]]
            if item[:-2]:
                if day == weekday:
                    numbered.add(int(item[:-2]))
            else:
                plain.add(day)
        if plain and weekday not in plain:
            return False
        if len(plain) < len(parts["BYDAY"].split(",")):
            # Ordinals (MONTHLY and YEARLY rules only, as parse_rule makes sure).
            if parts["FREQ"] == "YEARLY" and "BYMONTH" not in parts:
                lo, hi = dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)
            else:
                lo = first.replace(day=1)
                hi = first.replace(day=_month_length(first))
            ahead, behind = (first - lo).days // 7 + 1, -((hi - first).days // 7 + 1)
            if ahead not in numbered and behind not in numbered:
                return False
    return True


def _month_length(day: dt.date) -> int:
    return days_in_month(day.year, day.month)


def _probed_rule(rule: str, first: dt.date, start: dt.time, timezone: str) -> rrule:
    """The rule parsed by dateutil, its first date checked by running a copy of it."""
    from dateutil.rrule import rrule as rrule_type
    from dateutil.rrule import rrulestr

    parts = parse_rule(rule)
    tz = zone(timezone)
    dtstart = dt.datetime.combine(first, start, tzinfo=tz)
    text = rule_text(rule, tz)
    # dateutil's own cache keeps the occurrences already computed, so that expanding
    # the same series again (a feed server, ``upcoming`` widening its window) does not
    # redo the rule arithmetic from the first date.
    parsed = rrulestr(text, dtstart=dtstart, cache=True)
    if not isinstance(parsed, rrule_type):
        raise ValueError("expected a single RRULE")
    _check_until(text, first, start, dtstart)
    if not _starts_the_rule(parts, dt.datetime.combine(first, start)):
        raise ValueError(f"first_date {first.isoformat()} is not an occurrence of the rule")
    return parsed


_PERIOD_YEARS = 400
"""The Gregorian calendar repeats every 400 years: weekdays, leap years, week numbers."""
_PROBE_YEAR = 9900
"""Where :func:`_starts_the_rule` moves the first date to (a multiple of 400 years away)."""
_PAST_THE_END = {"YEARLY": 10_000, "MONTHLY": 120_000, "WEEKLY": 60_000, "DAILY": 400_000}
"""An INTERVAL that takes dateutil past year 9999 in one step, where it stops."""


def _starts_the_rule(parts: dict[str, str], first: dt.datetime) -> bool:
    """True when the naive ``first`` is the first occurrence of the rule of ``parts``.

    Whether the rule gives ``first`` depends only on the rule's first period (the
    year, month, week or day of ``first``), not on COUNT (at least 1), UNTIL
    (checked apart) or INTERVAL. dateutil looks for an occurrence until year 9999
    when there is none, so the question is put to a copy of the rule whose first
    date is moved a whole number of 400-year periods towards year 9999 (the same
    calendar) and whose INTERVAL leaves that year at the first step: the answer is
    the same, found after one period. A rule that never occurs is thus refused
    at once. A rule that gives its first date repeats with the calendar: the
    search for any next occurrence goes through at most one cycle of its periods
    (146,097 days, 20,871 weeks, 4,800 months or 400 years).
    """
    from dateutil.rrule import rrulestr

    shift = (_PROBE_YEAR - first.year) // _PERIOD_YEARS * _PERIOD_YEARS
    moved = first.replace(year=first.year + shift)
    kept = {k: v for k, v in parts.items() if k not in ("COUNT", "UNTIL", "INTERVAL")}
    kept["INTERVAL"] = str(_PAST_THE_END[parts["FREQ"]])
    probe = rrulestr(";".join(f"{k}={v}" for k, v in kept.items()), dtstart=moved)
    return next(iter(probe), None) == moved


def holiday_names(country: str, year: int) -> dict[dt.date, tuple[str, str]]:
    """The public holidays of ``country`` (ISO code) in ``year``: French and English names.

    Names come from the holiday library, in French and US English where it has
    them (else in its default language). Cached per country and year, in the
    process and in the user's cache directory (see :mod:`nogentech.caches`).
    """
    return _holidays(country, year)


@functools.lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> dict[dt.date, tuple[str, str]]:
    return _HOLIDAYS.table(country, year)


_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where the holiday library looks for a language it is not given (as ``gettext`` does)."""


class _HolidayTables:
    """What the holiday library computed, kept between runs in the user's cache directory.

    The library's ``holidays.countries`` package imports every country's module
    (about 250) as soon as one is asked for: a quarter of a second, paid here only
    by the first run that needs a table, for each version of the library (its
    version and files are the cache's key). The codes it knows come from its
    registry, which does not import the countries. Nothing is hand-kept: every
    entry is the library's own answer, stored as it gave it.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._state: dict[str, Any] | None = None
        self._new: dict[str, dict[Any, Any]] = {}
        self._key: bytes | None = None
        self._file = ""
        self._at_exit = False

    def codes(self) -> frozenset[str]:
        """The codes ``holidays.country_holidays`` takes that look like a country's."""
        found: frozenset[str] | None = self._get("codes", None)
        if found is None:
            from holidays.registry import EntityLoader

            every = (*EntityLoader.get_country_codes(), *EntityLoader.get_financial_codes())
            found = frozenset(code for code in every if _COUNTRY.fullmatch(code))
            self._put("codes", None, found)
        return found

    def table(self, country: str, year: int) -> dict[dt.date, tuple[str, str]]:
        """French and English names of the holidays of ``country`` in ``year``."""
        languages: tuple[str | None, str | None] | None = self._get("languages", country)
        if languages is None:
            import holidays

            supported = holidays.country_holidays(country).supported_languages
            languages = (
                "fr" if "fr" in supported else None,
                "en_US" if "en_US" in supported else None,
            )
            self._put("languages", country, languages)
        # Without a language of its own, the library follows the locale's variables.
        locale = (
            tuple(os.environ.get(name, "") for name in _LOCALE_VARIABLES)
            if None in languages
            else ()
        )
        key = (country, year, locale)
        found: dict[dt.date, tuple[str, str]] | None = self._get("tables", key)
        if found is None:
            found = _library_table(country, year, *languages)
            self._put("tables", key, found)
        return found

    def _get(self, part: str, key: Any) -> Any:
        with self._lock:
            if self._state is None:
                self._state = self._read()
            return self._state.get(part, {}).get(key)

    def _put(self, part: str, key: Any, value: Any) -> None:
        with self._lock:
            if self._state is None:
                self._state = self._read()
            self._state.setdefault(part, {})[key] = value
            self._new.setdefault(part, {})[key] = value
            if not self._at_exit:
                # One write for the whole run, however many tables it computed.
                atexit.register(self.flush)
                self._at_exit = True

    def _cache_key(self) -> bytes:
        if self._key is None:
            from .caches import file_name

            self._key = _library_signature()
            # One file for each installation of the library (its directory comes first).
            where = self._key.split(b"\n", 1)[0].decode()
            self._file = file_name("holidays", where, "marshal")
        return self._key

    def _read(self) -> dict[str, Any]:
        from .caches import read

        key = self._cache_key()
        found = read(self._file, key, plain=True)
        try:
            return _tables_from_plain(found)
        except (AttributeError, TypeError, ValueError, OverflowError):
            return {}

    def flush(self) -> None:
        """Write what was computed in this run to the cache (also done at exit)."""
        from .caches import write

        with self._lock:
            if not self._new:
                return
            # Another run may have added entries since this one read the file: keep them.
            merged = self._read()
            for part, entries in self._new.items():
                merged.setdefault(part, {}).update(entries)
            self._new = {}
            write(self._file, self._cache_key(), _tables_to_plain(merged), plain=True)

    def forget(self) -> None:
        """Drop what this process read or computed (the cache file stays)."""
        with self._lock:
            self._state = None
            self._new = {}
            self._key = None


def _tables_to_plain(state: dict[str, Any]) -> dict[str, Any]:
    """The holiday cache with each date as its ordinal, for :mod:`marshal` (no pickle to import)."""
    tables = {
        key: {day.toordinal(): names for day, names in table.items()}
        for key, table in state.get("tables", {}).items()
    }
    return {**state, "tables": tables}


def _tables_from_plain(found: Any) -> dict[str, Any]:
    """The holiday cache as :func:`_tables_to_plain` wrote it, dates back; {} for anything else."""
    if not isinstance(found, dict):
        return {}
    tables = {
        key: {dt.date.fromordinal(day): names for day, names in table.items()}
        for key, table in found.get("tables", {}).items()
    }
    return {**found, "tables": tables}


def _library_signature() -> bytes:
    """What tells one installation of the holiday library from another, without importing it.

    Its location, its version, and the size and time of the files that decide
    the tables' content (see :func:`nogentech.caches.installed`).
    """
    from .caches import installed

    files = ("__init__.py", "registry.py", "holiday_base.py", "countries/__init__.py")
    return installed("holidays", files).encode("utf-8", "surrogateescape")


def _library_table(
    country: str, year: int, fr_language: str | None, en_language: str | None
) -> dict[dt.date, tuple[str, str]]:
    """The holiday library's table of ``country`` in ``year``, in the two languages."""
    import holidays

    french = holidays.country_holidays(country, years=year, language=fr_language)
    english = holidays.country_holidays(country, years=year, language=en_language)
    names_en = {day: str(name) for day, name in english.items()}
    return {day: (str(name), names_en.get(day) or str(name)) for day, name in french.items()}


_HOLIDAYS = _HolidayTables()
