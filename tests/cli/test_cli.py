"""The ``nogentech`` command line, run in-process and once as the installed script."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nogentech
from nogentech.cli import main

BAD = textwrap.dedent(
    """\
    id = "demo"
    name = "DEMO"

    [[companies]]
    id = "forges-a"
    name = "Forges A"
    sectors = ["forgee"]

    [[companies]]
    id = "usine-b"
    name = 42
    """
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- info ---------------------------------------------------------------------------


def test_info_on_a_data_file(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    code, out, err = run(capsys, "info", "--data", str(demo_file))
    assert (code, err) == (0, "")
    assert out == textwrap.dedent(
        """\
        DEMO — Club démo
        Un club d’industriels.
        Fondé : 2002

          Organisations : 5
          Adhérents connus : 2
          Secteurs : 7
          Lieux : 6
          Personnes : 3
          Séries de rencontres : 1
          Événements : 2
          Jalons : 1
          Projets : 0
          Divergences entre les sources : 0

        Bureau :
          Présidence : Alice Martin (Forges A)
          Vice-présidence : Bob Durand (Usine B)

        Sous-clusters :
          MED
          MECA

        Commissions :
          Commission Environnement

        Chiffres clés :
          DEMO
            Membres : environ 50 adhérents (2020)
            Effectif : plus de 3 000 emplois (2021)
          MED
            Membres : 12 firms (2022)
        """
    )


def test_info_in_english(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    code, out, _ = run(capsys, "info", "--data", str(demo_file), "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    assert lines[:4] == ["DEMO — Demo club", "A club of manufacturers.", "Founded: 2002", ""]
    assert "  Members: 2" in lines
    assert lines[lines.index("Commissions:") + 1] == "  Environment committee"
    assert lines[lines.index("Board:") + 1] == "  President: Alice Martin (Forges A)"


def test_info_on_the_builtin_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "info")
    assert code == 0
    lines = out.splitlines()
    cluster = nogentech.load()
    assert lines[0].startswith(cluster.name)
    assert f"  Organisations : {len(cluster.companies)}" in lines


# -- validate -----------------------------------------------------------------------


def test_validate_a_valid_file(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    assert run(capsys, "validate", str(demo_file)) == (
        0,
        f"{demo_file}: valid (5 organisations)\n",
        "",
    )


def test_validate_an_invalid_file_prints_one_line_per_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    assert out.splitlines() == [
        f"{path}: 2 problems",
        "companies[1].name: expected a string (got int 42)",
        "companies[0].sectors[0]: unknown sector 'forgee'",
    ]
    assert "Traceback" not in out + err


def test_validate_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 2
    assert out.splitlines() == [
        f"{path}: 1 problem",
        f"cannot read {path}: No such file or directory",
    ]


def test_other_commands_report_invalid_data_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = run(capsys, "meetings", "--data", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}: 2 problems",
        "companies[1].name: expected a string (got int 42)",
        "companies[0].sectors[0]: unknown sector 'forgee'",
    ]


# -- meetings -----------------------------------------------------------------------


def test_meetings_in_a_window(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    argv = ("meetings", "--data", str(demo_file), "--from", "2024-01-01", "--to", "2024-06-01")
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "2024-01-11 08:30 | Les jeudis | (programme non annoncé) | Salle des fêtes, Chaumont",
        "2024-02-08 08:30 | Les jeudis | La cybersécurité | Intervenants : Carol Petit (École D)"
        " | Atelier des forges, Nogent",
        "2024-02-08 14:00 | Visite d’usine | Atelier des forges, Nogent",
        "2024-03-15 09:00 | Les jeudis | Recruter sans CV | Salle des fêtes, Chaumont",
        "2024-03-20 – 2024-03-21 (toute la journée) | Salon de l’industrie | Chaumont, Haute-Marne",
        "2024-04-11 08:30 | Les jeudis | (programme non annoncé) | Salle des fêtes, Chaumont"
        "  [ANNULÉ]",
        "2024-05-09 08:30 | Les jeudis | (programme non annoncé) | Salle des fêtes, Chaumont"
        "  [jour férié : Ascension]",
    ]


def test_meetings_in_english(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    argv = ("meetings", "--data", str(demo_file), "--from", "2024-03-01", "--to", "2024-06-01")
    code, out, _ = run(capsys, *argv, "--lang", "en")
    assert code == 0
    assert out.splitlines() == [
        "2024-03-15 09:00 | Thursdays | Recruiting without a CV | Village hall, Chaumont",
        "2024-03-20 – 2024-03-21 (all day) | Industry fair | Chaumont, Haute-Marne",
        "2024-04-11 08:30 | Thursdays | (programme not announced) | Village hall, Chaumont"
        "  [CANCELLED]",
        "2024-05-09 08:30 | Thursdays | (programme not announced) | Village hall, Chaumont"
        "  [public holiday: Ascension Day]",
    ]


def test_meetings_in_an_empty_window(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    argv = ("meetings", "--data", str(demo_file), "--from", "2024-01-12", "--to", "2024-02-01")
    assert run(capsys, *argv) == (0, "Aucune rencontre sur cette période.\n", "")
    assert run(capsys, *argv, "--lang", "en") == (0, "No meeting in this period.\n", "")


def test_meetings_window_must_not_be_empty(
    capsys: pytest.CaptureFixture[str], demo_file: Path
) -> None:
    argv = ("meetings", "--data", str(demo_file), "--from", "2024-02-01", "--to", "2024-02-01")
    assert run(capsys, *argv) == (2, "", "error: --to must be after --from\n")


def test_meetings_rejects_a_malformed_date(
    capsys: pytest.CaptureFixture[str], demo_file: Path
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["meetings", "--data", str(demo_file), "--from", "12/01/2024"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "nogentech meetings: error: argument --from: "
        "invalid date '12/01/2024' (expected YYYY-MM-DD)"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["meetings", "--from", "0001-01-01", "--to", "0001-02-01"],
            "nogentech meetings: error: argument --from: "
            "date out of range '0001-01-01' (from 1900-01-01 to 2199-12-31)",
        ),
        (
            ["meetings", "--from", "2024-01-01", "--to", "9999-12-31"],
            "nogentech meetings: error: argument --to: "
            "date out of range '9999-12-31' (from 1900-01-01 to 2199-12-31)",
        ),
        (
            ["next", "--after", "9999-12-31T00:00"],
            "nogentech next: error: argument --after: "
            "date out of range '9999-12-31T00:00' (from 1900-01-01 to 2199-12-31)",
        ),
    ],
)
def test_dates_out_of_range_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == message
    assert "Traceback" not in err


def test_the_last_date_of_the_range_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meetings", "--from", "2199-12-01", "--to", "2199-12-31", "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("2199-12-12 08:30 | Thursday meetings")


# -- next ---------------------------------------------------------------------------


def test_next_prints_the_meeting_in_full(
    capsys: pytest.CaptureFixture[str], demo_file: Path
) -> None:
    code, out, _ = run(capsys, "next", "--data", str(demo_file), "--after", "2024-01-12T00:00")
    assert code == 0
    assert out == textwrap.dedent(
        """\
        Les jeudis
        jeudi 8 février 2024, 08:30–10:30 (CET)
        Sujet : La cybersécurité
        Intervenants : Carol Petit (École D)
        Témoignages : Usine B
        Lieu : Atelier des forges, Nogent
        """
    )


def test_next_in_english_with_holiday(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    argv = ("next", "--data", str(demo_file), "--after", "2024-05-01T00:00+02:00", "--lang", "en")
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out == textwrap.dedent(
        """\
        Thursdays
        Thursday 9 May 2024, 08:30–10:30 (CEST)
        public holiday: Ascension Day
        Topic: programme not announced
        Venue: Village hall, Chaumont
        """
    )


def test_next_one_off_event(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    argv = ("next", "--data", str(demo_file), "--after", "2024-02-08T08:30+01:00")
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out == textwrap.dedent(
        """\
        Visite d’usine
        jeudi 8 février 2024, 14:00–17:00 (CET)
        Lieu : Atelier des forges, Nogent
        """
    )


def test_next_when_nothing_is_left(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "finite.toml"
    path.write_text(
        textwrap.dedent(
            """\
            id = "c"
            name = "C"

            [[meeting_series]]
            id = "m"
            name = "M"
            first_date = 2024-01-11
            start_time = 08:30:00
            duration = "PT2H"
            rule = "FREQ=MONTHLY;BYDAY=2TH;COUNT=2"
            """
        ),
        encoding="utf-8",
    )
    argv = ("next", "--data", str(path), "--after", "2024-02-08T08:30+01:00")
    assert run(capsys, *argv) == (0, "Aucune rencontre programmée.\n", "")
    assert run(capsys, *argv, "--lang", "en") == (0, "No meeting is programmed.\n", "")


# -- the installed script --------------------------------------------------------------


def test_console_script_exits_2_without_a_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "nogentech"
    assert script.exists()
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    done = subprocess.run(
        [str(script), "info", "--data", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"{path}: 2 problems",
        "companies[1].name: expected a string (got int 42)",
        "companies[0].sectors[0]: unknown sector 'forgee'",
    ]


def test_a_reader_that_stops_early_gets_no_error() -> None:
    """``nogentech info | head -1``: the command stops quietly when the pipe is closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is already gone: every write meets a closed pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "nogentech", "info"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr.decode("utf-8")) == (0, "")
