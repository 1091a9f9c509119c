"""The ``nogentech`` command line: a thin layer over the library API.

Every command that reads data takes ``--data FILE`` (default: the built-in
Nogentech data). Invalid data prints one line per problem and exits 2; no
command shows a traceback for a user error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import Any

from .exceptions import DataError, NogentechError

__all__ = ["COMMANDS", "build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_DATA = 2


def _in_range(day: dt.date, text: str) -> None:
    from ._exporter_types import EARLIEST_DATE, LATEST_DATE

    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"date out of range {text!r} (from {EARLIEST_DATE} to {LATEST_DATE})"
        )


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None
    _in_range(day, text)
    return day


def _datetime(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid date and time {text!r} (expected ISO 8601, e.g. 2024-01-01T09:00+01:00)"
        ) from None
    _in_range(moment.date(), text)
    return moment


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (got {text!r})")
    return key.strip(), value


def _load(args: argparse.Namespace) -> Any:
    from .loading import load

    return load(args.data)


def cmd_info(args: argparse.Namespace) -> int:
    """Print a summary of the cluster."""
    from ._display import summary

    print(summary(_load(args), args.lang))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a data file; print every problem."""
    from .loading import load

    try:
        cluster = load(args.file)
    except DataError as exc:
        count = len(exc.problems)
        print(f"{args.file}: {count} problem{'s' if count != 1 else ''}")
        for line in exc.lines():
            print(line)
        return EXIT_DATA
    print(f"{args.file}: valid ({len(cluster.companies)} organisations)")
    return EXIT_OK


def cmd_meetings(args: argparse.Namespace) -> int:
    """List meeting occurrences in a window."""
    from ._display import meeting_line

    cluster = _load(args)
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


def cmd_next(args: argparse.Namespace) -> int:
    """Print the next meeting in full."""
    from ._display import WORDS, meeting_block

    cluster = _load(args)
    meeting = cluster.next_meeting(args.after)
    if meeting is None:
        print(WORDS[args.lang]["none"])
        return EXIT_OK
    print(meeting_block(cluster, meeting, args.lang))
    return EXIT_OK


def cmd_formats(args: argparse.Namespace) -> int:
    """List the export formats."""
    from .plugins import formats, plugin_failures

    for info in formats():
        print(f"{info.name:<10} .{info.extension:<6} {info.media_type:<28} {info.description}")
        for opt in info.options:
            default = "" if opt.default is None else f" (default: {opt.default})"
            print(f"{'':<12}--option {opt.name}=…  {opt.description}{default}")
    for failure in plugin_failures():
        print(f"warning: {failure}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Export the cluster in a format, to stdout or atomically to a file."""
    from ._io import write_atomic
    from .exceptions import OptionError
    from .plugins import export, get_exporter

    exporter = get_exporter(args.format)
    options: dict[str, Any] = dict(args.option or [])
    if args.lang is not None:
        if not any(o.name == "lang" for o in exporter.options):
            print(f"error: format {args.format!r} has no 'lang' option", file=sys.stderr)
            return EXIT_ERROR
        if options.get("lang", args.lang) != args.lang:
            raise OptionError(
                f"--lang {args.lang} and --option lang={options['lang']} disagree: give one"
            )
        options["lang"] = args.lang
    data = export(_load(args), args.format, **options)
    if args.output and args.output != "-":
        try:
            write_atomic(args.output, data)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(f"error: cannot write {args.output}: {reason}", file=sys.stderr)
            return EXIT_ERROR
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the JSON export."""
    from importlib import resources

    text = (resources.files("nogentech") / "data" / "cluster.schema.json").read_text("utf-8")
    sys.stdout.write(text)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the feeds over HTTP."""
    from .web import serve

    try:
        serve(
            host=args.host,
            port=args.port,
            data=args.data,
            trust_proxy=args.trust_proxy,
            base_url=args.base_url,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


class _LeftOut:
    """Stands for the parser of a command left out of :func:`build_parser`."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        """Ignore an argument of the command left out."""


COMMANDS: tuple[str, ...] = (
    "info",
    "validate",
    "meetings",
    "next",
    "formats",
    "export",
    "schema",
    "serve",
)
"""The subcommands, in the order of the help."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``nogentech`` command (the docs are generated from it).

    With ``only``, the name of a command, the parser has that command alone: it
    reads that command's arguments exactly as the full parser does, and is quicker
    to build (``main`` uses it when the command is known from the first argument).
    """
    parser = argparse.ArgumentParser(
        prog="nogentech",
        description="Data of an industrial business cluster: meetings, members, feeds.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: Any, help_: str, *, data: bool = True, lang: bool = True) -> Any:
        if only is not None and name != only:
            return _LeftOut()
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        if data:
            p.add_argument(
                "--data",
                metavar="FILE",
                help="cluster file (TOML or JSON); default: built-in Nogentech data",
            )
        if lang:
            p.add_argument(
                "--lang",
                choices=("fr", "en"),
                default="fr",
                help="language of the text (default: fr)",
            )
        return p

    add("info", cmd_info, "Print a readable summary of the cluster.")
    p = add(
        "validate",
        cmd_validate,
        "Check a cluster file and list every problem.",
        data=False,
        lang=False,
    )
    p.add_argument("file", metavar="FILE", help="cluster file to check (TOML or JSON)")
    p = add("meetings", cmd_meetings, "List meetings (occurrences and events) in a date window.")
    p.add_argument(
        "--from",
        dest="start",
        type=_date,
        metavar="DATE",
        help="first day, YYYY-MM-DD (default: today)",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=_date,
        metavar="DATE",
        help="day after the last, YYYY-MM-DD (default: one year later)",
    )
    p = add("next", cmd_next, "Print the next meeting with its topic, speakers and venue.")
    p.add_argument(
        "--after", type=_datetime, metavar="DATETIME", help="look after this moment (default: now)"
    )
    add(
        "formats",
        cmd_formats,
        "List the export formats, built-in and from plugins.",
        data=False,
        lang=False,
    )
    p = add("export", cmd_export, "Export the cluster in a format.", lang=False)
    p.add_argument("format", metavar="FORMAT", help="format name (see 'nogentech formats')")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE atomically (default: standard output)"
    )
    p.add_argument(
        "--lang",
        choices=("fr", "en"),
        default=None,
        help="language of the text, for formats that have one",
    )
    p.add_argument(
        "--option",
        action="append",
        type=_key_value,
        metavar="KEY=VALUE",
        help="exporter option; repeat for several",
    )
    add("schema", cmd_schema, "Print the JSON Schema of the JSON export.", data=False, lang=False)
    p = add("serve", cmd_serve, "Serve live subscription feeds over HTTP.", lang=False)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="public address of the feeds, used in the links of the page "
        "(for example https://feeds.example.org/nogentech behind a reverse proxy)",
    )
    p.add_argument(
        "--trust-proxy",
        action="store_true",
        help="take the scheme and host of the links from X-Forwarded-Proto and "
        "X-Forwarded-Host (only behind a proxy that sets them)",
    )
    return parser


def _version() -> str:
    from . import __version__

    return f"nogentech {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    words = sys.argv[1:] if argv is None else list(argv)
    # The first word names the command unless it is an option (--help, --version):
    # then the parser needs every command.
    only = words[0] if words and words[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(words)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader went away (``nogentech info | head``): stop quietly, and keep
        # Python from complaining again when it flushes standard output at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except DataError as exc:
        where = f"{exc.source}: " if exc.source else ""
        count = len(exc.problems)
        print(f"{where}{count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_DATA
    except NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
