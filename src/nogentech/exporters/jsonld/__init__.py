"""The ``jsonld`` exporter: the cluster as schema.org JSON-LD, for search engines and the web.

One ``@graph`` of nodes with fragment ids (``#nogentech``, ``#rencontres-du-jeudi``,
``#rencontres-du-jeudi/2023-10-12``), read against the address of the page that
embeds it (or ``base_url`` when given): the cluster as an ``Organization`` with its
sub-clusters (``subOrganization``), commissions (``department``), members, partners
and board (``member``), the organisations, people and places, each meeting series
as an ``EventSeries`` with its ``Schedule``, and each programmed or cancelled
occurrence and one-off event as an ``Event``. See ``docs/jsonld.md``.
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
    from ._events import schedule
    from ._org import TYPES

__all__ = ["CONTEXT", "MEDIA_TYPE", "TYPES", "document", "render", "schedule", "script"]


__getattr__, __dir__ = lazy_names(__name__, {"TYPES": "._org", "schedule": "._events"})
"""``TYPES`` and ``schedule``, imported on first use."""


MEDIA_TYPE = "application/ld+json"
CONTEXT = "https://schema.org"

OPTIONS = (
    LANG_OPTION,
    Option(
        "base_url",
        "Address the node ids are read against (default: none, they stay fragments).",
        "str",
    ),
)


def document(cluster: Cluster, options: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-LD document as a dict."""
    from ...meetings import event_meeting
    from ._events import event_node, series_node, shown_occurrences
    from ._org import cluster_node, company_node, group_node, person_node, place_node

    lang = options.get("lang") or "fr"
    graph: list[dict[str, Any]] = [cluster_node(cluster, lang)]
    graph += [group_node(cluster, s, lang) for s in cluster.sub_clusters]
    graph += [group_node(cluster, c, lang) for c in cluster.commissions]
    graph += [company_node(cluster, c, lang) for c in cluster.companies]
    graph += [person_node(p) for p in cluster.people]
    graph += [place_node(cluster, p, lang) for p in cluster.places]
    graph += [series_node(s, lang) for s in cluster.meeting_series]
    graph += [event_node(cluster, m, lang) for m in shown_occurrences(cluster)]
    graph += [event_node(cluster, event_meeting(e), lang) for e in cluster.events]
    out: dict[str, Any] = {"@context": CONTEXT}
    if options.get("base_url"):
        out["@context"] = [CONTEXT, {"@base": options["base_url"]}]
    out["@graph"] = graph
    return out


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """UTF-8 JSON-LD; same data and options, same bytes."""
    import json

    text = json.dumps(document(cluster, options), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def script(cluster: Cluster, options: Mapping[str, Any]) -> str:
    """The document as the body of a ``<script type="application/ld+json">`` element.

    Every ``<``, ``>`` and ``&`` is written as a JSON escape, so that no text of the
    data can close the element or open a comment.
    """
    import json

    text = json.dumps(document(cluster, options), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``jsonld`` format."""
    registry.add(
        Exporter(
            name="jsonld",
            extension="jsonld",
            media_type=MEDIA_TYPE,
            description="The cluster, its meetings and events as schema.org JSON-LD.",
            render=render,
            options=OPTIONS,
        )
    )
