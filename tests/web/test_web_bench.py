"""The feed server benchmark: it measures full responses and 304s, and fails loudly."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

import nogentech
from tests.support import ROOT

pytestmark = pytest.mark.slow

BENCH = ROOT / "benchmarks" / "bench_server.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_server_under_test", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_benchmark_reports_full_and_revalidated_rates(bench: ModuleType) -> None:
    result = bench.run(2, 5)
    assert result["path"] == "/calendar.ics"
    assert (result["rounds"], result["requests"]) == (2, 5)
    assert result["body_bytes"] == len(nogentech.export(nogentech.load(), "ics"))
    for key in ("full_rps", "not_modified_rps"):
        assert 0 < result[key] <= result[f"{key}_best"]


def test_benchmark_refuses_a_feed_that_does_not_answer_200(bench: ModuleType) -> None:
    with pytest.raises(RuntimeError, match="answered 404"):
        bench.run(1, 1, path="/nope.ics")


def test_benchmark_is_bounded_in_time_and_size(bench: ModuleType) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        bench.run(0, 10)
    with pytest.raises(TimeoutError):
        bench.run(1, 10, time_limit=0)
