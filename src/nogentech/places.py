"""Places: countries, regions, départements, communes and venues."""

from __future__ import annotations

from typing import Literal

import attrs

from .text import Text, ref, refs, slug

__all__ = ["PLACE_KINDS", "Place", "PlaceKind"]

PlaceKind = Literal["country", "region", "departement", "commune", "venue"]
PLACE_KINDS: tuple[PlaceKind, ...] = ("country", "region", "departement", "commune", "venue")


@attrs.frozen
class Place:
    """A named place, nested in a larger one through ``within``.

    A venue (a building where meetings happen) sits within a commune, a commune
    within a département, and so on. Only what the data states is held: no street
    address or coordinates unless the source gives them.
    """

    id: str = attrs.field(validator=slug)
    kind: PlaceKind = attrs.field(validator=attrs.validators.in_(PLACE_KINDS))
    name: Text
    within: str | None = ref("places")
    organisation: str | None = ref("companies")
    """For a venue: the organisation whose premises it is."""
    neighbour: bool = False
    """For a département: a neighbouring one from which members joined."""
    address: str | None = None
    sources: tuple[str, ...] = refs("sources")
