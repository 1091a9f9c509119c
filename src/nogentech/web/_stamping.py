"""The change-tracking state a feed server stamps its feeds with (``docs/changes.md``).

:class:`_StampsFile` reads the state file for each version of the data, or keeps it
current (``track``), and notices when another program rewrote it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..cluster import Cluster
from ..exceptions import DataError
from ..stamps import Stamps
from ._files import _signature

log = logging.getLogger("nogentech.web")


class _StampsFile:
    """The state file at ``path`` (None: no stamping), read or, with ``track``, kept current."""

    def __init__(self, path: Path | None, track: bool) -> None:
        self.path = path
        self.track = track
        self._seen = _signature(path) if path is not None else None

    def for_cluster(self, cluster: Cluster) -> Stamps | None:
        """The state for ``cluster``: recorded with its changes when tracking, else read.

        Raises :class:`~nogentech.DataError` for a state file that cannot be used.
        """
        if self.path is None:
            return None
        if self.track:
            from .. import stamps
            from ..plugins import export

            state, changes = stamps.refresh(
                self.path, lambda fmt, options: export(cluster, fmt, **options)
            )
            if changes:
                log.info("%s: %d changes recorded", self.path, len(changes))
        else:
            state = Stamps.load(self.path)
        self._seen = _signature(self.path)
        return state

    def rewritten(self) -> Stamps | None:
        """The state file again if someone else changed it since it was read, else None."""
        if self.path is None or self.track:
            return None
        signature = _signature(self.path)
        if signature == self._seen:
            return None
        self._seen = signature
        try:
            return Stamps.load(self.path)
        except DataError as exc:
            log.error("%s: %s; still using the last good state", self.path, exc)
            return None
