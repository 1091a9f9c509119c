"""The ``ics`` exporter: the meetings as an iCalendar feed (RFC 5545) ready for subscription.

The feed's layout, options, stable UIDs and text rules are described in ``docs/ics.md``;
the private modules of this package build its values, VEVENTs and VTIMEZONEs. They are
imported on the first export, not when the format is registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ...plugins import LANG_OPTION, Exporter, Hooks, Option
from .. import lazy_names

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...plugins import ExporterRegistry
    from ._content import FALLBACK_STAMP
    from ._render import expanded_uid, feed_uid, recurrence_id, select
    from ._values import clean_text, escape_text

__all__ = [
    "FALLBACK_STAMP",
    "MEDIA_TYPE",
    "clean_text",
    "escape_text",
    "expanded_uid",
    "feed_uid",
    "recurrence_id",
    "render",
    "select",
]

_HOMES = {
    "FALLBACK_STAMP": "._content",
    "clean_text": "._values",
    "escape_text": "._values",
    "expanded_uid": "._render",
    "feed_uid": "._render",
    "recurrence_id": "._render",
    "select": "._render",
}
"""Where each public name lives: imported on first use, so registering the format is cheap."""


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


MEDIA_TYPE = "text/calendar"

OPTIONS = (
    LANG_OPTION,
    Option(
        "expand",
        "One VEVENT per occurrence, without RRULE (for clients that ignore recurrence).",
        "bool",
        False,
    ),
    Option(
        "start",
        "Keep meetings starting on or after this day; with expand, default: the first meeting.",
        "date",
    ),
    Option(
        "end",
        "Keep meetings starting before this day; with expand, default: 1 January two years "
        "after the last date the data mentions.",
        "date",
    ),
    Option("series", "Only these meeting series (ids; leaves out one-off events).", "list"),
    Option("sub_cluster", "Only series and events linked to these sub-clusters (ids).", "list"),
    Option("commission", "Only series and events linked to these commissions (ids).", "list"),
    Option("refresh", "Suggested refresh interval, an RFC 5545 duration.", "str", "PT12H"),
    Option(
        "occurrence",
        "Only this meeting (an id such as series-id/YYYY-MM-DD, or an event id), with the "
        "UID and RECURRENCE-ID it has in the feed.",
        "str",
    ),
)


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The iCalendar feed of ``cluster``'s meetings; same data and options, same bytes."""
    from ._render import render as build

    return build(cluster, options, hooks)


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``ics`` format."""
    registry.add(
        Exporter(
            name="ics",
            extension="ics",
            media_type=MEDIA_TYPE,
            description="The meetings as an iCalendar feed to subscribe to (RFC 5545).",
            render=render,
            options=OPTIONS,
        )
    )
