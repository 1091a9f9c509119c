"""Hypothesis strategies for the nogentech model, for property tests of exporter plugins.

It needs hypothesis (``pip install hypothesis``, the ``testing`` extra); see ``docs/testing.md``.

:func:`clusters` builds valid clusters whose references all point to objects of
the right kind: every id is drawn first, then the objects refer to the ids of
their kind. :func:`series` builds meeting series whose ``first_date`` is an
occurrence of their rule, computed with dateutil.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

try:
    from hypothesis import reject
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - shown by a subprocess test
    from .exceptions import MissingDependencyError

    raise MissingDependencyError(
        "nogentech.testing needs hypothesis: pip install hypothesis"
    ) from exc

from . import (
    Cluster,
    Commission,
    Company,
    Discrepancy,
    Event,
    FormerName,
    KeyFigure,
    MeetingSeries,
    Milestone,
    Override,
    PartialDate,
    Person,
    Place,
    Project,
    Role,
    Sector,
    Source,
    SubCluster,
    Text,
    Variant,
)
from .history import FIGURE_MEASURES, MILESTONE_KINDS
from .organisations import ORGANISATION_KINDS, SECTOR_KINDS
from .people import ROLE_KINDS
from .places import PLACE_KINDS

T = TypeVar("T")

ZONES = ("Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "UTC")
"""IANA zones drawn: DST north and south, no DST, and UTC itself."""

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = (1, 2, 3, 4, -1, -2)
"""Ordinals every month has (there is not always a fifth Thursday)."""

HOSTILE = (
    "\r\n",
    "\n",
    "\r",
    ",",
    ";",
    "\\",
    ":",
    "\\n",
    '"',
    "'",
    "\t",
    "=",
    "[x]",
    "#",
    "😀",
    "👩‍🏭",
    "é",
    "Œuvre",
    "ß",
    "Ça déjà été présenté à Nogent-en-Bassigny — « Forges » ",
)

# -- simple values -------------------------------------------------------------

slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)

_chars = st.characters(exclude_categories=["Cs"])

strings = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(_chars, min_size=1, max_size=12)),
    min_size=1,
    max_size=6,
).map("".join)
"""Non-empty text mixing line breaks, RFC 5545 specials, emoji and accents."""

long_lines = st.integers(min_value=1, max_value=6).map(
    lambda n: "Les entreprises nogentaises présentent leur savoir-faire à l’Élysée ; " * n
)

any_strings = st.one_of(strings, long_lines)


@st.composite
def texts(draw: st.DrawFn) -> Text:
    """A :class:`Text` in French, English or both."""
    which = draw(st.sampled_from(("fr", "en", "both")))
    fr = draw(any_strings) if which in ("fr", "both") else None
    en = draw(any_strings) if which in ("en", "both") else None
    return Text(fr=fr, en=en)


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """The value of ``strategy``, or None."""
    return st.one_of(st.none(), strategy)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    """A year, a month or a day, between 1950 and 2050."""
    day = draw(st.dates(dt.date(1950, 1, 1), dt.date(2050, 12, 31)))
    precision = draw(st.sampled_from(("year", "month", "day")))
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(
    lambda q: dt.timezone(dt.timedelta(minutes=15 * q))
)

stamps = st.builds(
    lambda moment, tz: moment.replace(tzinfo=dt.UTC).astimezone(tz),
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2040, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    offsets,
)
"""Aware date-times with a fixed UTC offset, to the second (as a file holds them)."""

times = st.builds(
    dt.time, st.integers(0, 23), st.sampled_from((0, 15, 30, 45, 59)), st.sampled_from((0, 0, 30))
)
durations = st.integers(min_value=1, max_value=3 * 24 * 60).map(lambda m: dt.timedelta(minutes=m))


def subset(items: list[str], max_size: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    """A tuple of distinct items of ``items`` (empty when there are none)."""
    if not items:
        return st.just(())
    return st.lists(st.sampled_from(items), unique=True, max_size=max_size).map(tuple)


def one_of_ids(items: list[str]) -> st.SearchStrategy[str | None]:
    return st.none() if not items else st.one_of(st.none(), st.sampled_from(items))


# -- rules and series ----------------------------------------------------------


@st.composite
def rule_bodies(draw: st.DrawFn) -> str:
    """An RRULE without COUNT or UNTIL: FREQ, INTERVAL, BYDAY (with ordinals), BYMONTH."""
    freq = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY", "YEARLY")))
    parts = [f"FREQ={freq}"]
    interval = draw(st.sampled_from((1, 1, 2, 3)))
    if interval > 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    byday: list[str] = []
    if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=2, unique=True))
        byday = [f"{draw(st.sampled_from(ORDINALS))}{d}" for d in days]
    elif freq in ("WEEKLY", "DAILY") and draw(st.booleans()):
        byday = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
    if byday:
        parts.append("BYDAY=" + ",".join(byday))
    # BYMONTH with a MONTHLY interval could miss every month forever: keep it simple.
    if freq == "YEARLY" or (freq == "MONTHLY" and interval == 1) or freq == "DAILY":
        months = draw(st.lists(st.integers(1, 12), max_size=2, unique=True))
        if months:
            parts.append("BYMONTH=" + ",".join(str(m) for m in sorted(months)))
    return ";".join(parts)


def first_occurrence(body: str, seed: dt.date, start: dt.time) -> dt.date | None:
    """The first date on or after ``seed`` that the rule gives when anchored there.

    None when that date, used as the rule's own start, would not be an occurrence
    of the rule (a series could not start on it).
    """
    naive = dt.datetime.combine(seed, start)
    head = rrulestr(body, dtstart=naive).after(naive, inc=True)
    if head is None:
        return None
    again = rrulestr(body, dtstart=head).after(head, inc=True)
    return head.date() if again == head else None


@st.composite
def anchored_rules(
    draw: st.DrawFn, timezone: str, start: dt.time, until_forms: tuple[str, ...]
) -> tuple[str, dt.date]:
    """(rule, first_date): a rule with an optional COUNT or UNTIL, and its first date.

    ``until_forms`` says how UNTIL may be written: ``"date"`` (a local day),
    ``"local"`` (a local date and time) or ``"utc"`` (``…Z``).
    """
    body = draw(rule_bodies())
    seed = draw(
        st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 28)).map(
            lambda d: d.replace(day=min(d.day, 28))
        )
    )
    first = first_occurrence(body, seed, start)
    if first is None:
        reject()
    end = draw(st.sampled_from(("none", "count", *until_forms)))
    if end == "count":
        body += f";COUNT={draw(st.integers(1, 30))}"
    elif end != "none":
        last = first + dt.timedelta(days=draw(st.integers(0, 800)))
        at = dt.datetime.combine(last, draw(times))
        if at < dt.datetime.combine(first, start):
            at = dt.datetime.combine(first, start)
        if end == "date":
            body += f";UNTIL={at:%Y%m%d}"
        elif end == "local":
            body += f";UNTIL={at:%Y%m%dT%H%M%S}"
        else:
            utc = at.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)
            body += f";UNTIL={utc:%Y%m%dT%H%M%SZ}"
    return body, first


def _rule_dates(rule: str, first: dt.date, start: dt.time, limit: int) -> list[dt.date]:
    """Up to ``limit`` dates of the rule, for picking cancelled and overridden dates."""
    parts = [p for p in rule.split(";") if not p.startswith("UNTIL=")]
    until = next((p[6:14] for p in rule.split(";") if p.startswith("UNTIL=")), None)
    body = ";".join(parts)
    naive = dt.datetime.combine(first, start)
    dates = [d.date() for d in itertools.islice(rrulestr(body, dtstart=naive), limit)]
    if until is not None:
        # A day clear of the UNTIL day, so that neither the time and zone of UNTIL
        # nor the series' offset from UTC (under a day) can put a date past it.
        last = dt.datetime.strptime(until, "%Y%m%d").date() - dt.timedelta(days=1)
        dates = [d for d in dates if d < last] or [first]
    return dates


@st.composite
def series(
    draw: st.DrawFn,
    ids: st.SearchStrategy[str] = slugs,
    *,
    timezones: tuple[str, ...] = ZONES,
    until_forms: tuple[str, ...] = ("date", "local", "utc"),
    venues: tuple[str, ...] = (),
    speakers: tuple[str, ...] = (),
    organisers: tuple[str, ...] = (),
    extras: bool = True,
    links: dict[str, tuple[str, ...]] | None = None,
) -> MeetingSeries:
    """A valid meeting series; with ``extras``, cancelled and extra dates and overrides.

    ``links`` gives the ids the series may refer to under ``sub_clusters``,
    ``commissions``, ``sectors`` and ``sources``.
    """
    timezone = draw(st.sampled_from(timezones))
    start = draw(times)
    rule, first = draw(anchored_rules(timezone, start, until_forms))
    kwargs: dict[str, Any] = {}
    if extras:
        dates = _rule_dates(rule, first, start, 8)
        chosen = draw(st.lists(st.sampled_from(dates), unique=True, max_size=3))
        cancelled = draw(st.lists(st.sampled_from(dates), unique=True, max_size=2))
        extra = draw(
            st.lists(st.dates(first, first + dt.timedelta(days=400)), unique=True, max_size=2)
        )
        sources = (links or {}).get("sources", ())
        overrides = tuple(draw(overrides_for(d, venues, speakers, sources)) for d in chosen)
        kwargs = {
            "cancelled": tuple(cancelled),
            "extra_dates": tuple(extra),
            "overrides": overrides,
            "description": draw(optional(texts())),
            "venue": draw(one_of_ids(list(venues))),
            "organisers": draw(subset(list(organisers))),
            "free": draw(st.sampled_from((None, True, False))),
            "open_to_public": draw(st.sampled_from((None, True, False))),
            "url": draw(optional(st.just("https://example.org/rencontres?a=1;b=2"))),
            "holiday_country": draw(st.sampled_from(("FR", None, "DE"))),
            "sequence": draw(st.integers(0, 5)),
            "updated": draw(optional(stamps)),
        }
        for field, choices in (links or {}).items():
            kwargs[field] = draw(subset(list(choices)))
    return MeetingSeries(
        id=draw(ids),
        name=draw(texts()),
        first_date=first,
        start_time=start,
        duration=draw(durations),
        rule=rule,
        timezone=timezone,
        **kwargs,
    )


@st.composite
def overrides_for(
    draw: st.DrawFn,
    date: dt.date,
    venues: tuple[str, ...],
    speakers: tuple[str, ...],
    sources: tuple[str, ...] = (),
) -> Override:
    """The override of one date: programme, venue, time, cancellation."""
    moved = draw(st.one_of(st.none(), st.integers(-5, 5).map(lambda n: date + dt.timedelta(n))))
    return Override(
        date=date,
        topic=draw(optional(texts())),
        description=draw(optional(texts())),
        speakers=draw(subset(list(speakers))),
        testimonies=draw(subset(list(speakers))),
        venue=draw(one_of_ids(list(venues))),
        moved_to=moved if moved != date else None,
        start_time=draw(optional(times)),
        duration=draw(optional(durations)),
        cancelled=draw(st.booleans()),
        sequence=draw(st.integers(0, 3)),
        updated=draw(optional(stamps)),
        note=draw(optional(texts())),
        sources=draw(subset(list(sources))),
    )


# -- whole clusters ------------------------------------------------------------

_SERIES_LINKS = ("sub_clusters", "commissions", "sectors", "sources")


@st.composite
def clusters(draw: st.DrawFn) -> Cluster:
    """A valid cluster with every kind of object and consistent references."""
    sizes = {
        "sources": draw(st.integers(0, 2)),
        "places": draw(st.integers(0, 4)),
        "sectors": draw(st.integers(0, 4)),
        "companies": draw(st.integers(0, 4)),
        "sub_clusters": draw(st.integers(0, 2)),
        "commissions": draw(st.integers(0, 2)),
        "people": draw(st.integers(0, 3)),
        "meeting_series": draw(st.integers(0, 2)),
        "events": draw(st.integers(0, 2)),
        "milestones": draw(st.integers(0, 2)),
        "key_figures": draw(st.integers(0, 2)),
        "projects": draw(st.integers(0, 2)),
        "discrepancies": draw(st.integers(0, 1)),
    }
    if not sizes["sources"]:
        sizes["discrepancies"] = 0
    total = 1 + sum(sizes.values())
    pool = iter(draw(st.lists(slugs, min_size=total, max_size=total, unique=True)))
    cluster_id = next(pool)
    ids = {name: [next(pool) for _ in range(n)] for name, n in sizes.items()}
    src = ids["sources"]
    every = [cluster_id, *(i for group in ids.values() for i in group)]

    def sources() -> tuple[str, ...]:
        return draw(subset(src))

    out_sources = tuple(
        Source(
            id=i,
            title=draw(texts()),
            file=draw(optional(st.just("seed.txt"))),
            language=draw(st.sampled_from((None, "fr", "en"))),
            url=draw(optional(st.just("https://example.org/a?b=c&d"))),
        )
        for i in src
    )
    places = []
    for n, i in enumerate(ids["places"]):
        places.append(
            Place(
                id=i,
                kind=draw(st.sampled_from(PLACE_KINDS)),
                name=draw(texts()),
                within=draw(one_of_ids(ids["places"][:n])),
                organisation=draw(one_of_ids(ids["companies"])),
                neighbour=draw(st.booleans()),
                address=draw(optional(strings)),
                sources=sources(),
            )
        )
    sectors = []
    for n, i in enumerate(ids["sectors"]):
        sectors.append(
            Sector(
                id=i,
                kind=draw(st.sampled_from(SECTOR_KINDS)),
                name=draw(texts()),
                parent=draw(one_of_ids(ids["sectors"][:n])),
                sources=sources(),
            )
        )
    companies = []
    for i in ids["companies"]:
        companies.append(
            Company(
                id=i,
                name=draw(any_strings),
                kind=draw(st.sampled_from(ORGANISATION_KINDS)),
                member=draw(st.sampled_from((None, True, False))),
                full_name=draw(optional(texts())),
                description=draw(optional(texts())),
                sectors=draw(subset(ids["sectors"])),
                places=draw(subset(ids["places"])),
                parent=draw(one_of_ids([c for c in ids["companies"] if c != i])),
                aliases=tuple(draw(st.lists(strings, max_size=2))),
                website=draw(optional(st.just("https://example.org/"))),
                email=draw(optional(st.just("contact@example.org"))),
                phone=draw(optional(st.just("+33 3 25 00 00 00"))),
                sources=sources(),
            )
        )
    sub_clusters = tuple(
        SubCluster(
            id=i,
            name=draw(any_strings),
            expansion=draw(optional(texts())),
            focus=draw(optional(texts())),
            description=draw(optional(texts())),
            founded=draw(optional(partial_dates())),
            former_names=tuple(
                draw(
                    st.lists(
                        st.builds(
                            FormerName,
                            name=strings,
                            expansion=optional(texts()),
                            until=optional(partial_dates()),
                            sources=subset(src),
                        ),
                        max_size=2,
                    )
                )
            ),
            members=draw(subset(ids["companies"], 4)),
            sectors=draw(subset(ids["sectors"])),
            places=draw(subset(ids["places"])),
            roadmap=tuple(draw(st.lists(texts(), max_size=2))),
            sources=sources(),
        )
        for i in ids["sub_clusters"]
    )
    commissions = tuple(
        Commission(
            id=i,
            name=draw(texts()),
            missions=tuple(draw(st.lists(texts(), max_size=2))),
            members=draw(subset(ids["companies"] + ids["people"])),
            sources=sources(),
        )
        for i in ids["commissions"]
    )
    bodies = ids["companies"] + ids["sub_clusters"] + ids["commissions"] + [cluster_id]
    people = tuple(
        Person(
            id=i,
            name=draw(any_strings),
            roles=tuple(
                draw(
                    st.lists(
                        st.builds(
                            Role,
                            kind=st.sampled_from(ROLE_KINDS),
                            of=one_of_ids(bodies),
                            title=optional(texts()),
                            since=optional(partial_dates()),
                            until=optional(partial_dates()),
                            note=optional(texts()),
                            sources=subset(src),
                        ),
                        max_size=3,
                    )
                )
            ),
            email=draw(optional(st.just("a.b@example.org"))),
            phone=draw(optional(st.just("03 25 00 00 00"))),
            sources=sources(),
        )
        for i in ids["people"]
    )
    talkers = tuple(ids["people"] + ids["companies"])
    organisers = tuple([cluster_id, *ids["companies"], *ids["sub_clusters"], *ids["commissions"]])
    meeting_series = tuple(
        draw(
            series(
                st.just(i),
                venues=tuple(ids["places"]),
                speakers=talkers,
                organisers=organisers,
                links={k: tuple(ids[k]) for k in _SERIES_LINKS},
            )
        )
        for i in ids["meeting_series"]
    )
    events = tuple(draw(events_with(i, ids, talkers, organisers)) for i in ids["events"])
    milestones = tuple(
        Milestone(
            id=i,
            kind=draw(st.sampled_from(MILESTONE_KINDS)),
            title=draw(texts()),
            date=draw(optional(partial_dates())),
            description=draw(optional(texts())),
            by=draw(subset(ids["companies"] + ids["people"] + [cluster_id])),
            subject=draw(one_of_ids(every)),
            sources=sources(),
        )
        for i in ids["milestones"]
    )
    key_figures = []
    for i in ids["key_figures"]:
        figure_sources = sources()
        key_figures.append(
            KeyFigure(
                id=i,
                subject=draw(
                    st.sampled_from([cluster_id, *ids["sub_clusters"], *ids["companies"]])
                ),
                measure=draw(st.sampled_from(FIGURE_MEASURES)),
                value=draw(st.floats(allow_nan=False, allow_infinity=False)),
                unit=draw(strings),
                qualifier=draw(st.sampled_from(("exact", "about", "more-than"))),
                year=draw(st.integers(1990, 2040)) if not figure_sources else None,
                label=draw(optional(texts())),
                sources=figure_sources,
            )
        )
    projects = tuple(
        Project(
            id=i,
            title=draw(texts()),
            status=draw(st.sampled_from(("planned", "under-way", "done", "postponed"))),
            description=draw(optional(texts())),
            partners=draw(subset(ids["companies"])),
            start=draw(optional(partial_dates())),
            sub_clusters=draw(subset(ids["sub_clusters"])),
            commissions=draw(subset(ids["commissions"])),
            sources=sources(),
        )
        for i in ids["projects"]
    )
    discrepancies = tuple(
        Discrepancy(
            id=i,
            subject=draw(texts()),
            variants=tuple(
                draw(
                    st.lists(
                        st.builds(Variant, value=strings, source=st.sampled_from(src)),
                        min_size=2,
                        max_size=3,
                    )
                )
            ),
            about=draw(subset(every)),
        )
        for i in ids["discrepancies"]
    )
    return Cluster(
        id=cluster_id,
        name=draw(any_strings),
        full_name=draw(optional(texts())),
        description=draw(optional(texts())),
        legal_form=draw(optional(texts())),
        founded=draw(optional(partial_dates())),
        timezone=draw(st.sampled_from(ZONES)),
        website=draw(optional(st.just("https://example.org/"))),
        updated=draw(optional(stamps)),
        sources=out_sources,
        places=tuple(places),
        sectors=tuple(sectors),
        companies=tuple(companies),
        sub_clusters=sub_clusters,
        commissions=commissions,
        people=people,
        meeting_series=meeting_series,
        events=events,
        milestones=milestones,
        key_figures=tuple(key_figures),
        projects=projects,
        discrepancies=discrepancies,
    )


@st.composite
def events_with(
    draw: st.DrawFn,
    ident: str,
    ids: dict[str, list[str]],
    talkers: tuple[str, ...],
    organisers: tuple[str, ...],
) -> Event:
    date = draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)))
    timed = draw(st.booleans())
    return Event(
        id=ident,
        name=draw(texts()),
        date=date,
        end_date=None
        if timed
        else draw(optional(st.integers(0, 3).map(lambda n: date + dt.timedelta(n)))),
        start_time=draw(times) if timed else None,
        duration=draw(optional(durations)) if timed else None,
        timezone=draw(st.sampled_from(ZONES)),
        description=draw(optional(texts())),
        venue=draw(one_of_ids(ids["places"])),
        place=draw(one_of_ids(ids["places"])),
        speakers=draw(subset(list(talkers))),
        organisers=draw(subset(list(organisers))),
        sub_clusters=draw(subset(ids["sub_clusters"])),
        commissions=draw(subset(ids["commissions"])),
        sectors=draw(subset(ids["sectors"])),
        cancelled=draw(st.booleans()),
        postponed_from=draw(optional(partial_dates())),
        url=draw(optional(st.just("https://example.org/salon"))),
        sequence=draw(st.integers(0, 3)),
        updated=draw(optional(stamps)),
        sources=draw(subset(ids["sources"])),
    )
