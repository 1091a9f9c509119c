"""A griffe extension (listed in mkdocs.yml): the constructor signature of attrs classes.

attrs writes a class's ``__init__`` when the class is created, so reading the
source finds none and the API reference would show ``Place()``. This extension
gives each attrs class the ``__init__`` attrs made, read from the class itself:
every parameter with its annotation and default. The fields' types, defaults
and docstrings are listed by griffe-fieldz.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import attrs
import griffe


class AttrsSignatures(griffe.Extension):
    """Add the runtime ``__init__`` of every attrs class to its griffe object."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Give ``cls`` an ``__init__`` with the parameters attrs made, if it is an attrs class."""
        runtime = _runtime(cls)
        if runtime is None or not attrs.has(runtime) or "__init__" in cls.members:
            return
        signature = inspect.signature(runtime.__init__)
        parameters = [
            griffe.Parameter(
                name,
                annotation=_annotation(p.annotation),
                kind=griffe.ParameterKind(p.kind.description),
                default=None if p.default is inspect.Parameter.empty else repr(p.default),
            )
            for name, p in signature.parameters.items()
        ]
        init = griffe.Function(
            "__init__",
            parameters=griffe.Parameters(*parameters),
            returns="None",
            parent=cls,
        )
        cls.set_member("__init__", init)


def _annotation(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _runtime(cls: griffe.Class) -> type[Any] | None:
    try:
        module = importlib.import_module(cls.module.path)
    except ImportError:
        return None
    found = getattr(module, cls.name, None)
    return found if isinstance(found, type) else None
