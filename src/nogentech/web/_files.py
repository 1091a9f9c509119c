"""What the data watcher knows of a file: its stat signature and the digest of its bytes.

See ``docs/deploy.md`` (Reloading).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

_DIGEST_LIMIT = 256 << 20
"""Larger files are not hashed (the loader refuses them anyway): their stat decides."""

Signature = tuple[int, int, int, int, int]


def _signature(path: Path) -> Signature | None:
    """What ``stat`` says of the file (ctime included: ``cp -p`` keeps mtime, not ctime)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)


def _digest(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes; None if it cannot be read or is not a plain file."""
    try:
        with path.open("rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return None
            if info.st_size > _DIGEST_LIMIT:
                return f"size:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None
