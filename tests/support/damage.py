"""Hypothesis strategies for damaged cluster data: valid clusters dumped to plain data,
then hit at random places with wrong types, values out of range, odd rules, extreme
dates and durations and hostile text.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

import nogentech
from nogentech.testing import clusters

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

EDGE_DATES = (
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "1970-01-01",
    "2024-02-29",
    "2023-02-29",
    "2199-12-31",
    "2200-01-01",
    "9999-12-31",
    "2024-13-01",
    "20240111",
    "2024-W02-4",
)
EDGE_DATETIMES = (
    "1900-01-01T00:00:00+14:00",
    "1900-01-01T00:00:00-12:00",
    "2199-12-31T23:59:59-12:00",
    "2199-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59+00:00",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00.123456+01:00:30",
    "2024-06-30T23:59:60Z",
)
EDGE_DURATIONS = (
    "PT0S",
    "PT1S",
    "P366D",
    "P367D",
    "P52W",
    "P9999999D",
    "P99999999999999999999D",
    "PT1.5S",
    "P1Y",
    "-PT1H",
    "PT" + "9" * 5000 + "S",
)
EDGE_NUMBERS = (
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    2**63,
    10**20,
    -(2**31),
    9999,
    10000,
    1.5,
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -0.0,
)
HOSTILE_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\x7f",
    "\ud800",
    "x\udfffy",
    "\ufeff",
    "\u2028\u2029",
    "\r\n",
    "\r",
    "ligne 1\r\nligne 2",
    "END:VCALENDAR\r\nBEGIN:VEVENT",
    "\\n\\N;,:",
    "<script>alert(1)</script>",
    "é" * 5000,
    "🎉" * 300,
    "‮gnp.exe",
    "javascript:alert(1)",
    "https://example.org/\r\nX-Injected: 1",
)
CODES = ("FR", "DE", "UK", "FRA", "fr", "ZZ", "", "F", "FRANCE", "US")
ZONES = (
    "Europe/Paris",
    "UTC",
    "Etc/GMT+12",
    "Etc/GMT-14",
    "Pacific/Kiritimati",
    "Factory",
    "Europe/Nogent",
    "",
    " Europe/Paris",
    "../etc/passwd",
    "EST5EDT",
)


@st.composite
def odd_rules(draw: st.DrawFn) -> str:
    """RRULE text put together from parts, most of them out of range or out of place."""
    freq = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SECONDLY")))
    parts = [f"FREQ={freq}"]
    choices = {
        "INTERVAL": st.sampled_from(("0", "1", "2", "7", "1000", "1001", "1" + "0" * 20)),
        "COUNT": st.sampled_from(("0", "1", "3", str(2**31 - 1), str(2**31), "1" + "0" * 20)),
        "UNTIL": st.sampled_from(
            ("20240101", "20240101T000000Z", "21991231", "22000101", "99991231", "2024-01-01")
        ),
        "BYDAY": st.lists(
            st.builds(
                lambda n, d: f"{n}{d}",
                st.sampled_from(("", "1", "-1", "5", "-5", "6", "53", "54", "0", "+2")),
                st.sampled_from(WEEKDAYS),
            ),
            min_size=1,
            max_size=3,
        ).map(",".join),
        "BYMONTHDAY": st.lists(st.integers(-32, 32), min_size=1, max_size=3).map(
            lambda v: ",".join(map(str, v))
        ),
        "BYMONTH": st.lists(st.integers(0, 13), min_size=1, max_size=3).map(
            lambda v: ",".join(map(str, v))
        ),
        "BYSETPOS": st.sampled_from(("1", "-1", "5", "0", "367")),
        "BYWEEKNO": st.sampled_from(("1", "53", "-53", "54", "0")),
        "BYYEARDAY": st.sampled_from(("1", "366", "-366", "367", "0")),
        "BYHOUR": st.just("9"),
        "WKST": st.sampled_from(("MO", "SU", "XX")),
        "X-NAME": st.just("1"),
    }
    for name in draw(st.lists(st.sampled_from(sorted(choices)), unique=True, max_size=4)):
        parts.append(f"{name}={draw(choices[name])}")
    if draw(st.booleans()):
        parts = draw(st.permutations(parts))
    text = ";".join(parts)
    return text.lower() if draw(st.integers(0, 9)) == 0 else text


@st.composite
def anchored_odd_series(draw: st.DrawFn) -> tuple[str, str]:
    """A rule and a first date it gives: sparse rules, extreme years, big intervals.

    The BYxxx parts are read off the first date itself, so it is always an
    occurrence; the rest of the rule may still make the series sparse.
    """
    first = draw(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)))
    freq = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY", "YEARLY")))
    last = calendar.monthrange(first.year, first.month)[1]
    weekday = WEEKDAYS[first.weekday()]
    yearday = first.timetuple().tm_yday
    year_len = 366 if calendar.isleap(first.year) else 365
    options = {
        "BYMONTH": str(first.month),
        "BYMONTHDAY": draw(st.sampled_from((str(first.day), str(first.day - last - 1)))),
        "BYDAY": weekday,
    }
    if freq == "MONTHLY":
        nth, nth_last = (first.day - 1) // 7 + 1, (last - first.day) // 7 + 1
        options["BYDAY"] = draw(st.sampled_from((f"{nth}{weekday}", f"-{nth_last}{weekday}")))
    if freq == "YEARLY":
        options["BYYEARDAY"] = draw(st.sampled_from((str(yearday), str(yearday - year_len - 1))))
        options["BYWEEKNO"] = str(first.isocalendar()[1])
    if freq == "WEEKLY":
        del options["BYMONTHDAY"]
    chosen = draw(st.lists(st.sampled_from(sorted(options)), unique=True))
    if "BYWEEKNO" in chosen and freq == "YEARLY":
        chosen = [c for c in chosen if c != "BYMONTH"]
    parts = [f"FREQ={freq}", *(f"{k}={options[k]}" for k in chosen)]
    interval = draw(st.sampled_from((1, 2, 3, 7, 400, 1000)))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    end = draw(st.sampled_from(("none", "count", "until")))
    if end == "count":
        parts.append(f"COUNT={draw(st.sampled_from((1, 2, 50, 2**31 - 1)))}")
    elif end == "until":
        parts.append(f"UNTIL={draw(st.sampled_from(('21991231', '21991231T235959Z')))}")
    return ";".join(parts), first.isoformat()


def _places(data: Any, depth: int = 0) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) of the nested ``data``, the containers themselves included."""
    if isinstance(data, dict):
        for key in data:
            yield data, key
            yield from _places(data[key], depth + 1)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield data, index
            yield from _places(item, depth + 1)


def bad_values(key: object) -> st.SearchStrategy[Any]:
    """A value to put at ``key``: of the wrong type, out of range, odd, or merely other."""
    simple = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(EDGE_NUMBERS),
        st.integers(),
        st.floats(),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=20),
    )
    containers = st.one_of(
        st.lists(simple, max_size=3),
        st.dictionaries(st.sampled_from(("fr", "en", "id", "x")), simple, max_size=2),
        st.just([[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]),
    )
    by_key = {
        "rule": st.one_of(odd_rules(), st.sampled_from(HOSTILE_TEXT)),
        "timezone": st.sampled_from(ZONES),
        "holiday_country": st.sampled_from(CODES),
        "duration": st.sampled_from(EDGE_DURATIONS),
        "sequence": st.sampled_from(EDGE_NUMBERS),
        "updated": st.sampled_from(EDGE_DATETIMES),
        "start_time": st.sampled_from(("00:00", "23:59:59", "24:00", "8:30", "08:30:00.5")),
    }
    dated = st.sampled_from(EDGE_DATES)
    special = by_key.get(key) if isinstance(key, str) else None
    if special is None and isinstance(key, str) and ("date" in key or key in ("cancelled",)):
        special = dated
    if special is None and key in ("founded", "since", "until", "postponed_from", "start"):
        special = st.one_of(st.sampled_from(EDGE_NUMBERS), dated, st.just("99999"))
    strategies = [simple, containers] + ([special] * 3 if special is not None else [])
    return st.one_of(*strategies)


@st.composite
def damaged_data(draw: st.DrawFn) -> dict[str, Any]:
    """A generated valid cluster as plain data, with zero to four places damaged."""
    data = nogentech.to_dict(draw(clusters()))
    if data.get("meeting_series") and draw(st.integers(0, 3)) == 0:
        rule, first = draw(anchored_odd_series())
        data["meeting_series"][0].update(rule=rule, first_date=first)
        for name in ("overrides", "cancelled"):
            data["meeting_series"][0].pop(name, None)
    for _ in range(draw(st.integers(0, 4))):
        places = list(_places(data))
        how = draw(st.integers(0, 9))
        if how == 0 and places:  # a field or an item taken away
            container, key = draw(st.sampled_from(places))
            del container[key]
        elif how == 1:  # a field no schema has
            targets = [data, *(c[k] for c, k in places if isinstance(c[k], dict))]
            draw(st.sampled_from(targets))[draw(st.sampled_from(("colour", "x-y", "")))] = 1
        elif places:
            container, key = draw(st.sampled_from(places))
            container[key] = copy.deepcopy(draw(bad_values(key)))
    return data
