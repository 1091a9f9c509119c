"""What reading a cluster leaves to the cyclic garbage collector."""

from __future__ import annotations

import gc
import weakref

import nogentech
from nogentech.loading import builtin_path, without_collections


def _young() -> set[int]:
    return {id(o) for generation in (0, 1) for o in gc.get_objects(generation=generation)}


def test_a_loaded_cluster_goes_to_the_oldest_generation() -> None:
    """No young collection after a load goes over every object just built."""
    cluster = nogentech.loads(builtin_path().read_bytes(), "toml")
    company = cluster.companies[0]
    assert gc.is_tracked(company)
    young = _young()
    assert id(company) not in young
    assert id(cluster) not in young
    assert any(o is company for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_the_collector_is_left_as_it_was_even_on_failure() -> None:
    assert gc.isenabled()
    try:
        with without_collections():
            assert not gc.isenabled()
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with without_collections():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_garbage_cycles_made_before_a_load_are_still_collected() -> None:
    """Cycles moved to the oldest generation are freed by the next full collection."""

    class Node:
        other: object = None

    text = builtin_path().read_bytes()
    gc.collect()
    gc.disable()  # no young collection frees the cycle before the load moves it
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
        nogentech.loads(text, "toml")
        assert not gc.isenabled()
        found = alive()
        assert found is not None
        assert any(o is found for o in gc.get_objects(generation=2))
        del found
    finally:
        gc.enable()
    gc.collect()
    assert alive() is None
