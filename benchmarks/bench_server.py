"""Requests per second of the feed server: full ``/calendar.ics`` responses and 304s.

The server runs in a thread on a free loopback port; one client sends the requests
one after the other (a new connection each, as the wsgiref server speaks HTTP/1.0).
After a warm-up that fills the render cache, each round times ``requests`` full
GETs, then ``requests`` revalidations with ``If-None-Match``. Everything stops with
an error once ``time_limit`` seconds have passed.

    python benchmarks/bench_server.py --rounds 5 --requests 500 [--data FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import statistics
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from nogentech import web

PATH = "/calendar.ics"
TIME_LIMIT = 120.0
WARM_UP = 50


@contextlib.contextmanager
def _serving(app: Any) -> Iterator[int]:
    server = web.make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _get(port: int, path: str, headers: Mapping[str, str]) -> tuple[int, str | None, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=dict(headers))
        response = conn.getresponse()
        return response.status, response.getheader("ETag"), response.read()
    finally:
        conn.close()


def _rate(
    port: int, path: str, requests: int, headers: Mapping[str, str], status: int, deadline: float
) -> float:
    """Requests per second for ``requests`` sequential GETs that must answer ``status``."""
    start = time.perf_counter()
    for _ in range(requests):
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark time limit reached; use fewer rounds or requests")
        got, _, _ = _get(port, path, headers)
        if got != status:
            raise RuntimeError(f"GET {path} answered {got}, expected {status}")
    return requests / (time.perf_counter() - start)


def run(
    rounds: int,
    requests: int,
    *,
    data: str | os.PathLike[str] | None = None,
    path: str = PATH,
    time_limit: float = TIME_LIMIT,
) -> dict[str, Any]:
    """Measure ``rounds`` rounds of ``requests`` requests each; medians and bests in req/s.

    ``data`` is the cluster file (None: the built-in data); ``path`` the feed measured.
    """
    if rounds < 1 or requests < 1:
        raise ValueError("rounds and requests must be at least 1")
    deadline = time.perf_counter() + time_limit
    with _serving(web.make_app(data)) as port:
        status, etag, body = _get(port, path, {})
        if status != 200 or etag is None:
            raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
        for _ in range(min(WARM_UP, requests)):
            _get(port, path, {})
            _get(port, path, {"If-None-Match": etag})
        full: list[float] = []
        revalidated: list[float] = []
        for _ in range(rounds):
            full.append(_rate(port, path, requests, {}, 200, deadline))
            revalidated.append(_rate(port, path, requests, {"If-None-Match": etag}, 304, deadline))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument("--path", default=PATH, help=f"feed to measure (default: {PATH})")
    args = parser.parse_args()
    result = run(args.rounds, args.requests, data=args.data, path=args.path)
    print(f"{result['path']} ({result['body_bytes']} bytes), {args.rounds} × {args.requests}:")
    print(
        f"  full responses : {result['full_rps']:8.0f} req/s (best {result['full_rps_best']:.0f})"
    )
    print(
        f"  304 revalidated: {result['not_modified_rps']:8.0f} req/s "
        f"(best {result['not_modified_rps_best']:.0f})"
    )


if __name__ == "__main__":
    main()
