"""``nogentech lint``: check an iCalendar file for what breaks real calendar clients."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from ._common import EXIT_DATA, EXIT_ERROR, EXIT_OK, Adder, datetime_arg


def run_lint(args: argparse.Namespace) -> int:
    """Print each finding; exit 0 without any, 1 with some, 2 if the file is unreadable."""
    from ..files import read_at_most, read_regular
    from ..limits import MAX_CALENDAR_SIZE
    from ..lint import UnreadableCalendarError, lint

    name = "<stdin>" if args.file == "-" else args.file
    try:
        if args.file == "-":
            data = read_at_most(sys.stdin.buffer, MAX_CALENDAR_SIZE)
            if len(data) > MAX_CALENDAR_SIZE:
                raise ValueError(
                    f"the calendar is longer than {MAX_CALENDAR_SIZE} bytes; no more is read"
                )
        else:
            data = read_regular(args.file, MAX_CALENDAR_SIZE)
    except (OSError, ValueError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_DATA
    try:
        findings = lint(data, now=args.now)
    except UnreadableCalendarError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.json:
        out = {"file": name, "findings": [f.as_dict() for f in findings]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            print(f"{name}:{finding.line}: {finding.rule}: {finding.message}")
            print(f"    affects: {'; '.join(finding.clients)}")
            print(f"    fix: {finding.fix}")
        count = len(findings)
        print(f"{name}: {count or 'no'} finding{'s' if count != 1 else ''}")
    return EXIT_ERROR if findings else EXIT_OK


def _utc(text: str) -> dt.datetime:
    moment = datetime_arg(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def add_commands(add: Adder) -> None:
    """Declare ``lint``."""
    p = add(
        "lint",
        run_lint,
        "Check an iCalendar file for what breaks real calendar clients; exit 1 on findings.",
        data=False,
        lang=False,
    )
    p.add_argument("file", metavar="FILE", help="iCalendar file to check ('-': standard input)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument(
        "--now",
        type=_utc,
        metavar="DATETIME",
        help="when the file was fetched, for the DTSTAMP rule (default: now; UTC if no offset)",
    )
