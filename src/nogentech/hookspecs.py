"""Hook specifications of nogentech's plugin system (pluggy project name ``nogentech``).

A plugin is a module or object with functions decorated by :data:`hookimpl`
and named after the specifications below. Third-party plugins are found through
the ``nogentech`` entry point group::

    [project.entry-points.nogentech]
    csv = "nogentech_csv"

The built-in exporters are plugins too and use exactly these hooks; see
``docs/plugins.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ._exporter_types import ExporterRegistry
    from .cluster import Cluster
    from .meetings import Meeting

__all__ = [
    "hookimpl",
    "hookspec",
    "nogentech_ics_calendar",
    "nogentech_ics_event",
    "nogentech_json_document",
    "nogentech_register_exporters",
    "nogentech_vcard",
]

PROJECT = "nogentech"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Decorator for plugin functions: ``@nogentech.hookimpl``."""


@hookspec
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register export formats.

    Receives the :class:`~nogentech.plugins.ExporterRegistry`; call
    ``registry.add(Exporter(...))`` once per format. Returns nothing. Every
    plugin is called; a name registered twice is an error naming both plugins.
    A plugin that raises here is reported (``nogentech formats`` shows it) and
    the formats of the other plugins stay available.
    """


@hookspec
def nogentech_ics_calendar(calendar: Any, cluster: Cluster, options: Mapping[str, Any]) -> None:
    """Enrich the iCalendar feed as a whole, after its events are added.

    Receives the ``icalendar.Calendar`` being built, the cluster and the export
    options (already validated, with defaults). Change ``calendar`` in place
    (add a property, a component); returns nothing. Every plugin is called.
    """


@hookspec
def nogentech_ics_event(
    event: Any, meeting: Meeting | None, cluster: Cluster, options: Mapping[str, Any]
) -> None:
    """Enrich one VEVENT of the iCalendar feed.

    Receives the ``icalendar.Event`` just built, the :class:`~nogentech.Meeting`
    it shows (``None`` for the master VEVENT of a recurring series, whose
    ``meeting.series`` is then found in ``event["UID"]``), the cluster and the
    options. Change ``event`` in place; returns nothing. Every plugin is called.

    Set or add properties (``event["X-FOO"] = …``, ``event.add(…)``) rather than
    editing a value object found on the event: values that are the same for many
    events (stamps, categories, locations) are shared between them, so changing
    one in place (``event["CATEGORIES"].cats.append(…)``) would change them all.
    """


@hookspec
def nogentech_vcard(card: Any, subject: Any, cluster: Cluster, options: Mapping[str, Any]) -> None:
    """Enrich one vCard.

    Receives the ``vobject`` vCard component just built, what it describes (a
    :class:`~nogentech.Company`, :class:`~nogentech.Person`,
    :class:`~nogentech.SubCluster` or :class:`~nogentech.Commission`), the
    cluster and the options. Change ``card`` in place (``card.add("x-foo")``);
    returns nothing. Every plugin is called.
    """


@hookspec
def nogentech_json_document(
    document: dict[str, Any], cluster: Cluster, options: Mapping[str, Any]
) -> None:
    """Enrich the JSON export before it is written.

    Receives the document as plain data (``schema_version``, then the cluster's
    fields), the cluster and the options. Add keys under a name of your own
    (``document["x-myplugin"] = …``) so that ``nogentech.load`` can still read the
    built-in part; returns nothing. Every plugin is called.
    """
