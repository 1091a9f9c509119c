"""Builders: model objects made from plain, valid data in one pass.

A builder, written and compiled once per attrs class, reads a table as TOML or
JSON gives it and does what the converter (without detailed validation) and the
class's ``__init__`` do together, with the usual checks written inline; it
raises :class:`Refused` (or another exception) at the first thing that is not
plain valid data, and the loader then reads the data again with the converter,
which reports every problem with its path. A builder may refuse more than the
converter, never less, and builds equal objects (``tests/loading/test_builders.py``).

The builders of the model's own classes are kept in the user cache (:class:`_Plans`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import sys
import threading
import types
import typing
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from .durations import parse_duration
from .limits import MAX_YEAR, MIN_YEAR
from .references import may_hold_references
from .text import PartialDate, Text, match_slug, optional_slug, slug, slugs

__all__ = ["Batch", "Refused", "builder"]


class Refused(Exception):
    """The data is not plain valid data; read it again with the converter."""


_HASH_CACHE = "_attrs_cached_hash"


_OPEN: dict[type[Any], type[Any] | None] = {}
_OPEN_LOCK = threading.Lock()


def _open(cls: type[Any]) -> type[Any] | None:
    """A subclass of ``cls`` whose new instances are filled by plain attribute stores.

    A frozen slotted class refuses attribute stores, so each slot of a new
    instance would be set by calling its setter. This subclass adds no slot and
    takes back ``object``'s own attribute setting and deleting: its instances
    have the layout of ``cls``'s, the interpreter stores into their slots at
    once, and a builder makes the finished object an instance of ``cls`` by
    assigning its ``__class__``. None for a class that cannot have one (its own
    ``__new__``, another metaclass, a class that refuses the subclass or the
    assignment): its builders call the setters.
    """
    maker: Any = cls.__new__
    with _OPEN_LOCK:
        if cls in _OPEN:
            return _OPEN[cls]
        found: type[Any] | None = None
        if (
            type(cls) is type
            and maker is object.__new__
            and "__slots__" in cls.__dict__
            and cls.__dictoffset__ == 0
        ):
            try:
                made = type(
                    f"_Open{cls.__name__}",
                    (cls,),
                    {
                        "__slots__": (),
                        "__module__": __name__,
                        "__init__": object.__init__,
                        "__setattr__": object.__setattr__,
                        "__delattr__": object.__delattr__,
                    },
                )
                probe = made()
                probe.__class__ = cls
            except Exception:  # noqa: BLE001 - a class that refuses: its setters are called
                pass
            else:
                found = made
        _OPEN[cls] = found
        return found


_Named = defaultdict[int, list[str]]
"""The references named in a batch: for each group of targets (by its number), the ids."""
_Build = Callable[[Any, dict[str, str], _Named], Any]


def builder(cls: type[Any]) -> Callable[[Any], Any]:
    """The builder of attrs class ``cls``: ``builder(cls)(table)`` is the object.

    Raises :class:`Refused` (or any other exception) for data that is not plain
    and valid; the caller then reads it with the converter.
    """
    found = _PUBLIC.get(cls)
    if found is None:
        inner = _builders()(cls)

        def found(table: Any) -> Any:
            # The slugs met while building one object, each to its first string, so
            # that an id that many references name is matched against the pattern
            # once and held once; the references it names are not kept.
            return inner(table, {}, defaultdict(list))

        _PUBLIC[cls] = found
    return found


_PUBLIC: dict[type[Any], Callable[[Any], Any]] = {}


class Batch:
    """Objects built for one load, sharing its slugs and noting the references they name.

    Each slug met is matched against the pattern once and held as one string
    (ids and the references naming them are the same object). Every reference
    field of every object built, nested ones included, adds the ids it names to
    :meth:`named`, so that the references of a whole cluster are checked with a
    few set operations after it is built, without walking its objects again.
    """

    __slots__ = ("_named", "_slugs")

    def __init__(self) -> None:
        self._slugs: dict[str, str] = {}
        self._named: _Named = defaultdict(list)

    def build(self, cls: type[Any], table: Any) -> Any:
        """The object of ``cls`` built from ``table`` (raises as :func:`builder`)."""
        return _builders()(cls)(table, self._slugs, self._named)

    def build_each(
        self, cls: type[Any], tables: Sequence[Any], *, consume: bool = False
    ) -> tuple[Any, ...]:
        """The objects of ``cls`` built from each of ``tables``, in order.

        With ``consume`` (``tables`` a list nothing else needs), each table is taken
        out of the list as its object is built, so that it is freed at once instead
        of staying beside the objects until the load ends. The list is left empty,
        or, if a table is refused, reversed and without the tables taken.
        """
        build = _builders()(cls)
        slugs, named = self._slugs, self._named
        if consume and type(tables) is list:
            tables.reverse()
            take = tables.pop
            return tuple([build(take(), slugs, named) for _ in range(len(tables))])
        return tuple([build(table, slugs, named) for table in tables])

    def named(self) -> dict[tuple[str, ...], list[str]]:
        """The ids named so far by reference fields, by the targets the fields allow."""
        groups = _groups()
        return {groups[number]: ids for number, ids in self._named.items()}


@functools.cache
def _builders() -> Callable[[type[Any]], _Build]:
    return _each_once(_Generator())


def _each_once(writer: _Writer) -> Callable[[type[Any]], Any]:
    """``writer``'s function of a class, made on first use and kept."""
    made: dict[type[Any], Any] = {}
    # One class at a time: the writer names the values its sources refer to.
    lock = threading.RLock()

    def function(cls: type[Any]) -> Any:
        found = made.get(cls)
        if found is None:
            with lock:
                found = made.get(cls)
                if found is None:
                    found = made[cls] = writer.make(cls)
        return found

    return function


_GROUPS: dict[tuple[str, ...], int] = {}
"""Each group of targets a reference field allows, to its number in :data:`_Named`."""
_GROUPS_LOCK = threading.Lock()


def _group(targets: tuple[str, ...]) -> int:
    with _GROUPS_LOCK:
        return _GROUPS.setdefault(targets, len(_GROUPS))


def _groups() -> dict[int, tuple[str, ...]]:
    with _GROUPS_LOCK:
        return {number: targets for targets, number in _GROUPS.items()}


def _nested(cls: type[Any], generating: set[type[Any]]) -> _Build:
    """The builder of a class held by another: at once, or on first use inside a cycle."""
    return _lazy(cls) if cls in generating else _builders()(cls)


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


class _Plans:
    """Builders (and dumpers) written in an earlier run: the code of each and how to find its names.

    A plan is kept by its file name, ``<nogentech builder module.Class>`` (or
    ``dumper``, :mod:`nogentech.dumpers`):
    its compiled code and, for each name the code refers to, how that value is
    found again (a field's default or validator, a slot's setter, another class's
    builder…), so that a later run makes the builder without resolving the
    class's annotations, writing its source or compiling it. The cache file is for
    one Python (its version and bytecode), one version of nogentech and of attrs,
    and the package's modules as they are (their size and time): editing the model
    writes the plans again. It is read on the first builder and written once, at
    exit, when this run wrote any builder. Each plan is kept as its own marshalled
    bytes, made into code only when it is taken, and let go then (a builder is
    made once a run).
    """

    MOST = 1024
    """Plans kept at most: past that, the file is written with this run's only."""

    def __init__(self, stem: str = "builders") -> None:
        self.stem = stem
        """The cache file's name starts with it: each kind of function has its file."""
        self._lock = threading.Lock()
        self._kept: dict[str, Any] | None = None
        self._new: dict[str, bytes] = {}
        self._at_exit = False

    def take(self, where: str) -> _Plan | None:
        """The plan kept for the builder ``where`` by an earlier run, if it looks whole."""
        with self._lock:
            if self._kept is None:
                self._kept = self._read()
            kept = self._kept.pop(where, None)
        found: Any = None
        if type(kept) is bytes:
            import marshal

            try:
                found = marshal.loads(kept)
            except (EOFError, ValueError, TypeError):
                return None
        if (
            type(found) is tuple
            and len(found) == 2
            and type(found[0]) is types.CodeType
            and type(found[1]) is tuple
        ):
            plan: _Plan = found
            return plan
        return None

    def keep(self, where: str, code: types.CodeType, recipe: _Recipe) -> None:
        """Note the plan of a builder written in this run, for the file."""
        with self._lock:
            self._new[where] = _plan_bytes(code, recipe)
            if not self._at_exit:
                import atexit

                atexit.register(self.flush)
                self._at_exit = True

    def _where(self) -> tuple[str, bytes]:
        import marshal

        from .caches import PACKAGE, file_name, installed, package_signature
        from .version import __version__

        head = [
            sys.version,
            sys.implementation.cache_tag or "",
            f"marshal {marshal.version}",
            f"plans {_PLAN_FORMAT}",
            f"nogentech {__version__}",
            installed("attr"),
            installed("attrs"),
            *package_signature(PACKAGE),
        ]
        key = "\n".join(head).encode("utf-8", "surrogateescape")
        return file_name(self.stem, sys.prefix, "marshal"), key

    def _read(self) -> dict[str, Any]:
        from .caches import read

        name, key = self._where()
        found = read(name, key, plain=True)
        if not isinstance(found, dict):
            return {}
        return {k: v for k, v in found.items() if type(k) is str and type(v) is bytes}

    def flush(self) -> None:
        """Write the plans of the builders written in this run to the cache (also done at exit)."""
        from .caches import write

        with self._lock:
            if not self._new:
                return
            # Another run may have added its own since this one read the file: keep them.
            merged = self._read()
            # A builder written again in this run may be on file already.
            fresh = {k: v for k, v in self._new.items() if merged.get(k) != v}
            self._new = {}
            if not fresh:
                return
            if len(merged) + len(fresh) > self.MOST:
                merged = {}
            merged.update(fresh)
            name, key = self._where()
            write(name, key, merged, plain=True)


_Recipe = tuple[tuple[str, ...], ...]
"""How a later run finds each name of a builder: ``(name, kind, argument…)``."""
_Plan = tuple[types.CodeType, _Recipe]
"""A builder's compiled code and its recipe (see :class:`_Plans`)."""

_PLAN_FORMAT = 2
"""The form of the plans' file: each plan is marshalled on its own (2), so that reading
the file makes only the bytes of each, and a plan's code is made when it is taken."""


def _plan_bytes(code: types.CodeType, recipe: _Recipe) -> bytes:
    import marshal

    return marshal.dumps((code, recipe))


_PLANS = _Plans()


class _Scope:
    """The names the source of one function refers to, and how a later run finds each."""

    __slots__ = ("keepable", "names", "recipe")

    def __init__(self, base: dict[str, Any]) -> None:
        self.names = dict(base)
        self.recipe: list[tuple[str, ...]] = []
        self.keepable = True


class _Writer:
    """Writes one function per class from a source it compiles, or makes it from its plan.

    The builders' generator is one; the dumpers' writer (:mod:`nogentech.dumpers`)
    another. ``kind`` names what it writes (``builder``), ``entry`` the function
    its source defines (``build``).
    """

    kind = ""
    entry = ""

    def __init__(self, base: dict[str, Any]) -> None:
        self.base = base
        self.scopes: list[_Scope] = []
        self.generating: set[type[Any]] = set()

    def name(self, value: Any, prefix: str, how: tuple[str, ...] | None) -> str:
        """A name for ``value`` in the function being written.

        ``how`` says how a later run finds the value again (``(kind, argument…)``,
        see :meth:`_find`); None for a value it cannot find, and the function is
        then not kept.
        """
        scope = self.scopes[-1]
        key = f"_{prefix}{len(scope.names) - len(self.base) + 1}"
        scope.names[key] = value
        if how is None:
            scope.keepable = False
        else:
            scope.recipe.append((key, *how))
        return key

    def make(self, cls: type[Any]) -> Any:
        """The function of ``cls``: from the plan an earlier run kept, or written now."""
        self.generating.add(cls)
        try:
            where = _kept_as(cls, self.kind)
            made = self._again(cls, where) if where is not None else None
            if made is None:
                made = self._write(cls, where)
            return made
        finally:
            self.generating.discard(cls)

    def _again(self, cls: type[Any], where: str) -> Any:
        """The function of ``cls`` made from the plan kept as ``where``, or None."""
        plan = self._plans().take(where)
        if plan is None:
            return None
        code, recipe = plan
        if code.co_filename != where:
            return None
        names = dict(self.base)
        try:
            for key, kind, *args in recipe:
                names[key] = self._find(cls, kind, args)
        except Exception:  # noqa: BLE001 - a plan that does not fit: write the function again
            return None
        exec(code, names)
        made = names.pop(self.entry, None)
        return made if callable(made) else None

    def _find(self, cls: type[Any], kind: str, args: list[str]) -> Any:
        """The value a plan's name of ``kind`` stands for; raises when there is none."""
        raise LookupError(f"no value of kind {kind!r}")

    def _plans(self) -> _Plans:
        """Where the plans of this kind of function are kept."""
        return _PLANS

    def _write(self, cls: type[Any], where: str | None) -> Any:
        raise NotImplementedError

    def _compile(self, lines: list[str], cls: type[Any], scope: _Scope, where: str | None) -> Any:
        """The function the source ``lines`` define, kept as ``where`` for a later run."""
        source = "\n".join(lines) + "\n"
        filename = f"<nogentech {self.kind} {cls.__module__}.{cls.__qualname__}>"
        code = compile(source, filename, "exec")
        if where is not None and scope.keepable:
            self._plans().keep(where, code, tuple(scope.recipe))
        # Each function has its own names as its globals (the few it refers to);
        # the function is taken out as soon as it is defined.
        exec(code, scope.names)
        return scope.names.pop(self.entry)


class _Generator(_Writer):
    """Writes the source of one builder per class and compiles it, or makes it from its plan."""

    kind = "builder"
    entry = "build"

    def __init__(self) -> None:
        super().__init__(
            {
                "Refused": Refused,
                "_new": object.__new__,
                "_set": object.__setattr__,
                "_SLUG": match_slug,
                "_text": _build_text,
                "_Text": Text,
                "_OpenText": _OpenText,
                "_partial": _build_partial,
            }
        )

    # -- a class -------------------------------------------------------------

    def _find(self, cls: type[Any], kind: str, args: list[str]) -> Any:
        if kind == "cls":
            return cls
        if kind in ("default", "validator", "field"):
            field = getattr(attrs.fields(cls), args[0])
            return field if kind == "field" else getattr(field, kind)
        if kind == "set":
            setter = self._setter(cls, args[0])
            if setter is None:
                raise LookupError(f"{cls.__qualname__}.{args[0]} has no slot")
            return setter
        if kind == "open":
            twin = _open(cls)
            if twin is None:
                raise LookupError(f"{cls.__qualname__} has no open subclass")
            return twin
        if kind == "literal":
            return frozenset(args)
        if kind == "group":
            return _group(tuple(args))
        if kind == "read":
            return _READERS_BY_NAME[args[0]]
        if kind == "build":
            return _nested(_class_named(*args), self.generating)
        return super()._find(cls, kind, args)

    def _write(self, cls: type[Any], where: str | None) -> _Build:
        scope = _Scope(self.base)
        self.scopes.append(scope)
        try:
            lines = self._lines(cls)
        finally:
            self.scopes.pop()
        built: _Build = self._compile(lines, cls, scope, where)
        return built

    def _lines(self, cls: type[Any]) -> list[str]:
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
        group = self.name(_group(tuple(targets)), "group", ("group", *targets))
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
        twin = _open(cls)
        real = self.name(cls, "cls", ("cls",))
        if twin is not None and all(a.name.isidentifier() for a in fields):
            return _Making(
                f"    o = {self.name(twin, 'open', ('open',))}()",
                {a.name: f"o.{a.name} = {{}}" for a in fields},
                {a.name: f"o.{a.name}" for a in fields},
                [f"    o.__class__ = {real}"],
            )
        store = {}
        for a in fields:
            setter = self._setter(cls, a.name)
            if setter is None:
                store[a.name] = f"_set(o, {a.name!r}, {{}})"
            else:
                store[a.name] = f"{self.name(setter, 'set', ('set', a.name))}(o, {{}})"
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
    def _setter(cls: type[Any], name: str) -> Callable[[Any, Any], None] | None:
        """The slot's own setter (what ``object.__setattr__`` finds, without looking)."""
        for base in cls.__mro__:
            found = base.__dict__.get(name)
            if found is not None:
                if isinstance(found, types.MemberDescriptorType):
                    setter: Callable[[Any, Any], None] = found.__set__
                    return setter
                return None
        return None

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

    def _reader(self, kind: Any) -> str:
        """The name of the function that reads a plain value of ``kind``."""
        reader = _READERS.get(kind)
        if reader is not None:
            return self.name(reader, "read", ("read", _READER_NAMES[kind]))
        return self.name(_hook(kind), "read", None)

    def _nested(self, kind: type[Any]) -> str:
        """The name of the builder of ``kind``, an attrs class held by the class being written."""
        return self.name(
            _nested(kind, self.generating), "build", ("build", kind.__module__, kind.__qualname__)
        )

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
        reader = _READERS.get(kind)
        if reader is not None:
            return [f"v = {self._reader(kind)}(v)"], validator is None
        if origin is tuple and args[1:] == (...,):
            return self._tuple(args[0], validator)
        if attrs.has(kind):
            return [f"v = {self._nested(kind)}(v, k, r)"], validator is None
        self._unseen(kind)
        return [f"v = {self.name(_hook(kind), 'hook', None)}(v)"], validator is None

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
            call = self._nested(item)
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
            if item not in _READERS:
                self._unseen(item)
            call = self._reader(item)
            lines = [*head, f"v = tuple([{call}(x) for x in v])"]
        size = _min_len(validator)
        if size is not None:
            return [*lines, f"if len(v) < {size}:", "    raise Refused"], True
        return lines, validator is None


class _Making:
    """How a builder makes its instance ``o`` (see :meth:`_Generator._making`).

    A plain class: this module is imported by every load, and a named tuple would
    be made (its annotations read) on each start for a builder's first writing only.
    """

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


def _min_len(validator: Any) -> int | None:
    """The length asked by ``attrs.validators.min_len``, or None for another validator."""
    if type(validator).__name__ == "_MinLengthValidator":
        size: int = validator.min_length
        return size
    return None


def _lazy(cls: type[Any]) -> _Build:
    """The builder of ``cls``, made on its first call (for a class that holds itself)."""
    made: list[_Build] = []

    def build(value: Any, known: dict[str, str], named: _Named) -> Any:
        if not made:
            made.append(_builders()(cls))
        return made[0](value, known, named)

    return build


def _hook(kind: Any) -> Callable[[Any], Any]:
    """The converter's own structuring of ``kind``, for types without a check written here."""
    from .converters import converter

    hook = converter(detailed_validation=False).get_structure_hook(kind)

    def structure(value: Any) -> Any:
        return hook(value, kind)

    return structure


def _build_text(v: Any) -> Text:
    """A :class:`Text` from ``"…"`` or ``{fr, en}``, as the converter reads it.

    A string that is not ASCII is encoded to UTF-8 once, which fails (and refuses
    the data) if it holds a lone surrogate.
    """
    if type(v) is dict:
        fr = v.get("fr")
        en = v.get("en")
        if len(v) != (fr is not None) + (en is not None) or not (fr or en):
            raise Refused
        if fr is not None:
            if type(fr) is not str:
                raise Refused
            if not fr.isascii():
                fr.encode()
        if en is not None:
            if type(en) is not str:
                raise Refused
            if not en.isascii():
                en.encode()
    elif type(v) is str and v:
        if not v.isascii():
            v.encode()
        fr = v
        en = None
    else:
        raise Refused
    out = _OpenText()
    out.fr = fr
    out.en = en
    out.__class__ = Text
    made: Text = out
    return made


def _open_model(cls: type[Any]) -> Any:
    """The open subclass of one of the model's own classes (which always has one)."""
    twin = _open(cls)
    if twin is None:  # pragma: no cover - the model's classes are plain slotted ones
        raise TypeError(f"{cls.__qualname__} has no open subclass")
    return twin


_OpenText = _open_model(Text)
_OpenPartialDate = _open_model(PartialDate)
_fromisoformat = dt.date.fromisoformat


def _build_partial(v: Any) -> PartialDate:
    """A :class:`PartialDate` from ``2009`` or ``"2006-06"``, as the converter reads it.

    The three forms of text are told by their length and read without a pattern:
    a whole date ``YYYY-MM-DD`` by the date parser (which takes only ASCII digits
    and refuses a day its month does not have), a year or a month by ``int``
    once their characters are known to be ASCII digits.
    """
    month = day = None
    if type(v) is str:
        size = len(v)
        if size == 10 and v[4] == "-" == v[7]:
            whole = _fromisoformat(v)
            out = _OpenPartialDate()
            out.year = whole.year
            out.month = whole.month
            out.day = whole.day
            out.__class__ = PartialDate
            made: PartialDate = out
            return made
        if not v.isascii():
            raise Refused
        if size == 4 and v.isdigit():
            year = int(v)
        elif size == 7 and v[4] == "-" and v[:4].isdigit() and v[5:].isdigit():
            year = int(v[:4])
            month = int(v[5:])
        else:
            raise Refused
    elif type(v) is int:
        year = v
    else:
        raise Refused
    if not MIN_YEAR <= year <= MAX_YEAR or (month is not None and not 1 <= month <= 12):
        raise Refused
    out = _OpenPartialDate()
    out.year = year
    out.month = month
    out.day = day
    out.__class__ = PartialDate
    made = out
    return made


def _is_iso_date(v: str) -> bool:
    """Whether ``v`` is ``YYYY-MM-DD`` in ASCII digits (what the converter's pattern takes)."""
    return (
        len(v) == 10
        and v[4] == "-"
        and v[7] == "-"
        and v.isascii()
        and (v[:4] + v[5:7] + v[8:]).isdigit()
    )


def _is_iso_time(v: str) -> bool:
    """Whether ``v`` is ``HH:MM`` or ``HH:MM:SS`` in ASCII digits."""
    n = len(v)
    if n == 5:
        digits = v[:2] + v[3:]
    elif n == 8 and v[5] == ":":
        digits = v[:2] + v[3:5] + v[6:]
    else:
        return False
    return v[2] == ":" and v.isascii() and digits.isdigit()


def _iso_reader(shaped: Callable[[str], bool], kind: type[Any]) -> Callable[[Any], Any]:
    """A reader of ``kind`` from text ``shaped`` takes (or a TOML value of that type).

    The shapes are tested by hand rather than by regular expressions, which the
    first load of a process would compile.
    """
    parse = kind.fromisoformat

    def read(v: Any) -> Any:
        if type(v) is str and shaped(v):
            return parse(v)
        if type(v) is kind:
            return v
        raise Refused

    return read


_build_date = _iso_reader(_is_iso_date, dt.date)
"""A date from ``YYYY-MM-DD`` (or a TOML date), as the converter reads it."""
_build_time = _iso_reader(_is_iso_time, dt.time)
"""A time from ``HH:MM[:SS]`` (or a TOML time), as the converter reads it."""


def _build_datetime(v: Any) -> dt.datetime:
    """A date and time with its UTC offset, as the converter reads it."""
    if type(v) is str:
        moment = dt.datetime.fromisoformat(v)
    elif type(v) is dt.datetime:
        moment = v
    else:
        raise Refused
    if moment.utcoffset() is None:
        raise Refused
    return moment


def _build_duration(v: Any) -> dt.timedelta:
    """A duration from ISO 8601 text (``PT2H``), as the converter reads it."""
    if type(v) is str:
        return parse_duration(v)
    if type(v) is dt.timedelta:
        return v
    raise Refused


def _build_float(v: Any) -> float:
    """A finite number (an integer is taken), as the converter reads it."""
    if type(v) is float or type(v) is int:
        number = float(v)
        if math.isfinite(number):
            return number
    raise Refused


_READER_NAMES: dict[Any, str] = {
    dt.date: "date",
    dt.time: "time",
    dt.datetime: "datetime",
    dt.timedelta: "duration",
    float: "float",
}
"""The name of each type :data:`_READERS` reads, as a builder's plan has it."""
_READERS_BY_NAME: dict[str, Callable[[Any], Any]] = {
    "date": _build_date,
    "time": _build_time,
    "datetime": _build_datetime,
    "duration": _build_duration,
    "float": _build_float,
}
_READERS: dict[Any, Callable[[Any], Any]] = {
    kind: _READERS_BY_NAME[name] for kind, name in _READER_NAMES.items()
}
"""Plain values read without the converter (no cattrs import on the fast way)."""


def _kept_as(cls: type[Any], kind: str = "builder") -> str | None:
    """The name a plan of the ``kind`` of ``cls`` is kept by, or None if it is not kept.

    ``kind`` is ``builder`` or ``dumper`` (:mod:`nogentech.dumpers`). Only the
    builders and dumpers of classes defined in the package's own modules are kept:
    the cache key holds the size and time of those files, not of any other.
    """
    if "<" in cls.__qualname__:
        return None
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None)
    if not isinstance(path, str):
        return None
    from .caches import PACKAGE

    if os.path.dirname(os.path.abspath(path)) != PACKAGE:
        return None
    return f"<nogentech {kind} {cls.__module__}.{cls.__qualname__}>"


def _class_named(module: str, qualname: str) -> type[Any]:
    """The class ``qualname`` of the module ``module`` (imported already)."""
    found: Any = sys.modules[module]
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type):
        raise TypeError(f"{module}.{qualname} is not a class")
    return found
