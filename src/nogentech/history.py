"""History and facts about the cluster: milestones, key figures, projects, sources."""

from __future__ import annotations

from typing import Literal

import attrs

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


@attrs.frozen
class Source:
    """A document the data comes from."""

    id: str = attrs.field(validator=slug)
    title: Text
    file: str | None = None
    language: str | None = None
    url: str | None = None


@attrs.frozen
class Milestone:
    """A dated step in the cluster's history: a label, a prize, a foundation…

    ``date`` is as precise as the source: a year, a month or a day; None when
    the source gives no date.
    """

    id: str = attrs.field(validator=slug)
    kind: MilestoneKind = attrs.field(validator=attrs.validators.in_(MILESTONE_KINDS))
    title: Text
    date: PartialDate | None = None
    description: Text | None = None
    by: tuple[str, ...] = refs("companies", "people", "sub_clusters", "commissions", "cluster")
    """Ids of the bodies that awarded, decided or supported it."""
    subject: str | None = ref("any")
    """Id of what the milestone is about when not the cluster itself."""
    sources: tuple[str, ...] = refs("sources")


@attrs.frozen
class KeyFigure:
    """A figure such as the number of members, jobs or revenue, with its year or source.

    ``qualifier`` keeps how precise the source is: ``more-than`` for "plus de
    3 000", ``about`` for "une cinquantaine", ``exact`` otherwise.
    """

    id: str = attrs.field(validator=slug)
    subject: str = attrs.field(
        validator=slug, metadata={"ref": ("cluster", "sub_clusters", "companies")}
    )
    measure: FigureMeasure = attrs.field(validator=attrs.validators.in_(FIGURE_MEASURES))
    value: float
    unit: str
    qualifier: Literal["exact", "about", "more-than"] = attrs.field(
        default="exact", validator=attrs.validators.in_(("exact", "about", "more-than"))
    )
    year: int | None = None
    label: Text | None = None
    sources: tuple[str, ...] = refs("sources")

    def __attrs_post_init__(self) -> None:
        if self.year is None and not self.sources:
            raise ValueError("a key figure needs a 'year' or 'sources'")


@attrs.frozen
class Project:
    """A study, project or action under way."""

    id: str = attrs.field(validator=slug)
    title: Text
    status: Literal["planned", "under-way", "done", "postponed"] = attrs.field(
        default="under-way",
        validator=attrs.validators.in_(("planned", "under-way", "done", "postponed")),
    )
    description: Text | None = None
    partners: tuple[str, ...] = refs("companies")
    start: PartialDate | None = None
    sub_clusters: tuple[str, ...] = refs("sub_clusters")
    commissions: tuple[str, ...] = refs("commissions")
    sources: tuple[str, ...] = refs("sources")


@attrs.frozen
class Variant:
    """One version of a disputed fact, with the source that states it."""

    value: str
    source: str = attrs.field(validator=slug, metadata={"ref": ("sources",)})


@attrs.frozen
class Discrepancy:
    """Sources that disagree on a fact; every version is kept with its source."""

    id: str = attrs.field(validator=slug)
    subject: Text
    variants: tuple[Variant, ...] = attrs.field(validator=attrs.validators.min_len(2))
    about: tuple[str, ...] = refs("any")
    """Ids of the objects the disputed fact belongs to."""
