"""The built-in NOGENTECH data: what the seed texts state, and nothing they do not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import nogentech
from nogentech import Cluster, Text

SEEDS = Path("/work/shared/seeds")
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))
PARIS_WINTER = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return nogentech.load()


def walk(obj: Any) -> Iterator[Any]:
    """Every attrs object inside ``obj`` (itself included), depth first."""
    if attrs.has(type(obj)):
        yield obj
        for field in attrs.fields(type(obj)):
            if field.name.startswith("_"):
                continue
            yield from walk(getattr(obj, field.name))
    elif isinstance(obj, tuple):
        for item in obj:
            yield from walk(item)


# -- loading -----------------------------------------------------------------


def test_builtin_data_loads_with_its_header(cluster: Cluster) -> None:
    assert cluster.id == "nogentech"
    assert cluster.name == "NOGENTECH"
    assert cluster.timezone == "Europe/Paris"
    assert cluster.updated == dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    assert str(cluster.founded) == "2002"
    assert cluster.legal_form == Text(fr="Association loi 1901", en="Non-profit organization")
    assert cluster.website is None


def test_json_round_trip_is_equal(cluster: Cluster) -> None:
    assert nogentech.loads(nogentech.dumps(cluster)) == cluster


def test_builtin_file_is_the_packaged_toml() -> None:
    text = nogentech.builtin_path().read_text("utf-8")
    assert nogentech.loads(text, "toml") == nogentech.load()


# -- the Thursday meetings ----------------------------------------------------

PROGRAMME = [
    (
        dt.date(2023, 10, 12),
        "Comment utiliser les réseaux sociaux dans l’industrie ?",
        ("germain-chittaro",),
        ("jose-sanchez",),
        "canope-chaumont",
    ),
    (
        dt.date(2023, 11, 9),
        "Attractivité – Comment attirer les talents ?",
        ("thomas-corvasce",),
        (),
        "utt-nogent",
    ),
    (dt.date(2023, 12, 14), "Recruter sans CV", (), ("lisi",), "lisi-plein-est"),
    (dt.date(2024, 1, 11), "Les diagnostics Climat", ("bpi",), (), "utt-nogent"),
    (
        dt.date(2024, 2, 8),
        "Contexte économique – Emprunter à quel taux ?",
        ("laurence-kin-ropers",),
        (),
        "critt-mi-nogent",
    ),
    (
        dt.date(2024, 3, 14),
        "La cybersécurité en entreprise",
        (),
        ("franck-kwasiak",),
        "gillet-group-nogent",
    ),
]


def test_six_programmed_meetings(cluster: Cluster) -> None:
    series = cluster.series("rencontres-du-jeudi")
    meetings = series.occurrences(dt.date(2023, 9, 1), dt.date(2024, 4, 1))
    got = [
        (m.start.date(), m.topic.get("fr"), m.speakers, m.testimonies, m.venue)
        for m in meetings
        if m.topic is not None
    ]
    assert got == PROGRAMME
    assert [m.start.date() for m in meetings] == [row[0] for row in PROGRAMME]


def test_every_programmed_topic_is_bilingual(cluster: Cluster) -> None:
    series = cluster.series("rencontres-du-jeudi")
    assert [o.topic.has("en") for o in series.overrides if o.topic] == [True] * 6
    assert series.override_for(dt.date(2023, 12, 14)).topic.get("en") == "Recruiting without a CV"


def test_first_meeting_is_12_october_at_half_past_eight_summer_time(cluster: Cluster) -> None:
    first = cluster.series("rencontres-du-jeudi").occurrences()[0]
    assert first.start == dt.datetime(2023, 10, 12, 8, 30, tzinfo=PARIS_SUMMER)
    assert first.start.utcoffset() == dt.timedelta(hours=2)
    assert first.end - first.start == dt.timedelta(hours=2)
    assert first.id == "rencontres-du-jeudi/2023-10-12"


def test_november_meeting_keeps_local_time_in_winter(cluster: Cluster) -> None:
    series = cluster.series("rencontres-du-jeudi")
    (november,) = series.occurrences(dt.date(2023, 11, 1), dt.date(2023, 12, 1))
    assert november.start == dt.datetime(2023, 11, 9, 8, 30, tzinfo=PARIS_WINTER)
    assert november.start.utcoffset() == dt.timedelta(hours=1)
    assert november.end.time() == dt.time(10, 30)


def test_series_is_free_open_and_on_second_thursdays(cluster: Cluster) -> None:
    series = cluster.series("rencontres-du-jeudi")
    assert series.name == Text(fr="Les rencontres du jeudi", en="Thursday meetings")
    assert series.rule == "FREQ=MONTHLY;BYDAY=2TH"
    assert series.first_date == dt.date(2023, 10, 12)
    assert series.start_time == dt.time(8, 30)
    assert series.duration == dt.timedelta(hours=2)
    assert series.organisers == ("nogentech",)
    assert series.free is True
    assert series.open_to_public is True
    april = series.occurrences(dt.date(2024, 4, 1), dt.date(2024, 5, 1))
    assert [(m.start.date(), m.topic) for m in april] == [(dt.date(2024, 4, 11), None)]


def test_october_venue_disagreement_is_recorded(cluster: Cluster) -> None:
    found = {d.id: d for d in cluster.discrepancies}
    venue = found["first-thursday-meeting-venue"]
    assert [v.source for v in venue.variants] == ["seed-004", "seed-004"]
    assert "Canopé" in venue.variants[0].value
    assert "antenne de Nogent de l’UTT" in venue.variants[1].value
    assert "rencontres-du-jeudi" in venue.about
    assert "thursday-meetings-start" in found


def test_speakers_have_their_organisations(cluster: Cluster) -> None:
    employers = {p.id: p.employers() for p in cluster.people}
    assert employers["germain-chittaro"] == ("groupe-interactions",)
    assert employers["jose-sanchez"] == ("ms-petanque",)
    assert employers["thomas-corvasce"] == ("agence-attractivite",)
    assert employers["laurence-kin-ropers"] == ("banque-de-france",)
    assert employers["franck-kwasiak"] == ("gillet-group",)
    assert employers["pauline-wendehenne"] == ("inpi",)


# -- one-off events ------------------------------------------------------------


def test_board_brainstorming_is_an_all_day_event_at_canope(cluster: Cluster) -> None:
    (meeting,) = cluster.meetings_between(dt.date(2023, 7, 1), dt.date(2023, 8, 1))
    assert meeting.id == "bureau-brainstorming-2023"
    assert meeting.all_day
    assert meeting.start == dt.datetime(2023, 7, 12, tzinfo=PARIS_SUMMER)
    assert meeting.venue == "canope-chaumont"


def test_industrial_fair_in_langres(cluster: Cluster) -> None:
    fair = next(e for e in cluster.events if e.id == "salon-savoir-faire-2021")
    assert (fair.date, fair.end_date) == (dt.date(2021, 6, 11), dt.date(2021, 6, 12))
    assert fair.place == "langres"
    assert fair.postponed_from is None  # the seed never states the original year


# -- people and the board ---------------------------------------------------------


def test_board_is_the_president_and_vice_president(cluster: Cluster) -> None:
    board = [(person.id, kind) for person, kind in cluster.board()]
    assert board == [
        ("delphine-descorne-jeanny", "president"),
        ("yves-lombard", "vice-president"),
    ]


def test_president_works_for_marle(cluster: Cluster) -> None:
    delphine = cluster.person("delphine-descorne-jeanny")
    (job,) = [r for r in delphine.roles if r.kind == "employee"]
    assert job.of == "marle"
    assert job.title.get("fr") == "Directrice du développement et de la performance industrielle"
    assert cluster.person("yves-lombard").employers() == ("gillet-group",)


def test_luc_chatel_initiated_prosthesis_valley(cluster: Cluster) -> None:
    chatel = cluster.person("luc-chatel")
    assert [(r.kind, r.of) for r in chatel.roles if r.kind == "initiator"] == [
        ("initiator", "prosthesis-valley")
    ]
    offices = {r.title.get("fr"): r.sources for r in chatel.roles if r.kind == "office"}
    assert offices["Ministre-maire de Chaumont"] == ("seed-000",)


# -- history -----------------------------------------------------------------------


def test_both_animator_post_versions_are_kept_with_their_own_source(cluster: Cluster) -> None:
    posts = {m.id: m for m in cluster.milestones if m.id.startswith("animator-post-")}
    assert {k: (str(m.date), m.sources) for k, m in posts.items()} == {
        "animator-post-2007": ("2007", ("seed-000",)),
        "animator-post-2002": ("2002", ("seed-001",)),
    }
    for milestone in posts.values():
        assert milestone.by == ("region-champagne-ardenne", "dreal", "ddtefp")
    discrepancy = next(d for d in cluster.discrepancies if d.id == "animator-post-year")
    assert [(v.value[:4], v.source) for v in discrepancy.variants] == [
        ("2007", "seed-000"),
        ("2002", "seed-001"),
    ]


def test_dated_milestones(cluster: Cluster) -> None:
    dates = {m.id: str(m.date) if m.date else None for m in cluster.milestones}
    assert dates["spl-label-1998"] == "1998"
    assert dates["decision-1999"] == "1999"
    assert dates["association-2002"] == "2002"
    assert dates["per-label-2006"] == "2006-06"
    assert dates["grappe-2010"] == "2010-05"
    assert dates["promed-2009"] == "2009"
    assert dates["metaltech-2022"] == "2022"
    assert dates["prosthesis-valley-rename"] is None
    assert dates["inpi-talk"] is None
    assert dates["usi-2-visit"] is None


def test_labels_name_the_bodies_that_gave_them(cluster: Cluster) -> None:
    by = {m.id: m.by for m in cluster.milestones}
    assert by["spl-label-1998"] == ("datar",)
    assert by["per-label-2006"] == ("diact",)
    assert by["water-prize-2006"] == ("agence-eau-seine-normandie",)


def test_key_figures_keep_the_precision_of_each_seed(cluster: Cluster) -> None:
    figures = {k.id: (k.measure, k.value, k.unit, k.qualifier) for k in cluster.key_figures}
    assert figures["nogentech-members"] == ("members", 50, "companies", "more-than")
    assert figures["nogentech-jobs"] == ("jobs", 3000, "jobs", "more-than")
    assert figures["nogentech-revenue"] == ("revenue", 300_000_000, "EUR", "exact")
    assert figures["nogentech-revenue-more-than"] == ("revenue", 300_000_000, "EUR", "more-than")
    pv = {k.id for k in cluster.key_figures_for("prosthesis-valley")}
    assert pv == {
        "promed-companies",
        "promed-revenue",
        "promed-multinationals",
        "prosthesis-valley-share",
    }
    share = next(k for k in cluster.key_figures if k.id == "prosthesis-valley-share")
    assert (share.value, share.unit, share.sources) == (55, "percent", ("seed-003",))


def test_bts_project_was_postponed(cluster: Cluster) -> None:
    bts = next(p for p in cluster.projects if p.id == "bts-maintenance")
    assert bts.status == "postponed"
    assert bts.partners == ("lycee-decomble",)
    assert "septembre 2020" in bts.description.get("fr")
    assert "septembre 2021" in bts.description.get("fr")


# -- sub-clusters, commissions, sectors ---------------------------------------------------


def test_prosthesis_valley_was_pro_med(cluster: Cluster) -> None:
    pv = cluster.sub_cluster("prosthesis-valley")
    assert pv.name == "Prosthesis Valley"
    assert str(pv.founded) == "2009"
    former = {f.name: f for f in pv.former_names}
    assert list(former) == ["Pro+MeD", "PROMED"]
    assert former["Pro+MeD"].expansion.get("en") == "Prosthesis and Medical Devices"
    assert former["PROMED"].sources == ("seed-002",)
    assert [c.name for c in cluster.members_of("prosthesis-valley")] == [
        "Marle",
        "Landanger",
        "LDR",
        "Aesculap – B-Braun",
        "Greatbatch Medical",
    ]
    assert len(pv.roadmap) == 5
    assert all(item.has("fr") and item.has("en") for item in pv.roadmap)
    assert "Chaumont-Nogent-Langres" in pv.description.get("fr")


def test_flaamm_and_its_spelling_disagreement(cluster: Cluster) -> None:
    flaamm = cluster.sub_cluster("flaamm")
    assert flaamm.expansion.get("fr") == "Forge, laser, aéronautique, automobile, mécanique"
    assert "laser-marking" in flaamm.sectors
    spelling = next(d for d in cluster.discrepancies if d.id == "flaamm-spelling")
    assert [(v.value.split()[0], v.source) for v in spelling.variants] == [
        ("FLAAMM", "seed-002"),
        ("Flaam", "seed-003"),
    ]


def test_three_commissions_with_bilingual_missions(cluster: Cluster) -> None:
    assert [c.id for c in cluster.commissions] == [
        "environment",
        "communication",
        "industry-training",
    ]
    assert [c.name.get("fr") for c in cluster.commissions] == [
        "Commission Environnement",
        "Commission Communication",
        "Commission Industrie & Formation",
    ]
    for commission in cluster.commissions:
        assert commission.missions
        assert all(m.has("fr") and m.has("en") for m in commission.missions)
    assert len(cluster.commission("industry-training").missions) == 3


def test_medical_market_and_its_children(cluster: Cluster) -> None:
    assert cluster.sector_and_children("medical-devices") == {
        "medical-devices",
        "implants",
        "surgical-instruments",
    }
    medical = {c.id for c in cluster.companies_in_market("medical-devices")}
    assert medical == {"marle", "landanger", "ldr", "aesculap-b-braun", "greatbatch-medical"}
    assert {s.kind for s in cluster.sectors} == {"trade", "market", "service"}


# -- places and organisations --------------------------------------------------------------


def test_place_names_keep_the_seeds_spelling(cluster: Cluster) -> None:
    names = {p.id: p.name.get("fr") for p in cluster.places}
    assert names["mandres-la-cote"] == "Mandres la Côte"
    assert names["vitry-les-nogent"] == "Vitry les Nogent"
    assert names["montier-en-der"] == "Montier en Der"
    assert cluster.place_of("strasbourg").within is None
    neighbours = {p.id for p in cluster.places if p.neighbour}
    assert neighbours == {"aube", "meurthe-et-moselle", "moselle"}


def test_venues_sit_in_their_commune_and_belong_to_their_owner(cluster: Cluster) -> None:
    venues = {p.id: (p.within, p.organisation) for p in cluster.places if p.kind == "venue"}
    assert venues == {
        "canope-chaumont": ("chaumont", "canope"),
        "utt-nogent": ("nogent", "utt"),
        "lisi-plein-est": ("chaumont", "lisi"),
        "critt-mi-nogent": ("nogent", "critt-mi"),
        "gillet-group-nogent": ("nogent", "gillet-group"),
        "pole-technologique-nogent": ("nogent", "pole-technologique-haute-champagne"),
    }
    in_nogent = {c.id for c in cluster.companies_in_commune("nogent")}
    assert {"gillet-group", "critt-mi", "utt", "forges-de-courcelles"} <= in_nogent


def test_forges_de_courcelles(cluster: Cluster) -> None:
    forge = cluster.company("forges-de-courcelles")
    assert forge.aliases == ("Forges de Courcelle",)
    assert "2400 m²" in forge.description.get("fr")
    assert cluster.company("forges-de-bologne").parent == "lisi"


def test_membership_is_never_claimed_without_a_seed(cluster: Cluster) -> None:
    assert cluster.members() == ()
    assert {c.member for c in cluster.companies} == {None}


def test_no_contact_details_anywhere(cluster: Cluster) -> None:
    for obj in walk(cluster):
        for field in ("phone", "email", "website", "address", "url"):
            assert getattr(obj, field, None) is None, (type(obj).__name__, obj, field)


def test_names_are_bilingual(cluster: Cluster) -> None:
    for collection in (cluster.places, cluster.sectors, cluster.commissions, cluster.sources):
        for item in collection:
            text = getattr(item, "name", None) or item.title
            assert text.has("fr") and text.has("en"), item.id


# -- sources ------------------------------------------------------------------------------


def test_one_source_per_seed(cluster: Cluster) -> None:
    assert [(s.id, s.language) for s in cluster.sources] == [
        ("seed-000", "fr"),
        ("seed-001", "en"),
        ("seed-002", "fr"),
        ("seed-003", "fr"),
        ("seed-004", "fr"),
    ]
    assert [s.file[:4] for s in cluster.sources] == ["000_", "001_", "002_", "003_", "004_"]


def test_every_object_says_where_it_comes_from(cluster: Cluster) -> None:
    declared = {s.id for s in cluster.sources}
    for obj in walk(cluster):
        if "sources" in attrs.fields_dict(type(obj)) and obj is not cluster:
            assert obj.sources, obj
            assert set(obj.sources) <= declared, obj
    for discrepancy in cluster.discrepancies:
        assert len({v.source for v in discrepancy.variants} - declared) == 0


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts are not available here")
def test_every_source_file_exists_in_the_seeds() -> None:
    for source in nogentech.load().sources:
        assert source.file is not None
        assert (SEEDS / source.file).is_file(), source.file
