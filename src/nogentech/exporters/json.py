"""The ``json`` exporter: the whole cluster as JSON, readable back by ``nogentech.load``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..plugins import Exporter, Hooks, Option

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..plugins import ExporterRegistry

MEDIA_TYPE = "application/json"


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """UTF-8 JSON of ``cluster`` with ``schema_version``; same data, same bytes."""
    import json

    from ..loading import to_dict

    document = to_dict(cluster)
    hooks.json_document(document, cluster, options)
    indent = options["indent"]
    text = json.dumps(document, ensure_ascii=False, indent=indent if indent > 0 else None)
    return (text + "\n").encode("utf-8")


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``json`` format."""
    registry.add(
        Exporter(
            name="json",
            extension="json",
            media_type=MEDIA_TYPE,
            description="The whole cluster as JSON (schema in `nogentech schema`).",
            render=render,
            options=(
                Option(
                    "indent",
                    "Spaces of indentation (0 to 8); 0 for one line.",
                    "int",
                    2,
                    minimum=0,
                    maximum=8,
                ),
            ),
        )
    )
