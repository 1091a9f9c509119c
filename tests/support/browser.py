"""Headless Chromium (the system's /usr/bin/chromium) driven by Playwright, for page tests.

Each use gets a fresh profile directory, no network beyond what the page asks of the
loopback servers, and short time-outs, so a hung page fails the test instead of
waiting. Tests skip when Chromium or Playwright is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

CHROMIUM = os.environ.get("NOGENTECH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"


def available() -> bool:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


needs_chromium = pytest.mark.skipif(not available(), reason="needs Chromium and Playwright")


@contextlib.contextmanager
def chromium(profile: Path, **context: Any) -> Iterator[Any]:
    """A browser context of headless Chromium with a fresh profile in ``profile``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            **context,
        )
        browser.set_default_timeout(15_000)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def launched() -> Iterator[Any]:
    """One headless Chromium for many tests; each opens its own fresh context in it.

    Playwright starts it with a new temporary profile directory, removed on close.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def context_of(browser: Any, **options: Any) -> Iterator[Any]:
    """A new browser context (its own cookies, cache and storage) with short time-outs."""
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` (the WCAG 2 A and AA rules and best practices)."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
    ]
