"""The ``vcard`` exporter: cards, groups, filters, stable output, hooks and the CLI."""

from __future__ import annotations

import doctest
import io
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import vobject

import nogentech
from nogentech import OptionError, plugins
from nogentech.cli import main
from nogentech.exporters.vcard import split_name
from tests.support import ROOT

DATA = """
id = "demo"
name = "DEMO"
updated = 2024-02-01T10:00:00+01:00

[[places]]
id = "france"
kind = "country"
name = "France"

[[places]]
id = "champagne-ardenne"
kind = "region"
name = "Champagne-Ardenne"
within = "france"

[[places]]
id = "haute-marne"
kind = "departement"
name = "Haute-Marne"
within = "champagne-ardenne"

[[places]]
id = "nogent"
kind = "commune"
name = "Nogent"
within = "haute-marne"

[[places]]
id = "atelier"
kind = "venue"
name = "Atelier"
within = "nogent"
address = "1 rue des Forges"

[[places]]
id = "chaumont"
kind = "commune"
name = "Chaumont"
within = "haute-marne"

[[places]]
id = "strasbourg"
kind = "commune"
name = "Strasbourg"

[[sectors]]
id = "forge"
kind = "trade"
name = { fr = "Forge", en = "Forging" }

[[sectors]]
id = "estampage"
kind = "trade"
name = { fr = "Estampage", en = "Stamping" }
parent = "forge"

[[sectors]]
id = "medical"
kind = "market"
name = { fr = "Dispositifs médicaux", en = "Medical devices" }

[[companies]]
id = "acme"
name = "Acme Forge"
member = true
sectors = ["forge", "medical"]
places = ["atelier"]
description.fr = "Forge; estampage, usinage\\nDepuis 1950."
description.en = "Forging; stamping, machining\\nSince 1950."
website = "https://acme.example/fr?a=1,2"
email = "contact@acme.example"
phone = "+33 3 25 00 00 00"

[[companies]]
id = "bolt"
name = "Bolt"
kind = "partner"
sectors = ["estampage"]
places = ["chaumont", "nogent", "chaumont-bis"]

[[places]]
id = "chaumont-bis"
kind = "venue"
name = "Usine de Chaumont"
within = "chaumont"

[[companies]]
id = "ecole"
name = "École Sud"
kind = "school"
places = ["haute-marne"]

[[companies]]
id = "inpi"
name = "INPI"
kind = "public-body"
places = ["strasbourg"]

[[companies]]
id = "conseil"
name = "Conseil régional"
kind = "public-body"
places = ["champagne-ardenne"]

[[sub_clusters]]
id = "med"
name = "Medical Valley"
members = ["acme", "bolt"]
description = { fr = "Grappe du médical", en = "Medical cluster" }

[[sub_clusters]]
id = "empty"
name = "Vide"

[[commissions]]
id = "env"
name = { fr = "Commission Environnement", en = "Environment committee" }
missions = [{ fr = "Veille", en = "Watch" }, { fr = "Déchets", en = "Waste" }]
members = ["bolt", "jean"]

[[people]]
id = "jean"
name = "Jean de la Fontaine"

[[people.roles]]
kind = "president"
of = "demo"

[[people.roles]]
kind = "employee"
of = "acme"
title = { fr = "Directeur technique", en = "Technical director" }

[[people]]
id = "marie"
name = "DUPONT Marie"
email = "marie@example.org"

[[people.roles]]
kind = "speaker"
of = "demo"

[[people]]
id = "luc"
name = "Luc Martin"

[[people.roles]]
kind = "employee"
of = "bolt"

[[people.roles]]
kind = "office"
title = { fr = "Maire", en = "Mayor" }
"""

NAMESPACE = uuid.UUID("066c1aa3-c0e6-4e5b-bc36-013d266c4b70")
ACME = "urn:uuid:fcad43a2-81ec-5314-89dc-5752f57d9944"
BOLT = "urn:uuid:cfcf307e-1a31-5881-a7c1-68f0555da63b"
JEAN = "urn:uuid:021943b4-3d73-58bc-9bdf-6bc590cd8fff"
LUC = "urn:uuid:62da48ca-9df5-5514-8b75-b11effeface7"
ORGANISATIONS = ["Acme Forge", "Bolt", "École Sud", "INPI", "Conseil régional"]
PEOPLE = ["Jean de la Fontaine", "DUPONT Marie", "Luc Martin"]
GROUPS = ["Medical Valley", "Vide", "Commission Environnement"]


def uid(ident: str, cluster: str = "demo") -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{cluster}/{ident}')}"


@pytest.fixture(scope="module")
def cluster() -> nogentech.Cluster:
    return nogentech.loads(DATA, "toml")


@pytest.fixture(scope="module")
def builtin() -> nogentech.Cluster:
    return nogentech.load()


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    plugins.reset()
    yield
    plugins.reset()


def export(cluster: nogentech.Cluster, **options: Any) -> bytes:
    return nogentech.export(cluster, "vcard", **options)


def parse(data: bytes) -> list[Any]:
    return list(vobject.readComponents(data.decode("utf-8")))


def names(data: bytes) -> list[str]:
    return [card.fn.value for card in parse(data)]


def card_text(data: bytes, uid_: str) -> str:
    """The raw text of the card with UID ``uid_``."""
    for chunk in data.decode("utf-8").split("BEGIN:VCARD\r\n")[1:]:
        if f"\r\nUID:{uid_}\r\n" in chunk:
            return "BEGIN:VCARD\r\n" + chunk
    raise AssertionError(f"no card {uid_}")


def lines(*items: str) -> str:
    return "".join(item + "\r\n" for item in items)


# -- the format ----------------------------------------------------------------


def test_vcard_format_is_registered_with_its_options() -> None:
    (info,) = [f for f in nogentech.formats() if f.name == "vcard"]
    assert (info.extension, info.media_type, info.plugin) == (
        "vcf",
        "text/vcard",
        "nogentech.exporters.vcard",
    )
    assert [o.name for o in info.options] == [
        "lang",
        "version",
        "sub_cluster",
        "sector",
        "commune",
        "kind",
        "people",
        "groups",
    ]
    defaults = {o.name: o.default for o in info.options}
    assert (defaults["version"], defaults["people"], defaults["groups"]) == (3, True, True)


def test_importing_nogentech_does_not_import_vobject() -> None:
    code = (
        "import sys, nogentech\n"
        "assert 'vcard' in [f.name for f in nogentech.formats()]\n"
        "print('vobject' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def test_cards_come_organisations_then_people_then_groups(cluster: nogentech.Cluster) -> None:
    assert names(export(cluster)) == ORGANISATIONS + PEOPLE + GROUPS


# -- organisations -------------------------------------------------------------


def test_organisation_card_in_3_0(cluster: nogentech.Cluster) -> None:
    """Every field of an organisation with contact details, in French."""
    assert card_text(export(cluster), ACME) == lines(
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{ACME}",
        "ADR;TYPE=work:;;1 rue des Forges;Nogent;Haute-Marne;;France",
        "CATEGORIES:Forge,Dispositifs médicaux,Medical Valley",
        "EMAIL;TYPE=internet,work:contact@acme.example",
        "FN:Acme Forge",
        "N:;;;;",
        "NOTE:Forge; estampage\\, usinage\\nDepuis 1950.",
        "ORG:Acme Forge",
        "REV:2024-02-01T09:00:00Z",
        "TEL;TYPE=work:+33 3 25 00 00 00",
        "URL:https://acme.example/fr?a=1%2C2",  # vobject would cut the URL at a bare comma
        "X-ABShowAs:COMPANY",
        "END:VCARD",
    )


def test_organisation_card_in_4_0_english(cluster: nogentech.Cluster) -> None:
    """KIND:org instead of N and X-ABShowAs; the text in English; the same UID."""
    assert card_text(export(cluster, version=4, lang="en"), ACME) == lines(
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{ACME}",
        "ADR;TYPE=work:;;1 rue des Forges;Nogent;Haute-Marne;;France",
        "CATEGORIES:Forging,Medical devices,Medical Valley",
        "EMAIL;TYPE=work:contact@acme.example",
        "FN:Acme Forge",
        "KIND:org",
        "NOTE:Forging; stamping\\, machining\\nSince 1950.",
        "ORG:Acme Forge",
        "REV:20240201T090000Z",
        "TEL;TYPE=work:+33 3 25 00 00 00",
        "URL:https://acme.example/fr?a=1%2C2",  # vobject would cut the URL at a bare comma
        "END:VCARD",
    )


def test_only_fields_the_data_has(cluster: nogentech.Cluster) -> None:
    """Bolt has no description nor contact: no NOTE, TEL, EMAIL or URL. Its places in
    the same commune give one ADR; the one in another commune a second one."""
    assert card_text(export(cluster), BOLT) == lines(
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{BOLT}",
        "ADR;TYPE=work:;;;Chaumont;Haute-Marne;;France",
        "ADR;TYPE=work:;;;Nogent;Haute-Marne;;France",
        "CATEGORIES:Estampage,Medical Valley",
        "FN:Bolt",
        "N:;;;;",
        "ORG:Bolt",
        "REV:2024-02-01T09:00:00Z",
        "X-ABShowAs:COMPANY",
        "END:VCARD",
    )


@pytest.mark.parametrize(
    ("ident", "adr"),
    [
        ("ecole", ["", "", "", "", "Haute-Marne", "", "France"]),  # a département
        ("inpi", ["", "", "", "Strasbourg", "", "", ""]),  # a commune within nothing
        ("conseil", ["", "", "", "", "Champagne-Ardenne", "", "France"]),  # a région
    ],
)
def test_address_walks_up_the_places(
    cluster: nogentech.Cluster, ident: str, adr: list[str]
) -> None:
    text = card_text(export(cluster), uid(ident))
    (line,) = [x for x in text.split("\r\n") if x.startswith("ADR")]
    assert line == "ADR;TYPE=work:" + ";".join(adr)


def test_uids_are_stable_across_versions_and_languages(cluster: nogentech.Cluster) -> None:
    """UID = urn:uuid: + uuid5(fixed namespace, "<cluster>/<id>"), in 3.0 and 4.0, fr and en."""
    want = [uid(c.id) for c in cluster.companies] + [uid(p.id) for p in cluster.people]
    want += [uid("med"), uid("empty"), uid("env")]
    assert want[0] == ACME
    for options in ({}, {"version": 4}, {"lang": "en"}):
        assert [card.uid.value for card in parse(export(cluster, **options))] == want


def test_same_data_same_bytes(cluster: nogentech.Cluster) -> None:
    again = nogentech.loads(DATA, "toml")
    assert export(cluster) == export(again)
    assert export(cluster, version=4, lang="en") == export(again, version="4", lang="en")


def test_rev_comes_from_the_data_and_is_absent_without_it() -> None:
    data = DATA.replace("updated = 2024-02-01T10:00:00+01:00\n", "")
    cards = parse(export(nogentech.loads(data, "toml")))
    assert [c for c in cards if "rev" in c.contents] == []
    assert len(cards) == 11


# -- people --------------------------------------------------------------------


def test_person_card_in_4_0(cluster: nogentech.Cluster) -> None:
    assert card_text(export(cluster, version=4, lang="en"), JEAN) == lines(
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{JEAN}",
        "FN:Jean de la Fontaine",
        "KIND:individual",
        "N:de la Fontaine;Jean;;;",
        "ORG:Acme Forge",
        "REV:20240201T090000Z",
        "ROLE:President\\, DEMO",
        "TITLE:Technical director",
        "END:VCARD",
    )


def test_person_cards_in_3_0(cluster: nogentech.Cluster) -> None:
    """A title from a role that is not the job when the job has none; an e-mail
    only where the data has one; no ORG without an employer."""
    data = export(cluster)
    assert card_text(data, LUC) == lines(
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{LUC}",
        "FN:Luc Martin",
        "N:Martin;Luc;;;",
        "ORG:Bolt",
        "REV:2024-02-01T09:00:00Z",
        "TITLE:Maire",
        "END:VCARD",
    )
    marie = card_text(data, uid("marie"))
    assert "\r\nEMAIL;TYPE=internet,work:marie@example.org\r\n" in marie
    assert "\r\nN:DUPONT;Marie;;;\r\n" in marie
    assert "ORG" not in marie and "TITLE" not in marie and "TEL" not in marie


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("Delphine Descorne-Jeanny", "Descorne-Jeanny", "Delphine"),
        ("Jean Pierre Martin", "Martin", "Jean Pierre"),
        ("Jean de la Fontaine", "de la Fontaine", "Jean"),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
        ("DUPONT Marie", "DUPONT", "Marie"),
        ("Jean LE GALL", "LE GALL", "Jean"),
        ("Marie-Claire DE LA TOUR Dubois", "Dubois", "Marie-Claire DE LA TOUR"),
        ("JEAN DUPONT", "DUPONT", "JEAN"),
        ("Madonna", "Madonna", ""),
        ("  Anne   Martin  ", "Martin", "Anne"),
        ("de Gaulle", "de Gaulle", ""),
    ],
)
def test_split_name(name: str, family: str, given: str) -> None:
    assert split_name(name) == (family, given)


# -- groups --------------------------------------------------------------------


def test_groups_in_3_0_use_the_apple_properties(cluster: nogentech.Cluster) -> None:
    data = export(cluster)
    assert card_text(data, uid("med")) == lines(
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{uid('med')}",
        "FN:Medical Valley",
        "N:Medical Valley;;;;",
        "NOTE:Grappe du médical",
        "REV:2024-02-01T09:00:00Z",
        "X-ADDRESSBOOKSERVER-KIND:group",
        f"X-ADDRESSBOOKSERVER-MEMBER:{ACME}",
        f"X-ADDRESSBOOKSERVER-MEMBER:{BOLT}",
        "END:VCARD",
    )
    env = card_text(data, uid("env"))
    assert "\r\nNOTE:Veille\\nDéchets\r\n" in env
    assert [x for x in env.split("\r\n") if "MEMBER" in x] == [
        f"X-ADDRESSBOOKSERVER-MEMBER:{BOLT}",
        f"X-ADDRESSBOOKSERVER-MEMBER:{JEAN}",
    ]
    assert "MEMBER" not in card_text(data, uid("empty"))


def test_groups_in_4_0_use_kind_and_member(cluster: nogentech.Cluster) -> None:
    assert card_text(export(cluster, version=4, lang="en"), uid("env")) == lines(
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{uid('env')}",
        "FN:Environment committee",
        "KIND:group",
        f"MEMBER:{BOLT}",
        f"MEMBER:{JEAN}",
        "NOTE:Watch\\nWaste",
        "REV:20240201T090000Z",
        "END:VCARD",
    )


def test_members_are_only_cards_of_the_same_export(cluster: nogentech.Cluster) -> None:
    """Without people, the commission lists its organisation only."""
    env = card_text(export(cluster, people=False, version=4), uid("env"))
    assert [x for x in env.split("\r\n") if x.startswith("MEMBER")] == [f"MEMBER:{BOLT}"]


def test_people_and_groups_can_be_left_out(cluster: nogentech.Cluster) -> None:
    assert names(export(cluster, people=False)) == ORGANISATIONS + GROUPS
    assert names(export(cluster, groups="false")) == ORGANISATIONS + PEOPLE
    assert names(export(cluster, people="no", groups=False)) == ORGANISATIONS


# -- filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"sub_cluster": "med"},
            [
                *("Acme Forge", "Bolt", "Jean de la Fontaine", "Luc Martin"),
                *("Medical Valley", "Commission Environnement"),
            ],
        ),
        (
            {"sector": "forge", "groups": False},
            ["Acme Forge", "Bolt", "Jean de la Fontaine", "Luc Martin"],
        ),
        ({"sector": ["estampage"], "groups": False}, ["Bolt", "Luc Martin"]),
        (
            {"commune": "haute-marne", "people": False, "groups": False},
            ["Acme Forge", "Bolt", "École Sud"],
        ),
        ({"commune": "atelier", "people": False, "groups": False}, ["Acme Forge"]),
        ({"commune": "chaumont,strasbourg", "groups": False, "people": False}, ["Bolt", "INPI"]),
        ({"kind": "school,public-body"}, ["École Sud", "INPI", "Conseil régional"]),
        (
            {"sub_cluster": "med", "kind": "partner", "people": False},
            ["Bolt", "Medical Valley", "Commission Environnement"],
        ),
        ({"sub_cluster": "empty"}, ["Vide"]),
    ],
)
def test_filters(
    cluster: nogentech.Cluster, options: Mapping[str, Any], expected: list[str]
) -> None:
    """Filters keep matching organisations, the people holding a role in them and
    the groups with a kept member, and a chosen sub-cluster's group even without
    members; several filters must all match."""
    assert names(export(cluster, **options)) == expected


def test_a_filter_keeping_nothing_gives_an_empty_file(cluster: nogentech.Cluster) -> None:
    assert export(cluster, kind="financial") == b""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sub_cluster": "nope"}, "option 'sub_cluster': unknown id 'nope' (valid: med, empty)"),
        (
            {"sector": "forge,bois,verre"},
            "option 'sector': unknown ids 'bois', 'verre' (valid: forge, estampage, medical)",
        ),
        (
            {"commune": "paris"},
            "option 'commune': unknown id 'paris' (valid: france, champagne-ardenne, "
            "haute-marne, nogent, atelier, chaumont, strasbourg, chaumont-bis)",
        ),
        (
            {"kind": "guild"},
            "option 'kind': unknown id 'guild' (valid: firm, partner, school, public-body, "
            "research-centre, network, financial)",
        ),
        ({"version": 5}, "option 'version': invalid value 5 (expected 3 or 4)"),
        ({"version": "four"}, "option 'version': invalid value 'four' (expected a whole number)"),
    ],
)
def test_bad_options_name_the_valid_values(
    cluster: nogentech.Cluster, options: Mapping[str, Any], message: str
) -> None:
    with pytest.raises(OptionError) as caught:
        export(cluster, **options)
    assert str(caught.value) == message


def test_unknown_option_lists_the_options(cluster: nogentech.Cluster) -> None:
    with pytest.raises(OptionError) as caught:
        export(cluster, colour="red")
    assert str(caught.value) == (
        "unknown option 'colour' for format 'vcard' "
        "(valid: commune, groups, kind, lang, people, sector, sub_cluster, version)"
    )


# -- the hook ------------------------------------------------------------------


class Probe:
    """A plugin that marks every card with what it describes."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    @nogentech.hookimpl
    def nogentech_vcard(
        self, card: Any, subject: Any, cluster: nogentech.Cluster, options: Mapping[str, Any]
    ) -> None:
        self.seen.append((type(subject).__name__, subject.id))
        card.add("x-probe").value = f"{options['lang']}/{cluster.id}/{subject.id}"


def test_the_vcard_hook_enriches_every_card(cluster: nogentech.Cluster) -> None:
    probe = Probe()
    plugins.reset(plugins=[("probe", probe)])
    cards = parse(export(cluster, lang="en"))
    assert probe.seen == [("Company", c.id) for c in cluster.companies] + [
        ("Person", p.id) for p in cluster.people
    ] + [("SubCluster", "med"), ("SubCluster", "empty"), ("Commission", "env")]
    assert [c.x_probe.value for c in cards] == [f"en/demo/{k}" for _, k in probe.seen]


# -- command line --------------------------------------------------------------


def test_cli_writes_members_vcf(tmp_path: Path, builtin: nogentech.Cluster) -> None:
    out = tmp_path / "members.vcf"
    assert main(["export", "vcard", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data == export(builtin)
    cards = parse(data)
    assert [c.fn.value for c in cards][: len(builtin.companies)] == [
        c.name for c in builtin.companies
    ]


def test_cli_with_options(tmp_path: Path) -> None:
    source = tmp_path / "demo.toml"
    source.write_text(DATA, encoding="utf-8")
    out = tmp_path / "partners.vcf"
    argv = ["export", "vcard", "--data", str(source), "--lang", "en", "-o", str(out)]
    argv += ["--option", "version=4", "--option", "kind=partner", "--option", "groups=false"]
    assert main(argv) == 0
    cards = parse(out.read_bytes())
    assert [(c.version.value, c.fn.value) for c in cards] == [
        ("4.0", "Bolt"),
        ("4.0", "Luc Martin"),
    ]
    assert cards[1].title.value == "Mayor"


def test_cli_reports_an_unknown_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.vcf"
    assert main(["export", "vcard", "--option", "sub_cluster=atlantis", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: option 'sub_cluster': unknown id 'atlantis' (valid: ")
    assert "prosthesis-valley" in err
    assert not out.exists()


# -- the built-in data ---------------------------------------------------------


def test_builtin_organisations_each_have_a_company_card(builtin: nogentech.Cluster) -> None:
    cards = parse(export(builtin))
    companies = [c for c in cards if "x-abshowas" in c.contents]
    assert [c.uid.value for c in companies] == [uid(c.id, "nogentech") for c in builtin.companies]
    assert [c.fn.value for c in companies] == [c.name for c in builtin.companies]
    assert len(companies) == len(builtin.companies) >= 2
    assert {"Marle", "Gillet Group"} <= {c.fn.value for c in companies}


def test_builtin_marle_and_its_director(builtin: nogentech.Cluster) -> None:
    """Marle's CATEGORIES are its sectors then its sub-clusters, as the data gives them."""
    cards = {c.uid.value: c for c in parse(export(builtin))}
    marle = cards["urn:uuid:a2c9e0f3-9b67-59bf-972d-c8124124a31c"]
    assert (marle.fn.value, marle.org.value) == ("Marle", ["Marle"])
    company = builtin.company("marle")
    want = [builtin.sector(s).name.fr for s in company.sectors]
    want += [s.name for s in builtin.sub_clusters if "marle" in s.members]
    assert "Forge" in want
    assert marle.categories.value == want
    delphine = cards["urn:uuid:93eba98c-18cc-5d4f-acf2-147e9c596e9a"]
    assert delphine.fn.value == "Delphine Descorne-Jeanny"
    assert (delphine.n.value.family, delphine.n.value.given) == ("Descorne-Jeanny", "Delphine")
    assert delphine.org.value == ["Marle"]
    assert delphine.title.value == "Directrice du développement et de la performance industrielle"
    english = {c.uid.value: c for c in parse(export(builtin, lang="en"))}
    assert english[delphine.uid.value].title.value == (
        "Director of development and industrial performance"
    )


@pytest.mark.parametrize("version", [3, 4])
def test_builtin_groups(builtin: nogentech.Cluster, version: int) -> None:
    """A group card for each sub-cluster and commission, its members exactly the data's
    members, in the data's order, each the UID of a card of the same file."""
    cards = parse(export(builtin, version=version))
    uids = [c.uid.value for c in cards]
    kind, member = (
        ("kind", "member")
        if version == 4
        else ("x_addressbookserver_kind", "x-addressbookserver-member")
    )
    groups = [*builtin.sub_clusters, *builtin.commissions]
    by_uid = {c.uid.value: c for c in cards}
    assert uids[-len(groups) :] == [uid(g.id, "nogentech") for g in groups]
    valley = by_uid["urn:uuid:5c40fffa-4dca-5bbc-b6fb-d3bb5bfe04c9"]
    assert (valley.fn.value, getattr(valley, kind).value) == ("Prosthesis Valley", "group")
    for group in groups:
        card = by_uid[uid(group.id, "nogentech")]
        assert getattr(card, kind).value == "group"
        members = [m.value for m in card.contents.get(member, [])]
        assert members == [uid(m, "nogentech") for m in group.members]
        assert set(members) <= set(uids)
    for ident in ("environment", "communication", "industry-training"):
        assert uid(ident, "nogentech") in by_uid


def test_builtin_filters(builtin: nogentech.Cluster) -> None:
    """Each filter keeps the organisations the model finds, in the data's order."""
    only = {"people": False, "groups": False}
    valley = names(export(builtin, sub_cluster="prosthesis-valley", **only))
    assert valley == [c.name for c in builtin.members_of("prosthesis-valley")]
    nogent = names(export(builtin, commune="nogent", **only))
    assert nogent == [c.name for c in builtin.companies_in_place("nogent")]
    assert {"Gillet Group", "Forges de Courcelles"} <= set(nogent)
    assert "Marle" not in nogent
    forging = names(export(builtin, sector="forging", **only))
    assert forging == [c.name for c in builtin.companies_in_sector("forging")]
    assert "Marle" in forging
    schools = names(export(builtin, kind="school", **only))
    assert schools == [c.name for c in builtin.companies if c.kind == "school"]
    assert schools


# -- the documentation ---------------------------------------------------------

DOC = ROOT / "docs" / "vcards.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```", DOC.read_text("utf-8"), re.MULTILINE | re.DOTALL)


def test_doc_sessions_show_real_output() -> None:
    """The ``pycon`` sessions of docs/vcards.md give the output they show."""
    sessions = blocks("pycon")
    assert len(sessions) == 2
    test = doctest.DocTestParser().get_doctest("\n".join(sessions), {}, "vcards.md", None, 0)
    report = io.StringIO()
    result = doctest.DocTestRunner().run(test, out=report.write)
    assert result.attempted >= 6
    assert result.failed == 0, report.getvalue()


def organisations_kept(cluster: nogentech.Cluster, options: Mapping[str, str]) -> list[str]:
    """Names of the organisations the model finds for the filter options, in order."""
    kept = list(cluster.companies)
    finders = {
        "sub_cluster": cluster.members_of,
        "sector": cluster.companies_in_sector,
        "commune": cluster.companies_in_place,
    }
    for name, finder in finders.items():
        if name in options:
            found = {c.id for ident in options[name].split(",") for c in finder(ident)}
            kept = [c for c in kept if c.id in found]
    if "kind" in options:
        kept = [c for c in kept if c.kind in options["kind"].split(",")]
    return [c.name for c in kept]


def test_doc_commands_and_snippets_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builtin: nogentech.Cluster
) -> None:
    """Each ``nogentech`` command of the page writes the bytes the library gives for
    its options, with a card for each organisation the model finds for its
    filters; the Python snippets run, the one splitting the file writing one file
    per card."""
    monkeypatch.chdir(tmp_path)
    commands = [
        line.removeprefix("$ nogentech ")
        for block in blocks("console")
        for line in block.splitlines()
        if line.startswith("$ nogentech ")
    ]
    assert len(commands) == 7
    for command in commands:
        argv = shlex.split(command, comments=True)
        assert main(argv) == 0, command
        written = (tmp_path / argv[argv.index("-o") + 1]).read_bytes()
        options = dict(argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "--option")
        lang = argv[argv.index("--lang") + 1] if "--lang" in argv else "fr"
        assert written == export(builtin, lang=lang, **options), command
        cards = parse(written)
        organisations = [
            c.fn.value
            for c in cards
            if "x-abshowas" in c.contents or ("kind" in c.contents and c.kind.value == "org")
        ]
        assert organisations == organisations_kept(builtin, options), command
        assert len(cards) >= len(organisations)
    assert parse((tmp_path / "members.vcf").read_bytes())
    for block in blocks("python"):
        exec(compile(block, "vcards.md", "exec"), {})
    split = sorted(tmp_path.glob("card-*.vcf"))
    groups = len(builtin.sub_clusters) + len(builtin.commissions)
    assert len(split) == len(parse((tmp_path / "members.vcf").read_bytes())) - groups
    assert split[0].read_bytes().startswith(b"BEGIN:VCARD\r\nVERSION:3.0\r\n")


# -- serialisation -------------------------------------------------------------


@pytest.mark.parametrize("options", [{}, {"version": 4, "lang": "en"}])
def test_output_is_vobjects_own_serialisation(
    cluster: nogentech.Cluster, builtin: nogentech.Cluster, options: dict[str, Any]
) -> None:
    """Unfolded, the export is what vobject's ``serialize`` writes for the same cards
    (with Apple's spelling of X-ABShowAs), plugin lines included, but for one thing:
    ``;`` stands unescaped outside N, ADR and ORG in 4.0, and in NOTE and CATEGORIES
    in 3.0, where vobject escapes it."""
    from nogentech.exporters.vcard import cards

    plugins.reset(plugins=[("probe", Probe())])
    hooks = plugins.Hooks(plugins.get_plugin_manager())
    for data in (cluster, builtin):
        ours = export(data, **options).decode("utf-8").replace("\r\n ", "")
        theirs = "".join(
            card.serialize(lineLength=sys.maxsize)
            for _, card in cards(data, {"lang": "fr", **options}, hooks)
        ).replace("\r\nX-ABSHOWAS:", "\r\nX-ABShowAs:")
        bare = None if options.get("version") == 4 else ("NOTE", "CATEGORIES")
        assert "\r\nX-PROBE:" in ours
        assert ours == "\r\n".join(bare_semicolons(line, bare) for line in theirs.split("\r\n"))
        assert "\\;" in theirs and theirs.count("\\;") > ours.count("\\;")


def bare_semicolons(line: str, only: tuple[str, ...] | None) -> str:
    """``line`` with each escaped ``;`` of its value unescaped, unless it is N, ADR or
    ORG or, when ``only`` is given, a property not in ``only``."""
    head, sep, value = line.partition(":")
    name = head.partition(";")[0].upper()
    if not sep or name in ("N", "ADR", "ORG") or (only is not None and name not in only):
        return line
    return head + sep + re.sub(r"\\(.)", lambda m: m[0] if m[1] != ";" else ";", value)


def test_a_blank_website_writes_no_url() -> None:
    data = DATA.replace('website = "https://acme.example/fr?a=1,2"', 'website = " \\t "')
    text = card_text(export(nogentech.loads(data, "toml")), ACME)
    assert "URL" not in text
    assert "\r\nFN:Acme Forge\r\n" in text
