"""``/openapi.json``: an OpenAPI 3.1 description of every route, built from the exporters.

Each route's query parameters are its exporter's options (a plugin's format gets its
own ``/export/NAME`` path); the JSON Schema of ``/meetings.json`` is included under
``components/schemas``. The document is rendered once per data version, address
and set of formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..plugins import ExporterInfo, Option

_HIDDEN = {"meetings-json": {"base_url"}, "meetings-atom": {"base_url"}}
_ERRORS: dict[str, Any] = {
    "304": {
        "description": "Not modified: the client's If-None-Match or If-Modified-Since matches."
    },
    "400": {"description": "A bad option, named in the text.", "content": {"text/plain": {}}},
    "404": {"description": "No such route, format or meeting.", "content": {"text/plain": {}}},
}


_PREFLIGHT: dict[str, Any] = {
    "description": "Allowed: GET, HEAD and OPTIONS, with the headers the request asked for.",
    "headers": {
        name: {"schema": {"type": "string"}}
        for name in (
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
        )
    },
}


def _schema(option: Option) -> dict[str, Any]:
    kind = option.kind
    schema: dict[str, Any]
    if kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "int":
        schema = {"type": "integer"}
        if option.minimum is not None:
            schema["minimum"] = option.minimum
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "choice":
        schema = {"type": "string", "enum": list(option.choices)}
    elif kind == "list":
        schema = {"type": "array", "items": {"type": "string"}}
    else:
        schema = {"type": "string"}
    if option.default is not None:
        schema["default"] = option.default
    return schema


def parameters(options: Iterable[Option], skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The query parameters of a route whose exporter has ``options``."""
    out = []
    for option in options:
        if option.name in skip:
            continue
        param: dict[str, Any] = {
            "name": option.name,
            "in": "query",
            "required": False,
            "description": option.description,
            "schema": _schema(option),
        }
        if option.kind == "list":
            param.update(style="form", explode=False)
        out.append(param)
    return out


def _operation(
    op_id: str, summary: str, params: list[dict[str, Any]], media: str, schema: Any = None
) -> dict[str, Any]:
    content: dict[str, Any] = {media: {"schema": schema} if schema else {}}
    get: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": content}, **_ERRORS},
    }
    head = {**get, "operationId": op_id + "-head", "summary": summary + " (headers only)"}
    head["responses"] = {"200": {"description": "OK, without the body"}, **_ERRORS}
    preflight = {
        "operationId": op_id + "-preflight",
        "summary": "CORS preflight: what a page of another origin may send.",
        "parameters": [p for p in params if p["in"] == "path"],
        "responses": {"204": _PREFLIGHT, "404": _ERRORS["404"]},
    }
    return {"get": get, "head": head, "options": preflight}


def _rewrite(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("#/components/schemas/" + v.rsplit("/", 1)[1] if k == "$ref" else _rewrite(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(v) for v in value]
    return value


def _components() -> dict[str, Any]:
    text = (resources.files("nogentech") / "data" / "meetings.schema.json").read_text("utf-8")
    schema = json.loads(text)
    defs = schema.pop("$defs")
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return {"Meetings": _rewrite(schema), **{k: _rewrite(v) for k, v in defs.items()}}


def document(
    name: str,
    version: str,
    root: str,
    infos: Iterable[ExporterInfo],
    routes: Mapping[str, tuple[str, str]],
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a server at ``root`` with these exporters and fixed routes."""
    by_name = {info.name: info for info in infos}
    lang = [
        {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "Language: fr or en.",
            "schema": {"type": "string", "enum": ["fr", "en"], "default": "fr"},
        }
    ]
    paths: dict[str, Any] = {
        "/": _operation(
            "page", "The page: upcoming meetings and every feed's links.", lang, "text/html"
        ),
    }
    for path, (exporter, _file) in routes.items():
        if exporter in by_name:
            info = by_name[exporter]
            paths[path] = _operation(
                path.strip("/"), info.description, parameters(info.options), info.media_type
            )
    meetings = by_name.get("meetings-json")
    if meetings is not None:
        ref = {"$ref": "#/components/schemas/Meetings"}
        paths["/meetings.json"] = _operation(
            "meetings.json",
            "The occurrences of a window (default: today and the year after).",
            parameters(meetings.options, _HIDDEN["meetings-json"]),
            meetings.media_type,
            ref,
        )
    atom = by_name.get("meetings-atom")
    if atom is not None:
        paths["/meetings.atom"] = _operation(
            "meetings.atom",
            atom.description,
            parameters(atom.options, _HIDDEN["meetings-atom"]),
            atom.media_type,
        )
    ident = {
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
    }
    day = {
        "name": "date",
        "in": "path",
        "required": True,
        "description": "The date the rule gives the occurrence.",
        "schema": {"type": "string", "format": "date"},
    }
    paths["/meetings/{series}/{date}.ics"] = _operation(
        "meeting-occurrence.ics",
        "One occurrence of a series as its own calendar, with the feed's UID and RECURRENCE-ID.",
        [{"name": "series", "description": "The series id.", **ident}, day, *lang],
        "text/calendar",
    )
    paths["/meetings/{event}.ics"] = _operation(
        "meeting-event.ics",
        "One one-off event as its own calendar, with the feed's UID.",
        [{"name": "event", "description": "The event id.", **ident}, *lang],
        "text/calendar",
    )
    paths["/schema/meetings.schema.json"] = _operation(
        "meetings.schema.json", "The JSON Schema of /meetings.json.", [], "application/schema+json"
    )
    paths["/openapi.json"] = _operation("openapi.json", "This description.", [], "application/json")
    for info in sorted(by_name.values(), key=lambda i: i.name):
        paths[f"/export/{info.name}"] = _operation(
            f"export-{info.name}", info.description, parameters(info.options), info.media_type
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{name} feeds",
            "version": version,
            "description": "Calendars, contacts and data of the cluster. Every GET route "
            "answers CORS requests (OPTIONS preflight included).",
        },
        "servers": [{"url": root or "/"}],  # relative: the address is not known
        "paths": paths,
        "components": {"schemas": _components()},
    }
