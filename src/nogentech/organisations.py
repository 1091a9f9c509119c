"""Organisations, sectors, sub-clusters and commissions."""

from __future__ import annotations

from typing import Literal

import attrs

from .text import PartialDate, Text, ref, refs, slug

__all__ = [
    "ORGANISATION_KINDS",
    "SECTOR_KINDS",
    "Commission",
    "Company",
    "FormerName",
    "OrganisationKind",
    "Sector",
    "SectorKind",
    "SubCluster",
]

SectorKind = Literal["trade", "market", "service"]
SECTOR_KINDS: tuple[SectorKind, ...] = ("trade", "market", "service")

OrganisationKind = Literal[
    "firm", "partner", "school", "public-body", "research-centre", "network", "financial"
]
ORGANISATION_KINDS: tuple[OrganisationKind, ...] = (
    "firm",
    "partner",
    "school",
    "public-body",
    "research-centre",
    "network",
    "financial",
)


@attrs.frozen
class Sector:
    """One entry of the sector taxonomy: a trade (forging), a market (aerospace) or a service."""

    id: str = attrs.field(validator=slug)
    kind: SectorKind = attrs.field(validator=attrs.validators.in_(SECTOR_KINDS))
    name: Text
    parent: str | None = ref("sectors")
    sources: tuple[str, ...] = refs("sources")


@attrs.frozen
class Company:
    """An organisation: a member firm, or a partner body, school, public agency…

    ``member`` is True for a member of the cluster's association, False for a
    known non-member, and None where the sources do not say.
    """

    id: str = attrs.field(validator=slug)
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    kind: OrganisationKind = attrs.field(
        default="firm", validator=attrs.validators.in_(ORGANISATION_KINDS)
    )
    member: bool | None = None
    full_name: Text | None = None
    description: Text | None = None
    sectors: tuple[str, ...] = refs("sectors")
    places: tuple[str, ...] = refs("places")
    parent: str | None = ref("companies")
    """The group this organisation belongs to (another company id)."""
    aliases: tuple[str, ...] = ()
    """Other spellings found in the sources."""
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    sources: tuple[str, ...] = refs("sources")

    def label(self) -> str:
        """The name shown to people."""
        return self.name


@attrs.frozen
class FormerName:
    """A name a sub-cluster had before, with when it stopped being used where known."""

    name: str
    expansion: Text | None = None
    until: PartialDate | None = None
    sources: tuple[str, ...] = refs("sources")


@attrs.frozen
class SubCluster:
    """A thematic grouping of firms inside (or grown out of) the cluster."""

    id: str = attrs.field(validator=slug)
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    expansion: Text | None = None
    """What an acronym name stands for."""
    focus: Text | None = None
    description: Text | None = None
    founded: PartialDate | None = None
    former_names: tuple[FormerName, ...] = ()
    members: tuple[str, ...] = refs("companies")
    sectors: tuple[str, ...] = refs("sectors")
    places: tuple[str, ...] = refs("places")
    roadmap: tuple[Text, ...] = ()
    sources: tuple[str, ...] = refs("sources")


@attrs.frozen
class Commission:
    """A working commission of the association and its missions."""

    id: str = attrs.field(validator=slug)
    name: Text
    missions: tuple[Text, ...] = ()
    members: tuple[str, ...] = refs("companies", "people")
    sources: tuple[str, ...] = refs("sources")
