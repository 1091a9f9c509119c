"""A ``csv`` export format for nogentech: the organisations of a cluster, one per row.

Installed, this package is found through its entry point::

    [project.entry-points.nogentech]
    csv = "nogentech_csv"

and ``nogentech export csv`` writes one row per organisation with the columns
in :data:`COLUMNS`. The output is UTF-8 with ``\\r\\n`` line ends and quoting as
RFC 4180 describes; rows follow the order of the data, so the same data always
gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from nogentech import Cluster, Company, hookimpl
from nogentech.plugins import Exporter, ExporterRegistry, Hooks, Option

__all__ = ["COLUMNS", "EXPORTER", "SEPARATOR", "nogentech_register_exporters", "render", "row"]

COLUMNS = ("id", "name", "kind", "member", "communes", "sectors", "sub_clusters")
"""The header row."""

SEPARATOR = "; "
"""Joins several names in one cell."""


def _communes(cluster: Cluster, company: Company, lang: str) -> list[str]:
    """Names of the communes the company is in: its places, or the commune around them."""
    names: list[str] = []
    for ident in company.places:
        place = cluster.place_of(ident)
        while place.kind != "commune" and place.within is not None:
            place = cluster.place_of(place.within)
        name = place.name.get(lang)
        if place.kind == "commune" and name not in names:
            names.append(name)
    return names


def _member(value: bool | None) -> str:
    if value is None:
        return ""
    return "true" if value else "false"


def row(cluster: Cluster, company: Company, lang: str) -> list[str]:
    """The cells of ``company``'s row, names in ``lang`` (``"fr"`` or ``"en"``)."""
    sectors = [cluster.sector(s).name.get(lang) for s in company.sectors]
    sub_clusters = [s.name for s in cluster.sub_clusters_of(company.id)]
    return [
        company.id,
        company.name,
        company.kind,
        _member(company.member),
        SEPARATOR.join(_communes(cluster, company, lang)),
        SEPARATOR.join(sectors),
        SEPARATOR.join(sub_clusters),
    ]


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The CSV bytes: a header, then one row per organisation (members only if asked)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for company in cluster.companies:
        if options["members_only"] and company.member is not True:
            continue
        writer.writerow(row(cluster, company, options["lang"]))
    return buffer.getvalue().encode("utf-8")


EXPORTER = Exporter(
    name="csv",
    extension="csv",
    media_type="text/csv; charset=utf-8",
    description="The organisations as a spreadsheet (RFC 4180 CSV).",
    render=render,
    options=(
        Option(
            "lang", "Language of sector and commune names: fr or en.", "choice", "fr", ("fr", "en")
        ),
        Option("members_only", "Only the members of the association.", "bool", False),
    ),
)


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``csv`` format."""
    registry.add(EXPORTER)
