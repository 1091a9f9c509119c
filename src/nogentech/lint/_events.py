"""The checks of ``nogentech lint`` on what the components say: times and zones, UIDs,
stamps, recurrence, durations, METHOD, alarms."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ._parse import Component, Line, duration_ok, moment
from ._text import Found

ITEMS = frozenset({"VEVENT", "VTODO", "VJOURNAL"})
WHEN = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "RDATE", "EXDATE")
DURATIONS = ("REFRESH-INTERVAL", "X-PUBLISHED-TTL", "DURATION", "TRIGGER")
NOW_WINDOW = dt.timedelta(minutes=1)


def _items(calendar: Component) -> list[Component]:
    return [c for c in calendar.children if c.name in ITEMS]


def times(calendar: Component) -> Iterator[Found]:
    """Floating date-times in events; TZIDs without a VTIMEZONE."""
    hint = calendar.first("X-WR-TIMEZONE")
    for item in _items(calendar):
        for line in item.lines:
            if line.name not in WHEN or line.param("VALUE") in ("DATE", "PERIOD"):
                continue
            values = line.value.split(",")
            if line.param("TZID") is None and any("T" in v and not v.endswith("Z") for v in values):
                also = f" (X-WR-TIMEZONE:{hint.value} is only a hint)" if hint else ""
                yield "floating-time", line.number, f"{line.name}:{line.value} floats{also}"
    defined = {line.value.strip() for c in calendar.walk() if c.name == "VTIMEZONE"
               for line in c.all("TZID")}  # fmt: skip
    reported: set[str] = set()
    for component in calendar.walk():
        for line in component.lines:
            tzid = line.param("TZID")
            if tzid is not None and tzid not in defined and tzid not in reported:
                reported.add(tzid)
                yield "missing-vtimezone", line.number, f"TZID={tzid} has no VTIMEZONE"


def _recurrence_key(line: Line | None) -> str:
    if line is None:
        return ""
    when = moment(line.value, line.param("TZID"))
    if isinstance(when, dt.datetime) and when.tzinfo is not None:
        return when.astimezone(dt.UTC).isoformat()
    return f"{line.param('TZID') or ''}:{line.value.strip()}"


def uids(calendar: Component) -> Iterator[Found]:
    """Components without UID, and two with one UID and one RECURRENCE-ID."""
    seen: dict[tuple[str, str], int] = {}
    for item in _items(calendar):
        uid = item.first("UID")
        if uid is None:
            yield "uid-not-unique", item.number, f"this {item.name} has no UID"
            continue
        key = (uid.value, _recurrence_key(item.first("RECURRENCE-ID")))
        if key in seen:
            which = f" and RECURRENCE-ID {key[1]}" if key[1] else " and no RECURRENCE-ID"
            message = f"UID {uid.value}{which} already on line {seen[key]}"
            yield "uid-not-unique", uid.number, message
        else:
            seen[key] = uid.number


def stamps(calendar: Component, now: dt.datetime) -> Iterator[Found]:
    """Every DTSTAMP within a minute of ``now``: the stamps are the download time."""
    lines = [line for item in _items(calendar) for line in item.all("DTSTAMP")]
    when = [moment(line.value, None) for line in lines]
    aware = [w for w in when if isinstance(w, dt.datetime) and w.tzinfo is not None]
    if lines and len(aware) == len(lines) and all(abs(w - now) <= NOW_WINDOW for w in aware):
        shown = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        message = f"all {len(lines)} DTSTAMPs are within a minute of now ({shown})"
        yield "dtstamp-now", lines[0].number, message


def texts(calendar: Component) -> Iterator[Found]:
    """More than one SUMMARY, DESCRIPTION or LOCATION in a component."""
    for item in _items(calendar):
        for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            found = item.all(name)
            for line in found[1:]:
                language = line.param("LANGUAGE")
                also = f" (LANGUAGE={language})" if language else ""
                message = f"a second {name}{also}, after line {found[0].number}"
                yield "repeated-text", line.number, message


def durations(calendar: Component) -> Iterator[Found]:
    """Malformed durations, often P1H for PT1H."""
    for component in calendar.walk():
        for line in component.lines:
            if line.name not in DURATIONS or line.param("VALUE") == "DATE-TIME":
                continue
            if not duration_ok(line.value):
                value = line.value.strip()
                meant = re.sub(r"^([+-]?P(?:\d+D)?)(?=\d+[HMS])", r"\1T", value.upper())
                hint = f" (meant {meant}?)" if meant != value.upper() and duration_ok(meant) else ""
                yield (
                    "duration-needs-t",
                    line.number,
                    f"{line.name}:{value} is not a duration{hint}",
                )


def rules(calendar: Component) -> Iterator[Found]:
    """RDATE beside RRULE; RRULE parts Outlook misreads."""
    for item in _items(calendar):
        rrules, rdates = item.all("RRULE"), item.all("RDATE")
        if rrules and rdates:
            message = f"RDATE beside the RRULE of line {rrules[0].number}"
            yield "rdate-with-rrule", rdates[0].number, message
        for line in rrules:
            parts = dict(p.partition("=")[::2] for p in line.value.upper().split(";"))
            if "BYSETPOS" in parts or ("BYMONTHDAY" in parts and "BYDAY" in parts):
                yield "rrule-outlook", line.number, f"RRULE:{line.value}"


def method(calendar: Component) -> Iterator[Found]:
    """METHOD:PUBLISH with events that have no ORGANIZER; alarms anywhere."""
    declared = calendar.first("METHOD")
    if declared is not None and declared.value.strip().upper() == "PUBLISH":
        for item in _items(calendar):
            if item.name == "VEVENT" and item.first("ORGANIZER") is None:
                uid = item.first("UID")
                message = f"METHOD:PUBLISH (line {declared.number}) and no ORGANIZER in " + (
                    uid.value if uid else "this VEVENT"
                )
                yield "publish-without-organizer", item.number, message
    for component in calendar.walk():
        if component.name == "VALARM":
            yield "alarm-in-feed", component.number, "a VALARM in a published calendar"
