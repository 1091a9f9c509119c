"""Change tracking: SEQUENCE, LAST-MODIFIED, DTSTAMP and REV follow the content of each component.

A :class:`Stamps` state (a small JSON file beside the data, see :func:`default_path`)
keeps, for each VEVENT (by UID and RECURRENCE-ID) and each vCard (by UID), a digest
of its content without those properties, a sequence number and the time of its
last change. :meth:`Stamps.record` notes what changed in freshly rendered feeds
(the only place the clock is read); :meth:`Stamps.apply` writes the recorded
values into a feed. The rules are in ``docs/changes.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .content_lines import Component, Lines, line_name, line_params, line_value, split
from .exceptions import DataError, Problem
from .files import read_regular, write_atomic
from .limits import MAX_STATE_SIZE

__all__ = ["VIEWS", "Change", "Stamp", "Stamps", "default_path", "refresh", "view_of"]

UTC = dt.UTC
FORMAT_KEY = "nogentech-stamps"
FORMAT_VERSION = 1
_KINDS = {"ics": "VEVENT", "vcard": "VCARD"}
_VOLATILE = {"ics": ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE"), "vcard": ("REV",)}
_SECOND = dt.timedelta(seconds=1)
_ICS_TIME = "%Y%m%dT%H%M%SZ"

Key = tuple[str, str, str]
"""``(format, UID, RECURRENCE-ID)``; the RECURRENCE-ID (parameters and value) is "" for none."""

VIEWS: tuple[tuple[str, str, Mapping[str, Any]], ...] = (
    ("ics", "fr", {"lang": "fr"}),
    ("ics", "en", {"lang": "en"}),
    ("ics", "fr,expand", {"lang": "fr", "expand": True}),
    ("ics", "en,expand", {"lang": "en", "expand": True}),
    ("vcard", "fr,3", {"lang": "fr", "version": 3}),
    ("vcard", "en,3", {"lang": "en", "version": 3}),
    ("vcard", "fr,4", {"lang": "fr", "version": 4}),
    ("vcard", "en,4", {"lang": "en", "version": 4}),
)
"""What :func:`refresh` renders and records: ``(format, view, options)``."""


def view_of(format: str, options: Mapping[str, Any]) -> str | None:  # noqa: A002
    """The view of an export with these (resolved) options, None when it is not recorded.

    The filters of the ``ics`` feed keep or leave out whole components, so they do
    not change the view; those of ``vcard`` change the members of group cards, and
    such an export takes the recorded values without comparing digests.
    """
    lang = options.get("lang") or "fr"
    if format == "ics":
        return f"{lang},expand" if options.get("expand") else str(lang)
    if format == "vcard":
        chosen = any(options.get(n) for n in ("sub_cluster", "sector", "commune", "kind"))
        if chosen or options.get("people") is False or options.get("groups") is False:
            return None
        return f"{lang},{options.get('version') or 3}"
    return None


def default_path(data: str | os.PathLike[str]) -> Path:
    """The state file of a data file: ``cluster.toml`` gives ``cluster.stamps.json``."""
    path = Path(data)
    return path.with_name(f"{path.stem}.stamps.json")


@attrs.frozen
class Stamp:
    """What is recorded of one component; ``digests`` maps each view to its digest.

    A component no longer in any feed keeps its entry without digests, so that its
    sequence goes on growing if it comes back.
    """

    sequence: int
    dtstamp: dt.datetime | None
    modified: dt.datetime | None
    digests: Mapping[str, str] = attrs.field(factory=dict, hash=False)

    def time(self) -> dt.datetime | None:
        return self.modified or self.dtstamp


@attrs.frozen
class Change:
    """A component that :meth:`Stamps.record` found new, changed or removed."""

    format: str
    uid: str
    recurrence_id: str
    kind: str
    """``new``, ``changed`` or ``removed``."""
    sequence: int


@attrs.frozen
class _Seen:
    key: Key
    digest: str
    sequence: int
    dtstamp: dt.datetime | None
    modified: dt.datetime | None


def _time(value: str) -> dt.datetime | None:
    text = value.strip().replace("-", "").replace(":", "")
    try:
        return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _read(format: str, data: bytes) -> tuple[Lines, list[tuple[Component, _Seen]]]:  # noqa: A002
    doc = split(data)
    volatile = _VOLATILE[format]
    found = []
    for comp in doc.components:
        if comp.name != _KINDS[format]:
            continue
        own = set(doc.own(comp))
        values: dict[str, str] = {}
        digest = hashlib.sha256()
        for index in range(comp.begin, comp.end + 1):
            raw = doc.lines[index]
            name = line_name(raw)
            if index in own and name in ("UID", "RECURRENCE-ID", *volatile):
                values.setdefault(name, line_params(raw) + ":" + line_value(raw))
            if not (index in own and name in volatile):
                digest.update(raw.replace(doc.eol + b" ", b"").replace(doc.eol + b"\t", b""))
                digest.update(b"\n")
        uid = values.get("UID", ":").partition(":")[2]
        sequence = values.get("SEQUENCE", ":0").partition(":")[2].strip()
        stamp = _time(values.get("DTSTAMP", ":").partition(":")[2])
        modified = _time(values.get("LAST-MODIFIED", values.get("REV", ":")).partition(":")[2])
        found.append(
            (
                comp,
                _Seen(
                    (format, uid, values.get("RECURRENCE-ID", "")),
                    digest.hexdigest()[:32],
                    int(sequence) if sequence.isdigit() else 0,
                    stamp,
                    modified,
                ),
            )
        )
    return doc, found


def _rewrite(format: str, doc: Lines, comp: Component, stamp: Stamp) -> list[bytes]:  # noqa: A002
    """The lines of ``comp`` with the volatile properties of ``stamp``."""
    lines = doc.lines[comp.begin : comp.end + 1]
    own = [i - comp.begin for i in doc.own(comp)]
    at = {line_name(lines[i]): i for i in reversed(own)}
    new: dict[str, bytes | None]
    if format == "ics":
        new = {
            "LAST-MODIFIED": _line("LAST-MODIFIED", stamp.modified, _ICS_TIME),
            "SEQUENCE": b"SEQUENCE:%d" % stamp.sequence,
        }
        if stamp.dtstamp is not None:
            new["DTSTAMP"] = _line("DTSTAMP", stamp.dtstamp, _ICS_TIME)
        after = {"DTSTAMP": "UID", "LAST-MODIFIED": "DTSTAMP", "SEQUENCE": "UID"}
    else:
        version = line_value(lines[at["VERSION"]]).strip() if "VERSION" in at else "3.0"
        rev = _ICS_TIME if version.startswith("4") else "%Y-%m-%dT%H:%M:%SZ"
        new = {"REV": _line("REV", stamp.modified, rev)}
        after = {"REV": "UID"}
    out: list[bytes | None] = list(lines)
    inserts: dict[int, list[bytes]] = {}
    for name, line in new.items():
        if name in at:
            out[at[name]] = line or None
        elif line:
            anchor = at.get(after[name], at.get("UID", 0))
            inserts.setdefault(anchor, []).append(line)
    result: list[bytes] = []
    for index, line in enumerate(out):
        if line is not None:
            result.append(line)
        result.extend(inserts.get(index, ()))
    return result


def _line(name: str, moment: dt.datetime | None, form: str) -> bytes | None:
    return None if moment is None else f"{name}:{moment.strftime(form)}".encode()


def _later(*times: dt.datetime | None) -> dt.datetime | None:
    return max((t for t in times if t is not None), default=None)


def read_state(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of the state file ``path``, None when there is none.

    A regular file of at most :data:`~nogentech.limits.MAX_STATE_SIZE` bytes: a named
    pipe, a device or a bigger file is a :class:`~nogentech.DataError`, as is a file
    that cannot be read.
    """
    try:
        return read_regular(path, MAX_STATE_SIZE)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DataError([Problem("", f"cannot read {path}: {exc.strerror}")], str(path)) from None
    except ValueError as exc:
        raise DataError([Problem("", f"cannot read {path}: {exc}")], str(path)) from None


class Stamps:
    """The recorded state of every component; immutable: :meth:`record` returns a new one."""

    def __init__(self, entries: Mapping[Key, Stamp] | None = None) -> None:
        self._entries: dict[Key, Stamp] = dict(entries or {})

    def __len__(self) -> int:
        return len(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stamps) and other._entries == self._entries

    __hash__ = None  # type: ignore[assignment]

    def get(self, format: str, uid: str, recurrence_id: str = "") -> Stamp | None:  # noqa: A002
        """The entry of one component, if recorded."""
        return self._entries.get((format, uid, recurrence_id))

    def uids(self, format: str) -> set[str]:  # noqa: A002
        """Every UID ever recorded for ``format``, of components gone since included."""
        return {uid for fmt, uid, _ in self._entries if fmt == format}

    # -- reading a feed -----------------------------------------------------------

    def apply(
        self,
        format: str,  # noqa: A002
        view: str | None,
        data: bytes,
    ) -> tuple[bytes, list[Key]]:
        """``data`` with each component's recorded SEQUENCE, DTSTAMP, LAST-MODIFIED or REV.

        Also returns the components that differ from what was recorded (or are not
        recorded): they get the next sequence and the later of their recorded time and
        the data's own stamp, so the bytes depend on the data and the state only. An
        empty state, or a format other than ``ics`` and ``vcard``, leaves ``data`` as is.
        """
        if format not in _KINDS or not self._entries:
            return data, []
        doc, found = _read(format, data)
        pending: list[Key] = []
        lines: list[bytes] = []
        done = 0
        for comp, seen in found:
            stamp = self._current(seen, view)
            if stamp is None or stamp is not self._entries.get(seen.key):
                pending.append(seen.key)
            if stamp is None:
                continue
            lines += doc.lines[done : comp.begin]
            lines += _rewrite(format, doc, comp, stamp)
            done = comp.end + 1
        lines += doc.lines[done:]
        return doc.join(lines), pending

    def _current(self, seen: _Seen, view: str | None) -> Stamp | None:
        stamp = self._entries.get(seen.key)
        master = self._entries.get((seen.key[0], seen.key[1], "")) if seen.key[2] else None
        rendered = _later(seen.modified, seen.dtstamp)
        if stamp is None:
            if master is None:
                return None
            time = _later(master.time(), rendered)
            return Stamp(max(seen.sequence, master.sequence + 1), time, time)
        differs = view is not None and stamp.digests.get(view, seen.digest) != seen.digest
        if stamp.digests and not differs and seen.sequence <= stamp.sequence:
            return stamp
        time = _later(stamp.time(), rendered)
        return Stamp(max(stamp.sequence + 1, seen.sequence), time, time)

    # -- recording changes -------------------------------------------------------

    def record(
        self, renders: Iterable[tuple[str, str, bytes]], now: dt.datetime | None = None
    ) -> tuple[Stamps, list[Change]]:
        """The state after noting ``(format, view, data)`` renders made at ``now``.

        The first record into an empty state takes each component's values as the
        data gives them. Later, a component whose digest changed in any view, or
        whose data ``sequence`` was raised above the recorded one, gets the next
        sequence (never below its series' one) and ``now``; a new override gets one
        more than its series; a series whose override disappeared gets the next
        sequence too, since it defines that date again.
        """
        moment = (now or dt.datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        initial = not self._entries
        rendered: dict[str, set[str]] = {}
        seen: dict[Key, dict[str, _Seen]] = {}
        for fmt, view, data in renders:
            rendered.setdefault(fmt, set()).add(view)
            for _, found in _read(fmt, data)[1]:
                seen.setdefault(found.key, {})[view] = found
        entries = dict(self._entries)
        changes: list[Change] = []
        bump: set[Key] = set()
        for key, old in self._entries.items():
            views = rendered.get(key[0], set())
            gone = [v for v in old.digests if v in views and v not in seen.get(key, {})]
            if gone:
                digests = {v: d for v, d in old.digests.items() if v not in gone}
                entries[key] = attrs.evolve(old, digests=digests)
                if not digests and key not in seen:
                    changes.append(Change(*key, "removed", old.sequence))
                    if key[2]:
                        bump.add((key[0], key[1], ""))
        for key in sorted(set(seen) | bump, key=lambda k: (k[0], k[1], k[2] != "", k[2])):
            views_seen = seen.get(key)
            if not views_seen:
                continue
            first = views_seen[min(views_seen)]
            prior = self._entries.get(key)
            digests = {
                **(prior.digests if prior else {}),
                **{v: s.digest for v, s in views_seen.items()},
            }
            master = entries.get((key[0], key[1], "")) if key[2] else None
            if prior is None and initial:
                entries[key] = Stamp(first.sequence, first.dtstamp, first.modified, digests)
                continue
            if prior is None or not prior.digests:
                floor = master.sequence + 1 if master else 0
                sequence = max(first.sequence, floor, prior.sequence + 1 if prior else 0)
                kind = "new"
            else:
                differs = any(
                    prior.digests.get(v, s.digest) != s.digest for v, s in views_seen.items()
                )
                if not (differs or first.sequence > prior.sequence or key in bump):
                    entries[key] = attrs.evolve(prior, digests=digests)
                    continue
                floor = master.sequence if master else 0
                sequence = max(prior.sequence + 1, first.sequence, floor)
                kind = "changed"
            previous = prior.time() if prior else None
            time = max(moment, previous + _SECOND) if previous else moment
            entries[key] = Stamp(sequence, time, time, digests)
            changes.append(Change(*key, kind, sequence))
        return Stamps(entries), changes

    # -- the file ----------------------------------------------------------------

    def dumps(self) -> bytes:
        """The state as JSON: sorted, one entry per component, the same bytes for the same state."""
        doc: dict[str, Any] = {FORMAT_KEY: FORMAT_VERSION}
        for (fmt, uid, rid), stamp in sorted(self._entries.items()):
            doc.setdefault(fmt, {}).setdefault(uid, {})[rid] = {
                "sequence": stamp.sequence,
                "dtstamp": _iso(stamp.dtstamp),
                "modified": _iso(stamp.modified),
                "digests": dict(sorted(stamp.digests.items())),
            }
        text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False)
        return (text + "\n").encode("utf-8")

    @classmethod
    def loads(cls, data: bytes, source: str | None = None) -> Stamps:
        """Read a state written by :meth:`dumps`; :class:`~nogentech.DataError` if it is not one."""
        try:
            doc = json.loads(data.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get(FORMAT_KEY) != FORMAT_VERSION:
                raise ValueError(f"not a state file ({FORMAT_KEY!r}: {FORMAT_VERSION} missing)")
            entries: dict[Key, Stamp] = {}
            for fmt in _KINDS:
                for uid, rids in doc.get(fmt, {}).items():
                    for rid, entry in rids.items():
                        entries[(fmt, uid, rid)] = Stamp(
                            int(entry["sequence"]),
                            _parse_iso(entry["dtstamp"]),
                            _parse_iso(entry["modified"]),
                            {str(k): str(v) for k, v in entry["digests"].items()},
                        )
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeError) as exc:
            raise DataError([Problem("", f"invalid state file: {exc}")], source) from None
        return cls(entries)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Stamps:
        """The state in ``path``; an empty state when the file does not exist."""
        data = read_state(path)
        return cls() if data is None else cls.loads(data, str(path))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state to ``path`` atomically."""
        write_atomic(path, self.dumps())


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _parse_iso(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.fromisoformat(text).astimezone(UTC)


Renderer = Callable[[str, Mapping[str, Any]], bytes]
"""Renders one export: ``render(format, options)``, for example ``export`` on a cluster."""


def refresh(
    path: str | os.PathLike[str], render: Renderer, now: dt.datetime | None = None
) -> tuple[Stamps, list[Change]]:
    """Record every view of :data:`VIEWS` into the state file ``path`` (created if missing).

    The file is written only when the state changed (or did not exist yet).
    """
    before = Stamps.load(path)
    renders = [(fmt, view, render(fmt, options)) for fmt, view, options in VIEWS]
    after, changes = before.record(renders, now)
    if after != before or not Path(path).exists():
        after.save(path)
    return after, changes
