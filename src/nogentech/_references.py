"""Checks of ids and references across a cluster's collections.

Fields that point to other objects carry ``metadata={"ref": targets}`` (see
:func:`nogentech.text.refs`); this module walks the objects and reports every id
that is repeated or that points nowhere, each with its path in the data file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from .exceptions import Problem

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


def _walk(obj: Any, path: str) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """Yield (path, targets, id) for every reference inside an attrs object."""
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        here = f"{path}.{field.name}"
        targets = field.metadata.get("ref")
        if targets:
            if isinstance(value, tuple):
                for i, item in enumerate(value):
                    yield f"{here}[{i}]", targets, item
            elif value is not None:
                yield here, targets, value
        elif attrs.has(type(value)):
            yield from _walk(value, here)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if attrs.has(type(item)):
                    yield from _walk(item, f"{here}[{i}]")


def check_references(
    collections: Mapping[str, Sequence[Any]], cluster_id: str | None
) -> list[Problem]:
    """Every duplicate id and every reference that points to no object of the right kind."""
    ids, problems = index_ids(collections, cluster_id)
    every = {ident for group in ids.values() for ident in group}
    for name in COLLECTIONS:
        for index, item in enumerate(collections.get(name, ())):
            if not attrs.has(type(item)):
                continue
            for path, targets, ident in _walk(item, f"{name}[{index}]"):
                if "any" in targets:
                    if ident not in every:
                        problems.append(Problem(path, f"unknown id {ident!r}"))
                    continue
                if any(ident in ids.get(t, {}) for t in targets):
                    continue
                kinds = " or ".join(_SINGULAR[t] for t in targets)
                elsewhere = next((t for t, group in ids.items() if ident in group), None)
                hint = f" (it is a {_SINGULAR[elsewhere]})" if elsewhere else ""
                problems.append(Problem(path, f"unknown {kinds} {ident!r}{hint}"))
    return problems
