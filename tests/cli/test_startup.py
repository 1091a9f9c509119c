"""What a command imports in a fresh process once the caches are warm: only what it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nogentech import caches

LIBRARIES = ("pluggy", "icalendar", "vobject", "holidays", "tomllib", "cattrs")


def run(argv: list[str], cache: Path | None) -> tuple[str, list[str]]:
    """The output of ``nogentech ARGV`` in a new interpreter, and the libraries it imported."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from nogentech.cli import main\n"
        "out = io.TextIOWrapper(io.BytesIO(), encoding='utf-8')\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    status = main({argv!r})\n"
        "out.flush()\n"
        "found = sorted({m.split('.')[0] for m in sys.modules} & set(" + repr(LIBRARIES) + "))\n"
        "print(json.dumps([status, out.buffer.getvalue().decode(), found]))\n"
    )
    env = {**os.environ, caches.CACHE_ENV: str(cache) if cache is not None else ""}
    env.pop("NOGENTECH_LANG", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    status, output, found = json.loads(done.stdout)
    assert status == 0
    return output, found


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory that a first run of each command has filled."""
    cache = tmp_path_factory.mktemp("cache")
    for argv in COMMANDS:
        run(argv, cache)
    return cache


NEXT = ["next", "--after", "2024-05-01T00:00+02:00", "-n", "3"]
COMMANDS = [
    NEXT,
    ["next", "--after", "2024-05-01T00:00+02:00", "--json", "--lang", "en"],
    ["meetings", "--from", "2024-01-01", "--to", "2025-01-01"],
    ["meetings", "--from", "2024-01-01", "--to", "2025-01-01", "--json"],
    ["info"],
    ["info", "--json"],
    ["export", "ics"],
    ["export", "vcard"],
    ["export", "json"],
]


@pytest.mark.parametrize("argv", COMMANDS[:6], ids=[" ".join(a) for a in COMMANDS[:6]])
def test_reading_commands_import_no_heavy_library_when_warm(warm: Path, argv: list[str]) -> None:
    _, found = run(argv, warm)
    assert found == []


@pytest.mark.parametrize("argv", COMMANDS[6:], ids=[" ".join(a) for a in COMMANDS[6:]])
def test_an_export_that_does_not_mention_holidays_does_not_import_them(
    warm: Path, argv: list[str]
) -> None:
    _, found = run(argv, warm)
    assert "holidays" not in found
    assert "tomllib" not in found


def test_the_snapshot_gone_the_data_is_checked_again_still_without_the_holiday_library(
    warm: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (kept,) = warm.glob("holidays-*.marshal")
    (cache / kept.name).write_bytes(kept.read_bytes())
    output, found = run(["export", "ics"], cache)
    assert "BEGIN:VEVENT" in output
    assert "holidays" not in found
    assert "tomllib" in found  # read and checked from the TOML file, the snapshot missing
    assert len(list(cache.glob("builtin-cluster-*.pickle"))) == 1


def test_a_warm_run_prints_what_a_run_without_cache_prints(warm: Path) -> None:
    for argv in COMMANDS:
        with_cache, _ = run(argv, warm)
        without, found = run(argv, None)
        assert with_cache == without, argv
    assert "holidays" in found  # without a cache, the codes come from the library


def test_next_names_the_holiday_it_shows(warm: Path) -> None:
    output, found = run(NEXT, warm)
    assert "jour férié : Ascension" in output
    assert found == []


def test_loading_the_built_in_data_leaves_the_garbage_collector_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import argparse
    import gc

    from nogentech.cli import _common
    from nogentech.loading import builtin_path, loads

    seen: list[bool] = []

    def load(source: object) -> object:
        seen.append(gc.isenabled())
        return loads(builtin_path().read_bytes(), "toml")

    monkeypatch.setattr("nogentech.loading.load", load)
    assert gc.isenabled()
    cluster = _common.load_data(argparse.Namespace(data=None))
    assert cluster.name == "NOGENTECH"
    assert seen == [False]
    assert gc.isenabled()

    def broken(source: object) -> object:
        raise OSError("unreadable")

    monkeypatch.setattr("nogentech.loading.load", broken)
    with pytest.raises(OSError, match="unreadable"):
        _common.load_data(argparse.Namespace(data=None))
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr("nogentech.loading.load", load)
        _common.load_data(argparse.Namespace(data=None))
        assert not gc.isenabled()
    finally:
        gc.enable()
