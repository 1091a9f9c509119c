"""The routes for front-ends: ``/meetings.json``, ``/meetings.atom``, one meeting's
``/meetings/{id}.ics``, the JSON Schema and the OpenAPI description.

The meetings routes render their exporter through the application's cache; when
the request gives no ``from``, today's date (in the cluster's timezone) is filled
in first, so the cached body changes with the day. See ``docs/api.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

from ..exceptions import OptionError, UnknownFormatError
from ._http import _conditional, _etag, _Rendered, _Response, _text

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from ._source import Snapshot


class Host(Protocol):
    """What these routes use of the application: its render cache and feed rendering."""

    max_age: int

    def _feed(
        self, snapshot: Snapshot, name: str, filename: str, params: Mapping[str, str]
    ) -> _Rendered: ...

    def _cached(self, key: tuple[Any, ...], make: Callable[[], _Rendered]) -> _Rendered: ...


MEETINGS = "/meetings.json"
ATOM = "/meetings.atom"
SCHEMA = "/schema/meetings.schema.json"
OPENAPI = "/openapi.json"
SINGLE = "/meetings/{id}.ics"
PATHS = (MEETINGS, ATOM, SCHEMA, OPENAPI)
"""The fixed paths of this module (and ``/meetings/{id}.ics``)."""
FORMAT_PATHS = {"meetings-json": MEETINGS, "meetings-atom": ATOM}
"""The formats served here rather than at ``/export/NAME`` (their window starts today)."""


def handles(path: str) -> bool:
    """True for a path this module answers."""
    return path in PATHS or _single_id(path) is not None


def _single_id(path: str) -> str | None:
    if path.startswith("/meetings/") and path.endswith(".ics") and len(path) > 14:
        return path[len("/meetings/") : -len(".ics")]
    return None


def respond(
    app: Host,
    environ: WSGIEnvironment,
    snapshot: Snapshot,
    path: str,
    params: Mapping[str, str],
    root: str,
    routes: Mapping[str, tuple[str, str]],
) -> _Response:
    """The response to a GET or HEAD of ``path``.

    ``root`` is the server's public address, ``routes`` its fixed feed paths.
    """
    if path == SCHEMA:
        return _conditional(environ, _schema())
    if path == OPENAPI:
        return _conditional(environ, _openapi(app, snapshot, root, routes))
    ident = _single_id(path)
    try:
        if ident is not None:
            try:
                snapshot.cluster.meeting(ident)
            except KeyError:
                return _text(404, f"Not found: no meeting with id {ident!r}")
            query = {**params, "occurrence": ident}
            filename = ident.replace("/", "-") + ".ics"
            rendered = app._feed(snapshot, "ics", filename, query)
        else:
            from ..exporters.occurrences import today

            query = dict(params)
            query.setdefault("from", today(snapshot.cluster).isoformat())
            if path == ATOM:
                query["base_url"] = root
                rendered = app._feed(snapshot, "meetings-atom", "meetings.atom", query)
            else:
                rendered = app._feed(snapshot, "meetings-json", "meetings.json", query)
    except UnknownFormatError as exc:
        return _text(404, str(exc))
    except OptionError as exc:
        return _text(400, str(exc))
    return _conditional(environ, rendered)


_SCHEMA: list[_Rendered] = []


def _schema() -> _Rendered:
    """The shipped JSON Schema of ``/meetings.json``, read once."""
    if not _SCHEMA:
        body = (resources.files("nogentech") / "data" / "meetings.schema.json").read_bytes()
        json.loads(body)  # shipped broken would be a packaging error: fail loudly here
        headers = (
            ("Content-Type", "application/schema+json; charset=utf-8"),
            ("Content-Disposition", 'inline; filename="meetings.schema.json"'),
            ("Cache-Control", "public, max-age=86400"),
        )
        _SCHEMA.append(_Rendered(body, _etag(body), headers, None))
    return _SCHEMA[0]


def _openapi(
    app: Host, snapshot: Snapshot, root: str, routes: Mapping[str, tuple[str, str]]
) -> _Rendered:
    """``/openapi.json`` for ``root``, through the application's cache."""
    from ..plugins import formats
    from ..version import __version__
    from ._openapi import document

    infos = formats()
    key = (snapshot.version, OPENAPI, root, tuple(i.name for i in infos))

    def make() -> _Rendered:
        doc = document(snapshot.cluster.name, __version__, root, infos, routes)
        body = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        headers = (
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Disposition", 'inline; filename="openapi.json"'),
            ("Cache-Control", f"public, max-age={app.max_age}"),
        )
        return _Rendered(body, _etag(body), headers, snapshot.last_modified)

    return app._cached(key, make)
