"""Override and cancelled dates must be occurrences of their series."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import nogentech
from nogentech import MeetingSeries, Override, Text

SERIES = """\
id = "club"
name = "Club"

[[companies]]
id = "acme"
name = 3

[[meeting_series]]
id = "jeudis"
name = { fr = "Les jeudis" }
first_date = 2024-02-08
start_time = 08:30:00
duration = "PT2H"
rule = "FREQ=MONTHLY;BYDAY=2TH"
extra_dates = [2024-04-18]
cancelled = [2024-03-15, 2024-03-14]

[[meeting_series.overrides]]
date = 2024-02-08
topic = { fr = "Bon" }

[[meeting_series.overrides]]
date = 2024-02-09
topic = { fr = "Pas une occurrence" }

[[meeting_series.overrides]]
date = 2024-04-18
topic = { fr = "Date supplémentaire" }

[[meeting_series.overrides]]
date = 2024-05-09
moved_to = 2024-05-10
topic = { fr = "Déplacée" }
"""

RULE = "(rule FREQ=MONTHLY;BYDAY=2TH from 2024-02-08)"
EXPECTED = [
    "companies[0].name: expected a string (got int 3)",
    f"meeting_series[0].overrides[1].date: 2024-02-09 is not an occurrence of the series {RULE}",
    f"meeting_series[0].cancelled[0]: 2024-03-15 is not an occurrence of the series {RULE}",
]


def test_off_rule_dates_are_reported_with_their_paths_among_the_other_problems() -> None:
    with pytest.raises(nogentech.DataError) as info:
        nogentech.loads(SERIES, "toml")
    assert sorted(info.value.lines()) == sorted(EXPECTED)


def test_validate_lists_them_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "club.toml"
    path.write_text(SERIES, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "nogentech", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    shown = (done.stdout + done.stderr).splitlines()
    for line in EXPECTED:
        assert line in shown


def thursdays(**changes: object) -> MeetingSeries:
    fields: dict[str, object] = {
        "id": "jeudis",
        "name": Text(fr="Les jeudis"),
        "first_date": dt.date(2024, 2, 8),
        "start_time": dt.time(8, 30),
        "duration": dt.timedelta(hours=2),
        "rule": "FREQ=MONTHLY;BYDAY=2TH",
    }
    fields.update(changes)
    return MeetingSeries(**fields)  # type: ignore[arg-type]


def test_extra_dates_and_moved_overrides_are_accepted() -> None:
    series = thursdays(
        extra_dates=(dt.date(2024, 4, 18),),
        cancelled=(dt.date(2024, 3, 14),),
        overrides=(
            Override(date=dt.date(2024, 4, 18), topic=Text(fr="Extra")),
            Override(date=dt.date(2024, 5, 9), moved_to=dt.date(2024, 5, 10)),
        ),
    )
    topics = [m.topic for m in series.occurrences(dt.date(2024, 4, 1), dt.date(2024, 5, 1))]
    assert topics == [None, Text(fr="Extra")]


@pytest.mark.parametrize(
    ("rule", "date"),
    [
        ("FREQ=MONTHLY;BYDAY=2TH;COUNT=3", dt.date(2024, 5, 9)),  # the 4th would be 9 May
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20240401T000000Z", dt.date(2024, 4, 11)),
        ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11)),  # before the first date
    ],
)
def test_dates_past_the_end_or_before_the_start_are_refused(rule: str, date: dt.date) -> None:
    with pytest.raises(ValueError, match=f"{date.isoformat()} is not an occurrence"):
        thursdays(rule=rule, overrides=(Override(date=date, topic=Text(fr="x")),))
    with pytest.raises(ValueError, match=f"{date.isoformat()} is not an occurrence"):
        thursdays(rule=rule, cancelled=(date,))


def test_the_last_occurrence_of_a_counted_rule_is_accepted() -> None:
    series = thursdays(rule="FREQ=MONTHLY;BYDAY=2TH;COUNT=3", cancelled=(dt.date(2024, 4, 11),))
    assert series.cancelled == (dt.date(2024, 4, 11),)
