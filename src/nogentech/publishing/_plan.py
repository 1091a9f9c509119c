"""The plan of one collection's sync, and carrying it out.

Compares what the cluster has (one :class:`~._resources.Resource` per UID), what the
server holds (its listing and, for resources not seen before, their data) and what
the last sync recorded; the rules are in ``docs/publish.md``.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from ._dav import path_of
from ._record import Collection, Stored
from ._resources import Resource, same_content, uids_in

if TYPE_CHECKING:
    from ._dav import DAV, Listed

KINDS = ("create", "update", "delete", "unchanged", "conflict", "foreign")


@attrs.frozen
class Action:
    """One step of a sync: what is done to the resource of ``uid`` at ``href``.

    ``kind`` is ``create``, ``update``, ``delete``, ``unchanged``, ``conflict``
    (changed on the server since the last sync: reported, left alone) or
    ``foreign`` (not this cluster's: left alone). ``outcome`` is ``planned`` until
    the step runs, then ``done``, ``conflict`` (the server says it changed meanwhile)
    or ``refused`` (``message`` holds the server's words).
    """

    kind: str
    uid: str
    href: str
    reason: str = ""
    outcome: str = "planned"
    message: str = ""


@attrs.frozen
class _Step:
    action: Action
    key: str
    body: bytes = b""
    etag: str | None = None
    digest: str | None = None


Progress = Callable[[int, int, Action], None]


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def plan(
    dav: DAV,
    desired: Mapping[str, Resource],
    listing: Mapping[str, Listed],
    record: Collection,
    ours: Callable[[str], bool],
    force: bool,
) -> list[_Step]:
    """The steps that bring the collection to ``desired``, fetching what is needed to decide."""
    unknown = [k for k, item in listing.items() if k not in record or record[k].etag != item.etag]
    fetched = dav.fetch([listing[k].href for k in unknown])
    uid_of: dict[str, str] = {}
    for key in listing:
        if key in fetched:
            uids = uids_in(fetched[key])
            uid_of[key] = uids[0] if uids else ""
        elif key in record:
            uid_of[key] = record[key].uid
        else:
            uid_of[key] = ""
    mine: dict[str, str] = {}
    for key in sorted(listing, key=lambda k: (k not in record, k)):
        uid = uid_of[key]
        if uid and ours(uid) and uid not in mine:
            mine[uid] = key
    recorded = {entry.uid: key for key, entry in record.items() if entry.ours}
    steps: list[_Step] = []

    def untouched(key: str) -> bool:
        """Nobody else changed the resource at ``key`` since the last sync."""
        entry = record.get(key)
        if entry is None:
            return False
        if entry.etag is not None and entry.etag == listing[key].etag:
            return True
        return key in fetched and _sha(fetched[key]) == entry.digest

    for uid in sorted(desired):
        res = desired[uid]
        if uid not in mine:
            href = urllib.parse.urljoin(dav.url, res.name)
            if uid in recorded and not force:
                reason = "deleted on the server since the last sync"
                steps.append(_Step(Action("conflict", uid, href, reason), recorded[uid]))
            else:
                steps.append(_Step(Action("create", uid, href), path_of(href), res.body, None))
            continue
        key = mine[uid]
        item = listing[key]
        entry = record.get(key)
        same = key in fetched and same_content(fetched[key], res.body)
        if untouched(key) or (entry is not None and entry.digest == res.digest and same):
            assert entry is not None
            kind = "unchanged" if entry.digest == res.digest else "update"
        elif same:
            kind = "unchanged"
        elif force:
            kind = "update"
        else:
            kind = "conflict"
        reason = ""
        if kind == "conflict":
            reason = (
                "changed on the server since the last sync"
                if entry is not None
                else "differs from this cluster's and no sync from here recorded it"
            )
        body = res.body if kind == "update" else b""
        steps.append(_Step(Action(kind, uid, item.href, reason), key, body, item.etag, res.digest))
    for uid, held in sorted(mine.items()):
        if uid in desired:
            continue
        item = listing[held]
        if held in record and not untouched(held) and not force:
            reason = "changed on the server since the last sync; not deleted"
            steps.append(_Step(Action("conflict", uid, item.href, reason), held))
        else:
            steps.append(_Step(Action("delete", uid, item.href), held, etag=item.etag))
    claimed = set(mine.values())
    for other in sorted(set(listing) - claimed):
        steps.append(_Step(Action("foreign", uid_of[other], listing[other].href), other))
    return steps


def carry_out(
    dav: DAV,
    steps: list[_Step],
    listing: Mapping[str, Listed],
    record: Collection,
    progress: Progress | None = None,
) -> tuple[list[Action], Collection]:
    """Run the writes of ``steps``; the actions with their outcomes, and the new record."""
    writes = [s for s in steps if s.action.kind in ("create", "update", "delete")]
    done = 0
    actions: list[Action] = []
    after: Collection = {}
    for step in steps:
        action, key = step.action, step.key
        prior = record.get(key)
        current = listing.get(key)
        if action.kind in ("create", "update", "delete"):
            done += 1
            if progress is not None:
                progress(done, len(writes), action)
            if action.kind == "delete":
                answer = dav.delete(action.href, step.etag)
            else:
                answer = dav.put(action.href, step.body, step.etag)
            if answer.status == 412:
                outcome, message = "conflict", "changed on the server meanwhile"
            elif answer.message:
                outcome, message = "refused", answer.message
            else:
                outcome, message = "done", ""
            action = attrs.evolve(action, outcome=outcome, message=message)
            if outcome == "done" and action.kind != "delete":
                after[key] = Stored(action.uid, answer.etag, True, step.digest or _sha(step.body))
            elif outcome != "done" and prior is not None:
                after[key] = prior
        elif action.kind == "unchanged" and current is not None:
            after[key] = Stored(action.uid, current.etag, True, step.digest)
        elif action.kind == "foreign" and current is not None:
            after[key] = Stored(action.uid, current.etag, False)
        elif action.kind == "conflict" and prior is not None:
            after[key] = prior
        actions.append(action)
    return actions, after
