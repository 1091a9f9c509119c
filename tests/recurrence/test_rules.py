"""RFC 5545 rule parts are checked one by one when a series is made (section 3.3.10)."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from nogentech import MeetingSeries, Text
from nogentech.rules import FREQUENCIES, KEPT_RULES, days_in_month, parse_rule


def series(rule: str, first: dt.date = dt.date(2024, 1, 11)) -> MeetingSeries:
    return MeetingSeries(
        id="s",
        name=Text(fr="S"),
        first_date=first,
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=2),
        rule=rule,
    )


def refusal(rule: str, first: dt.date = dt.date(2024, 1, 11)) -> str:
    with pytest.raises(ValueError) as info:
        series(rule, first)
    prefix = f"invalid recurrence rule {rule!r}: "
    message = str(info.value)
    assert message.startswith(prefix)
    return message[len(prefix) :]


def test_the_parts_come_back_in_upper_case() -> None:
    assert parse_rule("RRULE:freq=monthly;byday=+2th;interval=01") == {
        "FREQ": "MONTHLY",
        "BYDAY": "+2TH",
        "INTERVAL": "01",
    }


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL takes a whole number from 1 to 1000 (got '0')"),
        ("FREQ=WEEKLY;INTERVAL=1001", "INTERVAL takes a whole number from 1 to 1000 (got '1001')"),
        ("FREQ=WEEKLY;INTERVAL=-1", "INTERVAL takes a whole number from 1 to 1000 (got '-1')"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT takes a whole number from 1 to 2147483647 (got '0')"),
        (
            "FREQ=WEEKLY;COUNT=100000000000000000000",
            "COUNT takes a whole number from 1 to 2147483647 (got '100000000000000000000')",
        ),
        (
            "FREQ=WEEKLY;COUNT=2147483648",
            "COUNT takes a whole number from 1 to 2147483647 (got '2147483648')",
        ),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20250101", "COUNT and UNTIL cannot both be given"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=0",
            "BYMONTHDAY takes numbers from 1 to 31 or -31 to -1 (got '0')",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "BYMONTHDAY takes numbers from 1 to 31 or -31 to -1 (got '32')",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=11,-32",
            "BYMONTHDAY takes numbers from 1 to 31 or -31 to -1 (got '-32')",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=11,11", "BYMONTHDAY repeats 11"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH takes months from 1 to 12 (got '13')"),
        ("FREQ=YEARLY;BYMONTH=0", "BYMONTH takes months from 1 to 12 (got '0')"),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH takes months from 1 to 12 (got '-1')"),
        (
            "FREQ=YEARLY;BYYEARDAY=367",
            "BYYEARDAY takes numbers from 1 to 366 or -366 to -1 (got '367')",
        ),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO takes numbers from 1 to 53 or -53 to -1 (got '54')"),
        (
            "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=0",
            "BYSETPOS takes numbers from 1 to 366 or -366 to -1 (got '0')",
        ),
        (
            "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=367",
            "BYSETPOS takes numbers from 1 to 366 or -366 to -1 (got '367')",
        ),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs another BYxxx part to choose among"),
        ("FREQ=MONTHLY;BYDAY=6TH", "BYDAY 6TH: the ordinal must be from ±1 to ±5"),
        ("FREQ=YEARLY;BYMONTH=1;BYDAY=-6TH", "BYDAY -6TH: the ordinal must be from ±1 to ±5"),
        ("FREQ=YEARLY;BYDAY=54TH", "BYDAY 54TH: the ordinal must be from ±1 to ±53"),
        ("FREQ=MONTHLY;BYDAY=0TH", "BYDAY 0TH: the ordinal must be from ±1 to ±5"),
        ("FREQ=WEEKLY;BYDAY=2TH", "BYDAY 2TH: an ordinal needs FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=YEARLY;BYWEEKNO=2;BYDAY=1TH", "BYDAY 1TH: an ordinal cannot go with BYWEEKNO"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY takes weekdays such as TH or 2TH or -1FR (got 'XX')"),
        ("FREQ=WEEKLY;BYDAY=TH,TH", "BYDAY repeats TH"),
        ("FREQ=WEEKLY;BYMONTHDAY=11", "BYMONTHDAY cannot go with FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYYEARDAY=11", "BYYEARDAY cannot go with FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYWEEKNO=2", "BYWEEKNO cannot go with FREQ=MONTHLY"),
        ("FREQ=WEEKLY;WKST=XX", "WKST takes a weekday, MO, TU, WE, TH, FR, SA, SU (got 'XX')"),
        ("FREQ=DAILY;BYHOUR=8", "BYHOUR is not allowed: a series starts at its 'start_time'"),
        ("FREQ=DAILY;BYMINUTE=30", "BYMINUTE is not allowed: a series starts at its 'start_time'"),
        ("FREQ=DAILY;BYSECOND=0", "BYSECOND is not allowed: a series starts at its 'start_time'"),
        ("FREQ=WEEKLY;FREQ=DAILY", "FREQ is given twice"),
        ("BYDAY=TH", "FREQ is required"),
        ("FREQ=WEEKLY;", "each part is NAME=VALUE (got '')"),
        (
            "FREQ=WEEKLY;X-NAME=1",
            "unknown part 'X-NAME' (RFC 5545 parts: FREQ, UNTIL, COUNT, "
            "INTERVAL, BYHOUR, BYMINUTE, BYSECOND, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, "
            "BYMONTH, BYSETPOS, WKST)",
        ),
        (
            "FREQ=WEEKLY;BYEASTER=0",
            "unknown part 'BYEASTER' (RFC 5545 parts: FREQ, UNTIL, "
            "COUNT, INTERVAL, BYHOUR, BYMINUTE, BYSECOND, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, "
            "BYMONTH, BYSETPOS, WKST)",
        ),
        (
            "FREQ=WEEKLY;UNTIL=2025-01-01",
            "UNTIL takes a date YYYYMMDD or a time YYYYMMDDTHHMMSS[Z] (got '2025-01-01')",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20250230",
            "UNTIL takes a date YYYYMMDD or a time YYYYMMDDTHHMMSS[Z] (got '20250230')",
        ),
        (
            "FREQ=WEEKLY;UNTIL=99991231",
            "UNTIL must be from 1900-01-01 to 2199-12-31 (got 99991231)",
        ),
        ("FREQ=WEEKLY;UNTIL=20231231", "UNTIL is before first_date 2024-01-11 08:30:00"),
    ],
)
def test_a_part_out_of_range_or_out_of_place_is_refused(rule: str, why: str) -> None:
    assert refusal(rule) == why


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY", "HOURLY", "FORTNIGHTLY"])
def test_only_the_meeting_frequencies_are_allowed(freq: str) -> None:
    assert refusal(f"FREQ={freq}") == (
        f"FREQ '{freq}' is not a meeting frequency (one of DAILY, WEEKLY, MONTHLY, YEARLY)"
    )


@pytest.mark.parametrize("freq", FREQUENCIES)
def test_each_meeting_frequency_is_allowed(freq: str) -> None:
    assert series(f"FREQ={freq}").rule == f"FREQ={freq}"


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=MONTHLY;BYDAY=-5TH", dt.date(2024, 2, 1)),
        ("FREQ=MONTHLY;BYDAY=+5TH,-1FR;INTERVAL=1000", dt.date(2024, 2, 29)),
        ("FREQ=YEARLY;BYDAY=53TH", dt.date(2026, 12, 31)),
        ("FREQ=YEARLY;BYDAY=-53TH", dt.date(2026, 1, 1)),
        ("FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;WKST=MO", dt.date(2026, 12, 31)),
        ("FREQ=YEARLY;BYYEARDAY=-1;COUNT=2147483647", dt.date(2199, 12, 31)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", dt.date(1904, 2, 29)),
        ("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1", dt.date(2024, 1, 25)),
        ("FREQ=DAILY;UNTIL=19000101", dt.date(1900, 1, 1)),
        ("FREQ=DAILY;UNTIL=21991231T235959Z", dt.date(2199, 12, 31)),
    ],
)
def test_every_part_at_the_ends_of_its_range_is_allowed(rule: str, first: dt.date) -> None:
    assert series(rule, first).occurrences(first, first + dt.timedelta(days=1))[0].start.date() == (
        first
    )


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", dt.date(2024, 2, 29)),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", dt.date(2024, 2, 29)),
        ("FREQ=WEEKLY;BYMONTH=4,6,9,11;BYDAY=MO;INTERVAL=1000", dt.date(2024, 2, 29)),
        ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", dt.date(2024, 4, 30)),
        ("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=6", dt.date(2024, 2, 29)),
    ],
)
def test_a_rule_that_never_gives_its_first_date_is_refused(rule: str, first: dt.date) -> None:
    """dateutil would look for an occurrence up to year 9999; the check needs one period."""
    assert refusal(rule, first) == (
        f"first_date {first.isoformat()} is not an occurrence of the rule"
    )


def test_the_parts_of_a_rule_read_again_are_a_dict_of_their_own() -> None:
    first = parse_rule("FREQ=MONTHLY;BYDAY=2TH")
    first["BYDAY"] = "1MO"
    del first["FREQ"]
    assert parse_rule("FREQ=MONTHLY;BYDAY=2TH") == {"FREQ": "MONTHLY", "BYDAY": "2TH"}
    assert parse_rule("freq=monthly;byday=2th") == {"FREQ": "MONTHLY", "BYDAY": "2TH"}


def test_rules_past_those_kept_are_read_as_well() -> None:
    # More rules than are kept, twice over in the same order: every one read again.
    count = KEPT_RULES + 10
    for _ in range(2):
        for n in range(1, count + 1):
            assert parse_rule(f"FREQ=DAILY;COUNT={n}") == {"FREQ": "DAILY", "COUNT": str(n)}
    with pytest.raises(ValueError, match="COUNT takes a whole number"):
        parse_rule("FREQ=DAILY;COUNT=0")
    with pytest.raises(ValueError, match="COUNT takes a whole number"):
        parse_rule("FREQ=DAILY;COUNT=0")  # a refusal is not kept as an answer


def test_a_rule_of_a_string_subclass_is_read_as_its_text() -> None:
    class Odd(str):
        __slots__ = ()

        def __hash__(self) -> int:
            return hash("FREQ=MONTHLY;BYDAY=2TH")

        def __eq__(self, other: object) -> bool:
            return True

    parse_rule("FREQ=MONTHLY;BYDAY=2TH")
    assert parse_rule(Odd("FREQ=WEEKLY")) == {"FREQ": "WEEKLY"}


def test_the_days_of_each_month_are_the_calendar_s() -> None:
    for year in (*range(1, 30), *range(1890, 2110), 2400, 9999):
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1], (year, month)
