"""``nogentech lint FILE``: text or JSON findings; exit 0 clean, 1 findings, 2 unreadable."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import nogentech
from nogentech.cli import main
from nogentech.lint import RULES
from tests.support import DATA, DOCS

SAMPLES = DATA / "lint"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "clean.ics")
    assert run(capsys, "lint", path) == (0, f"{path}: no findings\n", "")


def test_the_built_in_feed_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    feed = tmp_path / "feed.ics"
    feed.write_bytes(nogentech.export(nogentech.load(), "ics"))
    assert run(capsys, "lint", str(feed))[0] == 0


def test_findings_print_rule_line_clients_and_fix_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(SAMPLES / "rdate-with-rrule.ics")
    rule = RULES["rdate-with-rrule"]
    assert run(capsys, "lint", path) == (
        1,
        f"{path}:30: rdate-with-rrule: RDATE beside the RRULE of line 29\n"
        f"    affects: {'; '.join(rule.clients)}\n"
        f"    fix: {rule.fix}\n"
        f"{path}: 1 finding\n",
        "",
    )


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "floating-time.ics")
    code, out, err = run(capsys, "lint", "--json", path)
    assert (code, err) == (1, "")
    rule = RULES["floating-time"]
    assert json.loads(out) == {
        "file": path,
        "findings": [
            {
                "rule": "floating-time",
                "line": line,
                "message": message,
                "clients": list(rule.clients),
                "fix": rule.fix,
            }
            for line, message in (
                (27, "DTSTART:20240111T083000 floats"),
                (28, "DTEND:20240111T103000 floats"),
            )
        ],
    }


def test_json_of_a_clean_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "clean.ics")
    code, out, _ = run(capsys, "lint", "--json", path)
    assert (code, json.loads(out)) == (0, {"file": path, "findings": []})


def test_now_decides_the_dtstamp_rule(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "dtstamp-now.ics")
    assert run(capsys, "lint", "--now", "2024-01-01T12:00:30", path)[0] == 1
    assert run(capsys, "lint", "--now", "2024-01-01T13:00:30+01:00", path)[0] == 1
    assert run(capsys, "lint", "--now", "2024-01-02T12:00:00Z", path)[0] == 0
    assert run(capsys, "lint", path)[0] == 0  # fetched now, not in 2024


@pytest.mark.parametrize("name", ["unreadable.ics", "missing.ics"])
def test_unreadable_input_exits_2(capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = str(SAMPLES / name)
    code, out, err = run(capsys, "lint", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}: ")
    if name == "unreadable.ics":
        assert "not an iCalendar object" in err


def test_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (SAMPLES / "unescaped-text.ics").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "lint", "-")
    assert code == 1
    assert out.startswith("<stdin>:49: unescaped-text: SUMMARY: a bare ',' at character 6\n")


def test_the_docs_example_is_real_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/lint.md shows ``nogentech lint`` on the rdate-with-rrule sample."""
    page = (DOCS / "lint.md").read_text(encoding="utf-8")
    block = page.split("```\n$ nogentech lint meetings.ics\n", 1)[1].split("```", 1)[0]
    (tmp_path / "meetings.ics").write_bytes((SAMPLES / "rdate-with-rrule.ics").read_bytes())
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "lint", "meetings.ics") == (1, block, "")


def far_overrides(rule: str, *recurrence_ids: str) -> bytes:
    """A series from 1 January 2024 (UTC) and one override per RECURRENCE-ID."""
    lines = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "DTSTART:20240101T000000Z", rule]
    lines.append("END:VEVENT")
    for value in recurrence_ids:
        lines += ["BEGIN:VEVENT", "UID:x", f"RECURRENCE-ID:{value}"]
        lines += ["DTSTART:20240101T000000Z", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{line}\r\n" for line in lines).encode()


@pytest.mark.parametrize(
    ("data", "reported"),
    [
        pytest.param(
            far_overrides("RRULE:FREQ=MINUTELY", "99991231T000030Z"),
            [(9, "99991231T000030Z")],
            id="minutely",
        ),
        pytest.param(
            far_overrides(
                "RRULE:FREQ=DAILY",
                *(f"{year}1231T000000Z" for year in range(9970, 10_000)),
                "99991231T000030Z",
            ),
            [(159, "99991231T000030Z")],
            id="daily-31-overrides",
        ),
    ],
)
def test_overrides_in_year_9999_are_checked_in_bounded_time(
    tmp_path: Path, data: bytes, reported: list[tuple[int, str]]
) -> None:
    """Each override in year 9999 cost dateutil's expansion of the rule from 2024: for a
    minutely rule about 4×10⁹ steps, for a daily one 8 s. The timeout is generous, a
    guard against running for ever and no measure of speed."""
    path = tmp_path / "far.ics"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "nogentech", "lint", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, "")
    found = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert found == [
        *(
            f"{path}:{line}: override-without-instance: RECURRENCE-ID:{value} is not an "
            "occurrence of the series on line 2"
            for line, value in reported
        ),
        f"{path}: {len(reported)} finding{'s' if len(reported) != 1 else ''}",
    ]
