"""The options of the ``vcard`` exporter read against the data: which cards an export holds.

``sub_cluster``, ``sector``, ``commune`` and ``kind`` choose the organisations (an
unknown id is an :class:`~nogentech.OptionError` naming the valid ones); ``people``
and ``groups`` say whether people and groups are exported at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ...exceptions import OptionError, did_you_mean
from ...organisations import ORGANISATION_KINDS, Commission, Company, SubCluster
from ...people import Person

if TYPE_CHECKING:
    from ...cluster import Cluster


class Selection(NamedTuple):
    """What an export holds: organisations, people and groups, in the data's order.

    A named tuple: making an attrs class costs more than the export of a hundred cards.
    """

    companies: tuple[Company, ...]
    people: tuple[Person, ...]
    groups: tuple[SubCluster | Commission, ...]


def _check_ids(option: str, given: Sequence[str], valid: Sequence[str]) -> None:
    unknown = [i for i in given if i not in valid]
    if unknown:
        raise OptionError(
            f"option {option!r}: unknown id{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (valid: {', '.join(valid) or 'none'})"
            f"{did_you_mean(unknown[0], valid) if len(unknown) == 1 else ''}"
        )


def select(cluster: Cluster, options: Mapping[str, Any]) -> Selection:
    """The objects the ``vcard`` options keep; :class:`OptionError` for an unknown id.

    Organisation filters combine: an organisation is kept when it matches one id
    of each filter given. Without a filter every person and every group is kept;
    with one, the people holding a role in a kept organisation, and the groups
    with at least one kept member; the group of a sub-cluster the ``sub_cluster``
    option names is always kept, even without members.
    """
    wanted = {c.id for c in cluster.companies}
    filtered = False
    tests = (
        ("sub_cluster", [s.id for s in cluster.sub_clusters], cluster.members_of),
        ("sector", [s.id for s in cluster.sectors], cluster.companies_in_sector),
        ("commune", [p.id for p in cluster.places], cluster.companies_in_place),
    )
    for name, valid, finder in tests:
        if options.get(name):
            _check_ids(name, options[name], valid)
            wanted &= {c.id for ident in options[name] for c in finder(ident)}
            filtered = True
    if options.get("kind"):
        _check_ids("kind", options["kind"], ORGANISATION_KINDS)
        wanted &= {c.id for c in cluster.companies if c.kind in options["kind"]}
        filtered = True
    companies = tuple(c for c in cluster.companies if c.id in wanted)
    people: tuple[Person, ...] = ()
    if options.get("people", True):
        people = tuple(
            p for p in cluster.people if not filtered or any(r.of in wanted for r in p.roles)
        )
    kept = wanted | {p.id for p in people}
    groups: tuple[SubCluster | Commission, ...] = ()
    if options.get("groups", True):
        chosen = set(options.get("sub_cluster") or ())
        every: list[SubCluster | Commission] = [*cluster.sub_clusters, *cluster.commissions]
        groups = tuple(
            g
            for g in every
            if not filtered
            or kept.intersection(g.members)
            or (isinstance(g, SubCluster) and g.id in chosen)
        )
    return Selection(companies, people, groups)
