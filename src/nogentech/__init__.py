"""nogentech: a typed model of an industrial business cluster, and its data as feeds.

>>> import nogentech
>>> cluster = nogentech.load()          # the built-in Nogentech data
>>> cluster.name
'NOGENTECH'

The public names are imported from their modules on first use, so that
``import nogentech`` stays cheap; ``from nogentech import Cluster`` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

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
    from .loading import (
        SCHEMA_VERSION,
        builtin_path,
        dump,
        dumps,
        from_dict,
        load,
        loads,
        to_dict,
    )
    from .meetings import Event, Meeting, MeetingSeries, Override
    from .organisations import Commission, Company, FormerName, Sector, SubCluster
    from .people import Person, Role
    from .places import Place
    from .plugins import ExporterInfo
    from .publishing import publish
    from .text import PartialDate, Text
    from .version import __version__

    hookimpl: pluggy.HookimplMarker


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
    "dump",
    "dumps",
    "export",
    "formats",
    "from_dict",
    "hookimpl",
    "load",
    "loads",
    "publish",
    "to_dict",
]

_HOMES: dict[str, tuple[str, ...]] = {
    "cluster": ("Cluster",),
    "exceptions": (
        "DataError",
        "ExportError",
        "MissingDependencyError",
        "NogentechError",
        "OptionError",
        "PluginError",
        "Problem",
        "UnknownFormatError",
    ),
    "history": ("Discrepancy", "KeyFigure", "Milestone", "Project", "Source", "Variant"),
    "loading": (
        "SCHEMA_VERSION",
        "builtin_path",
        "dump",
        "dumps",
        "from_dict",
        "load",
        "loads",
        "to_dict",
    ),
    "meetings": ("Event", "Meeting", "MeetingSeries", "Override"),
    "organisations": ("Commission", "Company", "FormerName", "Sector", "SubCluster"),
    "people": ("Person", "Role"),
    "places": ("Place",),
    "plugins": ("ExporterInfo",),
    "publishing": ("publish",),
    "hookspecs": ("hookimpl",),
    "text": ("PartialDate", "Text"),
    "version": ("__version__",),
}
_MODULE_OF: dict[str, str] = {name: module for module, names in _HOMES.items() for name in names}
"""The module that defines each public name imported on first use."""
_SUBMODULES = frozenset(
    (
        "references",
        "cluster",
        "exceptions",
        "history",
        "loading",
        "meetings",
        "organisations",
        "people",
        "places",
        "text",
    )
)
"""Submodules reachable as attributes of the package without importing them first."""


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
    module = _MODULE_OF.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
