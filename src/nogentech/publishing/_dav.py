"""The WebDAV requests of a sync, over an ``httpx`` client: check, list, fetch, put, delete.

Every answer the sync cannot go on from becomes one of the errors of
:mod:`nogentech.publishing`; see ``docs/publish.md`` for what each means.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import attrs

from ..limits import MAX_RESPONSE_SIZE
from ._errors import AuthenticationError, NetworkError, NotACollectionError

if TYPE_CHECKING:
    import httpx

NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav", "A": "urn:ietf:params:xml:ns:carddav"}
_KINDS = {
    "caldav": ("{urn:ietf:params:xml:ns:caldav}calendar", "calendar", "C", "calendar-multiget"),
    "carddav": (
        "{urn:ietf:params:xml:ns:carddav}addressbook",
        "address book",
        "A",
        "addressbook-multiget",
    ),
}
_DATA = {"caldav": "calendar-data", "carddav": "address-data"}
MEDIA = {"caldav": "text/calendar; charset=utf-8", "carddav": "text/vcard; charset=utf-8"}
_MESSAGE_LIMIT = 500
_TOTAL_TIMEOUTS = 10
"""A response must arrive whole within this many times the client's timeout."""
_DEFAULT_TIMEOUT = 30.0


@attrs.frozen
class Listed:
    """A resource of the collection: its href as the server wrote it, and its ETag."""

    href: str
    etag: str | None


@attrs.frozen
class Answer:
    """What the server said to a write: status, new ETag, and its message on a refusal."""

    status: int
    etag: str | None
    message: str


def path_of(url: str) -> str:
    """The decoded path of a URL or href, the key resources are compared by."""
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)


def server_message(response: httpx.Response) -> str:
    """The server's explanation of a refusal: the text of its body, or the DAV error's names."""
    text = response.text.strip()
    if text.startswith("<"):
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            pass
        else:
            names = [el.tag.rpartition("}")[2] for el in root.iter() if el is not root]
            words = " ".join(t.strip() for t in root.itertext() if t.strip())
            text = "; ".join(filter(None, [", ".join(names), words]))
    text = " ".join(text.split())
    if len(text) > _MESSAGE_LIMIT:
        text = text[:_MESSAGE_LIMIT] + "…"
    return f"{response.status_code} {response.reason_phrase}" + (f": {text}" if text else "")


class DAV:
    """One collection on one server, spoken to through ``client``."""

    def __init__(self, client: httpx.Client, url: str, kind: str) -> None:
        self.client = client
        self.url = url if url.endswith("/") else url + "/"
        self.kind = kind

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The server's whole response, read within :data:`~nogentech.limits.MAX_RESPONSE_SIZE`
        bytes and ten times the client's timeout: an endless or trickling body is a
        :class:`NetworkError`, not a sync that never ends."""
        import time

        import httpx

        read_timeout = self.client.timeout.read
        budget = _TOTAL_TIMEOUTS * (read_timeout if read_timeout else _DEFAULT_TIMEOUT)
        deadline = time.monotonic() + budget
        try:
            with self.client.stream(method, url, **kwargs) as streamed:
                pieces: list[bytes] = []
                size = 0
                for piece in streamed.iter_bytes():
                    size += len(piece)
                    if size > MAX_RESPONSE_SIZE:
                        raise NetworkError(
                            f"{method} {url}: the response is longer than "
                            f"{MAX_RESPONSE_SIZE} bytes; no more is read"
                        )
                    if time.monotonic() > deadline:
                        raise NetworkError(
                            f"{method} {url}: the response took more than {budget:g} s"
                        )
                    pieces.append(piece)
                headers = [
                    (name, value)
                    for name, value in streamed.headers.raw
                    if name.lower() not in (b"content-encoding", b"content-length")
                ]
                return httpx.Response(
                    streamed.status_code,
                    headers=headers,
                    content=b"".join(pieces),
                    request=streamed.request,
                    extensions=streamed.extensions,
                )
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            hint = ""
            if "CERTIFICATE_VERIFY_FAILED" in reason:
                hint = " (give the server's CA certificate with --ca-file)"
            raise NetworkError(f"{method} {url}: {reason}{hint}") from exc

    def _propfind(self, url: str, depth: str, props: str) -> httpx.Response:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<D:propfind xmlns:D="DAV:"><D:prop>{props}</D:prop></D:propfind>'
        )
        headers = {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}
        response = self._send("PROPFIND", url, content=body.encode(), headers=headers)
        if response.status_code in (401, 403):
            raise AuthenticationError(f"PROPFIND {url}: {server_message(response)}")
        return response

    def check(self) -> None:
        """Raise :class:`NotACollectionError` unless the URL is a collection of the right kind."""
        tag, label, _, _ = _KINDS[self.kind]
        response = self._propfind(self.url, "0", "<D:resourcetype/>")
        if response.status_code != 207:
            raise NotACollectionError(
                f"{self.url} is not a{'n' if label[0] in 'a' else ''} {label} collection "
                f"(PROPFIND: {server_message(response)})"
            )
        types = {el.tag for el in _parse(response).iter() if el.tag == tag}
        if not types:
            raise NotACollectionError(
                f"{self.url} is not a{'n' if label[0] in 'a' else ''} {label} collection "
                "(its resourcetype does not say so); give the URL of the collection itself"
            )

    def listing(self) -> dict[str, Listed]:
        """The resources of the collection, by decoded path (sub-collections left out)."""
        response = self._propfind(self.url, "1", "<D:resourcetype/><D:getetag/>")
        if response.status_code != 207:
            raise NotACollectionError(f"PROPFIND {self.url}: {server_message(response)}")
        found = {}
        own = path_of(self.url)
        for item in _parse(response).findall("D:response", NS):
            href = item.findtext("D:href", namespaces=NS)
            if href is None or path_of(urllib.parse.urljoin(self.url, href)) == own:
                continue
            if item.find(".//D:resourcetype/D:collection", NS) is not None:
                continue
            etag = item.findtext(".//D:getetag", namespaces=NS)
            full = urllib.parse.urljoin(self.url, href.strip())
            found[path_of(full)] = Listed(full, etag.strip() if etag else None)
        return found

    def fetch(self, hrefs: list[str]) -> dict[str, bytes]:
        """The stored data of ``hrefs``, by decoded path, in one multiget REPORT."""
        if not hrefs:
            return {}
        _, _, prefix, report = _KINDS[self.kind]
        data = _DATA[self.kind]
        refs = "".join(f"<D:href>{_xml(urllib.parse.urlsplit(h).path)}</D:href>" for h in hrefs)
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><{prefix}:{report} xmlns:D="DAV:" '
            f'xmlns:{prefix}="{NS[prefix]}"><D:prop><D:getetag/><{prefix}:{data}/></D:prop>'
            f"{refs}</{prefix}:{report}>"
        )
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        response = self._send("REPORT", self.url, content=body.encode(), headers=headers)
        if response.status_code in (401, 403):
            raise AuthenticationError(f"REPORT {self.url}: {server_message(response)}")
        if response.status_code != 207:
            raise NotACollectionError(f"REPORT {self.url}: {server_message(response)}")
        out = {}
        for item in _parse(response).findall("D:response", NS):
            href = item.findtext("D:href", namespaces=NS)
            text = item.findtext(f".//{prefix}:{data}", namespaces=NS)
            if href is not None and text is not None:
                out[path_of(urllib.parse.urljoin(self.url, href.strip()))] = text.encode("utf-8")
        return out

    def etag(self, href: str) -> str | None:
        """The ETag of one resource, for a server that sends none with its answer to a PUT."""
        response = self._propfind(href, "0", "<D:getetag/>")
        if response.status_code != 207:
            return None
        found = _parse(response).findtext(".//D:getetag", namespaces=NS)
        return found.strip() if found else None

    def put(self, href: str, body: bytes, etag: str | None) -> Answer:
        """Create (``etag`` None: If-None-Match ``*``) or update (If-Match ``etag``) a resource."""
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        headers = {"Content-Type": MEDIA[self.kind], **condition}
        response = self._send("PUT", href, content=body, headers=headers)
        if response.status_code == 401:
            raise AuthenticationError(f"PUT {href}: {server_message(response)}")
        if response.status_code not in (200, 201, 204):
            return Answer(response.status_code, None, server_message(response))
        tag = response.headers.get("ETag")
        return Answer(response.status_code, tag.strip() if tag else self.etag(href), "")

    def delete(self, href: str, etag: str | None) -> Answer:
        """Delete a resource, only if it still has ``etag`` (when one is known)."""
        headers = {"If-Match": etag} if etag else {}
        response = self._send("DELETE", href, headers=headers)
        if response.status_code == 401:
            raise AuthenticationError(f"DELETE {href}: {server_message(response)}")
        if response.status_code not in (200, 204, 404):
            return Answer(response.status_code, None, server_message(response))
        return Answer(response.status_code, None, "")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse(response: httpx.Response) -> ET.Element:
    try:
        return ET.fromstring(response.content)
    except ET.ParseError as exc:
        request = response.request
        raise NotACollectionError(
            f"{request.method} {request.url}: the answer is not WebDAV XML ({exc})"
        ) from None
