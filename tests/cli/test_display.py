"""The text shown to people: the cluster summary of ``nogentech info`` and meeting blocks."""

from __future__ import annotations

import datetime as dt

import pytest

import nogentech
from nogentech import Cluster, KeyFigure, Text
from nogentech.cli._display import (
    figure_value,
    meeting_block,
    money,
    number,
    summary,
)
from nogentech.people import ROLE_KINDS, Role


@pytest.fixture(scope="module")
def builtin() -> Cluster:
    return nogentech.load()


def section(text: str, heading: str) -> list[str]:
    """The indented lines under ``heading`` up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


# -- numbers and money -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (3000, "3 000", "3,000"),
        (50, "50", "50"),
        (2.5, "2,5", "2.5"),
        (1234567.891, "1 234 567,89", "1,234,567.89"),
        (0, "0", "0"),
    ],
)
def test_number(value: float, fr: str, en: str) -> None:
    assert number(value, "fr") == fr
    assert number(value, "en") == en


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (300_000_000, "300 M€", "300 M€"),
        (200_000_000, "200 M€", "200 M€"),
        (2_500_000, "2,5 M€", "2.5 M€"),
        (1_200_000_000, "1,2 Md€", "1.2 bn€"),
        (45_000, "45 000 €", "45,000 €"),
    ],
)
def test_money(value: float, fr: str, en: str) -> None:
    assert money(value, "fr") == fr
    assert money(value, "en") == en


def figure(**changes: object) -> KeyFigure:
    fields: dict[str, object] = {
        "id": "f",
        "subject": "x",
        "measure": "members",
        "value": 50,
        "unit": "companies",
        "year": 2020,
    }
    fields.update(changes)
    return KeyFigure(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "fr", "en"),
    [
        ({"qualifier": "about"}, "environ 50 entreprises", "about 50 companies"),
        ({"qualifier": "more-than"}, "plus de 50 entreprises", "more than 50 companies"),
        (
            {"measure": "revenue", "value": 3e8, "unit": "EUR", "qualifier": "more-than"},
            "plus de 300 M€",
            "more than 300 M€",
        ),
        ({"measure": "share-of-members", "value": 55, "unit": "percent"}, "55 %", "55%"),
        ({"measure": "jobs", "value": 3000, "unit": "jobs"}, "3 000 emplois", "3,000 jobs"),
        ({"unit": "adhérents"}, "50 adhérents", "50 adhérents"),  # a unit of the data's own
    ],
)
def test_figure_value(changes: dict[str, object], fr: str, en: str) -> None:
    assert figure_value(figure(**changes), "fr") == fr
    assert figure_value(figure(**changes), "en") == en


# -- roles -------------------------------------------------------------------------------


def test_every_role_kind_has_a_label_in_both_languages() -> None:
    for kind in ROLE_KINDS:
        fr, en = Role(kind=kind).label("fr"), Role(kind=kind).label("en")
        assert fr and en
        assert fr != kind and en != kind


def test_a_role_title_wins_over_the_kind_label() -> None:
    role = Role(kind="president", title=Text(fr="Présidente", en="President"))
    assert role.label("fr") == "Présidente"
    assert Role(kind="president").label("fr") == "Présidence"
    assert Role(kind="vice-president").label("en") == "Vice-president"


# -- the summary of the built-in data ----------------------------------------------------


def test_builtin_summary_in_french(builtin: Cluster) -> None:
    text = summary(builtin, "fr")
    lines = text.splitlines()
    assert lines[0] == "NOGENTECH"
    assert "Fondé : 2002" in lines
    assert "Forme juridique : Association loi 1901" in lines
    # True to the data: no seed says of a named firm that it is a member.
    assert "  Adhérents connus : aucun nommé dans les données" in lines
    assert f"  Divergences entre les sources : {len(builtin.discrepancies)}" in lines
    assert section(text, "Bureau :") == [
        "  Présidente : Delphine Descorne-Jeanny (Marle)",
        "    Reconduite à la tête du cluster pour un second mandat",
        "  Vice-présidence : Yves Lombard (Gillet Group)",
    ]
    assert section(text, "Sous-clusters :") == [
        "  Prosthesis Valley (anciennement Pro+MeD, PROMED) : L’industrie haut-marnaise de la "
        "prothèse, de l’ancillaire et de l’instrumentation chirurgicale",
        "  FLAAMM (Forge, laser, aéronautique, automobile, mécanique) : La métallurgie",
    ]
    assert section(text, "Commissions :") == [
        "  Commission Environnement",
        "  Commission Communication",
        "  Commission Industrie & Formation",
    ]
    assert section(text, "Chiffres clés :") == [
        "  NOGENTECH",
        "    Membres : plus de 50 entreprises (sources : seed-000, seed-001)",
        "    Membres : environ 50 entreprises (source : seed-003)",
        "    Effectif : plus de 3 000 emplois (sources : seed-000, seed-001, seed-003)",
        "    Chiffre d’affaires : 300 M€ (source : seed-000)",
        "    Chiffre d’affaires : plus de 300 M€ (source : seed-001)",
        "  Prosthesis Valley",
        "    Membres : 35 entreprises (sources : seed-000, seed-001)",
        "    Chiffre d’affaires : plus de 200 M€ (sources : seed-000, seed-001)",
        "    Multinationales : 4 entreprises (sources : seed-000, seed-001)",
        "    Part des adhérents de NOGENTECH : 55 % (source : seed-003)",
    ]


def test_builtin_summary_in_english(builtin: Cluster) -> None:
    text = summary(builtin, "en")
    lines = text.splitlines()
    assert "Founded: 2002" in lines
    assert "Legal form: Non-profit organization" in lines
    assert "  Members: none named in the data" in lines
    assert section(text, "Board:") == [
        "  President: Delphine Descorne-Jeanny (Marle)",
        "    Re-elected at the head of the cluster for a second term",
        "  Vice-president: Yves Lombard (Gillet Group)",
    ]
    assert section(text, "Sub-clusters:")[1] == (
        "  FLAAMM (Forge, laser, aerospace, automotive, mechanics): Metallurgy"
    )
    assert section(text, "Commissions:")[0] == "  Environment & Regulatory Affairs Commission"
    assert section(text, "Key figures:") == [
        "  NOGENTECH",
        "    Members: more than 50 companies (sources: seed-000, seed-001)",
        "    Members: about 50 companies (source: seed-003)",
        "    Workforce: more than 3,000 jobs (sources: seed-000, seed-001, seed-003)",
        "    Revenue: 300 M€ (source: seed-000)",
        "    Revenue: more than 300 M€ (source: seed-001)",
        "  Prosthesis Valley",
        "    Members: 35 companies (sources: seed-000, seed-001)",
        "    Revenue: more than 200 M€ (sources: seed-000, seed-001)",
        "    Multinationals: 4 companies (sources: seed-000, seed-001)",
        "    Share of NOGENTECH’s members: 55% (source: seed-003)",
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_builtin_summary_shows_no_raw_ids_or_floats(builtin: Cluster, lang: str) -> None:
    text = summary(builtin, lang)
    for raw in ("  president:", "  vice-president:", "e+0", "EUR", "percent", "share-of-members"):
        assert raw not in text
    assert max(len(line) for line in text.splitlines()[1:4]) <= 88  # the description is wrapped


# -- the summary of other data --------------------------------------------------------


def test_demo_summary_counts_named_members_and_labels_roles(demo: Cluster) -> None:
    text = summary(demo, "fr")
    lines = text.splitlines()
    assert lines[:4] == ["DEMO — Club démo", "Un club d’industriels.", "Fondé : 2002", ""]
    assert "  Adhérents connus : 2" in lines
    assert section(text, "Bureau :") == [
        "  Présidence : Alice Martin (Forges A)",
        "  Vice-présidence : Bob Durand (Usine B)",
    ]
    assert section(text, "Chiffres clés :") == [
        "  DEMO",
        "    Membres : environ 50 adhérents (2020)",
        "    Effectif : plus de 3 000 emplois (2021)",
        "  MED",
        "    Membres : 12 firms (2022)",
    ]
    english = summary(demo, "en")
    assert section(english, "Board:") == [
        "  President: Alice Martin (Forges A)",
        "  Vice-president: Bob Durand (Usine B)",
    ]
    assert "  Members: 2" in english.splitlines()


# -- meeting blocks ------------------------------------------------------------------------


def test_meeting_block_shows_the_note_on_the_disputed_venue(builtin: Cluster) -> None:
    (first,) = builtin.series("rencontres-du-jeudi").occurrences(
        dt.date(2023, 10, 1), dt.date(2023, 11, 1)
    )
    assert meeting_block(builtin, first, "fr").splitlines() == [
        "Les rencontres du jeudi",
        "jeudi 12 octobre 2023, 08:30–10:30 (CEST)",
        "Sujet : Comment utiliser les réseaux sociaux dans l’industrie ?",
        "Intervenants : Germain Chittaro (groupe Interactions)",
        "Témoignages : José Sanchez (MS Pétanque)",
        "Lieu : Canopé, Chaumont",
        "Note : Lieu du programme ; le corps de l’article annonce l’antenne de Nogent de l’UTT "
        "(voir les divergences).",
    ]
    english = meeting_block(builtin, first, "en").splitlines()
    assert english[-2:] == [
        "Venue: Canopé, Chaumont",
        "Note: Venue from the programme; the body of the article gives the Nogent antenna of "
        "the UTT (see the discrepancies).",
    ]


def test_meeting_block_without_a_note(builtin: Cluster) -> None:
    (november,) = builtin.series("rencontres-du-jeudi").occurrences(
        dt.date(2023, 11, 1), dt.date(2023, 12, 1)
    )
    block = meeting_block(builtin, november, "fr").splitlines()
    assert block[-1] == "Lieu : Antenne de Nogent de l’UTT, Nogent"
    assert not any(line.startswith("Note") for line in block)
