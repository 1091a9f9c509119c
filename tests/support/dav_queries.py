"""What a CalDAV or CardDAV server holds, asked in its own words (REPORT, PROPFIND)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import xml.etree.ElementTree as ET

from icalendar import Calendar

from tests.support.radicale_server import DAVClient

NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav", "A": "urn:ietf:params:xml:ns:carddav"}
XML = {"Content-Type": "application/xml; charset=utf-8"}
UTC = dt.UTC


def make_calendar(client: DAVClient, path: str) -> str:
    status, body = client.request("MKCALENDAR", path)
    assert status == 201, body
    return path


def make_address_book(client: DAVClient, path: str) -> str:
    """Extended MKCOL (RFC 5689) of a collection with the CardDAV address book type."""
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<D:mkcol xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav">'
        b"<D:set><D:prop><D:resourcetype><D:collection/><A:addressbook/></D:resourcetype>"
        b"</D:prop></D:set></D:mkcol>"
    )
    status, answer = client.request("MKCOL", path, body, XML)
    assert status == 201, answer
    return path


Occurrence = tuple[str, str, str, str, str]
"""UID, start and end (UTC instants, or dates for all-day ones), SUMMARY, STATUS."""


def _when(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def occurrences(
    client: DAVClient, collection: str, start: dt.datetime, end: dt.datetime
) -> list[Occurrence]:
    """The server's own calendar-query with a time-range, every series expanded by it."""
    window = [moment.strftime("%Y%m%dT%H%M%SZ") for moment in (start, end)]
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        f'<D:prop><C:calendar-data><C:expand start="{window[0]}" end="{window[1]}"/>'
        "</C:calendar-data></D:prop>"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f'<C:time-range start="{window[0]}" end="{window[1]}"/>'
        "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
    ).encode()
    status, answer = client.request("REPORT", collection, body, {"Depth": "1", **XML})
    assert status == 207, answer
    found = []
    for response in ET.fromstring(answer).findall("D:response", NS):
        data = response.findtext("D:propstat/D:prop/C:calendar-data", namespaces=NS)
        assert data is not None, ET.tostring(response)
        for event in Calendar.from_ical(data).walk("VEVENT"):
            begin = event["DTSTART"].dt
            finish = event["DTEND"].dt
            found.append(
                (
                    str(event["UID"]),
                    _when(begin),
                    _when(finish),
                    str(event["SUMMARY"]),
                    str(event.get("STATUS", "")),
                )
            )
    return sorted(found)


def resources(client: DAVClient, collection: str, kind: str) -> dict[str, bytes]:
    """Every resource of the collection by name: PROPFIND, then one multiget REPORT."""
    props = '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
    status, answer = client.request("PROPFIND", collection, props.encode(), {"Depth": "1", **XML})
    assert status == 207, answer
    hrefs = [
        href
        for r in ET.fromstring(answer).findall("D:response", NS)
        if (href := r.findtext("D:href", namespaces=NS))
        and urllib.parse.unquote(href).rstrip("/") != collection.rstrip("/")
    ]
    if not hrefs:
        return {}
    prefix, report, data = (
        ("C", "calendar-multiget", "calendar-data")
        if kind == "caldav"
        else ("A", "addressbook-multiget", "address-data")
    )
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><{prefix}:{report} xmlns:D="DAV:" '
        f'xmlns:{prefix}="{NS[prefix]}"><D:prop><{prefix}:{data}/></D:prop>'
        + "".join(f"<D:href>{h}</D:href>" for h in hrefs)
        + f"</{prefix}:{report}>"
    ).encode()
    status, answer = client.request("REPORT", collection, body, {"Depth": "1", **XML})
    assert status == 207, answer
    out = {}
    for response in ET.fromstring(answer).findall("D:response", NS):
        href = response.findtext("D:href", namespaces=NS)
        text = response.findtext(f"D:propstat/D:prop/{prefix}:{data}", namespaces=NS)
        assert href is not None and text is not None, ET.tostring(response)
        out[urllib.parse.unquote(href.rsplit("/", 1)[1])] = text.encode()
    return out
