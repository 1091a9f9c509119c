"""Files: reading a data file within limits, and writing an export's target atomically."""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .limits import MAX_DEPTH, MAX_FILE_SIZE, MAX_NUMBER_LENGTH

if TYPE_CHECKING:
    from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path``; ``ValueError`` if it is not one or is too big.

    The file is opened without blocking (a FIFO with no writer would wait for one)
    and looked at before anything is read: a directory, a FIFO or a device such as
    ``/dev/zero`` is refused, and so is a file over ``limit`` bytes (however it
    grows while it is read). ``OSError`` when it cannot be opened or read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), None)
            raise ValueError(f"{kind}, not a regular file" if kind else "not a regular file")
        # As many bytes as the file has, and one more that tells a file that grew
        # meanwhile: reading ``limit + 1`` bytes at once would make a buffer of
        # that size whatever the file's.
        data = handle.read(min(info.st_size, limit) + 1)
        if len(data) > info.st_size and len(data) <= limit:
            # It grew, or its size is not known (``/proc`` files say 0): the rest
            # in pieces, within the limit.
            data += read_at_most(handle, limit - len(data))
    if len(data) > limit:
        size = max(info.st_size, len(data))
        raise ValueError(
            f"the file is {size} bytes long; at most {limit // (1024 * 1024)} MiB "
            f"({limit} bytes) is read"
        )
    return data


def read_at_most(stream: Any, limit: int) -> Any:
    """At most ``limit + 1`` characters (or bytes) of the file object ``stream``.

    Read in pieces: one ``read(limit + 1)`` of a file makes a buffer of that size
    whatever the file holds. One more than ``limit`` tells a stream that is too long.
    """
    first = stream.read(min(_PIECE, limit + 1))
    pieces = [first]
    total = len(first)
    while first and total <= limit:
        piece = stream.read(min(_PIECE, limit + 1 - total))
        if not piece:
            break
        pieces.append(piece)
        total += len(piece)
    return first[:0].join(pieces) if len(pieces) > 1 else first


_PIECE = 1 << 16


class _NumberTooLongError(ValueError):
    """A number in a JSON text is longer than :data:`~nogentech.limits.MAX_NUMBER_LENGTH`."""


def _number(kind: type[Any]) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_LENGTH:
            raise _NumberTooLongError(
                f"a number of {len(text)} characters ({text[:12]}…); "
                f"at most {MAX_NUMBER_LENGTH} are read"
            )
        return kind(text)

    return parse


def _too_deep() -> str:
    return f"tables and lists are nested more than {MAX_DEPTH} levels deep"


def check_depth(data: Any) -> None:
    """``ValueError`` if tables and lists nest deeper than :data:`~nogentech.limits.MAX_DEPTH`."""
    level: list[Any] = [data]
    for _depth in range(MAX_DEPTH):
        inner: list[Any] = []
        for value in level:
            items = value.values() if isinstance(value, Mapping) else value
            inner.extend(v for v in items if isinstance(v, Mapping | list | tuple))
        if not inner:
            return
        level = inner
    raise ValueError(_too_deep())


def parse_text(text: str, fmt: str) -> Any:
    """The data of TOML or JSON ``text``; ``ValueError`` saying what is wrong.

    Beyond the syntax, refused: text over :data:`~nogentech.limits.MAX_FILE_SIZE`
    characters, a JSON number over :data:`~nogentech.limits.MAX_NUMBER_LENGTH`
    characters (Python reads no integer over 4,300 digits anyway) and nesting too
    deep for the parser (:func:`check_depth` refuses less deep nesting already).
    """
    if len(text) > MAX_FILE_SIZE:
        raise ValueError(
            f"the text is {len(text)} characters long; at most {MAX_FILE_SIZE} are read"
        )
    if fmt == "toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except RecursionError:
            raise ValueError(_too_deep()) from None
        except ValueError as exc:  # TOMLDecodeError, or an integer too long to read
            raise ValueError(f"invalid TOML: {exc}") from None
    if fmt == "json":
        import json

        try:
            return json.loads(text, parse_int=_number(int), parse_float=_number(float))
        except RecursionError:
            raise ValueError(_too_deep()) from None
        except ValueError as exc:  # JSONDecodeError, or a number too long
            raise ValueError(f"invalid JSON: {exc}") from None
    raise ValueError(f"unknown data format {fmt!r} (expected toml or json)")


TEMP_SUFFIX = ".nogentech-tmp"
"""How the temporary file of a write ends: ``.NAME.<8 characters>.nogentech-tmp``."""
_RANDOM_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
"""The characters of a temporary file's random part."""
_RANDOM = frozenset(_RANDOM_LETTERS)
_STALE_AGE = 3600.0
"""Without ``fcntl`` (Windows), a temporary file this old (in seconds) is taken as left over."""

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def _is_temporary(entry: str, name: str) -> bool:
    head = f".{name}."
    middle = entry[len(head) : -len(TEMP_SUFFIX)]
    return (
        entry.startswith(head)
        and entry.endswith(TEMP_SUFFIX)
        and len(entry) == len(head) + 8 + len(TEMP_SUFFIX)
        and _RANDOM.issuperset(middle)
    )


def _remove_left_over(directory: Path, name: str) -> None:
    """Remove the temporary files of earlier writes to ``name`` that no process still holds.

    A write keeps an exclusive ``flock`` on its temporary file until the rename, so
    a file whose lock can be taken belongs to a write that was killed.
    """
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        if not _is_temporary(entry, name):
            continue
        path = directory / entry
        with contextlib.suppress(OSError):
            if fcntl is None:
                if time.time() - path.lstat().st_mtime > _STALE_AGE:
                    path.unlink()
                continue
            # Not following a link, not waiting on a FIFO: only a file is looked at.
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            fd = os.open(path, flags)
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    path.unlink()
            finally:
                os.close(fd)


_CREATE = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOINHERIT", 0)
    | getattr(os, "O_BINARY", 0)
)
_TRIES = 100
"""Random names tried before :func:`_create_temporary` gives up (one clash in 37**8 names)."""


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    """A new file ``.NAME.<8 random characters>`` + :data:`TEMP_SUFFIX` in ``directory``.

    Made as ``tempfile.mkstemp`` makes its files (created exclusively, readable and
    writable by the owner only, a link never followed), without importing
    :mod:`tempfile`, which brings ``shutil``, ``random`` and the compression
    modules: that import cost more than the write of a small file.
    """
    for _ in range(_TRIES):
        letters = "".join(_RANDOM_LETTERS[byte % len(_RANDOM_LETTERS)] for byte in os.urandom(8))
        tmp = os.path.join(directory, f".{name}.{letters}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, _CREATE, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name!r} in {directory!r}")


def write_atomic(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader sees the old file or the new one, never half of one; if anything
    fails, the old file is left as it was and the temporary file is removed. When
    ``path`` is a symbolic link, the file it points to is written (as editors do)
    and the link stays. The temporary file sits beside the target, named
    ``.NAME.<random>`` + :data:`TEMP_SUFFIX`; one left by a killed write is removed
    by the next write to the same target. ``durable=False`` skips forcing the data to
    the disk before the rename (for a cache, which a crash may lose without harm).
    """
    # Imported here: reading a file does not need it (a command that only reads starts faster).
    from pathlib import Path

    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    _remove_left_over(directory, target.name)
    fd, tmp = _create_temporary(str(directory), target.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
            if target.exists():
                os.chmod(tmp, target.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            # Renamed while still locked, so that no other write takes it for a left-over.
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
