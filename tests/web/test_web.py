"""The feed server, exercised through a real loopback server and a real HTTP client."""

from __future__ import annotations

import http.client
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import plugins, web
from nogentech.exceptions import DataError, OptionError
from tests.support.web import (
    CLUSTER_TOML,
    LAST_MODIFIED,
    FormatsPlugin,
    fetch,
    page_links,
    running,
    strong_etag,
    wait_for,
)

# -- feeds -------------------------------------------------------------------


def test_json_feed_has_exact_headers_and_export_bytes(port: int, data_file: Path) -> None:
    """/cluster.json: JSON export bytes, charset, inline filename, ETag from bytes, stable dates."""
    status, headers, body = fetch(port, "/cluster.json", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert body == nogentech.export(nogentech.load(data_file), "json")
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Content-Disposition"] == 'inline; filename="cluster.json"'
    assert headers["ETag"] == strong_etag(body)
    assert headers["Last-Modified"] == LAST_MODIFIED
    assert headers["Cache-Control"] == "public, max-age=3600"
    assert headers["Content-Length"] == str(len(body))
    assert headers["Content-Encoding"] is None


def test_calendar_feed_passes_query_options_to_the_ics_exporter(port: int, data_file: Path) -> None:
    """/calendar.ics?lang=en is the ics export with lang=en, served inline, never gzipped."""
    status, headers, body = fetch(
        port, "/calendar.ics?lang=en", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert body == nogentech.export(nogentech.load(data_file), "ics", lang="en")
    assert body != nogentech.export(nogentech.load(data_file), "ics", lang="fr")
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Content-Disposition"] == 'inline; filename="calendar.ics"'
    assert headers["ETag"] == strong_etag(body)
    assert headers["Content-Encoding"] is None


def test_members_feed_is_the_vcard_export_as_attachment(port: int, data_file: Path) -> None:
    status, headers, body = fetch(port, "/members.vcf")
    assert status == 200
    assert body == nogentech.export(nogentech.load(data_file), "vcard")
    assert headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="members.vcf"'


def test_export_route_serves_any_exporter_with_its_options(port: int, data_file: Path) -> None:
    """/export/NAME reaches every registered exporter; the filename is the cluster id."""
    status, headers, body = fetch(port, "/export/agenda?days=3&lang=en")
    assert status == 200
    assert b"X-OPTION-DAYS:3\r\n" in body
    assert b"X-OPTION-LANG:en\r\n" in body
    assert headers["Content-Disposition"] == 'inline; filename="testclu.ics"'
    status, _, body = fetch(port, "/export/json?indent=0")
    assert body == nogentech.export(nogentech.load(data_file), "json", indent=0)


def test_last_modified_falls_back_to_the_file_mtime(
    formats_plugin: FormatsPlugin, tmp_path: Path
) -> None:
    """Without ``updated``, Last-Modified is the file's mtime, the same on every request."""
    path = tmp_path / "plain.toml"
    path.write_text('id = "plain"\nname = "Plain"\n', encoding="utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    with running(web.make_app(path)) as port:
        first = fetch(port, "/cluster.json")[1]["Last-Modified"]
        second = fetch(port, "/cluster.json")[1]["Last-Modified"]
    assert first == second == "Tue, 14 Nov 2023 22:13:20 GMT"


def test_head_sends_the_get_headers_without_a_body(port: int) -> None:
    _, get_headers, body = fetch(port, "/calendar.ics")
    status, head_headers, head_body = fetch(port, "/calendar.ics", "HEAD")
    assert status == 200
    assert head_body == b""
    drop = {"Date"}
    assert [h for h in head_headers.items() if h[0] not in drop] == [
        h for h in get_headers.items() if h[0] not in drop
    ]
    assert head_headers["Content-Length"] == str(len(body))


# -- conditional requests ------------------------------------------------------


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", {etag}', 'W/"x",W/{etag} , "y"', "*"],
)
def test_matching_if_none_match_gives_304(port: int, if_none_match: str) -> None:
    """Exact, weak (W/), listed and ``*`` entity tags all match (weak comparison)."""
    etag = fetch(port, "/calendar.ics")[1]["ETag"]
    for method in ("GET", "HEAD"):
        status, h304, body304 = fetch(
            port, "/calendar.ics", method, {"If-None-Match": if_none_match.format(etag=etag)}
        )
        assert status == 304
        assert body304 == b""
        assert h304["ETag"] == etag
        assert h304["Last-Modified"] == LAST_MODIFIED
        assert h304["Cache-Control"] == "public, max-age=3600"
        assert h304["Content-Length"] is None  # not wsgiref's "0"
        assert h304["Content-Type"] is None


def test_other_entity_tags_give_the_full_response(port: int) -> None:
    _, headers, body = fetch(port, "/calendar.ics")
    status, _, again = fetch(port, "/calendar.ics", headers={"If-None-Match": '"nope", W/"x"'})
    assert (status, again) == (200, body)
    # The ETag of another variant does not match this one.
    status, _, _ = fetch(port, "/calendar.ics?lang=en", headers={"If-None-Match": headers["ETag"]})
    assert status == 200


def test_if_modified_since_applies_only_without_if_none_match(port: int) -> None:
    later = "Sat, 02 Mar 2024 00:00:00 GMT"
    earlier = "Thu, 29 Feb 2024 00:00:00 GMT"
    assert fetch(port, "/cluster.json", headers={"If-Modified-Since": LAST_MODIFIED})[0] == 304
    assert fetch(port, "/cluster.json", headers={"If-Modified-Since": later})[0] == 304
    assert fetch(port, "/cluster.json", headers={"If-Modified-Since": earlier})[0] == 200
    assert fetch(port, "/cluster.json", headers={"If-Modified-Since": "yesterday"})[0] == 200
    both = {"If-Modified-Since": later, "If-None-Match": '"stale"'}
    assert fetch(port, "/cluster.json", headers=both)[0] == 200


# -- errors --------------------------------------------------------------------


def _option_error(name: str, params: Mapping[str, str]) -> str:
    with pytest.raises(OptionError) as info:
        plugins.resolve_options(plugins.get_exporter(name), params)
    return str(info.value) + "\n"


@pytest.mark.parametrize(
    "query",
    [{"colour": "red"}, {"days": "soon"}, {"lang": "de"}, {"lang": ""}],
)
def test_bad_options_give_400_with_the_option_error_text(port: int, query: dict[str, str]) -> None:
    text = "&".join(f"{k}={v}" for k, v in query.items())
    status, headers, body = fetch(port, f"/export/agenda?{text}")
    assert status == 400
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode("utf-8") == _option_error("agenda", query)


def test_bad_ics_option_gives_400(port: int) -> None:
    status, _, body = fetch(port, "/calendar.ics?lang=xx")
    assert status == 400
    assert body.decode("utf-8") == _option_error("ics", {"lang": "xx"})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "expand=true&start=0001-01-01",
            "option 'start': invalid value '0001-01-01' "
            "(expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31)\n",
        ),
        (
            "expand=true&end=9999-12-31",
            "option 'end': invalid value '9999-12-31' "
            "(expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31)\n",
        ),
        (
            "expand=true&end=2199-01-01",
            "an expanded feed spans at most 100 years (asked for 2024-01-11 to 2199-01-01): "
            "give 'start' and 'end' closer together\n",
        ),
    ],
)
def test_dates_out_of_range_and_huge_expansions_give_400(
    port: int, query: str, message: str
) -> None:
    status, _, body = fetch(port, f"/calendar.ics?{query}")
    assert (status, body.decode("utf-8")) == (400, message)


def test_french_page_describes_the_builtin_formats_in_french(port: int) -> None:
    french = fetch(port, "/")[2].decode("utf-8")
    english = fetch(port, "/?lang=en")[2].decode("utf-8")
    assert "Tout le cluster en JSON, pour les applications et les sites." in french
    assert "à importer dans un carnet d’adresses." in french
    assert "The whole cluster as JSON" not in french
    assert "The whole cluster as JSON, for applications and web sites." in english


def test_repeated_or_undecodable_parameters_give_400(port: int) -> None:
    status, _, body = fetch(port, "/calendar.ics?lang=fr&lang=en")
    assert (status, body) == (400, b"option 'lang' is given more than once\n")
    status, _, body = fetch(port, "/calendar.ics?lang=%ff")
    assert (status, body) == (400, b"Malformed query string (expected UTF-8 name=value pairs)\n")


@pytest.mark.parametrize("path", ["/nope", "/calendar.ics/x", "/export/", "/export/a/b"])
def test_unknown_paths_give_404(port: int, path: str) -> None:
    status, headers, body = fetch(port, path)
    assert status == 404
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    feeds = (
        "(feeds: /calendar.ics, /members.vcf, /cluster.json, /meetings.json, /meetings.atom, "
        "/schema/meetings.schema.json, /openapi.json, /meetings/{id}.ics, /export/NAME)"
    )
    assert body.decode() == f"Not found: {path} {feeds}\n"


def test_unknown_format_gives_404_listing_the_formats(port: int) -> None:
    status, _, body = fetch(port, "/export/nosuch")
    assert status == 404
    names = ", ".join(info.name for info in plugins.formats())
    assert body.decode() == f"unknown format 'nosuch' (available: {names})\n"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "get", "Head", "options"])
@pytest.mark.parametrize("path", ["/", "/calendar.ics", "/export/json", "/meetings.json"])
def test_other_methods_give_405_with_allow(port: int, method: str, path: str) -> None:
    """OPTIONS is a CORS preflight (tests/web/test_api.py); other methods are refused."""
    status, headers, body = fetch(port, path, method)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD, OPTIONS"
    assert body == f"Method {method} not allowed (use GET or HEAD)\n".encode()


def test_unexpected_error_is_a_short_500_and_a_logged_traceback(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="nogentech.web")
    status, headers, body = fetch(port, "/export/broken")
    assert status == 500
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == b"Internal server error; the details are in the server log.\n"
    logged = [r for r in caplog.records if r.exc_info]
    assert logged
    assert "secret internal detail" in caplog.text
    assert "Traceback" in caplog.text


# -- the HTML page ---------------------------------------------------------------


def test_page_lists_every_feed_with_subscription_links(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """With a known public address, every link of the page is absolute and exact."""
    host = "feeds.test:8080"
    with running(web.make_app(data_file, base_url=f"http://{host}")) as port:
        hrefs = set(page_links(port).hrefs)
    url = f"http://{host}/export/agenda?lang=fr&sub_cluster=prosthesis-valley"
    webcal = f"webcal://{host}/export/agenda?lang=fr&sub_cluster=prosthesis-valley"
    outlook_name = "Club+%3CTest%3E+%26+Fils+%E2%80%94+Prosthesis+Valley"
    assert {
        url,
        webcal,
        "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Ffeeds.test%3A8080"
        "%2Fexport%2Fagenda%3Flang%3Dfr%26sub_cluster%3Dprosthesis-valley",
        "https://outlook.live.com/calendar/0/addfromweb?url=http%3A%2F%2Ffeeds.test%3A8080"
        "%2Fexport%2Fagenda%3Flang%3Dfr%26sub_cluster%3Dprosthesis-valley"
        f"&name={outlook_name}",
        "https://outlook.office.com/calendar/0/addfromweb?url=http%3A%2F%2Ffeeds.test%3A8080"
        "%2Fexport%2Fagenda%3Flang%3Dfr%26sub_cluster%3Dprosthesis-valley"
        f"&name={outlook_name}",
        f"http://{host}/export/agenda?lang=en",
        f"webcal://{host}/export/agenda?lang=en",
        f"webcal://{host}/export/agenda?lang=fr&commission=emploi",
        f"webcal://{host}/calendar.ics?lang=fr",
        f"http://{host}/calendar.ics?lang=en",
        f"http://{host}/cluster.json",
        f"http://{host}/members.vcf",
        f"http://{host}/export/broken",
    } <= hrefs
    assert not any(h.startswith("webcal://") and "cluster.json" in h for h in hrefs)
    # No series or event is linked to this commission: its calendar would be empty.
    assert not any("commission=environnement" in h for h in hrefs)


def test_page_offers_only_sub_clusters_and_commissions_with_meetings(
    formats_plugin: FormatsPlugin, tmp_path: Path
) -> None:
    data = tmp_path / "cluster.toml"
    data.write_text(
        CLUSTER_TOML.replace('sub_clusters = ["prosthesis-valley"]\n', ""), encoding="utf-8"
    )
    with running(web.make_app(data)) as port:
        hrefs = set(page_links(port).hrefs)
    assert "/calendar.ics?lang=fr&commission=emploi" in hrefs
    assert not any("sub_cluster=" in h for h in hrefs)
    assert not any("commission=environnement" in h for h in hrefs)


def test_page_escapes_data_and_has_an_english_version(port: int) -> None:
    _, _, body = fetch(port, "/")
    text = body.decode("utf-8")
    assert "Club &lt;Test&gt; &amp; Fils" in text
    assert "<Test>" not in text
    assert "Thunderbird" in text
    assert '<html lang="fr">' in text
    _, _, english = fetch(port, "/?lang=en")
    assert '<html lang="en">' in english.decode("utf-8")
    assert "Jobs and training" in english.decode("utf-8")


def test_proxy_headers_are_ignored_unless_trusted(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "feeds.example.org"}
    with running(web.make_app(data_file)) as port:
        hrefs = page_links(port, headers=forwarded).hrefs
        assert "/cluster.json" in hrefs
        assert not any("example.org" in h for h in hrefs)
    with running(web.make_app(data_file, trust_proxy=True)) as port:
        hrefs = page_links(port, headers=forwarded).hrefs
        assert "https://feeds.example.org/cluster.json" in hrefs
        assert "webcal://feeds.example.org/calendar.ics?lang=fr" in hrefs
        assert "https://feeds.example.org/calendar.ics?lang=fr" in hrefs


def test_page_links_keep_the_script_name_prefix(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    def mounted(app: web.FeedApp) -> Any:
        def under_prefix(environ: dict[str, Any], start_response: Any) -> Any:
            environ["SCRIPT_NAME"] = "/nogentech"
            return app(environ, start_response)

        return under_prefix

    with running(mounted(web.make_app(data_file))) as port:
        hrefs = page_links(port, headers={"Host": "example.org"}).hrefs
    assert "/nogentech/cluster.json" in hrefs
    assert "/nogentech/calendar.ics?lang=en" in hrefs
    assert not any("example.org" in h for h in hrefs)
    trusted = web.make_app(data_file, trust_proxy=True)
    with running(mounted(trusted)) as port:
        hrefs = page_links(port, headers={"Host": "example.org"}).hrefs
    trusted.close()
    assert "http://example.org/nogentech/cluster.json" in hrefs
    assert "webcal://example.org/nogentech/calendar.ics?lang=en" in hrefs


# -- reloading -------------------------------------------------------------------


def test_default_app_reloads_without_a_restart(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """make_app(path) as `serve` builds it picks up an edit within a couple of seconds."""
    with running(web.make_app(data_file)) as port:
        fetch(port, "/cluster.json")
        data_file.write_text(CLUSTER_TOML.replace("Fils", "Filles"), encoding="utf-8")
        wait_for(lambda: b"Filles" in fetch(port, "/cluster.json")[2], what="the edit")


def test_invalid_data_at_start_raises_data_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('id = "Bad Id"\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        web.make_app(path)
    assert "name: missing required field" in info.value.lines()


def test_serve_prints_its_address_and_serves(
    formats_plugin: FormatsPlugin,
    data_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    servers: list[Any] = []
    real = web.make_server

    def capture(host: str, port: int, app: Any, **options: Any) -> Any:
        servers.append(real(host, port, app, **options))
        return servers[-1]

    monkeypatch.setattr(web, "make_server", capture)
    thread = threading.Thread(target=web.serve, kwargs={"port": 0, "data": str(data_file)})
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not servers:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        port = servers[0].server_port
        assert servers[0].server_address[0] == "127.0.0.1"
        assert fetch(port, "/cluster.json")[0] == 200
    finally:
        if servers:
            servers[0].shutdown()
        thread.join(5)
    assert f"Serving nogentech feeds on http://127.0.0.1:{port}/" in capsys.readouterr().out


# -- load ----------------------------------------------------------------------


@pytest.mark.slow
def test_2000_requests_from_8_threads_get_identical_bodies(port: int, data_file: Path) -> None:
    """8 threads × 250 requests to 127.0.0.1, bounded by a 60 s deadline: every answer is
    a 200 with the export's exact bytes and ETag, or a 304 for a revalidation."""
    cluster = nogentech.load(data_file)
    expected = {
        "/cluster.json": nogentech.export(cluster, "json"),
        "/calendar.ics": nogentech.export(cluster, "ics"),
        "/calendar.ics?lang=en": nogentech.export(cluster, "ics", lang="en"),
        "/members.vcf": nogentech.export(cluster, "vcard"),
    }
    paths = list(expected)
    per_thread = 250
    problems: list[str] = []
    done = Counter[str]()
    lock = threading.Lock()
    deadline = time.monotonic() + 60

    def worker(index: int) -> None:
        for i in range(per_thread):
            if time.monotonic() > deadline:
                with lock:
                    problems.append("deadline passed")
                return
            path = paths[(index + i) % len(paths)]
            revalidate = i % 5 == 4
            headers = {"If-None-Match": strong_etag(expected[path])} if revalidate else {}
            try:
                status, got, body = fetch(port, path, headers=headers)
            except Exception as exc:
                with lock:
                    problems.append(f"{path}: {exc!r}")
                continue
            want = (304, b"") if revalidate else (200, expected[path])
            with lock:
                done[path] += 1
                if (status, body) != want or got["ETag"] != strong_etag(expected[path]):
                    problems.append(f"{path}: {status}, {len(body)} bytes, {got['ETag']}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 1)
    assert not any(t.is_alive() for t in threads)
    assert problems == []
    assert sum(done.values()) == 2000
    assert time.monotonic() - started < 60


# -- HTTP details ------------------------------------------------------------------


def test_etag_is_strong_and_differs_between_languages_and_filters(
    port: int, data_file: Path
) -> None:
    """Each variant of /calendar.ics is the ics export of its options, with its own strong ETag."""
    cluster = nogentech.load(data_file)
    variants = {
        "/calendar.ics": {},
        "/calendar.ics?lang=en": {"lang": "en"},
        "/calendar.ics?sub_cluster=prosthesis-valley": {"sub_cluster": "prosthesis-valley"},
        "/calendar.ics?commission=emploi&lang=en": {"commission": "emploi", "lang": "en"},
    }
    etags = {}
    for path, options in variants.items():
        status, headers, body = fetch(port, path)
        assert status == 200
        assert body == nogentech.export(cluster, "ics", **options)
        etag = headers["ETag"]
        assert etag == strong_etag(body)
        assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
        etags[path] = etag
        assert fetch(port, path, headers={"If-None-Match": etag})[0] == 304
    assert len(set(etags.values())) == len(variants)


def test_if_modified_since_accepts_the_three_http_date_formats(port: int) -> None:
    """RFC 9110 §5.6.7: IMF-fixdate, RFC 850 and asctime dates are all understood."""
    for since in (
        "Fri, 01 Mar 2024 10:00:00 GMT",
        "Friday, 01-Mar-24 10:00:00 GMT",
        "Fri Mar  1 10:00:00 2024",
    ):
        status, headers, body = fetch(port, "/calendar.ics", headers={"If-Modified-Since": since})
        assert (status, body) == (304, b""), since
        assert headers["ETag"] is not None
    older = "Friday, 01-Mar-24 09:59:59 GMT"
    assert fetch(port, "/calendar.ics", headers={"If-Modified-Since": older})[0] == 200


def test_if_modified_since_in_the_future_is_ignored(port: int) -> None:
    """A date later than the server's clock is invalid: the full response is sent."""
    status, _, body = fetch(
        port, "/cluster.json", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    assert status == 200
    assert body != b""


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/?lang=en", 200),
        ("/cluster.json", 200),
        ("/members.vcf", 200),
        ("/export/agenda?days=2", 200),
        ("/calendar.ics?colour=red", 400),
        ("/nope", 404),
        ("/export/nosuch", 404),
    ],
)
def test_head_matches_get_on_every_route(port: int, path: str, status: int) -> None:
    """HEAD: the same status and headers as GET (Date aside), and no body."""
    get_status, get_headers, body = fetch(port, path)
    head_status, head_headers, head_body = fetch(port, path, "HEAD")
    assert get_status == head_status == status
    assert head_body == b""
    assert body != b""
    get_items = [h for h in get_headers.items() if h[0] != "Date"]
    assert [h for h in head_headers.items() if h[0] != "Date"] == get_items
    assert head_headers["Content-Length"] == str(len(body))


def test_page_rejects_an_unknown_language(port: int) -> None:
    status, headers, body = fetch(port, "/?lang=de")
    assert status == 400
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == b"option 'lang': invalid value 'de' (expected one of fr, en)\n"


def test_responses_name_the_server_without_python_version(port: int) -> None:
    for path in ("/calendar.ics", "/nope"):
        assert fetch(port, path)[1]["Server"] == "nogentech"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", "/" + "x" * 70_000, skip_host=True)
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 414
        assert response.headers["Server"] == "nogentech"
        assert b"Traceback" not in response.read()
    finally:
        conn.close()


def test_malformed_requests_get_no_traceback(port: int) -> None:
    """Garbage on the wire gets a short 400 from the server, never a Python traceback."""
    import socket

    for raw in (b"NONSENSE\r\n\r\n", b"GET /calendar.ics HTTP/9\r\n\r\n", b"\x00\xff\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(raw)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        reply = b"".join(chunks)
        # A one-word request line is HTTP/0.9: the error page comes without a status line.
        assert b"Error code: 400" in reply or b"Error code: 505" in reply, reply[:80]
        assert b"Traceback" not in reply
        assert b'File "' not in reply


def _one_click(hrefs: list[str]) -> dict[str, list[dict[str, list[str]]]]:
    from urllib.parse import parse_qs, urlsplit

    sites = {"calendar.google.com", "outlook.live.com", "outlook.office.com"}
    found: dict[str, list[dict[str, list[str]]]] = {}
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme == "https" and parts.netloc in sites:
            found.setdefault(parts.netloc, []).append(parse_qs(parts.query, strict_parsing=True))
    return found


def test_one_click_links_carry_the_exact_feed_addresses(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """Google gets the webcal:// address, Outlook the https:// one, each fully URL-encoded."""
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "feeds.example.org"}
    with running(web.make_app(data_file, trust_proxy=True)) as port:
        parser = page_links(port, headers=forwarded)
    hrefs = parser.hrefs
    feeds = [h for h in hrefs if h.startswith("https://feeds.example.org/")]
    webcals = [h for h in hrefs if h.startswith("webcal://")]
    assert webcals
    assert all(h.startswith("webcal://feeds.example.org/") for h in webcals)
    assert not any(h.startswith("http://") for h in hrefs)
    clicks = _one_click(hrefs)
    google = [q["cid"] for q in clicks["calendar.google.com"]]
    outlook = [q["url"] for q in clicks["outlook.live.com"]]
    office = [q["url"] for q in clicks["outlook.office.com"]]
    calendars = sorted(set(webcals))
    assert sorted(c for [c] in google) == calendars
    https = sorted(w.replace("webcal://", "https://", 1) for w in calendars)
    assert sorted(u for [u] in outlook) == sorted(u for [u] in office) == https
    assert set(https) <= set(feeds)
    for link in hrefs:
        if link.startswith("https://calendar.google.com/"):
            _, query = link.split("?", 1)
            assert query.startswith("cid=webcal%3A%2F%2Ffeeds.example.org%2F")
            assert not set("?&=:/") & set(query.removeprefix("cid="))  # all encoded
    names = {q["name"][0] for q in clicks["outlook.live.com"]}
    assert "Club <Test> & Fils — Prosthesis Valley" in names


def test_base_url_fixes_the_links_whatever_the_request_says(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    app = web.make_app(data_file, base_url="https://feeds.example.org/agenda/")
    forwarded = {
        "Host": "attacker.example",
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "proxy.example",
    }
    with running(app) as port:
        hrefs = page_links(port, headers=forwarded).hrefs
    assert "https://feeds.example.org/agenda/cluster.json" in hrefs
    assert "webcal://feeds.example.org/agenda/calendar.ics?lang=en" in hrefs
    assert not any("attacker" in h or "proxy.example" in h for h in hrefs)


@pytest.mark.parametrize(
    "base_url",
    ["ftp://example.org", "https://", "example.org", "https://a b/", "https://x.org/?q=1"],
)
def test_bad_base_url_is_refused(data_file: Path, base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        web.make_app(data_file, base_url=base_url)


def test_bogus_host_header_is_not_written_into_the_page(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """Neither by default nor behind a trusted proxy does a malformed Host reach the page."""
    bogus = {"Host": '"><script>alert(1)</script>'}
    for app in (web.make_app(data_file), web.make_app(data_file, trust_proxy=True)):
        with running(app) as port:
            text = fetch(port, "/", headers=bogus)[2].decode("utf-8")
        assert "alert(1)" not in text
        assert "&lt;script&gt;" not in text


def test_importing_nogentech_loads_no_server_and_the_server_no_exporter_library() -> None:
    """`import nogentech` leaves nogentech.web alone; the web module and an app built from it
    load neither icalendar nor vobject until a feed is rendered."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "heavy = ('icalendar', 'vobject', 'wsgiref', 'nogentech.web')\n"
        "def loaded():\n"
        "    return sorted(m for m in heavy if m in sys.modules)\n"
        "import nogentech\n"
        "print(loaded())\n"
        "import nogentech.web\n"
        "nogentech.web.make_app()\n"
        "print(loaded())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    assert out == ["[]", "['nogentech.web', 'wsgiref']"]
