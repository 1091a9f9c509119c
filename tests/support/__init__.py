"""Helpers shared by the test packages: the repository's root and its folders."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository (or unpacked sdist) the tests run from."""
DOCS = ROOT / "docs"
DATA = ROOT / "tests" / "data"
