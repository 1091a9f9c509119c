"""The example plugin in ``examples/plugin-csv``: its output, and its installation."""

from __future__ import annotations

import csv
import importlib
import io
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import nogentech
from nogentech import Cluster, Company, Place, Sector, SubCluster, Text, plugins
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "plugin-csv"
HEADER = ["id", "name", "kind", "member", "communes", "sectors", "sub_clusters"]

SMALL = Cluster(
    "demo",
    "Demo",
    places=(
        Place("haute-marne", "departement", Text(fr="Haute-Marne")),
        Place("nogent", "commune", Text(fr="Nogent"), within="haute-marne"),
        Place("bar", "commune", Text(fr="Bar-sur-Aube", en="Bar on the Aube")),
        Place("utt", "venue", Text(fr="UTT"), within="nogent"),
    ),
    sectors=(
        Sector("forging", "trade", Text(fr="Forge", en="Forging")),
        Sector("medical", "market", Text(fr="Dispositifs médicaux", en="Medical devices")),
    ),
    companies=(
        Company(
            "acme",
            'Acme, "the" forge',
            member=True,
            places=("utt", "nogent", "bar"),
            sectors=("forging", "medical"),
        ),
        Company("beta", "Bêta\nsecond line", kind="school", member=False, places=("haute-marne",)),
        Company("gamma", "Gamma", kind="partner", sectors=("medical",)),
    ),
    sub_clusters=(
        SubCluster("valley", "Valley", members=("acme",)),
        SubCluster("flaamm", "FLAAMM", members=("acme", "gamma")),
    ),
)


@pytest.fixture
def csv_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The example's module, registered as a plugin in a fresh plugin manager."""
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    module = importlib.import_module("nogentech_csv")
    plugins.reset(plugins=[("csv", module)])
    yield module
    plugins.reset()


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_bytes_follow_rfc_4180(csv_plugin: ModuleType) -> None:
    """Header, CRLF line ends, quotes doubled, a line break kept inside quotes, UTF-8."""
    data = nogentech.export(SMALL, "csv")
    assert (
        data
        == (
            "id,name,kind,member,communes,sectors,sub_clusters\r\n"
            'acme,"Acme, ""the"" forge",firm,true,Nogent; Bar-sur-Aube,'
            "Forge; Dispositifs médicaux,Valley; FLAAMM\r\n"
            'beta,"Bêta\nsecond line",school,false,,,\r\n'
            "gamma,Gamma,partner,,,Dispositifs médicaux,FLAAMM\r\n"
        ).encode()
    )
    assert data == nogentech.export(SMALL, "csv")
    assert rows(data)[2] == ["beta", "Bêta\nsecond line", "school", "false", "", "", ""]


def test_csv_names_follow_lang(csv_plugin: ModuleType) -> None:
    """Sector and commune names in English, falling back to French where missing."""
    parsed = rows(nogentech.export(SMALL, "csv", lang="en"))
    assert parsed[1][4:6] == ["Nogent; Bar on the Aube", "Forging; Medical devices"]


def test_csv_members_only(csv_plugin: ModuleType) -> None:
    """``members_only`` (a bool option, read from text too) keeps known members only."""
    parsed = rows(nogentech.export(SMALL, "csv", members_only="yes"))
    assert [r[0] for r in parsed] == ["id", "acme"]


def test_csv_is_listed_with_its_options(csv_plugin: ModuleType) -> None:
    info = next(i for i in nogentech.formats() if i.name == "csv")
    assert (info.plugin, info.extension, info.media_type) == (
        "csv",
        "csv",
        "text/csv; charset=utf-8",
    )
    assert [o.name for o in info.options] == ["lang", "members_only"]
    with pytest.raises(nogentech.OptionError, match="valid: lang, members_only"):
        nogentech.export(SMALL, "csv", members=True)


def expected_rows(cluster: Cluster, lang: str, members_only: bool) -> list[list[str]]:
    """The rows the plugin should write, worked out with the cluster's own look-ups."""
    communes = [p for p in cluster.places if p.kind == "commune"]
    out = [HEADER]
    for company in cluster.companies:
        if members_only and company.member is not True:
            continue
        found: list[str] = []
        for place in company.places:
            for commune in communes:
                name = commune.name.get(lang)
                if place in cluster.places_within(commune.id) and name not in found:
                    found.append(name)
        out.append(
            [
                company.id,
                company.name,
                company.kind,
                {None: "", True: "true", False: "false"}[company.member],
                "; ".join(found),
                "; ".join(cluster.sector(s).name.get(lang) for s in company.sectors),
                "; ".join(s.name for s in cluster.sub_clusters_of(company.id)),
            ]
        )
    return out


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with nogentech and the example installed from their sources.

    The environment reaches the dependencies already installed here through a
    ``.pth`` file, so nothing is downloaded.
    """
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / ("Scripts" if os.name == "nt" else "bin") / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(site, "_nogentech_test_deps.pth").write_text("\n".join(sorted(here)) + "\n")
    subprocess.run(
        [
            str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
            "--no-build-isolation", "--ignore-installed", "--disable-pip-version-check",
            str(ROOT), str(EXAMPLE),
        ],
        check=True,
        env=clean_env(),
        timeout=120,
    )  # fmt: skip
    return python.parent


def clean_env() -> dict[str, str]:
    drop = {plugins.DISABLE_ENV, "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def run(venv: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(venv / "nogentech"), *args], capture_output=True, env=clean_env(), timeout=60
    )


@pytest.mark.slow
def test_installed_plugin_is_found_through_its_entry_point(venv: Path) -> None:
    result = run(venv, "formats")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    listed = [line.split()[0] for line in result.stdout.decode().splitlines() if line[:1] != " "]
    assert {"csv", "json"} <= set(listed)
    where = subprocess.run(
        [str(venv / "python"), "-c", "import nogentech, nogentech_csv; print(nogentech.__file__)"],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv.parent)  # not this checkout's copy


@pytest.mark.slow
def test_installed_plugin_exports_the_builtin_data(venv: Path, tmp_path: Path) -> None:
    """``nogentech export csv`` in the new environment writes the expected rows."""
    cluster = nogentech.load()
    result = run(venv, "export", "csv")
    assert result.returncode == 0, result.stderr
    parsed = rows(result.stdout)
    assert parsed == expected_rows(cluster, "fr", members_only=False)
    assert len(parsed) == 1 + len(cluster.companies)
    by_id = {r[0]: r for r in parsed[1:]}
    assert by_id["forges-de-courcelles"] == [
        "forges-de-courcelles", "Forges de Courcelles", "firm", "", "Nogent",
        "Forge; Usinage; Automobile", "",
    ]  # fmt: skip
    assert by_id["marle"][6] == "Prosthesis Valley"
    assert by_id["lisi"][4] == "Chaumont"  # its site is a venue in Chaumont
    assert result.stdout.count(b"\r\n") == len(parsed)

    target = tmp_path / "members.csv"
    result = run(
        venv, "export", "csv", "--lang", "en", "--option", "members_only=true", "-o", str(target)
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert rows(target.read_bytes()) == expected_rows(cluster, "en", members_only=True)


@pytest.mark.slow
def test_installed_plugin_can_be_disabled(venv: Path) -> None:
    env = {**clean_env(), plugins.DISABLE_ENV: "csv"}
    result = subprocess.run(
        [str(venv / "nogentech"), "export", "csv"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    assert result.stderr == (
        "error: unknown format 'csv' (available: ics, jcal, jcard, json, jsonld, "
        "meetings-atom, meetings-json, vcard)\n"
    )
