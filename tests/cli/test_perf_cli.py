"""The command line builds only the parser of the command it runs, with the same behaviour."""

from __future__ import annotations

import argparse

import pytest

from nogentech.cli import COMMANDS, build_parser, main


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_commands_lists_every_subcommand_in_order() -> None:
    assert tuple(subparsers(build_parser())) == COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_a_single_command_parser_has_the_same_help(name: str) -> None:
    full = subparsers(build_parser())[name]
    alone = subparsers(build_parser(name))
    assert list(alone) == [name]
    assert alone[name].format_help() == full.format_help()
    assert alone[name].format_usage() == full.format_usage()


ARGVS = [
    ["info"],
    ["info", "--lang", "en", "--data", "x.toml"],
    ["validate", "f.toml"],
    ["meetings", "--from", "2024-01-01", "--to", "2024-02-01"],
    ["next", "--after", "2025-01-01T00:00+01:00", "--lang", "en"],
    ["formats"],
    ["export", "ics", "-o", "out.ics", "--option", "expand=true", "--option", "lang=en"],
    ["schema"],
    ["serve", "--port", "9"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) for a in ARGVS])
def test_a_single_command_parser_reads_the_same_arguments(argv: list[str]) -> None:
    assert build_parser(argv[0]).parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["next", "--after", "yesterday"],
        ["next", "--bogus"],
        ["meetings", "--from"],
        ["export"],
        ["nxt"],
        ["--data", "x.toml"],
    ],
)
def test_errors_are_the_same_as_with_the_full_parser(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as full_exit:
        build_parser().parse_args(argv)
    full = capsys.readouterr()
    with pytest.raises(SystemExit) as main_exit:
        main(argv)
    assert main_exit.value.code == full_exit.value.code == 2
    assert capsys.readouterr() == full


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--version"], ["next", "--help"]])
def test_help_and_version_are_the_same(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    full = capsys.readouterr()
    with pytest.raises(SystemExit):
        main(argv)
    assert capsys.readouterr() == full
