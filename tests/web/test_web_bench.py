"""The feed server benchmark: its figures are real, its wrk reports are read exactly, and it
fails loudly and in bounded time."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

import nogentech
from tests.support import ROOT

pytestmark = pytest.mark.slow

BENCH = ROOT / "benchmarks" / "bench_server.py"

WRK_REPORT = """\
Running 1s test @ http://127.0.0.1:18021/calendar.ics
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    58.82ms  115.33ms 430.82ms   83.88%
    Req/Sec     3.96k     1.92k    5.22k    83.33%
  Latency Distribution
     50%  501.00us
     75%   33.02ms
     90%  271.60ms
     99%    1.02s
  2550 requests in 1.01s, 19.46MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 12
Requests/sec:   2529.54
Transfer/sec:     19.30MB
"""


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


def test_wrk_reports_are_read_exactly(bench: ModuleType) -> None:
    assert bench.parse_wrk(WRK_REPORT) == {
        "rps": 2529.54,
        "p50": pytest.approx(501e-6),
        "p75": pytest.approx(0.03302),
        "p90": pytest.approx(0.2716),
        "p99": pytest.approx(1.02),
        "requests": 2550.0,
        "socket_errors": 7.0,
        "bad_responses": 12.0,
    }
    with pytest.raises(ValueError, match="no Requests/sec"):
        bench.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_sequential_run_reports_full_and_revalidated_rates(bench: ModuleType) -> None:
    """`nogentech serve` in its own process, one persistent connection."""
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
