"""A custom export format, registered at runtime: the meeting programme as Markdown.

    python examples/custom_exporter.py --from 2023-10-01 --to 2024-01-01
    python examples/custom_exporter.py --from 2023-10-01 --to 2024-04-01 --lang en -o programme.md

This module is a nogentech plugin: it implements the
``nogentech_register_exporters`` hook and adds a ``markdown`` format to the
registry. An installed plugin would be found through the ``nogentech`` entry
point group; a script can register a module itself, as :func:`main` does with
``nogentech.plugins.reset(plugins=[(name, module)])``. From then on the new format
is used like a built-in one: ``nogentech.export(cluster, "markdown", ...)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nogentech
import nogentech.plugins
from nogentech.plugins import Exporter, ExporterRegistry, Hooks, Option

PLUGIN_NAME = "markdown-programme"
FORMAT = "markdown"

WORDS = {
    "fr": {
        "programme": "Programme",
        "topic": "Sujet",
        "not_announced": "programme non annoncé",
        "speakers": "Intervenants",
        "testimonies": "Témoignages",
        "venue": "Lieu",
        "cancelled": "annulé",
        "all_day": "toute la journée",
        "none": "Aucune rencontre sur cette période.",
    },
    "en": {
        "programme": "Programme",
        "topic": "Topic",
        "not_announced": "programme not announced",
        "speakers": "Speakers",
        "testimonies": "Testimonies",
        "venue": "Venue",
        "cancelled": "cancelled",
        "all_day": "all day",
        "none": "No meeting in this period.",
    },
}

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md(value: str) -> str:
    """``value`` as Markdown text: markup characters escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _names(cluster: nogentech.Cluster, ids: Sequence[str], lang: str) -> str:
    return ", ".join(md(cluster.name_of(i, lang)) for i in ids)


def _when(meeting: nogentech.Meeting, lang: str) -> str:
    if meeting.all_day:
        last = (meeting.end - dt.timedelta(days=1)).date()
        span = meeting.start.date().isoformat()
        if last != meeting.start.date():
            span += f" – {last.isoformat()}"
        return f"{span} ({WORDS[lang]['all_day']})"
    return f"{meeting.start:%Y-%m-%d %H:%M}–{meeting.end:%H:%M}"


def render(cluster: nogentech.Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The meetings starting in ``[start, end)`` as a Markdown document (UTF-8)."""
    lang = options["lang"]
    words = WORDS[lang]
    start = options["start"] or dt.date.today()
    end = options["end"] or start + dt.timedelta(days=366)
    lines = [f"# {md(cluster.name)} — {words['programme']}", "", f"{start} → {end}"]
    meetings = cluster.meetings_between(start, end, include_cancelled=True)
    if not meetings:
        lines += ["", words["none"]]
    for meeting in meetings:
        heading = f"## {_when(meeting, lang)} · {md(meeting.title.get(lang))}"
        if meeting.cancelled:
            heading += f" ({words['cancelled']})"
        topic = md(meeting.topic.get(lang)) if meeting.topic else words["not_announced"]
        lines += ["", heading, "", f"**{words['topic']}:** {topic}"]
        details = []
        if meeting.speakers:
            details.append(f"- {words['speakers']}: {_names(cluster, meeting.speakers, lang)}")
        if meeting.testimonies:
            details.append(
                f"- {words['testimonies']}: {_names(cluster, meeting.testimonies, lang)}"
            )
        if meeting.venue:
            details.append(f"- {words['venue']}: {md(cluster.name_of(meeting.venue, lang))}")
        if details:
            lines += ["", *details]
    return ("\n".join(lines) + "\n").encode("utf-8")


@nogentech.hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Add the ``markdown`` format."""
    registry.add(
        Exporter(
            name=FORMAT,
            extension="md",
            media_type="text/markdown",
            description="The programme of the meetings in a date window, as Markdown.",
            render=render,
            options=(
                Option("lang", "Language of the text: fr or en.", "choice", "fr", ("fr", "en")),
                Option("start", "First day of the window (default: today).", "date"),
                Option("end", "Day after the window (default: a year after the start).", "date"),
            ),
        )
    )


def register() -> None:
    """Register this module as a plugin, next to the built-in and installed ones."""
    nogentech.plugins.reset(plugins=[(PLUGIN_NAME, sys.modules[__name__])])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", metavar="DATE", help="day after the last, YYYY-MM-DD")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: print it)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    register()
    options = {"lang": args.lang}
    if args.start:
        options["start"] = args.start
    if args.end:
        options["end"] = args.end
    try:
        data = nogentech.export(nogentech.load(args.data), FORMAT, **options)
    except nogentech.NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_bytes(data)
        print(args.output)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
