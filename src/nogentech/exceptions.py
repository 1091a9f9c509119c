"""Exceptions raised by nogentech.

Every error the library raises on purpose derives from :class:`NogentechError`::

    NogentechError
    ├── DataError            a cluster file or object is invalid (lists every problem)
    ├── ExportError          an export cannot be produced
    │   ├── UnknownFormatError   no exporter has that name
    │   └── OptionError          an exporter option is unknown or has a bad value
    ├── PluginError          a plugin failed to load or registered something invalid
    └── MissingDependencyError   an optional dependency is not installed
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "DataError",
    "ExportError",
    "MissingDependencyError",
    "NogentechError",
    "OptionError",
    "PluginError",
    "Problem",
    "UnknownFormatError",
    "did_you_mean",
]


class NogentechError(Exception):
    """Base class of every error raised by nogentech."""


@attrs.frozen
class Problem:
    """One problem found in cluster data.

    ``path`` locates the value in the data file (``companies[3].sectors[0]``);
    it is empty for a problem with the whole file (for example broken syntax).
    """

    path: str
    """Where the value is in the data file (``companies[3].sectors[0]``); empty for the whole file.

    """
    message: str
    """What is wrong with it."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DataError(NogentechError):
    """Cluster data is invalid; :attr:`problems` lists every problem found at once."""

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        count = len(self.problems)
        where = f" in {source}" if source else ""
        head = f"{count} problem{'s' if count != 1 else ''}{where}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))

    def lines(self) -> list[str]:
        """One line per problem, ``path: message``."""
        return [str(p) for p in self.problems]


class ExportError(NogentechError):
    """An export could not be produced."""


class UnknownFormatError(ExportError):
    """No registered exporter has the requested name."""


class OptionError(ExportError):
    """An exporter option is unknown or has an invalid value."""


class PluginError(NogentechError):
    """A plugin failed to load, or registered something invalid."""


class MissingDependencyError(NogentechError):
    """An optional dependency needed for a feature is not installed."""


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'ics'?"`` when one of ``choices`` is close to ``word``, else ``""``.

    Error messages about an unknown name (a format, an option, an id, a field)
    end with it, so that a typing mistake shows its fix.
    """
    if not isinstance(word, str):
        return ""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""
