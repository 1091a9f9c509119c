"""One version of the served data: :class:`Snapshot`, and the times it carries.

See ``docs/deploy.md`` (Reloading).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping

import attrs

from ..cluster import Cluster
from ..stamps import Stamps


@attrs.frozen
class Snapshot:
    """One version of the served data: the cluster, a version number, its modification time."""

    cluster: Cluster
    version: int
    last_modified: dt.datetime | None
    """UTC, whole seconds; None when neither ``updated`` nor a file time is known."""
    digest: str = ""
    """SHA-256 of the file's bytes (hex), as read when this version was noticed."""
    loaded_at: dt.datetime | None = None
    """When this version started being served (UTC)."""
    prepared: Mapping[Hashable, bytes] = attrs.field(factory=dict, repr=False, eq=False)
    """Feeds already rendered for this version, by the tag their :data:`Wanted` gave."""
    stamps: Stamps | None = None
    """The change-tracking state the feeds are stamped with, if any (``docs/changes.md``)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _last_modified(cluster: Cluster, mtime_ns: int | None) -> dt.datetime | None:
    """The later of the data's ``updated`` stamp and the file's mtime (UTC, whole seconds).

    The file time counts too: an edit that forgets to bump ``updated`` still moves
    Last-Modified forward, so an ``If-Modified-Since`` revalidation cannot hide it.
    """
    stamps: list[dt.datetime] = []
    if cluster.updated is not None:
        stamp = cluster.updated
        if stamp.tzinfo is None:
            from zoneinfo import ZoneInfo

            stamp = stamp.replace(tzinfo=ZoneInfo(cluster.timezone))
        stamps.append(stamp.astimezone(dt.UTC))
    if mtime_ns is not None:
        stamps.append(dt.datetime.fromtimestamp(mtime_ns // 1_000_000_000, dt.UTC))
    return max(stamps).replace(microsecond=0) if stamps else None
