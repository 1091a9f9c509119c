"""The model: validators of the value types, and the Cluster's look-ups, queries and checks."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from importlib.resources import files

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import (
    Cluster,
    Company,
    DataError,
    Discrepancy,
    Event,
    KeyFigure,
    MeetingSeries,
    Milestone,
    Override,
    PartialDate,
    Person,
    Place,
    Problem,
    Role,
    Sector,
    Text,
    Variant,
)
from nogentech.testing import clusters, partial_dates
from nogentech.text import is_slug

SCHEMA_SLUG = json.loads(files("nogentech").joinpath("data/cluster.schema.json").read_text())[
    "$defs"
]["Slug"]["pattern"]
"""The slug pattern the published JSON schema gives front-ends."""

# -- slugs ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a", "forges-a", "seed-000", "a1-b2-c3", "2009"])
def test_slug_accepts_lowercase_words_joined_by_hyphens(value: str) -> None:
    assert is_slug(value)


@pytest.mark.parametrize(
    "value", ["", "Forges", "forges a", "a--b", "-a", "a-", "a_b", "forgé", "a.b", 3, None]
)
def test_slug_rejects_anything_else(value: object) -> None:
    assert not is_slug(value)


def test_slug_is_what_the_schemas_pattern_matches() -> None:
    """The model's check takes exactly the strings of the schemas' slug pattern.

    Every string of up to five characters from an alphabet with the edge cases
    (letters, digits, ``-``, an upper-case letter, ``_``, a letter outside ASCII,
    a newline that ``$`` would let through) is tried against the pattern the JSON
    schemas publish, read with ``fullmatch``.
    """
    schema = re.compile(SCHEMA_SLUG)
    assert schema.pattern == "^[a-z0-9]+(?:-[a-z0-9]+)*$"
    alphabet = "az09-A_é\n"
    for size in range(6):
        for letters in itertools.product(alphabet, repeat=size):
            value = "".join(letters)
            assert is_slug(value) is (schema.fullmatch(value) is not None), value


@given(st.text(alphabet=st.sampled_from("abz019-A_ é\n"), max_size=40))
def test_slug_is_what_the_schemas_pattern_matches_longer_strings(value: str) -> None:
    assert is_slug(value) is (re.fullmatch(SCHEMA_SLUG, value) is not None)


def test_object_with_a_bad_id_names_the_field_and_the_value() -> None:
    with pytest.raises(ValueError) as info:
        Company(id="Forges A", name="Forges A")
    assert str(info.value) == (
        "'id' must be a slug: lowercase letters, digits, '-' (got 'Forges A')"
    )


def test_reference_list_must_be_a_tuple_of_distinct_slugs() -> None:
    with pytest.raises(TypeError) as info:
        Company(id="a", name="A", sectors=["forge"])  # type: ignore[arg-type]
    assert str(info.value) == "'sectors' must be a tuple (got list)"
    with pytest.raises(ValueError) as info2:
        Company(id="a", name="A", sectors=("forge", "forge"))
    assert str(info2.value) == "'sectors' repeats 'forge'"
    with pytest.raises(ValueError) as info3:
        Company(id="a", name="A", places=("Nogent",))
    assert str(info3.value) == "'places' must hold slugs (got 'Nogent')"


def test_enumerated_fields_list_their_values() -> None:
    with pytest.raises(ValueError) as info:
        Place(id="p", kind="city", name=Text(fr="P"))  # type: ignore[arg-type]
    assert info.value.args[0] == (
        "'kind' must be in ('country', 'region', 'departement', 'commune', 'venue') (got 'city')"
    )


# -- Text ----------------------------------------------------------------------


def test_text_needs_one_language() -> None:
    for bad in (Text, lambda: Text(fr=""), lambda: Text(fr="", en="")):
        with pytest.raises(ValueError) as info:
            bad()
        assert str(info.value) == "a text needs a French or an English value"


def test_text_values_are_strings() -> None:
    with pytest.raises(TypeError) as info:
        Text(fr=3)  # type: ignore[arg-type]
    assert str(info.value) == "'fr' must be a string (got int)"


def test_text_get_returns_the_language_or_falls_back_to_the_other() -> None:
    both = Text(fr="Forge", en="Forging")
    assert (both.get("fr"), both.get("en"), both.get()) == ("Forge", "Forging", "Forge")
    french = Text(fr="Estampage")
    assert (french.get("fr"), french.get("en")) == ("Estampage", "Estampage")
    english = Text(en="Stamping")
    assert (english.get("fr"), english.get("en")) == ("Stamping", "Stamping")
    assert (french.has("fr"), french.has("en")) == (True, False)
    assert str(english) == "Stamping"
    assert Text(fr="", en="Only English").get("fr") == "Only English"


# -- PartialDate ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2009", PartialDate(2009)),
        ("2006-06", PartialDate(2006, 6)),
        ("2023-07-12", PartialDate(2023, 7, 12)),
        (" 2024-02-29 ", PartialDate(2024, 2, 29)),
    ],
)
def test_partial_date_parses_year_month_or_day(text: str, expected: PartialDate) -> None:
    parsed = PartialDate.parse(text)
    assert parsed == expected
    assert parsed.isoformat() == text.strip()
    assert str(parsed) == text.strip()


@pytest.mark.parametrize("text", ["09", "2009-6", "2009-06-1", "2009/06", "juin 2009", ""])
def test_partial_date_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ValueError) as info:
        PartialDate.parse(text)
    assert str(info.value) == f"expected YYYY, YYYY-MM or YYYY-MM-DD (got {text!r})"


def test_partial_date_rejects_impossible_days_and_months() -> None:
    with pytest.raises(ValueError) as info:
        PartialDate.parse("2023-02-29")
    assert str(info.value) == "day is out of range for month"
    with pytest.raises(ValueError) as info2:
        PartialDate(2023, 13)
    assert str(info2.value) == "month must be 1 to 12 (got 13)"
    with pytest.raises(ValueError) as info3:
        PartialDate(2023, None, 5)
    assert str(info3.value) == "a partial date with a day needs a month"


def test_partial_dates_sort_by_time_then_precision() -> None:
    dates = [
        PartialDate(2009, 2),
        PartialDate(2010),
        PartialDate(2009, 1, 1),
        PartialDate(2009),
        PartialDate(2008, 12, 31),
        PartialDate(2009, 1),
    ]
    assert [d.isoformat() for d in sorted(dates)] == [
        "2008-12-31",
        "2009",
        "2009-01",
        "2009-01-01",
        "2009-02",
        "2010",
    ]
    assert PartialDate(2009) < PartialDate(2009, 1) < PartialDate(2009, 1, 1)
    assert PartialDate(2009, 12, 31) < PartialDate(2010)
    assert PartialDate(2009, 6).first_day() == dt.date(2009, 6, 1)


@settings(max_examples=200)
@given(partial_dates(), partial_dates())
def test_partial_date_order_agrees_with_first_day_then_precision(
    a: PartialDate, b: PartialDate
) -> None:
    def key(p: PartialDate) -> tuple[int, int, int]:
        return (p.year, p.month or 0, p.day or 0)

    assert (a < b) == (key(a) < key(b))
    assert (a == b) == (key(a) == key(b))


# -- other validators ----------------------------------------------------------


def test_object_level_rules_are_checked() -> None:
    with pytest.raises(ValueError) as info:
        Event(id="e", name=Text(fr="E"), date=dt.date(2024, 3, 2), end_date=dt.date(2024, 3, 1))
    assert str(info.value) == "'end_date' is before 'date'"
    with pytest.raises(ValueError) as info2:
        Event(id="e", name=Text(fr="E"), date=dt.date(2024, 3, 2), duration=dt.timedelta(hours=1))
    assert str(info2.value) == "'duration' needs a 'start_time'"
    with pytest.raises(ValueError) as info3:
        KeyFigure(id="k", subject="c", measure="jobs", value=3.0, unit="jobs")
    assert str(info3.value) == "a key figure needs a 'year' or 'sources'"
    with pytest.raises(ValueError) as info4:
        Override(date=dt.date(2024, 1, 11), updated=dt.datetime(2024, 1, 1, 9))
    assert str(info4.value) == (
        "'updated' must be a timezone-aware datetime (got datetime.datetime(2024, 1, 1, 9, 0))"
    )
    with pytest.raises(ValueError) as info5:
        Override(date=dt.date(2024, 1, 11), duration=dt.timedelta(0))
    assert str(info5.value) == "'duration' must be a positive duration (got 0:00:00)"
    with pytest.raises(ValueError):
        Discrepancy(id="d", subject=Text(fr="D"), variants=(Variant("1", "s"),))


def test_series_rejects_two_overrides_of_one_date() -> None:
    with pytest.raises(ValueError) as info:
        MeetingSeries(
            id="m",
            name=Text(fr="M"),
            first_date=dt.date(2024, 1, 11),
            start_time=dt.time(8, 30),
            duration=dt.timedelta(hours=2),
            rule="FREQ=MONTHLY;BYDAY=2TH",
            overrides=(Override(date=dt.date(2024, 2, 8)), Override(date=dt.date(2024, 2, 8))),
        )
    assert str(info.value) == "two overrides for 2024-02-08"


def test_person_employers_are_the_employee_roles() -> None:
    person = Person(
        id="p",
        name="P",
        roles=(
            Role(kind="president", of="c"),
            Role(kind="employee", of="a"),
            Role(kind="employee"),
            Role(kind="employee", of="b"),
        ),
    )
    assert person.employers() == ("a", "b")


# -- Cluster look-ups ----------------------------------------------------------


def ids(items: tuple[object, ...]) -> list[str]:
    return [item.id for item in items]  # type: ignore[attr-defined]


def test_get_finds_any_object_by_id(demo: Cluster) -> None:
    assert demo.get("forges-a") is demo.companies[1]
    assert demo.get("salle") is demo.places[5]
    assert demo.get("jeudis") is demo.meeting_series[0]
    assert demo.get("demo") is demo
    assert "alice" in demo
    assert "nobody" not in demo
    with pytest.raises(KeyError):
        demo.get("nobody")


def test_typed_look_ups_refuse_objects_of_another_kind(demo: Cluster) -> None:
    assert demo.company("usine-b").name == "Usine B"
    assert demo.person("bob").name == "Bob Durand"
    assert demo.place_of("nogent").within == "haute-marne"
    assert demo.sector("forge").parent == "metal"
    assert demo.sub_cluster("med").name == "MED"
    assert demo.commission("comm-env").members == ("forges-a", "alice")
    assert demo.series("jeudis").rule == "FREQ=MONTHLY;BYDAY=2TH"
    with pytest.raises(KeyError) as info:
        demo.company("med")
    assert info.value.args == ("no company with id 'med'",)
    with pytest.raises(KeyError) as info2:
        demo.sector("nowhere")
    assert info2.value.args == ("no sector with id 'nowhere'",)


def test_name_of_gives_a_readable_name_in_a_language(demo: Cluster) -> None:
    assert demo.name_of("alice") == "Alice Martin"
    assert demo.name_of("atelier") == "Atelier des forges"
    assert demo.name_of("atelier", "en") == "Forge workshop"
    assert demo.name_of("orthopedie", "en") == "Orthopédie"
    assert demo.name_of("label-2009") == "Label grappe d’entreprises"
    assert demo.name_of("demo") == "DEMO"
    assert demo.name_of("unknown-id") == "unknown-id"


def test_companies_in_sector_include_child_sectors(demo: Cluster) -> None:
    assert ids(demo.companies_in_sector("metal")) == ["forges-a", "usine-b", "estamp-c"]
    assert ids(demo.companies_in_sector("forge")) == ["forges-a", "estamp-c"]
    assert ids(demo.companies_in_sector("estampage")) == ["estamp-c"]
    assert ids(demo.companies_in_sector("conseil")) == []
    assert demo.sector_and_children("forge") == {"forge", "estampage"}
    with pytest.raises(KeyError):
        demo.companies_in_sector("nowhere")


def test_companies_in_market_only_for_markets(demo: Cluster) -> None:
    assert ids(demo.companies_in_market("medical")) == ["forges-a", "estamp-c"]
    assert ids(demo.companies_in_market("orthopedie")) == ["estamp-c"]
    with pytest.raises(KeyError) as info:
        demo.companies_in_market("forge")
    assert info.value.args == ("'forge' is not a market",)


def test_members_of_a_sub_cluster_in_the_data_order(demo: Cluster) -> None:
    assert ids(demo.members_of("med")) == ["estamp-c", "forges-a"]
    assert ids(demo.companies_in_sub_cluster("meca")) == ["usine-b", "forges-a"]
    with pytest.raises(KeyError):
        demo.members_of("forges-a")


def test_companies_in_a_place_include_places_inside_it(demo: Cluster) -> None:
    assert demo.places_within("nogent") == {"nogent", "atelier"}
    assert ids(demo.companies_in_commune("nogent")) == ["forges-a", "estamp-c"]
    assert ids(demo.companies_in_place("chaumont")) == ["usine-b", "ecole-d"]
    assert ids(demo.companies_in_place("haute-marne")) == [
        "forges-a",
        "usine-b",
        "estamp-c",
        "ecole-d",
    ]
    assert ids(demo.companies_in_place("salle")) == []


def test_sub_clusters_of_a_company(demo: Cluster) -> None:
    assert ids(demo.sub_clusters_of("forges-a")) == ["med", "meca"]
    assert ids(demo.sub_clusters_of("usine-b")) == ["meca"]
    assert ids(demo.sub_clusters_of("groupe-e")) == []
    with pytest.raises(KeyError):
        demo.sub_clusters_of("med")


def test_members_people_key_figures_and_board(demo: Cluster) -> None:
    assert ids(demo.members()) == ["forges-a", "usine-b"]
    assert ids(demo.people_of("forges-a")) == ["alice"]
    assert ids(demo.people_of("demo")) == ["alice", "bob"]
    assert ids(demo.people_of("med")) == ["bob"]
    assert ids(demo.people_of("groupe-e")) == []
    assert ids(demo.key_figures_for()) == ["kf-members", "kf-jobs"]
    assert ids(demo.key_figures_for("med")) == ["kf-med"]
    assert ids(demo.key_figures_for("forges-a")) == []
    assert [(p.id, kind) for p, kind in demo.board()] == [
        ("alice", "president"),
        ("bob", "vice-president"),
    ]


# -- references checked when a cluster is built in Python ----------------------


def problems(**collections: object) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as info:
        Cluster(id="c", name="C", **collections)  # type: ignore[arg-type]
    return [(p.path, p.message) for p in info.value.problems]


def test_unknown_reference_is_reported_with_its_path() -> None:
    assert problems(companies=(Company(id="a", name="A", sectors=("forgee",)),)) == [
        ("companies[0].sectors[0]", "unknown sector 'forgee'")
    ]


def test_reference_to_an_object_of_another_kind_says_what_it_is() -> None:
    assert problems(
        places=(Place(id="nogent", kind="commune", name=Text(fr="Nogent")),),
        companies=(Company(id="a", name="A", sectors=("nogent",)),),
    ) == [("companies[0].sectors[0]", "unknown sector 'nogent' (it is a place)")]


def test_ids_are_unique_across_collections_and_the_cluster() -> None:
    assert problems(
        places=(Place(id="x", kind="commune", name=Text(fr="X")),),
        sectors=(Sector(id="c", kind="trade", name=Text(fr="C")),),
        companies=(Company(id="x", name="X"), Company(id="y", name="Y"), Company(id="y", name="Z")),
    ) == [
        ("sectors[0].id", "duplicate id 'c' (first at id)"),
        ("companies[0].id", "duplicate id 'x' (first at places[0])"),
        ("companies[2].id", "duplicate id 'y' (first at companies[1])"),
    ]


def test_nested_references_are_checked_with_full_paths() -> None:
    series = MeetingSeries(
        id="m",
        name=Text(fr="M"),
        first_date=dt.date(2024, 1, 11),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=2),
        rule="FREQ=MONTHLY;BYDAY=2TH",
        venue="salle",
        overrides=(Override(date=dt.date(2024, 2, 8), speakers=("zed",)),),
    )
    found = problems(
        people=(Person(id="p", name="P", roles=(Role(kind="employee", of="acme"),)),),
        meeting_series=(series,),
        milestones=(
            Milestone(id="ms", kind="label", title=Text(fr="L"), subject="ghost", by=("c",)),
        ),
        key_figures=(
            KeyFigure(id="k", subject="p", measure="jobs", value=1.0, unit="u", year=2020),
        ),
        discrepancies=(
            Discrepancy(
                id="d",
                subject=Text(fr="D"),
                variants=(Variant("1", "seed-1"), Variant("2", "seed-2")),
            ),
        ),
    )
    assert found == [
        (
            "people[0].roles[0].of",
            "unknown company or sub-cluster or commission or cluster 'acme'",
        ),
        ("meeting_series[0].venue", "unknown place 'salle'"),
        ("meeting_series[0].overrides[0].speakers[0]", "unknown person or company 'zed'"),
        ("milestones[0].subject", "unknown id 'ghost'"),
        (
            "key_figures[0].subject",
            "unknown cluster or sub-cluster or company 'p' (it is a person)",
        ),
        ("discrepancies[0].variants[0].source", "unknown source 'seed-1'"),
        ("discrepancies[0].variants[1].source", "unknown source 'seed-2'"),
    ]


def test_data_error_text_lists_every_problem() -> None:
    error = DataError([Problem("a.b", "bad"), Problem("", "whole file")], source="f.toml")
    assert str(error) == "2 problems in f.toml:\n  a.b: bad\n  whole file"
    assert error.lines() == ["a.b: bad", "whole file"]
    assert str(DataError([Problem("x", "y")])) == "1 problem:\n  x: y"


def test_cluster_timezone_must_be_known() -> None:
    with pytest.raises(ValueError) as info:
        Cluster(id="c", name="C", timezone="Europe/Nogent")
    assert str(info.value) == (
        "'timezone' must be an IANA zone name such as 'Europe/Paris' (got 'Europe/Nogent')"
    )


@pytest.mark.parametrize(
    "name", ["localtime", "posixrules", "Factory", "right/Europe/Paris", "posix/Europe/Paris"]
)
def test_a_zone_file_that_names_no_place_is_refused(name: str) -> None:
    """Files the system keeps beside the zones, which zoneinfo opens but no client knows:
    ``localtime`` would make the same data mean the machine's own zone."""
    with pytest.raises(ValueError, match="must be an IANA zone name"):
        Cluster(id="c", name="C", timezone=name)
    with pytest.raises(nogentech.DataError, match="must be an IANA zone name"):
        nogentech.loads(f'id = "c"\nname = "C"\ntimezone = "{name}"\n')


@pytest.mark.parametrize("name", ["Europe/Paris", "US/Eastern", "UTC", "Etc/GMT+12", "EST5EDT"])
def test_the_names_of_the_tz_database_are_taken(name: str) -> None:
    assert Cluster(id="c", name="C", timezone=name).timezone == name


@settings(max_examples=40)
@given(clusters())
def test_every_reference_of_a_generated_cluster_resolves(cluster: Cluster) -> None:
    """Look-ups find every object, and each query returns objects of the right kind."""
    for company in cluster.companies:
        assert cluster.company(company.id) is company
        for sector in company.sectors:
            assert company in cluster.companies_in_sector(sector)
        for place in company.places:
            assert company in cluster.companies_in_place(place)
        assert cluster.sub_clusters_of(company.id) == tuple(
            s for s in cluster.sub_clusters if company.id in s.members
        )
    for sub in cluster.sub_clusters:
        assert ids(cluster.members_of(sub.id)) == list(sub.members)
    for place in cluster.places:
        if place.within is not None:
            assert place.id in cluster.places_within(place.within)


@settings(max_examples=40)
@given(clusters())
def test_breaking_one_reference_reports_exactly_that_path(cluster: Cluster) -> None:
    fields = {f.name: getattr(cluster, f.name) for f in attrs.fields(Cluster) if f.init}
    broken = Company(id="x-broken", name="B", parent="x-unknownid")
    fields["companies"] = (*cluster.companies, broken)
    with pytest.raises(DataError) as info:
        Cluster(**fields)
    assert info.value.problems == (
        Problem(f"companies[{len(cluster.companies)}].parent", "unknown company 'x-unknownid'"),
    )
