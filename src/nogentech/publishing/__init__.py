"""Publishing: the meetings into a CalDAV collection, the cards into a CardDAV address book.

:func:`publish` (also ``nogentech.publish``) syncs one resource per UID and returns
the :class:`Result`; ``nogentech publish`` wraps it. How the sync decides, the
credentials and the errors are described in ``docs/publish.md``. Needs ``httpx``
(the ``publish`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..exceptions import MissingDependencyError, NogentechError
from ._auth import check_url
from ._errors import AuthenticationError, NetworkError, NotACollectionError, PublishError
from ._plan import KINDS, Action, Progress

if TYPE_CHECKING:
    import httpx

    from ..cluster import Cluster
    from ..stamps import Stamps
    from ._dav import DAV
    from ._record import Collection
    from ._resources import Resource

__all__ = [
    "KINDS",
    "Action",
    "AuthenticationError",
    "CollectionResult",
    "NetworkError",
    "NotACollectionError",
    "PublishError",
    "Result",
    "check_url",
    "publish",
]

_FORMATS = {"caldav": "ics", "carddav": "vcard"}


@attrs.frozen
class CollectionResult:
    """The actions of one collection (``kind`` is ``caldav`` or ``carddav``), in order."""

    kind: str
    url: str
    actions: tuple[Action, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "actions": [attrs.asdict(a) for a in self.actions],
            "counts": {k: sum(a.kind == k for a in self.actions) for k in KINDS},
        }


@attrs.frozen
class Result:
    """What a publication planned (``dry_run``) or did, collection by collection."""

    collections: tuple[CollectionResult, ...]
    dry_run: bool

    def actions(self) -> Iterator[Action]:
        for collection in self.collections:
            yield from collection.actions

    @property
    def writes(self) -> list[Action]:
        """The creations, updates and deletions carried out."""
        return [a for a in self.actions() if a.outcome == "done"]

    @property
    def conflicts(self) -> list[Action]:
        """Resources changed on the server by someone else, left as they are."""
        return [a for a in self.actions() if a.kind == "conflict" or a.outcome == "conflict"]

    @property
    def refused(self) -> list[Action]:
        """Writes the server refused (with its message)."""
        return [a for a in self.actions() if a.outcome == "refused"]

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "collections": [c.to_dict() for c in self.collections]}


def _client(url: str, auth: tuple[str, str] | None, verify: Any, timeout: float) -> httpx.Client:
    try:
        import httpx
    except ImportError:
        raise MissingDependencyError("publishing needs httpx: pip install httpx") from None
    from ..version import __version__
    from ._auth import credentials

    login = auth if auth is not None else credentials(url)
    return httpx.Client(
        auth=httpx.BasicAuth(*login) if login else None,
        verify=verify,
        timeout=timeout,
        headers={"User-Agent": f"nogentech/{__version__}"},
    )


def _verify(verify: bool, ca_file: str | os.PathLike[str] | None) -> Any:
    if ca_file is None:
        return verify
    import ssl

    return ssl.create_default_context(cafile=os.fspath(ca_file))


def _feeds(
    cluster: Cluster,
    wanted: Mapping[str, Mapping[str, Any]],
    stamps: str | os.PathLike[str] | None,
    dry_run: bool,
) -> tuple[dict[str, bytes], Stamps | None]:
    from ..plugins import export, get_exporter, resolve_options
    from ..stamps import VIEWS, Stamps, refresh, view_of

    def render(fmt: str, options: Mapping[str, Any]) -> bytes:
        return export(cluster, fmt, **options)

    state: Stamps | None = None
    if stamps is not None:
        if dry_run:
            renders = [(fmt, view, render(fmt, options)) for fmt, view, options in VIEWS]
            state = Stamps.load(stamps).record(renders)[0]
        else:
            state = refresh(stamps, render)[0]
    feeds = {}
    for fmt, options in wanted.items():
        data = render(fmt, options)
        if state is not None:
            view = view_of(fmt, resolve_options(get_exporter(fmt), options))
            data = state.apply(fmt, view, data)[0]
        feeds[fmt] = data
    return feeds, state


def _sync(
    dav: DAV,
    desired: Mapping[str, Resource],
    known: set[str],
    cluster_id: str,
    records: dict[str, Collection],
    *,
    force: bool,
    dry_run: bool,
    progress: Progress | None,
) -> CollectionResult:
    """Plan one collection's sync, and carry it out unless ``dry_run``."""
    from ._plan import carry_out, plan

    dav.check()
    listing = dav.listing()
    record = records.get(dav.url, {})
    recorded = {e.uid for e in record.values() if e.ours}
    domain = f"@{cluster_id}"

    def ours(uid: str) -> bool:
        """A resource of this cluster: exported now or before, or with its UID domain."""
        return (
            uid in desired
            or uid in known
            or uid in recorded
            or (dav.kind == "caldav" and uid.endswith(domain))
        )

    steps = plan(dav, desired, listing, record, ours, force)
    if dry_run:
        actions = [s.action for s in steps]
    else:
        actions, records[dav.url] = carry_out(dav, steps, listing, record, progress)
    return CollectionResult(dav.kind, dav.url, tuple(actions))


def publish(
    cluster: Cluster,
    caldav: str | None = None,
    carddav: str | None = None,
    *,
    lang: str = "fr",
    ics: Mapping[str, Any] | None = None,
    vcard: Mapping[str, Any] | None = None,
    stamps: str | os.PathLike[str] | None = None,
    state: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    auth: tuple[str, str] | None = None,
    verify: bool = True,
    ca_file: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> Result:
    """Sync the meetings into the CalDAV collection ``caldav`` and the cards into the
    CardDAV address book ``carddav`` (give one or both); returns what was done.

    ``ics`` and ``vcard`` are the exporters' options (``lang`` applies to both);
    ``stamps`` is the change-tracking state file, kept current here (see
    :mod:`nogentech.stamps`); ``state`` is where the syncs of this machine are
    recorded (default: ``$XDG_STATE_HOME/nogentech/publish.json``). ``dry_run``
    plans without writing anything; ``force`` overwrites resources changed on the
    server since the last sync. ``auth`` is ``(user, password)``, by default taken
    from the environment or a netrc file. HTTPS certificates are verified, against
    ``ca_file`` when given. Raises :class:`NotACollectionError`,
    :class:`AuthenticationError` or :class:`NetworkError`; conflicts and refused
    resources are reported in the result.
    """
    from . import _record
    from ._dav import DAV
    from ._resources import calendar_resources, card_resources

    targets = [(k, check_url(u)) for k, u in (("caldav", caldav), ("carddav", carddav)) if u]
    if not targets:
        raise NogentechError("give a CalDAV or a CardDAV URL (or both)")
    extra = {"caldav": dict(ics or {}), "carddav": dict(vcard or {})}
    wanted = {_FORMATS[k]: {"lang": lang, **extra[k]} for k, _ in targets}
    feeds, tracked = _feeds(cluster, wanted, stamps, dry_run)
    record_path = Path(state) if state is not None else _record.default_path()
    records = _record.load(record_path)
    done: list[CollectionResult] = []
    verification = _verify(verify, ca_file)
    try:
        for kind, url in targets:
            fmt = _FORMATS[kind]
            split = calendar_resources if kind == "caldav" else card_resources
            known = tracked.uids(fmt) if tracked is not None else set()
            with _client(url, auth, verification, timeout) as client:
                found = _sync(
                    DAV(client, url, kind),
                    split(feeds[fmt]),
                    known,
                    cluster.id,
                    records,
                    force=force,
                    dry_run=dry_run,
                    progress=progress,
                )
            done.append(found)
    finally:
        if not dry_run and done:
            _record.save(record_path, records)
    return Result(tuple(done), dry_run)
