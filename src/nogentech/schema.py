"""The JSON Schema (draft 2020-12) of the JSON export, generated from the model.

:func:`json_schema` walks the attrs classes reachable from
:class:`~nogentech.Cluster` and turns each field's type into a schema, following
the rules of :func:`nogentech.converters.configure_converter`: what the
converter writes is what the schema accepts. The package ships the result as
``nogentech/data/cluster.schema.json`` (printed by ``nogentech schema``); after
a change to the model, regenerate it with::

    python -m nogentech.schema > src/nogentech/data/cluster.schema.json
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import sys
import types
import typing
from typing import Any, Literal

import attrs

from .cluster import Cluster
from .loading import SCHEMA_VERSION
from .text import PartialDate, Text, optional_slug, slug, slugs

__all__ = ["SCHEMA_DIALECT", "json_schema", "schema_text"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# Value types with a fixed written form, each kept once under ``$defs``.
_SCALAR_DEFS: dict[str, dict[str, Any]] = {
    "Slug": {
        "description": "A stable identifier: lowercase ASCII letters and digits joined by '-'.",
        "type": "string",
        "pattern": _SLUG_PATTERN,
    },
    "Text": {
        "description": "A text in French and English; at least one of them is given.",
        "type": "object",
        "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
        "additionalProperties": False,
        "minProperties": 1,
        "anyOf": [
            {"required": ["fr"], "properties": {"fr": {"minLength": 1}}},
            {"required": ["en"], "properties": {"en": {"minLength": 1}}},
        ],
    },
    "PartialDate": {
        "description": "A date known to the year, the month or the day: YYYY, YYYY-MM, YYYY-MM-DD.",
        "type": "string",
        "pattern": r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$",
    },
    "Date": {
        "description": "A calendar day, YYYY-MM-DD.",
        "type": "string",
        "format": "date",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    },
    "Time": {
        "description": "A local time of day, HH:MM (HH:MM:SS when the seconds are not zero).",
        "type": "string",
        "pattern": r"^(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$",
    },
    "DateTime": {
        "description": "A date and time with its UTC offset (RFC 3339).",
        "type": "string",
        "format": "date-time",
        "pattern": (
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
            r"(?:Z|[+-][0-9]{2}:[0-9]{2})$"
        ),
    },
    "Duration": {
        "description": "A duration in ISO 8601 / RFC 5545 form: PT2H, PT1H30M, P1DT12H.",
        "type": "string",
        "format": "duration",
        "pattern": (
            r"^P(?=[0-9T])(?:[0-9]+W)?(?:[0-9]+D)?"
            r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+S)?)?$"
        ),
    },
}

_VALUE_TYPES: dict[Any, str] = {
    Text: "Text",
    PartialDate: "PartialDate",
    dt.date: "Date",
    dt.time: "Time",
    dt.datetime: "DateTime",
    dt.timedelta: "Duration",
}

_PRIMITIVES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _description(cls: type[Any]) -> str | None:
    """The first paragraph of ``cls``'s docstring, without reStructuredText markup."""
    doc = inspect.getdoc(cls)
    if not doc:
        return None
    first = " ".join(doc.split("\n\n", 1)[0].split())
    first = re.sub(r":[a-z]+:`~?(?:[\w.]+\.)?([\w]+)`", r"\1", first)
    return first.replace("``", "`")


_FACTORY: type[Any] = type(attrs.Factory(list))


def _default_of(field: attrs.Attribute[Any]) -> Any:
    """The value a field gets when left out (a factory's result for ``attrs.Factory``)."""
    default: Any = field.default
    if isinstance(default, _FACTORY):
        if default.takes_self:
            raise TypeError(f"field {field.name!r}: a default computed from the instance")
        return default.factory()
    return default


def _plain(value: Any) -> Any:
    """A field's default as JSON data, written the way the converter writes it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    from .converters import converter

    return _plain(converter().unstructure(value))


class _Builder:
    """Turns model classes into schemas, collecting the classes met under ``$defs``."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.used: set[str] = set()

    def value(self, tp: Any, field: attrs.Attribute[Any] | None = None) -> dict[str, Any]:
        """The schema of a value of type ``tp`` held by ``field`` (for its validators)."""
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            return self._union(typing.get_args(tp), field)
        if origin is Literal:
            choices = list(typing.get_args(tp))
            kinds = {type(c) for c in choices}
            if kinds != {str}:
                raise TypeError(f"unsupported Literal {tp!r}: only strings are handled")
            return {"type": "string", "enum": choices}
        if origin is tuple:
            args = typing.get_args(tp)
            if len(args) != 2 or args[1] is not Ellipsis:
                raise TypeError(f"unsupported tuple type {tp!r}: expected tuple[X, ...]")
            out: dict[str, Any] = {"type": "array", "items": self.value(args[0])}
            if field is not None and field.validator is slugs:
                out["items"] = self._named("Slug")
                out["uniqueItems"] = True
            self._constraints(out, field, "minItems")
            return out
        if tp in _VALUE_TYPES:
            return self._named(_VALUE_TYPES[tp])
        if tp in _PRIMITIVES:
            if tp is str and field is not None and field.validator in (slug, optional_slug):
                return self._named("Slug")
            prim: dict[str, Any] = {"type": _PRIMITIVES[tp]}
            self._constraints(prim, field, "minLength" if tp is str else None)
            return prim
        if isinstance(tp, type) and attrs.has(tp):
            return self.model(tp)
        raise TypeError(f"no JSON Schema rule for type {tp!r}")

    def _union(self, args: tuple[Any, ...], field: attrs.Attribute[Any] | None) -> dict[str, Any]:
        others = [a for a in args if a is not type(None)]
        if len(others) != 1 or len(others) == len(args):
            raise TypeError(f"unsupported union {args!r}: only 'X | None' is handled")
        inner = self.value(others[0], field)
        if "enum" in inner:
            return {**inner, "type": [inner["type"], "null"], "enum": [*inner["enum"], None]}
        if isinstance(inner.get("type"), str):
            return {**inner, "type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}

    def _constraints(
        self, out: dict[str, Any], field: attrs.Attribute[Any] | None, length_key: str | None
    ) -> None:
        """Add what the field's attrs validators require (minimum length, bounds)."""
        if field is None or field.validator is None:
            return
        # ``attrs.validators.and_`` keeps the validators it combines in ``_validators``.
        for validator in getattr(field.validator, "_validators", (field.validator,)):
            minimum_length = getattr(validator, "min_length", None)
            if length_key is not None and isinstance(minimum_length, int):
                out[length_key] = minimum_length
            bound = getattr(validator, "bound", None)
            operator = getattr(validator, "compare_op", None)
            if operator in (">=", "<=") and isinstance(bound, int):
                out["minimum" if operator == ">=" else "maximum"] = bound

    def _named(self, name: str) -> dict[str, Any]:
        self.used.add(name)
        return _ref(name)

    def model(self, cls: type[Any]) -> dict[str, Any]:
        """A ``$ref`` to ``cls``, whose schema is added to ``$defs`` on first use."""
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # name taken first, so a self-reference ends in a $ref
            self.defs[name] = self.object_schema(cls)
        return _ref(name)

    def object_schema(self, cls: type[Any]) -> dict[str, Any]:
        """The object schema of attrs class ``cls``: one property per ``__init__`` field."""
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            prop = self.value(hints[field.name], field)
            if field.default is attrs.NOTHING:
                required.append(field.name)
            else:
                prop["default"] = _plain(_default_of(field))
            properties[field.name] = prop
        out: dict[str, Any] = {}
        description = _description(cls)
        if description:
            out["description"] = description
        out["type"] = "object"
        out["properties"] = properties
        if required:
            out["required"] = required
        out["additionalProperties"] = False
        return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``nogentech export json`` output.

    Objects forbid unknown keys; ``required`` lists the fields without a
    default (fields left at their default are not written). At the top level,
    ``schema_version`` is required and keys starting with ``x-`` are allowed:
    plugins add them through ``nogentech_json_document``, and the loader
    ignores them.
    """
    builder = _Builder()
    top = builder.object_schema(Cluster)
    properties = {
        "schema_version": {
            "description": "Version of the data schema; changes only when the format breaks.",
            "const": SCHEMA_VERSION,
        },
        **top["properties"],
    }
    defs = dict(builder.defs)
    defs.update({name: _SCALAR_DEFS[name] for name in builder.used})
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "title": "nogentech cluster",
        "description": top.get("description", ""),
        "type": "object",
        "properties": properties,
        "required": ["schema_version", *top.get("required", [])],
        "patternProperties": {"^x-": {"description": "Added by a plugin; ignored when loading."}},
        "additionalProperties": False,
        "$defs": {name: defs[name] for name in sorted(defs)},
    }
    return schema


def schema_text() -> str:
    """:func:`json_schema` as the text of the shipped file: 2-space indent, final newline."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(schema_text().encode("utf-8"))
