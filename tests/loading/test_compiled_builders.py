"""The builders' code objects, kept in the user cache and taken back by a later run."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nogentech
from nogentech import builders, caches, loading

# A fresh process that loads the built-in data from its TOML text (no snapshot) and
# a JSON copy of it, and says how many builder sources it compiled.
PROBE = """
import builtins, json, sys
compiled = []
plain = builtins.compile
def counting(source, filename, *args, **kwargs):
    if str(filename).startswith("<nogentech builder "):
        compiled.append(filename)
    return plain(source, filename, *args, **kwargs)
builtins.compile = counting
import nogentech
from nogentech.loading import builtin_path, loads
toml = loads(builtin_path().read_bytes(), "toml")
again = loads(open(sys.argv[1], "rb").read())
assert again == toml
print(json.dumps({"compiled": len(compiled), "dump": nogentech.export(toml, "json").decode()}))
"""


def run(cache: Path | str, data: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(data)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**_environment(), caches.CACHE_ENV: str(cache)},
    )
    found: dict[str, object] = json.loads(done.stdout)
    return found


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != caches.CACHE_ENV}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "nogentech.json"
    built = loading.loads(loading.builtin_path().read_bytes(), "toml")
    path.write_bytes(nogentech.export(built, "json"))
    return path


def cache_file(directory: Path) -> Path:
    (found,) = directory.glob("builders-*.marshal")
    return found


def test_a_later_run_compiles_no_builder_and_loads_the_same(tmp_path: Path, data: Path) -> None:
    cache = tmp_path / "cache"
    first = run(cache, data)
    assert first["compiled"] > 10  # one builder per class of the model met
    assert cache_file(cache).is_file()
    second = run(cache, data)
    assert second["compiled"] == 0
    assert second["dump"] == first["dump"]


def test_without_a_cache_every_run_compiles(tmp_path: Path, data: Path) -> None:
    first = run("", data)
    second = run("", data)
    assert first["compiled"] == second["compiled"] > 10
    assert second["dump"] == first["dump"]
    assert not any(tmp_path.glob("**/builders-*.marshal"))


def test_entries_that_do_not_read_back_are_compiled_again(tmp_path: Path, data: Path) -> None:
    """Code that is not a code object, or one of another builder, is not used."""
    cache = tmp_path / "cache"
    first = run(cache, data)
    path = cache_file(cache)
    raw = path.read_bytes()
    head, body = _split(raw)
    entries = marshal.loads(body)
    other = marshal.dumps(compile("x = 1", "<nogentech builder elsewhere>", "exec"))
    spoilt = {
        key: (b"\x00not marshal" if n % 3 == 0 else marshal.dumps(7) if n % 3 == 1 else other)
        for n, key in enumerate(entries)
    }
    path.write_bytes(head + marshal.dumps(spoilt))
    second = run(cache, data)
    assert second["compiled"] == first["compiled"]
    assert second["dump"] == first["dump"]
    # The entries compiled again are written back.
    assert run(cache, data)["compiled"] == 0


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """A cache file's head (magic and key) and its marshalled body."""
    start = len(b"nogentech-cache 1 marshal\n")
    size = int.from_bytes(raw[start : start + 8], "big")
    end = start + 8 + size
    return raw[:end], raw[end:]


def test_the_cache_is_written_once_with_this_runs_sources_past_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path))
    kept = builders._CompiledCode()
    monkeypatch.setattr(kept, "MOST", 3)
    for n in range(3):
        kept.compile(f"x = {n}\n", f"<nogentech builder test {n}>")
    kept.flush()
    assert len(marshal.loads(_split(cache_file(tmp_path).read_bytes())[1])) == 3
    # Another run compiles two more: with the three on file it would keep five.
    later = builders._CompiledCode()
    monkeypatch.setattr(later, "MOST", 3)
    for n in range(3, 5):
        later.compile(f"x = {n}\n", f"<nogentech builder test {n}>")
    later.flush()
    entries = marshal.loads(_split(cache_file(tmp_path).read_bytes())[1])
    assert len(entries) == 2
    # And a third run takes those two back without compiling.
    taken = builders._CompiledCode()
    code = taken.compile("x = 4\n", "<nogentech builder test 4>")
    assert taken._new == {}
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert namespace["x"] == 4


def test_a_kept_code_object_is_used_only_for_its_own_file_name_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path))
    source, filename = "x = 2\n", "<nogentech builder test>"
    planted = {
        builders._CompiledCode.key(source, filename): marshal.dumps(
            compile("x = 3\n", "<nogentech builder other>", "exec")
        ),
        builders._CompiledCode.key("x = 5\n", filename): marshal.dumps(
            compile("x = 5\n", filename, "exec")
        ),
    }
    name, key = builders._CompiledCode._where()
    caches.write(name, key, planted, plain=True)
    kept = builders._CompiledCode()
    for text, value in ((source, 2), ("x = 5\n", 5)):
        code = kept.compile(text, filename)
        namespace: dict[str, object] = {}
        exec(code, namespace)
        assert (code.co_filename, namespace["x"]) == (filename, value)
    # The first was compiled (and will be written back), the second taken as kept.
    assert list(kept._new) == [builders._CompiledCode.key(source, filename)]


def test_a_source_taken_from_the_cache_and_compiled_again_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path))
    source, filename = "x = 6\n", "<nogentech builder again>"
    first = builders._CompiledCode()
    first.compile(source, filename)
    first.flush()
    path = cache_file(tmp_path)
    written = (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_ino)
    later = builders._CompiledCode()
    for _ in range(2):
        namespace: dict[str, object] = {}
        exec(later.compile(source, filename), namespace)
        assert namespace["x"] == 6
    later.flush()
    assert (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_ino) == written
    # A source new to the file is still added to it.
    later.compile("x = 7\n", filename)
    later.flush()
    entries = marshal.loads(_split(path.read_bytes())[1])
    assert set(entries) == {
        builders._CompiledCode.key(text, filename) for text in (source, "x = 7\n")
    }
