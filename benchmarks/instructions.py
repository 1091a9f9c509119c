"""Instructions one warm call executes, counted by valgrind's callgrind.

On a machine shared with other jobs, times move between processes by more than
the changes being compared; the instructions a call executes do not. For each
task, size and implementation this runs ``worker.py``'s callable under callgrind
twice, with one call and with one call plus ``--calls`` more, and prints the
difference divided by ``--calls``: the instructions of one warm call, without
the interpreter's start, the imports and the first call's one-time work. No
garbage collection is forced between the calls (it would be counted too).

    python benchmarks/instructions.py json-load --sizes 100,1000
    python benchmarks/instructions.py vcard --impls nogentech,limit --calls 3

Needs ``valgrind`` (Debian package ``valgrind``); a call runs about fifty times
slower under it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import run  # noqa: E402

_COLLECTED = re.compile(r"Collected : (\d+)")


def _child(task: str, impl: str, data: str, calls: int) -> None:
    """Prepare the task's input as the worker does, then make ``calls`` calls."""
    import worker

    prepare, impls = worker._tasks()[task]
    fn = impls[impl]
    item = prepare(data)
    for _ in range(calls):
        fn(item)


def _child_command(task: str, impl: str, data: Path | None, calls: int) -> list[str]:
    """The command of a process that makes ``calls`` calls (see :func:`_child`)."""
    script = str(Path(__file__).resolve())
    return [sys.executable, script, "--child", task, impl, str(data or ""), str(calls)]


def collected(task: str, impl: str, data: Path | None, calls: int) -> int:
    """The instructions callgrind counts for a process making ``calls`` calls."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        *_child_command(task, impl, data, calls),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, env=run._env(), cwd=HERE, check=False
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(
            f"{task} {impl}: valgrind exited {done.returncode}: {done.stderr[-2000:]}"
        )
    return int(found.group(1))


def per_call(task: str, impl: str, data: Path | None, calls: int) -> float:
    """The instructions of one warm call (see the module's docstring).

    A run outside valgrind comes first, so that both counted runs start with the
    user cache as every later run finds it (the builders' plans written).
    """
    subprocess.run(
        _child_command(task, impl, data, 1),
        env=run._env(),
        cwd=HERE,
        check=True,
        capture_output=True,
    )
    return (collected(task, impl, data, 1 + calls) - collected(task, impl, data, 1)) / calls


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        _task, _impl, _data, _calls = args[1:5]
        _child(_task, _impl, _data, int(_calls))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=sorted(t for t, v in run.TASKS.items() if v.sized))
    parser.add_argument("--sizes", default="100,1000", help="comma-separated (default 100,1000)")
    parser.add_argument("--impls", default="nogentech,limit", help="default nogentech,limit")
    parser.add_argument("--calls", type=int, default=3, help="warm calls counted (default 3)")
    parser.add_argument("--data-dir", type=Path, default=None)
    options = parser.parse_args(args)
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed (apt-get install valgrind)")
        return 2
    if options.calls < 1:
        parser.error("--calls must be at least 1")
    folder = run.data_folder(options.data_dir)
    impls = [name.strip() for name in options.impls.split(",") if name.strip()]
    for size in (int(s) for s in options.sizes.split(",")):
        data = run.dataset(run.TASKS[options.task].data, size, folder)
        counts = {impl: per_call(options.task, impl, data, options.calls) for impl in impls}
        shown = ", ".join(f"{impl} {count / 1e6:.2f} M" for impl, count in counts.items())
        ratios = "".join(
            f", {impls[0]} ÷ {impl} {counts[impls[0]] / count:.2f}"
            for impl, count in counts.items()
            if impl != impls[0] and count > 0
        )
        print(f"{options.task} {size:,}: {shown}{ratios}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
