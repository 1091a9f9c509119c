"""The clusters the engines read: the built-in data, the demo cluster and test clusters.

Each case gives a cluster and the window its occurrences are compared in; the test
clusters are data files under ``tests/data/engines/``.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest

import nogentech
from tests.conftest import make_demo
from tests.support import DATA

UTC = dt.UTC


class Case(NamedTuple):
    cluster: nogentech.Cluster
    start: dt.datetime
    end: dt.datetime


def load_case(name: str) -> Case:
    if name == "builtin":
        cluster = nogentech.load()
        return Case(
            cluster, dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2031, 1, 1, tzinfo=UTC)
        )
    if name == "demo":
        cluster = make_demo()
        return Case(
            cluster, dt.datetime(2023, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
        )
    cluster = nogentech.load(DATA / "engines" / f"{name}.toml")
    return Case(cluster, dt.datetime(2023, 6, 1, tzinfo=UTC), dt.datetime(2026, 7, 1, tzinfo=UTC))


CASES = ["builtin", "demo", "tricky"]


@pytest.fixture(scope="module", params=CASES)
def case(request: pytest.FixtureRequest) -> Case:
    """Each cluster with its window."""
    return load_case(request.param)


@pytest.fixture(scope="module")
def tricky() -> nogentech.Cluster:
    """The test cluster of ``tests/data/engines/tricky.toml``."""
    return load_case("tricky").cluster
