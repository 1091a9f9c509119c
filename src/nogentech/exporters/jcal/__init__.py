"""The ``jcal`` exporter: the iCalendar feed as jCal (RFC 7265), the same feed in JSON.

The ``ics`` export is rendered with the same options and each content line becomes a
``[name, parameters, type, value…]`` array (see :func:`convert`); the ``jcard``
exporter does the same for the vCard 4.0 export. Value types follow the RFCs as
Mozilla ical.js reads them; ``docs/jcal.md`` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from ...hookspecs import hookimpl
from ...plugins import Exporter, Hooks
from .. import lazy_names

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...plugins import ExporterRegistry
    from ._convert import ICAL_TYPES, VCARD_TYPES, unescape

__all__ = ["ICAL_TYPES", "MEDIA_TYPE", "VCARD_TYPES", "convert", "dumps", "render", "unescape"]

__getattr__, __dir__ = lazy_names(
    __name__, {"ICAL_TYPES": "._convert", "VCARD_TYPES": "._convert", "unescape": "._convert"}
)
"""The converter's tables and ``unescape``, imported on first use."""


MEDIA_TYPE = "application/calendar+json"


def convert(text: str, family: Literal["ical", "vcard"]) -> list[Any]:
    """The components of iCalendar (``"ical"``) or vCard (``"vcard"``) text as JSON arrays."""
    from ._convert import components

    return components(text, family)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON ending with a newline: same value, same bytes."""
    import json

    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The ``ics`` feed of the same options as one jCal ``vcalendar`` array."""
    from ..ics import render as render_ics

    (calendar,) = convert(render_ics(cluster, options, hooks).decode("utf-8"), "ical")
    return dumps(calendar)


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``jcal`` format, with the options of ``ics``."""
    from ..ics import OPTIONS

    registry.add(
        Exporter(
            name="jcal",
            extension="jcal.json",
            media_type=MEDIA_TYPE,
            description="The iCalendar feed as jCal (RFC 7265), with the options of ics.",
            render=render,
            options=OPTIONS,
        )
    )
