"""The "Subscribe to the meetings" page (docs/subscribe.md) against the exporter.

The page must say, for each of the four major clients, how to add the address and
how often it refreshes; its commands must run and write the feed the library
gives; its options table, identifiers and default refresh hint must be the
exporter's.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import pytest

import nogentech
from nogentech.cli import main
from tests.support import DOCS, ROOT

PAGE = ROOT / "docs" / "subscribe.md"
CLIENTS = ["Google Calendar", "Outlook", "Apple Calendar", "Thunderbird"]


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def sections(text: str) -> dict[str, str]:
    """Level-2 sections by title."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_page_title(page: str) -> None:
    assert page.splitlines()[0] == "# Subscribe to the meetings"


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_says_how_to_add_the_address_and_how_often_it_refreshes(
    page: str, client: str
) -> None:
    body = sections(page)[client]
    steps = re.findall(r"^\d+\. .+$", body, flags=re.MULTILINE)
    assert len(steps) >= 2, body
    assert re.search(r"address|`https://`|`webcal://`", body)
    (refresh,) = re.findall(r"\*\*How often it refreshes\.\*\*(.+?)(?:\n\n|\Z)", body, re.S)
    assert re.search(r"\d+ (?:minutes|hours)|interval", refresh), refresh


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def export_commands(text: str) -> list[list[str]]:
    commands = []
    for block in code_blocks(text):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:3] == ["nogentech", "export", "ics"]:
                commands.append(words[1:])
    return commands


def test_the_page_commands_write_the_library_feed(
    page: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each ``nogentech export ics`` line of the page runs on the built-in data and
    writes the bytes of :func:`nogentech.export` with the same options."""
    if not nogentech.builtin_path().exists():
        pytest.skip("the built-in data file is not there yet")
    builtin = nogentech.load()
    commands = export_commands(page)
    assert len(commands) >= 3  # French, English, expanded
    assert [c for c in commands if "-o" in c and c[c.index("-o") + 1] == "meetings.ics"]
    for argv in commands:
        at = argv.index("-o")
        target = tmp_path / argv[at + 1]
        assert main([*argv[:at], "-o", str(target), *argv[at + 2 :]]) == 0, argv
        options: dict[str, object] = {}
        if "--lang" in argv:
            options["lang"] = argv[argv.index("--lang") + 1]
        if "--option" in argv:
            name, _, value = argv[argv.index("--option") + 1].partition("=")
            options[name] = value == "true" if value in ("true", "false") else value
        assert target.read_bytes() == nogentech.export(builtin, "ics", **options), argv
    assert capsys.readouterr().err == ""


def test_options_table_lists_the_exporter_options(page: str) -> None:
    (info,) = [f for f in nogentech.formats() if f.name == "ics"]
    documented = re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", page, flags=re.MULTILINE)
    names = {name for row in documented for name in row if name}
    assert names == {o.name for o in info.options}


def test_identifiers_and_refresh_hint_shown_are_the_feed_ones(page: str) -> None:
    if not nogentech.builtin_path().exists():
        pytest.skip("the built-in data file is not there yet")
    builtin = nogentech.load()
    plain = nogentech.export(builtin, "ics")
    expanded = nogentech.export(
        builtin, "ics", expand=True, start=dt.date(2024, 1, 1), end=dt.date(2024, 2, 1)
    )
    shown = set(re.findall(r"`([a-z0-9.-]+@[a-z0-9-]+)`", page))
    assert shown
    for uid in shown:
        assert f"\r\nUID:{uid}\r\n".encode() in (plain if "." not in uid else expanded), uid
    (info,) = [f for f in nogentech.formats() if f.name == "ics"]
    (default,) = [o.default for o in info.options if o.name == "refresh"]
    assert default == "PT12H"
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in plain
    assert "12 hours unless the site" in page


def documented_ics_exports() -> list[tuple[str, dict[str, str]]]:
    """Every ``nogentech export ics`` command and ``calendar.ics?…`` address of the docs."""
    import urllib.parse

    found = []
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for line in re.findall(r"nogentech export ics[^\n`#]*", text):
            words = shlex.split(line)
            options = dict(
                words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "--option"
            )
            if "--lang" in words:
                options["lang"] = words[words.index("--lang") + 1]
            found.append((f"{path.name}: {line.strip()}", options))
        for query in re.findall(r"calendar\.ics\?([^\s`)]+)", text):
            options = dict(urllib.parse.parse_qsl(query))
            found.append((f"{path.name}: calendar.ics?{query}", options))
    return found


def test_the_documented_feeds_hold_meetings_of_the_builtin_data() -> None:
    """An example that gave an empty calendar would teach nothing: each one has events.

    (The pages say in prose that ``sub_cluster=prosthesis-valley`` gives an empty
    calendar today: no series or event of the built-in data is linked to one.)
    """
    cluster = nogentech.load()
    examples = documented_ics_exports()
    assert len(examples) >= 5
    empty = []
    for where, options in examples:
        data = nogentech.export(cluster, "ics", **options)
        if b"BEGIN:VEVENT" not in data:
            empty.append(where)
    assert empty == []
