"""Values out of range and files that are not data are refused when read, with a clear problem."""

from __future__ import annotations

import copy
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import Cluster, DataError
from nogentech.cli import main
from nogentech.limits import MAX_DEPTH, MAX_FILE_SIZE


def problems(data: Any) -> list[str]:
    with pytest.raises(DataError) as info:
        nogentech.from_dict(data)
    return info.value.lines()


@pytest.fixture
def data(demo: Cluster) -> dict[str, Any]:
    return nogentech.to_dict(demo)


def change(data: dict[str, Any], where: str, value: Any) -> dict[str, Any]:
    """``data`` with the value at ``where`` (``events.1.date``) replaced."""
    out = copy.deepcopy(data)
    *path, last = where.split(".")
    node: Any = out
    for step in path:
        node = node[int(step)] if isinstance(node, list) else node[step]
    node[int(last) if isinstance(node, list) else last] = value
    return out


# -- values ----------------------------------------------------------------------

CASES: list[tuple[str, Any, str]] = [
    (
        "events.1.date",
        "0001-01-01",
        "events[1].date: 'date' must be from 1900-01-01 to 2199-12-31 (got 0001-01-01)",
    ),
    (
        "events.0.end_date",
        "2200-01-01",
        "events[0].end_date: 'end_date' must be from 1900-01-01 to 2199-12-31 (got 2200-01-01)",
    ),
    (
        "meeting_series.0.first_date",
        "9999-01-11",
        "meeting_series[0].first_date: "
        "'first_date' must be from 1900-01-01 to 2199-12-31 (got 9999-01-11)",
    ),
    (
        "meeting_series.0.extra_dates",
        ["1899-12-31"],
        "meeting_series[0].extra_dates: "
        "'extra_dates' must be from 1900-01-01 to 2199-12-31 (got 1899-12-31)",
    ),
    (
        "meeting_series.0.overrides.1.moved_to",
        "9999-12-31",
        "meeting_series[0].overrides[1].moved_to: "
        "'moved_to' must be from 1900-01-01 to 2199-12-31 (got 9999-12-31)",
    ),
    (
        "updated",
        "9999-12-31T23:59:59+00:00",
        "updated: 'updated' must be from 1900-01-01 to 2199-12-31 (got 9999-12-31)",
    ),
    (
        "events.1.date",
        "20240208",
        "events[1].date: invalid date '20240208' (expected YYYY-MM-DD)",
    ),
    (
        "events.1.duration",
        "P9999999D",
        "events[1].duration: 'duration' must be at most 366 days (got 9999999 days, 0:00:00)",
    ),
    (
        "meeting_series.0.duration",
        "P99999999999999999999D",
        "meeting_series[0].duration: "
        "expected an ISO 8601 duration such as 'PT2H' (got 'P99999999999999999999D')",
    ),
    (
        "meeting_series.0.sequence",
        2**31,
        "meeting_series[0].sequence: 'sequence' must be <= 2147483647: 2147483648",
    ),
    (
        "meeting_series.0.overrides.0.sequence",
        -1,
        "meeting_series[0].overrides[0].sequence: 'sequence' must be >= 0: -1",
    ),
    (
        "meeting_series.0.holiday_country",
        "ZZ",
        "meeting_series[0].holiday_country: 'holiday_country' must be a country code the "
        "holidays library knows, such as 'FR' (got 'ZZ')",
    ),
    (
        "meeting_series.0.holiday_country",
        "fr",
        "meeting_series[0].holiday_country: 'holiday_country' must be a country code the "
        "holidays library knows, such as 'FR' (got 'fr')",
    ),
    (
        "milestones.0.date",
        99999,
        "milestones[0].date: year must be 1 to 9999 (got 99999)",
    ),
    ("milestones.0.date", 0, "milestones[0].date: year must be 1 to 9999 (got 0)"),
    (
        "key_figures.0.value",
        float("nan"),
        "key_figures[0].value: expected a finite number (got nan)",
    ),
    (
        "key_figures.0.value",
        float("-inf"),
        "key_figures[0].value: expected a finite number (got -inf)",
    ),
    (
        "key_figures.0.value",
        10**400,
        "key_figures[0].value: expected a finite number "
        "(got 100000000000000000...0000000000000000000)",
    ),
    ("key_figures.0.year", 10**30, "key_figures[0].year: 'year' must be from 1 to 9999 ("),
    (
        "companies.1.name",
        "Forges\ud800A",
        "companies[1].name: text holds a lone surrogate, U+D800, at position 6: 'Forges\\ud800A'",
    ),
    (
        "meeting_series.0.name.en",
        "Thurs\udc00days",
        "meeting_series[0].name: text holds a lone surrogate, U+DC00, at position 5: "
        "'Thurs\\udc00days'",
    ),
    (
        "meeting_series.0.start_time",
        "08:30:00.5",
        "meeting_series[0].start_time: invalid time '08:30:00.5' (expected HH:MM)",
    ),
]


@pytest.mark.parametrize(("where", "value", "problem"), CASES, ids=[c[0] for c in CASES])
def test_a_value_out_of_range_is_a_problem_at_its_path(
    data: dict[str, Any], where: str, value: Any, problem: str
) -> None:
    found = problems(change(data, where, value))
    assert len(found) == 1
    assert found[0].startswith(problem)


def test_every_holidays_country_code_is_accepted(data: dict[str, Any]) -> None:
    import holidays

    codes = sorted(holidays.list_supported_countries())
    assert {"FR", "DE", "UK", "FRA"} <= set(codes)
    for code in codes[::25]:
        cluster = nogentech.from_dict(change(data, "meeting_series.0.holiday_country", code))
        assert cluster.meeting_series[0].holiday_country == code


def test_control_characters_are_kept_in_json_and_dropped_by_the_feeds(
    data: dict[str, Any],
) -> None:
    """Text may hold any character but a lone surrogate; each format writes what it can."""
    text = "Forges\x00\x07\x1b[1m A\r\nligne\t2\x7f\u2028"
    edited = change(data, "companies.1.name", text)
    edited = change(edited, "meeting_series.0.url", "https://example.org/a b\r\nX-Injected: 1")
    cluster = nogentech.from_dict(edited)
    assert cluster.companies[1].name == text
    assert nogentech.loads(nogentech.export(cluster, "json").decode()) == cluster
    card = nogentech.export(cluster, "vcard").decode().replace("\r\n ", "")
    assert "\r\nFN:Forges[1m A\\nligne\t2\r\n" in card
    feed = nogentech.export(cluster, "ics").decode().replace("\r\n ", "")
    assert "\r\nURL:https://example.org/abX-Injected:1\r\n" in feed
    assert "X-Injected: 1" not in feed
    series = change(edited, "meeting_series.0.name.fr", "Les\x00 jeudis\x1b\ufffe")
    atom = nogentech.export(
        nogentech.from_dict(series), "meetings-atom", **{"from": "2024-01-01", "to": "2024-02-01"}
    ).decode()
    assert "<title>Les jeudis</title>" in atom


def test_the_json_export_of_accepted_data_is_strict_json(data: dict[str, Any]) -> None:
    """No bare NaN, nothing that is not UTF-8: the export parses as RFC 8259 JSON."""
    edgy = change(data, "key_figures.0.value", 1e308)
    edgy = change(edgy, "companies.1.name", "\u2028\x85\ufeff😀")
    cluster = nogentech.from_dict(edgy)
    body = nogentech.export(cluster, "json")

    def refuse(token: str) -> None:
        raise AssertionError(f"bare {token} in the export")

    parsed = json.loads(body.decode("utf-8", errors="strict"), parse_constant=refuse)
    assert parsed["key_figures"][0]["value"] == 1e308
    assert nogentech.from_dict(parsed) == cluster


def test_a_long_bad_value_is_quoted_cut(data: dict[str, Any]) -> None:
    """A list of a thousand strings of 10,000 characters is quoted in about 200."""
    (found,) = problems(change(data, "companies.1.name", ["x" * 10_000] * 1000))
    item = r"'x{20,30}\.\.\.x{20,30}'"
    assert re.fullmatch(
        rf"companies\[1\]\.name: expected a string \(got list \[({item}, ){{3}}\.\.\.\]\)", found
    ), found
    assert len(found) < 300


# -- files -----------------------------------------------------------------------


def load_problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        nogentech.load(path)
    assert info.value.source == str(path)
    return info.value.lines()


def nested(depth: int) -> str:
    return '{"id": "c", "name": "C", "x-deep": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [MAX_DEPTH, 1000, 100_000])
def test_json_nested_too_deep_is_refused(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text(nested(depth), "utf-8")
    assert load_problems(path) == [f"tables and lists are nested more than {MAX_DEPTH} levels deep"]


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(nested(MAX_DEPTH - 1), "utf-8")
    assert nogentech.load(path).id == "c"


def test_toml_nested_too_deep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text('id = "c"\nname = "C"\nx = ' + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    assert load_problems(path) == [f"tables and lists are nested more than {MAX_DEPTH} levels deep"]


def test_a_json_number_too_long_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text('{"id": "c", "name": "C", "x-n": ' + "9" * 5000 + "}", "utf-8")
    assert load_problems(path) == [
        "invalid JSON: a number of 5000 characters (999999999999…); at most 64 are read"
    ]


def test_a_toml_integer_too_long_for_python_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.toml"
    path.write_text('id = "c"\nname = "C"\nx = ' + "9" * 5000 + "\n", "utf-8")
    (found,) = load_problems(path)
    assert found.startswith("invalid TOML: Exceeds the limit (4300 digits)")


def test_json_nan_and_huge_floats_are_problems_at_their_path(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    text = nogentech.dumps(nogentech.from_dict(NAN_BASE)).replace('"value": 1.0', '"value": NaN')
    path.write_text(text.replace('"value": 2.0', '"value": 1e400'), "utf-8")
    assert load_problems(path) == [
        "key_figures[0].value: expected a finite number (got nan)",
        "key_figures[1].value: expected a finite number (got inf)",
    ]


NAN_BASE = {
    "id": "c",
    "name": "C",
    "key_figures": [
        {"id": "a", "subject": "c", "measure": "jobs", "value": 1.0, "unit": "u", "year": 2020},
        {"id": "b", "subject": "c", "measure": "jobs", "value": 2.0, "unit": "u", "year": 2020},
    ],
}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_SIZE + 1)  # sparse: no disk space used
    assert load_problems(path) == [
        f"cannot read {path}: the file is {MAX_FILE_SIZE + 1} bytes long; "
        f"at most 8 MiB ({MAX_FILE_SIZE} bytes) is read"
    ]


def test_text_over_the_size_limit_is_refused() -> None:
    with pytest.raises(DataError) as info:
        nogentech.loads(" " * (MAX_FILE_SIZE + 1))
    assert info.value.lines() == [
        f"the text is {MAX_FILE_SIZE + 1} characters long; at most {MAX_FILE_SIZE} are read"
    ]


def finishes(call: Callable[[], Any], seconds: float = 20) -> Any:
    """The result of ``call``, run in a thread so that a hang fails the test instead."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    error = finishes(lambda: nogentech.load(path))
    assert isinstance(error, DataError)
    assert error.lines() == [f"cannot read {path}: a named pipe (FIFO), not a regular file"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading_it() -> None:
    error = finishes(lambda: nogentech.load("/dev/zero"))
    assert isinstance(error, DataError)
    assert error.lines() == ["cannot read /dev/zero: a character device, not a regular file"]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    (found,) = load_problems(tmp_path)
    assert found in (
        f"cannot read {tmp_path}: a directory, not a regular file",
        f"cannot read {tmp_path}: Is a directory",
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("argv", [["validate", "/dev/zero"], ["info", "--data", "/dev/zero"]])
def test_the_command_line_reports_a_device_as_invalid_data(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert finishes(lambda: main(argv)) == 2
    out, err = capsys.readouterr()
    assert "/dev/zero: a character device, not a regular file" in out + err
    assert "Traceback" not in out + err
