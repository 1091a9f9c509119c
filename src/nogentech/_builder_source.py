"""The source of a builder, written and compiled when no plan of it is kept.

:mod:`nogentech.builders` makes each builder from the plan an earlier run kept
(see :class:`~nogentech.builders._Plans`); this module, imported only when a
builder must be written, writes its source from the class's fields, types and
validators. A load that finds every plan does not import it.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import attrs

from .references import may_hold_references
from .text import PartialDate, Text, optional_slug, slug, slugs

_HASH_CACHE = "_attrs_cached_hash"


class Names(typing.Protocol):
    """What the source of a builder may name: the values of the builder being written.

    Each method gives the name under which the value is in the builder's scope
    (:class:`nogentech.builders._Generator` keeps each with how a later run finds
    it again), or None when there is no such value.
    """

    def name(self, value: Any, prefix: str, how: tuple[str, ...] | None) -> str:
        """A name for ``value``; ``how`` finds it again, None if nothing can."""

    def reader(self, kind: Any) -> str | None:
        """The reader of plain values of ``kind`` written in the builders, if there is one."""

    def hook(self, kind: Any) -> str:
        """The converter's own structuring of ``kind``."""

    def nested(self, kind: type[Any]) -> str:
        """The builder of ``kind``, an attrs class held by the class being written."""

    def twin(self, cls: type[Any]) -> str | None:
        """The open subclass of ``cls`` (see :func:`nogentech.builders._open`), if it has one."""

    def setter(self, cls: type[Any], field: str) -> str | None:
        """The setter of the slot ``field`` of ``cls``, if it has one of its own."""

    def group(self, targets: tuple[str, ...]) -> str:
        """The number of the group of references to ``targets``."""


def builder_lines(writer: Names, cls: type[Any]) -> list[str]:
    """The source lines of the builder of ``cls``, its values named by ``writer``."""
    return _Source(writer).lines(cls)


class _Source:
    """Writes the lines of one builder, naming its values in ``writer``'s scope."""

    __slots__ = ("name", "writer")

    def __init__(self, writer: Names) -> None:
        self.writer = writer
        self.name = writer.name

    def lines(self, cls: type[Any]) -> list[str]:
        """The source lines of the builder of ``cls``."""
        # Resolved in place once per class, where the references' plans find them too.
        attrs.resolve_types(cls)
        hints = {a.name: a.type for a in attrs.fields(cls)}
        fields = [a for a in attrs.fields(cls) if a.init]
        plain = self._plain(cls)
        # The keys of the table are counted as they are found, and the table is
        # refused if it has any other (cheaper than a set test of every key).
        required = sum(a.default is attrs.NOTHING for a in fields)
        lines = [
            "def build(d, k, r):",
            "    if type(d) is not dict:",
            "        raise Refused",
            f"    seen = {required}",
        ]
        # A plain class's instance is made first and each value stored in it as
        # soon as it is checked; another class is called with the values at the end.
        made = self._making(cls, fields) if plain else None
        if made is not None:
            lines.append(made.start)
        later: list[str] = []
        for a in fields:
            if made is not None:
                store, value = made.store[a.name], made.value[a.name]
            else:
                value = f"f_{a.name}"
                store = f"{value} = {{}}"
            checks, handled = self._value(hints[a.name], a.validator if plain else None)
            checks = checks + self._noting(cls, a, hints[a.name])
            default = None
            if a.default is attrs.NOTHING:
                lines.append(f"    v = d[{a.name!r}]")
                lines.extend("    " + c for c in checks)
                lines.append("    " + store.format("v"))
            else:
                default = self._default(a)
                # A test of the key, then its value: cheaper than a ``get`` for a
                # key that is there, and much cheaper for one that is not.
                lines.append(f"    if {a.name!r} in d:")
                lines.append(f"        v = d[{a.name!r}]")
                lines.append("        seen += 1")
                lines.extend("        " + c for c in checks)
                lines.append("        " + store.format("v"))
                lines.append("    else:")
                if plain and handled and not self._passes(a, a.default):
                    lines.append("        raise Refused")
                else:
                    lines.append("        " + store.format(default))
            if plain and a.validator is not None and not handled:
                check = self.name(a.validator, "validator", ("validator", a.name))
                field = self.name(a, "field", ("field", a.name))
                call = f"{check}(o, {field}, {value})"
                if default is not None and self._passes(a, a.default):
                    # The default itself passes, and a validator that passes without
                    # looking at the instance gives the same answer for it each time.
                    later += [f"    if {value} is not {default}:", f"        {call}"]
                else:
                    later.append(f"    {call}")
        lines += ["    if len(d) != seen:", "        raise Refused"]
        if made is not None:
            lines.extend(made.end)
            lines.extend(later)
            if hasattr(cls, "__attrs_post_init__"):
                lines.append("    o.__attrs_post_init__()")
            lines.append("    return o")
        else:
            args = ", ".join(f"{a.alias}=f_{a.name}" for a in fields)
            lines.append(f"    return {self.name(cls, 'cls', ('cls',))}({args})")
        return lines

    def _noting(self, cls: type[Any], a: attrs.Attribute[Any], kind: Any) -> list[str]:
        """Lines that add the ids a reference field's value ``v`` names to ``r``.

        A reference field holds an id, an optional id or a tuple of ids; another
        kind of reference field is a mistake in the model, which the builder
        refuses to be made for rather than let references go unchecked.
        """
        targets = a.metadata.get("ref")
        if not targets:
            return []
        group = self.writer.group(tuple(targets))
        if kind is str:
            return [f"r[{group}].append(v)"]
        if kind == (str | None):  # equal to typing.Optional[str] too
            return ["if v is not None:", f"    r[{group}].append(v)"]
        if kind == tuple[str, ...]:
            return [f"r[{group}].extend(v)"]
        raise TypeError(f"{cls.__qualname__}.{a.name}: a reference must be str or tuple[str, ...]")

    def _default(self, a: attrs.Attribute[Any]) -> str:
        """The default of field ``a`` in the source: ``None``, ``True`` and ``False``
        as they are, another value by a name."""
        if a.default is None or a.default is True or a.default is False:
            return repr(a.default)
        return self.name(a.default, "default", ("default", a.name))

    def _making(self, cls: type[Any], fields: list[attrs.Attribute[Any]]) -> _Making:
        """How ``o``, the instance of ``cls``, is made and each field stored in it.

        With the class's open subclass (see :func:`_open`), its slots are filled
        by attribute stores and ``o`` becomes an instance of ``cls`` at the end;
        else each slot's setter is called.
        """
        real = self.name(cls, "cls", ("cls",))
        named = all(a.name.isidentifier() for a in fields)
        twin = self.writer.twin(cls) if named else None
        if twin is not None:
            return _Making(
                f"    o = {twin}()",
                {a.name: f"o.{a.name} = {{}}" for a in fields},
                {a.name: f"o.{a.name}" for a in fields},
                [f"    o.__class__ = {real}"],
            )
        store = {}
        for a in fields:
            setter = self.writer.setter(cls, a.name)
            if setter is None:
                store[a.name] = f"_set(o, {a.name!r}, {{}})"
            else:
                store[a.name] = f"{setter}(o, {{}})"
        value = {
            a.name: f"o.{a.name}" if a.name.isidentifier() else f"getattr(o, {a.name!r})"
            for a in fields
        }
        return _Making(f"    o = _new({real})", store, value, [])

    @staticmethod
    def _plain(cls: type[Any]) -> bool:
        """True when setting the fields and running the validators is all ``__init__`` does."""
        slots = getattr(cls, "__slots__", ())
        return (
            "__slots__" in cls.__dict__
            and _HASH_CACHE not in slots
            and not hasattr(cls, "__attrs_pre_init__")
            and all(
                a.init
                and a.converter is None
                and a.on_setattr is None
                and a.alias == a.name
                and not isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
                for a in attrs.fields(cls)
            )
        )

    @staticmethod
    def _passes(a: attrs.Attribute[Any], value: Any) -> bool:
        """Whether the default ``value`` passes ``a``'s validator without an instance.

        A validator that reads the instance (another field) fails here, for any value.
        """
        try:
            if a.validator is not None:
                a.validator(None, a, value)
        except Exception:  # noqa: BLE001 - a default that fails is refused, as attrs would
            return False
        return True

    # -- a value -------------------------------------------------------------

    def _value(self, kind: Any, validator: Any) -> tuple[list[str], bool]:
        """Lines that check ``v`` of type ``kind`` (and ``validator``) and leave its value in ``v``.

        The flag is True when the lines do the validator's work too.
        """
        origin = typing.get_origin(kind)
        args = typing.get_args(kind)
        if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
            other = args[0] if args[1] is type(None) else args[1]
            inner = slug if validator is optional_slug else None
            checks, inner_handled = self._value(other, inner)
            handled = validator is None or (inner is not None and inner_handled)
            return ["if v is not None:", *("    " + c for c in checks)], handled
        if kind is str:
            if validator is slug:
                return [*_slug_check("v"), "v = c"], True
            size = _min_len(validator)
            if size is not None:
                return [*_string_check("v"), f"if len(v) < {size}:", "    raise Refused"], True
            return _string_check("v"), validator is None
        if kind is bool or kind is int:
            return [f"if type(v) is not {kind.__name__}:", "    raise Refused"], validator is None
        if origin is Literal and all(type(a) is str for a in args):
            allowed = self.name(frozenset(args), "literal", ("literal", *args))
            lines = [f"if type(v) is not str or v not in {allowed}:", "    raise Refused"]
            options = getattr(validator, "options", None)
            if (
                type(validator).__name__ == "_InValidator"
                and options is not None
                and frozenset(args) <= set(options)
            ):
                return lines, True
            return lines, validator is None
        if kind is Text:
            # The common case, a plain string, is written inline.
            return [
                "if type(v) is str and v:",
                "    if not v.isascii():",
                "        v.encode()",
                "    t = _OpenText()",
                "    t.fr = v",
                "    t.en = None",
                "    t.__class__ = _Text",
                "    v = t",
                "else:",
                "    v = _text(v)",
            ], validator is None
        if kind is PartialDate:
            return ["v = _partial(v)"], validator is None
        reader = self.writer.reader(kind)
        if reader is not None:
            return [f"v = {reader}(v)"], validator is None
        if origin is tuple and args[1:] == (...,):
            return self._tuple(args[0], validator)
        if attrs.has(kind):
            return [f"v = {self.writer.nested(kind)}(v, k, r)"], validator is None
        self._unseen(kind)
        return [f"v = {self.writer.hook(kind)}(v)"], validator is None

    @staticmethod
    def _unseen(kind: Any) -> None:
        """Refuse to leave to the converter a value that may hold references.

        The converter's objects would not note the ids they name in the batch.
        """
        if may_hold_references(kind):
            raise TypeError(f"{kind!r} may hold references: it needs a builder of its own")

    def _tuple(self, item: Any, validator: Any) -> tuple[list[str], bool]:
        head = ["if type(v) is not list:", "    raise Refused"]
        if item is str and validator is slugs:
            return [
                *head,
                "w = []",
                "for x in v:",
                *("    " + line for line in _slug_check("x")),
                "    w.append(c)",
                "n = len(w)",
                "if n > 1 and (w[0] is w[1] if n == 2 else len(set(w)) != n):",
                "    raise Refused",
                "v = tuple(w)",
            ], True
        if item is str:
            lines = [*head, "for x in v:", *("    " + c for c in _string_check("x"))]
            lines.append("v = tuple(v)")
        elif item is Text:
            lines = [*head, "v = tuple([_text(x) for x in v])"]
        elif attrs.has(item):
            call = self.writer.nested(item)
            # A loop, not a comprehension: most such lists hold one or two tables,
            # and a comprehension is a function call of its own.
            lines = [
                *head,
                "w = []",
                "for x in v:",
                f"    w.append({call}(x, k, r))",
                "v = tuple(w)",
            ]
        else:
            found = self.writer.reader(item)
            if found is None:
                self._unseen(item)
                found = self.writer.hook(item)
            call = found
            lines = [*head, f"v = tuple([{call}(x) for x in v])"]
        size = _min_len(validator)
        if size is not None:
            return [*lines, f"if len(v) < {size}:", "    raise Refused"], True
        return lines, validator is None


class _Making:
    """How a builder makes its instance ``o`` (see :meth:`_Source._making`)."""

    __slots__ = ("end", "start", "store", "value")

    def __init__(
        self, start: str, store: dict[str, str], value: dict[str, str], end: list[str]
    ) -> None:
        self.start = start
        """The line that makes ``o``, before any field is read."""
        self.store = store
        """For each field, the statement that stores a value (``{}``) in ``o``."""
        self.value = value
        """For each field, the expression that reads its value back from ``o``."""
        self.end = end
        """The lines that finish ``o`` once every field is stored."""


def _string_check(v: str) -> list[str]:
    """Lines that check that ``v`` is a string without a lone surrogate.

    An ASCII string has none (``isascii`` is answered without reading the
    string); another one is encoded to UTF-8, which fails on a surrogate (faster
    than searching for one).
    """
    return [
        f"if type({v}) is not str:",
        "    raise Refused",
        f"if not {v}.isascii():",
        f"    {v}.encode()",
    ]


def _slug_check(v: str) -> list[str]:
    """Lines that check that ``v`` is a slug and leave in ``c`` the load's one copy of it.

    ``k`` maps each slug met in the load to its first string: a slug is matched
    against the pattern once, and every id and reference naming it is then the
    same string object (less memory; comparing them is comparing identities).
    """
    return [
        f"if type({v}) is not str:",
        "    raise Refused",
        f"c = k.get({v})",
        "if c is None:",
        f"    if _SLUG({v}) is None:",
        "        raise Refused",
        f"    k[{v}] = c = {v}",
    ]


def _min_len(validator: Any) -> int | None:
    """The length asked by ``attrs.validators.min_len``, or None for another validator."""
    if type(validator).__name__ == "_MinLengthValidator":
        size: int = validator.min_length
        return size
    return None
