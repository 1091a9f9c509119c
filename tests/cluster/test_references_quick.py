"""The quick check of references agrees with the detailed one on every reference field.

:func:`nogentech.references._all_sound` answers for sound data with set
operations over whole columns of values; whenever it says yes, the detailed
check (paths and messages) must find nothing, and one dangling reference
anywhere, nested objects included, must make it say no.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nogentech import Cluster, DataError, from_dict, references, to_dict
from nogentech.converters import converter
from nogentech.testing import clusters

NOWHERE = "nowhere-at-all"


def collections_of(cluster: Cluster) -> dict[str, tuple[Any, ...]]:
    return {name: getattr(cluster, name) for name in references.COLLECTIONS}


def reference_sites(obj: Any) -> list[tuple[Any, ...]]:
    """Paths (field, index, field, …) to every reference field inside ``obj``."""
    sites: list[tuple[Any, ...]] = []
    for name, targets in references._plan(type(obj)) or ():
        value = getattr(obj, name)
        if targets is not None:
            sites.append((name,))
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                sites += [(name, index, *rest) for rest in reference_sites(item)]
        elif value is not None:
            sites += [(name, *rest) for rest in reference_sites(value)]
    return sites


def dangling(obj: Any, site: tuple[Any, ...]) -> Any:
    """``obj`` with the reference at ``site`` pointing nowhere."""
    return pointed(obj, site, NOWHERE)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_sound_data_is_sound_both_ways(cluster: Cluster) -> None:
    collections = collections_of(cluster)
    assert references._all_sound(collections, cluster.id)
    assert references.check_references(collections, cluster.id) == []


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.data())
def test_one_dangling_reference_anywhere_is_found(cluster: Cluster, choice: st.DataObject) -> None:
    collections = collections_of(cluster)
    places = [
        (name, index, site)
        for name, items in collections.items()
        for index, item in enumerate(items)
        for site in reference_sites(item)
    ]
    assume(places)
    name, index, site = choice.draw(st.sampled_from(places))
    items = list(collections[name])
    items[index] = dangling(items[index], site)
    broken = dict(collections, **{name: tuple(items)})
    assert not references._all_sound(broken, cluster.id)
    problems = references.check_references(broken, cluster.id)
    found = next(p.path for p in problems if NOWHERE in p.message)
    assert found.startswith(f"{name}[{index}].")


def pointed(obj: Any, site: tuple[Any, ...], ident: str) -> Any:
    """``obj`` with the reference at ``site`` naming ``ident`` instead of what it named."""
    name, *rest = site
    value = getattr(obj, name)
    if not rest:
        new = (*value, ident) if isinstance(value, tuple) else ident
    elif isinstance(value, tuple):
        index, *deeper = rest
        new = tuple(
            pointed(item, tuple(deeper), ident) if i == index else item
            for i, item in enumerate(value)
        )
    else:
        new = pointed(value, tuple(rest), ident)
    return attrs.evolve(obj, **{name: new})


def targets_at(obj: Any, site: tuple[Any, ...]) -> tuple[str, ...]:
    name, *rest = site
    targets = dict(references._plan(type(obj)) or ())[name]
    if not rest:
        assert targets is not None
        return targets
    value = getattr(obj, name)
    return targets_at(value[rest[0]] if isinstance(value, tuple) else value, tuple(rest[1:]))


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.data())
def test_a_reference_to_an_id_of_another_kind_is_refused_by_every_way(
    cluster: Cluster, choice: st.DataObject
) -> None:
    """An id that exists, in a collection the field does not point to, is refused by the
    quick check, by the loader's check of the ids its builders noted, and by the detailed one."""
    collections = collections_of(cluster)
    sites = [
        (name, index, site, targets_at(item, site))
        for name, items in collections.items()
        for index, item in enumerate(items)
        for site in reference_sites(item)
    ]
    sites = [s for s in sites if "any" not in s[3]]
    assume(sites)
    name, index, site, targets = choice.draw(st.sampled_from(sites))
    others = [
        item.id for kind, items in collections.items() if kind not in targets for item in items
    ]
    if "cluster" not in targets:
        others.append(cluster.id)
    assume(others)
    ident = choice.draw(st.sampled_from(others))
    items = list(collections[name])
    items[index] = pointed(items[index], site, ident)
    broken = dict(collections, **{name: tuple(items)})
    assert not references._all_sound(broken, cluster.id)
    problems = references.check_references(broken, cluster.id)
    assert any(p.path.startswith(f"{name}[{index}].") and ident in p.message for p in problems)
    data = to_dict(cluster)
    data[name] = [converter().unstructure(item) for item in items]
    with pytest.raises(DataError) as raised:
        from_dict(data)
    assert any(
        p.path.startswith(f"{name}[{index}].") and ident in p.message for p in raised.value.problems
    )
