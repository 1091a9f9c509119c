"""Every hook in ``nogentech.hookspecs`` is documented in ``docs/plugins.md``; its examples run."""

from __future__ import annotations

import doctest
import inspect
import json
import re
import sys
import types

import pluggy
import pytest

import nogentech
from nogentech import hookspecs, plugins
from tests.support import ROOT

DOC = ROOT / "docs" / "plugins.md"
HEADING = re.compile(r"^### `(nogentech_\w+)\(([^)]*)\)`$", re.MULTILINE)


def hook_names() -> list[str]:
    """The hooks pluggy finds in ``nogentech.hookspecs`` (not a list kept by hand)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return sorted(name for name in vars(pm.hook) if name.startswith("nogentech_"))


def sections() -> dict[str, tuple[str, str]]:
    """Hook name → (arguments in the heading, text up to the next heading)."""
    text = DOC.read_text("utf-8")
    found = {}
    for match in HEADING.finditer(text):
        rest = text[match.end() :]
        end = re.search(r"^#{1,3} ", rest, re.MULTILINE)
        found[match.group(1)] = (match.group(2), rest[: end.start() if end else None])
    return found


def prose(section: str) -> str:
    """The section without its code blocks."""
    return re.sub(r"```.*?```", "", section, flags=re.DOTALL)


def test_there_are_hooks_to_check() -> None:
    assert len(hook_names()) >= 5
    assert "nogentech_register_exporters" in hook_names()


@pytest.mark.parametrize("hook", hook_names())
def test_hook_is_documented(hook: str) -> None:
    """A heading with the hook's exact signature, then a description of some length."""
    documented = sections()
    assert hook in documented, f"{hook} has no '### `{hook}(…)`' heading in {DOC.name}"
    arguments, section = documented[hook]
    spec = getattr(hookspecs, hook)
    assert arguments == ", ".join(inspect.signature(spec).parameters)
    words = re.findall(r"[A-Za-z]+", prose(section))
    assert len(words) >= 25, f"the description of {hook} is too short"
    assert "Receives" in prose(section) and "returns" in prose(section).lower()


def test_no_documented_hook_is_missing_from_the_specs() -> None:
    assert sorted(sections()) == hook_names()


@pytest.mark.parametrize("hook", hook_names())
def test_hookspec_has_a_full_docstring(hook: str) -> None:
    """The specs themselves say what each hook receives and returns."""
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "Receives" in doc and "eturns" in doc and len(doc.splitlines()) >= 3


# -- the examples of docs/plugins.md run --------------------------------------------


def plugin_examples() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.DOTALL)
    return [block for block in blocks if "@nogentech.hookimpl" in block]


def as_module(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, f"{DOC.name}:{name}", "exec"), module.__dict__)
    return module


def test_every_hook_has_a_running_example() -> None:
    implemented = set()
    for index, source in enumerate(plugin_examples()):
        module = as_module(source, f"example{index}")
        implemented |= {name for name in vars(module) if name.startswith("nogentech_")}
    assert implemented == set(hook_names())


@pytest.mark.parametrize("index", range(len(plugin_examples())))
def test_plugin_example_runs_with_every_format(index: int) -> None:
    """Each example registers cleanly, and every format still exports the built-in data."""
    module = as_module(plugin_examples()[index], f"example{index}")
    plugins.reset(plugins=[(f"example{index}", module)])
    pm = plugins.get_plugin_manager()
    pm.check_pending()  # every hook it implements exists, with arguments the spec has
    assert plugins.plugin_failures() == []
    cluster = nogentech.load()
    for info in nogentech.formats():
        assert nogentech.export(cluster, info.name)


def test_names_example_exports_sorted_names() -> None:
    (source,) = [s for s in plugin_examples() if "nogentech_register_exporters" in s]
    plugins.reset(plugins=[("names", as_module(source, "names"))])
    cluster = nogentech.load()
    data = nogentech.export(cluster, "names", sort="yes")
    assert data.decode("utf-8").splitlines() == sorted(c.name for c in cluster.companies)


ENRICHMENTS = {
    # hook: (format, text the example adds to the built-in data's export)
    "nogentech_ics_calendar": ("ics", "X-NOGENTECH-ORGANISATIONS:"),
    "nogentech_ics_event": ("ics", "COLOR:darkorange"),
    "nogentech_vcard": ("vcard", "X-NOGENTECH-KIND:firm"),
    "nogentech_json_document": ("json", '"x-counts": {'),
}


@pytest.mark.parametrize("hook", sorted(ENRICHMENTS))
def test_enrichment_example_shows_in_the_export(hook: str) -> None:
    """Each enrichment example reaches its format: what it adds is in the output."""
    (source,) = [s for s in plugin_examples() if f"def {hook}(" in s]
    fmt, added = ENRICHMENTS[hook]
    cluster = nogentech.load()
    before = nogentech.export(cluster, fmt).decode("utf-8")
    plugins.reset(plugins=[("example", as_module(source, "example"))])
    after = nogentech.export(cluster, fmt).decode("utf-8")
    assert added not in before and added in after
    if hook == "nogentech_ics_event":
        assert after.count(added) == len(cluster.events)


def test_session_trying_the_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``pycon`` session gives the output it shows, the names example as its module."""
    (source,) = [s for s in plugin_examples() if "nogentech_register_exporters" in s]
    monkeypatch.setitem(sys.modules, "nogentech_names", as_module(source, "nogentech_names"))
    (session,) = re.findall(r"```pycon\n(.*?)```", DOC.read_text("utf-8"), flags=re.DOTALL)
    test = doctest.DocTestParser().get_doctest(session, {}, DOC.name, str(DOC), 0)
    assert len(test.examples) >= 5
    results = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)
    assert results.failed == 0
    assert plugins._STATE is None  # the session ends by going back to the installed plugins


def test_json_example_adds_its_counts() -> None:
    (source,) = [s for s in plugin_examples() if "nogentech_json_document" in s]
    plugins.reset(plugins=[("counts", as_module(source, "counts"))])
    cluster = nogentech.load()
    data = nogentech.export(cluster, "json")
    assert json.loads(data)["x-counts"] == {
        "organisations": len(cluster.companies),
        "members": len(cluster.members()),
        "people": len(cluster.people),
    }
    assert nogentech.loads(data.decode("utf-8")) == cluster
