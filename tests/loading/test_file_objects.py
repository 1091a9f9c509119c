"""load()/loads() and dump()/dumps() take paths or file objects, as the json module does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import nogentech
from nogentech import Cluster, DataError

TOML = 'id = "tiny"\nname = "Tiny"\ntimezone = "Europe/Paris"\n'
TINY = Cluster(id="tiny", name="Tiny")


def test_loads_tells_toml_from_json_without_a_hint(demo: Cluster) -> None:
    assert nogentech.loads(TOML) == TINY
    assert nogentech.loads(nogentech.dumps(demo)) == demo
    assert nogentech.loads("\n  " + nogentech.dumps(demo)) == demo


def test_loads_takes_bytes_with_or_without_a_byte_order_mark() -> None:
    assert nogentech.loads(TOML.encode("utf-8")) == TINY
    assert nogentech.loads(b"\xef\xbb\xbf" + TOML.encode("utf-8")) == TINY
    assert nogentech.loads("\ufeff" + TOML) == TINY


def test_the_format_can_still_be_named() -> None:
    assert nogentech.loads(TOML, "toml") == TINY
    assert nogentech.loads(TOML, format="toml") == TINY
    with pytest.raises(DataError) as info:
        nogentech.loads(TOML, format="json")
    assert info.value.lines()[0].startswith("invalid JSON: ")
    with pytest.raises(DataError) as info:
        nogentech.loads(TOML, format="yaml")
    assert info.value.lines() == ["unknown data format 'yaml' (expected toml or json)"]


def test_text_that_is_neither_says_what_json_would_look_like() -> None:
    with pytest.raises(DataError) as info:
        nogentech.loads('["not", "a", "cluster"]')
    (line,) = info.value.lines()
    assert line.startswith("invalid TOML: ")
    assert line.endswith(" (JSON data must start with '{')")


def test_load_takes_text_and_binary_file_objects(tmp_path: Path, demo: Cluster) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TOML, encoding="utf-8")
    with path.open(encoding="utf-8") as text:
        assert nogentech.load(text) == TINY
    with path.open("rb") as binary:
        assert nogentech.load(binary) == TINY
    assert nogentech.load(io.StringIO(nogentech.dumps(demo))) == demo
    assert nogentech.load(io.BytesIO(TOML.encode("utf-8")), "toml") == TINY


def test_load_names_the_file_object_in_its_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "Bad Id", "name": "X"}', encoding="utf-8")
    with path.open(encoding="utf-8") as handle, pytest.raises(DataError) as info:
        nogentech.load(handle)
    assert info.value.source == str(path)


def test_a_json_file_is_read_by_its_extension_even_if_odd(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(TOML, encoding="utf-8")
    with pytest.raises(DataError) as info:
        nogentech.load(path)
    assert info.value.lines()[0].startswith("invalid JSON: ")
    odd = tmp_path / "tiny.cluster"
    odd.write_text(TOML, encoding="utf-8")
    assert nogentech.load(odd) == TINY


def test_dump_writes_to_a_path_or_a_file_object(tmp_path: Path, demo: Cluster) -> None:
    text = nogentech.dumps(demo)
    target = tmp_path / "demo.json"
    nogentech.dump(demo, target)
    assert target.read_text(encoding="utf-8") == text
    nogentech.dump(demo, str(tmp_path / "again.json"), indent=None)
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == nogentech.dumps(
        demo, indent=None
    )
    out = io.StringIO()
    nogentech.dump(demo, out)
    assert out.getvalue() == text
    raw = io.BytesIO()
    nogentech.dump(demo, raw)
    assert raw.getvalue() == text.encode("utf-8")
    assert nogentech.load(target) == demo
    assert json.loads(text)["schema_version"] == 1


def test_dump_refuses_to_write_json_into_a_toml_file(tmp_path: Path, demo: Cluster) -> None:
    target = tmp_path / "demo.toml"
    with pytest.raises(ValueError, match=r"^dump\(\) writes JSON, not TOML: name the file \.json"):
        nogentech.dump(demo, target)
    assert not target.exists()
