"""A dropped cluster is freed by reference counting, without the cyclic garbage collector."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from hypothesis import given, settings

import nogentech
from nogentech import Cluster
from nogentech.testing import clusters


@pytest.fixture
def no_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def test_a_dropped_loaded_cluster_is_freed_at_once(no_gc: None) -> None:
    text = nogentech.dumps(nogentech.load())
    loaded = nogentech.loads(text)
    series = loaded.meeting_series[0]
    alive = weakref.ref(loaded)
    item_alive = weakref.ref(series)
    assert loaded.get(loaded.id) is loaded
    assert loaded.get(series.id) is series
    del loaded, series
    assert alive() is None
    assert item_alive() is None


def test_a_cluster_used_for_look_ups_is_still_freed_at_once(no_gc: None) -> None:
    loaded = nogentech.loads(nogentech.dumps(nogentech.load()))
    loaded.upcoming(3)
    loaded.name_of(loaded.id)
    assert loaded.id in loaded
    alive = weakref.ref(loaded)
    del loaded
    assert alive() is None


@settings(max_examples=20)
@given(clusters())
def test_a_generated_cluster_is_freed_at_once(generated: Cluster) -> None:
    gc.disable()
    try:
        copy = nogentech.from_dict(nogentech.to_dict(generated))
        alive = weakref.ref(copy)
        del copy
        assert alive() is None
    finally:
        gc.enable()


def test_the_cluster_itself_is_found_by_its_id() -> None:
    builtin = nogentech.load()
    assert builtin.get(builtin.id) is builtin
    assert builtin.id in builtin
    assert "no-such-id" not in builtin
    assert builtin.name_of(builtin.id) == builtin.name
    with pytest.raises(KeyError):
        builtin.get("no-such-id")
    with pytest.raises(KeyError):
        builtin.company(builtin.id)
    with pytest.raises(KeyError):
        builtin.meeting(builtin.id)
