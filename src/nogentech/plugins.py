"""The plugin manager: built-in exporters and installed plugins, loaded lazily once.

Built-in exporters are ordinary plugin modules listed in :data:`DEFAULT_PLUGINS`
and registered with the same ``register`` call as the plugins found through the
``nogentech`` entry point group. Set ``NOGENTECH_DISABLE_PLUGINS`` to a
comma-separated list of plugin names to block them.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from . import hookspecs
from ._exporter_types import LANG_OPTION as LANG_OPTION
from ._exporter_types import Exporter, ExporterInfo, ExporterRegistry, Option, PluginFailure
from ._exporter_types import OptionKind as OptionKind
from ._exporter_types import Renderer as Renderer
from .exceptions import ExportError, NogentechError, OptionError, UnknownFormatError

if TYPE_CHECKING:
    from .cluster import Cluster

__all__ = [
    "DEFAULT_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "Exporter",
    "ExporterInfo",
    "ExporterRegistry",
    "Hooks",
    "Option",
    "PluginFailure",
    "export",
    "formats",
    "get_plugin_manager",
    "plugin_failures",
    "reset",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "nogentech"
DISABLE_ENV = "NOGENTECH_DISABLE_PLUGINS"
DEFAULT_PLUGINS: tuple[str, ...] = (
    "nogentech.exporters.json",
    "nogentech.exporters.ics",
    "nogentech.exporters.vcard",
)


class Hooks:
    """Typed calls of the hooks, each plugin called in pluggy's order, failures named."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._pm = pm

    def _call(
        self, hook: str, kwargs: dict[str, Any], failures: list[PluginFailure] | None
    ) -> None:
        caller = getattr(self._pm.hook, hook)
        for impl in reversed(caller.get_hookimpls()):
            if impl.wrapper or impl.hookwrapper:
                continue
            args = [kwargs[name] for name in impl.argnames]
            try:
                impl.function(*args)
            except Exception as exc:
                failure = PluginFailure(impl.plugin_name, f"{type(exc).__name__}: {exc}")
                if failures is None:
                    raise ExportError(f"{failure} (in {hook})") from exc
                failures.append(failure)

    def register_exporters(self, registry: ExporterRegistry, failures: list[PluginFailure]) -> None:
        """Call ``nogentech_register_exporters`` on every plugin, recording failures.

        Plugins are called in the order they were registered (built-ins first,
        then installed plugins by entry point name), so on a duplicate format name
        the exporter registered first is kept and the later plugin is reported.
        """
        caller = self._pm.hook.nogentech_register_exporters
        for impl in caller.get_hookimpls():
            if impl.wrapper or impl.hookwrapper:
                continue
            registry._current = impl.plugin_name
            before = dict(registry._exporters)
            try:
                impl.function(*[{"registry": registry}[n] for n in impl.argnames])
            except Exception as exc:  # noqa: BLE001 - reported with the plugin's name
                registry._exporters = before
                failures.append(PluginFailure(impl.plugin_name, f"{type(exc).__name__}: {exc}"))
                log.warning("nogentech plugin %r failed to register: %s", impl.plugin_name, exc)

    def ics_calendar(self, calendar: Any, cluster: Cluster, options: Mapping[str, Any]) -> None:
        """Call ``nogentech_ics_calendar`` on every plugin."""
        kwargs = {"calendar": calendar, "cluster": cluster, "options": options}
        self._call("nogentech_ics_calendar", kwargs, None)

    def ics_event(
        self, event: Any, meeting: Any, cluster: Cluster, options: Mapping[str, Any]
    ) -> None:
        """Call ``nogentech_ics_event`` on every plugin."""
        kwargs = {"event": event, "meeting": meeting, "cluster": cluster, "options": options}
        self._call("nogentech_ics_event", kwargs, None)

    def vcard(self, card: Any, subject: Any, cluster: Cluster, options: Mapping[str, Any]) -> None:
        """Call ``nogentech_vcard`` on every plugin."""
        kwargs = {"card": card, "subject": subject, "cluster": cluster, "options": options}
        self._call("nogentech_vcard", kwargs, None)

    def json_document(
        self, document: dict[str, Any], cluster: Cluster, options: Mapping[str, Any]
    ) -> None:
        """Call ``nogentech_json_document`` on every plugin."""
        kwargs = {"document": document, "cluster": cluster, "options": options}
        self._call("nogentech_json_document", kwargs, None)

    def has(self, hook: str) -> bool:
        """True when at least one plugin implements ``hook``."""
        return bool(getattr(self._pm.hook, hook).get_hookimpls())


@attrs.define
class _State:
    pm: pluggy.PluginManager
    hooks: Hooks
    registry: ExporterRegistry
    failures: list[PluginFailure]


_STATE: _State | None = None


def _blocked() -> set[str]:
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def _entry_points() -> Iterable[Any]:
    from importlib.metadata import entry_points

    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _build(extra: Iterable[tuple[str, object]] = ()) -> _State:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    failures: list[PluginFailure] = []
    blocked = _blocked()
    for name in blocked:
        pm.set_blocked(name)
    for module_name in DEFAULT_PLUGINS:
        if module_name not in blocked:
            pm.register(importlib.import_module(module_name), name=module_name)
    for ep in _entry_points():
        if ep.name in blocked or pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the others
            failures.append(PluginFailure(ep.name, f"{type(exc).__name__}: {exc}"))
            log.warning("nogentech plugin %r failed to load: %s", ep.name, exc)
    for name, plugin in extra:
        pm.register(plugin, name=name)
    hooks = Hooks(pm)
    registry = ExporterRegistry()
    hooks.register_exporters(registry, failures)
    return _State(pm, hooks, registry, failures)


def _state() -> _State:
    global _STATE
    if _STATE is None:
        _STATE = _build()
    return _STATE


def get_plugin_manager() -> pluggy.PluginManager:
    """The plugin manager, created (and plugins loaded) on first use."""
    return _state().pm


def reset(plugins: Iterable[tuple[str, object]] = ()) -> None:
    """Forget the plugin manager; the next use loads plugins again.

    ``plugins`` are extra ``(name, plugin)`` pairs registered right away, as if
    installed (handy in tests and scripts).
    """
    global _STATE
    _STATE = _build(plugins) if plugins else None


def plugin_failures() -> list[PluginFailure]:
    """Plugins that failed to load or to register exporters."""
    return list(_state().failures)


def formats() -> list[ExporterInfo]:
    """Every registered exporter, sorted by name."""
    state = _state()
    out = []
    for name in state.registry.names():
        found = state.registry.get(name)
        assert found is not None
        exporter, plugin = found
        out.append(
            ExporterInfo(
                exporter.name,
                exporter.extension,
                exporter.media_type,
                exporter.description,
                exporter.options,
                plugin,
            )
        )
    return out


def get_exporter(name: str) -> Exporter:
    """The exporter named ``name``; :class:`UnknownFormatError` lists the valid names."""
    state = _state()
    found = state.registry.get(name)
    if found is None:
        valid = ", ".join(state.registry.names()) or "none"
        raise UnknownFormatError(f"unknown format {name!r} (available: {valid})")
    return found[0]


def resolve_options(exporter: Exporter, options: Mapping[str, Any]) -> dict[str, Any]:
    """Validated options with defaults; :class:`OptionError` lists the valid names."""
    declared = {o.name: o for o in exporter.options}
    unknown = sorted(set(options) - set(declared))
    if unknown:
        valid = ", ".join(sorted(declared)) or "none"
        raise OptionError(
            f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"for format {exporter.name!r} (valid: {valid})"
        )
    resolved = {name: opt.default for name, opt in declared.items()}
    for name, value in options.items():
        resolved[name] = declared[name].coerce(value)
    return resolved


def export(cluster: Cluster, format: str, **options: Any) -> bytes:  # noqa: A002
    """Run the exporter named ``format`` on ``cluster`` with ``options``.

    An exporter that fails with anything but a :class:`NogentechError`, or that
    returns something other than bytes, raises :class:`ExportError` naming its
    plugin.
    """
    state = _state()
    exporter = get_exporter(format)
    resolved = resolve_options(exporter, options)
    try:
        data = exporter.render(cluster, resolved, state.hooks)
    except NogentechError:
        raise
    except Exception as exc:
        raise ExportError(
            f"format {format!r} of plugin {_plugin_of(state, format)!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(data, bytes):
        raise ExportError(
            f"format {format!r} of plugin {_plugin_of(state, format)!r} returned "
            f"{type(data).__name__}, not bytes"
        )
    return data


def _plugin_of(state: _State, name: str) -> str:
    found = state.registry.get(name)
    return found[1] if found is not None else "?"
