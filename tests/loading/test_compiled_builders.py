"""The builders' plans, kept in the user cache and taken back by a later run.

A later run makes every builder from the plan an earlier one kept, without
writing or compiling any source, and builds what a written builder builds.
"""

from __future__ import annotations

import copy
import functools
import json
import marshal
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, builders, caches, loading
from nogentech.cluster import ITEM_CLASSES
from nogentech.testing import HOSTILE, clusters
from tests.loading.test_builders import leaves, replaced
from tests.support.plans import written_and_planned

# A fresh process that loads the built-in data from its TOML text (no snapshot), a
# JSON copy of it and a few damaged copies, exports it as JSON, and says which
# builders and dumpers it wrote and how many builder sources it compiled. With
# "person-first", it makes the builder of a person before anything else (the
# groups of references are then numbered in another order than a load gives them).
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
from nogentech import builders
written = []
write = builders._Generator._write
def writing(self, cls, where):
    written.append(cls.__qualname__)
    return write(self, cls, where)
builders._Generator._write = writing
from nogentech import dumpers
dump = dumpers._DumpWriter._write
def dumping(self, cls, where):
    written.append("dumper " + cls.__qualname__)
    return dump(self, cls, where)
dumpers._DumpWriter._write = dumping
if sys.argv[2:] == ["person-first"]:
    builders.builder(nogentech.Person)
from nogentech.loading import builtin_path, loads
toml = loads(builtin_path().read_bytes(), "toml")
text = open(sys.argv[1], encoding="utf-8").read()
again = loads(text)
assert again == toml
data = json.loads(text)
problems = []
for name, index, key, value in [
    ("companies", 0, "id", "Not A Slug"),
    ("companies", 1, "sectors", ["no-such-sector"]),
    ("people", 0, "roles", [{"kind": "employee", "of": 7}]),
    ("meeting_series", 0, "duration", "PT-1H"),
    ("companies", 2, "phone", "+33 3 00 00 00 00"),
]:
    damaged = json.loads(text)
    damaged[name][index][key] = value
    try:
        loads(json.dumps(damaged))
    except nogentech.DataError as exc:
        problems.append([[p.path, p.message] for p in exc.problems])
    else:
        problems.append(None)
print(json.dumps({
    "compiled": len(compiled),
    "source_imported": "nogentech._builder_source" in sys.modules,
    "written": written,
    "problems": problems,
    "dump": nogentech.export(toml, "json").decode(),
}))
"""


def run(cache: Path | str, data: Path, *options: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(data), *options],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**_environment(), caches.CACHE_ENV: str(cache)},
    )
    found: dict[str, Any] = json.loads(done.stdout)
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


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """A cache file's head (magic and key) and its marshalled body."""
    start = len(b"nogentech-cache 1 marshal\n")
    size = int.from_bytes(raw[start : start + 8], "big")
    end = start + 8 + size
    return raw[:end], raw[end:]


def test_a_later_run_writes_no_builder_and_loads_the_same(tmp_path: Path, data: Path) -> None:
    cache = tmp_path / "cache"
    first = run(cache, data)
    builders_written = [name for name in first["written"] if not name.startswith("dumper ")]
    assert len(builders_written) > 10  # one builder per class of the model met
    assert first["compiled"] == len(builders_written)
    assert len(first["written"]) > len(builders_written)  # and one dumper
    assert cache_file(cache).is_file()
    second = run(cache, data)
    assert (second["written"], second["compiled"]) == ([], 0)
    # What writes a builder's source is imported only to write one.
    assert (first["source_imported"], second["source_imported"]) == (True, False)
    assert second["dump"] == first["dump"]
    # Damaged data is refused with the same problems, at the same paths.
    assert second["problems"] == first["problems"]
    assert all(first["problems"][:4]) and first["problems"][4] is None


def test_plans_serve_a_run_that_makes_its_builders_in_another_order(
    tmp_path: Path, data: Path
) -> None:
    cache = tmp_path / "cache"
    first = run(cache, data)
    other = run(cache, data, "person-first")
    assert (other["written"], other["compiled"]) == ([], 0)
    assert (other["dump"], other["problems"]) == (first["dump"], first["problems"])


def test_without_a_cache_every_run_writes_its_builders(tmp_path: Path, data: Path) -> None:
    first = run("", data)
    second = run("", data)
    assert sorted(first["written"]) == sorted(second["written"])
    assert first["compiled"] == second["compiled"] > 10
    assert second["dump"] == first["dump"]
    assert not any(tmp_path.glob("**/*.marshal"))


def _spoilt(n: int, kept: bytes) -> Any:
    """The kept plan ``kept`` (its marshalled bytes) spoilt in one of eight ways, by ``n``."""
    code, recipe = marshal.loads(kept)
    other = compile("build = 1", "<nogentech builder elsewhere>", "exec")
    return [
        7,
        (code, recipe),
        b"\x00not marshal data",
        kept[: len(kept) // 2],
        marshal.dumps((marshal.dumps(code), recipe)),
        marshal.dumps((7, recipe)),
        marshal.dumps((other, recipe)),
        marshal.dumps((code, (*recipe, ("_x99", "field", "no_such_field")))),
        marshal.dumps((code, (*recipe, ("_x99", "no-such-kind")))),
    ][n % 9]


def test_plans_that_do_not_fit_are_written_again(tmp_path: Path, data: Path) -> None:
    cache = tmp_path / "cache"
    first = run(cache, data)
    kept = 0
    for stem in ("builders", "dumpers"):
        (path,) = cache.glob(f"{stem}-*.marshal")
        head, body = _split(path.read_bytes())
        plans = marshal.loads(body)
        kept += len(plans)
        spoilt = {k: _spoilt(n, plans[k]) for n, k in enumerate(sorted(plans))}
        path.write_bytes(head + marshal.dumps(spoilt))
    assert kept == len(first["written"])
    second = run(cache, data)
    assert sorted(second["written"]) == sorted(first["written"])
    assert (second["dump"], second["problems"]) == (first["dump"], first["problems"])
    # The builders and dumpers written again are kept again.
    assert run(cache, data)["written"] == []


def test_a_plan_is_taken_only_under_the_key_it_was_kept_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path))
    code = compile("build = 2", "<nogentech builder test>", "exec")
    kept = builders._Plans()
    kept.keep("<nogentech builder test>", code, (("_cls1", "cls"),))
    kept.flush()
    assert builders._Plans().take("<nogentech builder test>") == (code, (("_cls1", "cls"),))
    # Another state of the package's modules (a model edited): the plan is not used.
    signature = caches.package_signature()
    monkeypatch.setattr(caches, "package_signature", lambda top: [*signature, "edited"])
    assert builders._Plans().take("<nogentech builder test>") is None


def _code(n: int, name: str = "") -> Any:
    """The code of a builder ``build = n`` kept as ``<nogentech builder test n>`` (or ``name``)."""
    return compile(f"build = {n}", f"<nogentech builder {name or f'test {n}'}>", "exec")


def test_the_file_is_written_once_with_this_runs_plans_past_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path))
    kept = builders._Plans()
    monkeypatch.setattr(kept, "MOST", 3)
    for n in range(3):
        kept.keep(f"<nogentech builder test {n}>", _code(n), ())
    kept.flush()
    assert len(marshal.loads(_split(cache_file(tmp_path).read_bytes())[1])) == 3
    # Another run keeps two more: with the three on file it would keep five.
    later = builders._Plans()
    monkeypatch.setattr(later, "MOST", 3)
    for n in range(3, 5):
        later.keep(f"<nogentech builder test {n}>", _code(n), ())
    later.flush()
    plans = marshal.loads(_split(cache_file(tmp_path).read_bytes())[1])
    assert sorted(plans) == ["<nogentech builder test 3>", "<nogentech builder test 4>"]
    # A third run takes each of those once.
    taken = builders._Plans()
    assert taken.take("<nogentech builder test 4>") == (_code(4), ())
    assert taken.take("<nogentech builder test 4>") is None


def test_a_run_that_keeps_only_plans_on_file_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path))
    where, plan = "<nogentech builder again>", (_code(1, "again"), (("_cls1", "cls"),))
    first = builders._Plans()
    first.keep(where, *plan)
    first.flush()
    path = cache_file(tmp_path)
    written = (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_ino)
    later = builders._Plans()
    assert later.take(where) == plan
    later.keep(where, *plan)
    later.flush()
    assert (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_ino) == written
    # A plan new to the file is still added to it.
    later.keep("<nogentech builder new>", _code(2, "new"), ())
    later.flush()
    assert sorted(marshal.loads(_split(path.read_bytes())[1])) == [
        "<nogentech builder again>",
        "<nogentech builder new>",
    ]


def test_a_builder_of_a_class_from_outside_the_package_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cache key holds the state of the package's files only."""

    @attrs.frozen
    class Local:
        name: str

    plans = builders._Plans()
    plans._kept = {}
    monkeypatch.setattr(builders, "_PLANS", plans)
    monkeypatch.setattr(builders, "_builders", functools.cache(builders._builders.__wrapped__))
    assert builders._builders()(Local)({"name": "a"}, {}, defaultdict(list)) == Local("a")
    assert builders._builders()(TopLevel)({"name": "b"}, {}, defaultdict(list)) == TopLevel("b")
    builders._builders()(nogentech.Place)
    assert list(plans._new) == ["<nogentech builder nogentech.places.Place>"]
    plans._new = {}


@attrs.frozen
class TopLevel:
    name: str


MODEL: tuple[type[Any], ...] = (Cluster, *ITEM_CLASSES.values())
_Builds = dict[type[Any], Callable[[Any, dict[str, str], Any], Any]]


@pytest.fixture(scope="module")
def both_ways() -> Iterator[tuple[dict[str, Any], _Builds, _Builds]]:
    """Plans written for the model's classes, their builders as written, and as made from them."""
    with written_and_planned(builders, "_builders", builders._Generator, MODEL) as found:
        yield found


def test_every_builder_of_the_model_is_kept_and_made_from_its_plan(
    both_ways: tuple[dict[str, Any], _Builds, _Builds],
) -> None:
    plans, written, planned = both_ways
    names = {f"<nogentech builder {c.__module__}.{c.__qualname__}>" for c in MODEL}
    assert names <= set(plans)
    assert all(planned[cls] is not written[cls] for cls in MODEL)


def _outcome(build: Callable[[Any, dict[str, str], Any], Any], table: Any) -> Any:
    """What ``build`` makes of ``table``, with the references it notes; or its exception."""
    named: defaultdict[int, list[str]] = defaultdict(list)
    try:
        made = build(copy.deepcopy(table), {}, named)
    except Exception as exc:  # a refusal is an outcome
        return type(exc)
    return made, {k: v for k, v in named.items() if v}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=clusters(), choice=st.data())
def test_a_builder_made_from_its_plan_builds_what_the_written_one_builds(
    both_ways: tuple[dict[str, Any], _Builds, _Builds], generated: Cluster, choice: st.DataObject
) -> None:
    """Same objects, same references noted, same refusals, hostile values included."""
    _, written, planned = both_ways
    data = nogentech.to_dict(generated)
    body = {k: v for k, v in data.items() if k != "schema_version"}
    tables = [(Cluster, body)] + [
        (cls, item) for name, cls in ITEM_CLASSES.items() for item in data.get(name, ())
    ]
    cls, table = choice.draw(st.sampled_from(tables))
    if choice.draw(st.booleans()):
        path = choice.draw(st.sampled_from(list(leaves(table))))
        odd = st.sampled_from((*HOSTILE, "\ud800", "Not A Slug", "", 0, None, [], {}))
        table = replaced(table, path, choice.draw(odd | st.text(max_size=6)))
    assert _outcome(planned[cls], table) == _outcome(written[cls], table)
