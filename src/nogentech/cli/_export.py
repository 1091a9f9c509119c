"""``nogentech formats``, ``nogentech export`` and ``nogentech schema``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import (
    EXIT_ERROR,
    EXIT_OK,
    Adder,
    UsageError,
    _HelpFormatter,
    default_lang,
    key_value,
    load_data,
    print_json,
)

_FORMATS_MARKER = "\0formats\0"
"""The epilog of ``export --help``, replaced by the list of formats when the help is shown."""

_EMPTY_MARKERS = {"text/calendar": b"BEGIN:VEVENT", "text/vcard": b"BEGIN:VCARD"}
"""For a media type, the bytes every non-empty export of it holds (a calendar's events…)."""


def format_lines() -> list[str]:
    """Each export format with its options, as ``nogentech formats`` prints them."""
    from ..plugins import formats

    lines = []
    for info in formats():
        lines.append(
            f"{info.name:<10} .{info.extension:<6} {info.media_type:<28} {info.description}"
        )
        for opt in info.options:
            default = "" if opt.default is None else f" (default: {opt.default})"
            lines.append(f"{'':<12}--option {opt.name}=…  {opt.description}{default}")
    return lines


class _ExportHelp(_HelpFormatter):
    """Help of ``export``: its epilog lists the formats, read from the plugins when shown."""

    def _format_text(self, text: str) -> str:
        if text == _FORMATS_MARKER:
            return "formats and their options:\n" + "\n".join(format_lines()) + "\n"
        return super()._format_text(text)


def run_formats(args: argparse.Namespace) -> int:
    """List the export formats."""
    from ..plugins import formats, plugin_failures

    if args.json:
        from ._records import format_record

        print_json([format_record(info) for info in formats()])
    else:
        for line in format_lines():
            print(line)
    for failure in plugin_failures():
        print(f"warning: {failure}", file=sys.stderr)
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Export the cluster in a format, to stdout or atomically to a file."""
    from ..exceptions import OptionError
    from ..files import write_atomic
    from ..plugins import export, get_exporter

    exporter = get_exporter(args.format)
    options: dict[str, Any] = dict(args.option or [])
    has_lang = any(o.name == "lang" for o in exporter.options)
    if args.lang is not None:
        if not has_lang:
            raise UsageError(f"format {args.format!r} has no 'lang' option")
        if options.get("lang", args.lang) != args.lang:
            raise OptionError(
                f"--lang {args.lang} and --option lang={options['lang']} disagree: give one"
            )
        options["lang"] = args.lang
    elif has_lang and "lang" not in options:
        options["lang"] = default_lang()
    from ._stamp import apply_state, read_state

    state = read_state(args.data, args.stamps)
    data = apply_state(state, args.format, options, export(load_data(args), args.format, **options))
    marker = _EMPTY_MARKERS.get(exporter.media_type)
    if marker is not None and marker not in data:
        what = "event" if exporter.media_type == "text/calendar" else "card"
        print(
            f"warning: no {what} in this {args.format} export: its options leave none",
            file=sys.stderr,
        )
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


def run_schema(args: argparse.Namespace) -> int:
    """Print (or write) the JSON Schema of the JSON export."""
    from importlib import resources

    from ..files import write_atomic

    text = (resources.files("nogentech") / "data" / "cluster.schema.json").read_text("utf-8")
    if args.output and args.output != "-":
        try:
            write_atomic(args.output, text.encode("utf-8"))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(f"error: cannot write {args.output}: {reason}", file=sys.stderr)
            return EXIT_ERROR
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``formats``, ``export`` and ``schema``."""
    p = add(
        "formats",
        run_formats,
        "List the export formats, built-in and from plugins.",
        data=False,
        lang=False,
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of the formats")
    p = add("export", run_export, "Export the cluster in a format.", lang=False)
    p.epilog = _FORMATS_MARKER
    p.formatter_class = _ExportHelp
    p.add_argument("format", metavar="FORMAT", help="format name (listed below)")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE atomically (default: standard output)"
    )
    p.add_argument(
        "--lang",
        choices=("fr", "en"),
        default=None,
        help="language of the text, for formats that have one (default: as for the "
        "other commands: $NOGENTECH_LANG, else the locale, else fr)",
    )
    p.add_argument(
        "--option",
        action="append",
        type=key_value,
        metavar="KEY=VALUE",
        help="exporter option; repeat for several",
    )
    p.add_argument(
        "--stamps",
        metavar="FILE",
        help="change-tracking state to apply (default: the one beside --data, if any)",
    )
    p = add(
        "schema", run_schema, "Print the JSON Schema of the JSON export.", data=False, lang=False
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE atomically (default: standard output)"
    )
