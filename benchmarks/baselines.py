"""What a competent user writes without nogentech, and the limit, for each benchmark task.

Two kinds of reference for every task of ``run.py``:

* **baseline**: a plain script doing the same job with the libraries directly
  (icalendar, vobject, python-dateutil, cattrs), written with care: look-up tables
  built once, parsed rules and time zone definitions kept in module-level caches
  (empty in a fresh process, filled after one call, as nogentech's are);
* **limit**: the least work that gives a correct result: plain string writing with
  RFC 5545 / RFC 6350 escaping and folding for the exports, bare dateutil
  arithmetic for the expansions, the parser alone (``json.loads``,
  ``tomllib.loads``) or the serialiser alone (``json.dumps``) for the JSON tasks.

Both reference writers emit the same properties as nogentech's output; they are
not byte-identical to it (property order, time zone definitions), and need not be.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.UTC
LANG = "fr"

# -- JSON: cattrs' preconf JSON converter with minimal hooks --------------------------------

_converter: list[Any] = []


def baseline_json_converter() -> Any:
    """A hand-written ``cattrs.preconf.json`` converter for the same classes.

    Only the value types JSON has no form for get hooks (text, partial dates, times,
    durations); everything else is cattrs' defaults, with fields left at their
    default omitted so the documents are the same size as nogentech's.
    """
    from cattrs.preconf.json import make_converter

    from nogentech import PartialDate, Text
    from nogentech.converters import format_duration, parse_duration

    conv = make_converter(omit_if_default=True, forbid_extra_keys=True)
    conv.register_structure_hook(Text, lambda v, _: Text(fr=v) if isinstance(v, str) else Text(**v))
    conv.register_unstructure_hook(
        Text, lambda t: {k: v for k, v in (("fr", t.fr), ("en", t.en)) if v is not None}
    )
    conv.register_structure_hook(PartialDate, lambda v, _: PartialDate.parse(str(v)))
    conv.register_unstructure_hook(PartialDate, PartialDate.isoformat)
    conv.register_structure_hook(dt.time, lambda v, _: dt.time.fromisoformat(v))
    conv.register_unstructure_hook(dt.time, lambda t: t.strftime("%H:%M"))
    conv.register_structure_hook(dt.timedelta, lambda v, _: parse_duration(v))
    conv.register_unstructure_hook(dt.timedelta, format_duration)
    return conv


def converter() -> Any:
    """The baseline converter, built on first use and kept (as nogentech keeps its own)."""
    if not _converter:
        _converter.append(baseline_json_converter())
    return _converter[0]


def json_dump_baseline(cluster: Any) -> str:
    return str(converter().dumps(cluster, ensure_ascii=False, indent=2)) + "\n"


def json_load_baseline(text: str) -> Any:
    import json

    from nogentech import Cluster

    raw = json.loads(text)
    raw.pop("schema_version", None)
    return converter().structure(raw, Cluster)


def toml_load_baseline(text: str) -> Any:
    import tomllib

    from nogentech import Cluster

    raw = tomllib.loads(text)
    raw.pop("schema_version", None)
    return converter().structure(raw, Cluster)


# -- text escaping and folding (the limit writers) --------------------------------------


_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


def escape(text: str) -> str:
    """A TEXT value of RFC 5545 / RFC 6350: backslash, semicolon, comma and newline escaped."""
    return text.translate(_ESCAPES)


def fold(line: str) -> str:
    """One content line folded at 75 octets (never inside a UTF-8 character), with CRLF."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts = []
    start, width = 0, 75
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, width = end, 74
    return "\r\n ".join(parts) + "\r\n"


# -- vCard ---------------------------------------------------------------------------------


def vcard_baseline(cluster: Any, lang: str = "fr") -> bytes:
    """One vCard 3.0 per organisation, built and serialised with vobject directly.

    The same properties as nogentech's organisation cards: VERSION, PRODID, UID (a
    name-based UUID), REV, FN, N, X-ABShowAs, ORG, one ADR per place (commune,
    département, country), CATEGORIES (sectors, then sub-clusters), NOTE, URL,
    EMAIL and TEL. Look-ups go through dictionaries built once.
    """
    import uuid

    import vobject

    namespace = uuid.UUID("066c1aa3-c0e6-4e5b-bc36-013d266c4b70")
    places = {p.id: p for p in cluster.places}
    sectors = {s.id: s.name.get(lang) for s in cluster.sectors}
    groups: dict[str, list[str]] = {}
    for sub in cluster.sub_clusters:
        for member in sub.members:
            groups.setdefault(member, []).append(sub.name)
    rev = cluster.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    levels = {"commune": "city", "departement": "region", "region": "region", "country": "country"}

    def address(ident: str) -> dict[str, str]:
        fields: dict[str, str] = {}
        place = places[ident]
        while True:
            if place.address and "street" not in fields:
                fields["street"] = place.address
            key = levels.get(place.kind)
            if key and key not in fields:
                fields[key] = place.name.get(lang)
            if place.within is None:
                return fields
            place = places[place.within]

    out = []
    for company in cluster.companies:
        card = vobject.vCard()
        card.add("version").value = "3.0"
        card.add("prodid").value = "-//baseline//vobject//EN"
        card.add("uid").value = f"urn:uuid:{uuid.uuid5(namespace, f'{cluster.id}/{company.id}')}"
        card.add("rev").value = rev
        card.add("fn").value = company.name
        card.add("n").value = vobject.vcard.Name()
        card.add("x-abshowas").value = "COMPANY"
        card.add("org").value = [company.name]
        for place in company.places:
            line = card.add("adr")
            line.value = vobject.vcard.Address(**address(place))
            line.type_param = "work"
        categories = [sectors[s] for s in company.sectors] + groups.get(company.id, [])
        if categories:
            card.add("categories").value = categories
        if company.description is not None:
            card.add("note").value = company.description.get(lang)
        if company.website:
            card.add("url").value = company.website
        if company.email:
            line = card.add("email")
            line.value = company.email
            line.type_paramlist = ["internet", "work"]
        if company.phone:
            line = card.add("tel")
            line.value = company.phone
            line.type_param = "work"
        out.append(card.serialize())
    return "".join(out).encode("utf-8")


def vcard_limit(cluster: Any, lang: str = "fr") -> bytes:
    """The cards of :func:`vcard_baseline`, written as strings with escaping and folding."""
    namespace = uuid.UUID("066c1aa3-c0e6-4e5b-bc36-013d266c4b70")
    places = {p.id: p for p in cluster.places}
    sectors = {s.id: s.name.get(lang) for s in cluster.sectors}
    groups: dict[str, list[str]] = {}
    for sub in cluster.sub_clusters:
        for member in sub.members:
            groups.setdefault(member, []).append(sub.name)
    rev = cluster.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    levels = {"commune": 3, "departement": 4, "region": 4, "country": 6}
    addresses: dict[str, str] = {}

    def address(ident: str) -> str:
        if ident in addresses:
            return addresses[ident]
        fields = [""] * 7
        place = places[ident]
        while True:
            if place.address and not fields[2]:
                fields[2] = escape(place.address)
            slot = levels.get(place.kind)
            if slot and not fields[slot]:
                fields[slot] = escape(place.name.get(lang))
            if place.within is None:
                break
            place = places[place.within]
        addresses[ident] = line = fold("ADR;TYPE=work:" + ";".join(fields))
        return line

    out = []
    head = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//limit//strings//EN\r\n"
    for company in cluster.companies:
        name = escape(company.name)
        card = [
            head,
            f"UID:urn:uuid:{uuid.uuid5(namespace, f'{cluster.id}/{company.id}')}\r\n",
            f"REV:{rev}\r\n",
            fold("FN:" + name),
            "N:;;;;\r\n",
            "X-ABSHOWAS:COMPANY\r\n",
            fold("ORG:" + name),
        ]
        card.extend(address(place) for place in company.places)
        categories = [sectors[s] for s in company.sectors] + groups.get(company.id, [])
        if categories:
            card.append(fold("CATEGORIES:" + ",".join(escape(c) for c in categories)))
        if company.description is not None:
            card.append(fold("NOTE:" + escape(company.description.get(lang))))
        if company.website:
            card.append(fold("URL:" + company.website))
        if company.email:
            card.append(fold("EMAIL;TYPE=internet,work:" + company.email))
        if company.phone:
            card.append(fold("TEL;TYPE=work:" + escape(company.phone)))
        card.append("END:VCARD\r\n")
        out.append("".join(card))
    return "".join(out).encode("utf-8")


# -- iCalendar: the properties of each VEVENT, then two writers ------------------------------

Prop = tuple[str, Any, dict[str, str]]
"""A property: name, typed value (text, datetime, date, list of text, int, tagged), params."""

_rules: dict[tuple[str, dt.date, dt.time, str], Any] = {}
"""Parsed rules by their values, kept across calls (dateutil's occurrence cache on)."""


def _until_utc(rule: str) -> str:
    return re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T225959Z", rule)


def kept_rule(series: Any) -> Any:
    """The series' rule parsed by dateutil once and kept, as a careful script would."""
    key = (series.rule, series.first_date, series.start_time, series.timezone)
    rule = _rules.get(key)
    if rule is None:
        from dateutil.rrule import rrulestr

        tz = ZoneInfo(series.timezone)
        first = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
        rule = _rules[key] = rrulestr(_until_utc(series.rule), dtstart=first, cache=True)
    return rule


class _Labels:
    """Look-up tables of the labels the feed writes, built once per call."""

    def __init__(self, cluster: Any, lang: str) -> None:
        labels: dict[str, str] = {p.id: p.name.get(lang) for p in cluster.places}
        labels.update({c.id: c.name for c in cluster.companies})
        self.emails = {c.id: c.email for c in cluster.companies if c.email}
        for person in cluster.people:
            jobs = [labels[r.of] for r in person.roles if r.kind == "employee" and r.of]
            labels[person.id] = f"{person.name} ({', '.join(jobs)})" if jobs else person.name
        self.labels = labels
        self.communes = {
            p.id: labels[p.within] for p in cluster.places if p.kind == "venue" and p.within
        }
        self.sectors = {s.id: s.name.get(lang) for s in cluster.sectors}
        self.subs = {s.id: s.name for s in cluster.sub_clusters}
        self.lang = lang
        self.updated = cluster.updated
        self.cluster_id = cluster.id

    def location(self, venue: str | None) -> str | None:
        if venue is None:
            return None
        if venue in self.communes:
            return f"{self.labels[venue]}, {self.communes[venue]}"
        return self.labels[venue]


_FALLBACK = dt.datetime(2000, 1, 1, tzinfo=UTC)


def _texts(series: Any, o: Any, day: dt.date, cancelled: Iterable[dt.date]) -> dict[str, Any]:
    return {
        "topic": o and o.topic,
        "description": (o and o.description) or series.description,
        "speakers": o.speakers if o else (),
        "venue": (o and o.venue) or series.venue,
        "cancelled": day in cancelled or bool(o and o.cancelled),
        "sequence": max(series.sequence, o.sequence if o else 0),
        "updated": max((u for u in (series.updated, o and o.updated) if u), default=None),
    }


def _props(
    t: _Labels, uid: str, item: Any, when: tuple[Any, Any], texts: dict[str, Any]
) -> list[Prop]:
    lang = t.lang
    stamp = texts["updated"] or t.updated
    props: list[Prop] = [
        ("UID", uid, {}),
        ("DTSTAMP", (stamp or _FALLBACK).astimezone(UTC), {}),
    ]
    if stamp:
        props.append(("LAST-MODIFIED", stamp.astimezone(UTC), {}))
    props.append(("DTSTART", when[0], {}))
    props.append(("DTEND", when[1], {}))
    summary = (texts["topic"] or item.name).get(lang)
    props.append(("SUMMARY", ("Annulé : " + summary) if texts["cancelled"] else summary, {}))
    lines = [item.name.get(lang), texts["topic"].get(lang)] if texts["topic"] else []
    if texts["description"]:
        lines.append(texts["description"].get(lang))
    if texts["speakers"]:
        names = ", ".join(t.labels[i] for i in texts["speakers"])
        lines.append(("Intervenants : " if lang == "fr" else "Speakers: ") + names)
    place = t.location(texts["venue"])
    if place:
        lines.append("Lieu : " + place)
    if lines:
        props.append(("DESCRIPTION", "\n".join(lines), {}))
    if place:
        props.append(("LOCATION", place, {}))
    cats = [t.sectors[s] for s in item.sectors] + [t.subs[s] for s in item.sub_clusters]
    if cats:
        props.append(("CATEGORIES", cats, {}))
    if item.url:
        props.append(("URL", ("uri", item.url), {}))
    for ident in item.organisers:
        if ident in t.emails:
            props.append(
                ("ORGANIZER", ("cal-address", f"mailto:{t.emails[ident]}"), {"CN": t.labels[ident]})
            )
            break
    props.append(("STATUS", "CANCELLED" if texts["cancelled"] else "CONFIRMED", {}))
    props.append(("SEQUENCE", texts["sequence"], {}))
    return props


def _event_props(
    t: _Labels, event: Any, start: dt.date, end: dt.date
) -> tuple[dt.datetime, list[Prop]] | None:
    tz = ZoneInfo(event.timezone)
    if event.start_time is None:
        when: tuple[Any, Any] = (event.date, (event.end_date or event.date) + dt.timedelta(days=1))
        begin = dt.datetime.combine(event.date, dt.time(0), tzinfo=tz)
    else:
        begin = dt.datetime.combine(event.date, event.start_time, tzinfo=tz)
        when = (begin, begin + (event.duration or dt.timedelta(hours=1)))
    if not start <= begin.date() < end:
        return None
    texts = {
        "topic": None,
        "description": event.description,
        "speakers": event.speakers,
        "venue": event.venue or event.place,
        "cancelled": event.cancelled,
        "sequence": event.sequence,
        "updated": event.updated,
    }
    return begin, _props(t, f"{event.id}@{t.cluster_id}", event, when, texts)


def expanded_events(
    cluster: Any, start: dt.date, end: dt.date, lang: str = LANG
) -> list[list[Prop]]:
    """One VEVENT per occurrence and event starting in ``[start, end)``, sorted by start."""
    t = _Labels(cluster, lang)
    found: list[tuple[dt.datetime, str, list[Prop]]] = []
    for series in cluster.meeting_series:
        tz = ZoneInfo(series.timezone)
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
        margin = dt.timedelta(days=9)
        rule = kept_rule(series)
        dates = {d.date() for d in rule.between(lo - margin, hi + margin, inc=True)}
        dates.update(d for d in series.extra_dates if start - margin <= d < end + margin)
        overrides = {o.date: o for o in series.overrides}
        cancelled = set(series.cancelled)
        for day in sorted(dates):
            o = overrides.get(day)
            begin = dt.datetime.combine(
                (o and o.moved_to) or day, (o and o.start_time) or series.start_time, tzinfo=tz
            )
            if not lo <= begin < hi:
                continue
            end_at = begin + ((o and o.duration) or series.duration)
            uid = f"{series.id}.{day:%Y%m%d}@{cluster.id}"
            texts = _texts(series, o, day, cancelled)
            found.append((begin, uid, _props(t, uid, series, (begin, end_at), texts)))
    for event in cluster.events:
        timed = _event_props(t, event, start, end)
        if timed is not None:
            found.append((timed[0], f"{event.id}@{cluster.id}", timed[1]))
    found.sort(key=lambda f: (f[0].astimezone(UTC), f[1]))
    return [props for _, _, props in found]


def master_events(cluster: Any, lang: str = LANG) -> list[list[Prop]]:
    """The feed without expansion: per series a master VEVENT with RRULE (and RDATE for
    extra dates), then one VEVENT with RECURRENCE-ID per override or cancelled date;
    one VEVENT per one-off event."""
    t = _Labels(cluster, lang)
    out: list[list[Prop]] = []
    for series in cluster.meeting_series:
        tz = ZoneInfo(series.timezone)
        first = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
        uid = f"{series.id}@{cluster.id}"
        texts = _texts(series, None, series.first_date, ())
        texts["cancelled"] = False
        props = _props(t, uid, series, (first, first + series.duration), texts)
        props.insert(5, ("RRULE", ("recur", series.rule), {}))
        if series.extra_dates:
            rdates = [
                dt.datetime.combine(d, series.start_time, tzinfo=tz) for d in series.extra_dates
            ]
            props.insert(6, ("RDATE", rdates, {}))
        out.append(props)
        overrides = {o.date: o for o in series.overrides}
        cancelled = set(series.cancelled)
        for day in sorted(set(overrides) | cancelled):
            o = overrides.get(day)
            begin = dt.datetime.combine(
                (o and o.moved_to) or day, (o and o.start_time) or series.start_time, tzinfo=tz
            )
            end_at = begin + ((o and o.duration) or series.duration)
            props = _props(t, uid, series, (begin, end_at), _texts(series, o, day, cancelled))
            recurrence = dt.datetime.combine(day, series.start_time, tzinfo=tz)
            props.insert(2, ("RECURRENCE-ID", recurrence, {}))
            out.append(props)
    for event in cluster.events:
        timed = _event_props(t, event, dt.date.min, dt.date.max)
        if timed is not None:
            out.append(timed[1])
    return out


def _zones(cluster: Any) -> list[str]:
    return sorted(
        {cluster.timezone}
        | {s.timezone for s in cluster.meeting_series}
        | {e.timezone for e in cluster.events}
    )


def _span(cluster: Any, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The dates the time zone definitions must cover."""
    if start is None or end is None:
        firsts = [s.first_date for s in cluster.meeting_series] + [e.date for e in cluster.events]
        first = min(firsts, default=dt.date(2020, 1, 1))
        return first, max(firsts, default=first) + dt.timedelta(days=3653)
    return start, end


# -- the icalendar writer (baseline) ------------------------------------------------------

_vtimezones: dict[tuple[str, dt.date, dt.date], Any] = {}


def ics_baseline(
    cluster: Any, start: dt.date | None = None, end: dt.date | None = None, lang: str = LANG
) -> bytes:
    """The feed built with icalendar: ``expanded_events`` when a window is given, else
    ``master_events``; one ``Timezone.from_tzid`` per zone (kept across calls)."""
    from icalendar import Calendar, Event, vCalAddress, vRecur, vUri

    events = (
        master_events(cluster, lang)
        if start is None
        else expanded_events(cluster, start, end, lang)
    )  # type: ignore[arg-type]
    calendar = Calendar()
    calendar.add("prodid", "-//baseline//icalendar//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", cluster.name)
    lo, hi = _span(cluster, start, end)
    for name in _zones(cluster):
        key = (name, lo, hi)
        if key not in _vtimezones:
            from icalendar import Timezone

            _vtimezones[key] = Timezone.from_tzid(name, first_date=lo, last_date=hi)
        calendar.add_component(_vtimezones[key])
    for props in events:
        event = Event()
        for name, value, params in props:
            if isinstance(value, tuple):
                kind, text = value
                if kind == "recur":
                    value = vRecur.from_ical(_until_utc(text))
                elif kind == "uri":
                    value = vUri(text)
                else:
                    value = vCalAddress(text)
                    value.params.update(params)
                    params = {}
            event.add(name, value, parameters=params or None)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


# -- the string writer (limit) ---------------------------------------------------------------

_tz_text: dict[tuple[str, dt.date, dt.date], str] = {}


def _offset(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}{rest // 60:02d}"


def vtimezone_text(name: str, lo: dt.date, hi: dt.date) -> str:
    """A VTIMEZONE with one explicit sub-component per transition in ``[lo, hi]``."""
    tz = ZoneInfo(name)
    step = 86_400
    t0 = int(dt.datetime.combine(lo, dt.time(0), tzinfo=UTC).timestamp())
    t1 = int(dt.datetime.combine(hi, dt.time(0), tzinfo=UTC).timestamp())

    def at(ts: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, tz)

    lines = [f"BEGIN:VTIMEZONE\r\nTZID:{name}\r\n"]
    before = at(t0)
    first = before
    found = 0
    ts = t0
    while ts < t1:
        nxt = at(ts + step)
        if nxt.utcoffset() != before.utcoffset():
            a, b = ts, ts + step
            while b - a > 1:
                mid = (a + b) // 2
                if at(mid).utcoffset() == before.utcoffset():
                    a = mid
                else:
                    b = mid
            after = at(b)
            kind = "DAYLIGHT" if after.dst() else "STANDARD"
            wall = after.astimezone(UTC).replace(tzinfo=None) + before.utcoffset()  # type: ignore[operator]
            lines.append(
                f"BEGIN:{kind}\r\nDTSTART:{wall:%Y%m%dT%H%M%S}\r\n"
                f"TZOFFSETFROM:{_offset(before.utcoffset())}\r\n"  # type: ignore[arg-type]
                f"TZOFFSETTO:{_offset(after.utcoffset())}\r\n"  # type: ignore[arg-type]
                f"TZNAME:{escape(after.tzname() or name)}\r\nEND:{kind}\r\n"
            )
            found += 1
            before = after
        ts += step
    if not found:
        offset = _offset(first.utcoffset())  # type: ignore[arg-type]
        lines.append(
            f"BEGIN:STANDARD\r\nDTSTART:{lo:%Y%m%d}T000000\r\nTZOFFSETFROM:{offset}\r\n"
            f"TZOFFSETTO:{offset}\r\nTZNAME:{escape(first.tzname() or name)}\r\nEND:STANDARD\r\n"
        )
    lines.append("END:VTIMEZONE\r\n")
    return "".join(lines)


def _value(value: Any, params: dict[str, str]) -> str:
    if isinstance(value, str):
        return ":" + escape(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is UTC:
            return f":{value:%Y%m%dT%H%M%S}Z"
        return f";TZID={value.tzinfo}:{value:%Y%m%dT%H%M%S}"
    if isinstance(value, dt.date):
        return f";VALUE=DATE:{value:%Y%m%d}"
    if isinstance(value, int):
        return f":{value}"
    if isinstance(value, tuple):
        kind, text = value
        if kind == "recur":
            return ":" + _until_utc(text)
        if kind == "cal-address":
            cn = params.get("CN", "").replace('"', "'")
            return f';CN="{cn}":{text}'
        return ":" + text
    if value and isinstance(value[0], dt.datetime):
        return f";TZID={value[0].tzinfo}:" + ",".join(f"{v:%Y%m%dT%H%M%S}" for v in value)
    return ":" + ",".join(escape(v) for v in value)


def ics_limit(
    cluster: Any, start: dt.date | None = None, end: dt.date | None = None, lang: str = LANG
) -> bytes:
    """The VEVENTs of :func:`ics_baseline` written as strings with escaping and folding."""
    events = (
        master_events(cluster, lang)
        if start is None
        else expanded_events(cluster, start, end, lang)
    )  # type: ignore[arg-type]
    out = [
        "BEGIN:VCALENDAR\r\nPRODID:-//limit//strings//FR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n",
        fold("X-WR-CALNAME:" + escape(cluster.name)),
    ]
    lo, hi = _span(cluster, start, end)
    for name in _zones(cluster):
        key = (name, lo, hi)
        if key not in _tz_text:
            _tz_text[key] = vtimezone_text(name, lo, hi)
        out.append(_tz_text[key])
    for props in events:
        out.append("BEGIN:VEVENT\r\n")
        out.extend(fold(name + _value(value, params)) for name, value, params in props)
        out.append("END:VEVENT\r\n")
    out.append("END:VCALENDAR\r\n")
    return "".join(out).encode("utf-8")


# -- expansion ------------------------------------------------------------------------------


def expand_baseline(series_list: Iterable[Any], start: dt.date, end: dt.date) -> int:
    """Occurrences with overrides, moves and cancellations applied: (start, end, title,
    topic, cancelled) per occurrence, from dateutil on kept rules."""
    count = 0
    for series in series_list:
        tz = ZoneInfo(series.timezone)
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
        margin = dt.timedelta(days=9)
        dates = {d.date() for d in kept_rule(series).between(lo - margin, hi + margin, inc=True)}
        dates.update(series.extra_dates)
        overrides = {o.date: o for o in series.overrides}
        cancelled = set(series.cancelled)
        found = []
        for day in sorted(dates):
            o = overrides.get(day)
            begin = dt.datetime.combine(
                (o and o.moved_to) or day, (o and o.start_time) or series.start_time, tzinfo=tz
            )
            if not lo <= begin < hi:
                continue
            finish = begin + ((o and o.duration) or series.duration)
            found.append((begin, finish, series.name, o and o.topic, day in cancelled))
        count += len(found)
    return count


def expand_limit(series_list: Iterable[Any], start: dt.date, end: dt.date) -> int:
    """The bare datetimes dateutil gives for each kept rule in the window."""
    count = 0
    for series in series_list:
        tz = ZoneInfo(series.timezone)
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
        count += len(kept_rule(series).between(lo, hi, inc=True))
    return count
