"""Installed plugins are found again from the cache, and a new installation is seen at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
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


def _cache_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.glob("entry-points-*")}


def test_the_new_figures_of_a_changed_folder_are_kept(site: Path, tmp_path: Path) -> None:
    """A folder listed again because it changed is not listed again on the next start."""
    install(site, "demoplug", "1.0", ["alpha"])
    cache = tmp_path / "cache"
    first = found(plugins._entry_points())
    kept = _cache_bytes(cache)
    (site / "notes.txt").write_text("beside the distributions")
    assert found(plugins._entry_points()) == first
    refreshed = _cache_bytes(cache)
    assert refreshed != kept  # the folder's new figures
    assert found(plugins._entry_points()) == first
    assert _cache_bytes(cache) == refreshed  # nothing to write: nothing changed


def test_entry_points_written_into_a_distribution_that_had_none_are_seen(site: Path) -> None:
    """A distribution's entry points file that appears is seen, whatever the time of
    the folders (a develop install writing its egg-info, or a command run while pip
    was writing the files)."""
    install(site, "demoplug", "1.0", ["alpha"])
    bare = site / "bareplug-1.0.dist-info"
    bare.mkdir()
    (bare / "METADATA").write_text("Metadata-Version: 2.1\nName: bareplug\nVersion: 1.0\n")
    (site / "bareplug_gamma.py").write_text(PLUGIN.format(name="gamma"))
    assert "gamma" not in [name for name, *_ in found(plugins._entry_points())]
    before = plugins._figures(str(site))
    (bare / "entry_points.txt").write_text("[nogentech]\ngamma = bareplug_gamma\n")
    assert plugins._figures(str(site)) == before  # the folder holding it is as it was
    assert ("gamma", "bareplug_gamma", ("bareplug", "1.0")) in found(plugins._entry_points())
    # Rewritten in place, the folder still as it was: seen too.
    (site / "bareplug_omega.py").write_text(PLUGIN.format(name="omega"))
    plugins._entry_points()
    before = plugins._figures(str(site))
    time.sleep(0.05)  # file times move by the kernel's tick: a rewrite comes later than that
    (bare / "entry_points.txt").write_text("[nogentech]\nomega = bareplug_omega\n")
    assert plugins._figures(str(site)) == before
    names = [name for name, *_ in found(plugins._entry_points())]
    assert "omega" in names and "gamma" not in names


def test_a_distribution_swapped_under_a_restored_folder_time_is_seen(tmp_path: Path) -> None:
    """Restoring a folder's time (tar, rsync, cp -a) does not hide what changed in it.

    Each start is a new process (importlib.metadata keeps its own listing of a
    folder by the folder's time), the same one each time, so the same cache file.
    """
    site = tmp_path / "site"
    site.mkdir()
    install(site, "demoplug", "1.0", ["alpha"])
    old = site / "oldplug-1.0.dist-info"
    old.mkdir()
    (old / "METADATA").write_text("Metadata-Version: 2.1\nName: oldplug\nVersion: 1.0\n")
    script = (
        "import json, sys; from nogentech import plugins\n"
        "print(json.dumps([[ep.name for ep in plugins._entry_points()],"
        " 'importlib.metadata' in sys.modules]))"
    )
    env = {
        **os.environ,
        "NOGENTECH_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.pathsep.join([str(site), *sys.path]),
    }

    def start() -> list[Any]:
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        result: list[Any] = json.loads(done.stdout)
        return result

    assert start()[0] == start()[0] == ["alpha"]
    assert start()[1] is False  # the cache is used
    time.sleep(0.05)  # file times move by the kernel's tick: a restore comes later than that
    before = os.stat(site)
    for path in old.iterdir():
        path.unlink()
    old.rmdir()
    install(site, "newplug", "1.0", ["delta"])
    os.utime(site, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(site).st_mtime_ns == before.st_mtime_ns
    assert start() == [["alpha", "delta"], True]


@pytest.mark.parametrize(
    "damage",
    [
        lambda folders, points: [folders, 5],
        lambda folders, points: [folders, [("x",)]],
        lambda folders, points: [folders, [("x", "m:f", ("d",))]],
        lambda folders, points: [folders, [(1, "m:f", None)]],
        lambda folders, points: [folders, [("x", "m:f", ("d", 2))]],
        lambda folders, points: [[(f[0], f[1], [(2**70, "1")]) for f in folders], points],
        lambda folders, points: [[(f[0], f[1], [("a", 1)]) for f in folders], points],
        lambda folders, points: [[(f[0], 1, f[2]) for f in folders], points],
        lambda folders, points: [[(f[0],) for f in folders], points],
        lambda folders, points: [folders[:-1], points],
        lambda folders, points: [folders],
        lambda folders, points: [[("nowhere", f[1], f[2]) for f in folders], points],
        lambda folders, points: "not a list",
        lambda folders, points: None,
    ],
)
def test_a_damaged_cache_file_is_read_again_from_the_metadata(site: Path, damage: Any) -> None:
    from nogentech import caches

    install(site, "demoplug", "1.0", ["alpha"])
    expected = found(plugins._entry_points())
    name = caches.file_name("entry-points", "\n".join([sys.prefix, *sys.path]), "marshal")
    key = "\n".join(["nogentech", *sys.path]).encode("utf-8", "surrogateescape")
    folders, points = caches.read(name, key, plain=True)
    caches.write(name, key, damage(folders, points), plain=True)
    assert found(plugins._entry_points()) == expected
    assert found(plugins._entry_points()) == expected  # and the file is whole again
