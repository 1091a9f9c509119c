"""The wheel: it carries the data and the type marker, and works installed away from the sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import nogentech
from tests.support import ROOT


def python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def check(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; an inherited PYTHONPATH could point back at the sources, so drop it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the repository, without network."""
    out = tmp_path_factory.mktemp("dist")
    check(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
    )
    (built,) = out.glob("nogentech-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_the_builtin_data_and_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "nogentech/data/nogentech.toml" in names
        assert "nogentech/py.typed" in names
        assert "nogentech/__init__.py" in names
        packed = archive.read("nogentech/data/nogentech.toml")
    assert packed == (ROOT / "src/nogentech/data/nogentech.toml").read_bytes()


@pytest.mark.slow
def test_installed_wheel_loads_its_own_data_outside_the_repository(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    check([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = python_in(venv)
    # Dependencies come from this interpreter's site-packages, so no network is needed;
    # a .pth entry is appended to sys.path after the new venv's own site-packages.
    target = Path(
        check(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=tmp_path,
        ).stdout.strip()
    )
    (target / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    check(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        cwd=tmp_path,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    code = (
        "import json, nogentech; c = nogentech.load(); "
        "print(json.dumps([len(c.companies), nogentech.__file__, c.name]))"
    )
    done = check([str(python), "-c", code], cwd=outside)
    count, location, name = json.loads(done.stdout)
    assert count == len(nogentech.load().companies)
    assert name == "NOGENTECH"
    assert Path(location).resolve().is_relative_to(venv.resolve())
    assert not Path(location).resolve().is_relative_to(ROOT / "src")


def test_import_and_load_do_not_import_the_calendar_libraries(tmp_path: Path) -> None:
    code = (
        "import sys, json, nogentech; nogentech.load(); "
        "print(json.dumps(sorted(m for m in ('icalendar', 'vobject', 'pluggy') "
        "if m in sys.modules)))"
    )
    done = check([sys.executable, "-c", code], cwd=tmp_path)
    assert json.loads(done.stdout) == []


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A source distribution built from the repository, without network."""
    out = tmp_path_factory.mktemp("sdist")
    check(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
    )
    (built,) = out.glob("nogentech-*.tar.gz")
    return built


def tracked_files() -> set[str]:
    done = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout (an unpacked sdist)")
    return {name for name in done.stdout.decode("utf-8").split("\0") if name}


@pytest.mark.slow
def test_the_license_is_in_the_wheel_and_the_sdist(wheel: Path, sdist: Path) -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 nogentech developers\n")
    with zipfile.ZipFile(wheel) as archive:
        (licence,) = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(licence).decode("utf-8") == text
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA")))
    assert b"\nLicense-Expression: MIT\n" in metadata
    assert b"\nLicense-File: LICENSE\n" in metadata
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"{sdist.name.removesuffix('.tar.gz')}/LICENSE")
        assert member is not None and member.read().decode("utf-8") == text


@pytest.mark.slow
def test_the_sdist_holds_every_file_of_the_repository(sdist: Path) -> None:
    """Sources, tests, docs, examples, benchmarks, scripts and CI: all that git tracks."""
    root = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = {m.name.removeprefix(f"{root}/") for m in archive.getmembers() if m.isfile()}
    assert tracked_files() - names == set()
    assert not any(n.startswith(("tests/js/node_modules/", ".venv/")) for n in names)


@pytest.mark.slow
def test_tests_run_from_the_unpacked_sdist(sdist: Path, tmp_path: Path) -> None:
    """The sdist's own tests run against the sdist's own sources."""
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    unpacked = tmp_path / sdist.name.removesuffix(".tar.gz")
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        "PYTHONPATH": f"{unpacked / 'src'}{os.pathsep}{unpacked}",
    }
    where = subprocess.run(
        [sys.executable, "-c", "import nogentech; print(nogentech.__file__)"],
        cwd=unpacked,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(unpacked / "src")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/model/test_model.py", "tests/cli/test_cli.py"],
        cwd=unpacked,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout.splitlines()[-1]
