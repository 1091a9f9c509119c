"""Results kept between runs in the user's cache directory; none is ever needed.

A cache file holds the key a value was computed for and the pickled value: the
value is read back only when the key is the same, written atomically, and skipped
without a word when it is missing, stale, corrupt, not the user's own or cannot
be written. The directory is ``$NOGENTECH_CACHE_DIR``, else
``$XDG_CACHE_HOME/nogentech``, else ``~/.cache/nogentech``; an empty
``NOGENTECH_CACHE_DIR`` turns caching off. See ``docs/cli.md``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = [
    "CACHE_ENV",
    "PACKAGE",
    "cache_dir",
    "file_name",
    "installed",
    "package_signature",
    "read",
    "write",
]

CACHE_ENV = "NOGENTECH_CACHE_DIR"
"""Environment variable: the cache directory; set but empty, no cache is read or written."""

_MAGIC = b"nogentech-cache 1\n"
"""The first bytes of a cache file: the format of what follows (the key's length, the key)."""
_MAGIC_PLAIN = b"nogentech-cache 1 marshal\n"
"""The same, for a file whose value is kept with :mod:`marshal` (``plain=True``)."""
_LENGTH = 8
_READ_WHOLE = 1 << 16
"""A marshal file up to this size is read whole, then its value made: ``marshal.load``
reads a file a value at a time, which costs more than the file's bytes held twice
for a moment. A larger one (the builders' code) is read as it is made."""

PACKAGE = os.path.dirname(os.path.abspath(__file__))
"""The directory of the package's own modules."""


def cache_dir() -> str | None:
    """The cache directory (it may not exist yet), or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        home = os.path.expanduser("~")
        if home == "~":
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "nogentech")


def file_name(stem: str, where: str, suffix: str = "pickle") -> str:
    """``stem-XXXXXXXX.suffix``: one cache file for each installation (``where``, a directory).

    Two environments that share the cache directory (two virtual environments,
    two checkouts) then keep a file each, instead of rebuilding each other's.
    """
    return f"{stem}-{_fnv1a(where.encode('utf-8', 'surrogateescape')):08x}.{suffix}"


def _fnv1a(data: bytes) -> int:
    """The 32-bit FNV-1a hash of ``data``.

    Computed here rather than by ``zlib.crc32``: importing zlib (or binascii)
    maps a shared library, a third of a MiB of a first load's memory.
    """
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _head(key: bytes, plain: bool) -> bytes:
    """What a cache file for ``key`` starts with: the key itself, whole (no digest to trust)."""
    return (_MAGIC_PLAIN if plain else _MAGIC) + len(key).to_bytes(_LENGTH, "big") + key


def _path(name: str) -> str | None:
    directory = cache_dir()
    return os.path.join(directory, name) if directory is not None else None


def read(name: str, key: bytes, *, plain: bool = False) -> Any:
    """The value cached as ``name`` for ``key``, or None if there is none to trust.

    A file of another user, or one that others may write to, is not read: a
    pickle runs code as it loads. ``plain`` reads a value written with ``plain``.
    """
    path = _path(name)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if sys.platform != "win32" and (info.st_uid != os.getuid() or info.st_mode & 0o002):
                return None
            expected = _head(key, plain)
            if handle.read(len(expected)) != expected:
                return None
            if plain:
                import marshal

                if info.st_size <= _READ_WHOLE:
                    return marshal.loads(handle.read())
                return marshal.load(handle)
            import pickle

            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing or unreadable cache is only a miss
        return None


def write(name: str, key: bytes, value: Any, *, plain: bool = False) -> None:
    """Cache ``value`` as ``name`` for ``key``; nothing happens if it cannot be written.

    With ``plain``, a value of Python's core types only (bytes, strings, numbers,
    tuples, lists, dicts, sets) is kept with :mod:`marshal` instead of pickle,
    which reading it back then does not import.
    """
    path = _path(name)
    if path is None:
        return
    try:
        from .files import write_atomic

        if plain:
            import marshal

            body = marshal.dumps(value)
        else:
            import pickle

            body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        data = _head(key, plain) + body
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        write_atomic(path, data, durable=False)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is left out
        return


def installed(package: str, files: tuple[str, ...] = ("__init__.py",)) -> str:
    """What tells one installation of the package ``package`` from another, without importing it.

    Its directory, the ``.dist-info`` (or ``.egg-info``) names beside it that start
    with its name (they hold the version), and the size and time of ``files``
    inside it: a cache key that holds this changes when the package is upgraded.
    """
    where = _package_dir(package)
    if where is None:
        return f"{package}: not found"
    parent = os.path.dirname(where)
    prefix = package.lower().replace("-", "_")
    versions = sorted(
        entry
        for entry in _metadata_dirs(parent)
        if entry.lower().replace("-", "_").startswith(prefix + "_")
    )
    parts = [where, *versions]
    for name in files:
        try:
            info = os.stat(os.path.join(where, name))
        except OSError:
            parts.append(f"{name}: missing")
        else:
            parts.append(f"{name}: {info.st_size} {info.st_mtime_ns}")
    return "\n".join(parts)


def _metadata_dirs(parent: str) -> list[str]:
    """The ``.dist-info`` and ``.egg-info`` directories in ``parent`` (listed once a process)."""
    found = _LISTINGS.get(parent)
    if found is None:
        try:
            entries = os.listdir(parent)
        except OSError:
            entries = []
        found = [entry for entry in entries if entry.endswith((".dist-info", ".egg-info"))]
        _LISTINGS[parent] = found
    return found


_LISTINGS: dict[str, list[str]] = {}


def _package_dir(package: str) -> str | None:
    """The directory of the package an import of ``package`` would find (not importing it)."""
    loaded = sys.modules.get(package)
    where = getattr(loaded, "__file__", None)
    if isinstance(where, str):
        return os.path.dirname(where)
    for entry in sys.path:
        candidate = os.path.join(entry or os.curdir, package)
        if os.path.isfile(os.path.join(candidate, "__init__.py")):
            return os.path.abspath(candidate)
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    places = list(spec.submodule_search_locations or ()) if spec is not None else []
    return places[0] if places else None


def package_signature(top: str = PACKAGE) -> list[str]:
    """``path size mtime`` of the files in ``top`` that build and check a cluster, sorted.

    Those are the package's own modules and its ``data`` directory: by the layers
    of ``docs/architecture.md``, no subpackage (the exporters, the command line,
    the server…) is imported by the loader or the model. A key that holds this
    changes when the model, the loader or the built-in data is edited.
    """
    found: list[str] = []
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if directory == top and entry.name == "data":
                        pending.append(entry.path)
                    continue
                info = entry.stat()
            except OSError:
                continue
            found.append(f"{entry.path} {info.st_size} {info.st_mtime_ns}")
    return sorted(found)
