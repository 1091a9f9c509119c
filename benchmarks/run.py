"""Benchmarks of nogentech against a plain-library baseline and the limit, at every size.

    python benchmarks/run.py                  # every task, 100 to 100,000 items
    python benchmarks/run.py --quick          # small sizes, one or two rounds (a smoke run)
    python benchmarks/run.py --only vcard,ics-master --sizes 1000,10000
    python benchmarks/run.py --json out.json  # also write every sample as JSON

Each task runs three ways on the same data: nogentech's public API or command
line, a baseline (what a competent user writes with icalendar, vobject, dateutil
or cattrs) and the limit (a minimal correct writer, or the parser alone); see
``baselines.py``. Every measurement is a fresh process (``worker.py``): the first
call there is the cold figure, the calls after it the warm one; the three take
turns round after round. Times are CPU time, figures medians. The report gives
the ratios nogentech ÷ baseline and nogentech ÷ limit, the growth exponent from
10,000 to 100,000 items, the peak memory of the first call and the memory a
warm call holds at its peak (traced). See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402
from worker import NEXT_AFTER  # noqa: E402

PYTHON = sys.executable
IMPLS = ("nogentech", "baseline", "limit")
LIBRARIES = (
    "nogentech",
    "attrs",
    "cattrs",
    "pluggy",
    "icalendar",
    "vobject",
    "python-dateutil",
    "holidays",
)
DATA_VERSION = 1
"""Bump when the synthetic data of a size changes, so that cached files are rebuilt."""


@dataclass(frozen=True)
class Task:
    """A task: the data it reads, what one item is, and whether it scales with the size."""

    name: str
    title: str
    data: str
    """``orgs`` (JSON), ``orgs-toml``, ``series`` (JSON), ``none`` or ``builtin``."""
    items: str
    sized: bool = True
    baseline: str = ""
    limit: str = ""


TASKS = {
    t.name: t
    for t in (
        Task(
            "vcard",
            "vCard export",
            "orgs",
            "organisations",
            baseline="vobject",
            limit="string writer",
        ),
        Task(
            "ics-master",
            "iCalendar feed, masters + overrides",
            "series",
            "series",
            baseline="icalendar",
            limit="string writer",
        ),
        Task(
            "ics-expanded",
            "iCalendar feed, expanded (one month)",
            "series",
            "series",
            baseline="dateutil + icalendar",
            limit="dateutil + string writer",
        ),
        Task(
            "expand",
            "occurrences of every series over one year",
            "series",
            "series",
            baseline="dateutil + overrides",
            limit="dateutil alone",
        ),
        Task(
            "expand-100y",
            "occurrences of one monthly series over 100 years",
            "none",
            "1,200 occurrences",
            sized=False,
            baseline="dateutil + overrides",
            limit="dateutil alone",
        ),
        Task(
            "json-dump",
            "JSON dump",
            "orgs",
            "companies",
            baseline="cattrs preconf json",
            limit="json.dumps of the plain dict",
        ),
        Task(
            "json-load",
            "JSON load + validation",
            "orgs",
            "companies",
            baseline="json.loads + cattrs",
            limit="json.loads",
        ),
        Task(
            "toml-load",
            "TOML load + validation",
            "orgs-toml",
            "companies",
            baseline="tomllib + cattrs",
            limit="tomllib.loads",
        ),
        Task(
            "next",
            "`nogentech next`, built-in data",
            "builtin",
            "built-in data",
            sized=False,
            baseline="python -c 'import attrs, cattrs'",
            limit="python -c pass",
        ),
        Task(
            "export-ics",
            "`nogentech export ics`, built-in data",
            "builtin",
            "built-in data",
            sized=False,
            baseline="python -c 'import attrs, cattrs'",
            limit="python -c pass",
        ),
    )
}

COMMANDS = {
    "next": {
        "nogentech": [PYTHON, "-m", "nogentech", "next", "--after", NEXT_AFTER],
        "baseline": [PYTHON, "-c", "import attrs, cattrs"],
        "limit": [PYTHON, "-c", "pass"],
    },
    "export-ics": {
        "nogentech": [PYTHON, "-m", "nogentech", "export", "ics"],
        "baseline": [PYTHON, "-c", "import attrs, cattrs"],
        "limit": [PYTHON, "-c", "pass"],
    },
}
"""Whole-process tasks: the first call is the whole command."""


@dataclass(frozen=True)
class Plan:
    """Sizes and rounds of one run."""

    sizes: tuple[int, ...]
    rounds: dict[int, tuple[int, int]]
    """Per size: fresh processes per implementation, warm calls in each."""
    fixed: tuple[int, int]
    """The same for the tasks of fixed size."""
    cap: float
    """Seconds a call may be expected to take; past it warm calls are left out, and
    past twice it a baseline is not run (the report says so)."""


FULL = Plan(
    (100, 1_000, 10_000, 100_000),
    {100: (5, 3), 1_000: (3, 3), 10_000: (1, 2), 100_000: (1, 1)},
    (7, 5),
    30.0,
)
QUICK = Plan((100, 1_000), {100: (2, 2), 1_000: (1, 1)}, (3, 2), 10.0)


# -- data ----------------------------------------------------------------------------------


def data_folder(given: str | os.PathLike[str] | None = None) -> Path:
    """The folder the data files are kept in between runs (made if missing): ``given``,
    or ``nogentech-bench-data`` in the system's temporary folder."""
    folder = Path(given) if given else Path(tempfile.gettempdir()) / "nogentech-bench-data"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def dataset(kind: str, size: int, folder: Path) -> Path | None:
    """The data file of ``kind`` at ``size`` items, written once into ``folder``."""
    if kind in ("none", "builtin"):
        return None
    suffix = "toml" if kind == "orgs-toml" else "json"
    base = "orgs" if kind.startswith("orgs") else "series"
    path = folder / f"{base}-{size}-v{DATA_VERSION}.{suffix}"
    if path.is_file():
        return path
    if base == "orgs":
        data = synthetic.generate(size, max(5, size // 100), seed=1)
    else:
        data = synthetic.generate(
            max(50, min(size // 10, 1_000)),
            size,
            seed=2,
            overrides=2,
            events=max(5, size // 100),
        )
    tmp = path.with_suffix(".tmp" + path.suffix)
    synthetic.write(data, tmp)
    tmp.replace(path)
    return path


# -- measuring -----------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE", "PYTHONTRACEMALLOC"):
        env.pop(name, None)
    return env


def _process(command: Sequence[str]) -> dict[str, Any]:
    """CPU time and peak memory of one whole process (``wait4``)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command[1:])} exited {proc.returncode}: {err[-300:]}")
    return {
        "first": usage.ru_utime + usage.ru_stime,
        "warm": [],
        "peak_kib": None,
        "size": None,
        "vevents": None,
    }


def _process_peak(command: Sequence[str]) -> int | None:
    """Peak resident size (KiB) of ``command`` alone, run under ``peak.py``."""
    done = subprocess.run(
        [command[0], str(HERE / "peak.py"), *command[1:]],
        capture_output=True,
        env=_env(),
        timeout=600,
        check=False,
    )
    for line in reversed(done.stderr.decode("utf-8", "replace").splitlines()):
        if line.startswith("peak-kib: "):
            return int(line.split()[1])
    return None


def _worker(task: str, impl: str, data: Path | None, warm: int, timeout: float) -> dict[str, Any]:
    command = [PYTHON, str(HERE / "worker.py"), task, impl, str(data or "-"), str(warm)]
    done = subprocess.run(
        command, capture_output=True, env=_env(), timeout=timeout, check=False, cwd=HERE
    )
    if done.returncode:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-2:]
        raise RuntimeError(f"{task} {impl} exited {done.returncode}: {' / '.join(tail)}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def measure_task(
    task: Task,
    size: int | None,
    data: Path | None,
    rounds: int,
    warm: int,
    plan: Plan,
    previous: dict[str, Any] | None,
    echo: bool,
) -> dict[str, Any]:
    """Rounds of fresh processes of the three implementations, taking turns."""
    warm_of = {}
    skipped: dict[str, str] = {}
    for impl in IMPLS:
        expect = None
        if previous and previous.get(impl, {}).get("first") is not None and size:
            expect = previous[impl]["first"] * size / previous["size"]
        warm_of[impl] = warm if expect is None or expect <= plan.cap else 0
        if impl == "baseline" and expect is not None and expect > 2 * plan.cap:
            skipped[impl] = f"not run: about {expect:.0f} s expected from the smaller size"
    samples: dict[str, dict[str, list[Any]]] = {
        i: {"first": [], "warm": [], "peak_kib": [], "traced_kib": [], "size": [], "vevents": []}
        for i in IMPLS
    }
    errors: dict[str, str] = {}
    for r in range(rounds):
        order = IMPLS[r % 3 :] + IMPLS[: r % 3]
        for impl in order:
            if impl in skipped or impl in errors:
                continue
            try:
                if task.data == "builtin":
                    found = _process(COMMANDS[task.name][impl])
                else:
                    timeout = max(3600.0, 100 * plan.cap)
                    found = _worker(task.name, impl, data, warm_of[impl], timeout)
            except Exception as exc:  # reported, never stops the run
                errors[impl] = f"{type(exc).__name__}: {exc}"[:300]
                continue
            for key in samples[impl]:
                value = found.get(key)
                if key == "warm":
                    samples[impl]["warm"].extend(value or [])
                elif value is not None:
                    samples[impl][key].append(value)
    if task.data == "builtin":
        for impl in IMPLS:
            if impl not in errors:
                peak = _process_peak(COMMANDS[task.name][impl])
                if peak is not None:
                    samples[impl]["peak_kib"].append(peak)
    if task.data == "builtin" and "nogentech" not in errors:
        # Warm: the same command called again inside one process.
        try:
            found = _worker(task.name, "nogentech", None, plan.fixed[1], 600.0)
            samples["nogentech"]["warm"].extend(found["warm"])
        except Exception as exc:
            errors["warm"] = f"{type(exc).__name__}: {exc}"[:300]
    out: dict[str, Any] = {"size": size}
    for impl in IMPLS:
        s = samples[impl]
        out[impl] = {
            "first": _median(s["first"]),
            "warm": _median(s["warm"]),
            "peak_mib": (_median(s["peak_kib"]) or 0) / 1024 if s["peak_kib"] else None,
            "traced_mib": (_median(s["traced_kib"]) or 0) / 1024 if s["traced_kib"] else None,
            "output": s["size"][0] if s["size"] else None,
            "vevents": s["vevents"][0] if s["vevents"] else None,
            "samples": {"first": s["first"], "warm": s["warm"]},
            "note": skipped.get(impl) or errors.get(impl, ""),
        }
    if errors.get("warm"):
        out["nogentech"]["note"] = errors["warm"]
    if echo:
        print(_line(task, out), file=sys.stderr, flush=True)
    return out


# -- report --------------------------------------------------------------------------------


def _t(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _pair(a: float | None, b: float | None) -> str:
    return f"{_t(a)} / {_t(b)}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "—"


def _line(task: Task, row: dict[str, Any]) -> str:
    n, b, lim = row["nogentech"], row["baseline"], row["limit"]
    size = f"{row['size']:,}" if row["size"] else task.items
    return (
        f"{task.name} {size}: nogentech {_pair(n['first'], n['warm'])}, "
        f"baseline {_pair(b['first'], b['warm'])}, limit {_pair(lim['first'], lim['warm'])}"
    )


def growth(rows: Sequence[dict[str, Any]], impl: str, key: str) -> tuple[float, int, int] | None:
    """``(exponent, small, big)`` from the two largest sizes measured ten apart, where
    the exponent is ``log(t(big) / t(small)) / log(10)`` (1.0 is linear)."""
    by_size = {r["size"]: r[impl][key] for r in rows if r["size"]}
    for big in sorted(by_size, reverse=True):
        small = big // 10
        if small in by_size and by_size[big] and by_size[small]:
            return math.log(by_size[big] / by_size[small]) / math.log(10), small, big
    return None


def exponent(rows: Sequence[dict[str, Any]], impl: str, key: str) -> float | None:
    """The exponent of :func:`growth` (10,000 → 100,000 in a full run)."""
    found = growth(rows, impl, key)
    return found[0] if found else None


def _mib(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def report(results: dict[str, Any]) -> str:
    """The results as Markdown: one table per task."""
    out = []
    for name, found in results["tasks"].items():
        task = TASKS[name]
        out.append(f"### {task.title} (`{name}`)\n")
        out.append(f"Baseline: {task.baseline}; limit: {task.limit}. Times: first call / warm.\n")
        out.append(
            "| size | nogentech | baseline | limit | ÷ baseline | ÷ limit "
            "| peak MiB nogentech / limit (×) | warm, traced MiB nogentech / limit (×) | notes |"
            "\n|---|--:|--:|--:|--:|--:|--:|--:|---|"
        )
        for row in found["rows"]:
            n, b, lim = row["nogentech"], row["baseline"], row["limit"]
            size = f"{row['size']:,} {task.items}" if row["size"] else task.items
            ratio_b = f"{_ratio(n['first'], b['first'])} / {_ratio(n['warm'], b['warm'])}"
            ratio_l = f"{_ratio(n['first'], lim['first'])} / {_ratio(n['warm'], lim['warm'])}"
            peaks = n["peak_mib"], lim["peak_mib"]
            peak = f"{_mib(peaks[0])} / {_mib(peaks[1])} ({_ratio(*peaks)})"
            traced = n.get("traced_mib"), lim.get("traced_mib")
            held = f"{_mib(traced[0])} / {_mib(traced[1])} ({_ratio(*traced)})"
            if traced == (None, None):
                held = "—"
            notes = "; ".join(f"{impl}: {row[impl]['note']}" for impl in IMPLS if row[impl]["note"])
            counts = [row[i]["vevents"] for i in IMPLS]
            if any(counts):
                notes = "; ".join(filter(None, [notes, "VEVENTs " + "/".join(map(str, counts))]))
            out.append(
                f"| {size} | {_pair(n['first'], n['warm'])} | {_pair(b['first'], b['warm'])} "
                f"| {_pair(lim['first'], lim['warm'])} | {ratio_b} | {ratio_l} | {peak} | {held} "
                f"| {notes} |"
            )
        pairs = {i: [growth(found["rows"], i, k) for k in ("first", "warm")] for i in IMPLS}
        spans = {(g[1], g[2]) for pair in pairs.values() for g in pair if g}
        one = len(spans) == 1

        def fmt(g: tuple[float, int, int] | None, one: bool = one) -> str:
            if g is None:
                return "—"
            return f"{g[0]:.2f}" if one else f"{g[0]:.2f} ({g[1]:,} → {g[2]:,})"

        parts = [f"{i} {fmt(p[0])} / {fmt(p[1])}" for i, p in pairs.items() if any(p)]
        if parts:
            span = f" {min(spans)[0]:,} → {min(spans)[1]:,}" if one else ""
            out.append(f"\nGrowth exponent{span}, first / warm: {'; '.join(parts)}.")
        out.append("")
    return "\n".join(out)


def environment() -> dict[str, Any]:
    """Date, machine, Python and library versions of this run."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "libraries": versions,
    }


# -- running -------------------------------------------------------------------------------


def run(
    names: Sequence[str],
    plan: Plan,
    data_dir: Path,
    *,
    rounds: int | None = None,
    echo: bool = True,
    partial: Path | None = None,
) -> dict[str, Any]:
    """Measure the named tasks at every size of ``plan``; never raises for one task."""
    started = time.perf_counter()
    results: dict[str, Any] = {
        "environment": environment(),
        "plan": {"sizes": list(plan.sizes), "cap": plan.cap},
        "tasks": {},
    }
    for name in names:
        task = TASKS[name]
        rows: list[dict[str, Any]] = []
        sizes: Sequence[int | None] = plan.sizes if task.sized else (None,)
        for size in sizes:
            r, w = plan.rounds[size] if size else plan.fixed
            if rounds is not None:
                r = rounds
            try:
                data = dataset(task.data, size or 0, data_dir)
            except Exception as exc:
                print(f"{name} {size}: no data: {exc}", file=sys.stderr)
                continue
            previous = rows[-1] if rows else None
            rows.append(measure_task(task, size, data, r, w, plan, previous, echo))
            if partial is not None:
                results["tasks"][name] = {"rows": rows, "exponent": {}}
                partial.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        results["tasks"][name] = {
            "rows": rows,
            "exponent": {
                impl: {k: exponent(rows, impl, k) for k in ("first", "warm")} for impl in IMPLS
            },
        }
    results["seconds"] = time.perf_counter() - started
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 1,000, few rounds")
    parser.add_argument("--only", help=f"comma-separated tasks: {', '.join(TASKS)}, server")
    parser.add_argument("--sizes", help="comma-separated sizes (default 100,1000,10000,100000)")
    parser.add_argument("--rounds", type=int, help="fresh processes per figure, at every size")
    parser.add_argument("--json", metavar="FILE", help="write every figure and sample here")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the synthetic data files are kept between runs (default: a temporary "
        "folder of the system, reused)",
    )
    parser.add_argument(
        "--server", action="store_true", help="also run bench_server.py (wrk, 1/8/64 connections)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
        rounds = {s: plan.rounds.get(s, FULL.rounds.get(s, (1, 1))) for s in sizes}
        plan = Plan(sizes, rounds, plan.fixed, plan.cap)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(TASKS)
    server = args.server or "server" in names
    names = [n for n in names if n != "server"]
    unknown = [n for n in names if n not in TASKS]
    if unknown:
        parser.error(f"unknown task(s): {', '.join(unknown)}")
    folder = data_folder(args.data_dir)
    results = run(
        names, plan, folder, rounds=args.rounds, partial=Path(args.json) if args.json else None
    )
    text = report(results)
    if server:
        done = subprocess.run(
            [
                PYTHON,
                str(HERE / "bench_server.py"),
                "--duration",
                "3" if args.quick else "5",
                "--rounds",
                "1" if args.quick else "3",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        results["server"] = {"status": done.returncode, "report": done.stdout}
        text += "\n### Feed server (`bench_server.py`)\n\n" + (done.stdout or done.stderr[-500:])
    env = results["environment"]
    print(
        f"Run of {env['date']}, Python {env['python']}, {env['platform']}, "
        f"{env['cpus']} CPUs, {results['seconds']:.0f} s.\n"
    )
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    failed = any(
        row[impl]["note"] and "Error" in row[impl]["note"]
        for found in results["tasks"].values()
        for row in found["rows"]
        for impl in IMPLS
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
