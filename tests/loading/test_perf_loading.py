"""The fast ways of loading give the same clusters and the same problems as the thorough ones."""

from __future__ import annotations

import copy
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
    """The fast way checks every reference once, from the ids the builders noted.

    The walk of :func:`check_references` is not run (the header, a cluster
    without collections, has nothing to check); the ids and references of every
    object are checked once, by :func:`references.named_sound`.
    """
    builtin = nogentech.load()
    text = nogentech.dumps(builtin)
    walked: list[int] = []
    checked: list[tuple[int, int]] = []
    real_walk = references.check_references
    real_named = references.named_sound

    def walking(collections: Any, cluster_id: str | None) -> list[Problem]:
        walked.append(sum(len(v) for v in collections.values()))
        return real_walk(collections, cluster_id)

    def named(collections: Any, cluster_id: str | None, ids: Any) -> bool:
        checked.append((sum(len(v) for v in collections.values()), sum(map(len, ids.values()))))
        return real_named(collections, cluster_id, ids)

    monkeypatch.setattr(cluster, "check_references", walking)
    monkeypatch.setattr(loading, "check_references", walking)
    monkeypatch.setattr(references, "named_sound", named)
    again = nogentech.loads(text)
    assert again == builtin
    assert walked == []
    objects = sum(len(getattr(builtin, name)) for name in references.COLLECTIONS)
    named_ids = sum(
        1
        for name in references.COLLECTIONS
        for index, item in enumerate(getattr(builtin, name))
        for _ in naive_walk(item, f"{name}[{index}]")
    )
    assert checked == [(objects, named_ids)]


def _set_at(data: Any, path: str, value: Any) -> None:
    """Put ``value`` at ``path`` (``people[3].roles[0].of``) in plain data."""
    steps: list[Any] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        steps.append(name)
        steps.extend(int(i) for i in rest.rstrip("]").split("][") if i)
    target = data
    for step in steps[:-1]:
        target = target[step]
    target[steps[-1]] = value


def _references(built: Cluster) -> list[tuple[str, tuple[str, ...], str]]:
    return [
        found
        for name in references.COLLECTIONS
        for index, item in enumerate(getattr(built, name))
        for found in naive_walk(item, f"{name}[{index}]")
    ]


def test_every_reference_pointing_wrong_is_refused_by_the_fast_way() -> None:
    """Each reference of the built-in data, made to name an unknown id or an id of
    another kind, turns the fast way down; the detailed way reports it at its path."""
    builtin = nogentech.load()
    plain = nogentech.to_dict(builtin)
    found = _references(builtin)
    assert len(found) > 200
    first_of_kind = {
        name: getattr(builtin, name)[0].id
        for name in references.COLLECTIONS
        if getattr(builtin, name)
    }
    reported: set[tuple[str, str, str]] = set()
    for path, targets, _ident in found:
        wrong = [f"nowhere-{len(reported)}"]
        if "any" not in targets:
            wrong += [i for kind, i in first_of_kind.items() if kind not in targets][:2]
            if "cluster" not in targets:
                wrong.append(builtin.id)
        for ident in wrong:
            data = copy.deepcopy(plain)
            _set_at(data, path, ident)
            assert loading._from_valid_dict(data) is None, (path, ident)
            # The detailed way once per kind of field (it is slower): the problem is
            # reported where it is.
            kind = (path.split("[")[0], path.rsplit(".", 1)[-1].split("[")[0], ident[:7])
            if kind not in reported:
                reported.add(kind)
                with pytest.raises(DataError) as caught:
                    nogentech.from_dict(data)
                assert path in [p.path for p in caught.value.problems], (path, ident)


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
