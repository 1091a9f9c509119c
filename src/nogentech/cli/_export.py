"""``nogentech formats``, ``nogentech export`` and ``nogentech schema``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import EXIT_ERROR, EXIT_OK, Adder, key_value, load_data


def run_formats(args: argparse.Namespace) -> int:
    """List the export formats."""
    from ..plugins import formats, plugin_failures

    for info in formats():
        print(f"{info.name:<10} .{info.extension:<6} {info.media_type:<28} {info.description}")
        for opt in info.options:
            default = "" if opt.default is None else f" (default: {opt.default})"
            print(f"{'':<12}--option {opt.name}=…  {opt.description}{default}")
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
    if args.lang is not None:
        if not any(o.name == "lang" for o in exporter.options):
            print(f"error: format {args.format!r} has no 'lang' option", file=sys.stderr)
            return EXIT_ERROR
        if options.get("lang", args.lang) != args.lang:
            raise OptionError(
                f"--lang {args.lang} and --option lang={options['lang']} disagree: give one"
            )
        options["lang"] = args.lang
    from ._stamp import apply_state, read_state

    state = read_state(args.data, args.stamps)
    data = apply_state(state, args.format, options, export(load_data(args), args.format, **options))
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
    """Print the JSON Schema of the JSON export."""
    from importlib import resources

    text = (resources.files("nogentech") / "data" / "cluster.schema.json").read_text("utf-8")
    sys.stdout.write(text)
    return EXIT_OK


def add_commands(add: Adder) -> None:
    """Declare ``formats``, ``export`` and ``schema``."""
    add(
        "formats",
        run_formats,
        "List the export formats, built-in and from plugins.",
        data=False,
        lang=False,
    )
    p = add("export", run_export, "Export the cluster in a format.", lang=False)
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
        type=key_value,
        metavar="KEY=VALUE",
        help="exporter option; repeat for several",
    )
    p.add_argument(
        "--stamps",
        metavar="FILE",
        help="change-tracking state to apply (default: the one beside --data, if any)",
    )
    add("schema", run_schema, "Print the JSON Schema of the JSON export.", data=False, lang=False)
