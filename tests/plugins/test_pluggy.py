"""Hooks go through pluggy itself: wrappers, monitoring, pending checks, tracing, blame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Generator, Mapping, Sequence
from typing import Any

import pluggy
import pytest

import nogentech
from nogentech import Cluster, plugins
from nogentech.exceptions import ExportError
from nogentech.plugins import Exporter, ExporterRegistry, Hooks, get_plugin_manager, plugin_failures

DEMO = Cluster("demo", "Démo")


def test_a_hook_wrapper_sees_every_json_document_call_and_its_result() -> None:
    """A new-style wrapper (``wrapper=True``) wraps the call the exporter makes."""
    seen: list[str] = []

    class Wrapping:
        @nogentech.hookimpl(wrapper=True)
        def nogentech_json_document(self, document: dict[str, Any]) -> Generator[None, Any, Any]:
            seen.append(f"before:{document['schema_version']}")
            result = yield
            document["x-wrapped"] = True
            seen.append("after")
            return result

    class Tagging:
        @nogentech.hookimpl
        def nogentech_json_document(self, document: dict[str, Any]) -> None:
            seen.append("tag")
            document["x-tag"] = 1

    plugins.reset(plugins=[("wrapping", Wrapping()), ("tagging", Tagging())])
    doc = json.loads(nogentech.export(DEMO, "json"))
    assert seen == [f"before:{nogentech.SCHEMA_VERSION}", "tag", "after"]
    assert (doc["x-wrapped"], doc["x-tag"]) == (True, 1)


def test_call_monitoring_sees_the_enrichment_hooks_of_an_ics_export() -> None:
    """``add_hookcall_monitoring`` on the manager sees the calls the ics exporter makes."""
    calls: list[tuple[str, tuple[str, ...]]] = []

    class Coloring:
        @nogentech.hookimpl
        def nogentech_ics_calendar(self, calendar: Any) -> None:
            calendar.add("color", "teal")

    plugins.reset(plugins=[("coloring", Coloring())])
    pm = get_plugin_manager()

    def before(hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        calls.append((hook, tuple(i.plugin_name for i in impls)))

    def after(outcome: Any, hook: str, impls: Any, kwargs: Any) -> None:
        return None

    undo = pm.add_hookcall_monitoring(before, after)
    try:
        body = nogentech.export(nogentech.load(), "ics")
    finally:
        undo()
    assert b"COLOR:teal" in body
    assert ("nogentech_ics_calendar", ("coloring",)) in calls


def test_a_misspelled_hook_is_an_error_naming_the_plugin_which_is_then_skipped() -> None:
    class Typo:
        @nogentech.hookimpl
        def nogentech_json_documnet(self, document: dict[str, Any]) -> None:
            document["x-never"] = True

    class Good:
        @nogentech.hookimpl
        def nogentech_json_document(self, document: dict[str, Any]) -> None:
            document["x-good"] = True

    plugins.reset(plugins=[("typo", Typo()), ("good", Good())])
    (failure,) = plugin_failures()
    assert failure.plugin == "typo"
    assert "nogentech_json_documnet" in failure.error and "PluginValidationError" in failure.error
    assert not get_plugin_manager().has_plugin("typo")
    doc = json.loads(nogentech.export(DEMO, "json"))
    assert doc["x-good"] is True and "x-never" not in doc


def test_a_hook_with_an_unknown_argument_is_refused_at_registration() -> None:
    class Greedy:
        @nogentech.hookimpl
        def nogentech_json_document(self, document: dict[str, Any], colour: str) -> None:
            raise AssertionError("never called")

    plugins.reset(plugins=[("greedy", Greedy())])
    (failure,) = plugin_failures()
    assert failure.plugin == "greedy" and "colour" in failure.error
    assert json.loads(nogentech.export(DEMO, "json"))["name"] == "Démo"


def test_a_failing_hook_is_blamed_on_its_plugin_not_on_the_built_in_exporter() -> None:
    """The plugin that raised is named, even when several implement the hook."""

    class Quiet:
        @nogentech.hookimpl
        def nogentech_vcard(self, card: Any) -> None:
            card.add("note").value = "fine"

    class Loud:
        @nogentech.hookimpl
        def nogentech_vcard(self, card: Any) -> None:
            raise ValueError("no phone book")

    plugins.reset(plugins=[("loud", Loud()), ("quiet", Quiet())])
    with pytest.raises(ExportError) as info:
        nogentech.export(nogentech.load(), "vcard")
    message = str(info.value)
    expected = "plugin 'loud' failed: ValueError: no phone book (in nogentech_vcard)"
    assert message.startswith(expected)
    assert "NOGENTECH_DISABLE_PLUGINS=loud" in message
    assert "nogentech.exporters" not in message


def test_registration_goes_through_pluggy_and_keeps_each_exporter_with_its_plugin() -> None:
    """A wrapper around the registration hook runs for each plugin's registration."""
    wrapped: list[int] = []

    def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
        return b"x"

    class Counting:
        @nogentech.hookimpl(wrapper=True)
        def nogentech_register_exporters(
            self, registry: ExporterRegistry
        ) -> Generator[None, None, None]:
            wrapped.append(len(registry.names()))
            yield

    class Adding:
        @nogentech.hookimpl
        def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
            registry.add(Exporter("x", "x", "text/plain", "X.", render))

    plugins.reset(plugins=[("counting", Counting()), ("adding", Adding())])
    # each built-in plugin (one exporter each), then the test plugin, each wrapped
    assert wrapped == list(range(len(plugins.DEFAULT_PLUGINS) + 1))
    assert next(i for i in nogentech.formats() if i.name == "x").plugin == "adding"
    assert plugin_failures() == []


def test_the_tracing_switch_prints_each_hook_call(tmp_path: Any) -> None:
    """``NOGENTECH_TRACE_PLUGINS=1`` prints each hook call and who implements it on stderr."""
    env = {**os.environ, plugins.TRACE_ENV: "1"}
    env.pop(plugins.DISABLE_ENV, None)
    done = subprocess.run(
        [sys.executable, "-m", "nogentech", "export", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout)["name"] == "NOGENTECH"
    lines = done.stderr.splitlines()
    assert "nogentech: nogentech_register_exporters(registry) -> nogentech.exporters.json" in lines
    assert "nogentech: nogentech_register_exporters(registry) -> nogentech.exporters.vcard" in lines
    quiet = subprocess.run(
        [sys.executable, "-m", "nogentech", "export", "json"],
        capture_output=True,
        text=True,
        env={k: v for k, v in env.items() if k != plugins.TRACE_ENV},
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    assert "nogentech_register_exporters" not in quiet.stderr
