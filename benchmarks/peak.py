"""Run ``python -m MODULE …`` or ``python -c CODE`` here and report the peak memory.

``run.py`` measures the peak resident size of whole commands with this wrapper:
the kernel's ``ru_maxrss`` of a child process counts the memory of the process
that started it, while ``VmHWM`` of ``/proc/self/status`` covers this program
alone. The figure is written to standard error as ``peak-kib: N`` at exit.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def _report() -> None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(f"peak-kib: {line.split()[1]}", file=sys.stderr, flush=True)
    except OSError:
        pass


def main(args: list[str]) -> None:
    atexit.register(_report)
    if args[0] == "-m":
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    elif args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
    else:
        raise SystemExit("usage: peak.py -m MODULE [ARGS…] | -c CODE")


if __name__ == "__main__":
    main(sys.argv[1:])
