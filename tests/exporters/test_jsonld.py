"""The ``jsonld`` exporter, expanded by a JSON-LD processor (pyld) against a schema.org
context shipped with the tests: every term and type is a schema.org one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

import nogentech
from nogentech import Cluster, MeetingSeries, Text
from nogentech.exporters.jsonld import schedule
from nogentech.testing import clusters
from tests.support import DATA
from tests.support.schemaorg_context import terms

SCHEMA = "https://schema.org/"
CONTEXT_URLS = {
    "https://schema.org",
    "https://schema.org/",
    "http://schema.org",
    "http://schema.org/",
}
TERMS = set(terms())
BASE = "https://feeds.example.org/"


def _loader(url: str, options: Any = None) -> dict[str, Any]:
    """The document loader: the shipped context for schema.org, nothing from the network."""
    if url not in CONTEXT_URLS:
        raise AssertionError(f"the document asked for {url}, which the tests do not ship")
    document = json.loads((DATA / "schemaorg-context.jsonld").read_text("utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def expand(document: Any) -> tuple[list[Any], list[str | None]]:
    """The expanded document, and every property the processor dropped."""
    dropped: list[str | None] = []
    expanded = jsonld.expand(
        document,
        {"documentLoader": _loader, "base": BASE},
        on_property_dropped=dropped.append,
    )
    return expanded, dropped


def walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def exported(cluster: Cluster, **options: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(nogentech.export(cluster, "jsonld", **options))
    return loaded


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("which", ["builtin", "demo"])
def test_every_term_and_type_resolves_to_a_schema_org_iri(
    which: str, lang: str, demo: Cluster
) -> None:
    cluster = nogentech.load() if which == "builtin" else demo
    document = exported(cluster, lang=lang)
    expanded, dropped = expand(document)
    assert dropped == []
    nodes = list(walk(expanded))
    keys = {k for node in nodes for k in node if not k.startswith("@")}
    types = {t for node in nodes for t in node.get("@type", [])}
    assert keys and types
    assert {k for k in keys if not (k.startswith(SCHEMA) and k[len(SCHEMA) :] in TERMS)} == set()
    assert {t for t in types if not (t.startswith(SCHEMA) and t[len(SCHEMA) :] in TERMS)} == set()
    statuses = {v["@value"] for n in nodes for v in n.get(SCHEMA + "eventStatus", [])}
    assert statuses and {s[len(SCHEMA) :] for s in statuses} <= TERMS
    # every id is a node of the graph: no reference dangles
    ids = {n["@id"] for n in walk(document["@graph"]) if "@id" in n and len(n) > 1}
    refs = {n["@id"] for n in walk(document["@graph"]) if set(n) == {"@id"}}
    assert refs <= ids


def _node(document: dict[str, Any], ident: str) -> dict[str, Any]:
    (found,) = [n for n in document["@graph"] if n["@id"] == ident]
    return found


def test_cluster_organisation_with_groups_members_partners_and_board() -> None:
    document = exported(nogentech.load(), lang="fr")
    cluster = nogentech.load()
    org = _node(document, "#nogentech")
    assert org["@type"] == "Organization"
    assert org["name"] == "NOGENTECH"
    assert org["subOrganization"] == [{"@id": f"#{s.id}"} for s in cluster.sub_clusters]
    assert org["department"] == [{"@id": f"#{c.id}"} for c in cluster.commissions]
    board = [m for m in org["member"] if m.get("roleName") == "Présidente"]
    assert board == [
        {
            "@type": "OrganizationRole",
            "member": {"@id": "#delphine-descorne-jeanny"},
            "roleName": "Présidente",
        }
    ]
    partners = {m["member"]["@id"] for m in org["member"] if m.get("roleName") == "partenaire"}
    assert partners == {
        f"#{c.id}" for c in cluster.companies if c.kind == "partner" and not c.member
    }
    sub = _node(document, "#prosthesis-valley")
    assert sub["parentOrganization"] == {"@id": "#nogentech"}
    assert [m["@id"] for m in sub["member"] if "@id" in m] == [
        f"#{i}" for i in cluster.sub_cluster("prosthesis-valley").members
    ]


def test_monthly_meeting_is_an_event_series_with_its_schedule() -> None:
    series = _node(exported(nogentech.load(), lang="en"), "#rencontres-du-jeudi")
    assert series["@type"] == "EventSeries"
    assert series["name"] == "Thursday meetings"
    assert series["eventSchedule"] == {
        "@type": "Schedule",
        "repeatFrequency": "P1M",
        "startDate": "2023-10-12",
        "startTime": "08:30:00",
        "endTime": "10:30:00",
        "scheduleTimezone": "Europe/Paris",
        "byDay": "https://schema.org/Thursday",
        "byMonthWeek": 2,
    }
    assert series["organizer"] == [{"@id": "#nogentech"}]
    assert series["isAccessibleForFree"] is True


def test_programmed_occurrence_is_an_event_of_the_series() -> None:
    document = exported(nogentech.load(), lang="fr")
    event = _node(document, "#rencontres-du-jeudi/2023-10-12")
    assert event == {
        "@type": "Event",
        "@id": "#rencontres-du-jeudi/2023-10-12",
        "name": "Comment utiliser les réseaux sociaux dans l’industrie ?",
        "superEvent": {"@id": "#rencontres-du-jeudi"},
        "description": "Le bénéfice qu’ont les entreprises à utiliser les réseaux sociaux "
        "de manière pertinente.",
        "startDate": "2023-10-12T08:30:00+02:00",
        "endDate": "2023-10-12T10:30:00+02:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "performer": [{"@id": "#germain-chittaro"}, {"@id": "#jose-sanchez"}],
        "location": {"@id": "#canope-chaumont"},
    }
    venue = _node(document, "#canope-chaumont")
    assert venue == {
        "@type": "Place",
        "@id": "#canope-chaumont",
        "name": "Canopé",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Chaumont",
            "addressRegion": "Haute-Marne",
            "addressCountry": "France",
        },
        "containedInPlace": {"@id": "#chaumont"},
    }


def test_moved_cancelled_and_all_day_events(demo: Cluster) -> None:
    document = exported(demo, lang="en")
    moved = _node(document, "#jeudis/2024-03-14")
    assert moved["eventStatus"] == "https://schema.org/EventRescheduled"
    assert moved["previousStartDate"] == "2024-03-14T08:30:00+01:00"
    assert moved["startDate"] == "2024-03-15T09:00:00+01:00"
    cancelled = _node(document, "#jeudis/2024-04-11")
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"
    assert cancelled["name"] == "Thursdays"
    salon = _node(document, "#salon")
    assert (salon["startDate"], salon["endDate"]) == ("2024-03-20", "2024-03-21")
    assert "superEvent" not in salon
    schedule = _node(document, "#jeudis")["eventSchedule"]
    assert schedule["exceptDate"] == ["2024-04-11"]


def _series(rule: str, first: dt.date) -> MeetingSeries:
    return MeetingSeries(
        id="s",
        name=Text(fr="S"),
        first_date=first,
        start_time=dt.time(18, 0),
        duration=dt.timedelta(hours=1),
        rule=rule,
    )


def test_rules_without_an_exact_schedule_get_none() -> None:
    assert schedule(_series("FREQ=MONTHLY;BYDAY=-1FR", dt.date(2024, 1, 26))) is None
    assert schedule(_series("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", dt.date(2024, 1, 1))) is None
    weekly = schedule(_series("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6", dt.date(2024, 1, 1)))
    assert weekly == {
        "@type": "Schedule",
        "repeatFrequency": "P2W",
        "startDate": "2024-01-01",
        "startTime": "18:00:00",
        "endTime": "19:00:00",
        "scheduleTimezone": "Europe/Paris",
        "byDay": ["https://schema.org/Monday", "https://schema.org/Wednesday"],
        "repeatCount": 6,
    }


def test_base_url_makes_the_ids_absolute(demo: Cluster) -> None:
    document = exported(demo, base_url="https://example.org/feeds/")
    expanded, dropped = expand(document)
    assert dropped == []
    ids = {n["@id"] for n in walk(expanded) if "@id" in n}
    assert "https://example.org/feeds/#demo" in ids
    assert all(i.startswith("https://example.org/feeds/#") for i in ids)


def test_the_check_catches_a_term_schema_org_does_not_define(demo: Cluster) -> None:
    document = exported(demo)
    document["@graph"][0]["foundingYear"] = "2002"
    _expanded, dropped = expand(document)
    assert dropped == ["foundingYear"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cluster=clusters(), lang=st.sampled_from(["fr", "en"]))
def test_any_cluster_expands_to_schema_org_terms_only(cluster: Cluster, lang: str) -> None:
    document = exported(cluster, lang=lang)
    expanded, dropped = expand(document)
    assert dropped == []
    nodes = list(walk(expanded))
    iris = {k for node in nodes for k in node if not k.startswith("@")}
    iris |= {t for node in nodes for t in node.get("@type", [])}
    assert {i for i in iris if not (i.startswith(SCHEMA) and i[len(SCHEMA) :] in TERMS)} == set()
    ids = {n["@id"] for n in walk(document["@graph"]) if "@id" in n and len(n) > 1}
    assert {n["@id"] for n in walk(document["@graph"]) if set(n) == {"@id"}} <= ids
