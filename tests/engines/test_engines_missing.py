"""A missing engine fails the engine tests with what to install; it never skips them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import engines


@pytest.fixture
def fresh() -> Iterator[None]:
    engines.node.cache_clear()
    engines.system_python.cache_clear()
    yield
    engines.node.cache_clear()
    engines.system_python.cache_clear()


@pytest.mark.usefixtures("fresh")
def test_without_node_the_tests_fail_naming_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines.shutil, "which", lambda _name: None)
    with pytest.raises(pytest.fail.Exception, match="install the Debian package nodejs"):
        engines.node()


@pytest.mark.usefixtures("fresh")
def test_without_npm_packages_or_npm_the_tests_fail_saying_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engines, "JS", tmp_path)
    monkeypatch.setattr(engines.shutil, "which", lambda name: None if name == "npm" else name)
    with pytest.raises(pytest.fail.Exception, match=r"ical\.js, node-ical are not installed"):
        engines.node()


@pytest.mark.usefixtures("fresh")
def test_without_libical_the_tests_fail_naming_the_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "SYSTEM_PYTHON", "/nonexistent/python3")
    with pytest.raises(pytest.fail.Exception, match="/nonexistent/python3 is missing"):
        engines.system_python()
    monkeypatch.setattr(engines, "SYSTEM_PYTHON", engines.shutil.which("false") or "/bin/false")
    with pytest.raises(pytest.fail.Exception, match=r"python3-gi and gir1\.2-ical-3\.0"):
        engines.system_python()
