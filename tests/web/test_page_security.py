"""The HTML page: a Content-Security-Policy that allows only the page's own inline code,
and no link built from the client's ``Host`` header unless the server was told to."""

from __future__ import annotations

import base64
import hashlib
import io
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from nogentech import web
from tests.support.chromium import chromium_dom
from tests.support.web import FormatsPlugin, fetch, running


class Page(HTMLParser):
    """The inline styles and scripts of a page, its links (href and text) and code texts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.inline: dict[str, list[str]] = {"style": [], "script": []}
        self.programs: list[str] = []
        """The inline scripts that run (not data blocks such as JSON-LD)."""
        self.links: list[tuple[str, str]] = []
        self.codes: list[str] = []
        self._open: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "a", "code"):
            self._open.append((tag, dict(attrs)))
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            return
        _, attrs = self._open.pop()
        text = "".join(self._text)
        if tag in self.inline:
            self.inline[tag].append(text)
            if tag == "script" and attrs.get("type") in (None, "text/javascript", "module"):
                self.programs.append(text)
        elif tag == "code":
            self.codes.append(text)
        elif attrs.get("href"):
            self.links.append((str(attrs["href"]), text))


def source_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def hashes(codes: list[str]) -> str:
    return " ".join(sorted({source_hash(code) for code in codes}))


def test_page_allows_only_its_own_inline_style_and_script(port: int) -> None:
    status, headers, body = fetch(port, "/")
    assert status == 200
    page = Page(body.decode("utf-8"))
    [style] = page.inline["style"]
    assert len(page.programs) == 1  # the one that completes the links
    scripts = hashes(page.inline["script"])  # the JSON-LD block too: it runs nothing
    assert headers["Content-Security-Policy"] == (
        f"default-src 'none'; style-src {source_hash(style)}; script-src {scripts}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    assert (
        fetch(port, "/", "HEAD")[1]["Content-Security-Policy"]
        == (headers["Content-Security-Policy"])
    )


def test_page_with_a_known_address_needs_no_script(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    with running(web.make_app(data_file, base_url="https://feeds.example.org")) as port:
        _, headers, body = fetch(port, "/")
    page = Page(body.decode("utf-8"))
    assert page.programs == []
    [style] = page.inline["style"]
    assert headers["Content-Security-Policy"] == (
        f"default-src 'none'; style-src {source_hash(style)}; "
        f"script-src {hashes(page.inline['script'])}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    assert ("https://feeds.example.org/cluster.json", "https://feeds.example.org/cluster.json") in (
        page.links
    )


def test_the_host_header_never_reaches_the_default_page(port: int) -> None:
    """Whatever the client says its host is, the page (and its ETag) stays the same."""
    answers = [
        fetch(port, "/", headers={"Host": host})
        for host in ("evil.example", "feeds.example.org:8443", f"127.0.0.1:{port}")
    ]
    assert {body for _, _, body in answers} == {answers[0][2]}
    assert {headers["ETag"] for _, headers, _ in answers} == {answers[0][1]["ETag"]}
    text = answers[0][2].decode("utf-8")
    assert "evil.example" not in text and "example.org" not in text and "127.0.0.1" not in text
    page = Page(text)
    assert page.links
    assert all(href.startswith(("/", "?lang=")) for href, _ in page.links), page.links
    assert ("/calendar.ics?lang=fr", "/calendar.ics?lang=fr") in page.links
    assert ("/cluster.json", "/cluster.json") in page.links


def _normalised(href: str, page: str) -> tuple[str, str, str, dict[str, list[str]]]:
    """A link as the browser follows it from ``page``, with its query decoded: ``%20``
    and ``+`` for a space are the same link."""
    parts = urlsplit(urljoin(page, href))
    return parts.scheme, parts.netloc, parts.path, parse_qs(parts.query)


def _direct(app: web.FeedApp, path: str, query: str, port: int) -> str:
    """The page as the application renders it for a request, called without a server."""
    found: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        found["status"] = status
        return lambda data: None

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": str(port),
        "HTTP_HOST": f"127.0.0.1:{port}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    body = b"".join(app(environ, start_response))
    assert found["status"] == "200 OK"
    return body.decode("utf-8")


@pytest.mark.slow
def test_a_browser_completes_the_links_exactly_as_a_known_address_would(
    formats_plugin: FormatsPlugin, data_file: Path, tmp_path: Path
) -> None:
    """In headless Chromium, the page's script (allowed by its policy, nothing refused)
    gives every link and address the page has when the server knows its address."""
    with running(web.make_app(data_file)) as port:
        url = f"http://127.0.0.1:{port}/?lang=en"
        dom, console = chromium_dom(url, tmp_path / "profile")
    assert [line for line in console if "Content Security Policy" in line] == []
    known = web.make_app(data_file, base_url=f"http://127.0.0.1:{port}")
    expected = Page(_direct(known, "/", "lang=en", port))
    shown = Page(dom)
    assert len(shown.links) == len(expected.links) > 20
    for (href, text), (want_href, want_text) in zip(shown.links, expected.links, strict=True):
        assert _normalised(href, url) == _normalised(want_href, url)
        assert text == want_text
    assert shown.codes == expected.codes
    webcals = [h for h, _ in shown.links if h.startswith("webcal://127.0.0.1:")]
    assert len(webcals) >= 8  # filled in by the script, absent from the page as sent
