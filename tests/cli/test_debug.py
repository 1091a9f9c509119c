"""``--debug`` and ``NOGENTECH_DEBUG=1`` show the traceback the normal output leaves out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import Cluster, plugins
from nogentech.cli import DEBUG_ENV, build_parser, main
from nogentech.plugins import DISABLE_ENV, Exporter, ExporterRegistry, Hooks


def render_boom(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    raise OSError("disk")


class Boom:
    """Registers ``boom``, a format whose renderer raises."""

    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
        registry.add(Exporter("boom", "txt", "text/plain", "Fails.", render_boom))


@pytest.fixture(autouse=True)
def boom_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    plugins.reset(plugins=[("boomer", Boom())])
    yield
    plugins.reset()


ONE_LINE = "error: format 'boom' of plugin 'boomer' failed: OSError: disk\n"


def test_without_debug_an_export_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "boom"]) == 1
    assert capsys.readouterr().err == ONE_LINE


@pytest.mark.parametrize(
    "argv", [["--debug", "export", "boom"], ["export", "boom", "--debug"]], ids=["before", "after"]
)
def test_debug_shows_the_traceback_of_the_plugin(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert 'in render_boom\n    raise OSError("disk")\nOSError: disk\n' in err
    assert err.endswith(ONE_LINE)


def test_the_environment_variable_does_the_same(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")
    assert main(["export", "boom"]) == 1
    err = capsys.readouterr().err
    assert "in render_boom\n" in err
    assert err.endswith(ONE_LINE)
    monkeypatch.setenv(DEBUG_ENV, "0")
    assert main(["export", "boom"]) == 1
    assert capsys.readouterr().err == ONE_LINE


def test_debug_shows_where_invalid_data_was_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "demo"\nname = 42\n', "utf-8")
    assert main(["info", "--data", str(bad)]) == 2
    assert capsys.readouterr().err == f"{bad}: 1 problem\nname: expected a string (got int 42)\n"
    assert main(["info", "--data", str(bad), "--debug"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith(f"{bad}: 1 problem\nname: expected a string (got int 42)\n")


def test_a_bug_is_one_line_that_points_to_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(cluster: Any, lang: str, width: int | None = None) -> str:
        raise TypeError("unsupported operand")

    monkeypatch.setattr("nogentech.cli._display.summary", broken)
    assert main(["info"]) == 1
    assert capsys.readouterr().err == (
        "error: unexpected TypeError: unsupported operand\n"
        f"(run again with --debug or {DEBUG_ENV}=1 for the traceback)\n"
    )
    assert main(["--debug", "info"]) == 1
    err = capsys.readouterr().err
    assert 'in broken\n    raise TypeError("unsupported operand")\n' in err
    assert err.endswith("error: unexpected TypeError: unsupported operand\n")


def test_the_help_offers_debug() -> None:
    assert f"--debug     show the traceback of an error (or set {DEBUG_ENV}=1)" in (
        build_parser().format_help()
    )
    assert build_parser().parse_args(["--debug", "formats"]).debug is True
    assert build_parser().parse_args(["formats", "--debug"]).debug is True
    assert build_parser().parse_args(["formats"]).debug is False
