"""A data file's problems are reported in one reading, not one per run.

A class's ``__init__`` stops at the first check that fails, and an object that
fails is not made: its other refused fields, and the references it names, were
only found after the first problem was mended. Each is now reported with the
others; a check that only fails because of another field's refusal (a rule whose
first date is out of range) is not.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import nogentech
from nogentech import DataError

HEAD = 'id = "demo"\nname = "Demo"\n'
SERIES = """
[[meeting_series]]
id = "bk"
name = {{ fr = "PD" }}
first_date = {first}
start_time = 08:30:00
duration = "{duration}"
rule = "FREQ=MONTHLY;BYDAY=2TH"
"""


def problems_in(text: str) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as info:
        nogentech.loads(text, "toml")
    return sorted((p.path, p.message) for p in info.value.problems)


def series(first: str = "2024-01-11", duration: str = "PT1H", more: str = "") -> str:
    return HEAD + SERIES.format(first=first, duration=duration) + textwrap.dedent(more)


def test_every_refused_field_of_an_override_and_the_references_beside_it() -> None:
    text = series(
        more="""
        [[meeting_series.overrides]]
        date = 2024-02-08
        speakers = ["ghost"]

        [[meeting_series.overrides]]
        date = 2024-03-14
        sequence = -1
        duration = "PT0S"
        """
    )
    assert problems_in(text) == [
        ("meeting_series[0].overrides[0].speakers[0]", "unknown person or company 'ghost'"),
        (
            "meeting_series[0].overrides[1].duration",
            "'duration' must be a positive duration (got 0:00:00)",
        ),
        ("meeting_series[0].overrides[1].sequence", "'sequence' must be >= 0: -1"),
    ]


def test_every_refused_field_of_a_series_and_its_unknown_venue() -> None:
    text = series(duration="PT0S", more='cancelled = [2300-01-01]\nvenue = "nowhere"\n')
    assert problems_in(text) == [
        (
            "meeting_series[0].cancelled",
            "'cancelled' must be from 1900-01-01 to 2199-12-31 (got 2300-01-01)",
        ),
        (
            "meeting_series[0].duration",
            "'duration' must be a positive duration (got 0:00:00)",
        ),
        ("meeting_series[0].venue", "unknown place 'nowhere'"),
    ]


def test_a_check_that_fails_because_of_another_field_is_not_reported() -> None:
    """The rule is checked against the first date: with the first date refused, the
    rule's own check would only repeat it."""
    assert problems_in(series(first="9999-01-14")) == [
        (
            "meeting_series[0].first_date",
            "'first_date' must be from 1900-01-01 to 2199-12-31 (got 9999-01-14)",
        )
    ]


def test_a_reference_whose_value_is_refused_is_not_reported_twice() -> None:
    text = HEAD + '[[companies]]\nid = "a"\nname = ""\nsectors = ["Not A Slug"]\n'
    found = problems_in(text)
    assert [path for path, _ in found] == ["companies[0].name", "companies[0].sectors"]


def test_one_problem_is_reported_as_before() -> None:
    assert problems_in(series(duration="PT0S")) == [
        ("meeting_series[0].duration", "'duration' must be a positive duration (got 0:00:00)")
    ]


def test_the_command_line_lists_them_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nogentech.cli import main

    path = tmp_path / "cluster.toml"
    path.write_text(series(duration="PT0S", more='venue = "nowhere"\n'), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: 2 problems",
        "meeting_series[0].duration: 'duration' must be a positive duration (got 0:00:00)",
        "meeting_series[0].venue: unknown place 'nowhere'",
    ]
