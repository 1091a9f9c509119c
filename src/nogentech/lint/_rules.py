"""The rules of ``nogentech lint``: what each one finds, whom it affects, how to fix it.

Each rule comes from a fault seen in real clients (``docs/lint.md`` lists them with
their sources).
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Rule:
    """A check: its id, what it finds, the clients it affects and how to fix it."""

    id: str
    title: str
    clients: tuple[str, ...]
    fix: str


_ALL = (
    Rule(
        "floating-time",
        "a date-time of an event has neither a TZID nor a Z: it floats",
        ("Google Calendar", "Outlook", "every client outside the feed's zone"),
        "give DTSTART, DTEND, RECURRENCE-ID, RDATE and EXDATE a TZID with its VTIMEZONE, "
        "or write them in UTC (…Z); X-WR-TIMEZONE alone is only a hint",
    ),
    Rule(
        "missing-vtimezone",
        "a TZID has no VTIMEZONE in the file",
        ("Outlook", "Google Calendar", "libical (Evolution)"),
        "add a VTIMEZONE for each TZID used, with its STANDARD and DAYLIGHT parts",
    ),
    Rule(
        "uid-not-unique",
        "two components share a UID and a RECURRENCE-ID (or both have none), or one has no UID",
        ("every client: events are duplicated or lost",),
        "give each event its own UID, derived from stable ids; an override keeps its series' "
        "UID and adds the RECURRENCE-ID of the occurrence it replaces",
    ),
    Rule(
        "dtstamp-now",
        "every DTSTAMP is within a minute of now: they are the time of the download",
        ("every subscribed client: each poll looks like a change", "CalDAV servers (ETags)"),
        "set DTSTAMP (and LAST-MODIFIED) to the time the data last changed, not the time "
        "the feed is made",
    ),
    Rule(
        "rdate-with-rrule",
        "an event has both RRULE and RDATE",
        (
            "sabre/vobject (Nextcloud, Baïkal, ownCloud): drops the RRULE",
            "node-ical: drops RDATE",
            "libical's expansion: ignores the TZID of an RDATE",
        ),
        "write each extra date as an event of its own, with a stable UID derived from the "
        "series and the date",
    ),
    Rule(
        "unescaped-text",
        "a text value has a bare comma or semicolon, or a backslash that escapes nothing",
        ("CalDAV servers and parsers that cut the text there (calcurse)", "ical.js", "libical"),
        "in TEXT values write \\\\ for a backslash, \\; \\, for ; and , and \\n for a line "
        "break (the commas between CATEGORIES stay bare)",
    ),
    Rule(
        "line-too-long",
        "a line is longer than 75 octets",
        ("strict parsers", "GNOME (libical)"),
        "fold lines at 75 octets: CR LF and a space, the line then continues",
    ),
    Rule(
        "fold-splits-character",
        "a line is folded inside a UTF-8 character",
        ("Google Calendar (shows ��)", "GNOME (rejects the event)"),
        "fold between characters: count octets, but never cut a multi-octet character",
    ),
    Rule(
        "invalid-utf8",
        "a line is not UTF-8",
        ("Google Calendar (shows ��)", "ical.js", "libical"),
        "write the file in UTF-8",
    ),
    Rule(
        "repeated-text",
        "a component has more than one SUMMARY, DESCRIPTION or LOCATION (one per language)",
        ("Nextcloud (refuses: must not occur more than once)", "Google Calendar", "Outlook"),
        "publish one feed per language, each with one SUMMARY per event",
    ),
    Rule(
        "duration-needs-t",
        "a duration is malformed, often P1H where PT1H is meant",
        ("Nextcloud (refuses P1H)", "Outlook", "ical.js"),
        "hours, minutes and seconds follow a T: PT1H, PT30M, P1DT12H",
    ),
    Rule(
        "override-without-instance",
        "a RECURRENCE-ID matches no occurrence of its series, or the series is missing",
        ("libical (Evolution) and ical.js: the override is lost", "simple consumers: shown twice"),
        "give the override the RECURRENCE-ID of the occurrence's original start, in the "
        "series' zone, and keep it with its series",
    ),
    Rule(
        "publish-without-organizer",
        "METHOD:PUBLISH with an event that has no ORGANIZER (RFC 5546 section 3.2.1)",
        ("libical (Evolution): iTIP warnings on every event",),
        "leave METHOD out of a subscription feed, or give every event an ORGANIZER",
    ),
    Rule(
        "alarm-in-feed",
        "a public feed carries alarms (VALARM)",
        ("most clients remove or ignore them (ICSx5, Google Calendar)",),
        "leave alarms to the subscribers",
    ),
    Rule(
        "rrule-outlook",
        "an RRULE uses BYSETPOS, or BYMONTHDAY with BYDAY",
        ("Outlook",),
        "use a plain rule such as FREQ=MONTHLY;BYDAY=2TH, or list the dates",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}
"""Every rule by its id, in the order ``docs/lint.md`` lists them."""
