"""The wheel: it carries the data and the type marker, and works installed away from the sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
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
