"""Print the next meeting of a cluster: when, what about, who speaks, where.

    python examples/next_meeting.py
    python examples/next_meeting.py --after 2023-10-01T00:00 --lang en
    python examples/next_meeting.py --data my-cluster.toml

Without ``--after`` the meeting is the next one from now; a date and time
without a UTC offset is read in the cluster's timezone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

import nogentech

WORDS = {
    "fr": {
        "topic": "Sujet",
        "not_announced": "programme non annoncé",
        "speakers": "Intervenants",
        "testimonies": "Témoignages",
        "venue": "Lieu",
        "all_day": "toute la journée",
        "holiday": "Jour férié",
        "none": "Aucune rencontre après le {after}.",
        "now": "maintenant",
    },
    "en": {
        "topic": "Topic",
        "not_announced": "programme not announced",
        "speakers": "Speakers",
        "testimonies": "Testimonies",
        "venue": "Venue",
        "all_day": "all day",
        "holiday": "Public holiday",
        "none": "No meeting after {after}.",
        "now": "now",
    },
}


def when(meeting: nogentech.Meeting, lang: str) -> str:
    """The local date and time span of ``meeting``."""
    if meeting.all_day:
        last = (meeting.end - dt.timedelta(days=1)).date()
        days = meeting.start.date().isoformat()
        if last != meeting.start.date():
            days += f" – {last.isoformat()}"
        return f"{days} ({WORDS[lang]['all_day']})"
    return f"{meeting.start:%Y-%m-%d %H:%M}–{meeting.end:%H:%M} ({meeting.start.tzname()})"


def venue(cluster: nogentech.Cluster, ident: str, lang: str) -> str:
    """A venue's name followed by the place it is in: ``Canopé, Chaumont``."""
    label = cluster.name_of(ident, lang)
    within = cluster.place_of(ident).within
    return f"{label}, {cluster.name_of(within, lang)}" if within else label


def describe(cluster: nogentech.Cluster, meeting: nogentech.Meeting, lang: str) -> str:
    """A few lines describing ``meeting``."""
    words = WORDS[lang]
    topic = meeting.topic.get(lang) if meeting.topic else words["not_announced"]
    lines = [meeting.title.get(lang), when(meeting, lang), f"{words['topic']}: {topic}"]
    if meeting.speakers:
        names = ", ".join(cluster.name_of(i, lang) for i in meeting.speakers)
        lines.append(f"{words['speakers']}: {names}")
    if meeting.testimonies:
        names = ", ".join(cluster.name_of(i, lang) for i in meeting.testimonies)
        lines.append(f"{words['testimonies']}: {names}")
    if meeting.venue:
        lines.append(f"{words['venue']}: {venue(cluster, meeting.venue, lang)}")
    if meeting.holiday:
        lines.append(f"{words['holiday']}: {meeting.holiday.get(lang)}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument(
        "--after",
        type=dt.datetime.fromisoformat,
        metavar="DATETIME",
        help="look after this moment, ISO 8601 (default: now)",
    )
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cluster = nogentech.load(args.data)
    except nogentech.DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    meeting = cluster.next_meeting(args.after)
    if meeting is None:
        after = args.after.isoformat() if args.after else WORDS[args.lang]["now"]
        print(WORDS[args.lang]["none"].format(after=after))
        return 0
    print(describe(cluster, meeting, args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
