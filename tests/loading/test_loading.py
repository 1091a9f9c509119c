"""Reading and writing cluster files: round trips, hand-written TOML, and every kind of error."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings

import nogentech
from nogentech import Cluster, DataError, PartialDate, Problem, Text
from nogentech.testing import clusters

# -- round trips ---------------------------------------------------------------


@settings(max_examples=60)
@given(clusters())
def test_generated_clusters_survive_a_json_round_trip(cluster: Cluster) -> None:
    text = nogentech.dumps(cluster)
    again = nogentech.loads(text)
    assert again == cluster
    assert nogentech.dumps(again) == text
    assert nogentech.from_dict(nogentech.to_dict(cluster)) == cluster


def test_builtin_cluster_survives_a_json_round_trip() -> None:
    cluster = nogentech.load()
    assert nogentech.loads(nogentech.dumps(cluster)) == cluster
    assert nogentech.load(nogentech.builtin_path()) == cluster


def test_dumps_starts_with_the_schema_version_and_omits_defaults(demo: Cluster) -> None:
    data = json.loads(nogentech.dumps(demo))
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == nogentech.SCHEMA_VERSION == 1
    assert data["companies"][0] == {"id": "groupe-e", "name": "Groupe E", "member": False}
    assert data["meeting_series"][0]["overrides"][1] == {
        "date": "2024-03-14",
        "topic": {"fr": "Recruter sans CV", "en": "Recruiting without a CV"},
        "moved_to": "2024-03-15",
        "start_time": "09:00",
    }
    assert data["meeting_series"][0]["duration"] == "PT2H"
    assert data["founded"] == "2002"


# -- a file written by hand -----------------------------------------------------

HAND_WRITTEN = textwrap.dedent(
    """\
    # A cluster as a person would write it.
    id = "demo"
    name = "DEMO"
    founded = 2009
    updated = 2024-01-02T10:00:00+01:00

    [[places]]
    id = "salle"
    kind = "venue"
    name = "Salle des fêtes"

    [[sub_clusters]]
    id = "med"
    name = "MED"
    founded = 2014-06-01
    former_names = [{ name = "PROMED", until = "2021-03" }]

    [[meeting_series]]
    id = "jeudis"
    name.fr = "Les jeudis"
    name.en = "Thursdays"
    first_date = 2024-01-11
    start_time = 08:30:00
    duration = "PT1H30M"
    rule = "FREQ=MONTHLY;BYDAY=2TH"
    venue = "salle"
    cancelled = [2024-04-11]
    extra_dates = ["2024-01-25"]

    [[meeting_series.overrides]]
    date = 2024-02-08
    topic = { fr = "La cybersécurité", en = "Cybersecurity" }
    start_time = "09:00"
    updated = 2024-01-20T08:00:00Z

    [[key_figures]]
    id = "kf-members"
    subject = "demo"
    measure = "members"
    value = 50
    unit = "adhérents"
    qualifier = "about"
    year = 2020
    """
)


def test_hand_written_toml_reads_toml_dates_times_and_plain_texts() -> None:
    cluster = nogentech.loads(HAND_WRITTEN, "toml")
    assert cluster.founded == PartialDate(2009)
    assert cluster.updated == dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.UTC)
    assert cluster.updated.utcoffset() == dt.timedelta(hours=1)
    assert cluster.places[0].name == Text(fr="Salle des fêtes")
    med = cluster.sub_clusters[0]
    assert med.founded == PartialDate(2014, 6, 1)
    assert med.former_names[0].name == "PROMED"
    assert med.former_names[0].until == PartialDate(2021, 3)
    series = cluster.meeting_series[0]
    assert series.name == Text(fr="Les jeudis", en="Thursdays")
    assert series.first_date == dt.date(2024, 1, 11)
    assert series.start_time == dt.time(8, 30)
    assert series.duration == dt.timedelta(hours=1, minutes=30)
    assert series.cancelled == (dt.date(2024, 4, 11),)
    assert series.extra_dates == (dt.date(2024, 1, 25),)
    assert series.timezone == "Europe/Paris"
    override = series.overrides[0]
    assert override.start_time == dt.time(9, 0)
    assert override.updated == dt.datetime(2024, 1, 20, 8, 0, tzinfo=dt.UTC)
    figure = cluster.key_figures[0]
    assert figure.value == 50.0
    assert isinstance(figure.value, float)
    assert [
        m.start.isoformat() for m in series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    ] == [
        "2024-01-11T08:30:00+01:00",
        "2024-01-25T08:30:00+01:00",
        "2024-02-08T09:00:00+01:00",
    ]


def test_hand_written_toml_and_its_json_dump_are_the_same_cluster() -> None:
    cluster = nogentech.loads(HAND_WRITTEN, "toml")
    assert nogentech.loads(nogentech.dumps(cluster)) == cluster


def test_load_picks_the_format_from_the_extension(tmp_path: Path, demo: Cluster) -> None:
    toml_file = tmp_path / "cluster.toml"
    toml_file.write_text(HAND_WRITTEN, encoding="utf-8")
    assert nogentech.load(toml_file) == nogentech.loads(HAND_WRITTEN, "toml")
    assert nogentech.load(str(toml_file)).meeting_series[0].id == "jeudis"
    json_file = tmp_path / "cluster.json"
    json_file.write_text(nogentech.dumps(demo), encoding="utf-8")
    assert nogentech.load(json_file) == demo
    other = tmp_path / "cluster.data"
    other.write_text(nogentech.dumps(demo), encoding="utf-8")
    assert nogentech.load(other) == demo


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'id = "c"\nname = "C"\n')
    assert nogentech.load(path) == Cluster(id="c", name="C")


def test_keys_added_by_plugins_are_ignored() -> None:
    text = json.dumps({"schema_version": 1, "id": "c", "name": "C", "x-feeds": {"a": 1}})
    assert nogentech.loads(text) == Cluster(id="c", name="C")


# -- one test per kind of bad input ----------------------------------------------


def problems_in(text: str, fmt: str = "toml") -> list[tuple[str, str]]:
    with pytest.raises(DataError) as info:
        nogentech.loads(text, fmt)
    return [(p.path, p.message) for p in info.value.problems]


HEAD = 'id = "demo"\nname = "DEMO"\n'
SERIES = textwrap.dedent(
    """
    [[meeting_series]]
    id = "jeudis"
    name = "Les jeudis"
    first_date = {first}
    start_time = 08:30:00
    duration = "PT2H"
    rule = "{rule}"
    timezone = "{zone}"
    """
)


def series(
    first: str = "2024-01-11", rule: str = "FREQ=MONTHLY;BYDAY=2TH", zone: str = "Europe/Paris"
) -> str:
    return HEAD + SERIES.format(first=first, rule=rule, zone=zone)


def test_unknown_reference() -> None:
    text = HEAD + '[[companies]]\nid = "forges-a"\nname = "Forges A"\nsectors = ["forgee"]\n'
    assert problems_in(text) == [("companies[0].sectors[0]", "unknown sector 'forgee'")]


def test_duplicate_id() -> None:
    text = HEAD + textwrap.dedent(
        """
        [[sectors]]
        id = "forge"
        kind = "trade"
        name = "Forge"

        [[companies]]
        id = "forge"
        name = "Forge SA"
        """
    )
    assert problems_in(text) == [("companies[0].id", "duplicate id 'forge' (first at sectors[0])")]


def test_wrong_type() -> None:
    text = HEAD + '[[companies]]\nid = "usine-b"\nname = 42\nmember = "yes"\n'
    assert problems_in(text) == [
        ("companies[0].name", "expected a string (got int 42)"),
        ("companies[0].member", "expected true or false (got str 'yes')"),
    ]


def test_a_string_is_not_a_list_of_references() -> None:
    text = HEAD + '[[companies]]\nid = "usine-b"\nname = "B"\nsectors = "forge"\n'
    assert problems_in(text) == [("companies[0].sectors", "expected a list (got str 'forge')")]


def test_an_item_must_be_a_table() -> None:
    text = json.dumps({"id": "demo", "name": "DEMO", "companies": ["forges-a"], "places": {}})
    assert problems_in(text, "json") == [
        ("places", "expected a list (got dict)"),
        ("companies[0]", "expected a table (got str 'forges-a')"),
    ]


def test_value_outside_a_fixed_set() -> None:
    text = HEAD + '[[places]]\nid = "p"\nkind = "city"\nname = "P"\n'
    assert problems_in(text) == [
        (
            "places[0].kind",
            "expected one of 'country', 'region', 'departement', 'commune', 'venue' (got 'city')",
        )
    ]


def test_missing_field() -> None:
    text = HEAD + '[[companies]]\nid = "sans-nom"\n'
    assert problems_in(text) == [("companies[0].name", "missing required field")]
    assert problems_in('name = "x"\n') == [("id", "missing required field")]


def test_invalid_date() -> None:
    assert problems_in(series(first='"2024-02-30"')) == [
        ("meeting_series[0].first_date", "invalid date '2024-02-30' (expected YYYY-MM-DD)")
    ]


def test_date_and_time_without_offset() -> None:
    assert problems_in(HEAD + "updated = 2024-01-02T10:00:00\n") == [
        ("updated", "a date and time needs its UTC offset (got 2024-01-02T10:00:00)")
    ]


def test_invalid_text() -> None:
    text = HEAD + '[[places]]\nid = "p"\nkind = "commune"\nname = { de = "Nogent" }\n'
    assert problems_in(text) == [("places[0].name", "a text has only 'fr' and 'en' (got ['de'])")]


def test_broken_toml_syntax() -> None:
    text = 'id = "demo"\nname = \n'
    with pytest.raises(tomllib.TOMLDecodeError) as parser:
        tomllib.loads(text)
    assert problems_in(text) == [("", f"invalid TOML: {parser.value}")]
    assert "line 2" in str(parser.value)


def test_broken_json() -> None:
    text = '{"id": "demo", "name": "DEMO",}'
    with pytest.raises(json.JSONDecodeError) as parser:
        json.loads(text)
    # The wording is the parser's own (Python 3.13 reworded this one).
    assert problems_in(text, "json") == [("", f"invalid JSON: {parser.value}")]
    assert "line 1 column" in str(parser.value)
    assert problems_in("[1, 2]", "json") == [("", "the top level must be a table/object")]


def test_unknown_field() -> None:
    text = HEAD + '[[companies]]\nid = "couleur"\nname = "C"\ncolour = "red"\nsize = 3\n'
    assert problems_in(text) == [("companies[0]", "unknown fields 'colour', 'size'")]


def test_invalid_rule() -> None:
    assert problems_in(series(rule="FREQ=FORTNIGHTLY")) == [
        (
            "meeting_series[0]",
            "invalid recurrence rule 'FREQ=FORTNIGHTLY': FREQ 'FORTNIGHTLY' is not a meeting "
            "frequency (one of DAILY, WEEKLY, MONTHLY, YEARLY)",
        )
    ]


def test_rule_must_not_carry_its_own_start() -> None:
    rule = "DTSTART=20240111T083000;FREQ=MONTHLY"
    assert problems_in(series(rule=rule)) == [
        (
            "meeting_series[0]",
            f"invalid recurrence rule '{rule}': DTSTART belongs in 'first_date', not in the rule",
        )
    ]


def test_unknown_timezone() -> None:
    assert problems_in(series(zone="Europe/Nogent")) == [
        (
            "meeting_series[0].timezone",
            "'timezone' must be an IANA zone name such as 'Europe/Paris' (got 'Europe/Nogent')",
        )
    ]
    assert problems_in(HEAD + 'timezone = "Paris"\n') == [
        ("timezone", "'timezone' must be an IANA zone name such as 'Europe/Paris' (got 'Paris')")
    ]


def test_first_date_not_on_the_rule() -> None:
    assert problems_in(series(first="2024-01-12")) == [
        (
            "meeting_series[0]",
            "invalid recurrence rule 'FREQ=MONTHLY;BYDAY=2TH': "
            "first_date 2024-01-12 is not an occurrence of the rule",
        )
    ]


def test_unsupported_schema_version() -> None:
    assert problems_in(json.dumps({"schema_version": 2, "id": "c", "name": "C"}), "json") == [
        ("schema_version", "unsupported schema version 2 (expected 1)")
    ]


# -- every problem at once ---------------------------------------------------------

EVERYTHING_WRONG = textwrap.dedent(
    """\
    id = "demo"
    name = "DEMO"

    [[sectors]]
    id = "forge"
    kind = "trade"
    name = "Forge"

    [[companies]]
    id = "forges-a"
    name = "Forges A"
    sectors = ["forgee"]

    [[companies]]
    id = "forge"
    name = "Doublon"

    [[companies]]
    id = "usine-b"
    name = 42

    [[companies]]
    id = "sans-nom"

    [[companies]]
    id = "couleur"
    name = "Couleur"
    colour = "red"

    [[meeting_series]]
    id = "dates"
    name = "Dates"
    first_date = 2024-01-11
    start_time = 08:30:00
    duration = "PT2H"
    rule = "FREQ=MONTHLY;BYDAY=2TH"
    cancelled = ["2024-02-30"]

    [[meeting_series]]
    id = "regle"
    name = "Règle"
    first_date = 2024-01-11
    start_time = 08:30:00
    duration = "PT2H"
    rule = "FREQ=FORTNIGHTLY"

    [[meeting_series]]
    id = "zone"
    name = "Zone"
    first_date = 2024-01-11
    start_time = 08:30:00
    duration = "PT2H"
    rule = "FREQ=MONTHLY;BYDAY=2TH"
    timezone = "Europe/Nogent"

    [[meeting_series]]
    id = "decale"
    name = "Décalé"
    first_date = 2024-01-12
    start_time = 08:30:00
    duration = "PT2H"
    rule = "FREQ=MONTHLY;BYDAY=2TH"
    """
)


def test_a_file_with_every_kind_of_problem_reports_them_all(tmp_path: Path) -> None:
    """Syntax errors stop the parser, so they have their own tests; all else is found at once."""
    path = tmp_path / "wrong.toml"
    path.write_text(EVERYTHING_WRONG, encoding="utf-8")
    with pytest.raises(DataError) as info:
        nogentech.load(path)
    assert info.value.source == str(path)
    assert info.value.lines() == [
        "companies[2].name: expected a string (got int 42)",
        "companies[3].name: missing required field",
        "companies[4]: unknown field 'colour'",
        "meeting_series[0].cancelled[0]: invalid date '2024-02-30' (expected YYYY-MM-DD)",
        "meeting_series[1]: "
        "invalid recurrence rule 'FREQ=FORTNIGHTLY': FREQ 'FORTNIGHTLY' is not a meeting "
        "frequency (one of DAILY, WEEKLY, MONTHLY, YEARLY)",
        "meeting_series[2].timezone: "
        "'timezone' must be an IANA zone name such as 'Europe/Paris' (got 'Europe/Nogent')",
        "meeting_series[3]: invalid recurrence rule 'FREQ=MONTHLY;BYDAY=2TH': "
        "first_date 2024-01-12 is not an occurrence of the rule",
        "companies[1].id: duplicate id 'forge' (first at sectors[0])",
        "companies[0].sectors[0]: unknown sector 'forgee'; did you mean 'forge'?",
    ]
    assert str(info.value).startswith(f"9 problems in {path}:\n  companies[2].name: ")


def test_references_to_an_item_that_failed_are_not_reported_twice() -> None:
    text = HEAD + textwrap.dedent(
        """
        [[sectors]]
        id = "forge"
        kind = "metal"
        name = "Forge"

        [[companies]]
        id = "forges-a"
        name = "Forges A"
        sectors = ["forge"]
        """
    )
    assert problems_in(text) == [
        ("sectors[0].kind", "expected one of 'trade', 'market', 'service' (got 'metal')")
    ]


# -- files that cannot be read ---------------------------------------------------


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('id = "c"\nname = "Forgés"\n'.encode("latin-1"))
    with pytest.raises(DataError) as info:
        nogentech.load(path)
    assert info.value.problems == (
        Problem(
            "",
            "not UTF-8 text: 'utf-8' codec can't decode byte 0xe9 in position 21: "
            "invalid continuation byte",
        ),
    )
    assert info.value.source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(DataError) as info:
        nogentech.load(path)
    assert info.value.problems == (Problem("", f"cannot read {path}: No such file or directory"),)
    assert info.value.source == str(path)
    assert (
        str(info.value) == f"1 problem in {path}:\n  cannot read {path}: No such file or directory"
    )
