"""Every test of the plugin system starts and ends with a plugin manager built afresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nogentech import plugins


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No blocked or traced plugin from the environment; a new manager before and after."""
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)
    monkeypatch.delenv(plugins.TRACE_ENV, raising=False)
    plugins.reset()
    yield
    plugins.reset()
