"""``import nogentech`` is cheap: public names and heavy libraries load on first use."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import nogentech

HEAVY = (
    "icalendar",
    "vobject",
    "cattrs",
    "pluggy",
    "holidays",
    "dateutil",
    "tomllib",
    "hypothesis",
)


def modules_after(code: str, cwd: Path) -> list[str]:
    """The ``nogentech`` and heavy modules loaded by ``code`` in a new interpreter."""
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {HEAVY!r} or m.startswith('nogentech'))))"
    )
    return list(json.loads(_output(probe, cwd)))


def _output(code: str, cwd: Path) -> str:
    """What ``code`` prints in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
        timeout=120,
    )
    return done.stdout


def test_import_loads_no_heavy_library_and_no_submodule(tmp_path: Path) -> None:
    """``import nogentech`` runs the package's ``__init__`` only."""
    assert modules_after("import nogentech", tmp_path) == ["nogentech"]


def test_a_model_class_loads_the_model_but_not_the_libraries(tmp_path: Path) -> None:
    """``from nogentech import Cluster`` needs attrs and the model, not cattrs or pluggy."""
    found = modules_after("from nogentech import Cluster", tmp_path)
    assert "nogentech.cluster" in found
    assert not [m for m in found if m.split(".")[0] in HEAVY]


def test_next_command_needs_no_plugin_exporter_or_schema(tmp_path: Path) -> None:
    """``nogentech next`` loads the data, not the export machinery; a month of the
    built-in rule is told by date arithmetic, without dateutil."""
    code = (
        "import contextlib, io, sys\n"
        "from nogentech.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['next', '--after', '2025-01-01T00:00+01:00']) == 0\n"
    )
    modules_after(code, tmp_path)  # the first run fills the user cache, as on any machine
    found = modules_after(code, tmp_path)
    unwanted = [
        m
        for m in found
        if m.split(".")[0] in ("icalendar", "vobject", "pluggy", "dateutil")
        or m.startswith(("nogentech.exporters", "nogentech.plugins", "nogentech.hookspecs"))
        or m in ("nogentech.schema", "nogentech.web")
    ]
    assert unwanted == []


def test_export_ics_imports_what_the_feed_needs_only(tmp_path: Path) -> None:
    """``nogentech export ics`` of the built-in data writes the feed itself: no
    library of another format, no rule or holiday library, and none of the
    standard modules the feed does not use (those its own dependencies import
    anyway, as some of their versions do, are left aside)."""
    wanted = ("logging", "html", "uuid", "json", "pathlib", "urllib", "feedgen")
    probe = f"import attrs, pluggy, sys\nprint(sorted(m for m in {wanted!r} if m in sys.modules))"
    anyway = set(ast.literal_eval(_output(probe, tmp_path)))
    code = (
        "import os, sys\n"
        "from nogentech.cli import main\n"
        "saved = os.dup(1)\n"
        "os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
        "status = main(['export', 'ics'])\n"
        "os.dup2(saved, 1)\n"
        "assert status == 0\n"
    )
    listed = f"print(sorted(m for m in {wanted!r} if m in sys.modules))\n"
    _output(code + listed, tmp_path)  # the first run may write the user cache (the snapshot)
    assert set(ast.literal_eval(_output(code + listed, tmp_path))) <= anyway
    found = modules_after(code, tmp_path)
    assert [m for m in found if m.split(".")[0] in HEAVY and m.split(".")[0] != "pluggy"] == []


@pytest.mark.parametrize("name", nogentech.__all__)
def test_every_public_name_imports_from_the_package(name: str) -> None:
    """``from nogentech import X`` gives the object defined in its own module."""
    namespace: dict[str, object] = {}
    exec(f"from nogentech import {name}", namespace)
    assert namespace[name] is getattr(nogentech, name)


def test_public_names_are_the_objects_of_their_modules() -> None:
    """The lazily imported names are the very objects the submodules define."""
    from nogentech import cluster, exceptions, hookspecs, loading, meetings, plugins, text

    assert nogentech.Cluster is cluster.Cluster
    assert nogentech.DataError is exceptions.DataError
    assert nogentech.load is loading.load
    assert nogentech.SCHEMA_VERSION == loading.SCHEMA_VERSION
    assert nogentech.MeetingSeries is meetings.MeetingSeries
    assert nogentech.Text is text.Text
    assert nogentech.hookimpl is hookspecs.hookimpl
    assert nogentech.ExporterInfo is plugins.ExporterInfo


def test_dir_lists_every_public_name_and_the_model_modules() -> None:
    """``dir(nogentech)`` shows the public API before any name has been used."""
    listed = set(dir(nogentech))
    assert set(nogentech.__all__) <= listed
    assert {"cluster", "loading", "meetings", "text", "exceptions"} <= listed
    assert list(dir(nogentech)) == sorted(listed)


def test_model_modules_are_attributes_of_the_package(tmp_path: Path) -> None:
    """``nogentech.loading`` works after a bare ``import nogentech``, as it always has."""
    code = "import nogentech\nassert nogentech.loading.load is nogentech.load\n"
    assert "nogentech.loading" in modules_after(code, tmp_path)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Clusterr'"):
        nogentech.Clusterr  # noqa: B018


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from nogentech import *", namespace)
    assert set(nogentech.__all__) <= set(namespace)


@pytest.mark.slow
def test_mypy_sees_every_public_name(tmp_path: Path) -> None:
    """The names imported on first use keep their types for a type checker (not ``Any``)."""
    mypy = pytest.importorskip("mypy.api")
    script = tmp_path / "uses_nogentech.py"
    names = ", ".join(n for n in nogentech.__all__ if n != "__version__")
    script.write_text(
        f"from nogentech import {names}\n"
        "import nogentech\n"
        "wrong: int = nogentech.load()\n"
        "also_wrong: int = hookimpl\n"
        "version: str = nogentech.__version__\n",
        encoding="utf-8",
    )
    out, err, status = mypy.run(["--strict", "--cache-dir", str(tmp_path / "cache"), str(script)])
    assert status == 1, out + err
    assert 'expression has type "Cluster", variable has type "int"' in out
    assert 'expression has type "HookimplMarker", variable has type "int"' in out
    assert "Found 2 errors" in out


def test_loading_a_json_file_imports_no_serialization_library(tmp_path: Path) -> None:
    """A valid JSON file is built by the loader's own builders: neither cattrs nor
    the TOML parser, and, once their code is in the user cache, not pickle either,
    nor zlib (whose shared library is a third of a MiB of the first load)."""
    path = tmp_path / "data.json"
    path.write_bytes(nogentech.export(nogentech.load(), "json"))
    code = (
        "import sys, nogentech\n"
        f"cluster = nogentech.load({str(path)!r})\n"
        "assert cluster.companies\n"
        "names = ('pickle', 'cattrs', 'tomllib', 'zlib', 'binascii')\n"
        "print(sorted(m for m in names if m in sys.modules))\n"
    )
    _output(code, tmp_path)  # the first run may write the user cache (the builders)
    assert ast.literal_eval(_output(code, tmp_path)) == []


def test_dumping_a_cluster_to_json_imports_no_serialization_library(tmp_path: Path) -> None:
    """The JSON text of a cluster is made by the dumpers: neither cattrs nor pickle,
    once their plans are in the user cache; nor cattrs for the JSON export."""
    path = tmp_path / "data.json"
    path.write_bytes(nogentech.export(nogentech.load(), "json"))
    loaded = f"import sys, nogentech\ncluster = nogentech.load({str(path)!r})\n"
    names = "('pickle', 'cattrs', 'tomllib', 'zlib', 'binascii')"
    dumps = loaded + (
        "assert nogentech.dumps(cluster).startswith('{')\n"
        f"print(sorted(m for m in {names} if m in sys.modules))\n"
    )
    export = loaded + (
        "assert nogentech.export(cluster, 'json').startswith(b'{')\n"
        "print(sorted(m for m in ('cattrs', 'tomllib') if m in sys.modules))\n"
    )
    _output(dumps, tmp_path)  # the first run may write the user cache
    assert ast.literal_eval(_output(dumps, tmp_path)) == []
    assert ast.literal_eval(_output(export, tmp_path)) == []


EXPORT_PROBE = """
import os, sys
import nogentech
cluster = nogentech.load()
before = set(sys.modules)
data = nogentech.export(cluster, {format!r})
assert isinstance(data, bytes) and data
import json
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.parametrize(
    ("format_name", "others"),
    [
        (
            "vcard",
            (
                "nogentech.exporters.ics.",
                "nogentech.exporters.jsonld.",
                "nogentech.exporters.jcal.",
            ),
        ),
        (
            "ics",
            (
                "nogentech.exporters.vcard.",
                "nogentech.exporters.jsonld.",
                "nogentech.exporters.jcal.",
            ),
        ),
        (
            "jsonld",
            ("nogentech.exporters.ics.", "nogentech.exporters.vcard.", "nogentech.exporters.jcal."),
        ),
    ],
)
def test_an_export_imports_the_modules_of_its_own_format_only(
    tmp_path: Path, format_name: str, others: tuple[str, ...]
) -> None:
    """Every built-in format is registered, but only the one exported imports its
    private modules; the entry points are read back without pickle or
    ``importlib.metadata``, and the vCards' UIDs need neither OpenSSL (``hashlib``) nor
    :mod:`uuid`."""
    probe = (
        "import attrs, pluggy, sys\n"
        "print(sorted(m for m in ('hashlib', 'pickle', 'uuid') if m in sys.modules))"
    )
    anyway = set(ast.literal_eval(_output(probe, tmp_path)))
    code = EXPORT_PROBE.format(format=format_name)
    _output(code, tmp_path)  # the first run fills the user cache, as on any machine
    added = json.loads(_output(code, tmp_path))
    assert f"nogentech.exporters.{format_name}" in added
    assert [m for m in added if m.startswith(others)] == []
    unwanted = {"importlib.metadata", "nogentech._exporter_info", "hashlib", "pickle", "uuid"}
    unwanted -= anyway
    assert sorted(unwanted & set(added)) == []


def test_the_lazy_names_of_the_formats_are_there_and_listed() -> None:
    """The names a format's package leaves to first use import like any other."""
    from nogentech.exporters import ics, jcal, jsonld
    from nogentech.exporters.ics import _content, _render, _values

    assert ics.FALLBACK_STAMP is _content.FALLBACK_STAMP
    assert ics.feed_uid is _render.feed_uid
    assert ics.escape_text is _values.escape_text
    assert {"feed_uid", "recurrence_id", "expanded_uid", "select"} <= set(dir(ics))
    assert set(ics.__all__) <= set(dir(ics))
    assert callable(jsonld.schedule) and isinstance(jsonld.TYPES, dict)
    assert callable(jcal.unescape) and jcal.ICAL_TYPES and jcal.VCARD_TYPES
    for module in (ics, jcal, jsonld):
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            module.nope  # noqa: B018
    from nogentech import plugins

    assert plugins.ExporterInfo.__name__ == "ExporterInfo"
    assert {"ExporterInfo", "PluginFailure"} <= set(dir(plugins))
    assert set(plugins.__all__) <= set(dir(plugins))
    import typing

    assert typing.get_type_hints(plugins.formats)["return"] == list[plugins.ExporterInfo]
    hints = typing.get_type_hints(plugins.plugin_failures)
    assert hints["return"] == list[plugins.PluginFailure]
    assert str(plugins.PluginFailure("p", "E: x")) == "plugin 'p' failed: E: x"
    with pytest.raises(AttributeError):
        plugins.nope  # noqa: B018
