"""Dumpers: plain data made from model objects in one pass, as the converter unstructures them.

A dumper, written once per attrs class (and kept in the user cache with the
builders' plans), turns an object into the table the cattrs converter gives:
every field in order, a field equal to its default left out, a text as its
``{fr, en}`` table, dates, times and durations as ISO 8601 text, a tuple as a
list; without importing cattrs. The converter stays the reference
(``tests/loading/test_dumpers.py``); a class with a field of another type has
no dumper (``TypeError``) and is left to it.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

import attrs

from .builders import _class_named, _each_once, _Plans, _Scope, _Writer
from .durations import format_clock, format_duration
from .text import PartialDate, Text, text_table

__all__ = ["dumper"]

_Dump = Callable[[Any], dict[str, Any]]


def dumper(cls: type[Any]) -> _Dump:
    """The dumper of attrs class ``cls``: ``dumper(cls)(obj)`` is the object's table.

    Raises ``TypeError`` for a class with a field of a type no dumper writes.
    """
    return _dumpers()(cls)


@functools.cache
def _dumpers() -> Callable[[type[Any]], _Dump]:
    return _each_once(_DumpWriter())


_PLANS = _Plans("dumpers")
"""The dumpers' plans, in a file of their own: a load does not read them."""

_PLAIN = (str, int, bool, float)
"""Types the converter leaves as they are."""


class _DumpWriter(_Writer):
    """Writes the source of one dumper per class and compiles it, or makes it from its plan."""

    kind = "dumper"
    entry = "dump"

    def __init__(self) -> None:
        super().__init__({"_text": text_table, "_time": format_clock, "_duration": format_duration})

    def _find(self, cls: type[Any], kind: str, args: list[str]) -> Any:
        if kind == "default":
            return attrs.fields_dict(cls)[args[0]].default
        if kind == "dump":
            return self._nested(_class_named(*args))
        return super()._find(cls, kind, args)

    def _plans(self) -> _Plans:
        return _PLANS

    def _write(self, cls: type[Any], where: str | None) -> _Dump:
        if not attrs.has(cls):
            raise TypeError(f"{cls!r} is not an attrs class")
        attrs.resolve_types(cls)
        scope = _Scope(self.base)
        self.scopes.append(scope)
        try:
            lines = ["def dump(o):", "    res = {}"]
            for a in attrs.fields(cls):
                if not a.init:
                    continue  # as the converter: a field set by the class itself is left out
                if a.name.startswith("_") or isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
                    raise TypeError(f"{cls.__qualname__}.{a.name}: no dumper for this field")
                value = self._value(a.type, "v", 0)
                lines.append(f"    v = o.{a.name}")
                if a.default is attrs.NOTHING:
                    lines.append(f"    res[{a.name!r}] = {value}")
                else:
                    default = self.name(a.default, "default", ("default", a.name))
                    lines += [f"    if v != {default}:", f"        res[{a.name!r}] = {value}"]
            lines.append("    return res")
        finally:
            self.scopes.pop()
        made: _Dump = self._compile(lines, cls, scope, where)
        return made

    def _value(self, kind: Any, var: str, depth: int) -> str:
        """The expression of the plain value of ``var``, of type ``kind``."""
        origin = typing.get_origin(kind)
        args = typing.get_args(kind)
        if kind in _PLAIN or origin is Literal:
            return var
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            other = args[0] if args[1] is type(None) else args[1]
            inner = self._value(other, var, depth)
            return var if inner == var else f"(None if {var} is None else {inner})"
        if kind is Text:
            return f"_text({var})"
        if kind is PartialDate or kind is dt.date or kind is dt.datetime:
            return f"{var}.isoformat()"
        if kind is dt.time:
            return f"_time({var})"
        if kind is dt.timedelta:
            return f"_duration({var})"
        if origin is tuple and len(args) == 2 and args[1] is ...:
            item = f"x{depth}"
            inner = self._value(args[0], item, depth + 1)
            return f"list({var})" if inner == item else f"[{inner} for {item} in {var}]"
        if isinstance(kind, type) and attrs.has(kind):
            name = self.name(
                self._nested(kind), "dump", ("dump", kind.__module__, kind.__qualname__)
            )
            return f"{name}({var})"
        raise TypeError(f"no dumper for a value of type {kind!r}")

    def _nested(self, kind: type[Any]) -> _Dump:
        """The dumper of ``kind``, an attrs class held by the class being written."""
        if kind in self.generating:
            return _lazy(kind)
        return _dumpers()(kind)


def _lazy(cls: type[Any]) -> _Dump:
    """The dumper of ``cls``, made on its first call (for a class that holds itself)."""
    made: list[_Dump] = []

    def dump(value: Any) -> dict[str, Any]:
        if not made:
            made.append(_dumpers()(cls))
        return made[0](value)

    return dump
