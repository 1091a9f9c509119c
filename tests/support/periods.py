"""Counting the rule periods dateutil builds: the work an expansion or a check does."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dateutil import rrule

PERIOD_BUILDERS = ("ydayset", "mdayset", "wdayset", "ddayset")
"""The methods of dateutil's iteration that build one period (a year, month, week or day)."""


class TooMuchWork(Exception):
    """dateutil built more periods than the work may need."""


class Periods:
    """Counts the rule periods dateutil builds while :meth:`counting` or :meth:`at_most`
    is active; :meth:`at_most` also stops the work past a number of them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.most: int | None = None
        self._monkeypatch = monkeypatch

    @contextlib.contextmanager
    def counting(self) -> Iterator[Periods]:
        self.most = None
        with self._patched():
            yield self

    @contextlib.contextmanager
    def at_most(self, most: int) -> Iterator[Periods]:
        self.count, self.most = 0, most
        with self._patched():
            yield self

    @contextlib.contextmanager
    def _patched(self) -> Iterator[None]:
        with self._monkeypatch.context() as patch:
            for name in PERIOD_BUILDERS:
                patch.setattr(rrule._iterinfo, name, self._counted(getattr(rrule._iterinfo, name)))
            yield

    def _counted(self, build: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any) -> Any:
            self.count += 1
            if self.most is not None and self.count > self.most:
                raise TooMuchWork(f"more than {self.most} periods built")
            return build(*args)

        return counted
