"""The served data: a :class:`Snapshot` of the cluster, reloaded by :class:`DataSource`.

See ``docs/deploy.md`` for how reloading behaves.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import attrs

from ..cluster import Cluster
from ..exceptions import DataError
from ..loading import builtin_path, load

__all__ = ["DataSource", "Snapshot"]

log = logging.getLogger("nogentech.web")


@attrs.frozen
class Snapshot:
    """One version of the served data: the cluster, a version number, its modification time."""

    cluster: Cluster
    version: int
    last_modified: dt.datetime | None
    """UTC, whole seconds; None when neither ``updated`` nor a file time is known."""


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


class DataSource:
    """The cluster being served, reloaded when its file changes on disk.

    :meth:`current` looks at the file's mtime, size and inode at most once every
    ``interval`` seconds (measured with ``clock``) and reloads it when they
    changed; requests arriving while another one reloads get the data already
    loaded instead of waiting. An invalid file at start raises
    :class:`~nogentech.DataError`; an invalid edit later is logged line by line and
    the last good data stays served.
    ``path=None`` serves the built-in data, which never changes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._seen = self._signature()
        self._checked = clock()
        cluster = load(self.path)
        self._snapshot = Snapshot(cluster, 1, _last_modified(cluster, self._mtime(self._seen)))

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            info = (self.path or builtin_path()).stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    @staticmethod
    def _mtime(signature: tuple[int, int, int] | None) -> int | None:
        return signature[0] if signature else None

    def current(self) -> Snapshot:
        """The data to serve now; reloaded first if the file changed since the last check."""
        if self.path is not None and self._clock() - self._checked >= self.interval:
            self.refresh(wait=False)
        return self._snapshot

    def refresh(self, *, wait: bool = True) -> bool:
        """Check the file now; True when new data was loaded.

        With ``wait=False`` nothing is done (False) while another thread is already
        checking or reloading.
        """
        if self.path is None:
            return False
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            self._checked = self._clock()
            signature = self._signature()
            if signature == self._seen:
                return False
            self._seen = signature
            if signature is None:
                log.error(
                    "%s: cannot read the data file; still serving the last good data", self.path
                )
                return False
            try:
                cluster = load(self.path)
            except DataError as exc:
                log.error("%s: invalid edit; still serving the last good data", self.path)
                for line in exc.lines():
                    log.error("%s: %s", self.path, line)
                return False
            version = self._snapshot.version + 1
            self._snapshot = Snapshot(cluster, version, _last_modified(cluster, signature[0]))
        finally:
            self._lock.release()
        log.info("%s: reloaded (data version %d)", self.path, version)
        return True
