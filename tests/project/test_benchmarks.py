"""The benchmark harness runs end to end and reports every task (no timings are checked).

A smoke run of ``benchmarks/run.py --quick`` at the smallest size, one round, so
that the harness cannot rot while the code it measures changes; and checks of its
pieces whose results are exact: the growth exponent, the folding of the limit
writers, and that the limit writers' output reads back like the baselines'.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

BENCH = ROOT / "benchmarks"
IMPLS = ("nogentech", "baseline", "limit")


@pytest.fixture(scope="module")
def bench_modules() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import baselines
        import run
        import synthetic

        yield run, baselines, synthetic
    finally:
        sys.path.remove(str(BENCH))


INSTRUCTIONS = re.compile(
    r"json-load 100: nogentech (\d+\.\d\d) M, limit (\d+\.\d\d) M, nogentech ÷ limit (\d+\.\d\d)\n"
)


@pytest.mark.skipif(
    shutil.which("valgrind") is None, reason="needs valgrind (.ci/system-packages.txt)"
)
def test_the_instructions_of_a_warm_call_are_counted(tmp_path: Path) -> None:
    """``instructions.py`` counts a warm JSON load and ``json.loads`` under callgrind.

    A warm load at 100 companies runs several million instructions more than the
    parser alone (it builds and checks every object), and a count that took in
    the interpreter's start (about 480 million) or the first call's one-time
    work would be tens of millions: both bounds are far from what a working
    count gives.
    """
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "instructions.py"),
            "json-load",
            "--sizes",
            "100",
            "--calls",
            "1",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NOGENTECH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = INSTRUCTIONS.fullmatch(done.stdout)
    assert found is not None, done.stdout
    ours, parser, ratio = (float(g) for g in found.groups())
    assert 2.0 < parser < 20.0
    assert parser < ours < 5 * parser
    assert ratio == pytest.approx(ours / parser, abs=0.01)


def test_a_quick_run_reports_every_task_at_the_smallest_size(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--sizes",
            "100",
            "--rounds",
            "1",
            "--data-dir",
            str(tmp_path / "data"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert set(results["environment"]) >= {"date", "python", "platform", "cpus", "libraries"}
    assert results["plan"]["sizes"] == [100]
    tasks = results["tasks"]
    assert list(tasks) == [
        "vcard",
        "ics-master",
        "ics-expanded",
        "expand",
        "expand-100y",
        "json-dump",
        "json-load",
        "toml-load",
        "next",
        "export-ics",
    ]
    for name, found in tasks.items():
        assert len(found["rows"]) == 1, name
        row = found["rows"][0]
        assert row["size"] == (None if name in ("expand-100y", "next", "export-ics") else 100)
        for impl in IMPLS:
            figures = row[impl]
            assert figures["note"] == "", (name, impl, figures["note"])
            assert figures["first"] > 0, (name, impl)
            assert len(figures["samples"]["first"]) == 1, (name, impl)
            assert figures["peak_mib"] is not None, (name, impl)
            # The working memory of a warm call, for every task measured in a worker.
            whole_command = name in ("next", "export-ics")
            assert (figures["traced_mib"] is None) == whole_command, (name, impl)
        assert row["nogentech"]["warm"] > 0, name
        assert set(found["exponent"]) == set(IMPLS)
    expanded = tasks["ics-expanded"]["rows"][0]
    assert len({expanded[impl]["vevents"] for impl in IMPLS}) == 1
    for name in tasks:
        assert f"(`{name}`)" in done.stdout
    assert done.stdout.count("| size | nogentech | baseline | limit |") == len(tasks)
    assert done.stdout.count("| warm, traced MiB nogentech / limit (×) |") == len(tasks)


def test_the_growth_exponent_is_the_slope_between_sizes_ten_apart(bench_modules: Any) -> None:
    run, _, _ = bench_modules

    def row(size: int, seconds: float) -> dict[str, Any]:
        return {"size": size, "nogentech": {"first": seconds, "warm": None}}

    rows = [row(1_000, 0.5), row(10_000, 2.0), row(100_000, 40.0)]
    assert run.exponent(rows, "nogentech", "first") == pytest.approx(math.log10(20))
    assert run.exponent(rows[:2], "nogentech", "first") == pytest.approx(math.log10(4))
    assert run.exponent(rows, "nogentech", "warm") is None
    assert run.exponent([row(100, 1.0), row(300, 2.0)], "nogentech", "first") is None


def test_fold_cuts_at_75_octets_between_characters(bench_modules: Any) -> None:
    _, baselines, _ = bench_modules
    line = "DESCRIPTION:" + "é" * 50 + "x" * 40 + "€" * 30
    folded = baselines.fold(line)
    assert folded.endswith("\r\n")
    parts = folded[:-2].split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line
    assert all(p.startswith(" ") for p in parts[1:])
    assert baselines.fold("SHORT:a") == "SHORT:a\r\n"
    assert baselines.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_the_limit_writers_read_back_like_the_baselines(bench_modules: Any) -> None:
    import datetime as dt

    import icalendar
    import vobject

    import nogentech

    _, baselines, synthetic = bench_modules
    cluster = nogentech.from_dict(synthetic.generate(40, 12, seed=3, overrides=3, events=4))

    def events(data: bytes) -> list[tuple[str, str, str, str]]:
        calendar = icalendar.Calendar.from_ical(data)
        return sorted(
            (
                str(e["UID"]),
                e.decoded("DTSTART").isoformat(),
                str(e["SUMMARY"]),
                str(e.get("DESCRIPTION", "")),
            )
            for e in calendar.walk("VEVENT")
        )

    window = (dt.date(2024, 1, 1), dt.date(2026, 1, 1))
    for args in ((), window):
        limit, base = baselines.ics_limit(cluster, *args), baselines.ics_baseline(cluster, *args)
        assert events(limit) == events(base)
        assert len(events(limit)) > 12
    cards = [c for c in vobject.readComponents(baselines.vcard_limit(cluster).decode())]
    expected = [c for c in vobject.readComponents(baselines.vcard_baseline(cluster).decode())]
    assert [(c.fn.value, c.org.value) for c in cards] == [
        (c.fn.value, c.org.value) for c in expected
    ]
    assert len(cards) == 40
