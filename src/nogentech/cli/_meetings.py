"""``nogentech meetings`` and ``nogentech next``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from ._common import EXIT_ERROR, EXIT_OK, Adder, date_arg, datetime_arg, load_data


def run_meetings(args: argparse.Namespace) -> int:
    """List meeting occurrences in a window."""
    from ._display import meeting_line

    cluster = load_data(args)
    start = args.start or dt.date.today()
    end = args.end or start + dt.timedelta(days=366)
    if end <= start:
        print("error: --to must be after --from", file=sys.stderr)
        return EXIT_ERROR
    found = cluster.meetings_between(start, end, include_cancelled=True)
    for meeting in found:
        print(meeting_line(cluster, meeting, args.lang))
    if not found:
        none = (
            "No meeting in this period."
            if args.lang == "en"
            else "Aucune rencontre sur cette période."
        )
        print(none)
    return EXIT_OK


def run_next(args: argparse.Namespace) -> int:
    """Print the next meeting in full."""
    from ._display import WORDS, meeting_block

    cluster = load_data(args)
    meeting = cluster.next_meeting(args.after)
    if meeting is None:
        print(WORDS[args.lang]["none"])
        return EXIT_OK
    print(meeting_block(cluster, meeting, args.lang))
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``meetings`` and ``next``."""
    p = add("meetings", run_meetings, "List meetings (occurrences and events) in a date window.")
    p.add_argument(
        "--from",
        dest="start",
        type=date_arg,
        metavar="DATE",
        help="first day, YYYY-MM-DD (default: today)",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=date_arg,
        metavar="DATE",
        help="day after the last, YYYY-MM-DD (default: one year later)",
    )
    p = add("next", run_next, "Print the next meeting with its topic, speakers and venue.")
    p.add_argument(
        "--after",
        type=datetime_arg,
        metavar="DATETIME",
        help="look after this moment (default: now)",
    )
