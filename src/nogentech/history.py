"""History and facts about the cluster: milestones, key figures, projects, sources."""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs

from .limits import MAX_YEAR, MIN_YEAR
from .text import PartialDate, Text, ref, refs, slug

__all__ = [
    "FIGURE_MEASURES",
    "MILESTONE_KINDS",
    "Discrepancy",
    "KeyFigure",
    "Milestone",
    "MilestoneKind",
    "Project",
    "Source",
    "Variant",
]

MilestoneKind = Literal[
    "label", "prize", "foundation", "creation", "rename", "election", "action", "other"
]
MILESTONE_KINDS: tuple[MilestoneKind, ...] = (
    "label",
    "prize",
    "foundation",
    "creation",
    "rename",
    "election",
    "action",
    "other",
)

FigureMeasure = Literal["members", "jobs", "revenue", "multinationals", "share-of-members"]
FIGURE_MEASURES: tuple[FigureMeasure, ...] = (
    "members",
    "jobs",
    "revenue",
    "multinationals",
    "share-of-members",
)


def _finite(_inst: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"'{attribute.name}' must be a finite number (got {value!r})")


def _year(_inst: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError(f"'{attribute.name}' must be from {MIN_YEAR} to {MAX_YEAR} ({value})")


@attrs.frozen
class Source:
    """A document the data comes from."""

    id: str = attrs.field(validator=slug)
    """Unique id of the source across the cluster (a slug: ``seed-000``)."""
    title: Text
    """What the document is, in a line."""
    file: str | None = None
    """Name of the file the document is kept in, if any."""
    language: str | None = None
    """Language of the document (``fr``, ``en``)."""
    url: str | None = None
    """Where the document was published, if known."""


@attrs.frozen
class Milestone:
    """A dated step in the cluster's history: a label, a prize, a foundation…

    ``date`` is as precise as the source: a year, a month or a day; None when
    the source gives no date.
    """

    id: str = attrs.field(validator=slug)
    """Unique id of the milestone across the cluster (a slug)."""
    kind: MilestoneKind = attrs.field(validator=attrs.validators.in_(MILESTONE_KINDS))
    """``label``, ``prize``, ``foundation``, ``creation``, ``rename``, ``election``, ``action`` or
    ``other``.
    """
    title: Text
    """What happened, in a line."""
    date: PartialDate | None = None
    """When it happened, as far as known."""
    description: Text | None = None
    """More about it."""
    by: tuple[str, ...] = refs("companies", "people", "sub_clusters", "commissions", "cluster")
    """Ids of the bodies that awarded, decided or supported it."""
    subject: str | None = ref("any")
    """Id of what the milestone is about when not the cluster itself."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""


@attrs.frozen
class KeyFigure:
    """A figure such as the number of members, jobs or revenue, with its year or source.

    ``qualifier`` keeps how precise the source is: ``more-than`` for "plus de
    3 000", ``about`` for "une cinquantaine", ``exact`` otherwise.
    """

    id: str = attrs.field(validator=slug)
    """Unique id of the figure across the cluster (a slug)."""
    subject: str = attrs.field(
        validator=slug, metadata={"ref": ("cluster", "sub_clusters", "companies")}
    )
    """Id of what the figure is about: the cluster, a sub-cluster or an organisation."""
    measure: FigureMeasure = attrs.field(validator=attrs.validators.in_(FIGURE_MEASURES))
    """What is counted: ``members``, ``jobs``, ``revenue``, ``multinationals`` or ``share-of-
    members``.
    """
    value: float = attrs.field(validator=_finite)
    """The number itself."""
    unit: str
    """Its unit: ``companies``, ``jobs``, ``EUR``, ``percent``…"""
    qualifier: Literal["exact", "about", "more-than"] = attrs.field(
        default="exact", validator=attrs.validators.in_(("exact", "about", "more-than"))
    )
    """``exact`` (the default), ``about`` or ``more-than``, as the source words it."""
    year: int | None = attrs.field(default=None, validator=_year)
    """The year the figure is for, where the source gives one."""
    label: Text | None = None
    """The figure as the source words it (« Plus d’une cinquantaine de sociétés adhérentes »)."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it (a figure needs a year or a source)."""

    def __attrs_post_init__(self) -> None:
        if self.year is None and not self.sources:
            raise ValueError("a key figure needs a 'year' or 'sources'")


@attrs.frozen
class Project:
    """A study, project or action under way."""

    id: str = attrs.field(validator=slug)
    """Unique id of the project across the cluster (a slug)."""
    title: Text
    """What the project is, in a line."""
    status: Literal["planned", "under-way", "done", "postponed"] = attrs.field(
        default="under-way",
        validator=attrs.validators.in_(("planned", "under-way", "done", "postponed")),
    )
    """``planned``, ``under-way`` (the default), ``done`` or ``postponed``."""
    description: Text | None = None
    """More about it."""
    partners: tuple[str, ...] = refs("companies")
    """Ids of the organisations taking part."""
    start: PartialDate | None = None
    """When it started, as far as known."""
    sub_clusters: tuple[str, ...] = refs("sub_clusters")
    """Ids of the sub-clusters it belongs to."""
    commissions: tuple[str, ...] = refs("commissions")
    """Ids of the commissions that carry it."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""


@attrs.frozen
class Variant:
    """One version of a disputed fact, with the source that states it."""

    value: str
    """This version of the fact, as the source states it."""
    source: str = attrs.field(validator=slug, metadata={"ref": ("sources",)})
    """Id of the source that states it."""


@attrs.frozen
class Discrepancy:
    """Sources that disagree on a fact; every version is kept with its source."""

    id: str = attrs.field(validator=slug)
    """Unique id of the discrepancy across the cluster (a slug)."""
    subject: Text
    """The fact the sources disagree on."""
    variants: tuple[Variant, ...] = attrs.field(validator=attrs.validators.min_len(2))
    """Every version of it, each with its source (at least two)."""
    about: tuple[str, ...] = refs("any")
    """Ids of the objects the disputed fact belongs to."""
