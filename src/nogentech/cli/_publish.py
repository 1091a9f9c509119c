"""``nogentech publish`` (see ``docs/publish.md``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ._common import EXIT_DATA, EXIT_OK, Adder, key_value, lang_of, load_data

if TYPE_CHECKING:
    from ..publishing import Action, Result

EXIT_CONFLICT = 3
"""Some resources changed on the server since the last sync: reported, left alone."""
EXIT_NOT_A_COLLECTION = 4
"""A URL is not a calendar or address book collection."""
EXIT_AUTH = 5
"""The server refused the credentials or the access (401, 403)."""
EXIT_REFUSED = 6
"""The server refused a resource; its message is shown."""
EXIT_NETWORK = 7
"""The server could not be reached (connection, timeout, TLS verification)."""


def _line(action: Action) -> str:
    where = action.uid or action.href
    text = f"{action.kind:<9} {where}"
    if action.reason:
        text += f"  ({action.reason})"
    if action.outcome not in ("planned", "done"):
        text += f"  -> {action.outcome}: {action.message}"
    return text


def _summary(result: Result) -> str:
    counts = {k: 0 for k in ("create", "update", "delete", "unchanged", "conflict", "foreign")}
    for action in result.actions():
        counts[action.kind] += 1
    words = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    head = "plan" if result.dry_run else f"{len(result.writes)} written"
    return f"{head}: {words or 'nothing'}"


def _progress(done: int, total: int, action: Action) -> None:
    print(f"\r\x1b[K[{done}/{total}] {action.kind} {action.uid}", end="", file=sys.stderr)
    if done == total:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def run_publish(args: argparse.Namespace) -> int:
    """Sync the meetings and the cards into CalDAV and CardDAV collections."""
    from ..publishing import AuthenticationError, NetworkError, NotACollectionError, publish
    from ._stamp import state_path

    if not args.caldav and not args.carddav:
        print("error: give --caldav URL, --carddav URL or both", file=sys.stderr)
        return EXIT_DATA
    from ..exceptions import NogentechError
    from ..publishing import check_url

    try:
        for url in (args.caldav, args.carddav):
            if url:
                check_url(url)
    except NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATA
    cluster = load_data(args)
    options: dict[str, Any] = {
        "lang": lang_of(args),
        "ics": dict(args.ics_option or []),
        "vcard": dict(args.vcard_option or []),
    }
    try:
        result = publish(
            cluster,
            args.caldav,
            args.carddav,
            stamps=state_path(args.data, args.stamps),
            state=args.state,
            dry_run=args.dry_run,
            force=args.force,
            ca_file=args.ca_file,
            timeout=args.timeout,
            progress=_progress if sys.stderr.isatty() and not args.json else None,
            **options,
        )
    except NotACollectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_A_COLLECTION
    except AuthenticationError as exc:
        print(
            f"error: {exc} (credentials: NOGENTECH_DAV_USERNAME and "
            "NOGENTECH_DAV_PASSWORD, or a netrc entry for the host)",
            file=sys.stderr,
        )
        return EXIT_AUTH
    except NetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NETWORK
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        for collection in result.collections:
            print(f"{collection.kind} {collection.url}")
            for action in collection.actions:
                if action.kind != "unchanged" or args.dry_run:
                    print("  " + _line(action))
        print(_summary(result), file=sys.stderr if not args.dry_run else sys.stdout)
    if result.refused:
        for action in result.refused:
            print(f"error: {action.uid}: {action.message}", file=sys.stderr)
        return EXIT_REFUSED
    if result.conflicts:
        count = len(result.conflicts)
        print(
            f"warning: {count} resource{'s' if count != 1 else ''} changed on the server "
            "since the last sync, left as they are; --force overwrites them",
            file=sys.stderr,
        )
        return EXIT_CONFLICT
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``publish``."""
    p = add(
        "publish",
        run_publish,
        "Write the meetings into a CalDAV calendar and the cards into a CardDAV address "
        "book, sending only what changed.",
    )
    p.add_argument("--caldav", metavar="URL", help="URL of the calendar collection")
    p.add_argument("--carddav", metavar="URL", help="URL of the address book collection")
    p.add_argument(
        "--ics-option",
        action="append",
        type=key_value,
        metavar="KEY=VALUE",
        help="option of the ics export (see 'nogentech formats'); repeat for several",
    )
    p.add_argument(
        "--vcard-option",
        action="append",
        type=key_value,
        metavar="KEY=VALUE",
        help="option of the vcard export; repeat for several",
    )
    p.add_argument(
        "--stamps",
        metavar="FILE",
        help="change-tracking state, kept current (default: the one beside --data)",
    )
    p.add_argument(
        "--state",
        metavar="FILE",
        help="record of the syncs from this machine "
        "(default: $XDG_STATE_HOME/nogentech/publish.json)",
    )
    p.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    p.add_argument("--json", action="store_true", help="print the plan or the result as JSON")
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite resources changed on the server since the last sync",
    )
    p.add_argument(
        "--ca-file", metavar="FILE", help="CA certificates to verify the server with (PEM)"
    )
    p.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for the server (default: 30)"
    )
