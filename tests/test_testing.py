"""``nogentech.testing``: the public strategies reach every field of the model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster
from nogentech.testing import clusters

MODEL = (
    nogentech.Cluster,
    nogentech.Place,
    nogentech.Sector,
    nogentech.Company,
    nogentech.FormerName,
    nogentech.SubCluster,
    nogentech.Commission,
    nogentech.Person,
    nogentech.Role,
    nogentech.MeetingSeries,
    nogentech.Override,
    nogentech.Event,
    nogentech.Milestone,
    nogentech.KeyFigure,
    nogentech.Project,
    nogentech.Source,
    nogentech.Discrepancy,
    nogentech.Variant,
)


def _walk(value: Any, seen: set[tuple[str, str]]) -> None:
    """Record ``(class, field)`` for every field that holds something other than its default."""
    if isinstance(value, (tuple, list)):
        for item in value:
            _walk(item, seen)
        return
    if not attrs.has(type(value)) or type(value) not in MODEL:
        return
    for field in attrs.fields(type(value)):
        got = getattr(value, field.name)
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        if got != default:
            seen.add((type(value).__name__, field.name))
        _walk(got, seen)


def test_one_strategy_draws_every_field_of_every_model_class() -> None:
    """Plugin authors get clusters where each field of the model is set somewhere."""
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cluster=clusters())
    def collect(cluster: Cluster) -> None:
        _walk(cluster, seen)

    collect()
    wanted = {(cls.__name__, f.name) for cls in MODEL for f in attrs.fields(cls)}
    assert sorted(wanted - seen) == []


@given(st.data())
@settings(max_examples=20, deadline=None)
def test_drawn_clusters_are_valid_and_round_trip(data: st.DataObject) -> None:
    cluster = data.draw(clusters())
    assert nogentech.loads(nogentech.dumps(cluster)) == cluster


def test_without_hypothesis_the_module_names_the_extra(tmp_path: Path) -> None:
    """Importing nogentech.testing without hypothesis says which extra to install."""
    blocker = tmp_path / "hypothesis.py"
    blocker.write_text("raise ImportError('hypothesis is not installed')\n")
    done = subprocess.run(
        [sys.executable, "-c", "import nogentech.testing"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        timeout=120,
    )
    assert done.returncode == 1
    assert "MissingDependencyError" in done.stderr
    assert "pip install hypothesis" in done.stderr


def test_the_docs_example_runs() -> None:
    """The example of docs/testing.md runs as it is."""
    import re

    from tests.support import DOCS

    page = (DOCS / "testing.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^```python\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    # A file name that names no file: Python 3.12 cannot tokenize the Markdown page
    # when hypothesis asks inspect for the source of the example's test.
    exec(compile(block, "<docs/testing.md>", "exec"), {})
