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
from ..stamps import Stamps

__all__ = ["DataSource", "Snapshot"]

log = logging.getLogger("nogentech.web")


@attrs.frozen
class Snapshot:
    """One version of the served data: the cluster, a version number, its modification time."""

    cluster: Cluster
    version: int
    last_modified: dt.datetime | None
    """UTC, whole seconds; None when neither ``updated`` nor a file time is known."""
    stamps: Stamps | None = None
    """The change-tracking state the feeds are stamped with, if any (``docs/changes.md``)."""


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

    ``stamps`` is a change-tracking state file: it is read with the data (and again
    when it changes); with ``track=True`` it is kept current instead, recording
    each reload's changes (see :func:`nogentech.stamps.refresh`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        stamps: str | os.PathLike[str] | None = None,
        track: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.stamps_path = Path(stamps) if stamps is not None else None
        self.track = track
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._seen = self._signature()
        self._checked = clock()
        cluster = load(self.path)
        self._snapshot = Snapshot(
            cluster, 1, _last_modified(cluster, self._mtime(self._seen)), self._stamps(cluster)
        )
        self._stamps_seen = self._signature(self.stamps_path) if self.stamps_path else None

    def _stamps(self, cluster: Cluster) -> Stamps | None:
        """The state for ``cluster``: kept current with ``track``, else read as it is."""
        from .. import stamps

        if self.stamps_path is None:
            return None
        if not self.track:
            return Stamps.load(self.stamps_path)
        from ..plugins import export

        state, changes = stamps.refresh(
            self.stamps_path, lambda fmt, options: export(cluster, fmt, **options)
        )
        if changes:
            log.info("%s: %d changes recorded", self.stamps_path, len(changes))
        return state

    def _signature(self, path: Path | None = None) -> tuple[int, int, int] | None:
        """mtime, size and inode of ``path`` (by default the data file), None if unreadable."""
        try:
            info = (path or self.path or builtin_path()).stat()
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
                return self._reread_stamps()
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
            modified = _last_modified(cluster, signature[0])
            self._snapshot = Snapshot(cluster, version, modified, self._stamps(cluster))
            if self.stamps_path is not None:
                self._stamps_seen = self._signature(self.stamps_path)
        finally:
            self._lock.release()
        log.info("%s: reloaded (data version %d)", self.path, version)
        return True

    def _reread_stamps(self) -> bool:
        """Read the state file again if someone else changed it (lock held)."""
        if self.stamps_path is None or self.track:
            return False
        signature = self._signature(self.stamps_path)
        if signature == self._stamps_seen:
            return False
        self._stamps_seen = signature
        try:
            state = Stamps.load(self.stamps_path)
        except DataError as exc:
            log.error("%s: %s; still using the last good state", self.stamps_path, exc)
            return False
        old = self._snapshot
        self._snapshot = Snapshot(old.cluster, old.version + 1, old.last_modified, state)
        return True
