"""``nogentech meetings`` and ``nogentech next``."""

from __future__ import annotations

import argparse
import datetime as dt

from ._common import (
    EXIT_OK,
    Adder,
    UsageError,
    date_arg,
    datetime_arg,
    lang_of,
    load_data,
    positive_int,
    print_json,
    text_width,
)


def run_meetings(args: argparse.Namespace) -> int:
    """List meeting occurrences in a window."""
    lang = lang_of(args)
    start = args.start or dt.date.today()
    end = args.end or start + dt.timedelta(days=366)
    if end <= start:
        raise UsageError("--to must be after --from")
    from ..meetings import bounded_meetings
    from ..recurrence import window

    cluster = load_data(args)
    found = bounded_meetings(
        cluster.meeting_series, cluster.events, window(cluster.timezone, start, end)
    )
    if args.limit is not None:
        found = found[: args.limit]
    if args.json:
        from ._records import meeting_record

        print_json([meeting_record(cluster, meeting, lang) for meeting in found])
        return EXIT_OK
    from ._display import meeting_line

    for meeting in found:
        print(meeting_line(cluster, meeting, lang))
    if not found:
        none = (
            "No meeting in this period." if lang == "en" else "Aucune rencontre sur cette période."
        )
        print(none)
    return EXIT_OK


def run_next(args: argparse.Namespace) -> int:
    """Print the next meetings in full."""
    lang = lang_of(args)
    cluster = load_data(args)
    found = cluster.upcoming(args.count, args.after)
    if args.json:
        from ._records import meeting_record

        print_json([meeting_record(cluster, meeting, lang) for meeting in found])
        return EXIT_OK
    from ._display import WORDS, meeting_block

    if not found:
        print(WORDS[lang]["none"])
        return EXIT_OK
    width = text_width()
    print("\n\n".join(meeting_block(cluster, meeting, lang, width) for meeting in found))
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``meetings`` and ``next``."""
    p = add(
        "meetings",
        run_meetings,
        "List meetings (occurrences and events) in a date window, with topic, speakers and venue.",
    )
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
    p.add_argument(
        "--limit", type=positive_int, metavar="N", help="list at most N meetings (the first ones)"
    )
    p.add_argument(
        "--json", action="store_true", help="print a JSON list of the meetings instead of text"
    )
    p = add("next", run_next, "Print the next meeting with its topic, speakers and venue.")
    p.add_argument(
        "--after",
        type=datetime_arg,
        metavar="DATETIME",
        help="look after this moment (default: now)",
    )
    p.add_argument(
        "-n",
        "--count",
        type=positive_int,
        default=1,
        metavar="N",
        help="print the next N meetings (default: 1)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of the meetings (empty when none is programmed)",
    )
