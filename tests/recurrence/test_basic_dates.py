"""UNTIL's dates and times, and every number of a rule, are read in ASCII digits only.

RFC 5545 writes a DATE as ``YYYYMMDD`` and a DATE-TIME as ``YYYYMMDDTHHMMSS`` in
ASCII digits (section 3.3.4, 3.3.5, and DIGIT in RFC 5234). The rule's readers give
what ``datetime.strptime`` gives for such text, and refuse the digits of other
scripts, which ``\\d`` and ``int`` would take and a feed would carry as written.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nogentech import MeetingSeries, Text
from nogentech.rules import basic_date, basic_datetime

# ASCII digits above all, then what strptime's patterns or int() also take:
# Arabic-Indic and fullwidth digits, a space, signs, letters.
_CHARACTERS = "0123456789" * 4 + "٠١٢٣٩０９ +-Tt_Z"


def _strptime(text: str, fmt: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, fmt)
    except ValueError:
        return None


def _ours(read: object, text: str) -> object:
    try:
        return read(text)  # type: ignore[operator]
    except ValueError:
        return None


@settings(max_examples=600, deadline=None)
@given(text=st.text(st.sampled_from(_CHARACTERS), min_size=6, max_size=10))
@example("20240229")
@example("20230229")
@example("00010101")
@example("99991231")
@example("00000101")
@example("20241301")
@example("20240132")
@example("2024 111")
@example("+2024111")
@example("٢٠٢٤0111")
@example("2024０１11")
def test_a_date_is_what_strptime_reads_in_ascii_digits(text: str) -> None:
    found = _ours(basic_date, text)
    # strptime also reads shorter fields ("000111" is 1 January of year 1): a
    # rule's UNTIL has all eight digits.
    if not (len(text) == 8 and text.isascii() and text.isdigit()):
        assert found is None
        return
    expected = _strptime(text, "%Y%m%d")
    assert found == (expected.date() if expected is not None else None)


@settings(max_examples=600, deadline=None)
@given(
    day=st.text(st.sampled_from(_CHARACTERS), min_size=8, max_size=8),
    mark=st.sampled_from("TtZ 1"),
    time=st.text(st.sampled_from(_CHARACTERS), min_size=5, max_size=7),
)
@example(day="20241231", mark="T", time="235959")
@example(day="20241231", mark="t", time="083000")
@example(day="20241231", mark="T", time="240000")
@example(day="20241231", mark="T", time="235960")
@example(day="20241231", mark="T", time="236000")
@example(day="20241231", mark="T", time="٠٨3000")
@example(day="20241231", mark="T", time="8 3000")
def test_a_local_time_is_what_strptime_reads_in_ascii_digits(
    day: str, mark: str, time: str
) -> None:
    text = day + mark + time
    found = _ours(basic_datetime, text)
    digits = day + time
    if not (digits.isascii() and digits.isdigit() and len(text) == 15 and mark in "Tt"):
        assert found is None
        return
    assert found == _strptime(text, "%Y%m%dT%H%M%S")


def _series(rule: str) -> MeetingSeries:
    return MeetingSeries(
        id="s",
        name=Text(fr="S"),
        first_date=dt.date(2024, 1, 11),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=2),
        rule=rule,
    )


@pytest.mark.parametrize(
    ("rule", "part"),
    [
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=٢٠٣٠1231", "UNTIL"),
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=٢٠٣٠1231T083000Z", "UNTIL"),
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20301231T٠٨3000", "UNTIL"),
        ("FREQ=MONTHLY;BYDAY=2TH;COUNT=١٠", "COUNT"),
        ("FREQ=MONTHLY;BYDAY=2TH;INTERVAL=１", "INTERVAL"),
        ("FREQ=MONTHLY;BYDAY=٢TH", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=٢", "BYSETPOS"),
        ("FREQ=MONTHLY;BYMONTHDAY=١١", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=١;BYMONTHDAY=11", "BYMONTH"),
    ],
)
def test_a_rule_with_the_digits_of_another_script_is_refused_at_its_part(
    rule: str, part: str
) -> None:
    with pytest.raises(ValueError, match=rf"invalid recurrence rule .*: {part} "):
        _series(rule)
    # The same rule in ASCII digits is a meeting's.
    ascii_rule = rule.translate(str.maketrans("٠١٢٣٨０１", "0123801"))
    assert ascii_rule.isascii()
    _series(ascii_rule)


def test_a_rule_with_until_is_read_and_exported_without_the_format_reader() -> None:
    probe = (
        "import sys, datetime as dt\n"
        "from nogentech import MeetingSeries, Text\n"
        "s = MeetingSeries(id='s', name=Text(fr='S'), first_date=dt.date(2024, 1, 11),\n"
        "    start_time=dt.time(8, 30), duration=dt.timedelta(hours=2),\n"
        "    rule='FREQ=MONTHLY;BYDAY=2TH;UNTIL=20240314T083000')\n"
        "days = s.occurrences(dt.date(2024, 1, 1), dt.date(2024, 12, 31))\n"
        "print([o.start.isoformat() for o in days])\n"
        "import nogentech\n"
        "data = nogentech.to_dict(nogentech.load())\n"
        "data['meeting_series'][0]['rule'] += ';UNTIL=20301231'\n"
        "cluster = nogentech.from_dict(data)\n"
        "for name in ('ics', 'jsonld', 'json'):\n"
        "    nogentech.export(cluster, name)\n"
        "print('_strptime' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    starts, imported = done.stdout.splitlines()
    # UNTIL is the local 08:30 of 14 March: that day's meeting is the last.
    assert starts == str(
        ["2024-01-11T08:30:00+01:00", "2024-02-08T08:30:00+01:00", "2024-03-14T08:30:00+01:00"]
    )
    assert imported == "False"


@pytest.mark.parametrize(
    "until",
    ["UNTIL=20231231T000000Z", "until=20231231t000000z", "until=20231231"],
)
def test_an_override_past_until_is_refused_in_any_case_of_the_rule(until: str) -> None:
    import nogentech

    data = nogentech.to_dict(nogentech.load())
    series = data["meeting_series"][0]
    assert series["rule"] == "FREQ=MONTHLY;BYDAY=2TH"
    assert "2024-01-11" in [o["date"] for o in series["overrides"]]
    series["rule"] = (
        "FREQ=MONTHLY;BYDAY=2TH;" if until.isupper() else "freq=monthly;byday=2th;"
    ) + until
    with pytest.raises(nogentech.DataError, match="2024-01-11 is not an occurrence"):
        nogentech.from_dict(data)
