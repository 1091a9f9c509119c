"""The ``nogentech`` command line: a thin layer over the library API.

Each command lives in a private module of this package and is imported only
when it runs. Every command that reads data takes ``--data FILE`` (default: the
built-in data). Exit status: 0 success, 1 failure at run time, 2 usage error or
invalid data. The commands and exit codes are described in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..exceptions import DataError, NogentechError, OptionError, UnknownFormatError
from ._common import EXIT_DATA, EXIT_ERROR, EXIT_OK, EXIT_USAGE, Parser, Runner, UsageError

__all__ = [
    "COMMANDS",
    "DEBUG_ENV",
    "EXIT_DATA",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

_HOMES: dict[str, str] = {
    "info": "_info",
    "validate": "_info",
    "meetings": "_meetings",
    "next": "_meetings",
    "formats": "_export",
    "export": "_export",
    "schema": "_export",
    "serve": "_serve",
    "stamp": "_stamp",
    "publish": "_publish",
    "lint": "_lint",
    "plugins": "_plugins",
}
"""The module of each command, in the order of the help."""

COMMANDS: tuple[str, ...] = tuple(_HOMES)
"""The subcommands, in the order of the help."""


DEBUG_ENV = "NOGENTECH_DEBUG"
"""Environment variable: when set (``1``), errors are shown with their traceback."""
_DEBUG_HELP = f"show the traceback of an error (or set {DEBUG_ENV}=1)"


class _LeftOut:
    """Stands for the parser of a command left out of :func:`build_parser`."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        """Ignore an argument of the command left out."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``nogentech`` command (the docs are generated from it).

    With ``only``, the name of a command, the parser has that command alone: it
    reads that command's arguments exactly as the full parser does, and is quicker
    to build (``main`` uses it when the command is known from the first argument).
    """
    parser = Parser(
        prog="nogentech",
        description="Data of an industrial business cluster: meetings, members, feeds.",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", default=False, help=_DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, run: Runner, help_: str, *, data: bool = True, lang: bool = True) -> Any:
        if only is not None and name != only:
            return _LeftOut()
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=run)
        # Also after the command (``nogentech export ics --debug``); SUPPRESS keeps the
        # command's parser from resetting a ``--debug`` given before the command.
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)
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
                default=None,
                help="language of the text (default: $NOGENTECH_LANG, else the locale's "
                "language if French or English, else fr)",
            )
        return p

    modules = [_HOMES[only]] if only in _HOMES else list(dict.fromkeys(_HOMES.values()))
    for module in modules:
        importlib.import_module(f"{__name__}.{module}").add_commands(add)
    return parser


def _version() -> str:
    from ..version import __version__

    return f"nogentech {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    words = sys.argv[1:] if argv is None else list(argv)
    # The first word names the command unless it is an option (--help, --version):
    # then the parser needs every command.
    first = next((w for w in words if w != "--debug"), None)
    only = first if first in COMMANDS else None
    parser = build_parser(only)
    if not words:
        parser.print_help()
        return EXIT_OK
    args = parser.parse_args(words)
    debug = bool(args.debug) or os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader went away (``nogentech info | head``): stop quietly, and keep
        # Python from complaining again when it flushes standard output at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except DataError as exc:
        _traceback(debug)
        where = f"{exc.source}: " if exc.source else ""
        count = len(exc.problems)
        print(f"{where}{count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_DATA
    except (UsageError, OptionError, UnknownFormatError) as exc:
        _traceback(debug)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (NogentechError, OSError) as exc:
        _traceback(debug)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug is one line; --debug shows where it is
        _traceback(debug)
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        if not debug:
            print(f"(run again with --debug or {DEBUG_ENV}=1 for the traceback)", file=sys.stderr)
        return EXIT_ERROR


def _traceback(debug: bool) -> None:
    """With ``--debug``, the traceback of the error being handled, on standard error."""
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
