"""What a user is told of the exporters and of the plugins that failed.

Apart from :mod:`nogentech._exporter_types`: an export makes neither, so it need not
define their classes. Plugin authors and users import them from :mod:`nogentech.plugins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from ._exporter_types import Option

__all__ = ["ExporterInfo", "PluginFailure"]


@attrs.frozen
class ExporterInfo:
    """What a user sees of an exporter: its name, file extension, media type, options."""

    name: str
    extension: str
    media_type: str
    description: str
    options: tuple[Option, ...]
    plugin: str


@attrs.frozen
class PluginFailure:
    """A plugin that failed to load or to register, with the error."""

    plugin: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} failed: {self.error}"
