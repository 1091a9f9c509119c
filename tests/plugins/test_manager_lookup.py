"""The plugin manager finds exactly the hook implementations pluggy's own finds.

``plugins._Manager`` answers some attributes of module plugins without pluggy's
lookup; for every attribute of every built-in plugin module, and of modules made
to hold every kind of attribute, its answer must be pluggy's.
"""

from __future__ import annotations

import functools
import importlib
import types
from typing import Any

import pluggy
import pytest

from nogentech import hookspecs, plugins

OTHER = pluggy.HookimplMarker("other")


def marked(registry: Any) -> None:
    """A hook implementation."""


def plain(registry: Any) -> None:
    """Not one."""


def borrowed() -> None:
    """No marker of its own, but a ``__func__`` that has one."""


borrowed.__func__ = hookspecs.hookimpl(marked)  # type: ignore[attr-defined]


class Dynamic:
    def __getattr__(self, name: str) -> Any:
        return hookspecs.hookimpl(lambda registry: None)


def _module(name: str, kind: type[types.ModuleType] = types.ModuleType) -> types.ModuleType:
    module = kind(name)
    values: dict[str, Any] = {
        "nogentech_register_exporters": hookspecs.hookimpl(marked),
        "plain": plain,
        "borrowed": borrowed,
        "static": staticmethod(hookspecs.hookimpl(lambda registry: None)),
        "klass": classmethod(hookspecs.hookimpl(lambda cls, registry: None)),
        "partial": functools.partial(hookspecs.hookimpl(marked), None),
        "builtin": len,
        "a_class": Dynamic,
        "an_instance": Dynamic(),
        "number": 3,
        "text": "nogentech_impl",
        "other_mark": OTHER(lambda registry: None),
        "bound": Dynamic().__getattr__,
    }
    vars(module).update(values)
    return module


class Shadowing(types.ModuleType):
    @property
    def nogentech_register_exporters(self) -> Any:  # a property over the marked function
        return None


def _answer(manager: pluggy.PluginManager, plugin: object, name: str) -> Any:
    try:
        return ("ok", manager.parse_hookimpl_opts(plugin, name))  # type: ignore[arg-type]
    except Exception as exc:  # the kind of failure is compared too
        return ("raised", type(exc))


PLUGINS = [
    *((name, lambda name=name: importlib.import_module(name)) for name in plugins.DEFAULT_PLUGINS),
    ("made", lambda: _module("made")),
    ("shadowing", lambda: _module("shadowing", Shadowing)),
]


@pytest.mark.parametrize("project", ["nogentech", "other"])
@pytest.mark.parametrize(("label", "make"), PLUGINS, ids=[label for label, _ in PLUGINS])
def test_every_attribute_is_answered_as_pluggy_answers(label: str, make: Any, project: str) -> None:
    plugin = make()
    ours, theirs = plugins._Manager(project), pluggy.PluginManager(project)
    names = dir(plugin)
    assert names
    differ = {
        name: (_answer(ours, plugin, name), _answer(theirs, plugin, name))
        for name in names
        if _answer(ours, plugin, name) != _answer(theirs, plugin, name)
    }
    assert differ == {}


def test_the_made_module_holds_what_the_comparison_needs() -> None:
    """The comparison above sees hook implementations, not only refusals (which of
    the wrapped ones pluggy takes depends on its version: the comparison holds for
    each, the lowest supported and the newest)."""
    module = _module("made")
    found = {
        name
        for name in dir(module)
        if pluggy.PluginManager("nogentech").parse_hookimpl_opts(module, name) is not None
    }
    assert "nogentech_register_exporters" in found
    assert not {"plain", "builtin", "number", "text", "other_mark"} & found
    other = {
        name
        for name in dir(module)
        if pluggy.PluginManager("other").parse_hookimpl_opts(module, name) is not None
    }
    assert "other_mark" in other
