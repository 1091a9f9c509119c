"""The fast way of reading data gives what the detailed way gives: clusters and problems.

The detailed way (:func:`nogentech.loading._from_dict_with_problems`, the cattrs
converter with detailed validation, after the depth check) is the reference; the
fast way must build equal clusters from valid data, and whatever it refuses must
be reported with exactly the reference's problems.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, DataError, Problem, loading, references
from nogentech.files import check_depth
from nogentech.testing import HOSTILE, clusters
from tests.support.damage import damaged_data


def reference(data: Any) -> Cluster | tuple[str, ...]:
    """The detailed way alone: the cluster, or the lines of its problems."""
    try:
        check_depth(data)
        return loading._from_dict_with_problems(data, None)
    except ValueError as exc:
        return tuple(DataError([Problem("", str(exc))]).lines())
    except DataError as exc:
        return tuple(exc.lines())


def fast(data: Any) -> Cluster | tuple[str, ...]:
    try:
        return nogentech.from_dict(data)
    except DataError as exc:
        return tuple(exc.lines())


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_valid_data_gives_the_same_cluster_both_ways(generated: Cluster) -> None:
    data = nogentech.to_dict(generated)
    built = fast(copy.deepcopy(data))
    assert built == reference(copy.deepcopy(data)) == generated
    # Through JSON text as well, the bytes and the text let go while building.
    assert nogentech.loads(nogentech.dumps(generated).encode("utf-8")) == generated


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_data())
def test_damaged_data_gives_the_same_problems_both_ways(data: dict[str, Any]) -> None:
    assert fast(copy.deepcopy(data)) == reference(copy.deepcopy(data))


def _strings(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every string inside plain data."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _strings(v, (*path, i))]
    return []


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.data())
def test_a_hostile_string_anywhere_gives_the_same_problems(
    generated: Cluster, choice: st.DataObject
) -> None:
    data = nogentech.to_dict(generated)
    paths = [p for p in _strings(data) if p[0] != "schema_version"]
    path = choice.draw(st.sampled_from(paths))
    bad = choice.draw(st.sampled_from((*HOSTILE, "\ud800", "a\udfffb", "forge\n", "x-y ")))
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = bad
    assert fast(copy.deepcopy(data)) == reference(copy.deepcopy(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["companies"][0].update(sectors=["forge", "forge"]),
        lambda d: d["companies"][0].update(sectors=("forge",)),
        lambda d: d["companies"][0].update(name="\ud83d"),
        lambda d: d["companies"][0].update(description={"fr": "a", "en": None}),
        lambda d: d["companies"][0].update(description={"fr": "a", "de": "b"}),
        lambda d: d["companies"][0].update(description={}),
        lambda d: d["companies"][0].update(description={"fr": ""}),
        lambda d: d["companies"][0].update(parent=d["companies"][0]["id"] + "-x"),
        lambda d: d["companies"][1].update(id=d["companies"][0]["id"]),
        lambda d: d["people"][0].update(id=d["id"]),
        lambda d: d.update({"x-plugin": [[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]}),
        lambda d: d["companies"][0].update(aliases=[[[[[[[[[[[[[[[[["a"]]]]]]]]]]]]]]]]]),
    ],
)
def test_damaged_builtin_data_gives_the_same_problems(damage: Any) -> None:
    data = json.loads(nogentech.dumps(nogentech.load()))
    damage(data)
    got = fast(copy.deepcopy(data))
    assert isinstance(got, tuple)
    assert got == reference(copy.deepcopy(data))


def test_an_id_with_a_final_newline_is_refused_on_every_way() -> None:
    """A slug is the whole string: a final newline is refused, as the JSON Schema does."""
    data = json.loads(nogentech.dumps(nogentech.load()))
    data["sectors"].append({"id": "odd\n", "kind": "trade", "name": "Odd"})
    got = fast(copy.deepcopy(data))
    assert isinstance(got, tuple)
    assert got == reference(copy.deepcopy(data))
    assert any("odd" in str(problem) for problem in got)


def test_valid_references_are_checked_with_sets_first() -> None:
    builtin = nogentech.load()
    collections = {name: getattr(builtin, name) for name in references.COLLECTIONS}
    assert references._all_sound(collections, builtin.id)
    broken = dict(collections, companies=(*builtin.companies, builtin.companies[0]))
    assert not references._all_sound(broken, builtin.id)
    assert references.check_references(broken, builtin.id)[0].message.startswith("duplicate id")


def test_toml_is_read_the_same_both_ways() -> None:
    import tomllib

    text = loading.builtin_path().read_text("utf-8")
    data = tomllib.loads(text)
    assert fast(copy.deepcopy(data)) == reference(copy.deepcopy(data)) == nogentech.load()


def test_data_without_some_collections_is_read_the_fast_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A collection the data leaves out is empty, as the schema says, on the fast way too."""
    data = json.loads(nogentech.dumps(nogentech.load()))
    variants = [{k: v for k, v in data.items() if k != name} for name in references.COLLECTIONS]
    variants.append({k: v for k, v in data.items() if k not in references.COLLECTIONS})
    expected = [reference(copy.deepcopy(v)) for v in variants]
    valid = [(v, e) for v, e in zip(variants, expected, strict=True) if isinstance(e, Cluster)]
    assert len(valid) >= 3  # the collections nothing refers to, and the header alone

    def detailed(*_: Any) -> Cluster:
        raise AssertionError("valid data was read the detailed way")

    monkeypatch.setattr(loading, "_from_dict_with_problems", detailed)
    for variant, want in valid:
        assert nogentech.from_dict(copy.deepcopy(variant)) == want


@pytest.mark.parametrize("value", [None, {}, "", ()], ids=repr)
def test_a_collection_that_is_not_a_list_is_refused_both_ways(value: Any) -> None:
    data = json.loads(nogentech.dumps(nogentech.load()))
    data["events"] = value
    got = fast(copy.deepcopy(data))
    assert isinstance(got, tuple)
    assert got == reference(copy.deepcopy(data))
