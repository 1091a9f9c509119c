"""What the commands share: exit codes, argument types, loading the data."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

__all__ = [
    "EXIT_DATA",
    "EXIT_ERROR",
    "EXIT_OK",
    "Adder",
    "Runner",
    "date_arg",
    "datetime_arg",
    "key_value",
    "load_data",
]

EXIT_OK = 0
"""Success."""
EXIT_ERROR = 1
"""Failure at run time: an export, a network or a file error."""
EXIT_DATA = 2
"""Usage error or invalid data."""

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
    from ..loading import load

    return load(args.data)
