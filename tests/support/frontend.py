"""A cluster whose meetings lie ahead of today, a loopback server and an HTTP client,
for the tests of the front-end routes, the page and the examples.

The data is written for the day the tests run: the next second Thursday has a full
programme (topic, speakers, testimonies, venue), the one after it is cancelled, and a
one-off event falls three weeks ahead. Names hold characters HTML must escape.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nogentech import web

PARIS = ZoneInfo("Europe/Paris")


def today() -> dt.date:
    return dt.datetime.now(PARIS).date()


def second_thursdays(after: dt.date, n: int) -> list[dt.date]:
    """The next ``n`` second Thursdays of a month on or after ``after``."""
    out: list[dt.date] = []
    year, month = after.year, after.month
    while len(out) < n:
        first = dt.date(year, month, 1)
        thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 7)
        if thursday >= after:
            out.append(thursday)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def key_dates(day: dt.date | None = None) -> tuple[dt.date, dt.date, dt.date]:
    """The programmed and the cancelled second Thursday, and the visit, seen from ``day``."""
    day = day or today()
    programmed, cancelled = second_thursdays(day + dt.timedelta(days=1), 2)
    return programmed, cancelled, day + dt.timedelta(days=21)


def cluster_toml(day: dt.date | None = None) -> str:
    """The cluster's TOML for the day ``day`` (default: today in Paris)."""
    programmed, cancelled, visit = key_dates(day)
    return f"""\
id = "frontclub"
name = "Club <Front> & Fils"
updated = 2024-03-01T10:00:00Z

[[places]]
id = "chaumont"
kind = "commune"
name = {{ fr = "Chaumont", en = "Chaumont" }}

[[places]]
id = "salle"
kind = "venue"
name = {{ fr = "Salle <des> fêtes", en = "Village <hall>" }}
within = "chaumont"

[[companies]]
id = "acme"
name = "Acmé & Cie"
member = true

[[people]]
id = "ada"
name = "Ada <Lovelace>"

[[people.roles]]
kind = "employee"
of = "acme"

[[meeting_series]]
id = "jeudis"
name = {{ fr = "Les jeudis", en = "Thursdays" }}
first_date = 2024-01-11
start_time = 08:30:00
duration = "PT2H"
rule = "FREQ=MONTHLY;BYDAY=2TH"
venue = "salle"
cancelled = [{cancelled.isoformat()}]

[[meeting_series.overrides]]
date = {programmed.isoformat()}
topic = {{ fr = "L’usine <du> futur", en = "The factory <of> the future" }}
speakers = ["ada"]
testimonies = ["acme"]

[[events]]
id = "visite"
name = {{ fr = "Visite d’usine", en = "Factory visit" }}
date = {visit.isoformat()}
start_time = 14:00:00
duration = "PT3H"
venue = "salle"
"""


def write_cluster(path: Path, day: dt.date | None = None) -> Path:
    path.write_text(cluster_toml(day), encoding="utf-8")
    return path


@contextlib.contextmanager
def running(app: Any, host: str = "127.0.0.1") -> Iterator[int]:
    """Serve ``app`` on a free loopback port in a thread; yields the port."""
    server = web.make_server(host, 0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fetch(
    port: int, path: str, method: str = "GET", headers: Mapping[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to the loopback server; (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def static_site(directory: Path) -> Iterator[int]:
    """Serve the files of ``directory`` on a free loopback port (another origin); the port."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
