"""Data the loader parsed itself is consumed as it is built, and read again if refused.

``loads`` and ``load`` free each item's table as soon as its object is built, so a
load holds little more than the parsed data at its largest; refused data is
parsed again (or the file read again) and reported exactly as ``from_dict``
reports it.
"""

from __future__ import annotations

import copy
import gc
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

import nogentech
from nogentech import DataError
from tests.support.damage import damaged_data


def many_companies(count: int) -> dict[str, Any]:
    """The built-in data with ``count`` more member companies, each in a sector and a place."""
    data: dict[str, Any] = json.loads(nogentech.dumps(nogentech.load()))
    sector = data["sectors"][0]["id"]
    place = data["places"][0]["id"]
    data["companies"] += [
        {
            "id": f"entreprise-{i}",
            "name": f"Entreprise numéro {i}",
            "kind": "firm",
            "member": i % 2 == 0,
            "description": {"fr": f"Usinage et forge, atelier {i}", "en": f"Workshop {i}"},
            "sectors": [sector],
            "places": [place],
        }
        for i in range(count)
    ]
    return data


def problems(call: Any) -> tuple[str, ...] | Any:
    try:
        return call()
    except DataError as exc:
        return tuple(exc.lines())


def traced_peak(call: Any) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak


def test_a_load_holds_little_more_than_the_parsed_data() -> None:
    """Without consuming the tables, the objects and the tables they were built from
    were held together: about 1.45 times what parsing text alone holds (1.15 times
    from bytes, whose parsing holds their text too); consumed, 1.00 times."""
    text = json.dumps(many_companies(1000))
    cluster = nogentech.loads(text)  # the builders made, as in any later load
    assert len(cluster.companies) > 1000
    parsed = traced_peak(lambda: json.loads(text))
    loaded = traced_peak(lambda: nogentech.loads(text))
    assert loaded < 1.08 * parsed, (loaded, parsed)
    # From bytes, the text decoded from them is let go once parsed, as json lets it go.
    raw = text.encode("utf-8")
    parsed = traced_peak(lambda: json.loads(raw))
    loaded = traced_peak(lambda: nogentech.loads(raw))
    assert loaded < 1.08 * parsed, (loaded, parsed)


def test_a_file_load_holds_little_more_than_its_text_and_parsed_data(tmp_path: Path) -> None:
    text = json.dumps(many_companies(1000))
    path = tmp_path / "cluster.json"
    path.write_text(text, encoding="utf-8")
    nogentech.load(path)
    parsed = traced_peak(lambda: json.loads(path.read_text(encoding="utf-8")))
    loaded = traced_peak(lambda: nogentech.load(path))
    assert loaded < 1.15 * parsed, (loaded, parsed)


def _broken(kind: str) -> dict[str, Any]:
    data = many_companies(50)
    if kind == "a company half way":
        data["companies"][30]["member"] = "yes"
    elif kind == "the last company":
        data["companies"][-1]["name"] = ""
    elif kind == "a reference after every item is built":
        data["companies"][10]["sectors"] = ["no-such-sector"]
    elif kind == "a duplicate id":
        data["companies"][20]["id"] = data["companies"][19]["id"]
    elif kind == "a collection that is not a list":
        data["places"] = {"id": "x"}
    elif kind == "an item that is not a table":
        data["companies"][5] = "entreprise"
    return data


BROKEN = (
    "a company half way",
    "the last company",
    "a reference after every item is built",
    "a duplicate id",
    "a collection that is not a list",
    "an item that is not a table",
)


@pytest.mark.parametrize("kind", BROKEN)
def test_refused_data_is_reported_as_from_dict_reports_it(kind: str, tmp_path: Path) -> None:
    text = json.dumps(_broken(kind))
    want = problems(lambda: nogentech.from_dict(json.loads(text)))
    assert isinstance(want, tuple) and want
    assert problems(lambda: nogentech.loads(text)) == want
    assert problems(lambda: nogentech.loads(text.encode("utf-8"))) == want
    assert problems(lambda: nogentech.load(io.StringIO(text))) == want
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    named = problems(lambda: nogentech.from_dict(json.loads(text), source=str(path)))
    assert problems(lambda: nogentech.load(path)) == named


def test_a_file_gone_before_it_is_read_again_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused data is read from the file again; a file gone meanwhile says so."""
    from nogentech import loading

    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_broken("a company half way")), encoding="utf-8")
    reads: list[Path] = []
    real = loading._read_file

    def then_gone(file: Path) -> bytes:
        reads.append(file)
        data = real(file)
        file.unlink()
        return data

    monkeypatch.setattr(loading, "_read_file", then_gone)
    with pytest.raises(DataError, match="cannot read"):
        nogentech.load(path)
    assert reads == [path, path]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_data())
def test_damaged_json_text_gives_the_problems_of_from_dict(data: dict[str, Any]) -> None:
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        assume(False)
        return
    try:
        json.loads(text)
    except ValueError:
        assume(False)
    want = problems(lambda: nogentech.from_dict(json.loads(text)))
    got = problems(lambda: nogentech.loads(text))
    assert got == want
    # The data given to from_dict is never consumed.
    given_data = json.loads(text)
    kept = copy.deepcopy(given_data)
    problems(lambda: nogentech.from_dict(given_data))
    assert given_data == kept


@pytest.mark.parametrize("how", ["path", "binary file", "text file"])
def test_a_small_file_is_read_without_a_buffer_of_the_size_limit(tmp_path: Path, how: str) -> None:
    """Reading at most 8 MiB of a file of a few KiB holds a piece of 64 KiB at most, not 8 MiB."""
    from nogentech.files import read_at_most, read_regular
    from nogentech.limits import MAX_FILE_SIZE

    path = tmp_path / "small.json"
    path.write_text(json.dumps({"id": "x", "name": "é" * 2000}), encoding="utf-8")
    if how == "path":
        peak = traced_peak(lambda: read_regular(path, MAX_FILE_SIZE))
    else:
        with path.open(
            "rb" if how == "binary file" else "r",
            encoding=None if how == "binary file" else "utf-8",
        ) as f:
            peak = traced_peak(lambda: read_at_most(f, MAX_FILE_SIZE))
    assert peak < 160 * 1024, peak


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 200_000, 200_001, 200_002])
@pytest.mark.parametrize("kind", [bytes, str])
def test_at_most_one_more_than_the_limit_is_read(size: int, kind: type) -> None:
    from nogentech.files import read_at_most

    limit = 200_000
    if kind is bytes:
        raw = b"a" * size
        assert read_at_most(io.BytesIO(raw), limit) == raw[: limit + 1]
    else:
        text = "é" * size
        got = read_at_most(io.StringIO(text), limit)
        assert type(got) is str
        assert got == text[: limit + 1]


def test_refused_data_is_not_held_twice_while_parsed_again() -> None:
    """Data refused by the fast way is let go before it is parsed again: the detailed
    way then holds one copy of it, as from_dict does (about 1.4 times what parsing
    holds here; 2 times with both copies)."""
    data = many_companies(3000)
    data["schema_version"] = 99
    text = json.dumps(data)
    with pytest.raises(DataError, match="unsupported schema version"):
        nogentech.loads(text)
    parsed = traced_peak(lambda: json.loads(text))

    def refused() -> None:
        with pytest.raises(DataError):
            nogentech.loads(text)

    assert traced_peak(refused) < 1.6 * parsed


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_a_file_of_unknown_size_is_read_in_pieces() -> None:
    """Files under /proc say they hold 0 bytes: the rest is read in pieces, not with a
    buffer of the whole limit."""
    from nogentech.files import read_regular

    data = traced_peak(lambda: read_regular("/proc/self/status", 256 * 1024 * 1024))
    assert data < 512 * 1024
    assert read_regular("/proc/self/status", 1 << 20).startswith(b"Name:")
