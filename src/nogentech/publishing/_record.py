"""What the last syncs from this machine stored: per collection, each resource's ETag.

A small JSON file (default ``$XDG_STATE_HOME/nogentech/publish.json``); a resource whose
ETag on the server is no longer the recorded one was changed by someone else.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..exceptions import DataError, Problem
from ..files import write_atomic
from ..stamps import read_state

FORMAT_KEY = "nogentech-publish"
FORMAT_VERSION = 1


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/nogentech/publish.json`` (``~/.local/state`` without the variable)."""
    env = os.environ if environ is None else environ
    base = Path(env["XDG_STATE_HOME"]) if env.get("XDG_STATE_HOME") else None
    return (base or Path.home() / ".local" / "state") / "nogentech" / "publish.json"


@attrs.frozen
class Stored:
    """One resource seen in a collection: its UID, ETag, whether it is ours, what we sent."""

    uid: str
    etag: str | None
    ours: bool
    digest: str | None = None


Collection = dict[str, Stored]
"""The resources of one collection by decoded path."""


def load(path: Path) -> dict[str, Collection]:
    """Every recorded collection by URL; nothing when the file does not exist."""
    data = read_state(path)
    if data is None:
        return {}
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get(FORMAT_KEY) != FORMAT_VERSION:
            raise ValueError(f"not a publish state file ({FORMAT_KEY!r}: {FORMAT_VERSION} missing)")
        return {
            url: {key: Stored(**entry) for key, entry in resources.items()}
            for url, resources in doc["collections"].items()
        }
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeError) as exc:
        raise DataError([Problem("", f"invalid publish state: {exc}")], str(path)) from None


def save(path: Path, collections: Mapping[str, Collection]) -> None:
    """Write every collection's record atomically (sorted: the same record, the same bytes)."""
    doc = {
        FORMAT_KEY: FORMAT_VERSION,
        "collections": {
            url: {key: attrs.asdict(entry) for key, entry in sorted(resources.items())}
            for url, resources in sorted(collections.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8"))
