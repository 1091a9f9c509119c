"""The fast ways of loading give the same clusters and the same problems as the thorough ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

import nogentech
from nogentech import Cluster, Company, DataError, Problem, cluster, loading, references
from nogentech.converters import converter
from nogentech.testing import clusters


def naive_walk(obj: Any, path: str) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """Every reference inside ``obj``, found by looking at every value of every field."""
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        here = f"{path}.{field.name}"
        targets = field.metadata.get("ref")
        if targets:
            if isinstance(value, tuple):
                for i, item in enumerate(value):
                    yield f"{here}[{i}]", tuple(targets), item
            elif value is not None:
                yield here, tuple(targets), value
        elif attrs.has(type(value)):
            yield from naive_walk(value, here)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if attrs.has(type(item)):
                    yield from naive_walk(item, f"{here}[{i}]")


@settings(max_examples=40)
@given(clusters())
def test_the_per_class_plan_finds_every_reference(generated: Cluster) -> None:
    """Skipping fields that cannot hold references loses none of them."""
    for name in references.COLLECTIONS:
        for index, item in enumerate(getattr(generated, name)):
            path = f"{name}[{index}]"
            assert list(references._walk(item, path)) == list(naive_walk(item, path))


def test_builtin_data_plan_finds_every_reference() -> None:
    builtin = nogentech.load()
    count = 0
    for name in references.COLLECTIONS:
        for index, item in enumerate(getattr(builtin, name)):
            found = list(references._walk(item, f"{name}[{index}]"))
            assert found == list(naive_walk(item, f"{name}[{index}]"))
            count += len(found)
    assert count > 100


def test_a_field_of_unknown_type_is_still_visited() -> None:
    """A field whose annotation cannot be resolved is looked at value by value."""

    @attrs.frozen
    class Holder:
        inner: Any
        label: UnknownName  # type: ignore[name-defined]  # noqa: F821

    deep = Company(id="a", name="A", sectors=("s",))
    found = list(references._walk(Holder(inner=deep, label=(deep,)), "x"))
    assert found == [
        ("x.inner.sectors[0]", ("sectors",), "s"),
        ("x.label[0].sectors[0]", ("sectors",), "s"),
    ]


@settings(max_examples=40)
@given(clusters())
def test_fast_and_detailed_converters_read_the_same_clusters(generated: Cluster) -> None:
    data = nogentech.to_dict(generated)
    del data["schema_version"]
    fast = converter(detailed_validation=False).structure(data, Cluster)
    assert fast == converter().structure(data, Cluster) == generated


def test_valid_data_has_its_references_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = references.check_references

    def counting(collections: Any, cluster_id: str | None) -> list[Problem]:
        calls.append(sum(len(v) for v in collections.values()))
        return real(collections, cluster_id)

    monkeypatch.setattr(cluster, "check_references", counting)
    monkeypatch.setattr(loading, "check_references", counting)
    text = nogentech.dumps(nogentech.load())
    again = nogentech.loads(text)
    assert again == nogentech.load()
    assert len(calls) == 1
    assert calls[0] > 100


BAD_ITEMS: list[tuple[str, dict[str, Any]]] = [
    ("companies", {"id": "a", "name": 42}),
    ("companies", {"id": "a"}),
    ("companies", {"id": "a", "name": "A", "colour": "red"}),
    ("companies", {"id": "a", "name": "A", "sectors": "forge"}),
    ("companies", {"id": "a", "name": "A", "member": 1}),
    ("companies", {"id": "a", "name": "A", "description": {"fr": 1}}),
    ("companies", {"id": "a", "name": "A", "description": {"de": "x"}}),
    ("companies", {"id": "Not A Slug", "name": "A"}),
    ("sectors", {"id": "s", "kind": "metal", "name": "S"}),
    ("places", {"id": "p", "kind": "commune", "name": None}),
    ("companies", "not a table"),
]


@pytest.mark.parametrize(("collection", "item"), BAD_ITEMS)
def test_data_the_fast_converter_refuses_is_reported_with_its_path(
    collection: str, item: Any
) -> None:
    """Whatever the fast way refuses, the thorough way reports, with the item's path."""
    data = {"id": "demo", "name": "DEMO", collection: [item]}
    with pytest.raises(DataError) as info:
        nogentech.from_dict(data)
    assert info.value.problems
    assert all(p.path.startswith(f"{collection}[0]") for p in info.value.problems)


def test_a_reference_problem_alone_is_reported_with_the_source() -> None:
    data = {
        "id": "demo",
        "name": "DEMO",
        "companies": [{"id": "a", "name": "A", "sectors": ["forgee"]}],
    }
    with pytest.raises(DataError) as info:
        nogentech.from_dict(data, source="f.toml")
    assert info.value.source == "f.toml"
    assert info.value.problems == (Problem("companies[0].sectors[0]", "unknown sector 'forgee'"),)


def test_a_tuple_is_not_a_collection_even_when_its_items_are_valid() -> None:
    data = {"id": "demo", "name": "DEMO", "companies": ({"id": "a", "name": "A"},)}
    with pytest.raises(DataError) as info:
        nogentech.from_dict(data)
    assert info.value.problems == (Problem("companies", "expected a list (got tuple)"),)


def test_an_optional_field_reads_none_a_value_or_reports_a_bad_one() -> None:
    base = {"id": "demo", "name": "DEMO", "updated": None}
    assert nogentech.from_dict(base).updated is None
    when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert nogentech.from_dict({**base, "updated": when.isoformat()}).updated == when
    with pytest.raises(DataError) as info:
        nogentech.from_dict({**base, "updated": "2024-01-01T00:00"})
    assert info.value.lines() == [
        "updated: a date and time needs its UTC offset (got 2024-01-01T00:00:00)"
    ]
