"""The ``jcard`` exporter: the vCard 4.0 export as jCard (RFC 7095), one array per card.

The cards are those of ``vcard`` with ``version=4`` and the same options, converted
line by line by :func:`nogentech.exporters.jcal.convert` (see ``docs/jcal.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..plugins import Exporter, Hooks

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..plugins import ExporterRegistry

MEDIA_TYPE = "application/vcard+json"


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """A JSON array of jCards: the ``vcard`` export (4.0) of the same options."""
    from .jcal import convert, dumps
    from .vcard import render as render_vcard

    text = render_vcard(cluster, {**options, "version": 4}, hooks).decode("utf-8")
    return dumps(convert(text, "vcard"))


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``jcard`` format, with the options of ``vcard`` but its version."""
    from .vcard import OPTIONS

    registry.add(
        Exporter(
            name="jcard",
            extension="jcard.json",
            media_type=MEDIA_TYPE,
            description="Organisations, people and groups as jCard (RFC 7095, from vCard 4.0).",
            render=render,
            options=tuple(o for o in OPTIONS if o.name != "version"),
        )
    )
