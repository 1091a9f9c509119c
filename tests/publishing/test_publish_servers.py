"""Publishing into two real servers started on loopback: Radicale (htpasswd
authentication) and Xandikos, a calendar and an address book on each.

The demo cluster is published, published again unchanged, then edited step by step
(one occurrence, one cancelled date, one member removed, a change made on the server
by someone else). After each step the server's own time-range REPORT, which expands
the series itself, gives exactly the library's occurrences (start and end instants,
SUMMARY, STATUS), the address book holds exactly the exported cards, and the event
and the card someone else stored there are as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import vobject
from icalendar import Calendar

import nogentech
from nogentech.exporters.vcard import card_uid
from nogentech.publishing import Result, publish
from nogentech.stamps import Stamps
from tests.conftest import make_demo
from tests.support import dav_queries as q
from tests.support.radicale_server import DAVClient, radicale, xandikos

pytestmark = pytest.mark.slow

UTC = dt.UTC
T0 = dt.datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
WINDOW = (dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 7, 1, tzinfo=UTC))
FOREIGN_EVENT = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone else//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:foreign-1@example.org\r\nDTSTAMP:20240101T000000Z\r\n"
    b"DTSTART:20240208T150000Z\r\nDTEND:20240208T160000Z\r\nSUMMARY:Not ours\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
FOREIGN_CARD = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:urn:uuid:00000000-0000-4000-8000-000000000001\r\n"
    b"FN:Someone Else\r\nN:Else;Someone;;;\r\nEND:VCARD\r\n"
)
FOREIGN_OCCURRENCE = (
    "foreign-1@example.org",
    "2024-02-08T15:00:00+00:00",
    "2024-02-08T16:00:00+00:00",
    "Not ours",
    "",
)


@attrs.frozen
class Server:
    name: str
    client: DAVClient
    base: str
    calendar: str
    book: str
    auth: tuple[str, str] | None


@pytest.fixture(scope="module", params=["radicale", "xandikos"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "radicale":
        with radicale(root, users={"alice": "s3cret"}) as port:
            client = DAVClient(port, "alice", "s3cret")
            calendar = q.make_calendar(client, "/alice/meetings/")
            book = q.make_address_book(client, "/alice/members/")
            yield Server(
                "radicale", client, f"http://127.0.0.1:{port}", calendar, book, ("alice", "s3cret")
            )
    else:
        with xandikos(root) as port:
            client = DAVClient(port, "user")
            calendar = "/user/calendars/calendar/"
            book = "/user/contacts/addressbook/"
            yield Server("xandikos", client, f"http://127.0.0.1:{port}", calendar, book, None)


def cluster_steps() -> dict[str, nogentech.Cluster]:
    start = attrs.evolve(make_demo(), updated=T0)
    series = start.meeting_series[0]
    feb, march = series.overrides
    feb = attrs.evolve(feb, topic=nogentech.Text(fr="La cybersécurité des PME", en="SME security"))
    edited = attrs.evolve(start, meeting_series=(attrs.evolve(series, overrides=(feb, march)),))
    cancelled = attrs.evolve(
        edited,
        meeting_series=(
            attrs.evolve(
                edited.meeting_series[0], cancelled=(dt.date(2024, 4, 11), dt.date(2024, 5, 9))
            ),
        ),
    )
    companies = tuple(c for c in cancelled.companies if c.id != "estamp-c")
    subs = tuple(
        attrs.evolve(s, members=tuple(m for m in s.members if m != "estamp-c"))
        for s in cancelled.sub_clusters
    )
    removed = attrs.evolve(cancelled, companies=companies, sub_clusters=subs)
    return {"start": start, "edited": edited, "cancelled": cancelled, "removed": removed}


def library(cluster: nogentech.Cluster) -> list[q.Occurrence]:
    out = []
    for m in cluster.meetings_between(*WINDOW, include_cancelled=True):
        title = (m.topic or m.title).get("fr")
        if m.all_day:
            start, end = m.start.date().isoformat(), m.end.date().isoformat()
        else:
            start, end = (t.astimezone(UTC).isoformat() for t in (m.start, m.end))
        summary = f"Annulé : {title}" if m.cancelled else title
        out.append(
            (f"{m.uid_base}@demo", start, end, summary, "CANCELLED" if m.cancelled else "CONFIRMED")
        )
    return sorted(out)


def card_lines(data: bytes) -> dict[str, list[tuple[str, str, str]]]:
    """Each card's properties as vobject reads them, by UID."""
    out = {}
    for card in vobject.readComponents(data.decode()):
        props = sorted(
            (line.name, repr(sorted(line.params.items())), str(line.value))
            for line in card.getChildren()
        )
        out[card.uid.value] = props
    return out


def event_lines(data: bytes) -> list[bytes]:
    """The content lines of the VEVENTs of a resource, in any order the server keeps."""
    text = data.replace(b"\r\n", b"\n").replace(b"\n ", b"")
    inner = text.split(b"BEGIN:VEVENT\n", 1)[1].split(b"END:VEVENT", 1)[0]
    return sorted(inner.splitlines())


def sequences(data: bytes) -> dict[str, int]:
    """SEQUENCE of each VEVENT of a stored resource, by RECURRENCE-ID (UTC; "" for none)."""
    out = {}
    for event in Calendar.from_ical(data).walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        out[rid.dt.astimezone(UTC).isoformat() if rid else ""] = int(event["SEQUENCE"])
    return out


def stored_cards(server: Server) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for body in q.resources(server.client, server.book, "carddav").values():
        found = card_lines(body)
        assert not set(found) & set(out), "a card is stored twice"
        out.update(found)
    return out


@pytest.fixture(scope="module")
def walk(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every step's result, and what the server held right after it."""
    work = tmp_path_factory.mktemp(f"walk-{server.name}")
    status, _ = server.client.request(
        "PUT", server.calendar + "foreign.ics", FOREIGN_EVENT, {"Content-Type": "text/calendar"}
    )
    assert status == 201
    status, _ = server.client.request(
        "PUT", server.book + "foreign.vcf", FOREIGN_CARD, {"Content-Type": "text/vcard"}
    )
    assert status == 201
    clusters = cluster_steps()
    seen: dict[str, Any] = {}

    def step(name: str, cluster: nogentech.Cluster, **extra: Any) -> Result:
        result = publish(
            cluster,
            server.base + server.calendar,
            server.base + server.book,
            auth=server.auth,
            stamps=work / "demo.stamps.json",
            state=work / "publish.json",
            **extra,
        )
        seen[name] = {
            "result": result,
            "occurrences": q.occurrences(server.client, server.calendar, *WINDOW),
            "cards": stored_cards(server),
            "calendar": q.resources(server.client, server.calendar, "caldav"),
            "expected": library(cluster),
            "exported": card_lines(
                Stamps.load(work / "demo.stamps.json").apply(
                    "vcard", "fr,3", nogentech.export(cluster, "vcard")
                )[0]
            ),
        }
        return result

    step("first", clusters["start"])
    step("again", clusters["start"])
    step("edited", clusters["edited"])
    step("cancelled", clusters["cancelled"])
    step("removed", clusters["removed"])
    # Someone else edits the factory visit on the server, and Alice's card.
    href = server.calendar + "visite%40demo.ics"
    status, body = server.client.request("GET", href)
    assert status == 200
    theirs = body.replace(b"SUMMARY:Visite d\xe2\x80\x99usine", b"SUMMARY:Visite (bus at 13:30)")
    assert theirs != body
    status, _ = server.client.request("PUT", href, theirs, {"Content-Type": "text/calendar"})
    assert status in (201, 204)
    alice = card_uid("demo", "alice").removeprefix("urn:uuid:")
    card_href = server.book + f"{alice}.vcf"
    status, body = server.client.request("GET", card_href)
    assert status == 200
    status, _ = server.client.request(
        "PUT",
        card_href,
        body.replace(b"FN:Alice Martin", b"FN:Alice M."),
        {"Content-Type": "text/vcard"},
    )
    assert status in (201, 204)
    seen["theirs"] = theirs
    step("conflict", clusters["removed"])
    step("dry-force", clusters["removed"], force=True, dry_run=True)
    step("forced", clusters["removed"], force=True)
    return seen


def kinds(result: Result) -> dict[str, list[tuple[str, str]]]:
    """The UIDs of each kind of action, by collection kind."""
    out: dict[str, list[tuple[str, str]]] = {}
    for collection in result.collections:
        for action in collection.actions:
            if action.kind != "unchanged":
                out.setdefault(collection.kind, []).append((action.kind, action.uid))
    return out


def writes(result: Result) -> list[tuple[str, str]]:
    return sorted((a.kind, a.uid) for a in result.writes)


def test_first_publish_creates_every_resource_and_leaves_the_foreign_ones(
    walk: dict[str, Any],
) -> None:
    first = walk["first"]
    uids = sorted(
        ["jeudis@demo", "salon@demo", "visite@demo"]
        + [
            card_uid("demo", i)
            for i in (
                "forges-a",
                "usine-b",
                "estamp-c",
                "ecole-d",
                "groupe-e",
                "alice",
                "bob",
                "carol",
                "med",
                "meca",
                "comm-env",
            )
        ]
    )
    assert writes(first["result"]) == sorted(("create", u) for u in uids)
    foreign = sorted((a.kind, a.uid) for a in first["result"].actions() if a.kind == "foreign")
    assert foreign == [
        ("foreign", "foreign-1@example.org"),
        ("foreign", "urn:uuid:00000000-0000-4000-8000-000000000001"),
    ]


@pytest.mark.parametrize("step", ["first", "again", "edited", "cancelled", "removed", "forced"])
def test_the_servers_time_range_report_gives_the_librarys_occurrences(
    walk: dict[str, Any], step: str
) -> None:
    seen = walk[step]
    assert seen["occurrences"] == sorted([*seen["expected"], FOREIGN_OCCURRENCE])


@pytest.mark.parametrize("step", ["first", "again", "edited", "cancelled", "removed", "forced"])
def test_the_address_book_holds_exactly_the_exported_cards(walk: dict[str, Any], step: str) -> None:
    seen = walk[step]
    foreign = card_lines(FOREIGN_CARD)
    assert seen["cards"] == {**seen["exported"], **foreign}


@pytest.mark.parametrize(
    "step", ["first", "again", "edited", "cancelled", "removed", "conflict", "forced"]
)
def test_the_foreign_event_is_left_as_it_was(walk: dict[str, Any], step: str) -> None:
    stored = walk[step]["calendar"]["foreign.ics"]
    assert event_lines(stored) == event_lines(FOREIGN_EVENT)


def test_a_second_run_without_changes_writes_nothing(walk: dict[str, Any]) -> None:
    result = walk["again"]["result"]
    assert writes(result) == []
    assert kinds(result) == {
        "caldav": [("foreign", "foreign-1@example.org")],
        "carddav": [("foreign", "urn:uuid:00000000-0000-4000-8000-000000000001")],
    }


def test_editing_one_occurrence_writes_exactly_its_series(walk: dict[str, Any]) -> None:
    assert writes(walk["edited"]["result"]) == [("update", "jeudis@demo")]
    assert (
        "jeudis@demo",
        "2024-02-08T07:30:00+00:00",
        "2024-02-08T09:30:00+00:00",
        "La cybersécurité des PME",
        "CONFIRMED",
    ) in walk["edited"]["occurrences"]
    before = sequences(walk["again"]["calendar"]["jeudis@demo.ics"])
    after = sequences(walk["edited"]["calendar"]["jeudis@demo.ics"])
    assert before == {
        "": 0,
        "2024-02-08T07:30:00+00:00": 0,
        "2024-03-14T07:30:00+00:00": 0,
        "2024-04-11T06:30:00+00:00": 0,
    }
    assert after == {**before, "2024-02-08T07:30:00+00:00": 1}


def test_cancelling_a_date_writes_exactly_its_series(walk: dict[str, Any]) -> None:
    assert writes(walk["cancelled"]["result"]) == [("update", "jeudis@demo")]
    assert (
        "jeudis@demo",
        "2024-05-09T06:30:00+00:00",
        "2024-05-09T08:30:00+00:00",
        "Annulé : Les jeudis",
        "CANCELLED",
    ) in walk["cancelled"]["occurrences"]
    series = walk["cancelled"]["calendar"]["jeudis@demo.ics"].replace(b"\r\n ", b"")
    assert b"RECURRENCE-ID;TZID=Europe/Paris:20240509T083000" in series


def test_removing_a_member_deletes_its_card_and_updates_its_group(walk: dict[str, Any]) -> None:
    assert writes(walk["removed"]["result"]) == [
        ("delete", card_uid("demo", "estamp-c")),
        ("update", card_uid("demo", "med")),
    ]


def test_a_change_made_on_the_server_is_reported_and_kept(walk: dict[str, Any]) -> None:
    conflict = walk["conflict"]
    assert writes(conflict["result"]) == []
    found = sorted((a.uid, a.reason) for a in conflict["result"].conflicts)
    assert found == [
        (card_uid("demo", "alice"), "changed on the server since the last sync"),
        ("visite@demo", "changed on the server since the last sync"),
    ]
    assert (
        "visite@demo",
        "2024-02-08T13:00:00+00:00",
        "2024-02-08T16:00:00+00:00",
        "Visite (bus at 13:30)",
        "CONFIRMED",
    ) in conflict["occurrences"]
    assert (
        conflict["cards"][card_uid("demo", "alice")]
        != conflict["exported"][card_uid("demo", "alice")]
    )


def test_a_dry_run_plans_the_overwrite_and_writes_nothing(walk: dict[str, Any]) -> None:
    dry = walk["dry-force"]
    assert dry["result"].dry_run and dry["result"].writes == []
    assert sorted((a.kind, a.uid) for a in dry["result"].actions() if a.kind == "update") == [
        ("update", card_uid("demo", "alice")),
        ("update", "visite@demo"),
    ]
    assert dry["calendar"] == walk["conflict"]["calendar"]


def test_force_overwrites_the_changed_resources_only(walk: dict[str, Any]) -> None:
    assert writes(walk["forced"]["result"]) == [
        ("update", card_uid("demo", "alice")),
        ("update", "visite@demo"),
    ]
