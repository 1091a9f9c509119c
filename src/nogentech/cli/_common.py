"""What the commands share: exit codes, the parser, language and width, loading the data."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, Protocol

from ..exceptions import did_you_mean

__all__ = [
    "EXIT_DATA",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "LANGS",
    "LANG_ENV",
    "Adder",
    "Parser",
    "Runner",
    "UsageError",
    "date_arg",
    "datetime_arg",
    "default_lang",
    "key_value",
    "lang_of",
    "load_data",
    "positive_int",
    "print_json",
    "text_width",
]

EXIT_OK = 0
"""Success."""
EXIT_ERROR = 1
"""Failure at run time: an export that fails, a file that cannot be written, a port in use."""
EXIT_DATA = 2
"""Usage error or invalid data."""
EXIT_USAGE = EXIT_DATA
"""A usage error (a mistyped command, option or value) shares its status with invalid data."""

LANGS = ("fr", "en")
"""The languages of the text."""
LANG_ENV = "NOGENTECH_LANG"
"""Environment variable: the default language (``fr`` or ``en``), before the locale."""


class UsageError(Exception):
    """A command was given arguments that do not fit together; exits with status 2."""


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` gives it: ``COLUMNS``, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at the width it would choose, without importing ``shutil``.

    argparse builds one as each argument is added; ``shutil`` imports the
    compression modules, which a command that shows no help does not need.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(
            prog, indent_increment, max_help_position, _columns() - 2 if width is None else width
        )


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors suggest the closest command, option or choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As ``argparse.ArgumentParser``; the help is formatted without importing ``shutil``."""
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """Parse ``args``; an unrecognised option suggests the closest one of its command.

        The error shows the usage of the command the option was given to.
        """
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            options = set(self._option_string_actions)
            command = _command_parser(self, parsed)
            if command is not None:
                options |= set(command._option_string_actions)
            flag = next((word for word in extras if word.startswith("-")), None)
            hint = did_you_mean(flag.partition("=")[0], sorted(options)) if flag else ""
            (command or self).error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return parsed

    def error(self, message: str) -> NoReturn:
        """Print the usage and ``message`` (with a suggestion for an invalid choice), exit 2."""
        found = _INVALID_CHOICE.search(message)
        if found is not None:
            choices = [c.strip().strip("'\"") for c in found.group(2).split(",")]
            message += did_you_mean(found.group(1), choices)
        super().error(message)


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")


def _command_parser(
    parser: argparse.ArgumentParser, parsed: argparse.Namespace
) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser | None = action.choices.get(
                getattr(parsed, "command", None) or ""
            )
            return found
    return None


def _language_of(value: str) -> str:
    """``en`` for ``en_GB.UTF-8``, ``fr`` for ``fr_FR@euro``; ``c`` for ``C.UTF-8``."""
    return re.split(r"[_.@-]", value.strip(), maxsplit=1)[0].lower()


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language of the text when ``--lang`` is not given.

    ``NOGENTECH_LANG`` (``fr`` or ``en``) if set, else the language of the locale
    (the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set) when it is
    French or English, else French. A ``NOGENTECH_LANG`` that is neither raises
    :class:`UsageError`.
    """
    env = os.environ if environ is None else environ
    chosen = env.get(LANG_ENV, "").strip()
    if chosen:
        if _language_of(chosen) not in LANGS:
            raise UsageError(f"{LANG_ENV} must be fr or en (got {chosen!r})")
        return _language_of(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            language = _language_of(value)
            return language if language in LANGS else "fr"
    return "fr"


def text_width() -> int:
    """Columns to wrap text at: the terminal's (or ``COLUMNS``), 80 when unknown; at least 40."""
    return max(40, _columns())


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (keys in their given order, non-ASCII kept)."""
    import json

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def positive_int(text: str) -> int:
    """A whole number of at least 1, for ``--limit`` and ``-n``."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number (got {text!r})") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1 (got {text!r})")
    return number


Runner = Callable[[argparse.Namespace], int]
"""What a command runs: the parsed arguments in, the exit status out."""


class Adder(Protocol):
    """Declares one command; returns its parser, for the command's own arguments."""

    def __call__(
        self, name: str, run: Runner, help_: str, *, data: bool = True, lang: bool = True
    ) -> Any:
        """Add the command ``name``; ``data``/``lang`` add ``--data FILE``/``--lang``."""


def _in_range(day: dt.date, text: str) -> None:
    from ..recurrence import EARLIEST_DATE, LATEST_DATE

    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"date out of range {text!r} (from {EARLIEST_DATE} to {LATEST_DATE})"
        )


def date_arg(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None
    _in_range(day, text)
    return day


def datetime_arg(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid date and time {text!r} (expected ISO 8601, e.g. 2024-01-01T09:00+01:00)"
        ) from None
    _in_range(moment.date(), text)
    return moment


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (got {text!r})")
    return key.strip(), value


def load_data(args: argparse.Namespace) -> Any:
    """The cluster of ``--data FILE``, else the built-in one.

    The built-in data comes from its snapshot (see ``docs/cli.md``): importing the
    model and unpickling it make many objects and no garbage, so Python's cycle
    collector, which would go over all of them several times, waits until then.
    """
    if args.data is not None:
        from ..loading import load

        return load(args.data)
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        from ..loading import load

        return load(None)
    finally:
        if collecting:
            gc.enable()


def lang_of(args: argparse.Namespace) -> str:
    """The language a command writes in: ``--lang``, else :func:`default_lang`."""
    given: str | None = getattr(args, "lang", None)
    return given if given is not None else default_lang()
