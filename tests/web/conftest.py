"""Fixtures of the feed server tests: the test exporters, the test data file, a server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nogentech import plugins, web
from tests.support.web import CLUSTER_TOML, FILE_TIME, FormatsPlugin, running


@pytest.fixture
def formats_plugin() -> Iterator[FormatsPlugin]:
    """Registers the test exporters; the real ``ics``/``vcard`` are used when they exist."""
    plugins.reset()
    present = {info.name for info in plugins.formats()}
    plugin = FormatsPlugin(tuple(n for n in ("ics", "vcard") if n not in present))
    plugins.reset([("web-test-formats", plugin)])
    yield plugin
    plugins.reset()


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    """The test cluster, its file dated before its ``updated`` stamp."""
    path = tmp_path / "cluster.toml"
    path.write_text(CLUSTER_TOML, encoding="utf-8")
    os.utime(path, (FILE_TIME, FILE_TIME))
    return path


@pytest.fixture
def port(formats_plugin: FormatsPlugin, data_file: Path) -> Iterator[int]:
    """A server of the test data file on a free loopback port."""
    with running(web.make_app(data_file)) as found:
        yield found
