"""The render cache of the feed server: bounded in entries and in bytes, one render per key.

Keys start with the data version; bodies of older versions are dropped as soon as a
newer one is stored. Requests that miss on the same key at the same time share one
rendering instead of each doing it. See ``docs/deploy.md``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ._http import _Rendered

_OVERHEAD = 512
"""Bytes counted for each entry beyond its body (headers, key, bookkeeping)."""


def _size(rendered: _Rendered) -> int:
    return len(rendered.body) + _OVERHEAD


class _RenderCache:
    """Rendered responses by ``(version, ...)`` key, least recently used dropped first.

    A key that does not start with a version (a whole number) belongs to the
    current one.
    """

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[Hashable, ...], _Rendered] = OrderedDict()
        self._bytes = 0
        self._version = 0
        self._pending: dict[tuple[Hashable, ...], threading.Event] = {}
        self._lock = threading.Lock()

    @property
    def size(self) -> tuple[int, int]:
        """(entries, bytes) held now."""
        with self._lock:
            return len(self._items), self._bytes

    def get(self, key: tuple[Hashable, ...], make: Callable[[], _Rendered]) -> _Rendered:
        """The cached response for ``key``, rendered by ``make`` on a miss.

        While one thread renders a key, others asking for it wait for that result;
        if the render fails, each of them tries on its own (and fails the same way).
        """
        while True:
            with self._lock:
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    return found
                pending = self._pending.get(key)
                if pending is None:
                    self._pending[key] = threading.Event()
                    break
            pending.wait()
            with self._lock:
                found = self._items.get(key)
            if found is not None:
                return found
            return make()  # the first render failed or was not kept
        try:
            rendered = make()
            self._store(key, rendered)
            return rendered
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def _store(self, key: tuple[Hashable, ...], rendered: _Rendered) -> None:
        size = _size(rendered)
        with self._lock:
            version = key[0] if isinstance(key[0], int) else self._version
            if version < self._version or size > self.max_bytes:
                return  # a late render of old data, or a body larger than the whole cache
            if version > self._version:
                self._version = version
                self._items.clear()
                self._bytes = 0
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._items[key] = rendered
            self._bytes += size
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= _size(dropped)
