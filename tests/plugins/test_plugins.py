"""The plugin system: built-in and third-party exporters, failures, options, the CLI."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pluggy
import pytest

import nogentech
from nogentech import Cluster, plugins
from nogentech.cli import main
from nogentech.exceptions import ExportError, OptionError, PluginError, UnknownFormatError
from nogentech.plugins import (
    DEFAULT_PLUGINS,
    DISABLE_ENV,
    Exporter,
    ExporterRegistry,
    Hooks,
    Option,
    get_plugin_manager,
    plugin_failures,
)

DEMO = Cluster("demo", "Démo")


def render_shout(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The cluster's name in capitals, then the options it received, as JSON."""
    shown = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in options.items()}
    times = options["times"]
    return (cluster.name.upper() * times + "\n" + json.dumps(shown, sort_keys=True)).encode()


SHOUT = Exporter(
    name="shout",
    extension="txt",
    media_type="text/plain",
    description="The cluster's name, loudly.",
    render=render_shout,
    options=(
        Option("times", "How many times.", "int", 1),
        Option("loud", "Louder.", "bool", False),
        Option("since", "A day.", "date"),
        Option("ids", "Some ids.", "list"),
        Option("lang", "Language.", "choice", "fr", ("fr", "en")),
    ),
)


class ShoutPlugin:
    """Registers the ``shout`` format."""

    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
        registry.add(SHOUT)


class Exporting:
    """Registers one exporter given at creation."""

    def __init__(self, exporter: Exporter) -> None:
        self.exporter = exporter

    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
        registry.add(self.exporter)


def failing_exporter(name: str, error: Exception) -> Exporter:
    def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
        raise error

    return Exporter(name, "txt", "text/plain", "Always fails.", render)


def names() -> list[str]:
    return [info.name for info in nogentech.formats()]


# -- registration -------------------------------------------------------------------


def test_builtins_are_registered_as_ordinary_plugins() -> None:
    """Each DEFAULT_PLUGINS module is registered under its name and implements the hook."""
    pm = get_plugin_manager()
    registered = dict(pm.list_name_plugin())
    for module_name in DEFAULT_PLUGINS:
        assert registered[module_name] is importlib.import_module(module_name)
    implementers = {
        impl.plugin_name for impl in pm.hook.nogentech_register_exporters.get_hookimpls()
    }
    assert set(DEFAULT_PLUGINS) <= implementers
    json_info = next(info for info in nogentech.formats() if info.name == "json")
    assert json_info.plugin == "nogentech.exporters.json"
    assert json_info.media_type == "application/json"
    assert plugin_failures() == []


def test_plugins_load_lazily_once() -> None:
    assert get_plugin_manager() is get_plugin_manager()
    plugins.reset()
    assert plugins._STATE is None
    get_plugin_manager()
    assert plugins._STATE is not None


def test_plugin_object_adds_a_format_that_exports() -> None:
    plugins.reset(plugins=[("shout", ShoutPlugin())])
    assert "shout" in names() and names() == sorted(names())
    info = next(i for i in nogentech.formats() if i.name == "shout")
    assert (info.plugin, info.extension, info.options) == ("shout", "txt", SHOUT.options)
    assert nogentech.export(DEMO, "shout", times=2).startswith("DÉMODÉMO\n".encode())


def test_duplicate_format_keeps_the_first_and_names_both_plugins() -> None:
    """A plugin registering ``json`` again is reported; the built-in one stays."""
    duplicate = Exporter("json", "json", "application/json", "Another JSON.", render_shout)
    plugins.reset(plugins=[("shout", ShoutPlugin()), ("copycat", Exporting(duplicate))])
    failures = plugin_failures()
    assert [f.plugin for f in failures] == ["copycat"]
    message = str(failures[0])
    assert "'json'" in message
    assert "'nogentech.exporters.json'" in message and "'copycat'" in message
    assert "PluginError" in message
    info = next(i for i in nogentech.formats() if i.name == "json")
    assert info.plugin == "nogentech.exporters.json"
    assert json.loads(nogentech.export(DEMO, "json"))["name"] == "Démo"
    assert "shout" in names()


def test_duplicate_between_two_plugins_keeps_the_one_registered_first() -> None:
    other = Exporter("shout", "txt", "text/plain", "Other shout.", render_shout)
    plugins.reset(plugins=[("first", ShoutPlugin()), ("second", Exporting(other))])
    assert [f.plugin for f in plugin_failures()] == ["second"]
    assert "both 'first' and 'second'" in plugin_failures()[0].error
    info = next(i for i in nogentech.formats() if i.name == "shout")
    assert (info.plugin, info.description) == ("first", SHOUT.description)


def test_registering_something_else_than_an_exporter_is_reported() -> None:
    class Sloppy:
        @nogentech.hookimpl
        def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
            registry.add({"name": "sloppy"})  # type: ignore[arg-type]

    plugins.reset(plugins=[("sloppy", Sloppy())])
    (failure,) = plugin_failures()
    assert failure.plugin == "sloppy" and "not an Exporter" in failure.error
    assert "sloppy" not in names()
    with pytest.raises(PluginError):
        ExporterRegistry().add("json")  # type: ignore[arg-type]


def test_plugin_raising_while_registering_is_reported_and_others_work() -> None:
    class Broken:
        @nogentech.hookimpl
        def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
            registry.add(Exporter("half", "txt", "text/plain", "Never kept.", render_shout))
            raise RuntimeError("no database")

    plugins.reset(plugins=[("shout", ShoutPlugin()), ("broken", Broken())])
    (failure,) = plugin_failures()
    assert (failure.plugin, failure.error) == ("broken", "RuntimeError: no database")
    assert str(failure) == "plugin 'broken' failed: RuntimeError: no database"
    assert "half" not in names()  # what it added before failing is dropped
    assert {"json", "shout"} <= set(names())
    assert nogentech.export(DEMO, "shout").startswith("DÉMO".encode())


def test_plugin_raising_in_an_enrichment_hook_is_named() -> None:
    """The failing hook stops that export with the plugin's name; other formats still work."""

    class Noisy:
        @nogentech.hookimpl
        def nogentech_json_document(self, document: dict[str, Any]) -> None:
            raise KeyError("x-missing")

    plugins.reset(plugins=[("noisy", Noisy()), ("shout", ShoutPlugin())])
    with pytest.raises(ExportError, match=r"plugin 'noisy' failed: KeyError: 'x-missing'") as info:
        nogentech.export(DEMO, "json")
    assert "nogentech_json_document" in str(info.value)
    assert nogentech.export(DEMO, "shout").startswith("DÉMO".encode())


def test_exporter_raising_becomes_an_export_error_naming_its_plugin() -> None:
    boom = failing_exporter("boom", ZeroDivisionError("division by zero"))
    plugins.reset(plugins=[("boomer", Exporting(boom))])
    with pytest.raises(ExportError, match=r"format 'boom' of plugin 'boomer' failed: Zero"):
        nogentech.export(DEMO, "boom")


def test_exporter_returning_text_is_an_export_error() -> None:
    def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
        return cluster.name  # type: ignore[return-value]

    plugins.reset(plugins=[("texty", Exporting(Exporter("texty", "t", "text/plain", "", render)))])
    with pytest.raises(ExportError, match="returned str, not bytes"):
        nogentech.export(DEMO, "texty")


def test_every_plugin_gets_the_json_document_hook_last_registered_first() -> None:
    calls: list[str] = []

    class Tagger:
        def __init__(self, tag: str) -> None:
            self.tag = tag

        @nogentech.hookimpl
        def nogentech_json_document(
            self, document: dict[str, Any], cluster: Cluster, options: Mapping[str, Any]
        ) -> None:
            calls.append(self.tag)
            document[f"x-{self.tag}"] = [cluster.id, options["indent"]]

    plugins.reset(plugins=[("a", Tagger("a")), ("b", Tagger("b"))])
    doc = json.loads(nogentech.export(DEMO, "json", indent=1))
    assert calls == ["b", "a"]
    assert (doc["x-a"], doc["x-b"]) == (["demo", 1], ["demo", 1])
    assert nogentech.loads(json.dumps(doc)) == DEMO


# -- entry points ---------------------------------------------------------------------


def make_distribution(root: Path, name: str, entry_points: str) -> None:
    """A minimal installed distribution (a ``.dist-info`` folder) under ``root``."""
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where tests install distributions; their modules are forgotten."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)
    yield root
    for name in set(sys.modules) - before:
        if name.startswith("nogentech_test_"):
            del sys.modules[name]


def test_entry_point_plugin_is_found_and_registered(site: Path) -> None:
    (site / "nogentech_test_hello.py").write_text(
        textwrap.dedent(
            """
            import nogentech
            from nogentech.plugins import Exporter

            def render(cluster, options, hooks):
                return f"hello {cluster.name}".encode()

            @nogentech.hookimpl
            def nogentech_register_exporters(registry):
                registry.add(Exporter("hello", "txt", "text/plain", "Greeting.", render))
            """
        )
    )
    make_distribution(site, "nogentech_test_hello", "[nogentech]\nhello = nogentech_test_hello\n")
    plugins.reset()
    assert get_plugin_manager().has_plugin("hello")
    assert next(i for i in nogentech.formats() if i.name == "hello").plugin == "hello"
    assert nogentech.export(DEMO, "hello") == "hello Démo".encode()


def test_entry_point_that_fails_to_import_is_reported(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_distribution(site, "nogentech_test_broken", "[nogentech]\nbroken = nogentech_test_gone\n")
    plugins.reset()
    (failure,) = plugin_failures()
    assert failure.plugin == "broken"
    assert failure.error.startswith("ModuleNotFoundError: No module named 'nogentech_test_gone'")
    assert "json" in names()
    assert main(["formats"]) == 0
    out, err = capsys.readouterr()
    assert "json" in out
    assert "warning: plugin 'broken' failed: ModuleNotFoundError" in err


def test_entry_point_objects_that_raise_on_load_are_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Any error while loading (not just a missing module) is kept with the plugin's name."""

    class Point:
        def __init__(self, name: str, error: Exception | None, value: object = None) -> None:
            self.name, self.error, self.value = name, error, value

        def load(self) -> object:
            if self.error is not None:
                raise self.error
            return self.value

    points = [Point("bad", SyntaxError("invalid syntax")), Point("shout", None, ShoutPlugin())]
    monkeypatch.setattr(plugins, "_entry_points", lambda: points)
    plugins.reset()
    assert [(f.plugin, f.error) for f in plugin_failures()] == [
        ("bad", "SyntaxError: invalid syntax")
    ]
    assert "shout" in names()


def test_disable_env_blocks_builtin_and_entry_point_plugins(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_distribution(site, "nogentech_test_broken", "[nogentech]\nbroken = nogentech_test_gone\n")
    monkeypatch.setenv(DISABLE_ENV, "nogentech.exporters.json, broken")
    plugins.reset()
    assert "json" not in names()
    assert plugin_failures() == []  # the broken plugin was not even loaded
    pm = get_plugin_manager()
    assert pm.is_blocked("nogentech.exporters.json") and pm.is_blocked("broken")
    with pytest.raises(UnknownFormatError):
        nogentech.export(DEMO, "json")
    monkeypatch.delenv(DISABLE_ENV)
    plugins.reset()
    assert "json" in names()


# -- formats and options --------------------------------------------------------------


def test_unknown_format_lists_the_valid_names() -> None:
    plugins.reset(plugins=[("shout", ShoutPlugin())])
    with pytest.raises(UnknownFormatError) as info:
        nogentech.export(DEMO, "xml")
    message = str(info.value)
    assert message.startswith("unknown format 'xml' (available: ")
    for name in names():
        assert name in message
    assert isinstance(info.value, nogentech.NogentechError)


def test_unknown_option_lists_the_valid_options() -> None:
    with pytest.raises(OptionError) as info:
        nogentech.export(DEMO, "json", colour="red", width=3)
    assert str(info.value) == (
        "unknown options 'colour', 'width' for format 'json' (valid: indent)"
    )


def test_options_given_as_text_are_coerced() -> None:
    """Text values (as from the command line or a URL) become bools, dates, lists, ints."""
    plugins.reset(plugins=[("shout", ShoutPlugin())])
    data = nogentech.export(
        DEMO, "shout", times="2", loud="true", since="2024-01-01", ids="a, b,,c", lang="en"
    )
    head, options = data.decode().split("\n")
    assert head == "DÉMODÉMO"
    assert json.loads(options) == {
        "ids": ["a", "b", "c"],
        "lang": "en",
        "loud": True,
        "since": "2024-01-01",
        "times": 2,
    }
    defaults = json.loads(nogentech.export(DEMO, "shout").decode().split("\n")[1])
    assert defaults == {"ids": None, "lang": "fr", "loud": False, "since": None, "times": 1}


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("bool", "true", True),
        ("bool", "No", False),
        ("bool", "1", True),
        ("int", "-3", -3),
        ("date", "2024-01-01", dt.date(2024, 1, 1)),
        ("list", "a,b", ("a", "b")),
        ("list", ["x"], ("x",)),
        ("str", "PT2H", "PT2H"),
    ],
)
def test_option_coercion(kind: Any, text: Any, value: Any) -> None:
    assert Option("o", "", kind).coerce(text) == value


DATE_EXPECTED = "expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31"


def test_dates_at_the_ends_of_the_range_are_accepted() -> None:
    since = Option("since", "", "date")
    assert since.coerce("1900-01-01") == dt.date(1900, 1, 1)
    assert since.coerce(dt.date(2199, 12, 31)) == dt.date(2199, 12, 31)
    assert Option("times", "", "int", minimum=0).coerce("0") == 0
    assert Option("indent", "", "int", minimum=0, maximum=8).coerce(" 8 ") == 8
    assert Option("times", "", "int").coerce("-" + "9" * 18) == -999_999_999_999_999_999


@pytest.mark.parametrize(
    ("option", "text", "expected"),
    [
        (Option("loud", "", "bool"), "maybe", "expected true or false"),
        (Option("loud", "", "bool"), 1, "expected true or false"),
        (Option("times", "", "int"), "2.5", "expected a whole number"),
        (Option("times", "", "int"), True, "expected a whole number"),
        (Option("times", "", "int", minimum=0), "-3", "expected a whole number of at least 0"),
        (Option("times", "", "int", minimum=1), 0, "expected a whole number of at least 1"),
        (Option("times", "", "int", maximum=8), 9, "expected a whole number of at most 8"),
        (
            Option("times", "", "int", minimum=0, maximum=8),
            "20000",
            "expected a whole number from 0 to 8",
        ),
        (Option("times", "", "int"), "9" * 5000, "expected a whole number"),
        (Option("times", "", "int"), "1" * 19, "expected a whole number"),
        (Option("times", "", "int"), "\u0663", "expected a whole number"),  # ARABIC-INDIC THREE
        (Option("times", "", "int"), "\u00b2", "expected a whole number"),  # SUPERSCRIPT TWO
        (Option("since", "", "date"), "01/02/2024", DATE_EXPECTED),
        (Option("since", "", "date"), dt.datetime(2024, 1, 1), DATE_EXPECTED),
        (Option("since", "", "date"), "0001-01-01", DATE_EXPECTED),
        (Option("since", "", "date"), "9999-12-31", DATE_EXPECTED),
        (Option("since", "", "date"), dt.date(2200, 1, 1), DATE_EXPECTED),
        (Option("lang", "", "choice", choices=("fr", "en")), "de", "expected one of fr, en"),
        (Option("ids", "", "list"), 3, "expected comma-separated ids"),
    ],
)
def test_bad_option_values_say_what_is_expected(option: Option, text: Any, expected: str) -> None:
    with pytest.raises(OptionError) as info:
        option.coerce(text)
    assert str(info.value) == f"option {option.name!r}: invalid value {text!r} ({expected})"


def test_exporter_names_are_checked() -> None:
    with pytest.raises(ValueError, match="must match regex"):
        Exporter("Bad Name", "txt", "text/plain", "", render_shout)


def test_hookimpl_is_pluggys_marker_for_nogentech() -> None:
    marker = nogentech.hookimpl
    assert isinstance(marker, pluggy.HookimplMarker)
    assert marker.project_name == "nogentech"

    @marker
    def nogentech_register_exporters(registry: ExporterRegistry) -> None:
        """A hook implementation."""

    assert hasattr(nogentech_register_exporters, "nogentech_impl")


def test_import_does_not_load_heavy_dependencies() -> None:
    """``import nogentech`` stays cheap: plugins and serialization load on first use."""
    code = (
        "import sys, nogentech\n"
        "heavy = ('pluggy', 'cattrs', 'icalendar', 'vobject')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
        "nogentech.formats()\n"
        "print('pluggy' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != DISABLE_ENV}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines() == ["[]", "True"]


# -- the command line -----------------------------------------------------------------


def test_cli_formats_lists_builtin_and_plugin_formats(capsys: pytest.CaptureFixture[str]) -> None:
    plugins.reset(plugins=[("shout", ShoutPlugin())])
    assert main(["formats"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert any(line.startswith("json ") and "application/json" in line for line in lines)
    assert any(line.startswith("shout ") and ".txt" in line for line in lines)
    assert any("--option indent=" in line and "(default: 2)" in line for line in lines)
    assert err == ""


def test_cli_export_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "cluster.json"
    assert main(["export", "json", "-o", str(target), "--option", "indent=0"]) == 0
    data = target.read_bytes()
    assert data == nogentech.export(nogentech.load(), "json", indent=0)
    assert data.count(b"\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cluster.json"]


def test_cli_export_failure_leaves_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exporter that raises: exit 1 with the plugin named, old file intact, no temp file."""
    plugins.reset(plugins=[("boomer", Exporting(failing_exporter("boom", OSError("disk"))))])
    target = tmp_path / "out.txt"
    target.write_bytes(b"previous export\n")
    assert main(["export", "boom", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err == "error: format 'boom' of plugin 'boomer' failed: OSError: disk\n"
    assert target.read_bytes() == b"previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_cli_export_failure_while_writing_leaves_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write itself fails after the temporary file is written: nothing is replaced."""
    target = tmp_path / "cluster.json"
    target.write_bytes(b"{}\n")

    def refuse(src: Any, dst: Any) -> None:
        assert Path(src).read_bytes().startswith(b'{\n  "schema_version": 1')
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr("nogentech.files.os.replace", refuse)
    assert main(["export", "json", "-o", str(target)]) == 1
    assert "Permission denied" in capsys.readouterr().err
    assert target.read_bytes() == b"{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cluster.json"]


def test_cli_passes_options_through(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    plugins.reset(plugins=[("shout", ShoutPlugin())])
    argv = ["export", "shout", "--option", "times=2", "--option", "ids=x,y", "--lang", "en"]
    assert main(argv) == 0
    head, options = capsysbinary.readouterr().out.decode().split("\n")
    assert head == "NOGENTECHNOGENTECH"
    assert json.loads(options)["ids"] == ["x", "y"]
    assert json.loads(options)["lang"] == "en"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["export", "json", "--option", "colour=red"],
            "error: unknown option 'colour' for format 'json' (valid: indent)\n",
        ),
        (
            ["export", "json", "--option", "indent=wide"],
            "error: option 'indent': invalid value 'wide' (expected a whole number from 0 to 8)\n",
        ),
        (
            ["export", "json", "--option", "indent=-3"],
            "error: option 'indent': invalid value '-3' (expected a whole number from 0 to 8)\n",
        ),
        (
            ["export", "json", "--option", "indent=9"],
            "error: option 'indent': invalid value '9' (expected a whole number from 0 to 8)\n",
        ),
        (
            ["export", "ics", "--lang", "en", "--option", "lang=fr"],
            "error: --lang en and --option lang=fr disagree: give one\n",
        ),
        (
            ["export", "ics", "--option", "expand=true", "--option", "end=9999-12-31"],
            "error: option 'end': invalid value '9999-12-31' "
            "(expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31)\n",
        ),
        (
            ["export", "ics", "--option", "expand=true", "--option", "end=2199-12-31"],
            "error: an expanded feed spans at most 100 years (asked for 2021-06-11 to "
            "2199-12-31): give 'start' and 'end' closer together\n",
        ),
        (["export", "json", "--lang", "en"], "error: format 'json' has no 'lang' option\n"),
    ],
)
def test_cli_bad_option_is_a_usage_error_without_traceback(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", message)


def test_cli_export_names_the_file_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "json", "-o", str(tmp_path)]) == 1
    missing = tmp_path / "no" / "such" / "dir.json"
    assert main(["export", "json", "-o", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"error: cannot write {tmp_path}: Is a directory\n"
        f"error: cannot write {missing}: No such file or directory\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == []


def test_cli_unknown_format_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "xml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown format 'xml' (available: ")
    assert "json" in err and "Traceback" not in err


def console_script() -> str:
    beside = Path(sys.executable).parent / "nogentech"
    found = str(beside) if beside.exists() else shutil.which("nogentech")
    assert found, "the nogentech console script is not installed"
    return found


def test_console_script_exports_json(tmp_path: Path) -> None:
    """The installed ``nogentech`` command lists formats and writes JSON that loads back."""
    env = {k: v for k, v in os.environ.items() if k != DISABLE_ENV}
    script = console_script()
    listed = subprocess.run(
        [script, "formats"], capture_output=True, text=True, check=True, env=env
    )
    assert any(line.split()[0] == "json" for line in listed.stdout.splitlines())
    target = tmp_path / "out.json"
    run = subprocess.run(
        [script, "export", "json", "--option", "indent=0", "-o", str(target)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    assert nogentech.load(target) == nogentech.load()
    bad = subprocess.run(
        [script, "export", "json", "--option", "colour=red"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2
    assert bad.stderr == "error: unknown option 'colour' for format 'json' (valid: indent)\n"
