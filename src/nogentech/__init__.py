"""nogentech: a typed model of an industrial business cluster, and its data as feeds.

>>> import nogentech
>>> cluster = nogentech.load()          # the built-in Nogentech data
>>> cluster.name
'NOGENTECH'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cluster import Cluster
from .exceptions import (
    DataError,
    ExportError,
    MissingDependencyError,
    NogentechError,
    OptionError,
    PluginError,
    Problem,
    UnknownFormatError,
)
from .history import Discrepancy, KeyFigure, Milestone, Project, Source, Variant
from .loading import SCHEMA_VERSION, builtin_path, dumps, from_dict, load, loads, to_dict
from .meetings import Event, Meeting, MeetingSeries, Override
from .organisations import Commission, Company, FormerName, Sector, SubCluster
from .people import Person, Role
from .places import Place
from .text import PartialDate, Text

if TYPE_CHECKING:
    import pluggy

    from .plugins import ExporterInfo

    hookimpl: pluggy.HookimplMarker

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Cluster",
    "Commission",
    "Company",
    "DataError",
    "Discrepancy",
    "Event",
    "ExportError",
    "ExporterInfo",
    "FormerName",
    "KeyFigure",
    "Meeting",
    "MeetingSeries",
    "Milestone",
    "MissingDependencyError",
    "NogentechError",
    "OptionError",
    "Override",
    "PartialDate",
    "Person",
    "Place",
    "PluginError",
    "Problem",
    "Project",
    "Role",
    "Sector",
    "Source",
    "SubCluster",
    "Text",
    "UnknownFormatError",
    "Variant",
    "__version__",
    "builtin_path",
    "dumps",
    "export",
    "formats",
    "from_dict",
    "hookimpl",
    "load",
    "loads",
    "to_dict",
]


def export(cluster: Cluster, format: str, **options: Any) -> bytes:  # noqa: A002
    """Export ``cluster`` with the exporter named ``format`` (``"ics"``, ``"vcard"``, ``"json"``…).

    ``options`` are the exporter's own (``lang="en"``, ``expand=True``…); an
    unknown format or option raises an error that lists the valid ones.
    """
    from .plugins import export as _export

    return _export(cluster, format, **options)


def formats() -> list[ExporterInfo]:
    """Every registered exporter (built-in and from installed plugins), sorted by name."""
    from .plugins import formats as _formats

    return _formats()


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from .hookspecs import hookimpl

        return hookimpl
    if name == "ExporterInfo":
        from .plugins import ExporterInfo

        return ExporterInfo
    raise AttributeError(f"module 'nogentech' has no attribute {name!r}")
