"""Reloads in a child process: the cluster comes back equal, the hot feeds come back
rendered (only when the child exports exactly as the server), and the limits hold."""

from __future__ import annotations

import gc
import logging
import pickle
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings

import nogentech
from nogentech import plugins, references, web
from nogentech.testing import clusters
from nogentech.web._loader import LoadFailed, _pack, _unpack, load_in_child
from tests.support.web import CLUSTER_TOML, FormatsPlugin, fetch, running, wait_for


@hypothesis_settings(max_examples=25)
@given(clusters())
def test_a_cluster_unpickled_in_pieces_is_equal(cluster: nogentech.Cluster) -> None:
    shell, pieces = _pack(cluster, piece=2)
    again = _unpack(shell, pieces, pause=lambda: None)
    assert again == cluster
    # The look-ups answer with the very objects of the collections, not copies.
    for name in references.COLLECTIONS:
        for item in getattr(again, name):
            assert again.get(item.id) is item


def test_the_shell_holds_no_copy_of_the_long_lists() -> None:
    cluster = nogentech.load()
    shell, pieces = _pack(cluster, piece=3)
    assert len(shell) < sum(len(chunk) for chunks in pieces for chunk in chunks) / 2
    whole = pickle.dumps(cluster)
    again = pickle.loads(whole)
    assert again == cluster
    assert all(again.get(c.id) is c for c in again.companies)
    assert len(whole) < 1.2 * len(pickle.dumps(attrs.astuple(cluster, recurse=False)))


def test_the_long_lists_travel_in_pieces() -> None:
    cluster = nogentech.load()
    shell, pieces = _pack(cluster, piece=3)
    values = [getattr(cluster, field.name) for field in attrs.fields(nogentech.Cluster)]
    long = [v for v in values if isinstance(v, tuple) and len(v) > 3]
    assert len(long) >= 3  # companies, people, places at least
    assert sorted(len(p) for p in pieces) == sorted(-(-len(v) // 3) for v in long)
    assert _unpack(shell, pieces) == cluster


def test_the_child_renders_the_feeds_asked_for_when_it_has_the_same_plugins(
    data_file: Path,
) -> None:
    plugins.reset()
    feeds = [("ics", {"lang": "en"}), ("json", {"indent": "0"}), ("json", {"indent": "99"})]
    loaded = load_in_child(data_file, feeds=feeds)
    cluster = nogentech.load(data_file)
    assert loaded.cluster == cluster
    assert loaded.bodies == (
        nogentech.export(cluster, "ics", lang="en"),
        nogentech.export(cluster, "json", indent=0),
        None,  # an option error: left to the server, which answers 400
    )


def test_the_child_renders_nothing_for_a_server_with_other_plugins(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    loaded = load_in_child(data_file, feeds=[("json", {}), ("agenda", {})])
    assert loaded.bodies == (None, None)
    assert loaded.cluster == nogentech.load(data_file)


def test_feeds_asked_for_are_rendered_ahead_of_a_reload(
    data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After the edit, the feeds served before come from the child's renders, exact."""
    caplog.set_level(logging.INFO, logger="nogentech.web")
    plugins.reset()
    source = web.DataSource(data_file, interval=0.05)
    with running(web.make_app(source)) as port:
        for path in ("/calendar.ics?lang=en", "/cluster.json", "/calendar.ics?lang=en"):
            assert fetch(port, path)[0] == 200
        data_file.write_text(CLUSTER_TOML.replace("Fils", "Filles"), encoding="utf-8")
        wait_for(lambda: source.current().version == 2, what="the reload")
        prepared = source.current().prepared
        cluster = nogentech.load(data_file)
        assert prepared == {
            ("ics", repr(sorted(_resolved("ics", lang="en").items()))): nogentech.export(
                cluster, "ics", lang="en"
            ),
            ("json", repr(sorted(_resolved("json").items()))): nogentech.export(cluster, "json"),
        }
        assert fetch(port, "/calendar.ics?lang=en")[2] == nogentech.export(
            cluster, "ics", lang="en"
        )
        assert fetch(port, "/cluster.json")[2] == nogentech.export(cluster, "json")
    assert f"{data_file}: reloaded (data version 2); 2 feed(s) rendered ahead" in caplog.messages


def _resolved(name: str, **params: str) -> dict[str, object]:
    return plugins.resolve_options(plugins.get_exporter(name), params)


@pytest.mark.slow
def test_a_load_beyond_its_processor_time_is_stopped(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    companies = "".join(
        f'[[companies]]\nid = "c{i}"\nname = "Company {i}"\n' for i in range(150_000)
    )
    big.write_text('id = "big"\nname = "Big"\n' + companies, encoding="utf-8")
    with pytest.raises(LoadFailed) as info:
        load_in_child(big, cpu=1)
    assert str(info.value) == "loading used more than 1 s of processor time"


def test_invalid_data_in_the_child_is_a_data_error_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "Not A Slug"\n', encoding="utf-8")
    with pytest.raises(nogentech.DataError) as info:
        load_in_child(bad)
    assert info.value.source == str(bad)
    assert info.value.lines() == _problems(bad)
    assert "name: missing required field" in info.value.lines()


def _problems(path: Path) -> list[str]:
    try:
        nogentech.load(path)
    except nogentech.DataError as exc:
        return exc.lines()
    raise AssertionError("the data should be invalid")


def test_an_unpickled_cluster_goes_to_the_oldest_generation() -> None:
    """No young collection after a reload goes over every object of the new cluster."""
    cluster = nogentech.load()
    shell, pieces = _pack(cluster, piece=3)
    again = _unpack(shell, pieces, pause=lambda: None)
    company = again.companies[0]
    assert gc.is_tracked(company)
    young = {id(o) for generation in (0, 1) for o in gc.get_objects(generation=generation)}
    assert id(company) not in young
    assert id(again) not in young
    assert any(o is company for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0  # nothing is left frozen
    assert gc.isenabled()
