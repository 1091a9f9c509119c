"""The quick check of references agrees with the detailed one on every reference field.

:func:`nogentech.references._all_sound` answers for sound data with set
operations over whole columns of values; whenever it says yes, the detailed
check (paths and messages) must find nothing, and one dangling reference
anywhere, nested objects included, must make it say no.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nogentech import Cluster, references
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
    name, *rest = site
    value = getattr(obj, name)
    if not rest:
        new = (*value, NOWHERE) if isinstance(value, tuple) else NOWHERE
    elif isinstance(value, tuple):
        index, *deeper = rest
        new = tuple(
            dangling(item, tuple(deeper)) if i == index else item for i, item in enumerate(value)
        )
    else:
        new = dangling(value, tuple(rest))
    return attrs.evolve(obj, **{name: new})


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
