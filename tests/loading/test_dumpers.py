"""The dumpers give the converter's plain data, value for value and type for type.

The reference is the cattrs converter's ``unstructure``. For the built-in data
and generated clusters (hostile text included), a dumper gives an equal table
with the same types all the way down (lists, not tuples; ``1`` is not ``True``),
so that the JSON text is the same bytes; a class no dumper can write is left to
the converter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import nogentech
from nogentech import Cluster, dumpers, loading
from nogentech.cluster import ITEM_CLASSES
from nogentech.converters import converter
from nogentech.testing import clusters
from tests.support.plans import written_and_planned

MODEL: tuple[type[Any], ...] = (Cluster, *ITEM_CLASSES.values())


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def test_the_builtin_data_is_dumped_as_the_converter_unstructures_it() -> None:
    cluster = nogentech.load()
    want = converter().unstructure(cluster)
    assert same(dumpers.dumper(Cluster)(cluster), want)
    for name, cls in ITEM_CLASSES.items():
        for item in getattr(cluster, name):
            assert same(dumpers.dumper(cls)(item), converter().unstructure(item))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_generated_clusters_are_dumped_as_the_converter_unstructures_them(
    generated: Cluster,
) -> None:
    got = nogentech.to_dict(generated)
    want = {"schema_version": loading.SCHEMA_VERSION, **converter().unstructure(generated)}
    assert same(got, want)
    assert nogentech.dumps(generated) == json.dumps(want, ensure_ascii=False, indent=2) + "\n"


def test_a_class_with_a_field_no_dumper_writes_has_none() -> None:
    @attrs.frozen
    class Tags:
        names: frozenset[str] = frozenset()

    @attrs.frozen
    class Made:
        names: list[str] = attrs.Factory(list)

    for cls in (Tags, Made):
        with pytest.raises(TypeError):
            dumpers.dumper(cls)


def test_without_a_dumper_the_converter_makes_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = nogentech.load()
    want = nogentech.to_dict(cluster)

    def none(cls: type[Any]) -> Any:
        raise TypeError("no dumper")

    monkeypatch.setattr(dumpers, "dumper", none)
    assert same(nogentech.to_dict(cluster), want)


@pytest.fixture(scope="module")
def both_ways() -> Iterator[tuple[dict[str, Any], dict[type[Any], Any], dict[type[Any], Any]]]:
    """Plans written for the model's dumpers, the dumpers as written, and as made from them."""
    with written_and_planned(dumpers, "_dumpers", dumpers._DumpWriter, MODEL) as found:
        yield found


def test_every_dumper_of_the_model_is_kept_and_made_from_its_plan(
    both_ways: tuple[dict[str, Any], dict[type[Any], Any], dict[type[Any], Any]],
) -> None:
    plans, written, planned = both_ways
    names = {f"<nogentech dumper {c.__module__}.{c.__qualname__}>" for c in MODEL}
    assert names <= set(plans)
    assert all(planned[cls] is not written[cls] for cls in MODEL)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_a_dumper_made_from_its_plan_dumps_what_the_written_one_dumps(
    both_ways: tuple[dict[str, Any], dict[type[Any], Any], dict[type[Any], Any]],
    generated: Cluster,
) -> None:
    _, written, planned = both_ways
    assert same(planned[Cluster](generated), written[Cluster](generated))
