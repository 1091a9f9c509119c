"""The ``ics`` feed on a real CalDAV server (Radicale), spoken to with ``http.client``.

The feed is split into one calendar object resource per UID, as a CalDAV client
stores it; the server must accept every resource and answer time-range queries
with exactly the meetings the library puts in that range.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from icalendar import Calendar

import nogentech
from tests.support.radicale_server import DAVClient, radicale

pytestmark = pytest.mark.slow

UTC = dt.UTC
WINDOW = (dt.datetime(2023, 12, 1, tzinfo=UTC), dt.datetime(2024, 3, 1, tzinfo=UTC))
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}

DATA = """
id = "nogentech"
name = "NOGENTECH"
updated = 2024-02-01T10:00:00+01:00

[[places]]
id = "nogent"
kind = "commune"
name = "Nogent"

[[meeting_series]]
id = "rencontres-du-jeudi"
name = { fr = "Rencontres du jeudi", en = "Thursday meetings" }
first_date = 2023-10-12
start_time = "08:30"
duration = "PT2H"
rule = "FREQ=MONTHLY;BYDAY=2TH"
venue = "nogent"
cancelled = [2023-12-14]

[[meeting_series.overrides]]
date = 2024-01-11
moved_to = 2024-01-18
start_time = "09:00"
topic = "Vœux, galette; et \\\\ bilan"
sequence = 3

[[meeting_series]]
id = "atelier-ny"
name = "Atelier New York"
first_date = 2023-10-03
start_time = "18:00"
duration = "PT1H"
rule = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20231128"
timezone = "America/New_York"

[[events]]
id = "salon-janvier"
name = "Salon"
date = 2024-01-23
end_date = 2024-01-24

[[events]]
id = "visite-mai"
name = "Visite"
date = 2024-05-14
start_time = "14:00"
"""


class CalDAV(DAVClient):
    """A tiny CalDAV client over ``http.client``."""

    def __init__(self, port: int) -> None:
        super().__init__(port, "nogentech")

    def put(self, collection: str, uid: str, calendar: Calendar) -> int:
        path = collection + urllib.parse.quote(uid, safe="") + ".ics"
        headers = {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}
        return self.request("PUT", path, calendar.to_ical(), headers)[0]

    def query(self, collection: str, expand: bool) -> dict[str, Calendar]:
        """calendar-query for VEVENTs in :data:`WINDOW`: calendar data by resource name."""
        start, end = (moment.strftime("%Y%m%dT%H%M%SZ") for moment in WINDOW)
        expansion = f'<C:expand start="{start}" end="{end}"/>' if expand else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:prop><D:getetag/><C:calendar-data>{expansion}</C:calendar-data></D:prop>"
            '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:time-range start="{start}" end="{end}"/>'
            "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
        ).encode()
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        status, answer = self.request("REPORT", collection, body, headers)
        assert status == 207, answer
        found = {}
        for response in ET.fromstring(answer).findall("D:response", NS):
            href = response.findtext("D:href", namespaces=NS)
            data = response.findtext("D:propstat/D:prop/C:calendar-data", namespaces=NS)
            assert href is not None and data is not None
            name = urllib.parse.unquote(href.rsplit("/", 1)[1])
            found[name] = Calendar.from_ical(data)
        return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDAV]:
    with radicale(tmp_path_factory.mktemp("radicale")) as port:
        yield CalDAV(port)


@pytest.fixture(scope="module")
def cluster() -> nogentech.Cluster:
    return nogentech.loads(DATA, "toml")


def split_by_uid(feed: bytes) -> dict[str, Calendar]:
    """One calendar object per UID: its VEVENTs and the VTIMEZONEs they use (no METHOD)."""
    source = Calendar.from_ical(feed)
    out: dict[str, Calendar] = {}
    for event in source.events:
        uid = str(event["UID"])
        if uid not in out:
            out[uid] = Calendar()
            out[uid].add("prodid", str(source["PRODID"]))
            out[uid].add("version", "2.0")
        out[uid].add_component(event)
    for calendar in out.values():
        used = calendar.get_used_tzids()
        for tz in source.timezones:
            if str(tz["TZID"]) in used:
                calendar.subcomponents.insert(0, tz)
    return out


def make_collection(server: CalDAV, name: str) -> str:
    path = f"/nogentech/{name}/"
    status, body = server.request("MKCALENDAR", path)
    assert status == 201, body
    return path


def library_meetings(cluster: nogentech.Cluster) -> list[nogentech.Meeting]:
    return cluster.meetings_between(*WINDOW, include_cancelled=True)


def test_every_resource_is_accepted_and_a_time_range_finds_the_right_ones(
    server: CalDAV, cluster: nogentech.Cluster
) -> None:
    """PUT one resource per UID, then a REPORT over Dec 2023–Feb 2024 returns the
    Thursday series and the January fair, not the New York series (ended in
    November) nor the May visit; the server's own expansion of the series gives the
    library's occurrences in the window, cancelled and moved ones included."""
    collection = make_collection(server, "series")
    resources = split_by_uid(nogentech.export(cluster, "ics"))
    assert sorted(resources) == [
        "atelier-ny@nogentech",
        "rencontres-du-jeudi@nogentech",
        "salon-janvier@nogentech",
        "visite-mai@nogentech",
    ]
    for uid, calendar in resources.items():
        assert server.put(collection, uid, calendar) in (201, 204), uid

    found = server.query(collection, expand=True)
    assert sorted(found) == ["rencontres-du-jeudi@nogentech.ics", "salon-janvier@nogentech.ics"]
    got = []
    for calendar in found.values():
        for event in calendar.events:
            start = event["DTSTART"].dt
            when = start.astimezone(UTC) if isinstance(start, dt.datetime) else start
            got.append((str(event["UID"]), when, str(event["SUMMARY"]), str(event["STATUS"])))
    want = []
    for m in library_meetings(cluster):
        when = m.start.date() if m.all_day else m.start.astimezone(UTC)
        title = (m.topic or m.title).get("fr")
        summary = f"Annulé : {title}" if m.cancelled else title
        want.append(
            (f"{m.uid_base}@nogentech", when, summary, "CANCELLED" if m.cancelled else "CONFIRMED")
        )
    assert sorted(got, key=str) == sorted(want, key=str)
    assert (
        "rencontres-du-jeudi@nogentech",
        dt.datetime(2024, 1, 18, 8, tzinfo=UTC),
        "Vœux, galette; et \\ bilan",
        "CONFIRMED",
    ) in got


def test_expanded_feed_stores_one_resource_per_occurrence(
    server: CalDAV, cluster: nogentech.Cluster
) -> None:
    """With ``expand=true`` each occurrence is its own resource; the time-range query
    returns exactly the occurrences the library puts in the window."""
    collection = make_collection(server, "flat")
    feed = nogentech.export(cluster, "ics", expand=True, start="2023-10-01", end="2024-06-01")
    resources = split_by_uid(feed)
    assert len(resources) == 9 + 8 + 2  # New York Tuesdays, Thursdays, events
    for uid, calendar in resources.items():
        assert server.put(collection, uid, calendar) in (201, 204), uid
    found = server.query(collection, expand=False)
    want = sorted(
        f"{m.uid_base}.{m.recurrence_date:%Y%m%d}@nogentech.ics"
        if m.recurrence_date
        else f"{m.uid_base}@nogentech.ics"
        for m in library_meetings(cluster)
    )
    assert (
        sorted(found)
        == want
        == [
            "rencontres-du-jeudi.20231214@nogentech.ics",
            "rencontres-du-jeudi.20240111@nogentech.ics",
            "rencontres-du-jeudi.20240208@nogentech.ics",
            "salon-janvier@nogentech.ics",
        ]
    )


def test_stored_resource_reads_back_unchanged(server: CalDAV, cluster: nogentech.Cluster) -> None:
    """A GET returns the events as they were put (the server keeps UID, SEQUENCE and text)."""
    collection = make_collection(server, "single")
    resources = split_by_uid(nogentech.export(cluster, "ics", lang="en"))
    uid = "rencontres-du-jeudi@nogentech"
    assert server.put(collection, uid, resources[uid]) == 201
    status, body = server.request("GET", collection + urllib.parse.quote(uid, safe="") + ".ics")
    assert status == 200
    stored = Calendar.from_ical(body)
    assert [e.to_ical() for e in stored.events] == [e.to_ical() for e in resources[uid].events]
    assert [str(e["SUMMARY"]) for e in stored.events] == [
        "Thursday meetings",
        "Cancelled: Thursday meetings",
        "Vœux, galette; et \\ bilan",
    ]
