"""One measurement in a fresh process: a task's first call, then its warm calls.

``run.py`` starts ``python worker.py TASK IMPL DATA WARM`` for every round: the
worker prepares the task's input from the data file (not timed), times the first
call (CPU time of this process), records the peak memory that call added, then
times ``WARM`` more calls in the same process, and prints one JSON line. IMPL is
``nogentech``, ``baseline`` or ``limit`` (see ``baselines.py``).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import io
import json
import resource
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout, suppress
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

NEXT_AFTER = "2025-01-01T00:00+01:00"
"""Fixed ``--after`` of ``nogentech next``, so that every run does the same work."""
EXPANDED = (dt.date(2025, 1, 1), dt.date(2025, 2, 1))
"""The window of the expanded feed: one month."""
YEAR = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
"""The window of the expansion of every series."""
CENTURY = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))
"""The window of the 100-year expansion."""

Impl = Callable[[Any], Any]


def _raise_size_limit() -> None:
    """Let ``loads`` read the large synthetic files: the 8 MiB limit of data files is
    raised in this process, wherever the loader keeps it."""
    import nogentech.files
    import nogentech.limits
    import nogentech.loading

    for module in (nogentech.limits, nogentech.files, nogentech.loading):
        if hasattr(module, "MAX_FILE_SIZE"):
            module.MAX_FILE_SIZE = 1 << 31  # type: ignore[attr-defined]


def _cluster(path: str) -> Any:
    import nogentech

    _raise_size_limit()
    return nogentech.loads(Path(path).read_text(encoding="utf-8"))


def _text(path: str) -> str:
    _raise_size_limit()
    return Path(path).read_text(encoding="utf-8")


def _monthly(_path: str) -> Any:
    import nogentech

    return nogentech.MeetingSeries(
        id="petit-dejeuner",
        name=nogentech.Text(fr="Petit-déjeuner des adhérents, « jeudi »"),
        first_date=dt.date(2000, 1, 13),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=2),
        rule="FREQ=MONTHLY;BYDAY=2TH",
        holiday_country="FR",
    )


def _nothing(_path: str) -> Any:
    return None


def _nogentech_cli(argv: list[str]) -> Impl:
    def run(_input: Any) -> bytes:
        from nogentech.cli import main

        sink = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with redirect_stdout(sink):
            status = main(argv)
        if status:
            raise RuntimeError(f"nogentech {' '.join(argv)} exited {status}")
        sink.flush()
        return sink.buffer.getvalue()

    return run


def _tasks() -> dict[str, tuple[Callable[[str], Any], dict[str, Impl]]]:
    """Each task: how to prepare its input from the data file, and its three callables."""
    import baselines as b

    def nt() -> Any:
        import nogentech

        return nogentech

    def plain_dict(path: str) -> Any:
        return json.loads(Path(path).read_text(encoding="utf-8"))

    def dump_input(path: str) -> Any:
        return _cluster(path), plain_dict(path)

    def json_limit_dump(data: Any) -> str:
        return json.dumps(data[1], ensure_ascii=False, indent=2) + "\n"

    def toml_limit(text: str) -> Any:
        import tomllib

        return tomllib.loads(text)

    return {
        "vcard": (
            _cluster,
            {
                "nogentech": lambda c: nt().export(c, "vcard", people=False, groups=False),
                "baseline": b.vcard_baseline,
                "limit": b.vcard_limit,
            },
        ),
        "ics-master": (
            _cluster,
            {
                "nogentech": lambda c: nt().export(c, "ics"),
                "baseline": b.ics_baseline,
                "limit": b.ics_limit,
            },
        ),
        "ics-expanded": (
            _cluster,
            {
                "nogentech": lambda c: nt().export(
                    c, "ics", expand=True, start=EXPANDED[0], end=EXPANDED[1]
                ),
                "baseline": lambda c: b.ics_baseline(c, *EXPANDED),
                "limit": lambda c: b.ics_limit(c, *EXPANDED),
            },
        ),
        "expand": (
            _cluster,
            {
                "nogentech": lambda c: sum(len(s.occurrences(*YEAR)) for s in c.meeting_series),
                "baseline": lambda c: b.expand_baseline(c.meeting_series, *YEAR),
                "limit": lambda c: b.expand_limit(c.meeting_series, *YEAR),
            },
        ),
        "expand-100y": (
            _monthly,
            {
                "nogentech": lambda s: len(s.occurrences(*CENTURY)),
                "baseline": lambda s: b.expand_baseline([s], *CENTURY),
                "limit": lambda s: b.expand_limit([s], *CENTURY),
            },
        ),
        "json-dump": (
            dump_input,
            {
                "nogentech": lambda d: nt().dumps(d[0]),
                "baseline": lambda d: b.json_dump_baseline(d[0]),
                "limit": json_limit_dump,
            },
        ),
        "json-load": (
            _text,
            {
                "nogentech": lambda t: nt().loads(t),
                "baseline": b.json_load_baseline,
                "limit": json.loads,
            },
        ),
        "toml-load": (
            _text,
            {
                "nogentech": lambda t: nt().loads(t, "toml"),
                "baseline": b.toml_load_baseline,
                "limit": toml_limit,
            },
        ),
        "next": (_nothing, {"nogentech": _nogentech_cli(["next", "--after", NEXT_AFTER])}),
        "export-ics": (_nothing, {"nogentech": _nogentech_cli(["export", "ics"])}),
    }


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak resident size of this process (Linux ``clear_refs``)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _size(result: Any) -> int | None:
    if isinstance(result, (bytes, str)):
        return len(result)
    if isinstance(result, int):
        return result
    return None


def measure(task: str, impl: str, data: str, warm: int) -> dict[str, Any]:
    prepare, impls = _tasks()[task]
    fn = impls[impl]
    item = prepare(data)
    gc.collect()
    exact = _reset_peak()
    before = _status_kib("VmRSS") if exact else None
    max_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_before = _status_kib("VmRSS")
    start, wall = time.process_time(), time.perf_counter()
    result = fn(item)
    first = time.process_time() - start
    first_wall = time.perf_counter() - wall
    if exact and before is not None:
        peak = (_status_kib("VmHWM") or 0) - before
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - max_before
    size = _size(result)
    events = result.count(b"BEGIN:VEVENT") if isinstance(result, bytes) else None
    del result
    samples = []
    for _ in range(warm):
        gc.collect()
        start = time.process_time()
        fn(item)
        samples.append(time.process_time() - start)
    traced = _traced_peak(fn, item) if warm else None
    return {
        "first": first,
        "first_wall": first_wall,
        "warm": samples,
        "peak_kib": max(peak, 0),
        "peak_exact": exact,
        "traced_kib": traced,
        "rss_kib": rss_before,
        "size": size,
        "vevents": events,
    }


def _traced_peak(fn: Impl, item: Any) -> int:
    """The most memory (KiB) one more call holds at once, traced by ``tracemalloc``.

    Every block the call allocates counts until it is freed, whether the
    allocator takes it from memory the process already has or asks the system
    for more, so the figure is the call's own working memory: the modules it
    imports and the caches it fills were made by the calls before.
    """
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        fn(item)
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return top // 1024


def main(argv: list[str]) -> int:
    task, impl, data, warm = argv
    print(json.dumps(measure(task, impl, data, int(warm))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
