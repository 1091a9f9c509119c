"""A snapshot of the validated built-in data, so that a command reads it in a few milliseconds.

The built-in cluster is loaded and checked once, then kept pickled in the user's
cache directory (:mod:`nogentech.caches`) under a key made of the data file's
bytes, the versions of nogentech, Python and the libraries that build and check
it, and the size and time of the package's modules and data files: editing the
data or the model rebuilds it. A snapshot that cannot be read or written is
rebuilt or left out, never an error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from .caches import file_name, installed, read, write
from .cluster import Cluster

__all__ = ["builtin_cluster", "snapshot_file", "snapshot_key"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_LIBRARIES = ("attr", "attrs", "cattrs", "dateutil", "holidays")
"""The libraries whose versions are in the key: they build and check the cluster."""


def _signature(top: str) -> list[str]:
    """``path size mtime`` of the files that build and check a cluster, sorted.

    Those are the package's own modules and its ``data`` directory: by the layers
    of ``docs/architecture.md``, no subpackage (the exporters, the command line,
    the server…) is imported by the loader or the model.
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


def snapshot_file() -> str:
    """The name of the snapshot in the cache directory: one for each installation."""
    return file_name("builtin-cluster", _PACKAGE)


def snapshot_key(data: bytes) -> bytes:
    """The key of the snapshot of the cluster in ``data``: it changes with all that builds it."""
    from .version import __version__

    head = [__version__, sys.version, sys.implementation.cache_tag or ""]
    head += [installed(name) for name in _LIBRARIES]
    head += _signature(_PACKAGE)
    return "\n".join(head).encode("utf-8", "surrogateescape") + b"\0" + data


def builtin_cluster(data: bytes, build: Callable[[], Cluster]) -> Cluster:
    """The cluster ``build()`` makes of ``data``, from the snapshot when it is fresh.

    Without a fresh snapshot the cluster is built and the snapshot written for the
    next run; ``build`` raises as it would without a snapshot.
    """
    key = snapshot_key(data)
    found = read(snapshot_file(), key)
    if isinstance(found, Cluster):
        return found
    cluster = build()
    write(snapshot_file(), key, cluster)
    return cluster
