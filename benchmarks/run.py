"""Benchmarks of nogentech, each against a plain baseline measured in the same run.

    python benchmarks/run.py                  # full sizes (a few minutes on 2 cores)
    python benchmarks/run.py --quick          # small sizes, fewer rounds (under a minute)
    python benchmarks/run.py --only json,ics  # some benchmarks only
    python benchmarks/run.py --json out.json  # also write the results as JSON
    python benchmarks/run.py --profile ics    # cProfile of nogentech's side of a benchmark

Every figure is the median of several rounds after a warm-up; nogentech and its
baseline alternate within each round so that both see the same machine state. The
ratio is nogentech ÷ baseline (lower is better) and is compared with the goal. A
benchmark whose part of nogentech is not there (an exporter not registered, no
built-in data) is reported as ``unavailable``; one that fails as ``error``.
See ``benchmarks/README.md`` for what each baseline does.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

PYTHON = sys.executable
UTC = dt.UTC
NEXT_AFTER = "2025-01-01T00:00+01:00"
"""Fixed ``--after`` of ``nogentech next``, so that every run does the same work."""
LIBRARIES = (
    "nogentech",
    "attrs",
    "cattrs",
    "pluggy",
    "icalendar",
    "vobject",
    "python-dateutil",
    "holidays",
)


class Unavailable(Exception):
    """The part of nogentech this benchmark needs is not there (yet)."""


@dataclass(frozen=True)
class Sizes:
    """Sizes and rounds of one run."""

    rounds: int
    process_rounds: int
    budget: float
    """Seconds one benchmark may take; rounds are cut (to no fewer than 3) to fit."""
    json_companies: int
    json_series: int
    ics_occurrences: int
    vcard_organisations: int
    monthly_years: int
    many_series: int
    many_years: int
    server_rounds: int
    server_requests: int


FULL = Sizes(7, 20, 150.0, 10_000, 1_000, 10_000, 10_000, 100, 1_000, 10, 5, 500)
QUICK = Sizes(3, 5, 8.0, 2_000, 200, 2_000, 1_000, 100, 200, 10, 2, 100)


@dataclass
class Case:
    """One comparison: nogentech's callable and the baseline's, ready to run."""

    name: str
    size: str
    goal: float | None
    ours: Callable[[], object]
    base: Callable[[], object]
    kind: str = "call"
    """``call`` (timed in this process) or ``process`` (a whole new interpreter)."""
    note: str = ""
    command: Sequence[str] = ()


@dataclass
class Result:
    """The outcome of one benchmark; times in seconds, rates in requests per second."""

    name: str
    size: str = ""
    goal: float | None = None
    ours: float | None = None
    base: float | None = None
    unit: str = "s"
    status: str = ""
    note: str = ""
    rounds: int = 0
    samples_ours: list[float] = field(default_factory=list)
    samples_base: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.base:
            return None
        return self.ours / self.base


# -- timing -----------------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(
    ours: Callable[[], object], base: Callable[[], object], rounds: int, budget: float
) -> tuple[list[float], list[float]]:
    """Samples of both after one warm-up each; the order alternates from round to round."""
    warm = _timed(ours) + _timed(base)
    if warm > 0:
        rounds = max(3, min(rounds, int(budget / warm)))
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        pairs = ((a, ours), (b, base)) if i % 2 == 0 else ((b, base), (a, ours))
        for sink, fn in pairs:
            sink.append(_timed(fn))
    return a, b


def _child_env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return env


def _process(command: Sequence[str], scratch: Path) -> Callable[[], None]:
    """Run ``command`` as a new process; raises with the end of its stderr if it fails.

    Bytecode is cached under ``scratch`` (``PYTHONPYCACHEPREFIX``), written by the
    warm-up run, so that nogentech's modules are not compiled again in every round
    (an installed package has its bytecode; an editable checkout with
    ``PYTHONDONTWRITEBYTECODE`` set would not), and the source tree stays clean.
    """
    env = _child_env(scratch)

    def run() -> None:
        done = subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{' '.join(command[1:])} exited {done.returncode}: {tail}")

    return run


# -- JSON baseline: cattrs' preconf JSON converter with minimal hooks ---------------------


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


def bench_json(sizes: Sizes) -> list[Case]:
    import nogentech

    data = synthetic.generate(sizes.json_companies, sizes.json_series, seed=1)
    cluster = nogentech.from_dict(data)
    text = nogentech.dumps(cluster)
    conv = baseline_json_converter()
    from nogentech import Cluster

    def base_dump() -> str:
        return str(conv.dumps(cluster, ensure_ascii=False, indent=2)) + "\n"

    def base_load() -> Any:
        raw = json.loads(text)
        raw.pop("schema_version", None)
        return conv.structure(raw, Cluster)

    if base_load() != cluster:
        raise RuntimeError("the baseline converter does not read nogentech's JSON back equal")
    size = f"{sizes.json_companies:,} companies, {len(text) / 1e6:.1f} MB"
    return [
        Case("JSON dump", size, 1.2, lambda: nogentech.dumps(cluster), base_dump),
        Case("JSON load", size, 1.2, lambda: nogentech.loads(text), base_load),
    ]


# -- iCalendar baseline: the same events, built with icalendar directly ---------------------


def _until_utc(rule: str) -> str:
    return re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T225959Z", rule)


def ics_baseline(cluster: Any, start: dt.date, end: dt.date, lang: str = "fr") -> bytes:
    """An expanded feed of every occurrence and event starting in ``[start, end)``.

    A plain script: look-up tables of labels, dateutil for the rules, one icalendar
    ``Event`` per occurrence with the same properties as nogentech's feed (UID,
    DTSTAMP, LAST-MODIFIED, DTSTART, DTEND, SUMMARY, DESCRIPTION, LOCATION,
    CATEGORIES, URL, ORGANIZER, STATUS, SEQUENCE) and one VTIMEZONE per zone.
    """
    from dateutil.rrule import rrulestr
    from icalendar import Calendar, Event, Timezone, vCalAddress

    fallback = dt.datetime(2000, 1, 1, tzinfo=UTC)
    labels: dict[str, str] = {p.id: p.name.get(lang) for p in cluster.places}
    labels.update({c.id: c.name for c in cluster.companies})
    emails = {c.id: c.email for c in cluster.companies if c.email}
    for person in cluster.people:
        employers = [labels[r.of] for r in person.roles if r.kind == "employee" and r.of]
        labels[person.id] = f"{person.name} ({', '.join(employers)})" if employers else person.name
    communes = {p.id: labels[p.within] for p in cluster.places if p.kind == "venue" and p.within}
    sectors = {s.id: s.name.get(lang) for s in cluster.sectors}
    subs = {s.id: s.name for s in cluster.sub_clusters}
    title = "Intervenants : " if lang == "fr" else "Speakers: "

    def location(venue: str | None) -> str | None:
        if venue is None:
            return None
        return f"{labels[venue]}, {communes[venue]}" if venue in communes else labels[venue]

    def vevent(uid: str, item: Any, when: tuple[Any, Any], texts: dict[str, Any]) -> Any:
        event = Event()
        event.add("uid", uid)
        stamp = texts["updated"] or cluster.updated
        event.add("dtstamp", (stamp or fallback).astimezone(UTC))
        if stamp:
            event.add("last-modified", stamp.astimezone(UTC))
        event.add("dtstart", when[0])
        event.add("dtend", when[1])
        summary = (texts["topic"] or item.name).get(lang)
        event.add("summary", ("Annulé : " + summary) if texts["cancelled"] else summary)
        lines = [item.name.get(lang), texts["topic"].get(lang)] if texts["topic"] else []
        if texts["description"]:
            lines.append(texts["description"].get(lang))
        if texts["speakers"]:
            lines.append(title + ", ".join(labels[i] for i in texts["speakers"]))
        place = location(texts["venue"])
        if place:
            lines.append("Lieu : " + place)
        if lines:
            event.add("description", "\n".join(lines))
        if place:
            event.add("location", place)
        cats = [sectors[s] for s in item.sectors] + [subs[s] for s in item.sub_clusters]
        if cats:
            event.add("categories", cats)
        if item.url:
            event.add("url", item.url)
        for ident in item.organisers:
            if ident in emails:
                address = vCalAddress(f"mailto:{emails[ident]}")
                address.params["CN"] = labels[ident]
                event.add("organizer", address)
                break
        event.add("status", "CANCELLED" if texts["cancelled"] else "CONFIRMED")
        event.add("sequence", texts["sequence"])
        return event

    calendar = Calendar()
    calendar.add("prodid", "-//baseline//icalendar//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", cluster.name)
    zones = sorted(
        {cluster.timezone}
        | {s.timezone for s in cluster.meeting_series}
        | {e.timezone for e in cluster.events}
    )
    for name in zones:
        calendar.add_component(
            Timezone.from_tzid(name, first_date=start, last_date=end + dt.timedelta(days=3653))
        )
    found: list[tuple[dt.datetime, str, Any]] = []
    for series in cluster.meeting_series:
        tz = ZoneInfo(series.timezone)
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
        first = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
        rule = rrulestr(_until_utc(series.rule), dtstart=first)
        margin = dt.timedelta(days=9)
        dates = {d.date() for d in rule.between(lo - margin, hi + margin, inc=True)}
        dates.update(series.extra_dates)
        overrides = {o.date: o for o in series.overrides}
        cancelled = set(series.cancelled)
        for day in sorted(dates):
            o = overrides.get(day)
            begin = dt.datetime.combine(
                (o and o.moved_to) or day, (o and o.start_time) or series.start_time, tzinfo=tz
            )
            if not lo <= begin < hi:
                continue
            texts = {
                "topic": o and o.topic,
                "description": (o and o.description) or series.description,
                "speakers": o.speakers if o else (),
                "venue": (o and o.venue) or series.venue,
                "cancelled": day in cancelled or bool(o and o.cancelled),
                "sequence": max(series.sequence, o.sequence if o else 0),
                "updated": max((u for u in (series.updated, o and o.updated) if u), default=None),
            }
            end_at = begin + ((o and o.duration) or series.duration)
            uid = f"{series.id}.{day:%Y%m%d}@{cluster.id}"
            found.append((begin, uid, vevent(uid, series, (begin, end_at), texts)))
    for event in cluster.events:
        tz = ZoneInfo(event.timezone)
        if event.start_time is None:
            when: tuple[Any, Any] = (
                event.date,
                (event.end_date or event.date) + dt.timedelta(days=1),
            )
            begin = dt.datetime.combine(event.date, dt.time(0), tzinfo=tz)
        else:
            begin = dt.datetime.combine(event.date, event.start_time, tzinfo=tz)
            when = (begin, begin + (event.duration or dt.timedelta(hours=1)))
        if not start <= begin.date() < end:
            continue
        texts = {
            "topic": None,
            "description": event.description,
            "speakers": event.speakers,
            "venue": event.venue or event.place,
            "cancelled": event.cancelled,
            "sequence": event.sequence,
            "updated": event.updated,
        }
        uid = f"{event.id}@{cluster.id}"
        found.append((begin, uid, vevent(uid, event, when, texts)))
    found.sort(key=lambda f: (f[0].astimezone(UTC), f[1]))
    for _, _, event in found:
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _has_format(name: str) -> None:
    import nogentech

    if name not in {f.name for f in nogentech.formats()}:
        raise Unavailable(f"no {name!r} exporter registered yet")


def bench_ics(sizes: Sizes) -> list[Case]:
    import nogentech

    _has_format("ics")
    target = sizes.ics_occurrences
    series = max(5, target // 120)
    cluster = nogentech.from_dict(synthetic.generate(500, series, seed=2, events=40))
    start = dt.date(2025, 1, 1)
    meetings = cluster.meetings_between(start, dt.date(2060, 1, 1), include_cancelled=True)
    if len(meetings) <= target:
        raise RuntimeError(f"only {len(meetings)} occurrences until 2060")
    end = meetings[target - 1].start.date() + dt.timedelta(days=1)
    count = len(cluster.meetings_between(start, end, include_cancelled=True))
    options = {"expand": True, "start": start, "end": end}

    def ours() -> bytes:
        return nogentech.export(cluster, "ics", **options)

    def base() -> bytes:
        return ics_baseline(cluster, start, end)

    a, b = ours().count(b"BEGIN:VEVENT"), base().count(b"BEGIN:VEVENT")
    note = "" if a == b else f"VEVENTs differ: nogentech {a}, baseline {b}"
    size = f"{count:,} occurrences of {series} series + events"
    return [Case("iCalendar export (expanded)", size, 1.0, ours, base, note=note)]


# -- vCard baseline: the same cards, built with vobject directly ---------------------------


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


def bench_vcard(sizes: Sizes) -> list[Case]:
    import nogentech

    _has_format("vcard")
    n = sizes.vcard_organisations
    cluster = nogentech.from_dict(synthetic.generate(n, 10, seed=3))

    def ours() -> bytes:
        return nogentech.export(cluster, "vcard", people=False, groups=False)

    def base() -> bytes:
        return vcard_baseline(cluster)

    a, b = ours(), base()
    counts = a.count(b"BEGIN:VCARD"), b.count(b"BEGIN:VCARD")
    note = f"{len(a) / 1e6:.1f} MB vs {len(b) / 1e6:.1f} MB"
    if counts[0] != counts[1]:
        note += f"; cards differ: nogentech {counts[0]}, baseline {counts[1]}"
    return [Case("vCard export", f"{n:,} organisations", 1.0, ours, base, note=note)]


# -- occurrences: nogentech's expansion against bare dateutil ------------------------------


def _dateutil_between(series: Any, start: dt.date, end: dt.date) -> list[dt.datetime]:
    from dateutil.rrule import rrulestr

    tz = ZoneInfo(series.timezone)
    first = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
    rule = rrulestr(_until_utc(series.rule), dtstart=first)
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
    found: list[dt.datetime] = rule.between(lo, hi, inc=True)
    return found


def _dateutil_kept(series: Any) -> Callable[[dt.date, dt.date], list[dt.datetime]]:
    """``_dateutil_between`` with the rule parsed once and dateutil's own cache on.

    The baseline for nogentech expanding a series again (it keeps its parsed rules):
    a script that keeps its ``rrule`` objects too.
    """
    from dateutil.rrule import rrulestr

    tz = ZoneInfo(series.timezone)
    first = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
    rule = rrulestr(_until_utc(series.rule), dtstart=first, cache=True)

    def between(start: dt.date, end: dt.date) -> list[dt.datetime]:
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
        found: list[dt.datetime] = rule.between(lo, hi, inc=True)
        return found

    return between


def bench_occurrences(sizes: Sizes) -> list[Case]:
    import nogentech

    monthly = nogentech.MeetingSeries(
        id="petit-dejeuner",
        name=nogentech.Text(fr="Petit-déjeuner des adhérents, « jeudi »"),
        first_date=dt.date(2000, 1, 13),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=2),
        rule="FREQ=MONTHLY;BYDAY=2TH",
    )
    start, end = dt.date(2000, 1, 1), dt.date(2000 + sizes.monthly_years, 1, 1)
    n_monthly = len(monthly.occurrences(start, end))
    cluster = nogentech.from_dict(synthetic.generate(500, sizes.many_series, seed=4))
    lo, hi = dt.date(2025, 1, 1), dt.date(2025 + sizes.many_years, 1, 1)
    n_many = sum(len(s.occurrences(lo, hi)) for s in cluster.meeting_series)

    def ours_many() -> int:
        return sum(len(s.occurrences(lo, hi)) for s in cluster.meeting_series)

    kept_monthly = _dateutil_kept(monthly)
    kept_many = [_dateutil_kept(s) for s in cluster.meeting_series]
    kept_monthly(start, end)
    for between in kept_many:
        between(lo, hi)

    def kept_base_many() -> int:
        return sum(len(between(lo, hi)) for between in kept_many)

    def base_many() -> int:
        return sum(len(_dateutil_between(s, lo, hi)) for s in cluster.meeting_series)

    def cold(fn: Callable[[], object]) -> Callable[[], object]:
        """``fn`` after emptying nogentech's caches of parsed rules and holiday tables."""
        from nogentech import meetings, recurrence

        caches = [getattr(recurrence, n, None) for n in ("_cached_rule", "_holidays")]
        caches.append(getattr(meetings, "_holidays", None))

        def run() -> object:
            for cache in caches:
                if hasattr(cache, "cache_clear"):
                    cache.cache_clear()
            return fn()

        return run

    return [
        Case(
            "occurrences, 1 monthly series",
            f"{sizes.monthly_years} years, {n_monthly:,} occurrences",
            1.5,
            lambda: monthly.occurrences(start, end),
            lambda: _dateutil_between(monthly, start, end),
        ),
        Case(
            "occurrences, many series",
            f"{sizes.many_series:,} series × {sizes.many_years} years, {n_many:,} occurrences",
            1.5,
            ours_many,
            base_many,
        ),
        Case(
            "occurrences, 1 monthly series, cold",
            f"{sizes.monthly_years} years, caches emptied each round",
            None,
            cold(lambda: monthly.occurrences(start, end)),
            lambda: _dateutil_between(monthly, start, end),
        ),
        Case(
            "occurrences, many series, cold",
            f"{sizes.many_series:,} series × {sizes.many_years} years, caches emptied",
            None,
            cold(ours_many),
            base_many,
        ),
        Case(
            "occurrences, 1 monthly series, rules kept",
            "baseline keeps its parsed rule too",
            None,
            lambda: monthly.occurrences(start, end),
            lambda: kept_monthly(start, end),
        ),
        Case(
            "occurrences, many series, rules kept",
            "baseline keeps its parsed rules too",
            None,
            ours_many,
            kept_base_many,
        ),
    ]


# -- whole processes ---------------------------------------------------------------------


def bench_import(sizes: Sizes, scratch: Path) -> list[Case]:
    ours = [PYTHON, "-c", "import nogentech"]
    base = [PYTHON, "-c", "import attrs"]
    return [
        Case(
            "import nogentech",
            "whole process",
            1.3,
            _process(ours, scratch),
            _process(base, scratch),
            kind="process",
            note="baseline: import attrs",
            command=ours,
        )
    ]


def _stand_in(directory: Path) -> Path:
    """A cluster the size of the built-in data, for when the built-in file is missing."""
    return synthetic.write(synthetic.generate(80, 6, seed=5), directory / "stand-in.toml")


def bench_next(sizes: Sizes, scratch: Path) -> list[Case]:
    from nogentech import builtin_path

    ours = [PYTHON, "-m", "nogentech", "next", "--after", NEXT_AFTER]
    size = "built-in data"
    if not builtin_path().is_file():
        ours += ["--data", str(_stand_in(scratch))]
        size = "synthetic stand-in (built-in data missing)"
    base = [PYTHON, "-c", "import attrs, cattrs"]
    return [
        Case(
            "nogentech next",
            size,
            1.5,
            _process(ours, scratch),
            _process(base, scratch),
            kind="process",
            note="baseline: import attrs, cattrs",
            command=ours,
        )
    ]


def bench_server(sizes: Sizes, scratch: Path) -> list[Result]:
    _has_format("ics")
    try:
        import bench_server
    except ImportError as exc:
        raise Unavailable(f"bench_server not importable: {exc}") from None
    from nogentech import builtin_path

    data: Path | None = None
    size = "built-in data"
    if not builtin_path().is_file():
        data = _stand_in(scratch)
        size = "synthetic stand-in (built-in data missing)"
    found = bench_server.run(sizes.server_rounds, sizes.server_requests, data=data)
    size += f", {found['body_bytes']:,} bytes"
    detail = f"{found['rounds']} × {found['requests']} requests"
    return [
        Result(
            "feed server: full /calendar.ics",
            size,
            ours=found["full_rps"],
            unit="req/s",
            status="info",
            note=f"{detail}; best {found['full_rps_best']:.0f} req/s",
            rounds=found["rounds"],
        ),
        Result(
            "feed server: 304 revalidation",
            size,
            ours=found["not_modified_rps"],
            unit="req/s",
            status="info",
            note=f"{detail}; best {found['not_modified_rps_best']:.0f} req/s",
            rounds=found["rounds"],
        ),
    ]


BENCHMARKS: dict[str, Callable[..., Sequence[Case | Result]]] = {
    "import": bench_import,
    "next": bench_next,
    "json": bench_json,
    "ics": bench_ics,
    "vcard": bench_vcard,
    "occurrences": bench_occurrences,
    "server": bench_server,
}
_NEEDS_SCRATCH = {"import", "next", "server"}


# -- running and reporting -----------------------------------------------------------------


def _measure(case: Case, sizes: Sizes) -> Result:
    rounds = sizes.process_rounds if case.kind == "process" else sizes.rounds
    result = Result(case.name, case.size, case.goal, note=case.note)
    try:
        a, b = compare(case.ours, case.base, rounds, sizes.budget)
    except Exception as exc:
        result.status = "error"
        result.note = f"{type(exc).__name__}: {exc}"
        return result
    result.ours, result.base = statistics.median(a), statistics.median(b)
    result.samples_ours, result.samples_base, result.rounds = a, b, len(a)
    ratio = result.ratio
    if case.goal is None or ratio is None:
        result.status = "info"
    else:
        result.status = "PASS" if ratio <= case.goal else "MISS"
    return result


def run(names: Iterable[str], sizes: Sizes, *, echo: bool = True) -> list[Result]:
    """Build and measure the named benchmarks; never raises for one that fails."""
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="nogentech-bench-") as tmp:
        for name in names:
            started = time.perf_counter()
            try:
                args = (sizes, Path(tmp)) if name in _NEEDS_SCRATCH else (sizes,)
                built = list(BENCHMARKS[name](*args))
            except Unavailable as exc:
                built = [Result(name, status="unavailable", note=str(exc))]
            except Exception as exc:
                built = [Result(name, status="error", note=f"{type(exc).__name__}: {exc}")]
            for item in built:
                result = item if isinstance(item, Result) else _measure(item, sizes)
                results.append(result)
                if echo:
                    print(_row(result), flush=True)
            if echo:
                print(f"   ({name}: {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return results


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _row(r: Result) -> str:
    ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
    goal = f"≤ {r.goal:g}" if r.goal is not None else "—"
    return (
        f"| {r.name} | {r.size} | {_figure(r.ours, r.unit)} | {_figure(r.base, r.unit)} "
        f"| {ratio} | {goal} | {r.status} | {r.note} |"
    )


HEADER = (
    "| benchmark | size | nogentech | baseline | ratio | goal | status | note |\n"
    "|---|---|--:|--:|--:|--:|---|---|"
)


def table(results: Sequence[Result]) -> str:
    """The results as a Markdown table (medians; ratio = nogentech ÷ baseline)."""
    return "\n".join([HEADER, *(_row(r) for r in results)])


def environment() -> dict[str, Any]:
    """Date, machine, Python and library versions of this run."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "date": dt.datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "libraries": versions,
    }


# -- profiling ---------------------------------------------------------------------------


def profile(names: Iterable[str], sizes: Sizes, top: int = 25) -> None:
    """Print where nogentech's side of each named benchmark spends its time."""
    with tempfile.TemporaryDirectory(prefix="nogentech-bench-") as tmp:
        for name in names:
            args = (sizes, Path(tmp)) if name in _NEEDS_SCRATCH else (sizes,)
            try:
                cases = [c for c in BENCHMARKS[name](*args) if isinstance(c, Case)]
            except Unavailable as exc:
                print(f"== {name}: unavailable ({exc})")
                continue
            for case in cases:
                print(f"== {case.name} ({case.size})")
                if case.kind == "process":
                    _import_profile(case.command, Path(tmp), top)
                    continue
                case.ours()
                profiler = cProfile.Profile()
                profiler.runcall(case.ours)
                for order in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
                    print(out.getvalue())


def _import_profile(command: Sequence[str], scratch: Path, top: int) -> None:
    """The modules that take longest to import (self time, from ``-X importtime``)."""
    env = _child_env(scratch)
    subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        capture_output=True,
        env=env,
        text=True,
        timeout=120,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), int(match.group(2)), match.group(4)))
    total = sum(r[0] for r in rows)
    print(f"{len(rows)} modules, {total / 1000:.1f} ms of imports (self times summed)")
    for self_us, cumulative_us, module in sorted(rows, reverse=True)[:top]:
        print(f"  {self_us / 1000:7.2f} ms self {cumulative_us / 1000:8.2f} ms cumul  {module}")


# -- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and fewer rounds")
    parser.add_argument(
        "--only", metavar="NAMES", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--rounds", type=int, help="rounds per benchmark (default 7, quick 3)")
    parser.add_argument("--json", metavar="FILE", help="write the results and environment here")
    parser.add_argument(
        "--profile", action="store_true", help="profile nogentech's side instead of timing"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        rounds = max(1, args.rounds)
        sizes = Sizes(**{**asdict(sizes), "rounds": rounds, "process_rounds": rounds * 3})
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})"
        )
    if args.profile:
        profile(names, sizes)
        return 0
    env = environment()
    print(f"nogentech benchmarks, {'quick' if args.quick else 'full'} run, {env['date']}")
    print(f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs")
    print(", ".join(f"{k} {v}" for k, v in env["libraries"].items()))
    print()
    print(HEADER, flush=True)
    results = run(names, sizes)
    if args.json:
        document = {
            "environment": env,
            "quick": args.quick,
            "sizes": asdict(sizes),
            "results": [{**asdict(r), "ratio": r.ratio} for r in results],
        }
        Path(args.json).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 1 if any(r.status == "error" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
