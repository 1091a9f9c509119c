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
    """Unique id of the place across the cluster (a slug: ``nogent``, ``canope-chaumont``)."""
    kind: PlaceKind = attrs.field(validator=attrs.validators.in_(PLACE_KINDS))
    """What sort of place it is: ``country``, ``region``, ``departement``, ``commune`` or
    ``venue``.
    """
    name: Text
    """The place's name, in French and English where they differ."""
    within: str | None = ref("places")
    """Id of the larger place it lies in (a venue's commune, a commune's département)."""
    organisation: str | None = ref("companies")
    """For a venue: the organisation whose premises it is."""
    neighbour: bool = False
    """For a département: a neighbouring one from which members joined."""
    address: str | None = None
    """Street address, as the sources give it."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""
