"""Holiday names: looked up only when a meeting's holiday is read, and kept between runs."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import pickle
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import holidays
import pytest

from nogentech import Cluster, Meeting, Override, Text, caches, meetings, recurrence
from nogentech.recurrence import holiday_names
from tests.support.series import thursdays


def library_names(country: str, year: int) -> dict[dt.date, tuple[str, str]]:
    """The names straight from the holiday library, as the model has always asked for them."""
    supported = holidays.country_holidays(country).supported_languages
    fr = "fr" if "fr" in supported else None
    en = "en_US" if "en_US" in supported else None
    french = holidays.country_holidays(country, years=year, language=fr)
    english = holidays.country_holidays(country, years=year, language=en)
    return {day: (str(name), str(english.get(day) or name)) for day, name in french.items()}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory, and a table store that forgets what it read before."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(caches.CACHE_ENV, str(directory))
    recurrence._HOLIDAYS.forget()
    recurrence._holidays.cache_clear()
    meetings._holidays.cache_clear()
    yield directory
    recurrence._HOLIDAYS.forget()
    recurrence._holidays.cache_clear()
    meetings._holidays.cache_clear()


class Counted:
    """Wraps a function and counts its calls."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.function(*args)


def new_run() -> None:
    """What a new process starts with: nothing in memory, the cache directory as it is."""
    recurrence._HOLIDAYS.flush()
    recurrence._HOLIDAYS.forget()
    recurrence._holidays.cache_clear()
    meetings._holidays.cache_clear()


# -- looked up when read --------------------------------------------------------------


def test_expanding_a_series_looks_up_no_holiday(monkeypatch: pytest.MonkeyPatch) -> None:
    counted = Counted(meetings._holidays)
    monkeypatch.setattr(meetings, "_holidays", counted)
    series = thursdays(overrides=(Override(date=dt.date(2024, 2, 8), topic=Text(fr="Sujet")),))
    found = series.occurrences(dt.date(2024, 1, 1), dt.date(2034, 1, 1))
    assert len(found) == 120
    assert counted.calls == []
    ascension = next(m for m in found if m.start.date() == dt.date(2024, 5, 9))
    assert ascension.holiday is not None
    assert counted.calls == [("FR", 2024)]
    assert ascension.holiday.fr == "Ascension"
    assert ascension.is_holiday
    assert counted.calls == [("FR", 2024)]  # looked up once, then kept
    assert found[1].override is not None
    assert found[1].holiday is None
    assert counted.calls == [("FR", 2024), ("FR", 2024)]


def test_the_holiday_read_is_the_one_of_the_start_date_in_the_country() -> None:
    found = thursdays().occurrences(dt.date(2024, 1, 1), dt.date(2036, 1, 1))
    for meeting in found:
        table = library_names("FR", meeting.start.year)
        names = table.get(meeting.start.date())
        expected = Text(fr=names[0], en=names[1]) if names else None
        assert meeting.holiday == expected
        assert meeting.is_holiday == (names is not None)
    assert sum(m.is_holiday for m in found) >= 5


def test_another_country_flags_its_own_holidays() -> None:
    german = thursdays(
        id="donnerstage", first_date=dt.date(2025, 10, 3), rule="FREQ=YEARLY", holiday_country="DE"
    )
    (unity,) = german.occurrences(dt.date(2025, 10, 1), dt.date(2025, 10, 4))
    assert unity.holiday is not None
    assert unity.holiday.en == "German Unity Day"
    (french,) = attrs.evolve(german, holiday_country="FR").occurrences(
        dt.date(2025, 10, 1), dt.date(2025, 10, 4)
    )
    assert french.holiday is None


def test_a_moved_occurrence_is_flagged_on_the_day_it_moved_to() -> None:
    series = thursdays(
        overrides=(Override(date=dt.date(2024, 4, 11), moved_to=dt.date(2024, 5, 1)),)
    )
    found = {
        m.recurrence_date: m for m in series.occurrences(dt.date(2024, 4, 1), dt.date(2024, 6, 1))
    }
    assert found[dt.date(2024, 4, 11)].start.date() == dt.date(2024, 5, 1)
    moved = found[dt.date(2024, 4, 11)].holiday
    assert moved is not None
    assert moved.fr == "Fête du Travail"
    assert found[dt.date(2024, 5, 9)].holiday == Text(fr="Ascension", en="Ascension Day")


def test_without_a_holiday_country_nothing_is_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    counted = Counted(meetings._holidays)
    monkeypatch.setattr(meetings, "_holidays", counted)
    found = thursdays(holiday_country=None).occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    assert [(m.id, m.holiday, m.is_holiday) for m in found] == [("jeudis/2024-05-09", None, False)]
    assert counted.calls == []


def test_a_meeting_compares_equal_with_the_same_holiday_given() -> None:
    (meeting,) = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    given = Meeting(
        uid_base="jeudis",
        title=meeting.title,
        start=meeting.start,
        end=meeting.end,
        series=meeting.series,
        recurrence_date=dt.date(2024, 5, 9),
        cancelled=False,
        holiday=Text(fr="Ascension", en="Ascension Day"),
    )
    (again,) = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    assert again == given
    assert given == meeting
    assert meeting != attrs.evolve(given, holiday=Text(fr="Autre jour", en="Another day"))
    assert meeting != attrs.evolve(given, holiday=None)
    assert hash(given) == hash(meeting)


def test_hashing_a_meeting_looks_up_no_holiday(monkeypatch: pytest.MonkeyPatch) -> None:
    counted = Counted(meetings._holidays)
    monkeypatch.setattr(meetings, "_holidays", counted)
    found = thursdays().occurrences(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert len(set(found)) == len(found) == 12
    assert counted.calls == []


def test_the_holiday_is_in_asdict_repr_and_pickle() -> None:
    (meeting,) = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    assert attrs.asdict(meeting, recurse=False)["holiday"] == Text(
        fr="Ascension", en="Ascension Day"
    )
    (meeting,) = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    assert "holiday=Text(fr='Ascension', en='Ascension Day')" in repr(meeting)
    (meeting,) = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    copy = pickle.loads(pickle.dumps(meeting))
    assert copy.holiday == Text(fr="Ascension", en="Ascension Day")
    assert copy == meeting


def test_an_unknown_attribute_of_a_meeting_is_still_an_error() -> None:
    (meeting,) = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    with pytest.raises(AttributeError, match="'Meeting' object has no attribute 'holidays'"):
        meeting.holidays  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        meeting.holiday = None  # type: ignore[misc]


def test_cluster_windows_and_look_ups_keep_their_holidays() -> None:
    cluster = Cluster(id="c", name="C", meeting_series=(thursdays(),))
    (listed,) = cluster.meetings_between(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    assert listed.holiday == Text(fr="Ascension", en="Ascension Day")
    assert cluster.meeting("jeudis/2024-05-09").holiday == listed.holiday
    after = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert [m.holiday for m in cluster.upcoming(2, after)] == [listed.holiday, None]


# -- the codes the validator takes ------------------------------------------------------


def library_takes(code: str) -> bool:
    """Whether ``holidays.country_holidays`` gives a table for ``code`` (the former check)."""
    try:
        holidays.country_holidays(code)
    except Exception:  # NotImplementedError, or the TypeError of a constant such as JAN
        return False
    return True


def test_the_codes_taken_are_exactly_those_the_library_takes(cache: Path) -> None:
    two = ["".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2)]
    three = [
        code
        for entities in (
            *holidays.registry.COUNTRIES.values(),
            *holidays.registry.FINANCIAL.values(),
        )
        for code in entities
        if len(code) == 3
    ]
    others = ["JAN", "MON", "SUN", "ZZZ", "ABC", "QQ", "XK"]
    for code in [*two, *three, *others]:
        assert recurrence._known_country(code) == library_takes(code), code
    assert {"FR", "DE", "UK", "GBR", "FRA", "US"} <= recurrence._HOLIDAYS.codes()


def test_unknown_codes_are_still_refused_with_the_field_in_the_message() -> None:
    for bad in ("ZZ", "JAN", "fr", "FRAN", "", " FR", 12):
        with pytest.raises(ValueError, match="'holiday_country' must be a country code"):
            thursdays(holiday_country=bad)
    assert thursdays(holiday_country="GBR").holiday_country == "GBR"


# -- kept between runs --------------------------------------------------------------------


def test_the_tables_kept_are_the_librarys_own(cache: Path) -> None:
    for country, year in (("FR", 2024), ("FR", 2031), ("DE", 2025), ("CA", 2026)):
        assert holiday_names(country, year) == library_names(country, year)
    new_run()
    for country, year in (("FR", 2024), ("FR", 2031), ("DE", 2025), ("CA", 2026)):
        assert holiday_names(country, year) == library_names(country, year)


def test_a_new_run_reads_the_tables_without_the_library(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = holiday_names("FR", 2024)
    assert recurrence._known_country("FR")
    new_run()
    assert [p.name.startswith("holidays-") for p in cache.iterdir()] == [True]

    def refuse(*args: Any) -> Any:
        raise AssertionError("the holiday library was asked again")

    monkeypatch.setattr(recurrence, "_library_table", refuse)
    monkeypatch.setitem(sys.modules, "holidays.registry", None)  # an import would fail
    assert holiday_names("FR", 2024) == expected
    assert recurrence._known_country("FR")
    assert not recurrence._known_country("ZZ")


def test_each_table_is_computed_once_over_runs(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = Counted(recurrence._library_table)
    monkeypatch.setattr(recurrence, "_library_table", counted)
    holiday_names("FR", 2024)
    holiday_names("FR", 2025)
    new_run()
    holiday_names("FR", 2024)
    holiday_names("FR", 2026)
    new_run()
    for year in (2024, 2025, 2026):
        holiday_names("FR", year)
    assert [args[:2] for args in counted.calls] == [("FR", 2024), ("FR", 2025), ("FR", 2026)]


def test_another_version_of_the_library_computes_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = Counted(recurrence._library_table)
    monkeypatch.setattr(recurrence, "_library_table", counted)
    holiday_names("FR", 2024)
    new_run()
    monkeypatch.setattr(recurrence, "_library_signature", lambda: b"holidays 999.0")
    assert holiday_names("FR", 2024) == library_names("FR", 2024)
    assert len(counted.calls) == 2


def test_the_library_signature_names_the_installed_version() -> None:
    signature = recurrence._library_signature().decode()
    assert f"holidays-{holidays.__version__}.dist-info" in signature
    assert str(Path(holidays.__file__).parent) in signature


def test_names_that_follow_the_locale_are_kept_per_locale(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library has no French names for Germany: they follow the locale's variables.
    for name in recurrence._LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    counted = Counted(recurrence._library_table)
    monkeypatch.setattr(recurrence, "_library_table", counted)
    monkeypatch.setenv("LANGUAGE", "de")
    german = holiday_names("DE", 2025)
    assert german[dt.date(2025, 10, 3)][0] == "Tag der Deutschen Einheit"
    new_run()
    monkeypatch.setenv("LANGUAGE", "uk")
    ukrainian = holiday_names("DE", 2025)
    assert ukrainian == library_names("DE", 2025)
    assert ukrainian != german
    new_run()
    monkeypatch.setenv("LANGUAGE", "de")
    assert holiday_names("DE", 2025) == german
    assert len(counted.calls) == 2
    # French names of France do not depend on the locale: one table for all.
    holiday_names("FR", 2025)
    new_run()
    monkeypatch.setenv("LANGUAGE", "uk")
    holiday_names("FR", 2025)
    assert len(counted.calls) == 3


def test_a_corrupt_or_unwritable_holiday_cache_is_only_a_miss(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holiday_names("FR", 2024)
    new_run()
    (path,) = cache.glob("holidays-*.marshal")
    path.write_bytes(path.read_bytes()[:-10])
    assert holiday_names("FR", 2024) == library_names("FR", 2024)
    new_run()
    assert holiday_names("FR", 2024) == library_names("FR", 2024)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(caches.CACHE_ENV, str(blocker / "cache"))
    new_run()
    assert holiday_names("FR", 2027) == library_names("FR", 2027)
    new_run()


def test_a_process_with_the_tables_kept_does_not_import_the_library(tmp_path: Path) -> None:
    code = (
        "import datetime as dt, json, sys\n"
        "from nogentech import MeetingSeries, Text\n"
        "from nogentech.recurrence import holiday_names\n"
        "names = holiday_names('FR', 2024)\n"
        "MeetingSeries(id='s', name=Text(fr='S'), first_date=dt.date(2024, 1, 1),\n"
        "    start_time=dt.time(9), duration=dt.timedelta(hours=1), rule='FREQ=DAILY',\n"
        "    holiday_country='DE')\n"
        "print(json.dumps({'imported': 'holidays' in sys.modules,\n"
        "    'names': {d.isoformat(): n for d, n in sorted(names.items())}}))\n"
    )
    env = {**os.environ, caches.CACHE_ENV: str(tmp_path / "cache")}

    def run() -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        return dict(json.loads(done.stdout))

    first, second = run(), run()
    assert first["imported"] is True
    assert second == {"imported": False, "names": first["names"]}
    expected = {d.isoformat(): list(n) for d, n in sorted(library_names("FR", 2024).items())}
    assert second["names"] == expected
