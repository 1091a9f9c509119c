"""The built-in NOGENTECH data: what the seed texts state, and nothing they do not."""

from __future__ import annotations

import datetime as dt
import re
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
    assert cluster.updated == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
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
        "ancillary",
        "surgical-instruments",
        "orthoses",
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


# -- exact facts, checked one by one against the seeds -------------------------------

FILES = {
    "seed-000": "000_d5bd8bf1dfcb1387.txt",
    "seed-001": "001_ab3b5f3a3e8f31bc.txt",
    "seed-002": "002_07817a15e20c5e42.txt",
    "seed-003": "003_767b4f7b348a50b4.txt",
    "seed-004": "004_82e9c699f189880b.txt",
}

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts are not available here")


def flat(text: str) -> str:
    """``text`` lower-cased, with runs of spaces made one and no space inside brackets."""
    text = re.sub(r"\s+", " ", text).replace("( ", "(").replace(" )", ")")
    return text.lower()


def seed_text(source: str) -> str:
    return flat((SEEDS / FILES[source]).read_text("utf-8"))


def in_seeds(text: str, sources: tuple[str, ...] | None = None) -> bool:
    """True when ``text`` is written in one of ``sources`` (default: any seed)."""
    return any(flat(text) in seed_text(s) for s in (sources or tuple(FILES)))


def test_source_files_are_named(cluster: Cluster) -> None:
    assert {s.id: s.file for s in cluster.sources} == FILES


COMMUNES = {
    "nogent": "Nogent",
    "sarrey": "Sarrey",
    "mandres-la-cote": "Mandres la Côte",
    "biesles": "Biesles",
    "luzy-sur-marne": "Luzy sur Marne",
    "is-en-bassigny": "Is en Bassigny",
    "lanques-sur-rognon": "Lanques sur Rognon",
    "vitry-les-nogent": "Vitry les Nogent",
    "chaumont": "Chaumont",
    "langres": "Langres",
    "charmoilles": "Charmoilles",
    "rolampont": "Rolampont",
    "auberive": "Auberive",
    "bologne": "Bologne",
    "froncles": "Froncles",
    "montier-en-der": "Montier en Der",
}


def test_every_commune_of_the_seeds(cluster: Cluster) -> None:
    communes = {p.id: (p.name.get("fr"), p.within) for p in cluster.places if p.kind == "commune"}
    expected = {ident: (name, "haute-marne") for ident, name in COMMUNES.items()}
    expected["strasbourg"] = ("Strasbourg", None)
    assert communes == expected


def test_departements_and_region(cluster: Cluster) -> None:
    found = {
        p.id: (p.name.get("fr"), p.within, p.neighbour)
        for p in cluster.places
        if p.kind in ("departement", "region", "country")
    }
    assert found == {
        "france": ("France", None, False),
        "champagne-ardenne": ("Champagne Ardenne", "france", False),
        "haute-marne": ("Haute-Marne", "champagne-ardenne", False),
        "aube": ("Aube", "france", True),
        "meurthe-et-moselle": ("Meurthe et Moselle", "france", True),
        "moselle": ("Moselle", "france", True),
    }


ORGANISATIONS = {
    "marle": ("Marle", "firm"),
    "landanger": ("Landanger", "firm"),
    "ldr": ("LDR", "firm"),
    "aesculap-b-braun": ("Aesculap – B-Braun", "firm"),
    "greatbatch-medical": ("Greatbatch Medical", "firm"),
    "forges-de-courcelles": ("Forges de Courcelles", "firm"),
    "lisi": ("Lisi", "firm"),
    "forges-de-bologne": ("Forges de Bologne", "firm"),
    "gillet-group": ("Gillet Group", "firm"),
    "ms-petanque": ("MS Pétanque", "firm"),
    "groupe-interactions": ("groupe Interactions", "partner"),
    "agence-attractivite": ("Agence d’attractivité", "partner"),
    "canope": ("Canopé", "partner"),
    "critt-mi": ("CRITT MI", "partner"),
    "pole-technologique-haute-champagne": ("Pôle Technologique de Haute-Champagne", "partner"),
    "cetim": ("Cetim", "partner"),
    "utt": ("UTT", "school"),
    "lycee-decomble": ("Lycée Decomble", "school"),
    "metaltech": ("MétalTech", "school"),
    "bpi": ("BPI", "financial"),
    "banque-de-france": ("Banque de France", "financial"),
    "inpi": ("INPI", "public-body"),
    "conseil-general-haute-marne": ("Conseil Général de la Haute-Marne", "public-body"),
    "region-champagne-ardenne": ("Région Champagne Ardenne", "public-body"),
    "dreal": ("DREAL", "public-body"),
    "ddtefp": ("DDTEFP", "public-body"),
    "datar": ("DATAR", "public-body"),
    "diact": ("DIACT", "public-body"),
    "agence-eau-seine-normandie": ("Agence de l’eau Seine-Normandie", "public-body"),
    "french-tech": ("French tech", "network"),
}


def test_every_organisation_of_the_seeds(cluster: Cluster) -> None:
    assert {c.id: (c.name, c.kind) for c in cluster.companies} == ORGANISATIONS


def test_full_names_and_aliases(cluster: Cluster) -> None:
    full = {c.id: c.full_name.get("fr") for c in cluster.companies if c.full_name}
    assert full == {
        "marle": "Établissements Maurice Marle",
        "utt": "Université Technologique de Troyes",
        "inpi": "Institut national de la propriété industrielle",
        "datar": (
            "Délégation interministérielle à l’aménagement du territoire et à l’attractivité "
            "régionale"
        ),
        "diact": (
            "Délégation Interministérielle à l’Aménagement et à la Compétitivité du Territoire"
        ),
    }
    aliases = {c.id: c.aliases for c in cluster.companies if c.aliases}
    assert aliases == {
        "marle": ("établissements Maurice Marle",),
        "forges-de-courcelles": ("Forges de Courcelle",),
        "lisi": ("Groupe Lisi",),
        "forges-de-bologne": ("Forges de Bologne Groupe Lisi",),
        "pole-technologique-haute-champagne": ("Pôle Technologique",),
        "conseil-general-haute-marne": ("Conseil Général",),
    }


def test_sectors_only_where_a_seed_states_them(cluster: Cluster) -> None:
    sectors = {c.id: c.sectors for c in cluster.companies if c.sectors}
    assert sectors == {
        "marle": ("forging", "medical-devices"),  # « plus grande forge du médical »
        "landanger": ("medical-devices",),  # « Medical Industry leaders »
        "ldr": ("medical-devices",),
        "aesculap-b-braun": ("medical-devices",),
        "greatbatch-medical": ("medical-devices",),
        "forges-de-courcelles": ("forging", "machining", "automotive"),
        "forges-de-bologne": ("forging", "aerospace"),  # « plus grande forge aéronautique »
        "metaltech": ("machining",),  # « formation d’élèves aux métiers d’usinage »
    }


def test_places_of_organisations(cluster: Cluster) -> None:
    places = {c.id: c.places for c in cluster.companies if c.places}
    assert places == {
        "forges-de-courcelles": ("nogent",),
        "lisi": ("lisi-plein-est",),
        "gillet-group": ("gillet-group-nogent",),
        "canope": ("canope-chaumont",),
        "critt-mi": ("critt-mi-nogent",),
        "pole-technologique-haute-champagne": ("pole-technologique-nogent",),
        "utt": ("utt-nogent",),
        "lycee-decomble": ("chaumont",),
        "inpi": ("strasbourg",),
        "conseil-general-haute-marne": ("haute-marne",),
        "region-champagne-ardenne": ("champagne-ardenne",),
    }
    assert {c.id: c.parent for c in cluster.companies if c.parent} == {"forges-de-bologne": "lisi"}


def test_sector_taxonomy(cluster: Cluster) -> None:
    found = {s.id: (s.kind, s.name.get("fr"), s.name.get("en"), s.parent) for s in cluster.sectors}
    second = "metal-second-transformation"
    assert found == {
        "cutlery": ("trade", "Coutellerie", "Cutlery and chiselry", None),
        second: ("trade", "Deuxième transformation du métal", "2nd transformation of metals", None),
        "forging": ("trade", "Forge", "Forge", second),
        "machining": ("trade", "Usinage", "Machining", second),
        "surface-treatment": ("trade", "Traitement de surface", "Surface treatment", second),
        "heat-treatment": ("trade", "Traitement thermique", "Heat treatment", second),
        "polishing": ("trade", "Polissage", "Polishing", second),
        "finishing": ("trade", "Finition", "Finishing", second),
        "foundry": ("trade", "Fonderie", "Foundry", None),
        "tooling": ("trade", "Outillage", "Tooling", None),
        "additive-manufacturing": ("trade", "Fabrication additive", "Additive manufacturing", None),
        "laser-marking": ("trade", "Marquage laser", "Laser marking", None),
        "medical-devices": ("market", "Dispositifs médicaux", "Medical devices", None),
        "implants": ("market", "Prothèses", "Implants", "medical-devices"),
        "ancillary": ("market", "Ancillaire", "Ancillary tools", "medical-devices"),
        "surgical-instruments": (
            "market",
            "Instruments de chirurgie",
            "Surgical instruments",
            "medical-devices",
        ),
        "orthoses": ("market", "Orthèses", "Orthoses", "medical-devices"),
        "automotive": ("market", "Automobile", "Automotive", None),
        "aerospace": ("market", "Aéronautique", "Aerospace", None),
        "agricultural-machinery": ("market", "Machinisme agricole", "Agriculture equipment", None),
        "technology-resource-centres": (
            "service",
            "Centre de ressources technologiques",
            "Technology Competence Centers",
            None,
        ),
        "industrial-it": ("service", "Informatique industrielle", "Computer Technology", None),
        "business-services": ("service", "Services aux entreprises", "B to B Services", None),
        "trading": ("service", "Négoce", "Trading", None),
        "research-development": (
            "service",
            "Recherche et Développement",
            "Research & Development",
            None,
        ),
    }
    assert cluster.sector("orthoses").sources == ("seed-003",)
    assert cluster.sector("finishing").sources == ("seed-001",)


def test_prosthesis_valley_in_full(cluster: Cluster) -> None:
    pv = cluster.sub_cluster("prosthesis-valley")
    assert pv.sectors == (
        "medical-devices",
        "implants",
        "ancillary",
        "surgical-instruments",
        "orthoses",
    )
    assert pv.places == ("chaumont", "nogent", "langres")
    assert pv.sources == ("seed-000", "seed-001", "seed-002", "seed-003")
    assert [(f.name, f.sources) for f in pv.former_names] == [
        ("Pro+MeD", ("seed-000", "seed-001")),
        ("PROMED", ("seed-002",)),
    ]
    description = pv.description.get("fr")
    for fact in ("2009", "Luc Chatel", "4 entreprises multinationales", "l’Allemagne et la Suisse"):
        assert fact in description
    assert pv.roadmap[0].get("fr") == (
        "Conforter les leaders présents sur le territoire (Marle, Landanger, LDR, Aesculap – "
        "B-Braun, Greatbatch Medical)"
    )
    rename = next(m for m in cluster.milestones if m.id == "prosthesis-valley-rename")
    assert (rename.kind, rename.subject, rename.sources) == (
        "rename",
        "prosthesis-valley",
        ("seed-002",),
    )


def test_flaamm_in_full(cluster: Cluster) -> None:
    flaamm = cluster.sub_cluster("flaamm")
    assert flaamm.members == ()
    assert flaamm.founded is None  # only « après la naissance de la grappe dédiée à la santé »
    assert flaamm.expansion == Text(
        fr="Forge, laser, aéronautique, automobile, mécanique",
        en="Forge, laser, aerospace, automotive, mechanics",
    )
    assert flaamm.sectors == (
        "forging",
        "foundry",
        "tooling",
        "machining",
        "surface-treatment",
        "heat-treatment",
        "additive-manufacturing",
        "polishing",
        "laser-marking",
        "aerospace",
        "automotive",
    )
    assert flaamm.focus == Text(fr="La métallurgie", en="Metallurgy")


COMMISSIONS = {
    "environment": (
        ("Commission Environnement", "Environment & Regulatory Affairs Commission"),
        [
            (
                "Accompagne les entreprises sur les thématiques de l’environnement, de la gestion "
                "des déchets et de la sécurité",
                "Helps the enterprises to understand and apply environment regulations, "
                "industrial waste management, as well as health & safety requirements",
            ),
            (
                "A également un rôle de veille réglementaire et technologique",
                "Regulation and Technology watch is also a permanent concern and action",
            ),
        ],
    ),
    "communication": (
        ("Commission Communication", "Communication Commission (external & internal)"),
        [
            (
                "Promouvoir les entreprises par des actions de communication interne et externe "
                "(organisation de séminaires, participation à des salons professionnels…)",
                "The promotion of enterprises, by communication actions, both internal and "
                "external (seminar organization, participation in trade shows, internal "
                "magazine, mutual recruitment…)",
            )
        ],
    ),
    "industry-training": (
        ("Commission Industrie & Formation", "Industry, Education & Training Commission"),
        [
            (
                "Actions à caractère(s) technique(s) et technologique(s)",
                "Technical and Technological actions/projects",
            ),
            (
                "Actions visant à favoriser le développement des compétences au sein des "
                "entreprises",
                "Actions to improve competences within the enterprise (HR & Competence "
                "Management, Lean Manufacturing, etc…)",
            ),
            (
                "Accompagnement des entreprises sur des projets de développement, d’innovation en "
                "les aidant à trouver des partenaires et des financements en France et en Europe",
                "Research, Development & Innovation projects, with optimized private-public "
                "funding together with national and european partnership",
            ),
        ],
    ),
}


def test_commissions_word_for_word(cluster: Cluster) -> None:
    found = {
        c.id: (
            (c.name.get("fr"), c.name.get("en")),
            [(m.get("fr"), m.get("en")) for m in c.missions],
        )
        for c in cluster.commissions
    }
    assert found == COMMISSIONS
    assert {c.sources for c in cluster.commissions} == {("seed-000", "seed-001")}


@needs_seeds
def test_french_missions_and_road_map_are_quoted_from_the_seeds(cluster: Cluster) -> None:
    for commission in cluster.commissions:
        for mission in commission.missions:
            assert in_seeds(mission.get("fr"), ("seed-000",)), mission
    for item in cluster.sub_cluster("prosthesis-valley").roadmap:
        assert in_seeds(item.get("fr"), ("seed-000",)), item
        assert in_seeds(item.get("en"), ("seed-001",)), item


def test_board_roles_in_full(cluster: Cluster) -> None:
    delphine = cluster.person("delphine-descorne-jeanny")
    (president,) = [r for r in delphine.roles if r.kind == "president"]
    assert president.of == "nogentech"
    assert president.title == Text(fr="Présidente", en="President")
    assert "second mandat" in president.note.get("fr")
    assert president.sources == ("seed-003",)
    (vice,) = [r for r in cluster.person("yves-lombard").roles if r.kind == "vice-president"]
    assert (vice.of, vice.title, vice.sources) == ("nogentech", None, ("seed-003",))
    election = next(m for m in cluster.milestones if m.id == "president-second-mandate")
    assert (election.kind, election.date, election.subject) == (
        "election",
        None,
        "delphine-descorne-jeanny",
    )
    assert "Yves Lombard (Gillet Group)" in election.description.get("fr")


def test_people_of_the_seeds(cluster: Cluster) -> None:
    assert {p.id: p.name for p in cluster.people} == {
        "delphine-descorne-jeanny": "Delphine Descorne-Jeanny",
        "yves-lombard": "Yves Lombard",
        "luc-chatel": "Luc Chatel",
        "pauline-wendehenne": "Pauline Wendehenne",
        "germain-chittaro": "Germain Chittaro",
        "jose-sanchez": "José Sanchez",
        "thomas-corvasce": "Thomas Corvasce",
        "laurence-kin-ropers": "Laurence Kin-Ropers",
        "franck-kwasiak": "Franck Kwasiak",
    }
    pauline = cluster.person("pauline-wendehenne")
    (job,) = [r for r in pauline.roles if r.kind == "employee"]
    assert job.title == Text(fr="Chargée d’affaires", en="Business officer")
    assert "Originaire de Haute-Marne" in job.note.get("fr")
    assert "Strasbourg" in job.note.get("fr")


MILESTONES = [
    ("spl-label-1998", "label", "1998", ("seed-002",)),
    ("decision-1999", "other", "1999", ("seed-000", "seed-001")),
    ("association-2002", "foundation", "2002", ("seed-000", "seed-001", "seed-003")),
    ("animator-post-2007", "creation", "2007", ("seed-000",)),
    ("animator-post-2002", "creation", "2002", ("seed-001",)),
    ("network-animation-2002", "action", "2002", ("seed-002",)),
    ("waste-operation-2004", "action", "2004", ("seed-002",)),
    ("per-label-2006", "label", "2006-06", ("seed-002",)),
    ("water-prize-2006", "prize", "2006", ("seed-002",)),
    ("promed-2009", "creation", "2009", ("seed-000", "seed-001", "seed-002")),
    ("prosthesis-valley-rename", "rename", None, ("seed-002",)),
    ("grappe-2010", "label", "2010-05", ("seed-002",)),
    ("flaamm-creation", "creation", None, ("seed-002",)),
    ("startup-ecosystem", "prize", None, ("seed-002",)),
    ("french-tech-rapprochement", "other", None, ("seed-002",)),
    ("pole-technologique-project", "other", None, ("seed-000", "seed-001")),
    ("network-expansion", "other", None, ("seed-000", "seed-001")),
    ("shared-trainings-2019", "action", "2019", ("seed-003",)),
    ("president-second-mandate", "election", None, ("seed-003",)),
    ("metaltech-2022", "creation", "2022", ("seed-002",)),
    ("inpi-talk", "action", None, ("seed-004",)),
    ("usi-2-visit", "action", None, ("seed-004",)),
]


def test_history_from_the_spl_label_to_metaltech(cluster: Cluster) -> None:
    found = [(m.id, m.kind, str(m.date) if m.date else None, m.sources) for m in cluster.milestones]
    assert found == MILESTONES


@needs_seeds
def test_every_dated_milestone_has_its_year_in_its_sources(cluster: Cluster) -> None:
    for milestone in cluster.milestones:
        if milestone.date is not None:
            assert in_seeds(str(milestone.date.year), milestone.sources), milestone.id


def test_inpi_talk_and_usi_2_visit(cluster: Cluster) -> None:
    talk = next(m for m in cluster.milestones if m.id == "inpi-talk")
    assert talk.by == ("inpi",)
    for fact in ("Pauline Wendehenne", "Pôle Technologique", "brevet", "persuasion"):
        assert fact in talk.description.get("fr")
    visit = next(m for m in cluster.milestones if m.id == "usi-2-visit")
    assert visit.subject == "forges-de-courcelles"
    assert "usine 4.0" in visit.description.get("fr")
    forge = cluster.company("forges-de-courcelles").description.get("fr")
    for fact in ("Usi 2", "2400 m²", "triangles", "ligne boîtiers", "janvier 2024"):
        assert fact in forge


def test_programme_speakers_and_venues_by_name(cluster: Cluster) -> None:
    meetings = cluster.series("rencontres-du-jeudi").occurrences(
        dt.date(2023, 10, 1), dt.date(2024, 4, 1)
    )
    found = [
        (
            m.start.date().isoformat(),
            [cluster.name_of(i) for i in m.speakers],
            [cluster.name_of(i) for i in m.testimonies],
            cluster.name_of(m.venue) if m.venue else None,
            cluster.name_of(cluster.place_of(m.venue).within) if m.venue else None,
        )
        for m in meetings
    ]
    assert found == [
        ("2023-10-12", ["Germain Chittaro"], ["José Sanchez"], "Canopé", "Chaumont"),
        ("2023-11-09", ["Thomas Corvasce"], [], "Antenne de Nogent de l’UTT", "Nogent"),
        ("2023-12-14", [], ["Lisi"], "Site de Lisi à Plein Est", "Chaumont"),
        ("2024-01-11", ["BPI"], [], "Antenne de Nogent de l’UTT", "Nogent"),
        ("2024-02-08", ["Laurence Kin-Ropers"], [], "CRITT MI", "Nogent"),
        ("2024-03-14", [], ["Franck Kwasiak"], "Gillet Group", "Nogent"),
    ]
    for meeting in meetings:
        assert meeting.start.time() == dt.time(8, 30)
        assert meeting.end.time() == dt.time(10, 30)
        assert meeting.start.weekday() == 3  # a Thursday, as the programme says


@needs_seeds
def test_programme_topics_are_quoted_from_the_seed(cluster: Cluster) -> None:
    series = cluster.series("rencontres-du-jeudi")
    for override in series.overrides:
        assert override.topic is not None
        assert in_seeds(override.topic.get("fr"), ("seed-004",)), override.date


def test_the_2021_fair(cluster: Cluster) -> None:
    fair = next(e for e in cluster.events if e.id == "salon-savoir-faire-2021")
    assert fair.name == Text(
        fr="7e salon des savoir-faire industriels de Haute-Marne",
        en="7th Haute-Marne industrial know-how fair",
    )
    assert fair.all_day and not fair.cancelled
    assert fair.sources == ("seed-003",)
    assert "reportée en raison de la crise sanitaire" in fair.description.get("fr")
    assert "départements limitrophes" in fair.description.get("fr")
    (meeting,) = cluster.meetings_between(dt.date(2021, 6, 1), dt.date(2021, 7, 1))
    assert (meeting.start.date(), meeting.end.date()) == (
        dt.date(2021, 6, 11),
        dt.date(2021, 6, 13),
    )
    assert meeting.venue == "langres"


PROJECTS = {
    "solgel-study": ("under-way", ("cetim",), None, ()),
    "abrasive-waste-recycling": ("under-way", (), None, ()),
    "bts-maintenance": ("postponed", ("lycee-decomble",), "2021-09", ()),
    "maison-de-la-prothese": ("planned", (), None, ("prosthesis-valley",)),
    "shared-trainings": ("under-way", (), "2019", ()),
}


def test_projects_and_studies(cluster: Cluster) -> None:
    found = {
        p.id: (p.status, p.partners, str(p.start) if p.start else None, p.sub_clusters)
        for p in cluster.projects
    }
    assert found == PROJECTS
    titles = {p.id: p.title.get("fr") for p in cluster.projects}
    assert titles["solgel-study"] == (
        "Étude sur le procédé SolGel et ses applications dans le monde médical"
    )
    assert titles["abrasive-waste-recycling"] == (
        "Revalorisation des déchets de sablage et des bandes abrasives usagées"
    )
    assert (
        titles["bts-maintenance"] == "Ouverture d’un BTS maintenance au Lycée Decomble, à Chaumont"
    )
    assert {p.sources for p in cluster.projects if p.id != "maison-de-la-prothese"} == {
        ("seed-003",)
    }


KEY_FIGURES = [
    (
        "nogentech-members",
        "nogentech",
        "members",
        50,
        "companies",
        "more-than",
        ("seed-000", "seed-001"),
    ),
    ("nogentech-members-about", "nogentech", "members", 50, "companies", "about", ("seed-003",)),
    (
        "nogentech-jobs",
        "nogentech",
        "jobs",
        3000,
        "jobs",
        "more-than",
        ("seed-000", "seed-001", "seed-003"),
    ),
    ("nogentech-revenue", "nogentech", "revenue", 300_000_000, "EUR", "exact", ("seed-000",)),
    (
        "nogentech-revenue-more-than",
        "nogentech",
        "revenue",
        300_000_000,
        "EUR",
        "more-than",
        ("seed-001",),
    ),
    (
        "promed-companies",
        "prosthesis-valley",
        "members",
        35,
        "companies",
        "exact",
        ("seed-000", "seed-001"),
    ),
    (
        "promed-revenue",
        "prosthesis-valley",
        "revenue",
        200_000_000,
        "EUR",
        "more-than",
        ("seed-000", "seed-001"),
    ),
    (
        "promed-multinationals",
        "prosthesis-valley",
        "multinationals",
        4,
        "companies",
        "exact",
        ("seed-000", "seed-001"),
    ),
    (
        "prosthesis-valley-share",
        "prosthesis-valley",
        "share-of-members",
        55,
        "percent",
        "exact",
        ("seed-003",),
    ),
]


def test_every_key_figure_with_its_sources(cluster: Cluster) -> None:
    found = [
        (k.id, k.subject, k.measure, k.value, k.unit, k.qualifier, k.sources)
        for k in cluster.key_figures
    ]
    assert found == KEY_FIGURES
    assert {k.year for k in cluster.key_figures} == {None}  # « actuellement », « as of today »


# Each disagreement: the source file of every version, and words of that version.
DISCREPANCIES = {
    "animator-post-year": [("000", "2007"), ("001", "2002")],
    "cluster-revenue": [("000", "de 300 M€"), ("001", "> 300 M€")],
    "member-count": [
        ("000", "plus d’une cinquantaine"),
        ("001", "more than 50"),
        ("003", "une cinquantaine"),
    ],
    "cluster-origin": [
        ("000", "Décidé dès 1999"),
        ("001", "1999"),
        ("002", "en 1998"),
        ("003", "lancé en 2002"),
    ],
    "association-founding": [
        ("000", "au début de 2002"),
        ("001", "by the beginning of 2002"),
        ("002", "Ensuite, l’association"),
    ],
    "promed-spelling": [("000", "Pro+MeD"), ("001", "Pro+MeD"), ("002", "PROMED")],
    "maison-de-la-prothese-name": [
        ("000", "Maison de la Prothèse"),
        ("001", "Maison Européenne de la Prothèse et de l’Instrumentation Chirurgicale"),
    ],
    "flaamm-spelling": [("002", "FLAAMM"), ("003", "Flaam")],
    "flaamm-meaning": [
        ("002", "forge, fonderie, outillage, usinage"),
        ("003", "Forge, laser, aéronautique, automobile, mécanique"),
    ],
    "members-origin": [
        ("000", "Aube, Meurthe et Moselle, Moselle"),
        ("001", "Aube, Meurthe et Moselle, Moselle"),
        ("003", "entreprises haut-marnaises"),
    ],
    "environment-commission-name": [
        ("000", "commission Environnement"),
        ("001", "Environment & Regulatory Affairs"),
    ],
    "industry-commission-name": [
        ("000", "Industrie / Formation"),
        ("001", "Industry, Education & Training"),
    ],
    "industry-commission-aim": [
        ("000", "favoriser le développement des entreprises"),
        ("001", "developing competences"),
    ],
    "courcelles-spelling": [("003", "Forges de Courcelle"), ("004", "Forges de Courcelles")],
    "first-thursday-meeting-venue": [
        ("004", "Canopé à Chaumont"),
        ("004", "l’antenne de Nogent de l’UTT"),
    ],
    "thursday-meetings-start": [("004", "ce mois de septembre"), ("004", "jeudi 12 octobre")],
}


def test_every_disagreement_keeps_each_version_with_its_source_file(cluster: Cluster) -> None:
    files = {s.id: s.file for s in cluster.sources}
    found = {
        d.id: [(files[v.source][:3], v.value) for v in d.variants] for d in cluster.discrepancies
    }
    assert list(found) == list(DISCREPANCIES)
    for ident, expected in DISCREPANCIES.items():
        assert [file for file, _ in found[ident]] == [file for file, _ in expected], ident
        for (_, value), (_, words) in zip(found[ident], expected, strict=True):
            assert words in value, (ident, words)
    assert [files[v.source] for v in cluster.get("first-thursday-meeting-venue").variants] == [
        "004_82e9c699f189880b.txt",
        "004_82e9c699f189880b.txt",
    ]


@needs_seeds
def test_quoted_words_of_each_version_are_in_its_source(cluster: Cluster) -> None:
    for discrepancy in cluster.discrepancies:
        for variant in discrepancy.variants:
            for quote in re.findall(r"«\s*(.*?)\s*»", variant.value):
                for part in quote.split("[…]"):
                    assert in_seeds(part.strip(), (variant.source,)), (discrepancy.id, part)


@needs_seeds
def test_names_are_written_in_the_seeds(cluster: Cluster) -> None:
    for company in cluster.companies:
        for name in (company.name, *company.aliases):
            assert in_seeds(name, company.sources), (company.id, name)
        if company.full_name is not None:
            assert in_seeds(company.full_name.get("fr"), company.sources), company.id
    for person in cluster.people:
        assert in_seeds(person.name, person.sources), person.id
    for place in cluster.places:
        assert in_seeds(place.name.get("fr"), place.sources), place.id
    for sub in cluster.sub_clusters:
        assert in_seeds(sub.name, sub.sources), sub.id
        for former in sub.former_names:
            assert in_seeds(former.name, former.sources), former.name


@needs_seeds
def test_no_year_that_no_seed_writes(cluster: Cluster) -> None:
    written = set(re.findall(r"\b(?:19|20)\d\d\b", " ".join(seed_text(s) for s in FILES)))
    text = nogentech.dumps(cluster)
    used = set(re.findall(r"\b(?:19|20)\d\d\b", text))
    # 2023 is the year the programme's weekdays give; 2026 is the data's own stamp.
    assert used - written == {"2023", "2026"}
