"""RFC 5545 text rules of the ``ics`` exporter: escaping, line ends and octet folding.

Texts are checked by reading the feed back with two independent parsers,
``icalendar`` and ``ical``, and by looking at the raw bytes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

import nogentech
from nogentech import Cluster, Company, MeetingSeries, Override, Place, Sector, Text

FIRST = dt.date(2024, 1, 11)


def cluster_with(
    topic: str, description: str, venue: str, sector: str, organiser: str = "O"
) -> Cluster:
    """A cluster whose one programmed occurrence carries the given texts, organised by
    a company named ``organiser`` (the CN of the ORGANIZER)."""
    return Cluster(
        id="c",
        name="C",
        updated=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        companies=(Company(id="o", name=organiser, email="o@example.org"),),
        places=(Place(id="v", kind="venue", name=Text(fr=venue)),),
        sectors=(Sector(id="s", kind="trade", name=Text(fr=sector)),),
        meeting_series=(
            MeetingSeries(
                id="m",
                name=Text(fr="Série"),
                first_date=FIRST,
                start_time=dt.time(8, 30),
                duration=dt.timedelta(hours=2),
                rule="FREQ=MONTHLY;BYDAY=2TH",
                venue="v",
                sectors=("s",),
                organisers=("o",),
                overrides=(
                    Override(date=FIRST, topic=Text(fr=topic), description=Text(fr=description)),
                ),
            ),
        ),
    )


def expected(text: str) -> str:
    """What a TEXT value can carry of ``text``.

    RFC 5545 has one escape for a line break and none for a carriage return, so CR LF
    and a lone CR are read as LF; TEXT excludes control characters other than tab,
    so those are dropped, and so is U+FEFF (a byte order mark parsers strip).
    "Exactly" means equal to this, character for character.
    """
    text = re.sub("\r\n?", "\n", text)
    return "".join(c for c in text if c in "\t\n" or not (c < " " or c in "\x7f\ufeff"))


TRICKY = st.sampled_from(
    ["\r", "\n", "\r\n", ",", ";", "\\", ":", "\\N", "\\n", '"', "é", "œ", "ß", "🎉", "👩‍🔬", "\t"]
)
ANY_CHAR = st.characters(codec="utf-8")
PIECES = st.lists(st.one_of(TRICKY, ANY_CHAR.map(str)), max_size=40).map("".join)
LONG_LINE = st.lists(
    st.sampled_from(["é", "€", "🎉", "a", ",", "\\", "ü"]), min_size=250, max_size=250
).map(lambda chars: "".join(chars) * 4)  # 1,000 characters on one line
TEXTS = st.one_of(PIECES, LONG_LINE)


def non_empty(text: str) -> bool:
    return bool(text)


def summary_texts(data: bytes) -> dict[str, tuple[str, str, str, list[str]]]:
    """(summary, description, location, categories) of each VEVENT, by RECURRENCE-ID presence."""
    out = {}
    for event in Calendar.from_ical(data).events:
        key = "override" if "RECURRENCE-ID" in event else "master"
        out[key] = (
            str(event["SUMMARY"]),
            str(event.get("DESCRIPTION", "")),
            str(event["LOCATION"]),
            [str(c) for c in event.categories],
        )
    return out


def check_lines(data: bytes) -> None:
    """CR LF line ends; each physical line at most 75 octets and whole UTF-8."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line
        line.decode("utf-8")  # raises if a fold split a character


@settings(max_examples=60, deadline=None)
@given(
    topic=TEXTS.filter(non_empty),
    description=TEXTS.filter(non_empty),
    venue=TEXTS.filter(non_empty),
    sector=TEXTS.filter(non_empty),
    organiser=TEXTS.filter(non_empty),
)
def test_texts_round_trip_through_two_parsers(
    topic: str, description: str, venue: str, sector: str, organiser: str
) -> None:
    """SUMMARY, DESCRIPTION, LOCATION, CATEGORIES and the organiser's CN read back by
    icalendar and by ical equal the data's texts once line breaks are normalised (see
    :func:`expected`); the CN parameter is written with RFC 6868 escapes, its tabs as
    spaces (parameter text is one line).

    RFC 5545 has no backslash escape in parameter values, and ical reads ``CN=a\\,b``
    as ``a\\,b``, but icalendar drops the backslash: a CN holding a backslash is
    compared through ical only.

    ical reads ``CATEGORIES:a\\,b`` as two values, against RFC 5545 (icalendar reads
    one, ``a,b``), so a category holding a comma is compared through icalendar only.
    """
    data = nogentech.export(cluster_with(topic, description, venue, sector, organiser), "ics")
    check_lines(data)
    want_summary = expected(topic)
    want_description = "\n".join(
        ["Série", expected(topic), expected(description), "Lieu : " + expected(venue)]
    )
    got = summary_texts(data)["override"]
    assert got == (want_summary, want_description, expected(venue), [expected(sector)])
    want_cn = expected(organiser).replace("\t", " ")
    if "\\" not in organiser:  # icalendar reads a backslash in a parameter as an escape
        organizers = [e["ORGANIZER"] for e in Calendar.from_ical(data).events]
        assert [o.params["CN"] for o in organizers] == [want_cn] * 2

    parsed = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    (occurrence,) = [e for e in parsed.events if e.recurrence_id is not None]
    assert occurrence.summary == want_summary
    assert occurrence.description == want_description
    assert occurrence.location == expected(venue)
    assert [e.organizer.common_name for e in parsed.events] == [want_cn] * 2
    if "," not in expected(sector):  # ical splits CATEGORIES at escaped commas too
        assert occurrence.categories == [expected(sector)]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a,b;c\\d", "a\\,b\\;c\\\\d"),
        ("C:\\Nogent", "C:\\\\Nogent"),
        ("one\r\ntwo\rthree\nfour", "one\\ntwo\\nthree\\nfour"),
        ("bell\x07tab\tend\ufeff", "belltab\tend"),
    ],
)
def test_text_escaping_on_the_wire(text: str, escaped: str) -> None:
    """Backslash, semicolon, comma and line breaks are escaped; a backslash before
    ``N`` stays a backslash (it is not turned into a line break)."""
    data = nogentech.export(cluster_with(text, "d", "v", "s"), "ics")
    unfolded = data.decode("utf-8").replace("\r\n ", "")
    assert f"\r\nSUMMARY:{escaped}\r\n" in unfolded


def test_category_separators_are_not_escaped() -> None:
    cluster = cluster_with("t", "d", "v", "Forge, estampage; pièces")
    data = nogentech.export(cluster, "ics")
    assert b"\r\nCATEGORIES:Forge\\, estampage\\; pi\xc3\xa8ces\r\n" in data


def test_folding_counts_octets_and_never_splits_a_character() -> None:
    """A 1,000-character French line with emoji is folded into lines of at most 75
    octets; each fold falls between two characters, and unfolding restores the text."""
    topic = ("Forgeage à chaud, étirage 🎉 " * 40)[:1000]
    data = nogentech.export(cluster_with(topic, "d", "v", "s"), "ics")
    check_lines(data)
    start = data.index(b"\r\nSUMMARY:Forgeage") + 2
    end = data.index(b"\r\n", start)
    while data[end + 2 : end + 3] == b" ":
        end = data.index(b"\r\n", end + 2)
    physical = data[start:end].split(b"\r\n")
    assert len(physical) > 14
    assert all(len(line) <= 75 for line in physical)
    assert max(len(line) for line in physical) >= 72  # filled, not folded early
    assert all(line.startswith(b" ") for line in physical[1:])
    joined = b"".join([physical[0], *(line[1:] for line in physical[1:])])
    assert joined.decode("utf-8") == "SUMMARY:" + topic.replace(",", "\\,")


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("bell\x07name", "CN=bellname"),
        ("two\r\nlines", "CN=two^nlines"),
        ('say "hi"', "CN=\"say ^'hi^'\""),
        ("A; B, C: D", 'CN="A; B, C: D"'),
        ("\ttab\t", 'CN=" tab "'),
    ],
)
def test_organizer_cn_is_clean_parameter_text(name: str, written: str) -> None:
    """The organiser's name as CN: forbidden controls dropped, tabs as spaces, line
    breaks and quotes in RFC 6868 form, quoted when it holds ``;``, ``,`` or ``:``;
    both parsers keep the ORGANIZER and read the name back."""
    data = nogentech.export(cluster_with("t", "d", "v", "s", name), "ics")
    check_lines(data)
    unfolded = data.decode("utf-8").replace("\r\n ", "")
    assert f"\r\nORGANIZER;{written}:mailto:o@example.org\r\n" in unfolded
    want = expected(name).replace("\t", " ")
    assert [e["ORGANIZER"].params["CN"] for e in Calendar.from_ical(data).events] == [want] * 2
    parsed = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    assert [e.organizer.common_name for e in parsed.events] == [want] * 2
