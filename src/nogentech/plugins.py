"""The plugin manager: built-in exporters and installed plugins, loaded lazily once.

Built-in exporters are ordinary plugin modules listed in :data:`DEFAULT_PLUGINS`
and registered with the same ``register`` call as the plugins found through the
``nogentech`` entry point group. Set ``NOGENTECH_DISABLE_PLUGINS`` to a
comma-separated list of plugin names to block them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pluggy

from . import hookspecs
from .exceptions import (
    ExportError,
    NogentechError,
    OptionError,
    PluginError,
    UnknownFormatError,
)

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

OptionKind = Literal["str", "bool", "int", "date", "choice", "list"]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@attrs.frozen
class Option:
    """An option an exporter accepts.

    ``kind`` says how a text value (from the command line or a URL) is read:
    ``bool`` (true/false/yes/no/1/0), ``int``, ``date`` (YYYY-MM-DD), ``choice``
    (one of ``choices``), ``list`` (comma-separated ids) or ``str``.
    """

    name: str
    description: str
    kind: OptionKind = "str"
    default: Any = None
    choices: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        """``value`` as this option's type; :class:`OptionError` if it does not fit."""
        bad = OptionError(f"option {self.name!r}: invalid value {value!r} ({self.expected()})")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise bad
        if self.kind == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
            raise bad
        if self.kind == "date":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            try:
                return dt.date.fromisoformat(value) if isinstance(value, str) else _raise(bad)
            except ValueError:
                raise bad from None
        if self.kind == "list":
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
                raise bad
            return tuple(i.strip() for i in items if i.strip())
        if not isinstance(value, str):
            raise bad
        if self.kind == "choice" and value not in self.choices:
            raise bad
        return value

    def expected(self) -> str:
        """A short description of the accepted values."""
        return {
            "bool": "expected true or false",
            "int": "expected a whole number",
            "date": "expected a date YYYY-MM-DD",
            "list": "expected comma-separated ids",
            "str": "expected text",
            "choice": "expected one of " + ", ".join(self.choices),
        }[self.kind]


def _raise(exc: Exception) -> Any:
    raise exc


LANG_OPTION = Option("lang", "Language of the text: fr or en.", "choice", "fr", ("fr", "en"))
"""The ``lang`` option every built-in exporter accepts."""

Renderer = Callable[["Cluster", Mapping[str, Any], "Hooks"], bytes]


@attrs.frozen
class ExporterInfo:
    """What a user sees of an exporter: its name, file extension, media type, options."""

    name: str
    extension: str
    media_type: str
    description: str
    options: tuple[Option, ...]
    plugin: str


@attrs.frozen
class Exporter:
    """An export format a plugin registers.

    ``render(cluster, options, hooks)`` returns the bytes of the export;
    ``options`` holds every declared option, validated and with its default;
    ``hooks`` lets the exporter call the enrichment hooks of other plugins.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(r"^[a-z0-9][a-z0-9_-]*$"))
    extension: str
    media_type: str
    description: str
    render: Renderer = attrs.field(repr=False)
    options: tuple[Option, ...] = ()


class ExporterRegistry:
    """Collects the exporters plugins register through ``nogentech_register_exporters``."""

    def __init__(self) -> None:
        self._exporters: dict[str, tuple[Exporter, str]] = {}
        self._current = "?"

    def add(self, exporter: Exporter) -> None:
        """Register ``exporter``; a name already taken raises :class:`PluginError`."""
        if not isinstance(exporter, Exporter):
            raise PluginError(f"plugin {self._current!r} registered {exporter!r}, not an Exporter")
        taken = self._exporters.get(exporter.name)
        if taken is not None:
            raise PluginError(
                f"format {exporter.name!r} is registered by both {taken[1]!r} and {self._current!r}"
            )
        self._exporters[exporter.name] = (exporter, self._current)

    def get(self, name: str) -> tuple[Exporter, str] | None:
        """The exporter named ``name`` and the plugin that registered it."""
        return self._exporters.get(name)

    def names(self) -> list[str]:
        """Registered format names, sorted."""
        return sorted(self._exporters)


@attrs.frozen
class PluginFailure:
    """A plugin that failed to load or to register, with the error."""

    plugin: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} failed: {self.error}"


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
