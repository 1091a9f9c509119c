"""The cattrs converter that turns cluster data into model objects and back.

The model classes know nothing of serialization; every rule lives here, in
:func:`configure_converter`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

import attrs
from cattrs import Converter
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from .durations import format_clock, format_duration, parse_duration
from .exceptions import DataError, Problem
from .text import PartialDate, Text, check_string, quote, text_table

__all__ = [
    "configure_converter",
    "converter",
    "format_duration",
    "make_converter",
    "parse_duration",
]


def _type_name(value: object) -> str:
    return type(value).__name__


def _strict(kind: type[Any], label: str) -> Any:
    def structure(value: object, _: Any) -> Any:
        if type(value) is kind:
            return value
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"expected {label} (got {_type_name(value)} {quote(value)})")
        return value

    return structure


_SURROGATE = re.compile("[\ud800-\udfff]").search
"""Finds a lone surrogate (what :func:`~nogentech.text.check_string` refuses), cheaply."""


def _structure_str(value: object, _: Any) -> str:
    if type(value) is str and _SURROGATE(value) is None:
        return value
    if type(value) is not str and not isinstance(value, str):
        raise TypeError(f"expected a string (got {_type_name(value)} {quote(value)})")
    return check_string(value)


def _structure_float(value: object, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number (got {_type_name(value)} {quote(value)})")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number (got {quote(value)})")
    return number


_TEXT_KEYS = frozenset(("fr", "en"))


def _structure_text(value: object, _: Any) -> Text:
    if type(value) is dict:
        # The usual tables, {fr, en} or one of them, without a lone surrogate.
        size = len(value)
        fr = value.get("fr")
        en = value.get("en")
        if (
            (fr is None or (type(fr) is str and _SURROGATE(fr) is None))
            and (en is None or (type(en) is str and _SURROGATE(en) is None))
            and size == (fr is not None) + (en is not None)
        ):
            return Text(fr=fr, en=en)
    if isinstance(value, str):
        return Text(fr=check_string(value))
    if isinstance(value, dict):
        if not _TEXT_KEYS.issuperset(value):
            unknown = sorted(map(str, set(value) - _TEXT_KEYS))
            raise ValueError(f"a text has only 'fr' and 'en' (got {quote(unknown)})")
        fr = value.get("fr")
        en = value.get("en")
        if not isinstance(fr, str) and "fr" in value:
            raise TypeError(f"'fr' must be a string (got {_type_name(fr)})")
        if not isinstance(en, str) and "en" in value:
            raise TypeError(f"'en' must be a string (got {_type_name(en)})")
        for text in (fr, en):
            if isinstance(text, str):
                check_string(text)
        return Text(fr=fr, en=en)
    raise TypeError(
        f"expected a text or a {{fr, en}} table (got {_type_name(value)} {quote(value)})"
    )


def _structure_partial(value: object, _: Any) -> PartialDate:
    if isinstance(value, int) and not isinstance(value, bool):
        return PartialDate(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, str):
        return PartialDate.parse(value)
    raise TypeError(
        f"expected YYYY, YYYY-MM or YYYY-MM-DD (got {_type_name(value)} {quote(value)})"
    )


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _structure_date(value: object, _: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise TypeError(f"expected a date, not a date and time (got {value.isoformat()})")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, str):
        raise ValueError(f"invalid date {quote(value)} (expected YYYY-MM-DD)")
    raise TypeError(f"expected a date YYYY-MM-DD (got {_type_name(value)} {quote(value)})")


def _structure_time(value: object, _: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"invalid time {quote(value)} (expected HH:MM)")


def _structure_datetime(value: object, _: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"invalid date and time {quote(value)} (expected ISO 8601)") from None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a date and time (got {_type_name(value)} {quote(value)})")
    if value.utcoffset() is None:
        raise ValueError(f"a date and time needs its UTC offset (got {value.isoformat()})")
    return value


def _unstructure_datetime(value: dt.datetime) -> str:
    return value.isoformat()


def _is_homogeneous_tuple(kind: Any) -> bool:
    return typing.get_origin(kind) is tuple and typing.get_args(kind)[1:] == (...,)


def _is_optional(kind: Any) -> bool:
    args = typing.get_args(kind)
    return (
        typing.get_origin(kind) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _is_literal(kind: Any) -> bool:
    return typing.get_origin(kind) is Literal


def _structure_literal(kind: Any) -> Any:
    allowed = typing.get_args(kind)

    def structure(value: object, _: Any) -> Any:
        if not any(value == a and type(value) is type(a) for a in allowed):
            choices = ", ".join(repr(a) for a in allowed)
            raise ValueError(f"expected one of {choices} (got {quote(value)})")
        return value

    return structure


def _structure_duration(value: object, _: Any) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise TypeError(f"expected a duration such as 'PT2H' (got {_type_name(value)} {quote(value)})")


def make_converter(*, detailed_validation: bool = True) -> Converter:
    """A new converter configured for nogentech's model (see :func:`configure_converter`).

    With ``detailed_validation=False`` the converter structures valid data faster
    (its generated functions do not track where each value comes from) and raises
    on the same data, but its errors do not say where the problems are.
    """
    conv = Converter(detailed_validation=detailed_validation, forbid_extra_keys=True)
    configure_converter(conv)
    return conv


def configure_converter(conv: Converter) -> None:
    """Install nogentech's rules on ``conv``.

    * ``str``, ``int``, ``float`` and ``bool`` are strict: no silent coercion
      (``"12"`` is not an int, ``1`` is not a bool); an int is accepted as a float.
    * :class:`~nogentech.Text` reads a plain string (taken as French) or a table
      ``{fr = "…", en = "…"}`` and is always written as that table.
    * :class:`~nogentech.PartialDate` reads ``2009``, ``"2006-06"`` or a date,
      and is written ``"YYYY[-MM[-DD]]"``.
    * dates are ``YYYY-MM-DD`` (TOML dates accepted); times ``HH:MM``; date-times
      ISO 8601 with their UTC offset (a naive one is an error); durations ISO 8601
      (``PT2H``).
    * sequences are read from lists only (a string is not a list of letters) and
      become tuples; objects are read from tables only; unknown keys are errors
      (``forbid_extra_keys``); a ``Literal`` field names its allowed values.
    * attrs classes are written without the fields left at their default, so
      files stay short and output is stable; field order follows the classes.
    """
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(Text, _structure_text)
    conv.register_unstructure_hook(Text, text_table)
    conv.register_structure_hook(PartialDate, _structure_partial)
    conv.register_unstructure_hook(PartialDate, PartialDate.isoformat)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.time, _structure_time)
    conv.register_unstructure_hook(dt.time, format_clock)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(dt.datetime, _unstructure_datetime)
    conv.register_structure_hook(dt.timedelta, _structure_duration)
    conv.register_unstructure_hook(dt.timedelta, format_duration)

    def structure_factory(cls: type[Any]) -> Any:
        inner = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True)

        def structure(value: object, kind: Any) -> Any:
            if type(value) is not dict and not isinstance(value, Mapping):
                raise TypeError(f"expected a table (got {_type_name(value)} {quote(value)})")
            try:
                return inner(value, kind)
            except ClassValidationError as exc:
                # When every field was read and the class refused one (its ``__init__``
                # stops at the first check that fails), each field's check is asked on
                # its own, so that all its refusals are reported at once.
                if exc.group_exceptions()[0]:
                    raise
                problems = _refused_fields(conv, cls, value)
                if len(problems) > 1:
                    raise DataError(problems) from exc
                raise

        return structure

    def tuple_factory(kind: Any) -> Any:
        inner = homogenous_tuple_structure_factory(kind, conv)
        if typing.get_args(kind)[0] is str:

            def structure_strings(value: object, hint: Any) -> Any:
                if type(value) is list:
                    for item in value:
                        if type(item) is not str or _SURROGATE(item) is not None:
                            break
                    else:
                        return tuple(value)
                return structure(value, hint)

        def structure(value: object, hint: Any) -> Any:
            if type(value) is not list and not isinstance(value, list | tuple):
                raise TypeError(f"expected a list (got {_type_name(value)} {quote(value)})")
            return inner(value, hint)

        if typing.get_args(kind)[0] is str and conv.get_structure_hook(str) is _structure_str:
            return structure_strings
        return structure

    def optional_factory(kind: Any) -> Any:
        # cattrs' own hook for ``X | None`` looks up the hook of X at every call;
        # this one looks it up once.
        other = next(a for a in typing.get_args(kind) if a is not type(None))
        inner = conv.get_structure_hook(other)

        def structure(value: object, _: Any) -> Any:
            if value is None:
                return None
            return inner(value, other)

        return structure

    conv.register_structure_hook_factory(_is_homogeneous_tuple, tuple_factory)
    conv.register_structure_hook_factory(_is_literal, _structure_literal)
    conv.register_structure_hook_factory(_is_optional, optional_factory)

    def unstructure_factory(cls: type[Any]) -> Any:
        return make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)

    conv.register_structure_hook_factory(
        lambda t: attrs.has(t) and t not in (Text, PartialDate), structure_factory
    )
    conv.register_unstructure_hook_factory(
        lambda t: attrs.has(t) and t not in (Text, PartialDate), unstructure_factory
    )


def _refused_fields(conv: Converter, cls: type[Any], table: Mapping[str, Any]) -> list[Problem]:
    """The problem of each field of ``cls`` whose validator refuses its value in ``table``.

    The values are read as the converter reads them (none fails: this is asked only
    once all were read); a validator that looks at another field finds it on a plain
    namespace of the values and defaults. A field that is refused is then taken off
    the namespace and every check asked again: a check that only failed because of
    it (a rule whose first date is out of range) is left out. Empty if anything else
    goes wrong: the caller then reports the first refusal, as ``__init__`` raised it.
    """
    attrs.resolve_types(cls)
    values: dict[str, Any] = {}
    try:
        for a in attrs.fields(cls):
            if a.name in table:
                values[a.name] = conv.structure(table[a.name], a.type)
            elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
                if not a.default.takes_self:
                    values[a.name] = a.default.factory()
            elif a.default is not attrs.NOTHING:
                values[a.name] = a.default
    except Exception:  # noqa: BLE001 - not this function's to report
        return []
    refused = {p.path for p in _checked(cls, values, values)}
    kept = {name: value for name, value in values.items() if name not in refused}
    return _checked(cls, values, kept)


def _checked(cls: type[Any], values: dict[str, Any], seen: dict[str, Any]) -> list[Problem]:
    """The refusal of each field's validator, each asked with the fields in ``seen``."""
    holder = types.SimpleNamespace(**seen)
    problems: list[Problem] = []
    for a in attrs.fields(cls):
        if a.validator is None or a.name not in values:
            continue
        try:
            a.validator(holder, a, values[a.name])
        except (ValueError, TypeError) as exc:
            problems.append(Problem(a.name, str(exc) or type(exc).__name__))
        except Exception:  # noqa: BLE001 - a check that needs a field taken off, or the object
            continue
    return problems


_CONVERTERS: dict[bool, Converter] = {}


def converter(*, detailed_validation: bool = True) -> Converter:
    """The shared converter, made on first use (see :func:`make_converter`)."""
    conv = _CONVERTERS.get(detailed_validation)
    if conv is None:
        conv = make_converter(detailed_validation=detailed_validation)
        _CONVERTERS[detailed_validation] = conv
    return conv
