"""The engines of real calendar and contacts clients, run on a file by the tests.

* Mozilla ical.js (Thunderbird) and node-ical (many web front-ends) run in Node.js:
  the scripts of ``tests/js/`` read a file and print JSON; the packages are the ones
  locked in ``tests/js/package-lock.json``, installed with ``npm ci`` when missing.
* libical (Evolution, GNOME) runs through Debian's GObject bindings in the system
  Python (:mod:`tests.support.libical_read`).

A missing engine fails the test with what to install: the README's test command and
``.ci/run`` install all of them (the Debian packages are in ``.ci/system-packages.txt``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parents[1] / "js"
LIBICAL_READ = Path(__file__).resolve().with_name("libical_read.py")
SYSTEM_PYTHON = "/usr/bin/python3"
CALENDAR_ENGINES = ("ical.js", "node-ical", "libical")
JS_PACKAGES = ("ical.js", "node-ical")
TIMEOUT = 300
"""Seconds any engine may take on one file (npm ci: ten minutes)."""


@functools.cache
def node() -> str:
    """The ``node`` executable, with the locked JavaScript packages installed."""
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "Node.js is missing: install the Debian package nodejs "
            "(listed in .ci/system-packages.txt) to run ical.js and node-ical"
        )
    missing = [p for p in JS_PACKAGES if not (JS / "node_modules" / p / "package.json").exists()]
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                f"the JavaScript engines {', '.join(missing)} are not installed and npm is "
                "missing: install the Debian package npm, then run `npm ci` in tests/js"
            )
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=2 * TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"`npm ci` in tests/js failed:\n{done.stderr[-2000:]}")
    return found


@functools.cache
def system_python() -> str:
    """The system Python, checked to have libical's GObject bindings."""
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail(f"{SYSTEM_PYTHON} is missing: libical is read through the system Python")
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            "libical's GObject bindings are missing: install the Debian packages python3-gi "
            f"and gir1.2-ical-3.0 (listed in .ci/system-packages.txt)\n{done.stderr[-1000:]}"
        )
    return SYSTEM_PYTHON


def _run(command: list[str]) -> Any:
    # a fixed zone, so that no engine's reading depends on the machine's
    env = {**os.environ, "TZ": "UTC"}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def run_js(script: str, *args: str) -> Any:
    """The JSON that ``tests/js/<script>`` prints for ``args``."""
    return _run([node(), str(JS / script), *args])


def run_libical(*args: str) -> Any:
    """The JSON that :mod:`tests.support.libical_read` prints for ``args``."""
    return _run([system_python(), str(LIBICAL_READ), *args])


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_reading(engine: str, path: Path, start: dt.datetime, end: dt.datetime) -> Any:
    """What ``engine`` reads in the iCalendar file ``path``: the occurrences starting in
    ``[start, end)`` and the exceptions that match no occurrence (``orphans``)."""
    args = (str(path), utc_text(start), utc_text(end))
    if engine == "ical.js":
        return run_js("ical-events.mjs", *args)
    if engine == "node-ical":
        return run_js("node-ical-events.mjs", *args)
    if engine == "libical":
        return run_libical("events", *args)
    raise ValueError(engine)


def libical_check(path: Path) -> Any:
    """libical's parse errors and iTIP restriction findings on ``path``."""
    return run_libical("check", str(path))


def icaljs_cards(*paths: Path) -> Any:
    """The vCards of each file as ical.js reads them (see ``tests/js/ical-cards.mjs``)."""
    return run_js("ical-cards.mjs", *map(str, paths))
