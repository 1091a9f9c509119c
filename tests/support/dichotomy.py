"""The boundary rule, checked on one piece of data: it fails validation, or it is served.

:func:`check` takes plain data (as a JSON file holds it) and either finds it invalid
everywhere (``from_dict`` and ``load`` raise :class:`~nogentech.DataError` with a
path or a file-level message for every problem, ``nogentech validate`` exits 2) or
exports it in every built-in format, reads its JSON export back equal and serves it
without a 500.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nogentech
from nogentech.cli import main
from nogentech.exceptions import DataError

VARIANTS: dict[str, tuple[dict[str, Any], ...]] = {
    "ics": ({"lang": "fr"}, {"lang": "en"}, {"expand": True}),
    "jcal": ({}, {"expand": True}),
    "vcard": ({"version": 3}, {"version": 4}),
}
"""Options that change what a format writes; every other format runs with its defaults."""


def exports() -> list[tuple[str, dict[str, Any]]]:
    """Every built-in format, with the options of :data:`VARIANTS`."""
    from nogentech.plugins import DEFAULT_PLUGINS

    names = [f.name for f in nogentech.formats() if f.plugin in DEFAULT_PLUGINS]
    assert {"ics", "vcard", "json"} <= set(names)
    return [(name, options) for name in names for options in VARIANTS.get(name, ({},))]


def feeds() -> list[str]:
    """The server's fixed routes: the page, the feeds, the API (a meeting at a time aside)."""
    from nogentech.web import ROUTES

    found = ["/", *ROUTES]
    with contextlib.suppress(ImportError):
        from nogentech.web._api import PATHS

        found += PATHS
    return found


def _refuses_nan(token: str) -> float:
    raise ValueError(f"not JSON: {token}")


def strict_json(data: bytes) -> Any:
    """Parse ``data`` as RFC 8259 JSON: UTF-8, no ``NaN``/``Infinity``."""
    return json.loads(data.decode("utf-8"), parse_constant=_refuses_nan)


def _get(app: Any, path: str) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "SCRIPT_NAME": "",
    }
    seen: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        for name, value in headers:
            assert "\r" not in value and "\n" not in value, (name, value)
        seen.append(status)
        return lambda _data: None

    body = b"".join(app(environ, start_response))
    return seen[0], body


@contextlib.contextmanager
def _quiet() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def check(data: Any, folder: Path) -> str:
    """Assert the rule for ``data``; ``"invalid"`` or ``"valid"`` says which side it is on.

    ``data`` is written to ``folder / "data.json"`` (ASCII, with ``\\u`` escapes that
    may stand for lone surrogates, and ``NaN`` where ``data`` holds one) and read by
    the API, the command line and the server.
    """
    file = folder / "data.json"
    file.write_text(json.dumps(data, allow_nan=True), "ascii")
    try:
        cluster = nogentech.from_dict(data)
    except DataError as exc:
        assert exc.problems, "a DataError lists its problems"
        for problem in exc.problems:
            assert problem.message.strip(), problem
            assert len(problem.message) < 2000, problem
        with contextlib.suppress(DataError), _quiet():
            nogentech.load(file)
            raise AssertionError("from_dict refused data that load accepted") from None
        with _quiet() as (_out, err):
            assert main(["validate", str(file)]) == 2
        assert "Traceback" not in err.getvalue()
        return "invalid"
    assert nogentech.load(file) == cluster
    for name, options in exports():
        body = nogentech.export(cluster, name, **options)
        body.decode("utf-8")
        if name == "json":
            again = nogentech.from_dict(strict_json(body))
            assert again == cluster
    with _quiet():
        assert main(["validate", str(file)]) == 0
    from nogentech.web import make_app

    app = make_app(file)
    for path in feeds():
        status, body = _get(app, path)
        assert status.startswith("200"), (path, status, body[:500])
    return "valid"


def finite(value: Any) -> bool:
    """True when no float in ``value`` is NaN or infinite (for sanity checks of generators)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return True
