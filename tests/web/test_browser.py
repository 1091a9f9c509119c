"""The server as a browser meets it, in headless Chromium: a page of another origin reads
/meetings.json, and the page people land on renders, fits a phone and passes axe-core."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import extruct
import pytest

import nogentech
from nogentech import plugins, web
from nogentech.text import long_date
from tests.support.browser import context_of, launched, needs_chromium, run_axe
from tests.support.frontend import fetch, key_dates, running, static_site, write_cluster

pytestmark = [needs_chromium, pytest.mark.slow]

CALLER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Caller</title></head>
<body><h1>Next meetings</h1><ul id="out"></ul><p id="state">loading</p>
<script>
const api = new URLSearchParams(location.search).get("api");
fetch(api + "/meetings.json?lang=en")
  .then((r) => r.json())
  .then((doc) => {
    for (const m of doc.meetings.slice(0, 3)) {
      const li = document.createElement("li");
      li.textContent = `${m.start} ${m.topic || m.title} [${m.status}]`;
      document.getElementById("out").append(li);
    }
    document.getElementById("state").textContent = "done";
  })
  .catch((e) => { document.getElementById("state").textContent = "failed: " + e; });
</script></body></html>
"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium for this module's tests; each test opens a fresh context in it."""
    with launched() as browser:
        yield browser


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    plugins.reset()
    return write_cluster(tmp_path / "cluster.toml")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[int]:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text(CALLER, encoding="utf-8")
    with static_site(folder) as port:
        yield port


def _expected_lines(data_file: Path) -> list[str]:
    doc = json.loads(nogentech.export(nogentech.load(data_file), "meetings-json", lang="en"))
    return [f"{m['start']} {m['topic'] or m['title']} [{m['status']}]" for m in doc["meetings"][:3]]


def test_a_page_of_another_origin_reads_the_meetings(
    chromium: Any, data_file: Path, site: int, tmp_path: Path
) -> None:
    with running(web.make_app(data_file)) as api, context_of(chromium) as browser:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{site}/index.html?api=http://127.0.0.1:{api}")
        page.wait_for_function("document.getElementById('state').textContent !== 'loading'")
        assert page.inner_text("#state") == "done"
        assert page.locator("#out li").all_inner_texts() == _expected_lines(data_file)


def test_the_same_page_is_refused_when_its_origin_is_not_allowed(
    chromium: Any, data_file: Path, site: int, tmp_path: Path
) -> None:
    app = web.make_app(data_file, cors_origins=["https://elsewhere.example"])
    with running(app) as api, context_of(chromium) as browser:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{site}/index.html?api=http://127.0.0.1:{api}")
        page.wait_for_function("document.getElementById('state').textContent !== 'loading'")
        assert page.inner_text("#state").startswith("failed: TypeError")
        assert page.locator("#out li").count() == 0


# -- the page people land on ---------------------------------------------------------


def _meeting_texts(lang: str) -> dict[str, list[str]]:
    programmed, cancelled, visit = key_dates()
    add = {"fr": "Ajouter à mon agenda", "en": "Add to my calendar"}[lang]
    return {
        "programmed": [long_date(programmed, lang) + ", 08:30–10:30", add],
        "cancelled": [long_date(cancelled, lang) + ", 08:30–10:30", add],
        "visit": [long_date(visit, lang) + ", 14:00–17:00", add],
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_shows_the_upcoming_meetings_above_the_feeds(
    chromium: Any, data_file: Path, tmp_path: Path, lang: str
) -> None:
    programmed, cancelled, visit = key_dates()
    with running(web.make_app(data_file)) as port, context_of(chromium) as browser:
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"http://127.0.0.1:{port}/?lang={lang}")
        headings = page.locator("h2").all_inner_texts()
        upcoming = {"fr": "Prochaines rencontres", "en": "Upcoming meetings"}[lang]
        calendars = {"fr": "Calendriers", "en": "Calendars"}[lang]
        assert headings.index(upcoming) < headings.index(calendars)
        item = page.locator(f'[id="meeting-jeudis/{programmed}"]')
        text = item.inner_text()
        topic = {"fr": "L’usine <du> futur", "en": "The factory <of> the future"}[lang]
        when = long_date(programmed, lang) + ", 08:30–10:30"
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[:3] == [when, topic, {"fr": "Les jeudis", "en": "Thursdays"}[lang]]
        speakers = {"fr": "Intervenants : ", "en": "Speakers: "}[lang]
        venue = {
            "fr": "Lieu : Salle <des> fêtes, Chaumont",
            "en": "Venue: Village <hall>, Chaumont",
        }
        assert speakers + "Ada <Lovelace>" in text
        assert venue[lang] in text
        link = item.get_by_role("link")
        add = {"fr": "Ajouter à mon agenda", "en": "Add to my calendar"}[lang]
        assert link.inner_text().startswith(add)
        href = link.get_attribute("href")
        # Relative: the server writes no host it was not told (docs/deploy.md).
        assert href == f"/meetings/jeudis/{programmed}.ics?lang={lang}"
        status, _, body = fetch(port, href)
        assert status == 200 and b"UID:jeudis@frontclub" in body
        cancelled_item = page.locator(f'[id="meeting-jeudis/{cancelled}"]')
        assert {"fr": "Annulée", "en": "Cancelled"}[lang] in cancelled_item.inner_text()
        visit_item = page.locator('[id="meeting-visite"]')
        assert visit_item.inner_text().startswith(long_date(visit, lang) + ", 14:00–17:00")
        origin = f"http://127.0.0.1:{port}/"
        assert requested and all(url.startswith(origin) for url in requested)


WIDTHS = {"phone": 375, "desktop": 1280}


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_page_fits_phone_and_desktop_widths(
    chromium: Any, data_file: Path, tmp_path: Path, device: str
) -> None:
    width = WIDTHS[device]
    shots = tmp_path / "shots"
    shots.mkdir()
    with (
        running(web.make_app(data_file)) as port,
        context_of(chromium, viewport={"width": width, "height": 900}) as browser,
    ):
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/?lang=fr")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator(".meeting").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        button = page.locator(".add").first.bounding_box()
        assert button is not None and button["height"] >= 24  # a target a thumb can hit
        path = shots / f"{device}.png"
        page.screenshot(path=str(path), full_page=False)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_passes_axe_core(chromium: Any, data_file: Path, tmp_path: Path, lang: str) -> None:
    with (
        running(web.make_app(data_file)) as port,
        context_of(chromium, bypass_csp=True) as browser,
    ):
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/?lang={lang}")
        assert run_axe(page) == []
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.documentElement.lang") == lang


def test_axe_finds_a_problem_it_is_shown(chromium: Any, tmp_path: Path) -> None:
    """The accessibility check can fail: a page with an image without text is caught."""
    with context_of(chromium) as browser:
        page = browser.new_page()
        page.set_content('<html lang="en"><title>x</title><main><img src="data:,"></main></html>')
        assert "image-alt" in {v["id"] for v in run_axe(page)}


# -- JSON-LD in the page ---------------------------------------------------------------


def test_extruct_reads_the_json_ld_back_from_the_page(data_file: Path) -> None:
    cluster = nogentech.load(data_file)
    with running(web.make_app(data_file)) as port:
        status, _, body = fetch(port, "/?lang=en")
    assert status == 200
    base = f"http://127.0.0.1:{port}/"
    found: dict[str, Any] = extruct.extract(body.decode(), base_url=base, syntaxes=["json-ld"])
    # Without a known address the ids stay relative to the page.
    assert found["json-ld"] == [json.loads(nogentech.export(cluster, "jsonld", lang="en"))]
    known = web.make_app(data_file, base_url="https://feeds.example.org")
    with running(known) as port:
        status, _, body = fetch(port, "/?lang=en")
    found = extruct.extract(body.decode(), base_url=base, syntaxes=["json-ld"])
    base = "https://feeds.example.org/"
    expected = json.loads(nogentech.export(cluster, "jsonld", lang="en", base_url=base))
    assert found["json-ld"] == [expected]


def test_json_ld_cannot_close_its_script_element(tmp_path: Path) -> None:
    text = write_cluster(tmp_path / "c.toml").read_text("utf-8")
    text = text.replace('name = "Acmé & Cie"', 'name = "</script><script>alert(1)</script>"')
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    # With a known address the page has no script of its own, only the JSON-LD.
    with running(web.make_app(tmp_path / "c.toml", base_url="https://x.example")) as port:
        _, _, body = fetch(port, "/")
    page = body.decode()
    assert page.count("</script>") == 1
    assert page.count("<script") == 1
    found = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
    names = {n.get("name") for n in found[0]["@graph"]}
    assert "</script><script>alert(1)</script>" in names


def test_page_lists_the_meetings_of_today_onwards(data_file: Path) -> None:
    """A meeting earlier than today is not among them."""
    with running(web.make_app(data_file)) as port:
        _, _, body = fetch(port, "/?lang=en")
    assert 'id="meeting-jeudis/2024-01-11"' not in body.decode()
    assert dt.date.today().year > 2024
