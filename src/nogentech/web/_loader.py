"""Reloading the data file in a child process, so that no load can stall the server.

:func:`load_in_child` runs :func:`nogentech.load` in a fresh interpreter at low
priority, under limits of processor time, wall time and memory. The child also
renders the feeds the server was asked for most (when it has the same plugins),
and sends everything back pickled in small pieces, which the server unpickles a
few milliseconds at a time so that its request threads keep running. See
``docs/deploy.md``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..exceptions import DataError
from ..loading import without_collections

if TYPE_CHECKING:
    from ..cluster import Cluster

__all__ = ["LoadFailed", "Loaded", "load_in_child"]

DEFAULT_TIMEOUT = 900.0
"""Seconds (wall clock) a reload may take before its process is killed."""
DEFAULT_CPU = 120.0
"""Seconds of processor time a reload may use."""
DEFAULT_MEMORY = 4 << 30
"""Bytes of address space the loading process may use."""
_PIECE = 8
"""Items of a cluster's list unpickled at once (well under a millisecond)."""
_SLICE = 0.0005
"""Seconds of unpickling between two pauses."""
_REST = 0.002
"""Seconds of each pause: the request threads then have the interpreter lock at
least four fifths of the time while a reload is taken back, whether or not they
give it up often (a thread waiting for the lock may get it at once, or after the
switch interval of 5 ms)."""
_CHILD = "import sys; from nogentech.web._loader import _main; sys.exit(_main(sys.argv[1:]))"

Feed = tuple[str, Mapping[str, str]]
"""A feed to render: exporter name and query parameters."""


class LoadFailed(RuntimeError):
    """A reload did not finish: it timed out, ran out of memory or crashed."""


@attrs.frozen
class Loaded:
    """A cluster loaded by the child, with the bodies of the feeds it rendered (None:
    not rendered, because of an error, a different set of plugins or the time budget)."""

    cluster: Cluster
    bodies: tuple[bytes | None, ...] = ()


def _plugins() -> list[list[str]]:
    """What decides the bytes of an export here: plugins and exporters, by name."""
    from ..plugins import formats, get_plugin_manager

    names = sorted(name for name, _ in get_plugin_manager().list_name_plugin() if name)
    return [names, sorted(f"{info.name}={info.plugin}" for info in formats())]


def _package_root() -> str:
    """The folder holding the ``nogentech`` package this process runs."""
    return str(Path(__file__).resolve().parents[2])


def load_in_child(
    path: Path,
    *,
    feeds: Sequence[Feed] = (),
    timeout: float = DEFAULT_TIMEOUT,
    cpu: float = DEFAULT_CPU,
    memory: int = DEFAULT_MEMORY,
) -> Loaded:
    """The cluster in ``path`` loaded by a child process, and ``feeds`` rendered there.

    Raises :class:`~nogentech.DataError` for invalid data (the problems the child
    found) and :class:`LoadFailed` when the child exceeds ``timeout`` seconds,
    ``cpu`` seconds of processor time or ``memory`` bytes, or fails otherwise.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_package_root(), env.get("PYTHONPATH")]))
    command = [sys.executable, "-c", _CHILD, os.fspath(path), str(memory), str(cpu)]
    order = {"feeds": [[n, dict(p)] for n, p in feeds], "budget": cpu / 2}
    if feeds:
        order["plugins"] = _plugins()
    try:
        done = subprocess.run(
            command,
            input=json.dumps(order).encode(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LoadFailed(f"loading took more than {timeout:g} s and was stopped") from None
    except OSError as exc:
        raise LoadFailed(f"cannot start a loading process: {exc}") from None
    if done.returncode == -signal.SIGXCPU:
        raise LoadFailed(f"loading used more than {math.ceil(cpu)} s of processor time")
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        if "MemoryError" in tail[0]:
            raise LoadFailed(f"loading needed more than {memory >> 20} MiB and was stopped")
        raise LoadFailed(f"the loading process failed (exit {done.returncode}): {tail[0][:300]}")
    outcome: tuple[Any, ...] = pickle.loads(done.stdout)  # our own child's output
    if outcome[0] == "invalid":
        raise DataError(outcome[1], outcome[2])
    _, shell, pieces, bodies = outcome
    return Loaded(_unpack(shell, pieces), tuple(bodies))


# -- pickling in pieces ------------------------------------------------------------


def _pack(cluster: Cluster, piece: int = _PIECE) -> tuple[bytes, list[list[bytes]]]:
    """The cluster without its long lists, and each long list in pickled pieces."""
    long = [v for v in attrs.astuple(cluster, recurse=False) if isinstance(v, tuple)]
    long = [v for v in long if len(v) > piece]
    index = {id(v): i for i, v in enumerate(long)}

    class _Shell(pickle.Pickler):
        def persistent_id(self, obj: Any) -> int | None:
            return index.get(id(obj)) if isinstance(obj, tuple) else None

    shell = io.BytesIO()
    _Shell(shell, protocol=pickle.HIGHEST_PROTOCOL).dump(cluster)
    pieces = [
        [
            pickle.dumps(v[k : k + piece], protocol=pickle.HIGHEST_PROTOCOL)
            for k in range(0, len(v), piece)
        ]
        for v in long
    ]
    return shell.getvalue(), pieces


def _unpack(
    shell: bytes, pieces: list[list[bytes]], pause: Callable[[], None] | None = None
) -> Cluster:
    """The cluster :func:`_pack` took apart, built a piece at a time.

    Unpickling holds the interpreter lock; after each half millisecond of it the
    thread sleeps four times as long, so that the server's request threads keep
    most of it.
    """
    rest = pause or (lambda: time.sleep(_REST))
    lists: list[tuple[Any, ...]] = []

    class _Shell(pickle.Unpickler):
        def persistent_load(self, pid: Any) -> Any:
            return lists[pid]

    # The objects created here would trigger collections of the cyclic garbage
    # collector, each holding the lock for a long time over the whole heap: it
    # waits until the cluster is built, and they are then taken as old objects.
    with without_collections():
        since = time.perf_counter()
        for chunks in pieces:
            items: list[Any] = []
            for chunk in chunks:
                items.extend(pickle.loads(chunk))
                if time.perf_counter() - since > _SLICE:
                    rest()
                    since = time.perf_counter()
            lists.append(tuple(items))
        cluster: Cluster = _Shell(io.BytesIO(shell)).load()
    return cluster


# -- the child ---------------------------------------------------------------------


def _limit(memory: int, cpu: float) -> None:
    try:
        import resource
    except ImportError:
        return
    for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, math.ceil(cpu))):
        with contextlib.suppress(ValueError, OSError):
            _soft, hard = resource.getrlimit(kind)
            limit = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (limit, hard))


def _render(cluster: Cluster, order: Mapping[str, Any]) -> list[bytes | None]:
    """The bodies of the ordered feeds, if this process exports exactly as its parent."""
    feeds = order.get("feeds") or []
    if not feeds or order.get("plugins") != _plugins():
        return [None] * len(feeds)
    from ..plugins import export

    deadline = time.monotonic() + float(order.get("budget", 0))
    bodies: list[bytes | None] = []
    for name, params in feeds:
        body = None
        if time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                body = export(cluster, name, **params)
        bodies.append(body)
    return bodies


def _main(argv: list[str]) -> int:
    """The child: load ``argv[0]``, render the feeds asked on standard input, and write
    the pickled outcome to standard output."""
    output = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may reach the pickle's stream
    _limit(int(argv[1]), float(argv[2]))
    with contextlib.suppress(OSError):
        os.nice(10)  # the server's threads come first
    order = json.loads(sys.stdin.buffer.read() or b"{}")
    from ..loading import load

    try:
        cluster = load(argv[0])
    except DataError as exc:
        outcome: tuple[Any, ...] = ("invalid", list(exc.problems), exc.source)
    else:
        shell, pieces = _pack(cluster)
        outcome = ("ok", shell, pieces, _render(cluster, order))
    output.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    output.flush()
    return 0
