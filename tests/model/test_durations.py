"""ISO 8601 durations as data files write them: read, written back, refused."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nogentech.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT2H", dt.timedelta(hours=2)),
        ("PT1H30M", dt.timedelta(hours=1, minutes=30)),
        ("PT90M", dt.timedelta(minutes=90)),
        ("P1DT30M", dt.timedelta(days=1, minutes=30)),
        ("P2W", dt.timedelta(weeks=2)),
        ("P1W2DT3H4M5S", dt.timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        ("pt2h", dt.timedelta(hours=2)),
        ("  PT45S\n", dt.timedelta(seconds=45)),
        ("PT0S", dt.timedelta(0)),
    ],
)
def test_a_duration_reads_as_its_parts_say(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(text) == expected  # the second reading too


@pytest.mark.parametrize(
    "text",
    ["", "P", "PT", "P1DT", "PT1.5H", "P1Y", "P1M", "2H", "PT2H30", "PT-1H", "PT1234567890123H"],
)
def test_text_that_names_no_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected an ISO 8601 duration"):
        parse_duration(text)
    with pytest.raises(ValueError, match="expected an ISO 8601 duration"):
        parse_duration(text)


@given(
    st.integers(0, 999),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)
def test_a_written_duration_reads_back_equal(
    days: int, hours: int, minutes: int, seconds: int
) -> None:
    value = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    assert parse_duration(format_duration(value)) == value


def test_many_distinct_durations_each_read_right() -> None:
    # More texts than are kept: each is still read to its own value.
    for minutes in range(1, 2000):
        assert parse_duration(f"PT{minutes}M") == dt.timedelta(minutes=minutes)
        assert parse_duration(f"PT{minutes}M") == dt.timedelta(minutes=minutes)


_PADDED = """
import datetime as dt, gc, tracemalloc
from nogentech.durations import parse_duration
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
padding = " " * 100_000
texts = [f"{padding}PT{n}S{padding}" for n in range(200)]
for n, text in enumerate(texts):
    assert parse_duration(text) == dt.timedelta(seconds=n)
del texts, text, padding
gc.collect()
print(tracemalloc.get_traced_memory()[0] - before)
"""


def test_reading_long_padded_durations_keeps_no_memory() -> None:
    # In a fresh process, where no duration has been read yet.
    done = subprocess.run(
        [sys.executable, "-c", _PADDED], capture_output=True, text=True, check=True, timeout=120
    )
    # 200 texts of 200 KB each: none of them is held once it is read.
    assert int(done.stdout) < 1_000_000
