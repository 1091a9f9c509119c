"""Checks of ids and references across a cluster's collections.

Fields that point to other objects carry ``metadata={"ref": targets}`` (see
:func:`nogentech.text.refs`); this module walks the objects and reports every id
that is repeated or that points nowhere, each with its path in the data file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import operator
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .exceptions import Problem, did_you_mean

COLLECTIONS: tuple[str, ...] = (
    "sources",
    "places",
    "sectors",
    "companies",
    "sub_clusters",
    "commissions",
    "people",
    "meeting_series",
    "events",
    "milestones",
    "key_figures",
    "projects",
    "discrepancies",
)

_SINGULAR = {
    "sources": "source",
    "places": "place",
    "sectors": "sector",
    "companies": "company",
    "sub_clusters": "sub-cluster",
    "commissions": "commission",
    "people": "person",
    "meeting_series": "meeting series",
    "events": "event",
    "milestones": "milestone",
    "key_figures": "key figure",
    "projects": "project",
    "discrepancies": "discrepancy",
    "cluster": "cluster",
}


def index_ids(
    collections: Mapping[str, Sequence[Any]], cluster_id: str | None
) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """Ids by collection (id → path), and a problem for every id used twice.

    Items may be model objects or raw mappings (for items that failed to load,
    so that references to them are not reported as unknown as well).
    """
    by_collection: dict[str, dict[str, str]] = {name: {} for name in COLLECTIONS}
    first_seen: dict[str, str] = {}
    if cluster_id:
        by_collection["cluster"] = {cluster_id: "id"}
        first_seen[cluster_id] = "id"
    problems: list[Problem] = []
    for name in COLLECTIONS:
        for index, item in enumerate(collections.get(name, ())):
            ident = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
            if not isinstance(ident, str):
                continue
            path = f"{name}[{index}]"
            if ident in first_seen:
                problems.append(
                    Problem(f"{path}.id", f"duplicate id {ident!r} (first at {first_seen[ident]})")
                )
                continue
            first_seen[ident] = path
            by_collection[name][ident] = path
    return by_collection, problems


_LEAVES: frozenset[Any] = frozenset(
    (str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, dt.timedelta)
)
"""Value types that never hold a reference."""

_Plan = tuple[tuple[str, tuple[str, ...] | None], ...]
_PLANS: dict[type[Any], _Plan | None] = {}
"""Per class: the fields to visit (``None`` for a class that is not an attrs class)."""


def may_hold_references(hint: Any) -> bool:
    """False when a value of type ``hint`` can hold no reference; True when it may."""
    return _may_hold_references(hint, set())


def _may_hold_references(hint: Any, busy: set[type[Any]]) -> bool:
    """False when a value of type ``hint`` can hold no reference; True when it may."""
    if hint in _LEAVES:
        return False
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return False
    if origin is typing.Union or origin is types.UnionType or origin is tuple:
        return any(_may_hold_references(a, busy) for a in typing.get_args(hint) if a is not ...)
    if isinstance(hint, type) and attrs.has(hint):
        if hint in busy:
            return True
        return bool(_build_plan(hint, busy))
    return True


def _build_plan(cls: type[Any], busy: set[type[Any]]) -> _Plan:
    if cls in _PLANS:
        return _PLANS[cls] or ()
    busy.add(cls)
    # Resolves the annotations once per class (cattrs does the same); a field whose
    # annotation cannot be resolved stays a string and is always visited.
    with contextlib.suppress(Exception):
        attrs.resolve_types(cls)
    plan: list[tuple[str, tuple[str, ...] | None]] = []
    for field in attrs.fields(cls):
        targets = field.metadata.get("ref")
        if targets:
            plan.append((field.name, tuple(targets)))
        elif field.type is None or isinstance(field.type, str):
            plan.append((field.name, None))  # unknown type: look at the value
        elif _may_hold_references(field.type, busy):
            plan.append((field.name, None))
    busy.discard(cls)
    # Sound even when a cycle made a field be kept that holds no reference.
    _PLANS[cls] = tuple(plan)
    return _PLANS[cls] or ()


def _plan(cls: type[Any]) -> _Plan | None:
    """The fields of ``cls`` that hold or may hold references; None if not an attrs class.

    A reference field is listed with its targets; a field whose type may contain
    attrs objects with references (nested objects, tuples of them, or a type that
    cannot be told) with ``None``. Fields of other types (strings, dates, texts…)
    are left out. Built once per class.
    """
    try:
        return _PLANS[cls]
    except KeyError:
        pass
    if not attrs.has(cls):
        _PLANS[cls] = None
        return None
    return _build_plan(cls, set())


def _walk(obj: Any, path: str) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """Yield (path, targets, id) for every reference inside an attrs object."""
    for name, targets in _plan(type(obj)) or ():
        value = getattr(obj, name)
        if targets is not None:
            if isinstance(value, tuple):
                for i, item in enumerate(value):
                    yield f"{path}.{name}[{i}]", targets, item
            elif value is not None:
                yield f"{path}.{name}", targets, value
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if _plan(type(item)):
                    yield from _walk(item, f"{path}.{name}[{i}]")
        elif _plan(type(value)):
            yield from _walk(value, f"{path}.{name}")


def _nested_class(cls: type[Any], name: str) -> type[Any] | None:
    """The attrs class the field ``name`` of ``cls`` holds (alone, optional or in a tuple)."""
    hint = attrs.fields_dict(cls)[name].type
    while True:
        args = [a for a in typing.get_args(hint) if a is not type(None) and a is not ...]
        if len(args) != 1:
            break
        hint = args[0]
    return hint if isinstance(hint, type) and attrs.has(hint) else None


def _walk_table(
    cls: type[Any], table: Any, path: str
) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """:func:`_walk` of the raw ``table`` an object of ``cls`` failed to be made of.

    Only what has the shape of a reference is named (a string, a list of strings,
    a table or a list of tables for a nested object): anything else is a problem of
    its own, reported where the table was read.
    """
    if not isinstance(table, Mapping):
        return
    for name, targets in _plan(cls) or ():
        value = table.get(name)
        if targets is not None:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield f"{path}.{name}[{i}]", targets, item
            elif isinstance(value, str):
                yield f"{path}.{name}", targets, value
            continue
        nested = _nested_class(cls, name)
        if nested is None:
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk_table(nested, item, f"{path}.{name}[{i}]")
        else:
            yield from _walk_table(nested, value, f"{path}.{name}")


def check_references(
    collections: Mapping[str, Sequence[Any]],
    cluster_id: str | None,
    classes: Mapping[str, type[Any]] | None = None,
) -> list[Problem]:
    """Every duplicate id and every reference that points to no object of the right kind.

    With ``classes`` (each collection's item class), the references of an item that
    is still a raw table (it failed to load) are checked in the table, so that they
    are reported with its other problems instead of after they are mended.
    """
    if _all_sound(collections, cluster_id):
        return []
    ids, problems = index_ids(collections, cluster_id)
    every = {ident for group in ids.values() for ident in group}
    known: dict[tuple[str, ...], set[str]] = {}
    for name in COLLECTIONS:
        for index, item in enumerate(collections.get(name, ())):
            where = f"{name}[{index}]"
            if _plan(type(item)) is not None:
                found = _walk(item, where)
            elif classes is not None and name in classes and isinstance(item, Mapping):
                found = _walk_table(classes[name], item, where)
            else:
                continue
            for path, targets, ident in found:
                allowed = known.get(targets)
                if allowed is None:
                    allowed = every if "any" in targets else _ids_of(ids, targets)
                    known[targets] = allowed
                if ident in allowed:
                    continue
                problems.append(Problem(path, _unknown(ids, targets, ident)))
    return problems


def _ids_of(ids: Mapping[str, Mapping[str, str]], targets: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for target in targets:
        found.update(ids.get(target, {}))
    return found


def _unknown(ids: Mapping[str, Mapping[str, str]], targets: tuple[str, ...], ident: Any) -> str:
    if "any" in targets:
        every = [i for group in ids.values() for i in group]
        return f"unknown id {ident!r}{did_you_mean(ident, every)}"
    kinds = " or ".join(_SINGULAR[t] for t in targets)
    elsewhere = next((t for t, group in ids.items() if ident in group), None)
    if elsewhere:
        return f"unknown {kinds} {ident!r} (it is a {_SINGULAR[elsewhere]})"
    return f"unknown {kinds} {ident!r}{did_you_mean(ident, _ids_of(ids, targets))}"


def _all_sound(collections: Mapping[str, Sequence[Any]], cluster_id: str | None) -> bool:
    """True when model objects have unique ids and references that all point right.

    The quick answer for sound data: sets of ids, no paths. False as soon as
    anything is wrong or unusual (a raw mapping, an id that is not a string),
    and :func:`check_references` then looks again, item by item, to say where.
    """
    try:
        allowed = _allowed(collections, cluster_id)
        if allowed is None:
            return False
        for name in COLLECTIONS:
            if not _sound(collections.get(name, ()), allowed):
                return False
    except (AttributeError, TypeError):
        return False
    return True


def named_sound(
    collections: Mapping[str, Sequence[Any]],
    cluster_id: str | None,
    named: Mapping[tuple[str, ...], Iterable[str]],
) -> bool:
    """True when the ids are unique and every id in ``named`` is one its targets allow.

    ``named`` holds, by the targets of the fields, every id that the references
    inside ``collections`` name, as the builders note them
    (:class:`nogentech.builders.Batch`): the references are checked without
    walking the objects. False for anything wrong; :func:`check_references`
    then says where.
    """
    try:
        allowed = _allowed(collections, cluster_id)
        if allowed is None:
            return False
        return all(allowed.allows(targets, ids) for targets, ids in named.items())
    except (AttributeError, TypeError):
        return False


def _allowed(collections: Mapping[str, Sequence[Any]], cluster_id: str | None) -> _Allowed | None:
    """The ids each group of targets allows, or None if an id is repeated or not a string."""
    groups: dict[str, set[str]] = {}
    count = 0
    if cluster_id:
        groups["cluster"] = {cluster_id}
        count = 1
    for name in COLLECTIONS:
        idents = list(map(_ID, collections.get(name, ())))
        group = set(idents)
        if len(group) != len(idents) or not set(map(type, group)) <= {str}:
            return None
        groups[name] = group
        count += len(group)
    every: set[str] = set().union(*groups.values())
    if len(every) != count:
        return None
    return _Allowed(groups, every)


_ID = operator.attrgetter("id")


class _Allowed:
    """The ids of each collection and of all of them: what a reference may name."""

    __slots__ = ("every", "groups")

    def __init__(self, groups: Mapping[str, set[str]], every: set[str]) -> None:
        self.groups = groups
        self.every = every

    def allows(self, targets: tuple[str, ...], ids: Iterable[str]) -> bool:
        """Whether a reference to ``targets`` may name each of ``ids``."""
        if "any" in targets:
            return self.every.issuperset(ids)
        if len(targets) == 1:
            return self.groups.get(targets[0], _NO_IDS).issuperset(ids)
        # The ids named, less each group in turn: no union of the groups, a set
        # as large as all of them, is made for a reference to several.
        rest = set(ids)
        for target in targets:
            if not rest:
                break
            rest = rest - self.groups.get(target, _NO_IDS)
        return not rest


_NO_IDS: frozenset[str] = frozenset()


def _sound(objects: Sequence[Any], allowed: _Allowed) -> bool:
    """True when every reference inside ``objects`` (and the objects they hold) points right.

    The objects are looked at a field at a time, all of them at once: the values
    of a field are gathered by ``map`` and checked against the allowed ids by a
    single set operation, so that the work per object is done in C.
    """
    if not objects:
        return True
    kinds = set(map(type, objects))
    if len(kinds) > 1:
        return all(_sound([o for o in objects if type(o) is kind], allowed) for kind in kinds)
    plan = _plan(next(iter(kinds)))
    for name, targets in plan or ():
        values = list(map(operator.attrgetter(name), objects))
        shapes = set(map(type, values))
        if targets is not None:
            if shapes == {tuple}:
                if not allowed.allows(targets, itertools.chain.from_iterable(values)):
                    return False
            elif shapes <= {str, type(None)}:
                named = set(values)
                named.discard(None)
                if not allowed.allows(targets, named):
                    return False
            else:
                for value in values:
                    if type(value) is tuple:
                        if not allowed.allows(targets, value):
                            return False
                    elif value is not None and not allowed.allows(targets, (value,)):
                        return False
        else:
            if shapes == {tuple}:
                held = list(itertools.chain.from_iterable(values))
            else:
                held = [x for v in values for x in (v if type(v) is tuple else (v,))]
            if not _sound(held, allowed):
                return False
    return True
