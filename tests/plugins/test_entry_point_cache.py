"""Installed plugins are found again from the cache, and a new installation is seen at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nogentech import Cluster, plugins

PLUGIN = """\
from nogentech.hookspecs import hookimpl
from nogentech.plugins import Exporter


def render(cluster, options, hooks):
    return b"demo " + cluster.id.encode()


@hookimpl
def nogentech_register_exporters(registry):
    registry.add(Exporter(name="{name}", extension="txt", media_type="text/plain",
                          description="A test format.", render=render))
"""


def install(site: Path, dist: str, version: str, names: list[str]) -> None:
    """A distribution on ``site`` with one plugin module per name, as pip lays it out."""
    meta = site / f"{dist}-{version}.dist-info"
    meta.mkdir(exist_ok=True)
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = [f"{name} = {dist}_{name}" for name in names]
    (meta / "entry_points.txt").write_text("[nogentech]\n" + "\n".join(lines) + "\n")
    for name in names:
        (site / f"{dist}_{name}.py").write_text(PLUGIN.format(name=name))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.setenv("NOGENTECH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(folder))
    plugins.reset()
    yield folder
    plugins.reset()


def found(points: Iterable[Any]) -> list[tuple[str, str, tuple[str, str] | None]]:
    return [
        (ep.name, ep.value, (ep.dist.name, ep.dist.version) if ep.dist else None) for ep in points
    ]


def test_the_cached_entry_points_are_the_ones_importlib_metadata_finds(site: Path) -> None:
    install(site, "demoplug", "1.0", ["alpha", "beta"])
    first = found(plugins._entry_points())
    again = list(plugins._entry_points())
    assert found(again) == first
    assert [type(ep).__name__ for ep in again] == ["_EntryPoint", "_EntryPoint"]
    ours = [item for item in first if item[0] in ("alpha", "beta")]
    assert ours == [
        ("alpha", "demoplug_alpha", ("demoplug", "1.0")),
        ("beta", "demoplug_beta", ("demoplug", "1.0")),
    ]
    assert plugins.export(Cluster("demo", "Demo"), "beta") == b"demo demo"


def test_a_plugin_installed_or_removed_later_is_seen_at_once(site: Path) -> None:
    install(site, "demoplug", "1.0", ["alpha"])
    assert "alpha" in plugins.installed_plugins()
    plugins.reset()
    install(site, "otherplug", "2.0", ["gamma"])
    assert {"alpha", "gamma"} <= set(plugins.installed_plugins())
    plugins.reset()
    # Entry points rewritten in place (an editable reinstall): a new name, one gone.
    entry_points = site / "demoplug-1.0.dist-info" / "entry_points.txt"
    (site / "demoplug_delta.py").write_text(PLUGIN.format(name="delta"))
    entry_points.write_text("[nogentech]\ndelta = demoplug_delta\n")
    stat = entry_points.stat()
    os.utime(entry_points, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    names = set(plugins.installed_plugins())
    assert "delta" in names and "alpha" not in names
    plugins.reset()
    for path in (site / "otherplug-2.0.dist-info").iterdir():
        path.unlink()
    (site / "otherplug-2.0.dist-info").rmdir()
    assert "gamma" not in plugins.installed_plugins()


def test_a_second_process_reads_the_plugins_without_importlib_metadata(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install(site, "demoplug", "1.0", ["alpha"])
    script = textwrap.dedent(
        """
        import json, sys
        from nogentech import Cluster, plugins
        names = plugins.installed_plugins()
        print(json.dumps({"names": names, "dist": plugins.distribution_of("alpha"),
                          "metadata": "importlib.metadata" in sys.modules}))
        """
    )
    env = {
        **os.environ,
        "NOGENTECH_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.pathsep.join([str(site), *sys.path]),
    }
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(2)
    ]
    assert runs[0]["metadata"] is True
    assert runs[1]["metadata"] is False
    assert runs[1]["names"] == runs[0]["names"]
    assert "alpha" in runs[1]["names"]
    assert runs[1]["dist"] == runs[0]["dist"] == ["demoplug", "1.0"]


def test_a_file_written_beside_the_distributions_keeps_the_cache(tmp_path: Path) -> None:
    """A folder of the import path that changes without a distribution coming or going
    (an export written in the current folder) is listed again, not every
    distribution's metadata read again; a distribution added there is seen."""
    site = tmp_path / "site"
    site.mkdir()
    install(site, "demoplug", "1.0", ["alpha"])
    script = textwrap.dedent(
        """
        import json, sys
        from nogentech import plugins
        names = plugins.installed_plugins()
        print(json.dumps({"names": names, "metadata": "importlib.metadata" in sys.modules}))
        """
    )
    env = {
        **os.environ,
        "NOGENTECH_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.pathsep.join([str(site), *sys.path]),
    }

    def run() -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    first = run()
    assert first["metadata"] is True and "alpha" in first["names"]
    before = os.stat(site).st_mtime_ns
    (site / "feed.ics").write_bytes(b"BEGIN:VCALENDAR\r\n")
    (site / "feed.ics").unlink()
    assert os.stat(site).st_mtime_ns != before
    for _ in range(2):  # listed again once, then the cache holds the folder's new figures
        again = run()
        assert again == {"names": first["names"], "metadata": False}
    install(site, "otherplug", "2.0", ["gamma"])
    last = run()
    assert last["metadata"] is True
    assert {"alpha", "gamma"} <= set(last["names"])
