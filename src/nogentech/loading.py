"""Reading and writing cluster files (TOML or JSON), with every problem reported at once.

Files are read within the limits of :mod:`nogentech.limits` (size, nesting, length
of numbers); see ``docs/limits.md``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

import attrs

from .cluster import ITEM_CLASSES, Cluster
from .exceptions import DataError, Problem, did_you_mean
from .files import check_depth, parse_text, read_at_most, read_regular
from .limits import MAX_FILE_SIZE
from .references import COLLECTIONS, check_references

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "builtin_path",
    "dump",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "to_dict",
]

SCHEMA_VERSION = 1
"""Version of the data schema written by :func:`dumps` as ``schema_version``."""

_FIELD_IN_MESSAGE = re.compile(r"^'([a-z_]+)' ")
_MAX_MESSAGE = 400
"""The longest problem message: the values it quotes are cut well before."""


def builtin_path() -> Path:
    """Path of the built-in Nogentech data file inside the installed package."""
    from importlib import resources
    from pathlib import Path

    return Path(str(resources.files("nogentech") / "data" / "nogentech.toml"))


def _describe(exc: BaseException) -> str:
    from cattrs.errors import ForbiddenExtraKeysError

    if isinstance(exc, ForbiddenExtraKeysError):
        keys = ", ".join(repr(k) for k in sorted(exc.extra_fields))
        hint = ""
        if len(exc.extra_fields) == 1 and attrs.has(exc.cl):
            (extra,) = exc.extra_fields
            hint = did_you_mean(extra, [f.name for f in attrs.fields(exc.cl)])
        return f"unknown field{'s' if len(exc.extra_fields) > 1 else ''} {keys}{hint}"
    if isinstance(exc, KeyError):
        return "missing required field"
    if isinstance(exc, DataError):
        return "; ".join(exc.lines())
    text = str(exc) or type(exc).__name__
    return text


def _problems(exc: BaseException, path: str) -> Iterator[Problem]:
    """Flatten a cattrs validation error tree into problems with data-file paths."""
    from cattrs.errors import ClassValidationError, IterableValidationError

    if isinstance(exc, ClassValidationError):
        with_notes, others = exc.group_exceptions()
        for sub, note in with_notes:
            name = note.name
            child = f"{path}.{name}" if path else name
            if isinstance(sub, KeyError) and not isinstance(
                sub, (ClassValidationError, IterableValidationError)
            ):
                yield Problem(child, "missing required field")
            else:
                yield from _problems(sub, child)
        for sub in others:
            yield from _problems(sub, path)
        return
    if isinstance(exc, IterableValidationError):
        indexed, others = exc.group_exceptions()
        for sub, inote in indexed:
            yield from _problems(sub, f"{path}[{inote.index}]")
        for sub in others:
            yield from _problems(sub, path)
        return
    if isinstance(exc, DataError):
        for p in exc.problems:
            yield Problem(f"{path}.{p.path}" if path and p.path else path or p.path, p.message)
        return
    message = _describe(exc)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    match = _FIELD_IN_MESSAGE.match(message)
    if match and not isinstance(exc, KeyError):
        yield Problem(f"{path}.{match.group(1)}" if path else match.group(1), message)
    else:
        yield Problem(path, message)


def _structure(data: Any, cls: type[Any], path: str, problems: list[Problem]) -> Any:
    from .converters import converter

    try:
        return converter().structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reported problem
        problems.extend(_problems(exc, path))
        return None


def from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Cluster:
    """Build a :class:`Cluster` from plain data (as read from TOML or JSON).

    Top-level keys starting with ``x-`` (added by plugins to the JSON export) are
    ignored.

    Raises :class:`~nogentech.DataError` listing every problem, each with its path.
    """
    if not isinstance(data, Mapping):
        raise DataError([Problem("", "the top level must be a table/object")], source)
    # Data the schema takes nests a few levels at most: the depth is checked
    # before the fast way only where the schema does not look (the ``x-`` keys),
    # and everywhere before the detailed way.
    with without_collections():
        cluster = _from_valid_dict(data)
    if cluster is not None:
        return cluster
    return _from_refused_dict(data, source)


def _from_owned_dict(held: list[Any], again: Callable[[], Any], source: str | None) -> Cluster:
    """:func:`from_dict` of the data in ``held``, which this module parsed itself and
    nothing else holds (``held`` is emptied).

    The fast way consumes it: each item's table is freed as soon as its object
    is built, so that the tables and the objects made of them are not all held at
    once. If the data is refused, what is left of it is let go and ``again``
    parses it anew for the detailed way.
    """
    data = held.pop()
    if isinstance(data, dict):
        with without_collections():
            cluster = _from_valid_dict(data, consume=True)
        if cluster is not None:
            return cluster
        data = None
        data = again()
    return _from_refused_dict(data, source)


def _from_refused_dict(data: Any, source: str | None) -> Cluster:
    """The cluster of data the fast way refused, or every problem it has."""
    if not isinstance(data, Mapping):
        raise DataError([Problem("", "the top level must be a table/object")], source)
    try:
        check_depth(data)
    except ValueError as exc:
        raise DataError([Problem("", str(exc))], source) from None
    return _from_dict_with_problems(data, source)


def _from_valid_dict(data: Mapping[str, Any], *, consume: bool = False) -> Cluster | None:
    """The cluster of ``data`` in one pass, or None if anything in it is wrong.

    This is the fast way for valid data: the builders (see
    :mod:`nogentech.builders`) make every object in one pass, noting the ids
    their references name, and the ids and references of the whole cluster are
    then checked with a few set operations. Data refused on the way is read again
    by :func:`_from_dict_with_problems`, which finds every problem with its path.
    With ``consume``, the items' tables are taken out of ``data`` as they are
    built (see :meth:`~nogentech.builders.Batch.build_each`), and ``data`` is
    spoilt for a second reading.
    """
    from .builders import Batch
    from .references import named_sound

    if data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        return None
    head: dict[str, Any] = {}
    for key, value in data.items():
        if key in _NOT_HEAD:
            continue
        if str(key).startswith("x-"):
            try:
                check_depth([value])
            except ValueError:
                return None
            continue
        head[key] = value
    batch = Batch()
    try:
        # The header first, as the data file has it, then each collection.
        top: Cluster = batch.build(Cluster, head)
        collections: dict[str, tuple[Any, ...]] = {}
        for name, cls in ITEM_CLASSES.items():
            items = data.get(name, _NO_ITEMS)
            if type(items) is not list:
                return None
            collections[name] = batch.build_each(cls, items, consume=consume) if items else ()
    except Exception:  # noqa: BLE001 - any problem: read again and report them all
        return None
    if not named_sound(collections, top.id, batch.named()):
        return None
    return top._with_checked(collections)


_NOT_HEAD = frozenset(("schema_version", *COLLECTIONS))
"""The top-level keys that are not the cluster's own fields."""
_NO_ITEMS: list[Any] = []
"""The items of a collection the data does not have (a list, as a present one is)."""


def _from_dict_with_problems(data: Mapping[str, Any], source: str | None) -> Cluster:
    """Read ``data`` item by item, collecting every problem with its path."""
    problems: list[Problem] = []
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        problems.append(
            Problem("schema_version", f"unsupported schema version {version!r} (expected 1)")
        )
    header = {
        k: v
        for k, v in data.items()
        if k not in COLLECTIONS and k != "schema_version" and not str(k).startswith("x-")
    }
    head = _structure(header, Cluster, "", problems)
    items: dict[str, list[Any]] = {}
    aligned: dict[str, list[Any]] = {}
    for name in COLLECTIONS:
        value = data.get(name, [])
        if not isinstance(value, list):
            problems.append(Problem(name, f"expected a list (got {type(value).__name__})"))
            continue
        cls = ITEM_CLASSES[name]
        items[name] = []
        aligned[name] = []
        for index, item in enumerate(value):
            obj = _structure(item, cls, f"{name}[{index}]", problems)
            if obj is not None:
                items[name].append(obj)
            # An item that failed to load still holds its id, so that references
            # to it are not reported again and duplicates are still found.
            aligned[name].append(obj if obj is not None else item)
    if problems or head is None:
        # Some items did not load: check the references of the others (and the ids
        # of all) as well, so that every problem is reported at once.
        cluster_id = data.get("id") if isinstance(data.get("id"), str) else None
        # A reference in a table that failed to load is checked in the table, unless
        # the value there has a problem of its own already.
        seen = {p.path for p in problems}
        problems.extend(
            p
            for p in check_references(aligned, cluster_id, ITEM_CLASSES)
            if not any(p.path == s or p.path.startswith((s + ".", s + "[")) for s in seen)
        )
        raise DataError(problems or [Problem("", "invalid cluster")], source)
    # Everything loaded: building the cluster checks its ids and references, with
    # the same paths as the data file's.
    try:
        cluster: Cluster = attrs.evolve(head, **{n: tuple(v) for n, v in items.items()})
    except DataError as exc:
        raise DataError(exc.problems, source) from None
    return cluster


def to_dict(cluster: Cluster) -> dict[str, Any]:
    """Plain data for ``cluster`` (JSON-ready), starting with ``schema_version``."""
    from .dumpers import dumper

    try:
        dump = dumper(type(cluster))
    except TypeError:  # a subclass with a field no dumper writes: the converter does
        from .converters import converter

        body = converter().unstructure(cluster)
    else:
        body = dump(cluster)
    return {"schema_version": SCHEMA_VERSION, **body}


def dumps(cluster: Cluster, *, indent: int | None = 2) -> str:
    """JSON text of ``cluster``; :func:`loads` reads it back equal. Deterministic."""
    import json

    return json.dumps(to_dict(cluster), ensure_ascii=False, indent=indent) + "\n"


def dump(
    cluster: Cluster, target: str | os.PathLike[str] | IO[Any], *, indent: int | None = 2
) -> None:
    """Write the JSON text of ``cluster`` (as :func:`dumps`) to a path or a file object.

    A path is written atomically: a reader sees the old file or the new one. A
    file object, opened for text or for bytes, is written to as it is. The output
    is JSON: a path ending in ``.toml`` raises ``ValueError`` rather than giving a
    TOML file JSON content.
    """
    text = dumps(cluster, indent=indent)
    if isinstance(target, (str, os.PathLike)):
        from .files import write_atomic

        if os.fspath(target).lower().endswith(".toml"):
            raise ValueError(f"dump() writes JSON, not TOML: name the file .json ({target})")
        write_atomic(target, text.encode("utf-8"))
        return
    try:
        target.write(text)
    except TypeError:  # a file opened for bytes
        target.write(text.encode("utf-8"))


FORMATS = ("toml", "json")
"""The data formats :func:`load` and :func:`loads` read."""


def _detect(text: str) -> str:
    """``json`` for text that starts with ``{`` (a TOML file cannot), else ``toml``."""
    return "json" if text.lstrip().startswith("{") else "toml"


def _parse(text: str, format: str | None, source: str | None) -> Any:  # noqa: A002
    guessed = format is None
    chosen = _detect(text) if format is None else format.lower()
    if chosen not in FORMATS:
        raise DataError(
            [Problem("", f"unknown data format {format!r} (expected toml or json)")], source
        )
    try:
        return parse_text(text, chosen)
    except ValueError as exc:
        message = str(exc)
        if guessed and message.startswith("invalid TOML"):
            message += " (JSON data must start with '{')"
        raise DataError([Problem("", message)], source) from None


def _text(data: str | bytes, source: str | None) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError([Problem("", f"not UTF-8 text: {exc}")], source) from None


def loads(
    text: str | bytes,
    format: str | None = None,  # noqa: A002 - the name export() gives the format too
    *,
    source: str | None = None,
) -> Cluster:
    """Build a cluster from TOML or JSON text (``str``, or UTF-8 ``bytes``).

    ``format`` is ``"toml"`` or ``"json"``; without it, text that starts with
    ``{`` is read as JSON and anything else as TOML. ``source`` names the text
    in error messages. Raises :class:`~nogentech.DataError` listing every problem.
    """
    with without_collections():
        # The text decoded from bytes is let go once parsed; refused data is
        # decoded and parsed again from what the caller gave.
        return _from_owned_dict(
            [_parse(_text(text, source), format, source)],
            lambda: _parse(_text(text, source), format, source),
            source,
        )


def _loads_taking(
    held: list[Any],
    format: str | None,  # noqa: A002
    source: str | None,
    again: Callable[[], bytes] | None = None,
) -> Cluster:
    """:func:`loads` of the bytes or text in ``held``, which it empties.

    The file's bytes and then its text are let go as soon as they are read, so
    that they are not kept alive beside the objects built from them. ``again``
    reads the file anew: with it, the data is consumed as it is built (see
    :func:`_from_owned_dict`) and read again only if it is refused.
    """
    with without_collections():
        text = _text(held.pop(), source)
        parsed = [_parse(text, format, source)]
        del text
        if again is None:
            return from_dict(parsed.pop(), source=source)
        return _from_owned_dict(
            parsed, lambda: _parse(_text(again(), source), format, source), source
        )


@contextlib.contextmanager
def without_collections() -> Iterator[None]:
    """No cyclic garbage collection while many objects without cycles are made.

    Reading a cluster builds many objects and no cycle: the collections their
    creation would trigger (full ones over the whole heap, ever longer as the heap
    grows) would find nothing to free. When it ends, the collector is enabled
    again as it was, and the objects made meanwhile go straight to the oldest
    generation (freezing moves every tracked object aside and unfreezing puts them
    all there, in constant time): otherwise the first young collection would go
    over all of them at once and find nothing either. They are looked at by the
    next full collection, as any old object is. Objects frozen earlier with
    :func:`gc.freeze` are unfrozen too (the frozen count cannot tell them apart:
    CPython 3.12 freezes a few objects of its own on a collection): a process
    that freezes its objects before forking loads its data first.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if collecting:
            gc.enable()


def _format_of(name: str) -> str | None:
    suffix = os.path.splitext(name)[1].lower()
    return suffix[1:] if suffix in (".toml", ".json") else None


def load(
    source: str | os.PathLike[str] | IO[Any] | None = None,
    format: str | None = None,  # noqa: A002 - the name export() gives the format too
) -> Cluster:
    """Load a cluster from a file (a path or a file object), or the built-in Nogentech data.

    The format is ``format`` if given, else the file's extension (``.toml``,
    ``.json``), else the content (see :func:`loads`). A file object may be opened
    for text or bytes. Raises :class:`~nogentech.DataError` for an unreadable or
    invalid file.
    """
    if source is None:
        return _builtin()
    if not isinstance(source, (str, os.PathLike)):
        name = getattr(source, "name", None)
        label = name if isinstance(name, str) else None
        data = read_at_most(source, MAX_FILE_SIZE)  # a file object could be endless
        if len(data) > MAX_FILE_SIZE:
            unit = "characters" if isinstance(data, str) else "bytes"
            message = f"the data is longer than {MAX_FILE_SIZE} {unit}; no more is read"
            raise DataError([Problem("", message)], label)
        held = [data]
        del data
        return _loads_taking(held, format or (_format_of(label) if label else None), label)
    from pathlib import Path

    file = Path(source)
    held = [_read_file(file)]
    return _loads_taking(held, format or _format_of(file.name), str(file), lambda: _read_file(file))


def _read_file(file: Path) -> bytes:
    """The bytes of the data file ``file``; :class:`~nogentech.DataError` if it cannot be read."""
    try:
        return read_regular(file, MAX_FILE_SIZE)
    except OSError as exc:
        raise DataError([Problem("", f"cannot read {file}: {exc.strerror}")], str(file)) from None
    except ValueError as exc:
        raise DataError([Problem("", f"cannot read {file}: {exc}")], str(file)) from None


@functools.cache
def _builtin() -> Cluster:
    """The built-in cluster, from its snapshot when fresh (see :mod:`nogentech.snapshots`)."""
    from .snapshots import builtin_cluster

    try:
        # The package's own directory: cheaper than importlib.resources, which
        # is only needed when the package is not plain files (a zip archive).
        here = os.path.dirname(__file__)
        with open(os.path.join(here, "data", "nogentech.toml"), "rb") as f:
            raw = f.read()
    except OSError:
        from importlib import resources

        raw = (resources.files("nogentech") / "data" / "nogentech.toml").read_bytes()
    return builtin_cluster(raw, lambda: loads(raw, "toml", source="nogentech/data/nogentech.toml"))
