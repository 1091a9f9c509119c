"""The scripts in examples/ run as documented and produce exactly what they promise.

Each script is run as a subprocess, the way a reader runs it, on the built-in
data and on a small made-up cluster (``DEMO``) whose names hold characters that
HTML, vCard and Markdown must escape.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import icalendar
import pytest
import vobject

import nogentech
import nogentech.plugins
from tests.support import ROOT

EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))

DEMO = """\
id = "demo"
name = "Demo & Co"
timezone = "Europe/Paris"

[[places]]
id = "rivertown"
kind = "commune"
name = { fr = "Rivière", en = "Rivertown" }

[[places]]
id = "hilltown"
kind = "commune"
name = { fr = "Colline", en = "Hilltown" }

[[places]]
id = "workshop"
kind = "venue"
name = { fr = "L’Atelier", en = "The Workshop" }
within = "rivertown"

[[sectors]]
id = "forging"
kind = "trade"
name = { fr = "Forge", en = "Forging" }

[[sectors]]
id = "implants"
kind = "market"
name = { fr = "Implants", en = "Implants" }

[[companies]]
id = "blue-forge"
name = 'Forge <Bleue> & Fils "Père"'
sectors = ["forging"]
places = ["workshop"]

[[companies]]
id = "hip-works"
name = "Hip <b>Works</b>"
sectors = ["implants", "forging"]
places = ["hilltown"]

[[companies]]
id = "loner"
name = "Loner & Sons"

[[sub_clusters]]
id = "alpha"
name = "Alpha <Group>"
focus = { en = "Metal & more" }
members = ["blue-forge", "hip-works"]

[[sub_clusters]]
id = "beta"
name = "Beta"
members = ["hip-works"]

[[sub_clusters]]
id = "gamma"
name = "Gamma"

[[people]]
id = "ann-smith"
name = "Ann Smith"

[[people.roles]]
kind = "employee"
of = "blue-forge"

[[meeting_series]]
id = "breakfasts"
name = { fr = "Petits déjeuners", en = "Breakfasts" }
first_date = 2024-01-11
start_time = 08:30:00
duration = "PT2H"
rule = "FREQ=MONTHLY;BYDAY=2TH;COUNT=3"
venue = "workshop"
sub_clusters = ["alpha"]

[[meeting_series.overrides]]
date = 2024-02-08
topic = { fr = "Forger l’avenir", en = "Forging the *future*" }
speakers = ["ann-smith"]
testimonies = ["hip-works"]

[[meeting_series]]
id = "board"
name = { en = "Board meeting" }
first_date = 2024-01-15
start_time = 18:00:00
duration = "PT1H"
rule = "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2"

[[events]]
id = "visit"
name = { en = "Plant visit" }
date = 2024-03-05
start_time = 14:00:00
duration = "PT2H"
venue = "workshop"
sub_clusters = ["beta"]

[[events]]
id = "fair"
name = { fr = "Salon", en = "Trade fair" }
date = 2024-04-10
end_date = 2024-04-11
place = "hilltown"
sub_clusters = ["alpha", "beta"]
"""


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(DEMO, encoding="utf-8")
    return path


@pytest.fixture
def demo() -> nogentech.Cluster:
    return nogentech.loads(DEMO, "toml")


@pytest.fixture
def fresh_plugins() -> Iterator[None]:
    """The plugin manager is rebuilt before and after the test."""
    nogentech.plugins.reset()
    yield
    nogentech.plugins.reset()


def run(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``examples/<script>`` with the test's Python; fail on a non-zero exit."""
    result = run_raw(script, *args)
    assert result.returncode == 0, f"{script} exited {result.returncode}:\n{result.stderr}"
    return result


def run_raw(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


# -- every script --------------------------------------------------------------


def test_examples_exist() -> None:
    """The five documented scripts are there."""
    assert set(SCRIPTS) >= {
        "next_meeting.py",
        "feed_per_sub_cluster.py",
        "prosthesis_valley_vcards.py",
        "member_directory.py",
        "custom_exporter.py",
    }


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_has_docstring_and_main_guard(script: str) -> None:
    """Each script explains itself and only runs when executed."""
    tree = ast.parse((EXAMPLES / script).read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{script} has no module docstring"
    guards = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"
    ]
    assert guards, f"{script} has no `if __name__ == '__main__':` block"


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_help(script: str) -> None:
    """``--help`` prints the usage with the script's first docstring line."""
    result = run(script, "--help")
    assert result.stdout.startswith("usage: ")
    first_line = ast.get_docstring(ast.parse((EXAMPLES / script).read_text("utf-8")))
    assert first_line is not None
    assert " ".join(first_line.splitlines()[0].split()) in " ".join(result.stdout.split())


@pytest.mark.parametrize("script", SCRIPTS)
def test_examples_readme_lists_script(script: str) -> None:
    """examples/README.md describes every script."""
    assert f"`{script}`" in (EXAMPLES / "README.md").read_text(encoding="utf-8")


# -- next_meeting.py -----------------------------------------------------------


def test_next_meeting_after_first_of_october_2023() -> None:
    """After 2023-10-01 comes the Thursday meeting of 12 October with its full programme."""
    result = run("next_meeting.py", "--after", "2023-10-01T00:00")
    assert result.stdout == (
        "Les rencontres du jeudi\n"
        "2023-10-12 08:30–10:30 (CEST)\n"
        "Sujet: Comment utiliser les réseaux sociaux dans l’industrie ?\n"
        "Intervenants: Germain Chittaro\n"
        "Témoignages: José Sanchez\n"
        "Lieu: Canopé, Chaumont\n"
    )


def test_next_meeting_matches_the_library() -> None:
    """The script's meeting is ``cluster.next_meeting`` for the same moment."""
    after = dt.datetime(2023, 11, 20, 12, 0, tzinfo=dt.UTC)
    meeting = nogentech.load().next_meeting(after)
    assert meeting is not None
    result = run("next_meeting.py", "--after", after.isoformat(), "--lang", "en")
    lines = result.stdout.splitlines()
    assert lines[0] == meeting.title.get("en")
    assert lines[1].startswith(f"{meeting.start:%Y-%m-%d %H:%M}–{meeting.end:%H:%M}")


def test_next_meeting_with_own_data_in_english(demo_file: Path) -> None:
    """--data and --lang: programme, speakers, testimonies and venue of the demo cluster."""
    result = run("next_meeting.py", "--data", demo_file, "--after", "2024-02-01", "--lang", "en")
    assert result.stdout == (
        "Breakfasts\n"
        "2024-02-08 08:30–10:30 (CET)\n"
        "Topic: Forging the *future*\n"
        "Speakers: Ann Smith\n"
        "Testimonies: Hip <b>Works</b>\n"
        "Venue: The Workshop, Rivertown\n"
    )


def test_next_meeting_none_left(demo_file: Path) -> None:
    """After the last meeting the script says so and exits 0."""
    result = run("next_meeting.py", "--data", demo_file, "--after", "2024-05-01", "--lang", "en")
    assert result.stdout == "No meeting after 2024-05-01T00:00:00.\n"


def test_next_meeting_invalid_data(tmp_path: Path) -> None:
    """Invalid data is an error message and exit status 1, not a traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "Not A Slug"\nname = "x"\n', encoding="utf-8")
    result = run_raw("next_meeting.py", "--data", bad)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


# -- feed_per_sub_cluster.py ---------------------------------------------------


def feed_uids(path: Path) -> set[str]:
    """UIDs of the VEVENTs of an iCalendar file."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


def linked_uids(cluster: nogentech.Cluster, sub_cluster: str) -> set[str]:
    """UIDs of the series and events that list ``sub_cluster``."""
    items = [*cluster.meeting_series, *cluster.events]
    return {f"{item.id}@{cluster.id}" for item in items if sub_cluster in item.sub_clusters}


def test_feed_per_sub_cluster_demo(
    demo_file: Path, demo: nogentech.Cluster, tmp_path: Path
) -> None:
    """One feed per sub-cluster, each with exactly the series and events linked to it."""
    out = tmp_path / "feeds"
    result = run("feed_per_sub_cluster.py", out, "--data", demo_file, "--lang", "en")
    assert result.stdout.splitlines() == [str(out / f"{s}.ics") for s in ("alpha", "beta", "gamma")]
    assert feed_uids(out / "alpha.ics") == {"breakfasts@demo", "fair@demo"}
    assert feed_uids(out / "beta.ics") == {"visit@demo", "fair@demo"}
    assert feed_uids(out / "gamma.ics") == set()
    for sub in demo.sub_clusters:
        assert feed_uids(out / f"{sub.id}.ics") == linked_uids(demo, sub.id)


def test_feed_per_sub_cluster_builtin(tmp_path: Path) -> None:
    """On the built-in data every sub-cluster gets a parsable feed of its own items only."""
    cluster = nogentech.load()
    run("feed_per_sub_cluster.py", tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.ics")) == sorted(
        f"{s.id}.ics" for s in cluster.sub_clusters
    )
    for sub in cluster.sub_clusters:
        path = tmp_path / f"{sub.id}.ics"
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        assert calendar.name == "VCALENDAR"
        assert feed_uids(path) == linked_uids(cluster, sub.id)


# -- prosthesis_valley_vcards.py -----------------------------------------------


def card_names(path: Path) -> list[str]:
    """The FN of every card of a vCard file, parsed with vobject."""
    text = path.read_text(encoding="utf-8")
    return [card.fn.value for card in vobject.readComponents(text)]


def test_prosthesis_valley_vcards(tmp_path: Path) -> None:
    """One card per Prosthesis Valley member, named as the cluster names them, nothing else."""
    members = nogentech.load().members_of("prosthesis-valley")
    result = run("prosthesis_valley_vcards.py", tmp_path)
    path = tmp_path / "prosthesis-valley.vcf"
    assert result.stdout == f"{path}: {len(members)} cards\n"
    names = card_names(path)
    assert len(names) == len(members)
    assert set(names) == {c.name for c in members}


def test_vcards_of_another_sub_cluster(demo_file: Path, tmp_path: Path) -> None:
    """--sub-cluster and --data: names with <, & and quotes survive the round trip."""
    run("prosthesis_valley_vcards.py", tmp_path, "--data", demo_file, "--sub-cluster", "alpha")
    names = card_names(tmp_path / "alpha.vcf")
    assert sorted(names) == sorted(['Forge <Bleue> & Fils "Père"', "Hip <b>Works</b>"])


def test_vcards_unknown_sub_cluster(tmp_path: Path) -> None:
    """An unknown sub-cluster is an error naming the known ones."""
    result = run_raw("prosthesis_valley_vcards.py", tmp_path, "--sub-cluster", "nowhere")
    assert result.returncode == 1
    assert "no sub-cluster 'nowhere'" in result.stderr
    assert "prosthesis-valley" in result.stderr


# -- member_directory.py -------------------------------------------------------


class DirectoryReader(HTMLParser):
    """Reads the member directory back: the title, and each section's heading and rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.headings: dict[str, str] = {}
        self.rows: dict[str, list[dict[str, str]]] = {}
        self._section: str | None = None
        self._cell: str | None = None
        self._heading: str | None = None
        self._row: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self._section = found.get("id") or ""
            self.headings[self._section] = ""
            self.rows[self._section] = []
        elif tag == "tr":
            self._row = {}
        elif tag == "td":
            self._cell = found.get("class") or ""
            self._row[self._cell] = ""
        elif tag in ("h1", "h2"):
            self._heading = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "tr" and self._row and self._section is not None:
            self.rows[self._section].append(self._row)
        elif tag in ("h1", "h2"):
            self._heading = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._row[self._cell] += data
        elif self._heading == "h1":
            self.title += data
        elif self._heading == "h2" and self._section is not None:
            self.headings[self._section] += data

    def names(self) -> dict[str, list[str]]:
        """Section id → the organisation names it lists, in order."""
        return {ident: [row["name"] for row in rows] for ident, rows in self.rows.items()}


def read_directory(html_text: str) -> DirectoryReader:
    reader = DirectoryReader()
    reader.feed(html_text)
    reader.close()
    return reader


HIP = {"name": "Hip <b>Works</b>", "sectors": "Implants, Forging", "commune": "Hilltown"}
DEMO_HEADINGS_EN = {
    "sub-cluster-alpha": "Alpha <Group>",
    "sub-cluster-beta": "Beta",
    "sub-cluster-gamma": "Gamma",
    "others": "Other organisations",
}
DEMO_ROWS_EN = {
    "sub-cluster-alpha": [
        {"name": 'Forge <Bleue> & Fils "Père"', "sectors": "Forging", "commune": "Rivertown"},
        HIP,
    ],
    "sub-cluster-beta": [HIP],
    "sub-cluster-gamma": [],
    "others": [{"name": "Loner & Sons", "sectors": "—", "commune": "—"}],
}


def test_member_directory_demo(demo_file: Path, tmp_path: Path) -> None:
    """Grouped by sub-cluster, then the others; sectors and commune; every text escaped."""
    page = tmp_path / "site" / "directory.html"
    result = run("member_directory.py", "-o", page, "--data", demo_file, "--lang", "en")
    assert result.stdout == f"{page}\n"
    html_text = page.read_text(encoding="utf-8")
    assert "<b>Works" not in html_text  # escaped, not markup
    reader = read_directory(html_text)
    assert reader.title == "Demo & Co — Directory of organisations"
    assert reader.headings == DEMO_HEADINGS_EN
    assert reader.rows == DEMO_ROWS_EN


def expected_groups(cluster: nogentech.Cluster) -> dict[str, list[str]]:
    """Section id → organisation names, as the library groups them."""
    groups = {
        f"sub-cluster-{s.id}": [c.name for c in cluster.members_of(s.id)]
        for s in cluster.sub_clusters
    }
    grouped = {c.id for s in cluster.sub_clusters for c in cluster.members_of(s.id)}
    others = [c.name for c in cluster.companies if c.id not in grouped]
    if others:
        groups["others"] = others
    return groups


def test_member_directory_builtin_lists_every_organisation(tmp_path: Path) -> None:
    """On the built-in data, each organisation appears under each of its sub-clusters or last."""
    cluster = nogentech.load()
    page = tmp_path / "directory.html"
    run("member_directory.py", "-o", page)
    found = read_directory(page.read_text(encoding="utf-8")).names()
    assert found == expected_groups(cluster)
    assert {n for names in found.values() for n in names} == {c.name for c in cluster.companies}


def chromium_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after headless Chromium has loaded and rendered it."""
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail(
            "chromium is not on PATH: the member directory test renders the page in headless "
            "Chromium (on Debian: apt-get install chromium)"
        )
    result = subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"chromium exited {result.returncode}:\n{result.stderr[-2000:]}"
    assert "<body" in result.stdout, "chromium printed no DOM"
    return result.stdout


@pytest.mark.slow
def test_member_directory_in_chromium(demo_file: Path, tmp_path: Path) -> None:
    """A browser shows every organisation of the built-in data and the demo's escaped names."""
    cluster = nogentech.load()
    builtin_page = tmp_path / "builtin.html"
    demo_page = tmp_path / "demo.html"
    run("member_directory.py", "-o", builtin_page, "--lang", "en")
    run("member_directory.py", "-o", demo_page, "--data", demo_file, "--lang", "en")

    names = read_directory(chromium_dom(builtin_page, tmp_path / "profile")).names()
    assert names == expected_groups(cluster)
    for company in cluster.companies:
        assert any(company.name in group for group in names.values()), company.name

    shown_demo = read_directory(chromium_dom(demo_page, tmp_path / "profile"))
    assert shown_demo.title == "Demo & Co — Directory of organisations"
    assert shown_demo.headings == DEMO_HEADINGS_EN
    assert shown_demo.rows == DEMO_ROWS_EN


# -- custom_exporter.py --------------------------------------------------------

DEMO_PROGRAMME_EN = """\
# Demo & Co — Programme

2024-01-01 → 2024-05-01

## 2024-01-11 08:30–10:30 · Breakfasts

**Topic:** programme not announced

- Venue: The Workshop

## 2024-01-15 18:00–19:00 · Board meeting

**Topic:** programme not announced

## 2024-02-08 08:30–10:30 · Breakfasts

**Topic:** Forging the \\*future\\*

- Speakers: Ann Smith
- Testimonies: Hip \\<b\\>Works\\</b\\>
- Venue: The Workshop

## 2024-02-15 18:00–19:00 · Board meeting

**Topic:** programme not announced

## 2024-03-05 14:00–16:00 · Plant visit

**Topic:** programme not announced

- Venue: The Workshop

## 2024-03-14 08:30–10:30 · Breakfasts

**Topic:** programme not announced

- Venue: The Workshop

## 2024-04-10 – 2024-04-11 (all day) · Trade fair

**Topic:** programme not announced

- Venue: Hilltown
"""


def test_custom_exporter_demo(demo_file: Path) -> None:
    """The Markdown programme of a window: every meeting in order, markup escaped."""
    result = run(
        "custom_exporter.py",
        "--data",
        demo_file,
        "--from",
        "2024-01-01",
        "--to",
        "2024-05-01",
        "--lang",
        "en",
    )
    assert result.stdout == DEMO_PROGRAMME_EN


def test_custom_exporter_builtin_headings() -> None:
    """On the built-in data: the three Thursday meetings of the last quarter of 2023."""
    result = run("custom_exporter.py", "--from", "2023-10-01", "--to", "2024-01-01")
    headings = [line for line in result.stdout.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 2023-10-12 08:30–10:30 · Les rencontres du jeudi",
        "## 2023-11-09 08:30–10:30 · Les rencontres du jeudi",
        "## 2023-12-14 08:30–10:30 · Les rencontres du jeudi",
    ]
    assert "**Sujet:** Comment utiliser les réseaux sociaux dans l’industrie ?" in result.stdout


def test_custom_exporter_writes_file(demo_file: Path, tmp_path: Path) -> None:
    """-o writes the same bytes to a file."""
    out = tmp_path / "programme.md"
    args = ["--data", demo_file, "--from", "2024-01-01", "--to", "2024-05-01", "--lang", "en"]
    run("custom_exporter.py", *args, "-o", out)
    assert out.read_text(encoding="utf-8") == DEMO_PROGRAMME_EN


def test_custom_exporter_bad_option() -> None:
    """A bad date is the exporter's own option error, exit status 1."""
    result = run_raw("custom_exporter.py", "--from", "2023-13-01")
    assert result.returncode == 1
    assert "option 'start'" in result.stderr


def load_example(name: str) -> ModuleType:
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("fresh_plugins")
def test_custom_exporter_registers_through_the_hook(demo: nogentech.Cluster) -> None:
    """Registered at runtime, the format is listed with its plugin and exports like a built-in."""
    assert "markdown" not in {f.name for f in nogentech.formats()}
    module = load_example("custom_exporter")
    try:
        module.register()
        info = {f.name: f for f in nogentech.formats()}
        assert info["markdown"].plugin == "markdown-programme"
        assert info["markdown"].extension == "md"
        assert {"ics", "json"} <= set(info)
        data = nogentech.export(demo, "markdown", start="2024-01-01", end="2024-05-01", lang="en")
        assert data.decode("utf-8") == DEMO_PROGRAMME_EN
    finally:
        sys.modules.pop(module.__name__, None)


# -- meetings-frontend/ ------------------------------------------------------------

FRONTEND = EXAMPLES / "meetings-frontend"


def test_meetings_frontend_is_plain_files_named_in_the_readme() -> None:
    """Plain HTML, CSS and JavaScript with no build step, described by the README."""
    assert sorted(p.name for p in FRONTEND.iterdir()) == [
        "README.md",
        "index.html",
        "meetings.js",
        "style.css",
    ]
    assert "`meetings-frontend/`" in (EXAMPLES / "README.md").read_text(encoding="utf-8")
    page = (FRONTEND / "index.html").read_text(encoding="utf-8")
    assert "http://" not in page.replace('content="http://127.0.0.1:8000"', "")
    assert "https://" not in page


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_meetings_frontend_lists_the_next_meetings_of_a_running_server(
    tmp_path: Path, lang: str
) -> None:
    """Served from another origin, the page shows what /meetings.json says, card by card."""
    import json

    from nogentech import web
    from tests.support.browser import available, chromium, run_axe
    from tests.support.frontend import fetch, key_dates, running, static_site, write_cluster

    if not available():
        pytest.skip("needs Chromium and Playwright")
    nogentech.plugins.reset()
    data = write_cluster(tmp_path / "cluster.toml")
    programmed, cancelled, _visit = key_dates()
    with (
        running(web.make_app(data)) as api,
        static_site(FRONTEND) as site,
        chromium(tmp_path / "profile", locale="fr-FR") as browser,
    ):
        _, _, body = fetch(api, f"/meetings.json?lang={lang}")
        now = dt.datetime.now(dt.UTC)
        meetings = json.loads(body)["meetings"]
        expected = [m for m in meetings if dt.datetime.fromisoformat(m["end"]) > now][:4]
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{site}/?api=http://127.0.0.1:{api}&lang={lang}&n=4")
        page.wait_for_function("document.getElementById('status').dataset.state")
        assert page.get_attribute("#status", "data-state") == "done"
        cards = page.locator(".meeting")
        assert [cards.nth(i).get_attribute("id") for i in range(cards.count())] == [
            f"meeting-{m['id']}" for m in expected
        ]
        assert [t.get_attribute("datetime") for t in page.locator(".meeting time").all()] == [
            m["start"] for m in expected
        ]
        card = page.locator(f'[id="meeting-jeudis/{programmed}"]')
        text = card.inner_text()
        month = {
            "fr": "décembre janvier février mars avril mai juin juillet août septembre "
            "octobre novembre",
            "en": "December January February March April May June "
            "July August September October November",
        }[lang].split()
        assert any(name in text for name in month)
        assert str(programmed.year) in text
        topic = {"fr": "L’usine <du> futur", "en": "The factory <of> the future"}[lang]
        assert topic in text and "Ada <Lovelace>" in text and "Acmé & Cie" in text
        link = card.locator("a.add")
        href = f"http://127.0.0.1:{api}/meetings/jeudis/{programmed}.ics?lang={lang}"
        assert link.get_attribute("href") == href
        flag = page.locator(f'[id="meeting-jeudis/{cancelled}"] .cancelled').inner_text()
        assert flag == {"fr": "Annulée", "en": "Cancelled"}[lang]
        assert page.evaluate("document.documentElement.lang") == lang
        assert run_axe(page) == []


@pytest.mark.slow
def test_meetings_frontend_says_when_the_server_cannot_be_read(tmp_path: Path) -> None:
    from tests.support.browser import available, chromium
    from tests.support.frontend import static_site

    if not available():
        pytest.skip("needs Chromium and Playwright")
    with static_site(FRONTEND) as site, chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{site}/?api=http://127.0.0.1:9&lang=en")
        page.wait_for_function("document.getElementById('status').dataset.state")
        assert page.inner_text("#status").startswith("The meetings could not be read (")
        assert page.locator(".meeting").count() == 0
