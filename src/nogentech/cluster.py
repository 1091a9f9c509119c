"""The :class:`Cluster`: every object of a cluster, checked together, with look-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from .exceptions import DataError
from .history import Discrepancy, KeyFigure, Milestone, Project, Source
from .limits import LATEST_DATE
from .meetings import (
    Event,
    Meeting,
    MeetingSeries,
    event_meeting,
    event_meetings,
    occurrences_on,
    sort_key,
)
from .organisations import Commission, Company, Sector, SubCluster
from .people import Person
from .places import Place
from .recurrence import UTC, aware, check_moment, check_timezone, window, zone
from .references import COLLECTIONS, check_references
from .text import PartialDate, Text, slug

__all__ = ["Cluster"]


_T = TypeVar("_T")


@attrs.frozen
class Cluster:
    """A business cluster: its organisations, people, places, meetings and history.

    Building one checks that ids are unique across the cluster and that every
    reference (a company's sectors, a meeting's venue and speakers…) points to an
    object of the right kind; all problems are raised at once as
    :class:`~nogentech.DataError`.
    """

    id: str = attrs.field(validator=slug)
    """Unique id of the cluster (a slug: ``nogentech``)."""
    name: str
    """The cluster's usual name."""
    full_name: Text | None = None
    """What the name stands for, or the full name."""
    description: Text | None = None
    """What the cluster is."""
    legal_form: Text | None = None
    """Its legal form (an association under the 1901 law…)."""
    founded: PartialDate | None = None
    """When it was founded, as far as known."""
    timezone: str = attrs.field(default="Europe/Paris", validator=check_timezone)
    """IANA timezone dates and naive times are read in (``Europe/Paris`` by default)."""
    website: str | None = None
    """Address of its website, where a source gives one."""
    updated: dt.datetime | None = attrs.field(default=None, validator=check_moment)
    """When the data last changed; used as the stamp of exported feeds."""
    sources: tuple[Source, ...] = ()
    """The documents the data comes from."""
    places: tuple[Place, ...] = ()
    """Countries, regions, départements, communes and venues."""
    sectors: tuple[Sector, ...] = ()
    """The sector taxonomy."""
    companies: tuple[Company, ...] = ()
    """The organisations: member firms, partners, schools, public bodies…"""
    sub_clusters: tuple[SubCluster, ...] = ()
    """The thematic groupings of firms."""
    commissions: tuple[Commission, ...] = ()
    """The working commissions of the association."""
    people: tuple[Person, ...] = ()
    """The people named in the sources, with their roles."""
    meeting_series: tuple[MeetingSeries, ...] = ()
    """The recurring meetings."""
    events: tuple[Event, ...] = ()
    """The one-off events."""
    milestones: tuple[Milestone, ...] = ()
    """Dated steps of its history."""
    key_figures: tuple[KeyFigure, ...] = ()
    """Figures such as the number of members, jobs or revenue."""
    projects: tuple[Project, ...] = ()
    """Studies, projects and actions."""
    discrepancies: tuple[Discrepancy, ...] = ()
    """Facts the sources disagree on, with every version."""
    _index: dict[str, Any] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        collections = {name: getattr(self, name) for name in COLLECTIONS}
        if any(collections.values()):
            # Without any item there is no id to repeat and no reference to check
            # (the loader's header, before it adds the collections it has checked).
            problems = check_references(collections, self.id)
            if problems:
                raise DataError(problems)
        self._make_index()

    def _with_checked(self, collections: Mapping[str, tuple[Any, ...]]) -> Cluster:
        """This cluster with ``collections`` in place of its own, without checking them again.

        For a caller that has checked the ids and references of the whole new
        cluster already (the loader, with :func:`~nogentech.references.named_sound`);
        anyone else builds a cluster, or uses :func:`attrs.evolve`, which check.
        """
        made: Cluster = object.__new__(Cluster)
        for field in attrs.fields(Cluster):
            if field.init:
                value = collections.get(field.name, getattr(self, field.name))
                object.__setattr__(made, field.name, value)
        made._make_index()
        return made

    def _make_index(self) -> None:
        # The cluster itself is not in its index: an index holding it would make a
        # cycle, and a dropped cluster would wait for the cyclic garbage collector
        # (a long pause in a server that reloads) instead of being freed at once.
        index: dict[str, Any] = {}
        for name in COLLECTIONS:
            for item in getattr(self, name):
                index[item.id] = item
        object.__setattr__(self, "_index", index)

    # -- pickling ---------------------------------------------------------------
    # The index is left out and made again: pickled, it would hold a second copy
    # of every object whenever the collections are pickled apart (as the feed
    # server's reloads do), and make the pickle twice as long.

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in attrs.fields(Cluster) if f.init}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._make_index()

    # -- look-ups ---------------------------------------------------------------

    def get(self, ident: str) -> Any:
        """The object with id ``ident`` (any kind); raises ``KeyError`` if none."""
        try:
            return self._index[ident]
        except KeyError:
            if ident == self.id:
                return self
            raise

    def __contains__(self, ident: object) -> bool:
        return ident in self._index or ident == self.id

    def _find(self, ident: str) -> Any:
        """The object with id ``ident`` (the cluster itself included), or None."""
        found = self._index.get(ident)
        if found is None and ident == self.id:
            return self
        return found

    def _typed(self, ident: str, kind: type[_T]) -> _T:
        obj = self._find(ident)
        if not isinstance(obj, kind):
            raise KeyError(f"no {kind.__name__.lower()} with id {ident!r}")
        return obj

    def company(self, ident: str) -> Company:
        """The company (or other organisation) with id ``ident``."""
        return self._typed(ident, Company)

    def person(self, ident: str) -> Person:
        """The person with id ``ident``."""
        return self._typed(ident, Person)

    def place_of(self, ident: str) -> Place:
        """The place with id ``ident``."""
        return self._typed(ident, Place)

    def sector(self, ident: str) -> Sector:
        """The sector with id ``ident``."""
        return self._typed(ident, Sector)

    def sub_cluster(self, ident: str) -> SubCluster:
        """The sub-cluster with id ``ident``."""
        return self._typed(ident, SubCluster)

    def commission(self, ident: str) -> Commission:
        """The commission with id ``ident``."""
        return self._typed(ident, Commission)

    def series(self, ident: str) -> MeetingSeries:
        """The meeting series with id ``ident``."""
        return self._typed(ident, MeetingSeries)

    def name_of(self, ident: str, lang: str = "fr") -> str:
        """A readable name for any id: a person's or company's name, a place's label…"""
        obj = self._find(ident)
        if obj is None:
            return ident
        name = getattr(obj, "name", None) or getattr(obj, "title", None)
        if isinstance(name, Text):
            return name.get(lang)
        return str(name) if name else ident

    # -- queries ---------------------------------------------------------------

    def sector_and_children(self, ident: str) -> set[str]:
        """``ident`` and every sector below it in the taxonomy."""
        self.sector(ident)
        found = {ident}
        grew = True
        while grew:
            more = {s.id for s in self.sectors if s.parent in found} - found
            found |= more
            grew = bool(more)
        return found

    def companies_in_sector(self, ident: str) -> tuple[Company, ...]:
        """Organisations working in sector ``ident`` (a trade, market or service) or below it."""
        wanted = self.sector_and_children(ident)
        return tuple(c for c in self.companies if wanted.intersection(c.sectors))

    def companies_in_market(self, ident: str) -> tuple[Company, ...]:
        """Organisations serving market ``ident``; ``KeyError`` if it is not a market."""
        if self.sector(ident).kind != "market":
            raise KeyError(f"{ident!r} is not a market")
        return self.companies_in_sector(ident)

    def members_of(self, sub_cluster: str) -> tuple[Company, ...]:
        """The organisations a sub-cluster lists as members, in the data's order."""
        return tuple(self.company(i) for i in self.sub_cluster(sub_cluster).members)

    def companies_in_sub_cluster(self, sub_cluster: str) -> tuple[Company, ...]:
        """Same as :meth:`members_of`."""
        return self.members_of(sub_cluster)

    def places_within(self, ident: str) -> set[str]:
        """``ident`` and every place inside it (venues of a commune, communes of a département)."""
        self.place_of(ident)
        found = {ident}
        grew = True
        while grew:
            more = {p.id for p in self.places if p.within in found} - found
            found |= more
            grew = bool(more)
        return found

    def companies_in_place(self, ident: str) -> tuple[Company, ...]:
        """Organisations located in place ``ident`` (a commune, or anything inside it)."""
        wanted = self.places_within(ident)
        return tuple(c for c in self.companies if wanted.intersection(c.places))

    def companies_in_commune(self, ident: str) -> tuple[Company, ...]:
        """Same as :meth:`companies_in_place`, for a commune."""
        return self.companies_in_place(ident)

    def sub_clusters_of(self, company: str) -> tuple[SubCluster, ...]:
        """Sub-clusters that list ``company`` as a member."""
        self.company(company)
        return tuple(s for s in self.sub_clusters if company in s.members)

    def members(self) -> tuple[Company, ...]:
        """Organisations known to be members of the cluster's association."""
        return tuple(c for c in self.companies if c.member)

    def people_of(self, organisation: str) -> tuple[Person, ...]:
        """People holding any role in ``organisation`` (employer, board…)."""
        return tuple(p for p in self.people if any(r.of == organisation for r in p.roles))

    def key_figures_for(self, subject: str | None = None) -> tuple[KeyFigure, ...]:
        """Key figures about ``subject`` (default: the cluster itself)."""
        subject = subject or self.id
        return tuple(k for k in self.key_figures if k.subject == subject)

    def board(self) -> tuple[tuple[Person, str], ...]:
        """(person, role kind) for each president or vice-president of the cluster."""
        out = []
        for person in self.people:
            for role in person.roles:
                if role.of == self.id and role.kind in ("president", "vice-president"):
                    out.append((person, role.kind))
        return tuple(out)

    # -- meetings --------------------------------------------------------------

    def meetings_between(
        self,
        start: dt.date | dt.datetime,
        end: dt.date | dt.datetime,
        *,
        include_cancelled: bool = False,
    ) -> list[Meeting]:
        """Occurrences of every series and every one-off event starting in ``[start, end)``.

        Dates and naive datetimes are read in the cluster's timezone. Sorted by
        start, then id.
        """
        win = window(self.timezone, start, end)
        found: list[Meeting] = []
        for series in self.meeting_series:
            found.extend(series.expand_window(win, include_cancelled=include_cancelled))
        found.extend(event_meetings(self.events, win, include_cancelled=include_cancelled))
        return sorted(found, key=sort_key)

    def meeting(self, ident: str) -> Meeting:
        """The meeting with id ``ident``, cancelled or not; ``KeyError`` if there is none.

        ``ident`` is a :attr:`Meeting.id`: ``series-id/YYYY-MM-DD`` (the date the rule
        gives, whatever the occurrence was moved to) or the id of a one-off event.
        """
        series_id, _, day = ident.partition("/")
        if not day:
            event = self._index.get(ident)
            if not isinstance(event, Event):
                raise KeyError(f"no meeting with id {ident!r}")
            return event_meeting(event)
        series = self._index.get(series_id)
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            date = None
        if not isinstance(series, MeetingSeries) or date is None or day != date.isoformat():
            raise KeyError(f"no meeting with id {ident!r}")
        # Only that date is built, however far its occurrence was moved.
        for found in occurrences_on(series, (date,), include_cancelled=True):
            return found
        raise KeyError(f"no meeting with id {ident!r}")

    def upcoming(self, n: int = 5, after: dt.datetime | None = None) -> list[Meeting]:
        """The next ``n`` active meetings starting after ``after`` (default: now)."""
        return _upcoming(self, n, after)

    def next_meeting(self, after: dt.datetime | None = None) -> Meeting | None:
        """The first active meeting starting after ``after`` (default: now), or None."""
        found = self.upcoming(1, after)
        return found[0] if found else None


def _upcoming(cluster: Cluster, n: int, after: dt.datetime | None) -> list[Meeting]:
    """The next ``n`` active meetings of ``cluster`` starting strictly after ``after``.

    A meeting that starts exactly at ``after``, or is in progress then, is not among
    them. A date means local midnight, a naive datetime a local time, both in the
    cluster's timezone.
    """
    if n <= 0:
        return []
    tz = zone(cluster.timezone)
    moment = aware(after, tz) if after is not None else dt.datetime.now(UTC)
    instant = moment.astimezone(UTC)
    # A month per meeting wanted, widened fourfold until enough are found: a short
    # first window keeps ``next`` from expanding (and flagging holidays over) a year.
    span = dt.timedelta(days=31 * n)
    # Nothing is looked for past the supported range (see ``docs/limits.md``).
    last = dt.datetime.combine(LATEST_DATE + dt.timedelta(days=2), dt.time(0), tzinfo=tz)
    limit = min(moment + dt.timedelta(days=365 * 200), last) if moment < last else moment
    while True:
        end = min(moment + span, limit)
        found = [
            m for m in cluster.meetings_between(moment, end) if m.start.astimezone(UTC) > instant
        ]
        if len(found) >= n or end >= limit:
            return found[:n]
        span *= 4


ITEM_CLASSES: dict[str, type[Any]] = {
    "sources": Source,
    "places": Place,
    "sectors": Sector,
    "companies": Company,
    "sub_clusters": SubCluster,
    "commissions": Commission,
    "people": Person,
    "meeting_series": MeetingSeries,
    "events": Event,
    "milestones": Milestone,
    "key_figures": KeyFigure,
    "projects": Project,
    "discrepancies": Discrepancy,
}
"""The class of the items of each collection of :class:`Cluster`, in the order of
:data:`~nogentech.references.COLLECTIONS`: what its annotations say, known without
reading them (a test checks that both agree)."""
