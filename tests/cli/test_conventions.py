"""Conventions every command keeps: --json, exit codes, language, width, suggestions."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import plugins
from nogentech.cli import EXIT_DATA, EXIT_ERROR, EXIT_OK, EXIT_USAGE, main
from tests.cli.test_cli import BAD


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    return json.loads(out)


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    return path


# -- --json ----------------------------------------------------------------------------

THURSDAY_8_FEBRUARY = {
    "id": "jeudis/2024-02-08",
    "series": "jeudis",
    "event": None,
    "title": "Les jeudis",
    "start": "2024-02-08T08:30:00+01:00",
    "end": "2024-02-08T10:30:00+01:00",
    "all_day": False,
    "topic": "La cybersécurité",
    "speakers": [{"id": "carol", "name": "Carol Petit"}],
    "testimonies": [{"id": "usine-b", "name": "Usine B"}],
    "venue": {"id": "atelier", "name": "Atelier des forges", "label": "Atelier des forges, Nogent"},
    "cancelled": False,
    "holiday": None,
    "note": None,
}


def test_next_json_gives_the_meeting_with_speakers_and_venue(
    capsys: pytest.CaptureFixture[str], demo_file: Path
) -> None:
    argv = ("next", "--data", str(demo_file), "--after", "2024-01-12T00:00", "--json")
    assert run_json(capsys, *argv) == [THURSDAY_8_FEBRUARY]


def test_next_n_gives_the_next_meetings_in_order(
    capsys: pytest.CaptureFixture[str], demo_file: Path
) -> None:
    argv = ("next", "--data", str(demo_file), "--after", "2024-01-12T00:00", "-n", "3")
    found = run_json(capsys, *argv, "--json", "--lang", "en")
    assert [(m["id"], m["start"], m["title"]) for m in found] == [
        ("jeudis/2024-02-08", "2024-02-08T08:30:00+01:00", "Thursdays"),
        ("visite", "2024-02-08T14:00:00+01:00", "Factory visit"),
        ("jeudis/2024-03-14", "2024-03-15T09:00:00+01:00", "Thursdays"),
    ]
    code, out, _ = run(capsys, *argv[:-1], "2")
    assert code == 0
    assert out == textwrap.dedent(
        """\
        Les jeudis
        jeudi 8 février 2024, 08:30–10:30 (CET)
        Sujet : La cybersécurité
        Intervenants : Carol Petit (École D)
        Témoignages : Usine B
        Lieu : Atelier des forges, Nogent

        Visite d’usine
        jeudi 8 février 2024, 14:00–17:00 (CET)
        Lieu : Atelier des forges, Nogent
        """
    )


def test_next_json_is_an_empty_list_when_nothing_is_left(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "finite.toml"
    path.write_text(
        'id = "c"\nname = "C"\n\n[[meeting_series]]\nid = "m"\nname = "M"\n'
        'first_date = 2024-01-11\nstart_time = 08:30:00\nduration = "PT2H"\n'
        'rule = "FREQ=MONTHLY;BYDAY=2TH;COUNT=2"\n',
        encoding="utf-8",
    )
    argv = ("next", "--data", str(path), "--after", "2024-02-08T08:30+01:00", "--json")
    assert run_json(capsys, *argv) == []
    assert [
        m["id"] for m in run_json(capsys, *argv[:-2], "2024-01-01T00:00", "-n", "5", "--json")
    ] == [
        "m/2024-01-11",
        "m/2024-02-08",
    ]


def test_meetings_json_and_limit(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    argv = ("meetings", "--data", str(demo_file), "--from", "2024-02-01", "--to", "2024-06-01")
    found = run_json(capsys, *argv, "--json")
    assert found[0] == THURSDAY_8_FEBRUARY
    assert [(m["id"], m["cancelled"], m["holiday"], m["all_day"]) for m in found] == [
        ("jeudis/2024-02-08", False, None, False),
        ("visite", False, None, False),
        ("jeudis/2024-03-14", False, None, False),
        ("salon", False, None, True),
        ("jeudis/2024-04-11", True, None, False),
        ("jeudis/2024-05-09", False, "Ascension", False),
    ]
    assert run_json(capsys, *argv, "--json", "--limit", "2") == found[:2]
    code, out, _ = run(capsys, *argv, "--limit", "1")
    assert (code, out) == (
        0,
        "2024-02-08 08:30 | Les jeudis | La cybersécurité | Intervenants : Carol Petit (École D)"
        " | Atelier des forges, Nogent\n",
    )


def test_info_json(capsys: pytest.CaptureFixture[str], demo_file: Path) -> None:
    info = run_json(capsys, "info", "--data", str(demo_file), "--json", "--lang", "en")
    assert info == {
        "id": "demo",
        "name": "DEMO",
        "full_name": "Demo club",
        "description": "A club of manufacturers.",
        "founded": "2002",
        "legal_form": None,
        "counts": {
            "organisations": 5,
            "members": 2,
            "sectors": 7,
            "places": 6,
            "people": 3,
            "meeting_series": 1,
            "events": 2,
            "milestones": 1,
            "projects": 0,
            "discrepancies": 0,
        },
        "board": [
            {"role": "president", "label": "President", "person": "alice", "name": "Alice Martin"},
            {
                "role": "vice-president",
                "label": "Vice-president",
                "person": "bob",
                "name": "Bob Durand",
            },
        ],
        "sub_clusters": [{"id": "med", "name": "MED"}, {"id": "meca", "name": "MECA"}],
        "commissions": [{"id": "comm-env", "name": "Environment committee"}],
    }


def test_formats_json_lists_each_format_with_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = {f["name"]: f for f in run_json(capsys, "formats", "--json")}
    assert set(found) == {
        "ics",
        "jcal",
        "jcard",
        "json",
        "jsonld",
        "meetings-atom",
        "meetings-json",
        "vcard",
    }
    assert found["json"] == {
        "name": "json",
        "extension": "json",
        "media_type": "application/json",
        "description": "The whole cluster as JSON (schema in `nogentech schema`).",
        "plugin": "nogentech.exporters.json",
        "options": [
            {
                "name": "indent",
                "kind": "int",
                "default": 2,
                "choices": [],
                "minimum": 0,
                "maximum": 8,
                "description": "Spaces of indentation (0 to 8); 0 for one line.",
            }
        ],
    }
    assert [o["name"] for o in found["ics"]["options"]] == [
        o.name for o in plugins.get_exporter("ics").options
    ]


def test_validate_json_gives_problems_as_path_and_message(
    capsys: pytest.CaptureFixture[str], demo_file: Path, bad_file: Path
) -> None:
    code, out, err = run(capsys, "validate", str(demo_file), str(bad_file), "--json")
    assert (code, err) == (EXIT_DATA, "")
    assert json.loads(out) == [
        {"file": str(demo_file), "valid": True, "organisations": 5, "problems": []},
        {
            "file": str(bad_file),
            "valid": False,
            "organisations": None,
            "problems": [
                {"path": "companies[1].name", "message": "expected a string (got int 42)"},
                {"path": "companies[0].sectors[0]", "message": "unknown sector 'forgee'"},
            ],
        },
    ]


# -- validate: several files and standard input ------------------------------------------


def test_validate_several_files_and_standard_input(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_file: Path,
    bad_file: Path,
) -> None:
    toml = "id = 'tiny'\nname = 'Tiny'\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(toml.encode("utf-8"))))
    code, out, err = run(capsys, "validate", str(demo_file), "-", str(bad_file))
    assert (code, err) == (EXIT_DATA, "")
    assert out.splitlines() == [
        f"{demo_file}: valid (5 organisations)",
        "-: valid (0 organisations)",
        f"{bad_file}: 2 problems",
        "companies[1].name: expected a string (got int 42)",
        "companies[0].sectors[0]: unknown sector 'forgee'",
    ]


def test_validate_reads_json_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo_file: Path
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(demo_file.read_bytes())))
    assert run(capsys, "validate", "-") == (0, "-: valid (5 organisations)\n", "")


def test_validate_reads_standard_input_only_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "validate", "-", "-") == (
        EXIT_USAGE,
        "",
        "error: standard input ('-') can be read only once\n",
    )


# -- schema -o, bare command, export --help ----------------------------------------------


def test_schema_writes_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert run(capsys, "schema", "-o", str(target)) == (0, "", "")
    assert main(["schema"]) == 0
    assert target.read_text(encoding="utf-8") == capsys.readouterr().out
    assert json.loads(target.read_text(encoding="utf-8"))["$schema"].startswith("https://")


def test_bare_command_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    assert out.startswith("usage: nogentech [-h] [--version] [--debug] COMMAND ...\n")
    assert "plugins" in out and "meetings" in out


def test_export_help_lists_the_formats_and_their_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    listing = out[out.index("formats and their options:\n") :].splitlines()[1:]
    assert [line.split()[0] for line in listing if not line.startswith(" ")] == [
        "ics",
        "jcal",
        "jcard",
        "json",
        "jsonld",
        "meetings-atom",
        "meetings-json",
        "vcard",
    ]
    assert (
        "            --option indent=…  Spaces of indentation (0 to 8); 0 for one line."
        " (default: 2)" in listing
    )


# -- the exit codes, command by command ---------------------------------------------------

EXIT_CASES = [
    # (argv, status); {bad} is an invalid data file, {dir} a folder that cannot be a file
    (["info"], EXIT_OK),
    (["info", "--data", "{bad}"], EXIT_DATA),
    (["info", "--lang", "de"], EXIT_USAGE),
    (["validate", "{demo}"], EXIT_OK),
    (["validate", "{bad}"], EXIT_DATA),
    (["validate"], EXIT_USAGE),
    (["meetings", "--from", "2024-01-01", "--to", "2024-02-01"], EXIT_OK),
    (["meetings", "--data", "{bad}"], EXIT_DATA),
    (["meetings", "--from", "2024-02-01", "--to", "2024-01-01"], EXIT_USAGE),
    (["meetings", "--limit", "0"], EXIT_USAGE),
    (["next", "--after", "2024-01-01T00:00+01:00"], EXIT_OK),
    (["next", "--data", "{bad}"], EXIT_DATA),
    (["next", "-n", "x"], EXIT_USAGE),
    (["formats"], EXIT_OK),
    (["formats", "--bogus"], EXIT_USAGE),
    (["export", "json", "-o", "{dir}/out.json"], EXIT_OK),
    (["export", "json", "--data", "{bad}"], EXIT_DATA),
    (["export", "xml"], EXIT_USAGE),
    (["export", "json", "--option", "indent=wide"], EXIT_USAGE),
    (["export", "json", "-o", "{dir}"], EXIT_ERROR),
    (["schema", "-o", "{dir}/schema.json"], EXIT_OK),
    (["schema", "-o", "{dir}"], EXIT_ERROR),
    (["plugins"], EXIT_OK),
    (["plugins", "extra"], EXIT_USAGE),
    (["serve", "--port", "x"], EXIT_USAGE),
    (["nosuch"], EXIT_USAGE),
]


@pytest.mark.parametrize(("argv", "status"), EXIT_CASES, ids=[" ".join(a) for a, _ in EXIT_CASES])
def test_exit_status(
    argv: list[str],
    status: int,
    capsys: pytest.CaptureFixture[str],
    demo_file: Path,
    bad_file: Path,
    tmp_path: Path,
) -> None:
    words = [w.format(bad=bad_file, demo=demo_file, dir=tmp_path) for w in argv]
    try:
        code = main(words)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == status, err
    assert "Traceback" not in out + err
    if status != EXIT_OK:
        # validate prints its findings as its output; every other failure says why on stderr.
        assert out if words[0] == "validate" and len(words) > 1 else err


def test_serve_on_a_port_in_use_fails_at_run_time(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    assert code == EXIT_ERROR
    assert capsys.readouterr().err.startswith("error: ")


def test_the_exit_codes_are_documented_in_one_table() -> None:
    from tests.support import DOCS

    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert (
        "| Status | Meaning |\n"
        "|---|---|\n"
        "| 0 | success |\n"
        "| 1 | failure at run time: an export that fails, a file that cannot be written, "
        "a port in use |\n"
        "| 2 | usage error (a mistyped command, option or value, options that do not fit "
        "together) or invalid data |\n"
    ) in page


# -- the default language -------------------------------------------------------------------

LANG_CASES = [
    ({}, "Les jeudis"),
    ({"LANG": "en_GB.UTF-8"}, "Thursdays"),
    ({"LANG": "de_DE.UTF-8"}, "Les jeudis"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, "Les jeudis"),
    ({"LANG": "fr_FR.UTF-8", "LC_ALL": "en_US.UTF-8"}, "Thursdays"),
    ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_US"}, "Thursdays"),
    ({"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "Les jeudis"),
    ({"NOGENTECH_LANG": "en", "LC_ALL": "fr_FR.UTF-8"}, "Thursdays"),
    ({"NOGENTECH_LANG": "fr", "LANG": "en_US.UTF-8"}, "Les jeudis"),
]


@pytest.mark.parametrize(("env", "title"), LANG_CASES, ids=[str(e) for e, _ in LANG_CASES])
def test_the_default_language_comes_from_the_environment(
    env: dict[str, str],
    title: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_file: Path,
) -> None:
    monkeypatch.delenv("LANG")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    argv = ("next", "--data", str(demo_file), "--after", "2024-01-12T00:00", "--json")
    assert run_json(capsys, *argv)[0]["title"] == title
    # --lang wins over the environment.
    assert run_json(capsys, *argv, "--lang", "fr")[0]["title"] == "Les jeudis"


def test_the_default_language_applies_to_exports_with_a_lang_option(
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
    demo_file: Path,
) -> None:
    monkeypatch.setenv("NOGENTECH_LANG", "en")
    assert main(["export", "ics", "--data", str(demo_file)]) == 0
    assert b"\r\nSUMMARY:Thursdays\r\n" in capsysbinary.readouterr().out
    assert main(["export", "json", "--data", str(demo_file)]) == 0  # no lang option: no error


def test_a_wrong_nogentech_lang_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOGENTECH_LANG", "de")
    assert run(capsys, "next") == (
        EXIT_USAGE,
        "",
        "error: NOGENTECH_LANG must be fr or en (got 'de')\n",
    )


# -- width ------------------------------------------------------------------------------------


def test_text_is_wrapped_at_the_terminal_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    code, out, _ = run(capsys, "info")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 50
    cluster = nogentech.load()
    assert cluster.description is not None
    words = " ".join(lines).split()
    assert " ".join(cluster.description.get("fr").split()) in " ".join(words)
    monkeypatch.setenv("COLUMNS", "200")
    _, wide, _ = run(capsys, "info")
    assert max(len(line) for line in wide.splitlines()) > 50


# -- did you mean ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "last_line"),
    [
        (["meetngs"], "did you mean 'meetings'?"),
        (["next", "--aftr", "2024-01-01"], "unrecognized arguments: --aftr 2024-01-01; did you mean '--after'?"),  # noqa: E501
        (["info", "--lang", "fre"], "invalid choice: 'fre' (choose from 'fr', 'en'); did you mean 'fr'?"),  # noqa: E501
    ],
)  # fmt: skip
def test_usage_errors_suggest_the_closest_word(
    argv: list[str], last_line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(last_line)


def test_a_mistyped_option_is_answered_with_the_usage_of_its_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["meetings", "--form", "2024-01-01"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: nogentech meetings [-h]")
    assert err.splitlines()[-1] == (
        "nogentech meetings: error: unrecognized arguments: --form 2024-01-01; "
        "did you mean '--from'?"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["export", "icss"],
            "error: unknown format 'icss' (available: ics, jcal, jcard, json, jsonld, "
            "meetings-atom, meetings-json, vcard); did you mean 'ics'?",
        ),
        (["export", "json", "--option", "indnet=1"], "error: unknown option 'indnet' for format 'json' (valid: indent); did you mean 'indent'?"),  # noqa: E501
        (["export", "ics", "--option", "sub_cluster=prosthesis-vally"], "error: option 'sub_cluster': unknown id 'prosthesis-vally' (valid: flaamm, prosthesis-valley); did you mean 'prosthesis-valley'?"),  # noqa: E501
        (["export", "vcard", "--option", "sector=machinning"], "; did you mean 'machining'?"),
    ],
)  # fmt: skip
def test_unknown_formats_options_and_ids_suggest_the_closest(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("error: ")
    assert err.endswith(message + "\n")


def test_unknown_fields_and_ids_in_data_suggest_the_closest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "typos.toml"
    path.write_text(
        textwrap.dedent(
            """\
            id = "demo"
            name = "DEMO"

            [[sectors]]
            id = "forge"
            kind = "trade"
            name = "Forge"

            [[companies]]
            id = "forges-a"
            nmae = "Forges A"
            name = "Forges A"

            [[companies]]
            id = "forges-b"
            name = "Forges B"
            sectors = ["forgee"]
            """
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "validate", str(path))
    assert code == EXIT_DATA
    assert out.splitlines() == [
        f"{path}: 2 problems",
        "companies[0]: unknown field 'nmae'; did you mean 'name'?",
        "companies[1].sectors[0]: unknown sector 'forgee'; did you mean 'forge'?",
    ]


# -- an export with nothing in it -------------------------------------------------------------


def test_an_export_whose_options_leave_nothing_says_so(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    # No series or event of the built-in data is linked to a sub-cluster (yet).
    assert main(["export", "ics", "--option", "sub_cluster=prosthesis-valley"]) == 0
    out, err = capsysbinary.readouterr()
    assert b"BEGIN:VCALENDAR" in out and b"BEGIN:VEVENT" not in out
    assert err == b"warning: no event in this ics export: its options leave none\n"
    assert main(["export", "ics", "--option", "series=rencontres-du-jeudi"]) == 0
    out, err = capsysbinary.readouterr()
    assert b"BEGIN:VEVENT" in out
    assert err == b""


# -- plugins ----------------------------------------------------------------------------------


class Broken:
    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: Any) -> None:
        raise RuntimeError("no luck")


class Enricher:
    @nogentech.hookimpl
    def nogentech_ics_event(self, event: Any, meeting: Any, cluster: Any, options: Any) -> None:
        """Adds nothing."""


@pytest.fixture
def some_plugins(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(plugins.DISABLE_ENV, "nogentech.exporters.vcard")
    plugins.reset([("broken", Broken()), ("enricher", Enricher())])
    yield
    monkeypatch.delenv(plugins.DISABLE_ENV)
    plugins.reset()


def test_plugins_lists_loaded_disabled_and_broken_plugins(
    capsys: pytest.CaptureFixture[str], some_plugins: None
) -> None:
    version = nogentech.__version__
    found = run_json(capsys, "plugins", "--json")
    assert found == [
        {
            "name": "nogentech.exporters.json",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["json"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "nogentech.exporters.ics",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["ics"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "nogentech.exporters.occurrences",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["meetings-json"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "nogentech.exporters.jcal",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["jcal"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "nogentech.exporters.jcard",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["jcard"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "nogentech.exporters.jsonld",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["jsonld"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "nogentech.exporters.atom",
            "distribution": "nogentech",
            "version": version,
            "status": "loaded",
            "formats": ["meetings-atom"],
            "hooks": ["nogentech_register_exporters"],
        },
        {
            "name": "broken",
            "distribution": None,
            "version": None,
            "status": "broken",
            "formats": [],
            "hooks": ["nogentech_register_exporters"],
            "error": "RuntimeError: no luck",
        },
        {
            "name": "enricher",
            "distribution": None,
            "version": None,
            "status": "loaded",
            "formats": [],
            "hooks": ["nogentech_ics_event"],
        },
        {
            "name": "nogentech.exporters.vcard",
            "distribution": "nogentech",
            "version": version,
            "status": "disabled",
            "formats": [],
            "hooks": [],
            "error": "disabled by NOGENTECH_DISABLE_PLUGINS=nogentech.exporters.vcard",
        },
    ]
    code, out, err = run(capsys, "plugins")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"nogentech.exporters.json  nogentech {version}  [loaded]",
        "  formats: json",
        "  hooks: nogentech_register_exporters",
        f"nogentech.exporters.ics  nogentech {version}  [loaded]",
        "  formats: ics",
        "  hooks: nogentech_register_exporters",
        f"nogentech.exporters.occurrences  nogentech {version}  [loaded]",
        "  formats: meetings-json",
        "  hooks: nogentech_register_exporters",
        f"nogentech.exporters.jcal  nogentech {version}  [loaded]",
        "  formats: jcal",
        "  hooks: nogentech_register_exporters",
        f"nogentech.exporters.jcard  nogentech {version}  [loaded]",
        "  formats: jcard",
        "  hooks: nogentech_register_exporters",
        f"nogentech.exporters.jsonld  nogentech {version}  [loaded]",
        "  formats: jsonld",
        "  hooks: nogentech_register_exporters",
        f"nogentech.exporters.atom  nogentech {version}  [loaded]",
        "  formats: meetings-atom",
        "  hooks: nogentech_register_exporters",
        "broken  (no package)  [broken]",
        "  formats: -",
        "  hooks: nogentech_register_exporters",
        "  why: RuntimeError: no luck",
        "enricher  (no package)  [loaded]",
        "  formats: -",
        "  hooks: nogentech_ics_event",
        f"nogentech.exporters.vcard  nogentech {version}  [disabled]",
        "  why: disabled by NOGENTECH_DISABLE_PLUGINS=nogentech.exporters.vcard",
    ]


def test_plugins_from_the_installed_command() -> None:
    script = Path(sys.executable).parent / "nogentech"
    done = subprocess.run(
        [str(script), "plugins", "--json"], capture_output=True, text=True, timeout=60, check=True
    )
    names = {p["name"]: p for p in json.loads(done.stdout)}
    assert names["nogentech.exporters.ics"]["version"] == nogentech.__version__
    assert names["nogentech.exporters.ics"]["status"] == "loaded"


def test_validate_counts_one_organisation_in_the_singular(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = "id = 'tiny'\nname = 'Tiny'\n[[companies]]\nid = 'forge'\nname = 'Forge'\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(toml.encode("utf-8"))))
    assert run(capsys, "validate", "-") == (0, "-: valid (1 organisation)\n", "")
