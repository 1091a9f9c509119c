"""The routes for front-ends, through a real loopback server: /meetings.json and its
schema, /meetings.atom, /meetings/{id}.ics, /openapi.json and CORS."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi

import nogentech
from nogentech import plugins, web
from tests.support.frontend import fetch, key_dates, running, today, write_cluster


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    plugins.reset()
    return write_cluster(tmp_path / "cluster.toml")


@pytest.fixture
def cluster(data_file: Path) -> nogentech.Cluster:
    return nogentech.load(data_file)


@pytest.fixture
def port(data_file: Path) -> Iterator[int]:
    """A server that builds its links from the Host header, as behind a trusted proxy
    (without one, or a base_url, it writes no host into its links)."""
    with running(web.make_app(data_file, trust_proxy=True)) as found:
        yield found


def root(port: int) -> str:
    return f"http://127.0.0.1:{port}"


GET_ROUTES = [
    "/",
    "/calendar.ics",
    "/members.vcf",
    "/cluster.json",
    "/meetings.json",
    "/meetings.atom",
    "/openapi.json",
    "/schema/meetings.schema.json",
    "/meetings/visite.ics",
    "/export/jsonld",
    "/export/jcal",
    "/nope",
]


# -- /meetings.json ----------------------------------------------------------------


def test_meetings_json_is_the_export_from_today(port: int, cluster: nogentech.Cluster) -> None:
    status, headers, body = fetch(port, "/meetings.json?lang=en")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert body == nogentech.export(cluster, "meetings-json", lang="en", **{"from": today()})
    document = json.loads(body)
    assert document["from"] == today().isoformat()
    programmed_day, cancelled_day, _ = key_dates()
    cancelled = [m["id"] for m in document["meetings"] if m["status"] == "cancelled"]
    assert cancelled == [f"jeudis/{cancelled_day}"]
    programmed = next(m for m in document["meetings"] if m["topic"])
    assert programmed["id"] == f"jeudis/{programmed_day}"
    assert programmed["topic"] == "The factory <of> the future"
    assert programmed["speakers"] == [{"id": "ada", "name": "Ada <Lovelace>", "kind": "person"}]


def test_meetings_json_options_and_errors(port: int, cluster: nogentech.Cluster) -> None:
    query = "/meetings.json?from=2024-01-01&to=2024-03-01&series=jeudis"
    status, _, body = fetch(port, query)
    assert status == 200
    assert [m["id"] for m in json.loads(body)["meetings"]] == [
        "jeudis/2024-01-11",
        "jeudis/2024-02-08",
    ]
    status, _, body = fetch(port, "/meetings.json?series=nope")
    assert (status, body) == (400, b"option 'series': unknown id 'nope' (valid: jeudis)\n")
    status, _, body = fetch(port, "/export/meetings-json?to=2024-01-01")
    assert status == 400
    assert body.decode().startswith("option 'to' (2024-01-01) must be after 'from'")


def test_served_document_validates_against_the_served_schema(port: int) -> None:
    status, headers, schema_body = fetch(port, "/schema/meetings.schema.json")
    assert status == 200
    assert headers["Content-Type"] == "application/schema+json; charset=utf-8"
    shipped = (resources.files("nogentech") / "data" / "meetings.schema.json").read_bytes()
    assert schema_body == shipped
    _, _, body = fetch(port, "/meetings.json?lang=fr")
    validator = jsonschema.Draft202012Validator(
        json.loads(schema_body), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(json.loads(body))


# -- one meeting, and the Atom feed --------------------------------------------------


def test_single_meeting_calendar_has_the_feeds_uid_and_recurrence_id(
    port: int, cluster: nogentech.Cluster
) -> None:
    _, _, body = fetch(port, "/meetings.json")
    programmed = next(m for m in json.loads(body)["meetings"] if m["topic"])
    status, headers, ics = fetch(port, f"/meetings/{programmed['id']}.ics?lang=en")
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    filename = programmed["id"].replace("/", "-") + ".ics"
    assert headers["Content-Disposition"] == f'inline; filename="{filename}"'
    assert ics == nogentech.export(cluster, "ics", lang="en", occurrence=programmed["id"])
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["UID"]) == programmed["uid"] == "jeudis@frontclub"
    assert event["RECURRENCE-ID"].dt.isoformat() == programmed["recurrence_id"]
    assert str(event["SUMMARY"]) == "The factory <of> the future"


@pytest.mark.parametrize("path", ["/meetings/nope.ics", "/meetings/jeudis/2024-01-12.ics"])
def test_unknown_meeting_is_404(port: int, path: str) -> None:
    status, _, body = fetch(port, path)
    ident = path[len("/meetings/") : -4]
    assert (status, body) == (404, f"Not found: no meeting with id {ident!r}\n".encode())


def test_atom_feed_links_to_this_server(port: int, cluster: nogentech.Cluster) -> None:
    status, headers, body = fetch(port, "/meetings.atom?lang=fr")
    assert status == 200
    assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(body)
    assert not feed.bozo
    first = cluster.meetings_between(today(), today() + dt.timedelta(days=365))[0]
    assert feed.entries[0].link == f"{root(port)}/?lang=fr#meeting-{first.id}"
    assert f"{root(port)}/meetings/{first.id}.ics?lang=fr" in feed.entries[0].content[0].value
    assert {link.href for link in feed.feed.links} >= {f"{root(port)}/meetings.atom?lang=fr"}


# -- CORS --------------------------------------------------------------------------


@pytest.mark.parametrize("path", GET_ROUTES)
def test_every_route_lets_any_origin_read_it(port: int, path: str) -> None:
    status, headers, _ = fetch(port, path, headers={"Origin": "http://127.0.0.2:9000"})
    assert status == (404 if path == "/nope" else 200)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Expose-Headers"] == "ETag, Content-Disposition"


def test_not_modified_answers_carry_cors_too(port: int) -> None:
    _, headers, _ = fetch(port, "/meetings.json")
    status, again, _ = fetch(port, "/meetings.json", headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    assert again["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/meetings.json", "/calendar.ics", "/", "/meetings/visite.ics"])
def test_preflight_is_answered(port: int, path: str) -> None:
    headers = {
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match, x-requested-with",
    }
    status, answer, body = fetch(port, path, "OPTIONS", headers)
    assert (status, body) == (204, b"")
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert answer["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert answer["Access-Control-Allow-Headers"] == "if-none-match, x-requested-with"
    assert answer["Access-Control-Max-Age"] == "86400"


def test_preflight_of_an_unknown_path_is_404(port: int) -> None:
    status, _, _ = fetch(port, "/nope", "OPTIONS", {"Origin": "http://a.example"})
    assert status == 404


def test_configured_origins_are_echoed_and_others_refused(data_file: Path) -> None:
    app = web.make_app(data_file, cors_origins=["https://site.example", "http://localhost:5173"])
    with running(app) as port:
        _, allowed, _ = fetch(port, "/meetings.json", headers={"Origin": "https://site.example"})
        assert allowed["Access-Control-Allow-Origin"] == "https://site.example"
        assert allowed["Vary"] == "Origin"
        _, other, _ = fetch(port, "/meetings.json", headers={"Origin": "https://evil.example"})
        assert other["Access-Control-Allow-Origin"] is None
        assert other["Vary"] == "Origin"
        status, pre, _ = fetch(
            port, "/meetings.json", "OPTIONS", {"Origin": "http://localhost:5173"}
        )
        assert (status, pre["Access-Control-Allow-Origin"]) == (204, "http://localhost:5173")


@pytest.mark.parametrize(
    "origins", [["https://site.example/path"], ["*", "https://a.example"], [], ["ftp://x"]]
)
def test_bad_origins_are_refused(data_file: Path, origins: list[str]) -> None:
    with pytest.raises(ValueError):
        web.make_app(data_file, cors_origins=origins)


# -- OpenAPI -------------------------------------------------------------------------


def test_openapi_is_valid_and_describes_every_route_and_option(port: int) -> None:
    status, headers, body = fetch(port, "/openapi.json")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(body)
    validate_openapi(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": root(port)}]
    paths = document["paths"]
    expected = {
        "/",
        "/calendar.ics",
        "/members.vcf",
        "/cluster.json",
        "/meetings.json",
        "/meetings.atom",
        "/meetings/{series}/{date}.ics",
        "/meetings/{event}.ics",
        "/schema/meetings.schema.json",
        "/openapi.json",
        *(f"/export/{info.name}" for info in nogentech.formats()),
    }
    assert set(paths) == expected
    assert {tuple(sorted(item)) for item in paths.values()} == {("get", "head", "options")}

    def names(path: str) -> list[str]:
        return [p["name"] for p in paths[path]["get"]["parameters"]]

    by_name = {info.name: info for info in nogentech.formats()}
    assert names("/calendar.ics") == [o.name for o in by_name["ics"].options]
    assert names("/meetings.json") == ["lang", "from", "to", "series", "sub_cluster", "commission"]
    for info in by_name.values():
        assert names(f"/export/{info.name}") == [o.name for o in info.options]
    assert names("/meetings/{series}/{date}.ics") == ["series", "date", "lang"]
    schema = paths["/meetings.json"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"$ref": "#/components/schemas/Meetings"}


def test_openapi_schema_of_meetings_validates_the_served_document(port: int) -> None:
    """The copy under components/schemas is the shipped schema, its references rewritten."""
    _, _, body = fetch(port, "/openapi.json")
    components: dict[str, Any] = json.loads(body)["components"]["schemas"]
    schema = {**components["Meetings"], "$defs": {k: v for k, v in components.items()}}
    text = json.dumps(schema).replace("#/components/schemas/", "#/$defs/")
    _, _, meetings = fetch(port, "/meetings.json")
    jsonschema.Draft202012Validator(json.loads(text)).validate(json.loads(meetings))
