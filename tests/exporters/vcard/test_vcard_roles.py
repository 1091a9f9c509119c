"""Roles on person cards (ROLE) and the group card of a chosen sub-cluster.

TITLE and ORG are a person's job; every other role the data gives is a ROLE
property (RFC 2426 section 3.5.2, RFC 6350 section 6.6.2): the role's own title,
else the label ``nogentech info`` gives its kind, then the body it is held in.
The group card of a sub-cluster the ``sub_cluster`` option names is written even
when the data lists no member of it.
"""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vobject
from vcard import vcard_validator

import nogentech
from nogentech import Cluster, plugins

NAMESPACE = uuid.UUID("066c1aa3-c0e6-4e5b-bc36-013d266c4b70")
DELPHINE = "urn:uuid:93eba98c-18cc-5d4f-acf2-147e9c596e9a"
YVES = "urn:uuid:becc73bd-4947-5f18-8152-317dd7ae20e5"
LUC = "urn:uuid:e3c1349d-9981-5f86-961a-3665d63624d7"
FLAAMM = "urn:uuid:1c6bc3c0-3e6d-59f2-9802-76b69d125be5"
SPEAKERS = (
    "pauline-wendehenne",
    "germain-chittaro",
    "jose-sanchez",
    "thomas-corvasce",
    "laurence-kin-ropers",
    "franck-kwasiak",
)

# The ROLE lines of the board and of Luc Chatel, as written, for each export.
ROLE_LINES = {
    ("fr", 3): {
        DELPHINE: ["ROLE:Présidente\\, NOGENTECH"],
        YVES: ["ROLE:Vice-présidence\\, NOGENTECH"],
        LUC: [
            "ROLE:Initiative\\, Prosthesis Valley",
            "ROLE:Ministre de l’Éducation et maire de Chaumont",
        ],
    },
    ("en", 3): {
        DELPHINE: ["ROLE:President\\, NOGENTECH"],
        YVES: ["ROLE:Vice-president\\, NOGENTECH"],
        LUC: [
            "ROLE:Initiator\\, Prosthesis Valley",
            "ROLE:French Minister of Education and Mayor of Chaumont",
        ],
    },
}
ROLE_LINES[("fr", 4)] = ROLE_LINES[("fr", 3)]
ROLE_LINES[("en", 4)] = ROLE_LINES[("en", 3)]
EXPORTS = [pytest.param(lang, version, id=f"{version}.0-{lang}") for lang, version in ROLE_LINES]

DATA = """
id = "demo"
name = "DEMO"

[[companies]]
id = "acme"
name = "Acme"

[[companies]]
id = "bolt"
name = "Bolt; Fils"

[[sub_clusters]]
id = "med"
name = "Medical Valley"
members = ["acme"]

[[sub_clusters]]
id = "lonely"
name = "Lonely"
description = { fr = "Sans membre", en = "No member" }

[[commissions]]
id = "env"
name = { fr = "Commission Environnement", en = "Environment committee" }
members = ["acme"]

[[people]]
id = "anne"
name = "Anne Martin"

[[people.roles]]
kind = "president"
of = "demo"
title = { fr = "Présidente", en = "President" }

[[people]]
id = "paul"
name = "Paul Durand"

[[people.roles]]
kind = "employee"
of = "acme"

[[people.roles]]
kind = "board-member"
of = "demo"

[[people.roles]]
kind = "employee"
of = "bolt"
title = { fr = "Conseiller", en = "Adviser" }

[[people.roles]]
kind = "office"
of = "env"

[[people.roles]]
kind = "speaker"
of = "demo"

[[people.roles]]
kind = "speaker"
of = "demo"
"""


@pytest.fixture(scope="module")
def builtin() -> Cluster:
    return nogentech.load()


@pytest.fixture(scope="module")
def demo() -> Cluster:
    return nogentech.loads(DATA, "toml")


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    plugins.reset()
    yield
    plugins.reset()


def uid(ident: str, cluster: str = "nogentech") -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{cluster}/{ident}')}"


def rev(cluster: Cluster, version: int) -> str:
    """The REV line the data's ``updated`` stamp gives."""
    assert cluster.updated is not None
    stamp = cluster.updated.astimezone(dt.UTC)
    return "REV:" + stamp.strftime("%Y%m%dT%H%M%SZ" if version == 4 else "%Y-%m-%dT%H:%M:%SZ")


def card_lines(data: bytes, uid_: str) -> list[str]:
    """The unfolded content lines of the card with UID ``uid_``."""
    text = data.decode("utf-8").replace("\r\n ", "")
    for chunk in text.split("BEGIN:VCARD\r\n")[1:]:
        found = chunk.split("\r\n")[:-1]
        if f"UID:{uid_}" in found:
            return ["BEGIN:VCARD", *found]
    raise AssertionError(f"no card {uid_}")


def roles_of(data: bytes, uid_: str) -> list[str]:
    return [line for line in card_lines(data, uid_) if line.startswith("ROLE")]


def parsed(data: bytes) -> dict[str, Any]:
    return {c.uid.value: c for c in vobject.readComponents(data.decode("utf-8"))}


def octet_view(data: bytes) -> str:
    """``data`` with each octet 80–FF as "é": the RFC 2426 grammar counts octets."""
    return data.translate(bytes(range(128)) + b"\xe9" * 128).decode("latin-1")


def validate_3_0(data: bytes, path: Path) -> None:
    path.write_bytes(octet_view(data).encode("utf-8"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert vcard_validator.validate_file(str(path), False) == ""
    assert not [w for w in caught if "Long line" in str(w.message)]


# -- the board of the built-in data ----------------------------------------------


def test_board_cards_in_3_0_french(builtin: Cluster) -> None:
    """The president's and vice-president's cards say they are NOGENTECH's board;
    Luc Chatel's keeps his first office as TITLE and shows the others as ROLE."""
    data = nogentech.export(builtin, "vcard")
    head = ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//nogentech//vCard export//EN"]
    assert card_lines(data, DELPHINE) == [
        *head,
        f"UID:{DELPHINE}",
        "FN:Delphine Descorne-Jeanny",
        "N:Descorne-Jeanny;Delphine;;;",
        "ORG:Marle",
        rev(builtin, 3),
        "ROLE:Présidente\\, NOGENTECH",
        "TITLE:Directrice du développement et de la performance industrielle",
        "END:VCARD",
    ]
    assert card_lines(data, YVES) == [
        *head,
        f"UID:{YVES}",
        "FN:Yves Lombard",
        "N:Lombard;Yves;;;",
        "ORG:Gillet Group",
        rev(builtin, 3),
        "ROLE:Vice-présidence\\, NOGENTECH",
        "END:VCARD",
    ]
    assert card_lines(data, LUC) == [
        *head,
        f"UID:{LUC}",
        "FN:Luc Chatel",
        "N:Chatel;Luc;;;",
        rev(builtin, 3),
        "ROLE:Initiative\\, Prosthesis Valley",
        "ROLE:Ministre de l’Éducation et maire de Chaumont",
        "TITLE:Ministre-maire de Chaumont",
        "END:VCARD",
    ]


def test_board_cards_in_4_0_english(builtin: Cluster) -> None:
    data = nogentech.export(builtin, "vcard", version=4, lang="en")
    head = ["BEGIN:VCARD", "VERSION:4.0", "PRODID:-//nogentech//vCard export//EN"]
    assert card_lines(data, DELPHINE) == [
        *head,
        f"UID:{DELPHINE}",
        "FN:Delphine Descorne-Jeanny",
        "KIND:individual",
        "N:Descorne-Jeanny;Delphine;;;",
        "ORG:Marle",
        rev(builtin, 4),
        "ROLE:President\\, NOGENTECH",
        "TITLE:Director of development and industrial performance",
        "END:VCARD",
    ]
    assert card_lines(data, YVES) == [
        *head,
        f"UID:{YVES}",
        "FN:Yves Lombard",
        "KIND:individual",
        "N:Lombard;Yves;;;",
        "ORG:Gillet Group",
        rev(builtin, 4),
        "ROLE:Vice-president\\, NOGENTECH",
        "END:VCARD",
    ]
    assert card_lines(data, LUC) == [
        *head,
        f"UID:{LUC}",
        "FN:Luc Chatel",
        "KIND:individual",
        "N:Chatel;Luc;;;",
        rev(builtin, 4),
        "ROLE:Initiator\\, Prosthesis Valley",
        "ROLE:French Minister of Education and Mayor of Chaumont",
        "TITLE:Minister and Mayor of Chaumont",
        "END:VCARD",
    ]


@pytest.mark.parametrize(("lang", "version"), EXPORTS)
def test_board_role_lines(builtin: Cluster, lang: str, version: int) -> None:
    """The same ROLE lines in 3.0 and 4.0; exactly one TITLE at most on each card."""
    data = nogentech.export(builtin, "vcard", lang=lang, version=version)
    for person, want in ROLE_LINES[(lang, version)].items():
        assert roles_of(data, person) == want
        assert len([x for x in card_lines(data, person) if x.startswith("TITLE")]) <= 1


@pytest.mark.parametrize(("lang", "version"), EXPORTS)
def test_roles_read_back_through_vobject(builtin: Cluster, lang: str, version: int) -> None:
    """vobject reads the ROLE values unescaped: the label, a comma, the body."""
    cards = parsed(nogentech.export(builtin, "vcard", lang=lang, version=version))
    for person, want in ROLE_LINES[(lang, version)].items():
        values = [line.value for line in cards[person].contents["role"]]
        assert values == [w.removeprefix("ROLE:").replace("\\,", ",") for w in want]
    board = {"fr": "Présidente, NOGENTECH", "en": "President, NOGENTECH"}
    assert cards[DELPHINE].role.value == board[lang]


@pytest.mark.parametrize(("lang", "label"), [("fr", "Intervention"), ("en", "Speaker")])
def test_speakers_keep_their_job_and_show_their_talk(
    builtin: Cluster, lang: str, label: str
) -> None:
    """A speaker's employer stays in ORG, the talk at NOGENTECH is a ROLE."""
    data = nogentech.export(builtin, "vcard", lang=lang)
    for ident in SPEAKERS:
        person = next(p for p in builtin.people if p.id == ident)
        lines = card_lines(data, uid(ident))
        assert roles_of(data, uid(ident)) == [f"ROLE:{label}\\, NOGENTECH"]
        employer = builtin.company(person.employers()[0]).name
        assert f"ORG:{employer}" in lines


@pytest.mark.parametrize(("lang", "version"), EXPORTS)
def test_every_role_of_the_data_is_on_the_card(builtin: Cluster, lang: str, version: int) -> None:
    """Each role is the employer (ORG), the title (TITLE) or a ROLE naming its body."""
    cards = parsed(nogentech.export(builtin, "vcard", lang=lang, version=version))
    for person in builtin.people:
        card = cards[uid(person.id)]
        values = [line.value for line in card.contents.get("role", [])]
        org = card.org.value[0] if "org" in card.contents else None
        title = card.title.value if "title" in card.contents else None
        for role in person.roles:
            body = builtin.name_of(role.of, lang) if role.of else None
            own = role.title.get(lang) if role.title else None
            if role.kind == "employee" and body == org:
                assert own in (None, title), (person.id, role)
            elif own is not None and own == title and role.of is None:
                continue
            else:
                assert any(v.endswith(f", {body}") if body else v == own for v in values), (
                    person.id,
                    role,
                )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_3_0_cards_with_roles_pass_the_rfc_2426_validator(
    builtin: Cluster, lang: str, tmp_path: Path
) -> None:
    data = nogentech.export(builtin, "vcard", lang=lang)
    assert b"\r\nROLE:" in data
    validate_3_0(data, tmp_path / "members.vcf")


# -- roles on a small cluster ----------------------------------------------------


def test_a_titled_role_without_an_employer_is_title_and_role(demo: Cluster) -> None:
    """Without an employer the president's title is the TITLE, and the ROLE says of what."""
    data = nogentech.export(demo, "vcard")
    assert card_lines(data, uid("anne", "demo")) == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{uid('anne', 'demo')}",
        "FN:Anne Martin",
        "N:Martin;Anne;;;",
        "ROLE:Présidente\\, DEMO",
        "TITLE:Présidente",
        "END:VCARD",
    ]


@pytest.mark.parametrize(
    ("lang", "title", "roles"),
    [
        (
            "fr",
            "TITLE:Conseiller",
            [
                "ROLE:Membre du bureau\\, DEMO",
                "ROLE:Conseiller\\, Bolt; Fils",
                "ROLE:Fonction\\, Commission Environnement",
                "ROLE:Intervention\\, DEMO",
            ],
        ),
        (
            "en",
            "TITLE:Adviser",
            [
                "ROLE:Board member\\, DEMO",
                "ROLE:Adviser\\, Bolt; Fils",
                "ROLE:Office\\, Environment committee",
                "ROLE:Speaker\\, DEMO",
            ],
        ),
    ],
)
def test_roles_in_the_data_order_once_each(
    demo: Cluster, lang: str, title: str, roles: list[str]
) -> None:
    """ORG is the first employer; a second job, whose title is the TITLE, is also a
    ROLE naming its employer; untitled roles get their kind's label; two identical
    roles give one ROLE."""
    lines = card_lines(nogentech.export(demo, "vcard", lang=lang, version=4), uid("paul", "demo"))
    assert [x for x in lines if x.startswith(("ORG", "TITLE"))] == ["ORG:Acme", title]
    assert [x for x in lines if x.startswith("ROLE")] == roles


# -- the group card of a chosen sub-cluster ----------------------------------------


@pytest.mark.parametrize("version", [3, 4])
def test_flaamm_alone_gives_its_group_card(builtin: Cluster, version: int) -> None:
    """FLAAMM has no members in the data: its group card, with no MEMBER, and nothing else."""
    flaamm = next(s for s in builtin.sub_clusters if s.id == "flaamm")
    assert flaamm.members == ()
    data = nogentech.export(builtin, "vcard", sub_cluster="flaamm", version=version)
    assert data.count(b"BEGIN:VCARD\r\n") == 1
    lines = card_lines(data, FLAAMM)
    (note,) = [x for x in lines if x.startswith("NOTE:")]
    common = [
        "BEGIN:VCARD",
        f"VERSION:{version}.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{FLAAMM}",
        "FN:FLAAMM",
    ]
    if version == 3:
        want = [*common, "N:FLAAMM;;;;", note, rev(builtin, 3), "X-ADDRESSBOOKSERVER-KIND:group"]
    else:
        want = [*common, "KIND:group", note, rev(builtin, 4)]
    assert lines == [*want, "END:VCARD"]
    assert "MEMBER" not in data.decode("utf-8")
    card = parsed(data)[FLAAMM]
    about = flaamm.description or flaamm.focus
    assert about is not None
    assert card.note.value == about.get("fr").strip()


def test_flaamm_card_passes_the_rfc_2426_validator(builtin: Cluster, tmp_path: Path) -> None:
    validate_3_0(nogentech.export(builtin, "vcard", sub_cluster="flaamm"), tmp_path / "f.vcf")


def test_no_group_card_with_groups_false(builtin: Cluster) -> None:
    assert nogentech.export(builtin, "vcard", sub_cluster="flaamm", groups=False) == b""


def test_prosthesis_valley_and_flaamm_each_have_their_card(builtin: Cluster) -> None:
    """With both chosen, both group cards; Prosthesis Valley lists its members."""
    data = nogentech.export(builtin, "vcard", sub_cluster="prosthesis-valley,flaamm", version=4)
    valley = card_lines(data, uid("prosthesis-valley"))
    members = [x for x in valley if x.startswith("MEMBER:")]
    sub = next(s for s in builtin.sub_clusters if s.id == "prosthesis-valley")
    assert sub.members
    assert members == [f"MEMBER:{uid(m)}" for m in sub.members]
    assert not [x for x in card_lines(data, FLAAMM) if x.startswith("MEMBER")]


def test_a_chosen_sub_cluster_keeps_its_card_under_other_filters(demo: Cluster) -> None:
    """A sub-cluster without members keeps its card beside another filter; a group not
    chosen and without a kept member does not."""
    names = [
        c.fn.value
        for c in vobject.readComponents(
            nogentech.export(demo, "vcard", sub_cluster="lonely", lang="en").decode("utf-8")
        )
    ]
    assert names == ["Lonely"]
    both = nogentech.export(demo, "vcard", sub_cluster="med,lonely", version=4, lang="en")
    lonely = card_lines(both, uid("lonely", "demo"))
    assert lonely == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//nogentech//vCard export//EN",
        f"UID:{uid('lonely', 'demo')}",
        "FN:Lonely",
        "KIND:group",
        "NOTE:No member",
        "END:VCARD",
    ]
