"""What libical (the engine of Evolution and GNOME Calendar) reads in an iCalendar file.

Run with the system Python, which has Debian's GObject bindings (``python3-gi`` and
``gir1.2-ical-3.0``); it imports nothing from the project::

    /usr/bin/python3 libical_read.py events FILE FROM TO
    /usr/bin/python3 libical_read.py check FILE

``events`` prints, as JSON, the occurrences starting in ``[FROM, TO)`` (UTC instants
such as ``2024-01-01T00:00:00Z``): each master VEVENT is expanded by libical's own
``icalcomponent_foreach_recurrence`` (RRULE, RDATE, EXDATE, in the VTIMEZONEs of
the file), and an exception with the same UID and a RECURRENCE-ID at an
occurrence's start replaces it, as Evolution's detached instances do. ``orphans``
lists the exceptions that replace no occurrence.

``check`` prints the X-LIC-ERROR properties libical adds while parsing, and those of
its iTIP restriction check (``icalcomponent_check_restrictions``), run on the whole
calendar and on each of its components alone (the whole-calendar check stops at the
first component that fails).
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

UTC_ZONE = ICalGLib.Timezone.get_utc_timezone()
KINDS = ICalGLib.ComponentKind
MARGIN = 366 * 24 * 3600
"""How far outside the window a series is expanded, to catch exceptions moved into it."""


def parse(path: str) -> ICalGLib.Component:
    with open(path, encoding="utf-8") as stream:
        return ICalGLib.Component.new_from_string(stream.read())


def children(component: ICalGLib.Component, kind: ICalGLib.ComponentKind) -> list[object]:
    found = []
    child = component.get_first_component(kind)
    while child is not None:
        found.append(child)
        child = component.get_next_component(kind)
    return found


def stamp(time: ICalGLib.Time) -> int:
    """The UTC instant of a DATE-TIME, in seconds; a DATE counts as midnight UTC."""
    zone = time.get_timezone()
    return int(ICalGLib.Time.as_timet_with_zone(time, zone if zone is not None else UTC_ZONE))


def utc_text(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_text(time: ICalGLib.Time) -> str:
    return f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"


def text(component: ICalGLib.Component, kind: ICalGLib.PropertyKind) -> str | None:
    prop = component.get_first_property(kind)
    if prop is None:
        return None
    if kind == ICalGLib.PropertyKind.STATUS_PROPERTY:
        return str(prop.get_value_as_string())
    value = prop.get_value()
    return str(value.get_text())


def occurrence(component: ICalGLib.Component, start: object, end: object) -> dict[str, object]:
    all_day = isinstance(start, ICalGLib.Time)
    kinds = ICalGLib.PropertyKind
    return {
        "uid": component.get_uid(),
        "start": date_text(start) if all_day else utc_text(start),  # type: ignore[arg-type]
        "end": date_text(end) if all_day else utc_text(end),  # type: ignore[arg-type]
        "allDay": all_day,
        "summary": text(component, kinds.SUMMARY_PROPERTY),
        "description": text(component, kinds.DESCRIPTION_PROPERTY),
        "location": text(component, kinds.LOCATION_PROPERTY),
        "status": text(component, kinds.STATUS_PROPERTY),
    }


def events(path: str, start_text: str, end_text: str) -> dict[str, object]:
    calendar = parse(path)
    lo = int(dt.datetime.fromisoformat(start_text.replace("Z", "+00:00")).timestamp())
    hi = int(dt.datetime.fromisoformat(end_text.replace("Z", "+00:00")).timestamp())
    masters = []
    exceptions: dict[tuple[str, int], ICalGLib.Component] = {}
    for vevent in children(calendar, KINDS.VEVENT_COMPONENT):
        prop = vevent.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY)
        if prop is None:
            masters.append(vevent)
            continue
        # libical leaves the TZID of a RECURRENCE-ID to its reader: found in the file
        recurrence = prop.get_recurrenceid()
        tzid = prop.get_parameter_as_string("TZID")
        if tzid is not None:
            recurrence.set_timezone(calendar.get_timezone(tzid))
        exceptions[(vevent.get_uid(), stamp(recurrence))] = vevent
    out: list[dict[str, object]] = []
    used: set[tuple[str, int]] = set()
    for master in masters:
        start, end = master.get_dtstart(), master.get_dtend()
        if start.is_date():
            if lo <= stamp(start) < hi:
                out.append(occurrence(master, start, end))
            continue
        spans: list[tuple[int, int]] = []

        def found(_component: object, span: ICalGLib.TimeSpan, _data: object) -> None:
            spans.append((span.get_start(), span.get_end()))  # noqa: B023 - called right here

        master.foreach_recurrence(
            ICalGLib.Time.new_from_timet_with_zone(lo - MARGIN, False, UTC_ZONE),
            ICalGLib.Time.new_from_timet_with_zone(hi + MARGIN, False, UTC_ZONE),
            found,
            None,
        )
        for begin, finish in sorted(set(spans)):
            key = (master.get_uid(), begin)
            item = exceptions.get(key)
            if item is not None:
                used.add(key)
                begin, finish = stamp(item.get_dtstart()), stamp(item.get_dtend())
            if lo <= begin < hi:
                out.append(occurrence(item or master, begin, finish))
    orphans = [f"{uid} {utc_text(when)}" for uid, when in exceptions if (uid, when) not in used]
    return {"occurrences": out, "orphans": sorted(orphans)}


def errors(component: ICalGLib.Component) -> list[str]:
    """The X-LIC-ERROR properties of ``component`` and of all its subcomponents."""
    kind = ICalGLib.PropertyKind.XLICERROR_PROPERTY
    out = []
    prop = component.get_first_property(kind)
    while prop is not None:
        out.append(" ".join(prop.as_ical_string().replace("\r\n ", "").split()))
        prop = component.get_next_property(kind)
    for child in children(component, KINDS.ANY_COMPONENT):
        out.extend(errors(child))  # type: ignore[arg-type]
    return out


def check(path: str) -> dict[str, object]:
    parsed = errors(parse(path))
    whole = parse(path)
    whole.check_restrictions()
    each = []
    for child in children(parse(path), KINDS.ANY_COMPONENT):
        alone = parse(path)
        for other in children(alone, KINDS.ANY_COMPONENT):
            alone.remove_component(other)
        alone.add_component(child.clone())  # type: ignore[attr-defined]
        alone.check_restrictions()
        each.extend(errors(alone))
    return {"parse": parsed, "restrictions": errors(whole), "each": each}


def main(argv: list[str]) -> None:
    if argv[:1] == ["events"] and len(argv) == 4:
        result = events(*argv[1:])
    elif argv[:1] == ["check"] and len(argv) == 2:
        result = check(argv[1])
    else:
        raise SystemExit(__doc__)
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
