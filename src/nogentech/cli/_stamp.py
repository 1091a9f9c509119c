"""``nogentech stamp``, and the state file that ``export`` reads (see ``docs/changes.md``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._common import EXIT_DATA, EXIT_OK, Adder, datetime_arg

if TYPE_CHECKING:
    from pathlib import Path

    from ..stamps import Change, Stamps


def state_path(data: str | None, given: str | None) -> Path | None:
    """The state file a command uses: ``--stamps FILE``, else the one beside ``--data FILE``."""
    if given:
        from pathlib import Path

        return Path(given)
    if not data:
        return None
    from ..stamps import default_path

    return default_path(data)


def read_state(data: str | None, given: str | None) -> Stamps | None:
    """The state to apply, None without one (the file beside the data is optional)."""
    path = state_path(data, given)
    if path is None or (not given and not path.exists()):
        return None
    from ..stamps import Stamps

    return Stamps.load(path)


def apply_state(
    state: Stamps | None,
    format: str,  # noqa: A002
    options: Mapping[str, Any],
    data: bytes,
) -> bytes:
    """``data`` with the recorded stamps; a warning when components changed since recorded."""
    if state is None:
        return data
    from ..plugins import get_exporter, resolve_options
    from ..stamps import view_of

    resolved = resolve_options(get_exporter(format), options)
    out, pending = state.apply(format, view_of(format, resolved), data)
    if pending:
        count = len(pending)
        print(
            f"warning: {count} component{'s' if count != 1 else ''} changed since the state "
            "was recorded; run 'nogentech stamp' to record when",
            file=sys.stderr,
        )
    return out


def _describe(change: Change) -> dict[str, Any]:
    return {
        "format": change.format,
        "uid": change.uid,
        "recurrence_id": change.recurrence_id.partition(":")[2] or None,
        "change": change.kind,
        "sequence": change.sequence,
    }


def run_stamp(args: argparse.Namespace) -> int:
    """Record what changed in the data since the last run into its state file."""
    from ..loading import load
    from ..plugins import export
    from ..stamps import refresh

    if args.at is not None and args.at.utcoffset() is None:
        print(f"error: --at {args.at.isoformat()}: give an offset (+01:00, Z)", file=sys.stderr)
        return EXIT_DATA
    cluster = load(args.data_file)
    path = state_path(args.data_file, args.stamps)
    assert path is not None
    _, changes = refresh(path, lambda fmt, opts: export(cluster, fmt, **opts), args.at)
    described = [_describe(c) for c in changes]
    if args.json:
        import json

        print(json.dumps({"state": str(path), "changes": described}, indent=2))
        return EXIT_OK
    for item in described:
        when = f" {item['recurrence_id']}" if item["recurrence_id"] else ""
        print(f"{item['change']:<8} {item['format']:<6} {item['uid']}{when}  #{item['sequence']}")
    count = len(changes)
    print(f"{count} change{'s' if count != 1 else ''} recorded in {path}", file=sys.stderr)
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``stamp``."""
    p = add(
        "stamp",
        run_stamp,
        "Record which meetings and cards changed, for SEQUENCE, LAST-MODIFIED and REV.",
        data=False,
        lang=False,
    )
    p.add_argument("data_file", metavar="DATA", help="cluster file (TOML or JSON)")
    p.add_argument(
        "--stamps",
        metavar="FILE",
        help="state file (default: DATA's name with .stamps.json, beside it)",
    )
    p.add_argument(
        "--at",
        type=datetime_arg,
        metavar="TIME",
        help="time of the changes, ISO 8601 with an offset (default: now)",
    )
    p.add_argument("--json", action="store_true", help="print the changes as JSON")
