"""Standard input, calendars to lint and state files are read within a limit.

A pipe that never ends, a named pipe without a writer or a device such as
``/dev/zero`` makes each command stop with a message, not read forever or wait.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nogentech import DataError, limits
from nogentech.stamps import Stamps

ZERO = Path("/dev/zero")
needs_dev_zero = pytest.mark.skipif(not ZERO.exists(), reason="no /dev/zero")


def nogentech(*args: str, stdin: object = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nogentech", *args],
        stdin=stdin,  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_dev_zero
def test_validate_stops_reading_an_endless_standard_input() -> None:
    with ZERO.open("rb") as endless:
        done = nogentech("validate", "-", stdin=endless)
    assert done.returncode == 2
    assert f"the data is longer than {limits.MAX_FILE_SIZE} bytes; no more is read" in done.stdout
    assert "Traceback" not in done.stderr


@needs_dev_zero
def test_lint_stops_reading_an_endless_standard_input() -> None:
    with ZERO.open("rb") as endless:
        done = nogentech("lint", "-", stdin=endless)
    assert done.returncode == 2
    assert done.stderr == (
        f"<stdin>: the calendar is longer than {limits.MAX_CALENDAR_SIZE} bytes; no more is read\n"
    )


@needs_dev_zero
def test_lint_refuses_a_device() -> None:
    done = nogentech("lint", str(ZERO))
    assert done.returncode == 2
    assert done.stderr == f"{ZERO}: a character device, not a regular file\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_lint_refuses_a_named_pipe_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.ics"
    os.mkfifo(fifo)
    done = nogentech("lint", str(fifo))
    assert done.returncode == 2
    assert done.stderr == f"{fifo}: a named pipe (FIFO), not a regular file\n"


def test_lint_still_reads_a_calendar_file(tmp_path: Path) -> None:
    feed = tmp_path / "feed.ics"
    feed.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n")
    done = nogentech("lint", str(feed))
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[-1].startswith(f"{feed}: ")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_state_file_that_is_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    from nogentech.publishing import _record

    fifo = tmp_path / "state.json"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=r"cannot read .*named pipe \(FIFO\), not a regular file"):
        Stamps.load(fifo)
    with pytest.raises(DataError, match=r"cannot read .*named pipe \(FIFO\), not a regular file"):
        _record.load(fifo)


def test_a_state_file_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nogentech import stamps

    state = tmp_path / "state.json"
    Stamps().save(state)
    assert Stamps.load(state) == Stamps()
    monkeypatch.setattr(stamps, "MAX_STATE_SIZE", state.stat().st_size - 1)
    with pytest.raises(DataError, match="at most 0 MiB"):
        Stamps.load(state)


def test_a_missing_state_file_is_an_empty_state(tmp_path: Path) -> None:
    from nogentech.publishing import _record

    assert Stamps.load(tmp_path / "none.json") == Stamps()
    assert _record.load(tmp_path / "none.json") == {}
    (tmp_path / "record.json").write_text(json.dumps({"x": 1}), encoding="utf-8")
    with pytest.raises(DataError, match="invalid publish state"):
        _record.load(tmp_path / "record.json")
