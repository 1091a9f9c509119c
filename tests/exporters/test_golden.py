"""The exports' bytes, pinned: a change to any of them shows up here and in the diff.

The built-in data's exports are kept whole under ``tests/data/golden/``; those of a
synthetic cluster (``benchmarks/synthetic.py``, fixed seed) as SHA-256 digests. A
change meant to alter the output regenerates them with
``NOGENTECH_UPDATE_GOLDEN=1 python -m pytest tests/exporters/test_golden.py`` and
says why in its commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import cache
from typing import Any

import pytest

import nogentech
from nogentech import Cluster
from tests.support import DATA, ROOT

GOLDEN = DATA / "golden"
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("ics", {"lang": "fr"}),
    ("ics", {"lang": "en"}),
    ("ics", {"lang": "fr", "expand": True}),
    ("ics", {"lang": "en", "expand": True}),
    ("vcard", {}),
    ("vcard", {"version": 4}),
    ("json", {}),
]
UPDATE = os.environ.get("NOGENTECH_UPDATE_GOLDEN") == "1"


def name(fmt: str, options: dict[str, Any]) -> str:
    tag = "-".join(f"{k}={v}".lower() for k, v in options.items()) or "default"
    return f"{fmt}.{tag}"


@cache
def synthetic() -> Cluster:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic as generator

    return nogentech.from_dict(generator.generate(companies=60, series=12, seed=7))


@pytest.mark.parametrize(("fmt", "options"), VARIANTS, ids=[name(*v) for v in VARIANTS])
def test_builtin_export_bytes_are_the_pinned_ones(fmt: str, options: dict[str, Any]) -> None:
    data = nogentech.export(nogentech.load(), fmt, **options)
    path = GOLDEN / f"builtin.{name(fmt, options)}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes()


def test_synthetic_export_digests_are_the_pinned_ones() -> None:
    cluster = synthetic()
    digests = {
        name(fmt, options): hashlib.sha256(nogentech.export(cluster, fmt, **options)).hexdigest()
        for fmt, options in VARIANTS
    }
    path = GOLDEN / "synthetic.sha256.json"
    if UPDATE:
        path.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert digests == json.loads(path.read_text(encoding="utf-8"))
