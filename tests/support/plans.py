"""Functions written afresh and the same made from their plans, side by side."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from nogentech import builders


@contextmanager
def written_and_planned(
    module: ModuleType, made: str, writer: type[Any], classes: tuple[type[Any], ...]
) -> Iterator[tuple[dict[str, Any], dict[type[Any], Any], dict[type[Any], Any]]]:
    """The plans kept for ``classes``, their functions as written, and as made from the plans.

    ``made`` is the name of ``module``'s cached function that gives a class's
    function (``_builders``), whose plans are ``module._PLANS``; ``writer`` the
    class that writes them. The second set is made by a fresh cache that reads
    only the first set's plans, and may not write any function.
    """
    with pytest.MonkeyPatch.context() as patch:
        keeper = builders._Plans()
        keeper._kept = {}
        patch.setattr(module, "_PLANS", keeper)
        patch.setattr(module, made, functools.cache(getattr(module, made).__wrapped__))
        written = {cls: getattr(module, made)()(cls) for cls in classes}
        plans, keeper._new = dict(keeper._new), {}
        reader = builders._Plans()
        reader._kept = dict(plans)
        patch.setattr(module, "_PLANS", reader)
        patch.setattr(module, made, functools.cache(getattr(module, made).__wrapped__))

        def refuse(*args: Any) -> Any:
            raise AssertionError("a function was written, not made from its plan")

        patch.setattr(writer, "_write", refuse)
        planned = {cls: getattr(module, made)()(cls) for cls in classes}
        yield plans, written, planned
