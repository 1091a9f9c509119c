"""The plugin manager: built-in exporters and installed plugins, loaded lazily once.

Built-ins are ordinary plugin modules (:data:`DEFAULT_PLUGINS`) registered with the
same call as the ``nogentech`` entry points; see ``docs/plugins.md``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import sys
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from ._exporter_types import DISABLE_ENV as DISABLE_ENV
from ._exporter_types import LANG_OPTION as LANG_OPTION
from ._exporter_types import (
    Exporter,
    ExporterRegistry,
    Hooks,
    Option,
    culprit,
)
from ._exporter_types import OptionKind as OptionKind
from ._exporter_types import Renderer as Renderer
from .exceptions import (
    ExportError,
    NogentechError,
    OptionError,
    UnknownFormatError,
    did_you_mean,
)

if TYPE_CHECKING:
    from ._exporter_info import ExporterInfo, PluginFailure
    from .cluster import Cluster

__all__ = [
    "DEFAULT_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "TRACE_ENV",
    "Exporter",
    "ExporterInfo",
    "ExporterRegistry",
    "Hooks",
    "Option",
    "PluginFailure",
    "distribution_of",
    "export",
    "formats",
    "get_plugin_manager",
    "installed_plugins",
    "plugin_failures",
    "reset",
]


def __getattr__(name: str) -> Any:
    """:class:`ExporterInfo` and :class:`PluginFailure`, defined on first use: an export
    makes neither. Both are then names of the module, so that the type hints of
    :func:`formats` and :func:`plugin_failures` resolve (``typing.get_type_hints``)."""
    if name not in ("ExporterInfo", "PluginFailure"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ._exporter_info import ExporterInfo, PluginFailure

    globals().update(ExporterInfo=ExporterInfo, PluginFailure=PluginFailure)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), "ExporterInfo", "PluginFailure"})


ENTRY_POINT_GROUP = "nogentech"
TRACE_ENV = "NOGENTECH_TRACE_PLUGINS"
"""Environment variable: when set (``1``), every hook call is printed on standard error."""
DEFAULT_PLUGINS: tuple[str, ...] = (
    "nogentech.exporters.json",
    "nogentech.exporters.ics",
    "nogentech.exporters.vcard",
    "nogentech.exporters.occurrences",
    "nogentech.exporters.jcal",
    "nogentech.exporters.jcard",
    "nogentech.exporters.jsonld",
    "nogentech.exporters.atom",
)


class _State:
    """The plugin manager of the process, its hooks, exporters, failures and distributions.

    A plain class: making an attrs class costs more at start-up than this one is worth.
    """

    __slots__ = ("dists", "failures", "hooks", "pm", "registry")

    def __init__(
        self,
        pm: pluggy.PluginManager,
        hooks: Hooks,
        registry: ExporterRegistry,
        failures: list[PluginFailure],
        dists: dict[str, tuple[str, str]],
    ) -> None:
        self.pm = pm
        self.hooks = hooks
        self.registry = registry
        self.failures = failures
        self.dists = dists


_STATE: _State | None = None


def _blocked() -> set[str]:
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def _entry_points() -> Iterable[Any]:
    """The installed ``nogentech`` entry points, by name.

    Reading every distribution's metadata costs more than the rest of a short command
    (``importlib.metadata`` and the ``email`` parser it needs), so what it found is
    kept in the cache (:mod:`nogentech.caches`) with what each folder of the import
    path held (see :func:`_still`): a distribution installed, removed or with its
    entry points written or rewritten is seen at once.
    """
    from . import caches

    where = "\n".join([sys.prefix, *sys.path])
    name = caches.file_name("entry-points", where, "marshal")
    key = "\n".join([ENTRY_POINT_GROUP, *sys.path]).encode("utf-8", "surrogateescape")
    found = caches.read(name, key, plain=True)
    again = _still(found)
    if again is not None:
        folders, points = again
        if folders is not found[0]:  # a folder changed, not its distributions
            caches.write(name, key, [folders, found[1]], plain=True)
        return points
    folders = [_folder(entry) for entry in sys.path]
    from importlib.metadata import entry_points

    found_points = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    kept = []
    for ep in found_points:
        dist = getattr(ep, "dist", None)
        kept.append((ep.name, ep.value, (dist.name, dist.version) if dist is not None else None))
    caches.write(name, key, [folders, kept], plain=True)
    return found_points


_Folder = tuple[str, str, list[tuple[str, str]]]
"""What the cache holds of a folder of the import path: see :func:`_still`."""


def _still(found: Any) -> tuple[list[_Folder], list[_EntryPoint]] | None:
    """The folders and entry points of the cache as they are now, or None if stale.

    For each folder of the import path the cache holds its figures (time, change
    time, inode, link count, size) and, for each distribution in it, those of its
    ``entry_points.txt`` (``-`` when it has none). Installing or removing a
    distribution adds or removes a metadata folder, which changes the figures of
    the folder holding it (the signal Python's import system trusts to see a new
    module); writing an entry points file changes its own. While a folder's figures
    are the same, only its distributions' files are looked at again; a folder
    whose figures changed (a file written in the current folder) is listed again,
    and the entry points still hold if it has the same distributions with the same
    files (the folders are then returned anew, for the cache to keep).
    """
    try:
        folders, kept = found
        points = [_EntryPoint(*_checked_point(item)) for item in kept]
        if len(folders) != len(sys.path):
            return None
        changed = False
        now: list[_Folder] = []
        for entry, (where, figures, dists) in zip(sys.path, folders, strict=True):
            if where != entry:
                return None
            current = _figures(entry or os.curdir)
            if current != figures:
                if _distributions(entry) != dists:
                    return None
                changed = True
            elif not _same_distributions(entry, dists):
                return None
            now.append((entry, current, dists))
    except (TypeError, ValueError):  # an older or a damaged file
        return None
    return (now if changed else folders), points


def _checked_point(item: Any) -> tuple[str, str, tuple[str, str] | None]:
    """``item`` of the cache as an entry point's fields; TypeError if it is not one."""
    name, value, source = item
    if type(name) is not str or type(value) is not str:
        raise TypeError(item)
    if source is not None:
        dist, version = source
        if type(dist) is not str or type(version) is not str:
            raise TypeError(item)
        source = (dist, version)
    return name, value, source


def _folder(entry: str) -> _Folder:
    """What the cache holds of the folder ``entry`` (its figures first): see :func:`_still`."""
    figures = _figures(entry or os.curdir)
    return (entry, figures, _distributions(entry))


def _figures(path: str, dir_fd: int | None = None) -> str:
    """The time, change time, inode, link count and size of ``path`` (``-`` if none)."""
    try:
        info = os.stat(path, dir_fd=dir_fd)
    except (OSError, ValueError):
        return "-"
    return f"{info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino} {info.st_nlink} {info.st_size}"


def _meta_figures(folder: str, meta: str, dir_fd: int | None = None) -> str:
    """The figures of ``meta/entry_points.txt`` in ``folder`` (``-`` if it has none)."""
    where = os.path.join(meta, "entry_points.txt")
    return _figures(where if dir_fd is not None else os.path.join(folder, where), dir_fd)


def _same_distributions(entry: str, dists: list[tuple[str, str]]) -> bool:
    """True when each distribution of ``dists`` in the folder ``entry`` has its figures."""
    if not dists:
        return True
    folder = entry or os.curdir
    with _opened(folder) as fd:
        for meta, figured in dists:
            if _meta_figures(folder, meta, fd) != figured:
                return False
    return True


@contextlib.contextmanager
def _opened(folder: str) -> Iterator[int | None]:
    """A descriptor of ``folder`` to look files up from, where the system allows it."""
    fd = None
    if os.stat in os.supports_dir_fd:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            fd = None
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def _distributions(entry: str) -> list[tuple[str, str]]:
    """Each distribution's metadata folder in the folder ``entry``, with its figures
    (see :func:`_meta_figures`).

    Where the system allows it, each file is looked up from the open folder rather
    than from the root: a site-packages folder holds a hundred distributions or more.
    """
    folder = entry or os.curdir
    try:
        names = sorted(os.listdir(folder))
    except (OSError, ValueError):
        return []
    metas = [name for name in names if name.endswith((".dist-info", ".egg-info"))]
    if not metas:
        return []
    with _opened(folder) as fd:
        return [(meta, _meta_figures(folder, meta, fd)) for meta in metas]


class _Distribution:
    """The name and version of the distribution of an entry point found earlier.

    This class and the next are plain: making a named tuple costs more at start-up.
    """

    __slots__ = ("name", "version")

    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version


class _EntryPoint:
    """An entry point found earlier: its name, its ``module:attribute`` value, its distribution."""

    __slots__ = ("name", "source", "value")

    def __init__(self, name: str, value: str, source: Sequence[str] | None) -> None:
        self.name = name
        self.value = value
        self.source = source

    def __repr__(self) -> str:
        return f"_EntryPoint({self.name!r}, {self.value!r}, {self.source!r})"

    @property
    def dist(self) -> _Distribution | None:
        return _Distribution(self.source[0], self.source[1]) if self.source is not None else None

    def load(self) -> Any:
        """Import the module and look up the attribute, as ``EntryPoint.load`` does."""
        target = self.value.split("[", 1)[0].strip()
        module, _, attribute = target.partition(":")
        found: Any = importlib.import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            found = getattr(found, part)
        return found


def _fail(failures: list[PluginFailure], name: str, exc: BaseException, doing: str) -> None:
    from ._exporter_info import PluginFailure

    failures.append(PluginFailure(name, f"{type(exc).__name__}: {exc}"))
    import logging  # only when a plugin fails: an export imports no logging otherwise

    logging.getLogger(__name__).warning("nogentech plugin %r failed to %s: %s", name, doing, exc)


def _register(
    pm: pluggy.PluginManager, name: str, load: Any, failures: list[PluginFailure]
) -> None:
    """Import (``load()``) and register one plugin; any failure, SystemExit included, is kept."""
    try:
        pm.register(load(), name=name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken plugin must not break the others
        _fail(failures, name, exc, "load")


def _check_pending(pm: pluggy.PluginManager, failures: list[PluginFailure]) -> None:
    """Unregister every plugin whose hook implementations match no specification."""
    while True:
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) or repr(exc.plugin)
            pm.unregister(exc.plugin)
            _fail(failures, name, exc, "load")
        else:
            return


def _register_exporters(
    pm: pluggy.PluginManager, registry: ExporterRegistry, failures: list[PluginFailure]
) -> None:
    """Call ``nogentech_register_exporters`` plugin by plugin, in the order they were registered.

    Each plugin is called through pluggy's own subset caller (wrappers and monitoring
    included), so that what it adds is kept with its name, a duplicate name keeps
    the exporter registered first and names the later plugin, and a plugin that
    raises leaves nothing behind while the others register as usual.
    """
    caller = pm.hook.nogentech_register_exporters
    impls = [i for i in caller.get_hookimpls() if not (i.wrapper or i.hookwrapper)]
    for impl in impls:
        others = [i.plugin for i in impls if i is not impl]
        call = pm.subset_hook_caller(caller.name, remove_plugins=others) if others else caller
        try:
            with registry.registering(impl.plugin_name):
                call(registry=registry)
        except Exception as exc:  # noqa: BLE001 - reported with the plugin's name
            name = culprit(exc, [impl]) or impl.plugin_name
            _fail(failures, name, exc, "register")


def _trace(pm: pluggy.PluginManager) -> None:
    """Print every hook call, its implementations and its outcome on standard error."""

    def before(hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        names = ", ".join(i.plugin_name for i in reversed(impls))
        print(f"nogentech: {hook}({', '.join(kwargs)}) -> {names}", file=sys.stderr)

    def after(
        outcome: pluggy.Result[Any],
        hook: str,
        impls: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, Any],
    ) -> None:
        error = outcome.exception
        if error is not None:
            print(f"nogentech: {hook} raised {type(error).__name__}: {error}", file=sys.stderr)

    pm.add_hookcall_monitoring(before, after)


_NEVER_HOOKS = frozenset(
    {type(None), bool, int, float, str, bytes, tuple, list, dict, set, frozenset}
    | {type, types.ModuleType}
)
"""Types of module attributes that are never functions (a class's methods are not
looked for in a module plugin)."""


class _Manager(pluggy.PluginManager):
    """pluggy's manager, which looks for hook implementations only where a module defines them.

    pluggy asks a plugin for every name ``dir()`` lists; some of its versions then
    get each attribute, which imports every name a package leaves to its module
    ``__getattr__`` (the vCard exporter's cards, writer and selection) whatever
    the export. A name a module does not define itself is never a hook
    implementation, nor is one whose value is not a routine, nor a function that
    carries no marker. Anything else, and any plugin that is not a plain module, is
    left to pluggy.
    """

    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:
        if type(plugin) is types.ModuleType:
            value = vars(plugin).get(name)
            kind = type(value)
            if kind in _NEVER_HOOKS:
                return None  # what pluggy concludes too, after a slower static lookup
            if kind is types.FunctionType:
                # Without the marker pluggy looks for, nor a __func__ to look in, a
                # function is no hook implementation, whatever pluggy's version.
                held = value.__dict__
                if self.project_name + "_impl" not in held and "__func__" not in held:
                    return None
            elif not isinstance(value, (staticmethod, classmethod)) and not inspect.isroutine(
                value
            ):
                return None
        return super().parse_hookimpl_opts(plugin, name)


def _build(extra: Iterable[tuple[str, object]] = ()) -> _State:
    pm = _Manager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    failures: list[PluginFailure] = []
    blocked = _blocked()
    for name in blocked:
        pm.set_blocked(name)
    dists: dict[str, tuple[str, str]] = {}
    for module_name in DEFAULT_PLUGINS:
        dists[module_name] = ("nogentech", _own_version())
        if module_name not in blocked:
            pm.register(importlib.import_module(module_name), name=module_name)
    for ep in _entry_points():
        dist = getattr(ep, "dist", None)
        if dist is not None and ep.name not in dists:
            dists[ep.name] = (dist.name, dist.version)
        if ep.name in blocked or pm.has_plugin(ep.name):
            continue
        _register(pm, ep.name, ep.load, failures)
    for name, plugin in extra:
        _register(pm, name, lambda plugin=plugin: plugin, failures)
    _check_pending(pm, failures)
    if os.environ.get(TRACE_ENV, "").strip() not in ("", "0"):
        _trace(pm)
    registry = ExporterRegistry()
    _register_exporters(pm, registry, failures)
    return _State(pm, Hooks(pm), registry, failures, dists)


def _own_version() -> str:
    from .version import __version__

    return __version__


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


def installed_plugins() -> list[str]:
    """Names of the built-in plugins and of the installed ``nogentech`` entry points.

    Loaded or not: a plugin named in ``NOGENTECH_DISABLE_PLUGINS`` is among them.
    """
    return list(_state().dists)


def distribution_of(plugin: str) -> tuple[str, str] | None:
    """``(distribution name, version)`` of the package that installed ``plugin``, if known.

    The built-in plugins come with ``nogentech`` itself; a plugin given to
    :func:`reset` has none.
    """
    return _state().dists.get(plugin)


def formats() -> list[ExporterInfo]:
    """Every registered exporter, sorted by name."""
    from ._exporter_info import ExporterInfo

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
        names = state.registry.names()
        valid = ", ".join(names) or "none"
        raise UnknownFormatError(
            f"unknown format {name!r} (available: {valid}){did_you_mean(name, names)}"
        )
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
            f"{did_you_mean(unknown[0], declared) if len(unknown) == 1 else ''}"
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
