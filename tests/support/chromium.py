"""Headless Chromium for the tests: the DOM of a page after its scripts ran, and its console."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def chromium_dom(url: str, profile: Path) -> tuple[str, list[str]]:
    """The DOM of ``url`` as headless Chromium built it, and the page's console messages.

    The console tells, among others, what a Content-Security-Policy refused.
    """
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail(
            "chromium is not on PATH: this test renders a page in headless Chromium "
            "(on Debian: apt-get install chromium)"
        )
    result = subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"chromium exited {result.returncode}:\n{result.stderr[-2000:]}"
    assert "<body" in result.stdout, "chromium printed no DOM"
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console
