"""The feed server under load: the built-in server against the same application under gunicorn.

Every server runs in its own process and the load comes from ``wrk`` (Debian package
``wrk``) in another, over persistent connections. Three measurements:

* throughput and latency at 1, 8 and 64 connections, full responses and 304
  revalidations (``If-None-Match``), built-in server and gunicorn (``gthread``
  worker, one process like the built-in server, 8 threads), rounds interleaved;
* latency while the data file is reloaded: a cluster of ``--series`` meeting series
  (``synthetic.py``) is served, ``wrk`` runs while the file is edited, and its
  percentiles are compared with an idle run of the same length;
* :func:`run`, kept for ``run.py``: sequential requests over one connection.

Each server and ``wrk`` run is bounded in time; everything stops on exit.

    python benchmarks/bench_server.py [--duration 5] [--rounds 3] [--series 2000] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

PATH = "/calendar.ics"
TIME_LIMIT = 120.0
WARM_UP = 50
CONNECTIONS = (1, 8, 64)
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


# -- servers -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[Any], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {timeout:g} s") from None
            time.sleep(0.05)


@contextlib.contextmanager
def serving(kind: str, data: Path | None, *, threads: int = 8, workers: int = 1) -> Iterator[int]:
    """Run ``nogentech serve`` (``kind="builtin"``) or gunicorn; yields the port.

    Both log every request (to /dev/null), so that neither skips work the other does.
    """
    port = _free_port()
    if kind == "builtin":
        command = [sys.executable, "-m", "nogentech", "serve", "--port", str(port)]
        command += ["--data", str(data)] if data is not None else []
    elif kind == "gunicorn":
        if shutil.which("gunicorn") is None and not _has_module("gunicorn"):
            raise RuntimeError("gunicorn is not installed (pip install gunicorn)")
        factory = f"nogentech.web:make_app({str(data)!r})" if data else "nogentech.web:make_app()"
        command = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-k", "gthread"]
        command += ["-w", str(workers), "--threads", str(threads), "--keep-alive", "15"]
        command += ["--access-logfile", os.devnull, factory]
    else:
        raise ValueError(f"unknown server {kind!r}")
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    try:
        _wait_listening(port, process, 60)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _get(port: int, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.getheader("ETag") or "", response.read()
    finally:
        conn.close()


# -- wrk -----------------------------------------------------------------------------


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests per second, latency percentiles (seconds) and error counts of a wrk report."""
    found: dict[str, float] = {}
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if rate is None:
        raise ValueError(f"no Requests/sec in wrk's report:\n{output[-1000:]}")
    found["rps"] = float(rate[1])
    for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M):
        found[f"p{percent}"] = _seconds(value)
    total = re.search(r"^\s+(\d+) requests in ", output, re.M)
    found["requests"] = float(total[1]) if total else 0.0
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    found["socket_errors"] = float(sum(int(n) for n in errors.groups())) if errors else 0.0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["bad_responses"] = float(bad[1]) if bad else 0.0
    return found


def wrk(
    port: int, path: str, connections: int, duration: float, headers: Sequence[str] = ()
) -> dict[str, float]:
    """One wrk run against ``127.0.0.1:port``; its report parsed."""
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed (on Debian: apt-get install wrk)")
    seconds = max(1, round(duration))  # wrk takes whole seconds
    command = [exe, f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    command.append(f"http://127.0.0.1:{port}{path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return parse_wrk(done.stdout)


# -- the measurements ----------------------------------------------------------------


def compare(
    *,
    data: Path | None = None,
    path: str = PATH,
    connections: Sequence[int] = CONNECTIONS,
    duration: float = 5.0,
    rounds: int = 3,
    threads: int = 8,
) -> list[dict[str, Any]]:
    """The built-in server and gunicorn side by side: one row per connections and kind
    of request, with medians over ``rounds`` interleaved rounds."""
    rows: list[dict[str, Any]] = []
    with serving("builtin", data) as ours, serving("gunicorn", data, threads=threads) as theirs:
        status, etag, body = _get(ours, path)
        if status != 200 or not etag:
            raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
        if _get(theirs, path)[1] != etag:
            raise RuntimeError("the two servers answer different bytes")
        for request, headers in (("full", ()), ("304", (f"If-None-Match: {etag}",))):
            for count in connections:
                runs: dict[str, list[dict[str, float]]] = {"builtin": [], "gunicorn": []}
                for _ in range(rounds):
                    for name, port in (("builtin", ours), ("gunicorn", theirs)):
                        runs[name].append(wrk(port, path, count, duration, headers))
                row: dict[str, Any] = {"request": request, "connections": count}
                for name, found in runs.items():
                    middle = sorted(found, key=lambda r: r["rps"])[len(found) // 2]
                    row[name] = middle | {"rps": statistics.median(r["rps"] for r in found)}
                    row[name]["errors"] = sum(
                        r["socket_errors"] + r["bad_responses"] for r in found
                    )
                row["ratio"] = row["gunicorn"]["rps"] / row["builtin"]["rps"]
                rows.append(row)
    return rows


def _synthetic(series: int, folder: Path) -> tuple[Path, str]:
    """A synthetic cluster of ``series`` series (and as many organisations) and the id of
    its first series."""
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    try:
        import synthetic
    finally:
        sys.path.remove(str(here))
    data = synthetic.generate(companies=series, series=series)
    target = folder / f"cluster-{series}.json"
    synthetic.write(data, target)
    return target, str(data["meeting_series"][0]["id"])


def _version(port: int) -> int:
    status, _, body = _get(port, "/healthz")
    if status != 200:
        raise RuntimeError(f"/healthz answered {status}")
    return int(json.loads(body)["data"]["version"])


def during_reload(
    *,
    series: int = 2000,
    connections: int = 8,
    limit: float = 600.0,
    folder: Path | None = None,
) -> dict[str, Any]:
    """Latency of a cached feed while a cluster of ``series`` series is reloaded, and idle.

    The feed measured is the calendar of one series (``/calendar.ics?series=ID``), as a
    subscriber to one meeting gets it: small, so that the figures show waiting, not the
    time to send megabytes. wrk runs from one second before the edit until half a
    second after the new version is served (it reports when interrupted); the idle
    run that it is compared with lasts as long, after the reload.
    """
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed (on Debian: apt-get install wrk)")
    with contextlib.ExitStack() as stack:
        where = folder or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        data, first = _synthetic(series, where)
        path = f"{PATH}?series={first}"
        with serving("builtin", data) as port:
            started = time.perf_counter()
            if _get(port, path)[0] != 200:
                raise RuntimeError(f"GET {path} failed")
            first_render = time.perf_counter() - started
            wrk(port, path, connections, 3)  # warm-up
            text = data.read_text(encoding="utf-8")
            command = [exe, "-t2", f"-c{connections}", f"-d{round(limit)}s", "--latency"]
            command += ["--timeout", "10s", f"http://127.0.0.1:{port}{path}"]
            with subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            ) as load:
                begun = time.perf_counter()
                time.sleep(1.0)
                edit_at = time.perf_counter()
                data.write_text(text.replace('"name": "', '"name": "Édité ', 1), encoding="utf-8")
                reloaded = None
                while time.perf_counter() - begun < limit - 5:
                    if _version(port) == 2:
                        reloaded = time.perf_counter() - edit_at
                        break
                    time.sleep(0.2)
                time.sleep(0.5)
                load.send_signal(signal.SIGINT)
                output, errors = load.communicate(timeout=60)
                window = time.perf_counter() - begun
            if "Requests/sec" not in output:
                raise RuntimeError(f"wrk failed ({load.returncode}): {errors.strip()[-500:]}")
            busy = parse_wrk(output)
            idle = wrk(port, path, connections, window)
    return {
        "series": series,
        "path": path,
        "connections": connections,
        "window_s": window,
        "first_render_s": first_render,
        "reload_s": reloaded,
        "idle": idle,
        "reloading": busy,
        "p99_ratio": busy["p99"] / idle["p99"],
    }


def run(
    rounds: int,
    requests: int,
    *,
    data: str | os.PathLike[str] | None = None,
    path: str = PATH,
    time_limit: float = TIME_LIMIT,
) -> dict[str, Any]:
    """``rounds`` rounds of ``requests`` sequential GETs over one persistent connection to
    ``nogentech serve`` in another process; medians and bests in req/s, full and 304."""
    if rounds < 1 or requests < 1:
        raise ValueError("rounds and requests must be at least 1")
    deadline = time.perf_counter() + time_limit
    with serving("builtin", Path(data) if data is not None else None) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:

            def once(headers: Mapping[str, str], expected: int) -> tuple[bytes, str]:
                if time.perf_counter() > deadline:
                    raise TimeoutError("benchmark time limit reached; use fewer requests")
                conn.request("GET", path, headers=dict(headers))
                response = conn.getresponse()
                body = response.read()
                if response.status != expected:
                    raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
                return body, response.getheader("ETag") or ""

            def rate(headers: Mapping[str, str], expected: int) -> float:
                start = time.perf_counter()
                for _ in range(requests):
                    once(headers, expected)
                return requests / (time.perf_counter() - start)

            body, etag = once({}, 200)
            revalidate = {"If-None-Match": etag}
            for _ in range(min(WARM_UP, requests)):
                once({}, 200)
                once(revalidate, 304)
            full = []
            revalidated = []
            for _ in range(rounds):
                full.append(rate({}, 200))
                revalidated.append(rate(revalidate, 304))
        finally:
            conn.close()
    return {
        "path": path,
        "rounds": rounds,
        "requests": requests,
        "body_bytes": len(body),
        "full_rps": statistics.median(full),
        "full_rps_best": max(full),
        "not_modified_rps": statistics.median(revalidated),
        "not_modified_rps_best": max(revalidated),
    }


# -- the report -------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(rows: list[dict[str, Any]], reload: dict[str, Any] | None) -> str:
    """The figures as Markdown tables."""
    lines = [
        "| request | connections | built-in req/s | gunicorn req/s | gunicorn ÷ built-in "
        "| built-in p50 / p99 | gunicorn p50 / p99 |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        ours, theirs = row["builtin"], row["gunicorn"]
        lines.append(
            f"| {row['request']} | {row['connections']} | {ours['rps']:,.0f} | "
            f"{theirs['rps']:,.0f} | {row['ratio']:.2f} | {_ms(ours['p50'])} / {_ms(ours['p99'])}"
            f" | {_ms(theirs['p50'])} / {_ms(theirs['p99'])} |"
        )
    if reload is not None:
        idle, busy = reload["idle"], reload["reloading"]
        took = reload["reload_s"]
        lines += [
            "",
            f"Reload of {reload['series']:,} series ({took:.1f} s from the edit to the new "
            f"version served; runs of {reload['window_s']:.0f} s)"
            if took is not None
            else "Reload did not finish within the run",
            "",
            "| run | req/s | p50 | p90 | p99 |",
            "|---|--:|--:|--:|--:|",
            f"| idle | {idle['rps']:,.0f} | {_ms(idle['p50'])} | {_ms(idle['p90'])} | "
            f"{_ms(idle['p99'])} |",
            f"| during the reload | {busy['rps']:,.0f} | {_ms(busy['p50'])} | "
            f"{_ms(busy['p90'])} | {_ms(busy['p99'])} |",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument("--path", default=PATH, help=f"feed to measure (default: {PATH})")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per figure")
    parser.add_argument("--connections", default="1,8,64", help="comma-separated counts")
    parser.add_argument("--series", type=int, default=2000, help="series of the reload test")
    parser.add_argument("--reload-limit", type=float, default=600.0, help="seconds at most")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--skip-reload", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "bench_server.py: wrk is not installed (on Debian: apt-get install wrk)",
            file=sys.stderr,
        )
        return 2
    data = Path(args.data) if args.data else None
    rows: list[dict[str, Any]] = []
    if not args.skip_compare:
        counts = [int(c) for c in args.connections.split(",")]
        rows = compare(
            data=data,
            path=args.path,
            connections=counts,
            duration=args.duration,
            rounds=args.rounds,
        )
    reload = None
    if not args.skip_reload:
        reload = during_reload(series=args.series, limit=args.reload_limit)
    print(
        json.dumps({"compare": rows, "reload": reload}, indent=2)
        if args.json
        else report(rows, reload)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
