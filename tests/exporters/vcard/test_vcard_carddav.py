"""The ``vcard`` export on a real CardDAV server (Radicale), spoken to with ``http.client``.

Every card is stored as its own resource of an address book, as a CardDAV client
does; the server must accept each one and give back the same FN and UID.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import vobject

import nogentech
from nogentech.exporters.vcard import card_uid
from tests.support.radicale_server import DAVClient, radicale

pytestmark = pytest.mark.slow

NS = {"D": "DAV:", "CR": "urn:ietf:params:xml:ns:carddav"}


class CardDAV(DAVClient):
    """A tiny CardDAV client over ``http.client``."""

    def __init__(self, port: int) -> None:
        super().__init__(port, "members")

    def make_address_book(self, name: str) -> str:
        """Extended MKCOL (RFC 5689) of a collection with the CardDAV address book type."""
        path = f"/members/{name}/"
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">'
            "<D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>"
            f"<D:displayname>{name}</D:displayname></D:prop></D:set></D:mkcol>"
        ).encode()
        status, answer = self.request(
            "MKCOL", path, body, {"Content-Type": "application/xml; charset=utf-8"}
        )
        assert status == 201, answer
        return path

    def multiget(self, collection: str, hrefs: list[str]) -> dict[str, str]:
        """addressbook-multiget (RFC 6352 8.7): address data by resource name."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<CR:addressbook-multiget xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">'
            "<D:prop><D:getetag/><CR:address-data/></D:prop>"
            + "".join(f"<D:href>{href}</D:href>" for href in hrefs)
            + "</CR:addressbook-multiget>"
        ).encode()
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        status, answer = self.request("REPORT", collection, body, headers)
        assert status == 207, answer
        found = {}
        for response in ET.fromstring(answer).findall("D:response", NS):
            href = response.findtext("D:href", namespaces=NS)
            data = response.findtext("D:propstat/D:prop/CR:address-data", namespaces=NS)
            assert href is not None and data is not None, ET.tostring(response)
            found[urllib.parse.unquote(href.rsplit("/", 1)[1])] = data
        return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CardDAV]:
    with radicale(tmp_path_factory.mktemp("radicale")) as port:
        yield CardDAV(port)


def split_cards(data: bytes) -> list[bytes]:
    """The export cut into its cards, each from BEGIN:VCARD to END:VCARD and CR LF."""
    cards = [b"BEGIN:VCARD\r\n" + chunk for chunk in data.split(b"BEGIN:VCARD\r\n")[1:]]
    assert b"".join(cards) == data
    return cards


def identity(text: str) -> tuple[str, str]:
    card = vobject.readOne(text)
    return card.fn.value, card.uid.value


@pytest.mark.parametrize("version", [3, 4])
def test_every_card_is_stored_and_read_back(server: CardDAV, version: int) -> None:
    """PUT each card of the built-in data as ``<uuid>.vcf`` (201), then an
    addressbook-multiget and a GET of each return the same FN and UID."""
    collection = server.make_address_book(f"v{version}")
    cards = split_cards(nogentech.export(nogentech.load(), "vcard", version=version))
    sent = {}
    for card in cards:
        fn, uid = identity(card.decode("utf-8"))
        assert uid.startswith("urn:uuid:")
        name = uid.removeprefix("urn:uuid:") + ".vcf"
        headers = {"Content-Type": "text/vcard; charset=utf-8", "If-None-Match": "*"}
        status, answer = server.request("PUT", collection + name, card, headers)
        assert status in (201, 204), (name, answer)
        sent[name] = (fn, uid)
    assert len(sent) == len(cards) > 30

    stored = server.multiget(collection, [collection + name for name in sent])
    assert {name: identity(text) for name, text in stored.items()} == sent

    for name, (fn, uid) in sent.items():
        status, body = server.request("GET", collection + name)
        assert status == 200, name
        assert identity(body.decode("utf-8")) == (fn, uid)


@pytest.mark.parametrize("version", [3, 4])
def test_groups_keep_their_members_on_the_server(
    server: CardDAV, demo: nogentech.Cluster, version: int
) -> None:
    """Every card of a cluster whose groups have members is stored; each group card
    comes back with its kind and its members, the UIDs of cards stored with it."""
    collection = server.make_address_book(f"groups-{version}")
    by_uid = {
        identity(c.decode("utf-8"))[1]: c
        for c in split_cards(nogentech.export(demo, "vcard", version=version))
    }
    for uid, card in by_uid.items():
        name = uid.removeprefix("urn:uuid:") + ".vcf"
        status, _ = server.request("PUT", collection + name, card, {"Content-Type": "text/vcard"})
        assert status == 201
    kind, member = (
        ("kind", "member")
        if version == 4
        else ("x-addressbookserver-kind", "x-addressbookserver-member")
    )
    groups = [*demo.sub_clusters, *demo.commissions]
    assert sum(len(g.members) for g in groups) > 0
    for group in groups:
        group_uid = card_uid(demo.id, group.id)
        status, body = server.request(
            "GET", collection + group_uid.removeprefix("urn:uuid:") + ".vcf"
        )
        assert status == 200
        card = vobject.readOne(body.decode("utf-8"))
        assert card.contents[kind][0].value == "group"
        members = [m.value for m in card.contents.get(member, [])]
        assert members == [card_uid(demo.id, m) for m in group.members]
        assert set(members) <= set(by_uid)
