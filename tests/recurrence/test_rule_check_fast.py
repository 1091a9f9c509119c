"""A series' rule is checked by date arithmetic with the answers of the dateutil probe.

``recurrence._probed_rule`` is the check that runs dateutil (a copy of the rule
started on the first date); :func:`~nogentech.recurrence.check_rule` and the
validator of :class:`~nogentech.MeetingSeries` must accept and refuse exactly
what it does, with the same messages.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nogentech import MeetingSeries, Text, meetings, recurrence
from nogentech.recurrence import build_rule, check_rule
from nogentech.rules import WEEKDAYS, parse_rule

ZONES = (
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "UTC",
)
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _month_length(day: dt.date) -> int:
    after = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (after - dt.timedelta(days=1)).day


def _ordinals(first: dt.date, freq: str, in_month: bool) -> tuple[int, int]:
    """The ordinal of ``first``'s weekday in its month (or year), from each end."""
    if freq == "YEARLY" and not in_month:
        lo, hi = dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)
    else:
        lo, hi = first.replace(day=1), first.replace(day=_month_length(first))
    return (first - lo).days // 7 + 1, -((hi - first).days // 7 + 1)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, dt.date, dt.time, str]:
    """A rule, a first date, a start time and a zone.

    Each BYxxx part is drawn either at random or so that it holds the first date
    (its month, day of month from either end, weekday, ordinal from either end),
    so that both answers come often.
    """
    first = draw(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)))
    start = draw(st.times().map(lambda t: t.replace(microsecond=0)))
    timezone = draw(st.sampled_from(ZONES))
    freq = draw(st.sampled_from(FREQUENCIES))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.sampled_from((1, 2, 3, 7, 52, 1000)))}")
    has_month = draw(st.booleans())
    if draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            days.append(WEEKDAYS[first.weekday()])
        items = sorted(set(days))
        if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
            top = 53 if freq == "YEARLY" and not has_month else 5
            ahead, behind = _ordinals(first, freq, has_month)
            numbered = []
            for day in items:
                if day == WEEKDAYS[first.weekday()] and draw(st.booleans()):
                    number = draw(st.sampled_from((ahead, behind)))
                else:
                    number = draw(st.integers(-top, top).filter(bool))
                numbered.append(f"{number}{day}")
            # Now and then a plain weekday beside the ordinals: dateutil asks for both.
            plain = [d for d in WEEKDAYS if d not in items]
            if plain and not draw(st.integers(0, 4)):
                numbered.append(draw(st.sampled_from(plain)))
            items = numbered
        parts.append("BYDAY=" + ",".join(items))
    if freq != "WEEKLY" and draw(st.booleans()):
        month_days = draw(st.lists(st.integers(-31, 31).filter(bool), max_size=2, unique=True))
        if draw(st.booleans()):
            month_days.append(
                draw(st.sampled_from((first.day, first.day - _month_length(first) - 1)))
            )
        if month_days:
            parts.append("BYMONTHDAY=" + ",".join(map(str, sorted(set(month_days)))))
    if has_month:
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            months.append(first.month)
        parts.append("BYMONTH=" + ",".join(map(str, sorted(set(months)))))
    if freq == "YEARLY" and not draw(st.integers(0, 5)):
        ordinal = any(p.startswith("BYDAY=") and any(c.isdigit() for c in p) for p in parts)
        if draw(st.booleans()) and not ordinal:
            parts.append(f"BYWEEKNO={draw(st.sampled_from((1, 2, 20, 52, 53, -1)))}")
        else:
            parts.append(f"BYYEARDAY={draw(st.sampled_from((1, 60, 100, 366, -1, -300)))}")
    if len(parts) > 1 and parts[-1].startswith("BY") and not draw(st.integers(0, 5)):
        parts.append(f"BYSETPOS={draw(st.sampled_from((1, 2, -1, 3)))}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(WEEKDAYS))}")
    end = draw(st.sampled_from(("", "", "COUNT", "UNTIL")))
    if end == "COUNT":
        parts.append(f"COUNT={draw(st.sampled_from((1, 2, 10, 2**31 - 1)))}")
    elif end == "UNTIL":
        # From two days before the first date to a year after: before and after it.
        moment = dt.datetime.combine(first, start) + dt.timedelta(
            seconds=draw(st.integers(-2 * 86_400, 366 * 86_400))
        )
        shape = draw(st.sampled_from(("%Y%m%d", "%Y%m%dT%H%M%S", "%Y%m%dT%H%M%SZ")))
        parts.append(f"UNTIL={moment:{shape}}")
    order = draw(st.permutations(parts))
    rule = ";".join(order)
    if draw(st.booleans()):
        rule = rule.lower()
    return rule, first, start, timezone


def outcome(check: object, *values: object) -> tuple[str, str] | None:
    """None when ``check(*values)`` passes, else the type and message of what it raised."""
    try:
        check(*values)  # type: ignore[operator]
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    return None


def fast_applies(rule: str) -> bool:
    upper = rule.upper()
    if "BYSETPOS" in upper and "FREQ=MONTHLY" not in upper:
        return False
    return not any(p in upper for p in ("BYWEEKNO", "BYYEARDAY"))


@settings(max_examples=600, deadline=None)
@given(case=cases())
def test_the_first_date_is_told_as_the_probe_tells_it(
    case: tuple[str, dt.date, dt.time, str],
) -> None:
    rule, first, start, _ = case
    try:
        parts = parse_rule(rule)
    except ValueError:
        assume(False)
        return
    fast = recurrence._first_is_occurrence(parts, first)
    if not fast_applies(rule):
        assert fast is None
        return
    assert fast is not None
    assert fast == recurrence._starts_the_rule(parts, dt.datetime.combine(first, start))


@settings(max_examples=600, deadline=None)
@given(case=cases())
def test_check_rule_accepts_and_refuses_as_the_probe_does(
    case: tuple[str, dt.date, dt.time, str],
) -> None:
    expected = outcome(recurrence._probed_rule, *case)
    assert outcome(check_rule, *case) == expected
    assert outcome(build_rule, *case) == expected
    if expected is None:
        built, probed = build_rule(*case), recurrence._probed_rule(*case)
        assert str(built) == str(probed)
        assert built._dtstart == probed._dtstart  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(case=cases())
def test_a_series_is_made_or_refused_as_with_the_probe(
    case: tuple[str, dt.date, dt.time, str],
) -> None:
    rule, first, start, timezone = case
    expected = outcome(recurrence._probed_rule, *case)
    try:
        series = MeetingSeries(
            id="s",
            name=Text(fr="Série"),
            first_date=first,
            start_time=start,
            duration=dt.timedelta(hours=1),
            rule=rule,
            timezone=timezone,
        )
    except ValueError as exc:
        assert expected is not None
        assert str(exc) == f"invalid recurrence rule {rule!r}: {expected[1]}"
        return
    assert expected is None
    # The rule the series expands is dateutil's, as the probe built it.
    assert str(meetings._series_rule(series)) == str(recurrence._probed_rule(*case))


@pytest.mark.parametrize(
    ("rule", "first", "start"),
    [
        # Values a series never has: dateutil's probe answers, as before.
        ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), dt.time(8, 30, 0, 5)),
        ("FREQ=MONTHLY;BYDAY=2TH", dt.datetime(2024, 1, 11, 8), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), dt.time(8, 30, fold=1)),
        ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), dt.time(8, 30, tzinfo=dt.UTC)),
        ("FREQ=MONTHLY;BYDAY=2TH", None, dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), None),
        ("FREQ=MONTHLY;BYMONTHDAY=\u0661\u0661", dt.date(2024, 1, 11), dt.time(8, 30)),
        (
            "FREQ=DAILY;UNTIL=\u0662\u0660\u0662\u0664\u0660\u0661\u0660\u0661",
            dt.date(2024, 1, 11),
            dt.time(8),
        ),
        ("FREQ=WEEKLY;COUNT=\u0663", dt.date(2024, 1, 11), dt.time(8, 30)),
        (None, dt.date(2024, 1, 11), dt.time(8, 30)),
        ("", dt.date(2024, 1, 11), dt.time(8, 30)),
        # Plain values: the arithmetic answers.
        ("RRULE:FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("rrule:freq=monthly;byday=2th", dt.date(2024, 1, 12), dt.time(8, 30)),
        ("  FREQ=WEEKLY;BYDAY=TH\n", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=WEEKLY; BYDAY=TH", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=WEEKLY;BYDAY=TH;BYHOUR=9", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=WEEKLY;BYDAY=2TH", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=HOURLY", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=DAILY;UNTIL=21991231T235959", dt.date(2199, 12, 31), dt.time(23, 0)),
        ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 12), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20240111T073000Z", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20240111T072959Z", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20240111", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20240110", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=TH,2TH", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=FR,2TH", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=YEARLY;BYDAY=-1MO", dt.date(2024, 12, 30), dt.time(8, 30)),
        ("FREQ=YEARLY;BYDAY=-1MO;BYMONTH=12", dt.date(2024, 12, 30), dt.time(8, 30)),
        ("FREQ=YEARLY;BYDAY=53MO", dt.date(2024, 12, 30), dt.time(8, 30)),
        ("FREQ=YEARLY", dt.date(2024, 2, 29), dt.time(8, 30)),
        ("FREQ=YEARLY;BYMONTH=3", dt.date(2024, 2, 29), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", dt.date(2024, 2, 29), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYMONTHDAY=31", dt.date(2024, 2, 29), dt.time(8, 30)),
        ("FREQ=WEEKLY;BYMONTH=2", dt.date(2024, 3, 1), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", dt.date(2024, 1, 1), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2", dt.date(2024, 1, 1), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=9TH", dt.date(2024, 1, 11), dt.time(8, 30)),
        ("FREQ=MONTHLY;BYDAY=2TH;DTSTART=20240111", dt.date(2024, 1, 11), dt.time(8, 30)),
    ],
)
def test_odd_values_get_the_probes_answer(rule: object, first: object, start: object) -> None:
    case = (rule, first, start, "Europe/Paris")
    expected = outcome(recurrence._probed_rule, *case)
    assert outcome(check_rule, *case) == expected
    assert outcome(build_rule, *case) == expected


def test_the_refusals_read_as_before() -> None:
    # The messages themselves, as the probe has always given them.
    paris = "Europe/Paris"
    assert outcome(
        check_rule, "FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 12), dt.time(8), paris
    ) == (
        "ValueError",
        "first_date 2024-01-12 is not an occurrence of the rule",
    )
    assert outcome(
        check_rule, "FREQ=WEEKLY;UNTIL=20240110", dt.date(2024, 1, 11), dt.time(8, 30), paris
    ) == ("ValueError", "UNTIL is before first_date 2024-01-11 08:30:00")


def _series(rule: str, first: dt.date) -> MeetingSeries:
    return MeetingSeries(
        id="s",
        name=Text(fr="Série"),
        first_date=first,
        start_time=dt.time(18, 30),
        duration=dt.timedelta(hours=1),
        rule=rule,
    )


def test_a_series_builds_its_rule_when_first_expanded_over_months() -> None:
    series = _series("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11))
    assert id(series) not in recurrence._by_owner
    # Two months are told a day at a time: no rule is built for them.
    got = [
        m.start.isoformat() for m in series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    ]
    assert got == ["2024-01-11T18:30:00+01:00", "2024-02-08T18:30:00+01:00"]
    assert id(series) not in recurrence._by_owner
    # A year is run by dateutil, and the rule is kept with its series.
    got = [
        m.start.isoformat() for m in series.occurrences(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    ]
    assert got[:2] == ["2024-01-11T18:30:00+01:00", "2024-02-08T18:30:00+01:00"]
    assert len(got) == 12
    assert got[-1] == "2024-12-12T18:30:00+01:00"
    assert recurrence._by_owner[id(series)][0]() is series


def test_the_date_test_of_a_series_goes_with_it() -> None:
    """What tells a short window's dates is kept per living series, not for ever."""
    import gc

    from nogentech import meetings

    series = _series("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11))
    ident = id(series)
    series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    assert meetings._TOLD[ident][0]() is series
    again = series.occurrences(dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert [m.start.isoformat() for m in again] == ["2024-02-08T18:30:00+01:00"]
    del series, again  # an occurrence holds its series
    gc.collect()
    assert ident not in meetings._TOLD


def test_a_rule_the_arithmetic_leaves_to_dateutil_is_built_and_kept_at_once() -> None:
    # BYSETPOS in a YEARLY rule: the first Monday of each year.
    series = _series("FREQ=YEARLY;BYDAY=MO;BYSETPOS=1", dt.date(2024, 1, 1))
    assert recurrence._by_owner[id(series)][0]() is series
    with pytest.raises(ValueError, match="not an occurrence") as caught:
        _series("FREQ=YEARLY;BYDAY=MO;BYSETPOS=1", dt.date(2024, 1, 8))
    assert str(caught.value) == (
        "invalid recurrence rule 'FREQ=YEARLY;BYDAY=MO;BYSETPOS=1': "
        "first_date 2024-01-08 is not an occurrence of the rule"
    )


@st.composite
def counted_series(draw: st.DrawFn) -> tuple[MeetingSeries, list[dt.date]]:
    """A valid series whose rule has a COUNT, and dates from its first on."""
    rule, first, start, timezone = draw(cases())
    upper = rule.upper()
    assume("UNTIL" not in upper and "COUNT" not in upper)
    assume("BYWEEKNO" not in upper and "BYYEARDAY" not in upper)
    # Intervals that divide the calendar's 400-year cycle, so that dateutil (the
    # reference) finds the COUNT dates before year 9999 (see test_series_dates_told).
    assume("INTERVAL" not in upper or any(f"INTERVAL={n};" in upper + ";" for n in (1, 2)))
    assume(outcome(recurrence._probed_rule, rule, first, start, timezone) is None)
    count = draw(st.sampled_from((1, 2, 3, 12, 40, 60)))
    series = MeetingSeries(
        id="s",
        name=Text(fr="Série"),
        first_date=first,
        start_time=start,
        duration=dt.timedelta(hours=1),
        rule=f"{rule};COUNT={count}",
        timezone=timezone,
    )
    offsets = draw(st.lists(st.integers(0, 20 * 366), min_size=1, max_size=6))
    return series, [first + dt.timedelta(days=n) for n in offsets]


@settings(max_examples=300, deadline=None)
@given(drawn=counted_series())
def test_dates_of_a_counted_rule_are_told_as_dateutil_gives_them(
    drawn: tuple[MeetingSeries, list[dt.date]],
) -> None:
    series, dates = drawn
    dates = [d for d in dates if d <= dt.date(2199, 12, 31)]
    assume(dates)
    reference = recurrence._probed_rule(
        series.rule, series.first_date, series.start_time, series.timezone
    )
    given_dates = {stamp.date() for stamp in reference}  # COUNT ends the rule
    assert meetings.off_rule_dates(series, dates) == frozenset(set(dates) - given_dates)


def test_a_count_the_dates_cannot_reach_is_not_run_by_dateutil(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    series = _series("FREQ=MONTHLY;BYDAY=-1FR;COUNT=60", dt.date(2021, 10, 29))
    monkeypatch.setattr(meetings, "_series_rule", None)  # would fail if called
    wanted = [dt.date(2023, 5, 26), dt.date(2025, 2, 28), dt.date(2025, 2, 21)]
    assert meetings.off_rule_dates(series, wanted) == {dt.date(2025, 2, 21)}
    # 60 months on, the COUNT may cut: dateutil is asked.
    monkeypatch.undo()
    last = [dt.date(2026, 9, 25), dt.date(2026, 10, 30)]
    assert meetings.off_rule_dates(series, last) == {dt.date(2026, 10, 30)}


@settings(max_examples=300, deadline=None)
@given(
    days=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=5, unique=True),
    positions=st.lists(
        st.sampled_from((1, 2, 3, 5, -1, -2, -5, 7, -23)), min_size=1, max_size=3, unique=True
    ),
    step=st.sampled_from((1, 2, 3)),
    first=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
    offsets=st.lists(st.integers(0, 3000), min_size=1, max_size=8),
)
def test_dates_of_a_monthly_rule_with_bysetpos_are_told_as_dateutil_gives_them(
    days: list[str], positions: list[int], step: int, first: dt.date, offsets: list[int]
) -> None:
    rule = (
        f"FREQ=MONTHLY;INTERVAL={step};BYDAY={','.join(days)};"
        f"BYSETPOS={','.join(map(str, positions))}"
    )
    probe = [first + dt.timedelta(days=n) for n in range(31)]
    first = next(
        (d for d in probe if outcome(check_rule, rule, d, dt.time(9), "UTC") is None), first
    )
    assume(outcome(check_rule, rule, first, dt.time(9), "UTC") is None)
    series = attrs.evolve(_series(rule, first), timezone="UTC", start_time=dt.time(9))
    dates = [first + dt.timedelta(days=n) for n in offsets]
    reference = recurrence._probed_rule(rule, first, dt.time(9), "UTC")
    lo = dt.datetime.combine(first, dt.time(0), tzinfo=dt.UTC)
    hi = dt.datetime.combine(max(dates) + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    given_dates = {stamp.date() for stamp in reference.between(lo, hi, inc=True)}
    assert meetings.off_rule_dates(series, dates) == frozenset(set(dates) - given_dates)
    assert meetings._date_test(series) is not None


@st.composite
def monthly_bysetpos(draw: st.DrawFn) -> tuple[dict[str, str], dt.date]:
    """The parts of a MONTHLY rule with BYSETPOS, and a first date."""
    first = draw(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)))
    rule = ["FREQ=MONTHLY"]
    kind = draw(st.sampled_from(("weekdays", "ordinals", "month-days", "none")))
    if kind == "weekdays":
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=5, unique=True))
        rule.append("BYDAY=" + ",".join(days))
    elif kind == "ordinals":
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        numbers = st.sampled_from((1, 2, 3, 4, 5, -1, -2, -5))
        rule.append("BYDAY=" + ",".join(f"{draw(numbers)}{day}" for day in days))
    elif kind == "month-days":
        days = draw(
            st.lists(st.integers(-31, 31).filter(bool), min_size=1, max_size=4, unique=True)
        )
        if draw(st.booleans()):
            days.append(first.day)
        rule.append("BYMONTHDAY=" + ",".join(map(str, sorted(set(days)))))
    if draw(st.booleans()):
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
        rule.append("BYMONTH=" + ",".join(map(str, sorted({*months, first.month}))))
    positions = draw(
        st.lists(
            st.sampled_from((1, 2, 3, 5, 20, 31, -1, -2, -3, -23, -31)),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    rule.append("BYSETPOS=" + ",".join(map(str, positions)))
    try:
        return parse_rule(";".join(rule)), first
    except ValueError:
        assume(False)
        raise


@settings(max_examples=800, deadline=None)
@given(case=monthly_bysetpos())
def test_the_first_date_of_a_monthly_rule_with_bysetpos_is_told_as_dateutil_tells_it(
    case: tuple[dict[str, str], dt.date],
) -> None:
    parts, first = case
    fast = recurrence._first_is_occurrence(parts, first)
    assert fast is not None
    assert fast == recurrence._starts_the_rule(parts, dt.datetime.combine(first, dt.time(9)))


def test_a_last_working_day_rule_is_checked_without_dateutil() -> None:
    probe = (
        "import sys, datetime as dt\n"
        "from nogentech.recurrence import check_rule\n"
        "rule = 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1'\n"
        "check_rule(rule, dt.date(2024, 1, 31), dt.time(9), 'Europe/Paris')\n"
        "try:\n"
        "    check_rule(rule, dt.date(2024, 1, 30), dt.time(9), 'Europe/Paris')\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
        "print('dateutil' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "first_date 2024-01-30 is not an occurrence of the rule",
        "False",
    ]
