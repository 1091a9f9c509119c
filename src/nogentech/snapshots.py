"""A snapshot of the validated built-in data, so that a command reads it in a few milliseconds.

The built-in cluster is loaded and checked once, then kept pickled in the user's
cache directory (:mod:`nogentech.caches`) under a key made of the data file's
bytes, the versions of nogentech, Python and the libraries that build and check
it, and the size and time of the package's modules and data files: editing the
data or the model rebuilds it. A snapshot that cannot be read or written is
rebuilt or left out, never an error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from .caches import PACKAGE, file_name, installed, package_signature, read, write
from .cluster import Cluster

__all__ = ["builtin_cluster", "snapshot_file", "snapshot_key"]

_PACKAGE = PACKAGE
"""The package's directory, whose files are in the key."""

_LIBRARIES = ("attr", "attrs", "cattrs", "dateutil", "holidays")
"""The libraries whose versions are in the key: they build and check the cluster."""


def snapshot_file() -> str:
    """The name of the snapshot in the cache directory: one for each installation."""
    return file_name("builtin-cluster", _PACKAGE)


def snapshot_key(data: bytes) -> bytes:
    """The key of the snapshot of the cluster in ``data``: it changes with all that builds it."""
    from .version import __version__

    head = [__version__, sys.version, sys.implementation.cache_tag or ""]
    head += [installed(name) for name in _LIBRARIES]
    head += package_signature(_PACKAGE)
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
