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
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from .durations import parse_duration
from .limits import MAX_YEAR, MIN_YEAR
from .text import PartialDate, Text, match_slug

__all__ = ["Batch", "Refused", "builder"]


class Refused(Exception):
    """The data is not plain valid data; read it again with the converter."""


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
        from ._builder_source import builder_lines

        scope = _Scope(self.base)
        self.scopes.append(scope)
        try:
            lines = builder_lines(self, cls)
        finally:
            self.scopes.pop()
        built: _Build = self._compile(lines, cls, scope, where)
        return built

    # -- what a builder's source names (see nogentech._builder_source.Names) --

    def reader(self, kind: Any) -> str | None:
        reader = _READERS.get(kind)
        if reader is None:
            return None
        return self.name(reader, "read", ("read", _READER_NAMES[kind]))

    def hook(self, kind: Any) -> str:
        return self.name(_hook(kind), "hook", None)

    def nested(self, kind: type[Any]) -> str:
        return self.name(
            _nested(kind, self.generating), "build", ("build", kind.__module__, kind.__qualname__)
        )

    def twin(self, cls: type[Any]) -> str | None:
        twin = _open(cls)
        return None if twin is None else self.name(twin, "open", ("open",))

    def setter(self, cls: type[Any], field: str) -> str | None:
        setter = self._setter(cls, field)
        return None if setter is None else self.name(setter, "set", ("set", field))

    def group(self, targets: tuple[str, ...]) -> str:
        return self.name(_group(targets), "group", ("group", *targets))

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
