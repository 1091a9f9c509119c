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
    """Unique id of the sector across the cluster (a slug: ``forging``)."""
    kind: SectorKind = attrs.field(validator=attrs.validators.in_(SECTOR_KINDS))
    """``trade`` (what firms do), ``market`` (whom they sell to) or ``service``."""
    name: Text
    """The sector's name, in French and English."""
    parent: str | None = ref("sectors")
    """Id of the broader sector this one is part of."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""


@attrs.frozen
class Company:
    """An organisation: a member firm, or a partner body, school, public agency…

    ``member`` is True for a member of the cluster's association, False for a
    known non-member, and None where the sources do not say.
    """

    id: str = attrs.field(validator=slug)
    """Unique id of the organisation across the cluster (a slug)."""
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    """The organisation's usual name."""
    kind: OrganisationKind = attrs.field(
        default="firm", validator=attrs.validators.in_(ORGANISATION_KINDS)
    )
    """``firm`` (the default), ``partner``, ``school``, ``public-body``, ``research-centre``,
    ``network`` or ``financial``.
    """
    member: bool | None = None
    """True for a member of the cluster, False for a known non-member, None when the sources do not
    say.
    """
    full_name: Text | None = None
    """The full or legal name, where it differs from ``name``."""
    description: Text | None = None
    """What the organisation does."""
    sectors: tuple[str, ...] = refs("sectors")
    """Ids of the sectors it works in."""
    places: tuple[str, ...] = refs("places")
    """Ids of the places where it is located."""
    parent: str | None = ref("companies")
    """The group this organisation belongs to (another company id)."""
    aliases: tuple[str, ...] = ()
    """Other spellings found in the sources."""
    website: str | None = None
    """Address of its website, where a source gives one."""
    email: str | None = None
    """E-mail address, where a source gives one."""
    phone: str | None = None
    """Telephone number, where a source gives one."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""

    def label(self) -> str:
        """The name shown to people."""
        return self.name


@attrs.frozen
class FormerName:
    """A name a sub-cluster had before, with when it stopped being used where known."""

    name: str
    """The former name."""
    expansion: Text | None = None
    """What the former name stands for, if it is an acronym."""
    until: PartialDate | None = None
    """When it stopped being used, where known."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""


@attrs.frozen
class SubCluster:
    """A thematic grouping of firms inside (or grown out of) the cluster."""

    id: str = attrs.field(validator=slug)
    """Unique id of the sub-cluster across the cluster (a slug: ``prosthesis-valley``)."""
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    """The sub-cluster's name."""
    expansion: Text | None = None
    """What an acronym name stands for."""
    focus: Text | None = None
    """Its field in a few words."""
    description: Text | None = None
    """A longer description."""
    founded: PartialDate | None = None
    """When it was founded, as far as known."""
    former_names: tuple[FormerName, ...] = ()
    """Names it had before."""
    members: tuple[str, ...] = refs("companies")
    """Ids of the organisations that belong to it (as far as the sources name them)."""
    sectors: tuple[str, ...] = refs("sectors")
    """Ids of the sectors it covers."""
    places: tuple[str, ...] = refs("places")
    """Ids of the places it is based in."""
    roadmap: tuple[Text, ...] = ()
    """The aims of its roadmap, one text each."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""


@attrs.frozen
class Commission:
    """A working commission of the association and its missions."""

    id: str = attrs.field(validator=slug)
    """Unique id of the commission across the cluster (a slug)."""
    name: Text
    """The commission's name."""
    missions: tuple[Text, ...] = ()
    """Its missions, one text each."""
    members: tuple[str, ...] = refs("companies", "people")
    """Ids of its members: organisations or people."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""
