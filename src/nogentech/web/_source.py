"""The served data: a :class:`Snapshot` of the cluster, kept fresh by :class:`DataSource`.

A watcher thread looks at the file; a change is confirmed by the digest of its
bytes and loaded off the request path (by default in a child process), so that
requests always get the last good data at once. See ``docs/deploy.md``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..cluster import Cluster
from ..exceptions import DataError
from ..loading import builtin_path, load
from ..stamps import Stamps
from ._files import _digest, _signature
from ._loader import DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_TIMEOUT, LoadFailed, load_in_child
from ._snapshot import Snapshot, _last_modified, _now
from ._stamping import _StampsFile

__all__ = ["DataSource", "Snapshot"]

log = logging.getLogger("nogentech.web")

Loader = Callable[[Path], Cluster]
Wanted = Callable[[], Sequence[tuple[Hashable, str, Mapping[str, str]]]]
"""The feeds to render with new data before serving it: (tag, exporter name, parameters)."""


def _watch(ref: weakref.ref[DataSource], stop: threading.Event, interval: float) -> None:
    """The watcher thread: check every ``interval`` seconds until stopped or the source is gone."""
    while not stop.wait(interval):
        source = ref()
        if source is None:
            return
        try:
            source.refresh()
        except Exception:
            log.exception("the data file watcher failed; it carries on")
        del source


class DataSource:
    """The cluster being served, reloaded when its file changes on disk.

    A daemon thread checks the file every ``interval`` seconds: a change of its
    stat (modification or change time, size, inode), or every ``verify`` seconds
    anyway, makes it hash the bytes, and new bytes are loaded with ``loader``. By
    default that is a child process, stopped after ``timeout`` seconds, ``cpu``
    seconds of processor time or beyond ``memory`` bytes, which also renders the
    feeds that :attr:`wanted` names. Requests never wait: :meth:`current` returns
    the data loaded last. An invalid file at start raises
    :class:`~nogentech.DataError`; an invalid, unreadable or too slow edit later is
    logged and the last good data stays served until the next edit. ``path=None``
    serves the built-in data, which never changes. :meth:`close` stops the thread.

    ``stamps`` is a change-tracking state file: it is read with the data (and again
    when it changes); with ``track=True`` it is kept current instead, recording
    each reload's changes (see :func:`nogentech.stamps.refresh`).
    """

    wanted: Wanted | None = None
    """Set by the application: the feeds worth rendering before new data is served."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        interval: float = 1.0,
        verify: float = 30.0,
        loader: Loader | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        cpu: float = DEFAULT_CPU,
        memory: int = DEFAULT_MEMORY,
        stamps: str | os.PathLike[str] | None = None,
        track: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.interval = interval
        self.verify = verify
        self.timeout = timeout
        self.cpu = cpu
        self.memory = memory
        self._loader = loader
        self.stamps_path = Path(stamps) if stamps is not None else None
        self.track = track
        self._stamps = _StampsFile(self.stamps_path, track)
        self._lock = threading.Lock()
        self._watcher_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._pid = os.getpid()
        file = self.path or builtin_path()
        self._seen = _signature(file)
        digest = _digest(file) or ""
        self._verified = time.monotonic()
        cluster = load(self.path)
        modified = _last_modified(cluster, self._seen[0] if self._seen else None)
        self._snapshot = Snapshot(
            cluster, 1, modified, digest, _now(), stamps=self._stamps.for_cluster(cluster)
        )
        self._failed: str | None = None
        self._status: dict[str, Any] = {"status": "ok", "at": _now(), "message": "loaded"}
        self._checked = self._status["at"]

    # -- reading ----------------------------------------------------------------

    def current(self) -> Snapshot:
        """The data to serve now (never waits; starts the watcher if it is not running)."""
        if self.path is not None and not self._stop.is_set():
            watcher = self._watcher
            if watcher is None or not watcher.is_alive():
                self.start()
        return self._snapshot

    def status(self) -> dict[str, Any]:
        """The served version and the outcome of the last check, for a health endpoint."""
        snapshot = self._snapshot
        watching = None
        if self.path is not None:
            with self._watcher_lock:
                watching = self._watcher is not None and self._watcher.is_alive()
        return {
            "version": snapshot.version,
            "digest": snapshot.digest,
            "loaded_at": snapshot.loaded_at,
            "last_modified": snapshot.last_modified,
            "checked_at": self._checked,
            "watching": watching,
            "reload": dict(self._status),
        }

    # -- the watcher -------------------------------------------------------------

    def start(self) -> None:
        """Start the watcher thread (again after a fork, in the new process)."""
        if self.path is None:
            return
        if os.getpid() != self._pid:  # forked: locks may be held by threads that are gone
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._watcher_lock = threading.Lock()
            self._watcher = None
        with self._watcher_lock:
            if self._stop.is_set() or (self._watcher is not None and self._watcher.is_alive()):
                return
            self._watcher = threading.Thread(
                target=_watch,
                args=(weakref.ref(self), self._stop, self.interval),
                name=f"nogentech-watch-{self.path.name}",
                daemon=True,
            )
            self._watcher.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the watcher thread; waits up to ``timeout`` seconds for a check to end."""
        self._stop.set()
        with self._watcher_lock:
            watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def __enter__(self) -> DataSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- checking ----------------------------------------------------------------

    def refresh(self) -> bool:
        """Check the file now, on this thread; True when new data was loaded.

        The watcher calls it; calling it directly waits for a check in progress.
        """
        if self.path is None:
            return False
        with self._lock:
            return self._check(self.path)

    def _check(self, path: Path) -> bool:
        self._checked = _now()
        signature = _signature(path)
        due = time.monotonic() - self._verified >= self.verify
        if signature == self._seen and not due:
            return self._restamp()
        self._seen = signature
        self._verified = time.monotonic()
        digest = _digest(path)
        if digest is None:
            if self._status.get("message") != "cannot read the data file":
                log.error("%s: cannot read the data file; still serving the last good data", path)
                self._record("failed", "cannot read the data file")
            return False
        if digest == self._snapshot.digest:
            if self._status["status"] != "ok":
                self._record("ok", "the file is back to the data being served")
            self._failed = None
            return self._restamp()
        if digest == self._failed:
            return False  # the same bad bytes: wait for the next edit
        return self._load(path, digest)

    def _load(self, path: Path, digest: str) -> bool:
        prepared: dict[Hashable, bytes] = {}
        try:
            if self._loader is not None:
                cluster = self._loader(path)
            else:
                wanted = list(self.wanted()) if self.wanted is not None else []
                loaded = load_in_child(
                    path,
                    feeds=[(name, params) for _, name, params in wanted],
                    timeout=self.timeout,
                    cpu=self.cpu,
                    memory=self.memory,
                )
                cluster = loaded.cluster
                for (tag, _, _), body in zip(wanted, loaded.bodies, strict=False):
                    if body is not None:
                        prepared[tag] = body
        except DataError as exc:
            log.error("%s: invalid edit; still serving the last good data", path)
            for line in exc.lines():
                log.error("%s: %s", path, line)
            self._failed = digest
            self._record("invalid", f"{len(exc.problems)} problem(s) in the data file")
            return False
        except LoadFailed as exc:
            log.error("%s: reload failed: %s; still serving the last good data", path, exc)
            self._failed = digest
            self._record("failed", str(exc)[:300])
            return False
        except Exception as exc:
            # A bug in the loader: logged with its traceback; the last good data stays
            # and the next edit is tried again.
            log.error("%s: reload failed; still serving the last good data", path, exc_info=exc)
            self._failed = digest
            self._record("failed", f"{type(exc).__name__}: {exc}"[:300])
            return False
        previous = self._snapshot
        modified = _last_modified(cluster, self._seen[0] if self._seen else None)
        if previous.last_modified is not None and (
            modified is None or modified <= previous.last_modified
        ):
            # The new bytes must look newer than the old ones to a client that
            # revalidates with If-Modified-Since, whatever the file's times say.
            modified = max(_now(), previous.last_modified + dt.timedelta(seconds=1))
        version = previous.version + 1
        self._snapshot = Snapshot(
            cluster,
            version,
            modified,
            digest,
            _now(),
            prepared,
            stamps=self._stamped(cluster, previous),
        )
        self._failed = None
        self._record("ok", f"reloaded as data version {version}")
        log.info(
            "%s: reloaded (data version %d); %d feed(s) rendered ahead",
            path,
            version,
            len(prepared),
        )
        return True

    def _record(self, status: str, message: str) -> None:
        self._status = {"status": status, "at": _now(), "message": message}

    def _stamped(self, cluster: Cluster, previous: Snapshot) -> Stamps | None:
        """The state for new data; the previous one if the state file cannot be used."""
        try:
            return self._stamps.for_cluster(cluster)
        except (DataError, OSError) as exc:
            log.error("%s: %s; the feeds keep the last good state", self.stamps_path, exc)
            return previous.stamps

    def _restamp(self) -> bool:
        """A new version with the same data when another program rewrote the state file."""
        state = self._stamps.rewritten()
        if state is None:
            return False
        old = self._snapshot
        self._snapshot = attrs.evolve(old, version=old.version + 1, loaded_at=_now(), stamps=state)
        log.info("%s: read again (data version %d)", self.stamps_path, old.version + 1)
        return True
