"""Shared fixtures: a small hand-made cluster whose every value the tests know."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

import nogentech
from nogentech import (
    Cluster,
    Commission,
    Company,
    Event,
    KeyFigure,
    MeetingSeries,
    Milestone,
    Override,
    PartialDate,
    Person,
    Place,
    Role,
    Sector,
    SubCluster,
    Text,
)

# The caches kept between runs (the built-in data's snapshot, the holiday tables) go
# to a directory of this test run, not the user's: the commands the tests start
# inherit it.
os.environ["NOGENTECH_CACHE_DIR"] = tempfile.mkdtemp(prefix="nogentech-test-cache-")

settings.register_profile("nogentech", deadline=None)
settings.load_profile("nogentech")


def make_demo() -> Cluster:
    """A small cluster, every reference of a kind the model knows.

    Its meetings, from January to May 2024 (Europe/Paris):

    * ``jeudis`` on second Thursdays at 08:30 from 11 January 2024, in the
      ``salle`` of Chaumont; 8 February is programmed (at the ``atelier``),
      14 March is moved to Friday 15 March at 09:00, 11 April is cancelled,
      9 May is Ascension Day;
    * ``visite``, a timed event on 8 February at 14:00;
    * ``salon``, an all-day event on 20 and 21 March.
    """
    return Cluster(
        id="demo",
        name="DEMO",
        full_name=Text(fr="Club démo", en="Demo club"),
        description=Text(fr="Un club d’industriels.", en="A club of manufacturers."),
        founded=PartialDate(2002),
        places=(
            Place(id="france", kind="country", name=Text(fr="France")),
            Place(
                id="haute-marne", kind="departement", name=Text(fr="Haute-Marne"), within="france"
            ),
            Place(id="nogent", kind="commune", name=Text(fr="Nogent"), within="haute-marne"),
            Place(id="chaumont", kind="commune", name=Text(fr="Chaumont"), within="haute-marne"),
            Place(
                id="atelier",
                kind="venue",
                name=Text(fr="Atelier des forges", en="Forge workshop"),
                within="nogent",
                organisation="forges-a",
            ),
            Place(
                id="salle",
                kind="venue",
                name=Text(fr="Salle des fêtes", en="Village hall"),
                within="chaumont",
            ),
        ),
        sectors=(
            Sector(id="metal", kind="trade", name=Text(fr="Métallurgie", en="Metalworking")),
            Sector(id="forge", kind="trade", name=Text(fr="Forge", en="Forging"), parent="metal"),
            Sector(
                id="estampage",
                kind="trade",
                name=Text(fr="Estampage", en="Stamping"),
                parent="forge",
            ),
            Sector(
                id="usinage", kind="trade", name=Text(fr="Usinage", en="Machining"), parent="metal"
            ),
            Sector(id="medical", kind="market", name=Text(fr="Médical", en="Medical")),
            Sector(id="orthopedie", kind="market", name=Text(fr="Orthopédie"), parent="medical"),
            Sector(id="conseil", kind="service", name=Text(fr="Conseil", en="Consulting")),
        ),
        companies=(
            Company(id="groupe-e", name="Groupe E", member=False),
            Company(
                id="forges-a",
                name="Forges A",
                member=True,
                sectors=("forge", "medical"),
                places=("nogent",),
                parent="groupe-e",
            ),
            Company(
                id="usine-b",
                name="Usine B",
                member=True,
                sectors=("usinage",),
                places=("chaumont",),
            ),
            Company(
                id="estamp-c",
                name="Estampes C",
                sectors=("estampage", "orthopedie"),
                places=("atelier",),
            ),
            Company(id="ecole-d", name="École D", kind="school", places=("chaumont",)),
        ),
        sub_clusters=(
            SubCluster(
                id="med", name="MED", members=("estamp-c", "forges-a"), sectors=("medical",)
            ),
            SubCluster(id="meca", name="MECA", members=("usine-b", "forges-a")),
        ),
        commissions=(
            Commission(
                id="comm-env",
                name=Text(fr="Commission Environnement", en="Environment committee"),
                members=("forges-a", "alice"),
            ),
        ),
        people=(
            Person(
                id="alice",
                name="Alice Martin",
                roles=(Role(kind="president", of="demo"), Role(kind="employee", of="forges-a")),
            ),
            Person(
                id="bob",
                name="Bob Durand",
                roles=(
                    Role(kind="vice-president", of="demo"),
                    Role(kind="employee", of="usine-b"),
                    Role(kind="board-member", of="med"),
                ),
            ),
            Person(
                id="carol",
                name="Carol Petit",
                roles=(Role(kind="speaker"), Role(kind="employee", of="ecole-d")),
            ),
        ),
        meeting_series=(
            MeetingSeries(
                id="jeudis",
                name=Text(fr="Les jeudis", en="Thursdays"),
                first_date=dt.date(2024, 1, 11),
                start_time=dt.time(8, 30),
                duration=dt.timedelta(hours=2),
                rule="FREQ=MONTHLY;BYDAY=2TH",
                venue="salle",
                cancelled=(dt.date(2024, 4, 11),),
                overrides=(
                    Override(
                        date=dt.date(2024, 2, 8),
                        topic=Text(fr="La cybersécurité", en="Cybersecurity"),
                        speakers=("carol",),
                        testimonies=("usine-b",),
                        venue="atelier",
                    ),
                    Override(
                        date=dt.date(2024, 3, 14),
                        topic=Text(fr="Recruter sans CV", en="Recruiting without a CV"),
                        moved_to=dt.date(2024, 3, 15),
                        start_time=dt.time(9, 0),
                    ),
                ),
            ),
        ),
        events=(
            Event(
                id="salon",
                name=Text(fr="Salon de l’industrie", en="Industry fair"),
                date=dt.date(2024, 3, 20),
                end_date=dt.date(2024, 3, 21),
                place="chaumont",
            ),
            Event(
                id="visite",
                name=Text(fr="Visite d’usine", en="Factory visit"),
                date=dt.date(2024, 2, 8),
                start_time=dt.time(14, 0),
                duration=dt.timedelta(hours=3),
                venue="atelier",
            ),
        ),
        milestones=(
            Milestone(
                id="label-2009",
                kind="label",
                title=Text(fr="Label grappe d’entreprises"),
                date=PartialDate(2009),
                by=("groupe-e",),
            ),
        ),
        key_figures=(
            KeyFigure(
                id="kf-members",
                subject="demo",
                measure="members",
                value=50,
                unit="adhérents",
                qualifier="about",
                year=2020,
            ),
            KeyFigure(
                id="kf-jobs",
                subject="demo",
                measure="jobs",
                value=3000,
                unit="emplois",
                qualifier="more-than",
                year=2021,
            ),
            KeyFigure(
                id="kf-med", subject="med", measure="members", value=12, unit="firms", year=2022
            ),
        ),
    )


@pytest.fixture
def demo() -> Cluster:
    """The cluster of :func:`make_demo`."""
    return make_demo()


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    """The demo cluster written as a JSON file."""
    path = tmp_path / "demo.json"
    path.write_text(nogentech.dumps(make_demo()), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's default language comes from the environment: keep it French.

    Tests of that default set the variables themselves.
    """
    for name in ("NOGENTECH_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
