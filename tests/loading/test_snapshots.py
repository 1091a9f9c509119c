"""The snapshot of the built-in data and the cache directory it lives in."""

from __future__ import annotations

import marshal
import os
import pickle
from pathlib import Path

import pytest

from nogentech import Cluster, DataError, caches, loading, snapshots
from nogentech.loading import builtin_path, loads

BUILTIN = builtin_path().read_bytes()


def fresh() -> Cluster:
    """The built-in cluster read and checked from its TOML text, no snapshot involved."""
    return loads(BUILTIN, "toml", source="nogentech/data/nogentech.toml")


class Builds:
    """A build function that counts its calls."""

    def __init__(self, data: bytes = BUILTIN) -> None:
        self.data = data
        self.calls = 0

    def __call__(self) -> Cluster:
        self.calls += 1
        return loads(self.data, "toml")


def never() -> Cluster:
    raise AssertionError("the snapshot should have been read")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(caches.CACHE_ENV, str(directory))
    return directory


def snapshot_file(cache: Path) -> Path:
    return cache / snapshots.snapshot_file()


# -- the snapshot ------------------------------------------------------------------------


def test_a_snapshot_reads_back_equal_to_a_fresh_load(cache: Path) -> None:
    first = snapshots.builtin_cluster(BUILTIN, Builds())
    assert snapshot_file(cache).is_file()
    again = snapshots.builtin_cluster(BUILTIN, never)
    assert again is not first
    assert again == first == fresh()
    assert again.meeting_series == fresh().meeting_series
    assert [c.id for c in again.companies] == [c.id for c in fresh().companies]


def test_the_first_run_builds_and_the_next_ones_do_not(cache: Path) -> None:
    build = Builds()
    for _ in range(3):
        snapshots.builtin_cluster(BUILTIN, build)
    assert build.calls == 1


def test_load_without_a_source_gives_the_built_in_data_through_the_snapshot(
    cache: Path,
) -> None:
    loading._builtin.cache_clear()
    try:
        built = loading.load()
        assert snapshot_file(cache).is_file()
        loading._builtin.cache_clear()
        assert loading.load() == built == fresh()
    finally:
        loading._builtin.cache_clear()


def test_other_data_makes_the_snapshot_stale_and_it_is_rebuilt(cache: Path) -> None:
    snapshots.builtin_cluster(BUILTIN, Builds())
    edited = BUILTIN.replace(b'name = "NOGENTECH"', b'name = "NOGENTECH bis"', 1)
    assert edited != BUILTIN
    build = Builds(edited)
    got = snapshots.builtin_cluster(edited, build)
    assert build.calls == 1
    assert got.name == "NOGENTECH bis"
    # The file now holds the new data's snapshot; the old data is stale in its turn.
    assert snapshots.builtin_cluster(edited, never).name == "NOGENTECH bis"
    old = Builds()
    assert snapshots.builtin_cluster(BUILTIN, old).name == "NOGENTECH"
    assert old.calls == 1


def test_the_key_changes_with_the_package_files_the_versions_and_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    model = package / "model.py"
    model.write_text("x = 1\n")
    data = package / "data" / "cluster.toml"
    data.write_text("")
    monkeypatch.setattr(snapshots, "_PACKAGE", str(package))
    before = snapshots.snapshot_key(BUILTIN)
    assert snapshots.snapshot_key(BUILTIN) == before
    assert snapshots.snapshot_key(BUILTIN + b"\n") != before
    model.write_text("x = 22\n")  # another size
    edited = snapshots.snapshot_key(BUILTIN)
    assert edited != before
    os.utime(model, ns=(1_000_000_000, 1_000_000_000))  # same size, another time
    assert snapshots.snapshot_key(BUILTIN) != edited
    touched = snapshots.snapshot_key(BUILTIN)
    (package / "new.py").write_text("")
    assert snapshots.snapshot_key(BUILTIN) != touched
    added = snapshots.snapshot_key(BUILTIN)
    data.write_text("# edited")
    assert snapshots.snapshot_key(BUILTIN) != added
    in_data = snapshots.snapshot_key(BUILTIN)
    monkeypatch.setattr("nogentech.version.__version__", "99.0")
    assert snapshots.snapshot_key(BUILTIN) != in_data
    monkeypatch.setattr(snapshots.sys, "version", "2.7.18 (elsewhere)")
    assert snapshots.snapshot_key(BUILTIN) != in_data


def test_compiled_files_and_subpackages_do_not_change_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "model.py").write_text("x = 1\n")
    monkeypatch.setattr(snapshots, "_PACKAGE", str(package))
    before = snapshots.snapshot_key(BUILTIN)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"compiled")
    (package / "cli").mkdir()
    (package / "cli" / "__init__.py").write_text("# the command line, above the loader\n")
    assert snapshots.snapshot_key(BUILTIN) == before


def test_the_files_in_the_key_are_the_layers_that_build_a_cluster() -> None:
    from nogentech import loading, meetings, recurrence

    key = snapshots.snapshot_key(b"").decode()
    for module in (loading, meetings, recurrence, snapshots):
        assert f"{module.__file__} " in key
    assert f"{Path(loading.__file__).parent / 'data' / 'nogentech.toml'} " in key
    assert f"{os.sep}cli{os.sep}" not in key
    assert f"{os.sep}exporters{os.sep}" not in key


def test_an_edited_model_file_rebuilds_the_snapshot(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package"
    package.mkdir()
    model = package / "meetings.py"
    model.write_text("# the model\n")
    monkeypatch.setattr(snapshots, "_PACKAGE", str(package))
    snapshots.builtin_cluster(BUILTIN, Builds())
    model.write_text("# the model, edited\n")
    build = Builds()
    snapshots.builtin_cluster(BUILTIN, build)
    assert build.calls == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"garbage, not a cache file at all",
        lambda data: data[: len(data) // 2],  # the key whole, the pickle cut short
        lambda data: data[:-40],
        lambda data: data.replace(b"nogentech-cache 1", b"nogentech-cache 9", 1),
        lambda data: data[:200] + bytes(b ^ 0xFF for b in data[200:260]) + data[260:],
    ],
    ids=["empty", "garbage", "half", "cut-end", "other-format", "flipped-bytes"],
)
def test_a_corrupt_snapshot_is_ignored_and_replaced(cache: Path, damage: object) -> None:
    snapshots.builtin_cluster(BUILTIN, Builds())
    path = snapshot_file(cache)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    build = Builds()
    assert snapshots.builtin_cluster(BUILTIN, build) == fresh()
    assert build.calls == 1
    assert snapshots.builtin_cluster(BUILTIN, never) == fresh()


def test_a_snapshot_of_something_else_than_a_cluster_is_not_taken(cache: Path) -> None:
    caches.write(snapshots.snapshot_file(), snapshots.snapshot_key(BUILTIN), ["not", "a cluster"])
    build = Builds()
    assert snapshots.builtin_cluster(BUILTIN, build) == fresh()
    assert build.calls == 1


def test_an_unwritable_cache_directory_only_costs_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv(caches.CACHE_ENV, str(blocker / "cache"))
    build = Builds()
    assert snapshots.builtin_cluster(BUILTIN, build) == fresh()
    assert snapshots.builtin_cluster(BUILTIN, build) == fresh()
    assert build.calls == 2
    assert blocker.read_text() == "in the way"


def test_a_cache_path_that_is_a_directory_is_skipped(cache: Path) -> None:
    snapshot_file(cache).mkdir(parents=True)
    build = Builds()
    assert snapshots.builtin_cluster(BUILTIN, build) == fresh()
    assert snapshots.builtin_cluster(BUILTIN, build) == fresh()
    assert build.calls == 2


def test_an_empty_cache_variable_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert caches.cache_dir() is None
    build = Builds()
    snapshots.builtin_cluster(BUILTIN, build)
    snapshots.builtin_cluster(BUILTIN, build)
    assert build.calls == 2
    assert list(tmp_path.iterdir()) == []


def test_a_failing_build_raises_and_writes_nothing(cache: Path) -> None:
    bad = BUILTIN.replace(
        b"[[meeting_series]]\n", b'[[meeting_series]]\nholiday_country = "XX"\n', 1
    )
    with pytest.raises(DataError) as caught:
        snapshots.builtin_cluster(bad, Builds(bad))
    assert [p.path for p in caught.value.problems] == ["meeting_series[0].holiday_country"]
    assert not snapshot_file(cache).exists()


# -- the cache directory ------------------------------------------------------------------


def test_the_cache_directory_follows_the_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(caches.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert caches.cache_dir() == str(tmp_path / "home" / ".cache" / "nogentech")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as XDG says
    assert caches.cache_dir() == str(tmp_path / "home" / ".cache" / "nogentech")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert caches.cache_dir() == str(tmp_path / "xdg" / "nogentech")
    monkeypatch.setenv(caches.CACHE_ENV, str(tmp_path / "mine"))
    assert caches.cache_dir() == str(tmp_path / "mine")


def test_a_value_is_read_back_only_for_its_own_key(cache: Path) -> None:
    caches.write("thing.pickle", b"key one", {"a": 1})
    assert caches.read("thing.pickle", b"key one") == {"a": 1}
    assert caches.read("thing.pickle", b"key two") is None
    assert caches.read("thing.pickle", b"key on") is None
    assert caches.read("thing.pickle", b"key one\0") is None
    assert caches.read("other.pickle", b"key one") is None


def test_the_directory_is_made_private_and_no_temporary_file_is_left(cache: Path) -> None:
    caches.write("thing.pickle", b"k", 1)
    assert cache.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in cache.iterdir()) == ["thing.pickle"]


@pytest.mark.skipif(os.name != "posix", reason="file modes and owners are POSIX's")
def test_a_cache_file_others_may_write_to_is_not_read(cache: Path) -> None:
    caches.write("thing.pickle", b"k", "value")
    path = cache / "thing.pickle"
    path.chmod(0o666)
    assert caches.read("thing.pickle", b"k") is None
    path.chmod(0o644)
    assert caches.read("thing.pickle", b"k") == "value"


def test_a_cache_file_holds_the_key_whole_then_the_pickle(cache: Path) -> None:
    caches.write("thing.pickle", b"the key", [1, 2])
    data = (cache / "thing.pickle").read_bytes()
    head = b"nogentech-cache 1\n" + (7).to_bytes(8, "big") + b"the key"
    assert data.startswith(head)
    assert pickle.loads(data[len(head) :]) == [1, 2]


def test_a_plain_value_is_kept_with_marshal_and_read_back_only_as_plain(cache: Path) -> None:
    value = {b"a": b"\x00\xff", b"b": (1, "é", [2.5])}
    caches.write("thing.marshal", b"the key", value, plain=True)
    data = (cache / "thing.marshal").read_bytes()
    head = b"nogentech-cache 1 marshal\n" + (7).to_bytes(8, "big") + b"the key"
    assert data.startswith(head)
    assert marshal.loads(data[len(head) :]) == value
    assert caches.read("thing.marshal", b"the key", plain=True) == value
    # A file of one kind is never read as the other.
    assert caches.read("thing.marshal", b"the key") is None
    caches.write("thing.marshal", b"the key", value)
    assert caches.read("thing.marshal", b"the key", plain=True) is None
    assert caches.read("thing.marshal", b"the key") == value
    # A value marshal cannot keep is left out, and what was there is kept.
    caches.write("thing.marshal", b"the key", object(), plain=True)
    assert caches.read("thing.marshal", b"the key") == value
    # A truncated file is a miss.
    caches.write("thing.marshal", b"the key", value, plain=True)
    (cache / "thing.marshal").write_bytes((cache / "thing.marshal").read_bytes()[:-3])
    assert caches.read("thing.marshal", b"the key", plain=True) is None


def test_the_key_changes_with_the_libraries_that_build_the_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshots.snapshot_key(BUILTIN)
    real = snapshots.installed

    def upgraded(package: str) -> str:
        return real(package) + ("\ncattrs-99.0.dist-info" if package == "cattrs" else "")

    monkeypatch.setattr(snapshots, "installed", upgraded)
    assert snapshots.snapshot_key(BUILTIN) != before


def test_an_installed_package_is_told_by_its_version_and_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "fake_lib").mkdir(parents=True)
    (site / "fake_lib" / "__init__.py").write_text("VERSION = 1\n")
    (site / "fake_lib-1.0.dist-info").mkdir()
    (site / "other-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    first = caches.installed("fake_lib")
    assert first.splitlines()[:2] == [str(site / "fake_lib"), "fake_lib-1.0.dist-info"]
    assert "other" not in first
    (site / "fake_lib-1.0.dist-info").rename(site / "fake_lib-2.0.dist-info")
    monkeypatch.setattr(caches, "_LISTINGS", {})  # what a new process would list
    second = caches.installed("fake_lib")
    assert "fake_lib-2.0.dist-info" in second
    assert second != first
    (site / "fake_lib" / "__init__.py").write_text("VERSION = 22\n")
    assert caches.installed("fake_lib") != second
    assert caches.installed("no_such_package_here") == "no_such_package_here: not found"


def test_each_installation_keeps_a_snapshot_file_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert caches.file_name("thing", "/a/site") == caches.file_name("thing", "/a/site")
    assert caches.file_name("thing", "/a/site") != caches.file_name("thing", "/b/site")
    assert caches.file_name("thing", "/a/site").startswith("thing-")
    mine = snapshots.snapshot_file()
    monkeypatch.setattr(snapshots, "_PACKAGE", str(tmp_path))
    assert snapshots.snapshot_file() != mine
