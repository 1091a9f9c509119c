"""Plain data for ``--json``: meetings, the cluster summary, formats and problems.

Texts are given in the chosen language, ids as they are in the data, instants in
ISO 8601 with their UTC offset; see ``docs/cli.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..exceptions import Problem
    from ..meetings import Meeting
    from ..plugins import ExporterInfo

__all__ = ["cluster_record", "format_record", "meeting_record", "problem_records"]


def _named(cluster: Cluster, ids: Iterable[str], lang: str) -> list[dict[str, str]]:
    return [{"id": ident, "name": cluster.name_of(ident, lang)} for ident in ids]


def meeting_record(cluster: Cluster, meeting: Meeting, lang: str) -> dict[str, Any]:
    """One meeting: when, what, who and where, as JSON-ready values."""
    from ._display import venue_label

    venue = None
    if meeting.venue is not None:
        venue = {
            "id": meeting.venue,
            "name": cluster.name_of(meeting.venue, lang),
            "label": venue_label(cluster, meeting.venue, lang),
        }
    note = meeting.override.note if meeting.override is not None else None
    return {
        "id": meeting.id,
        "series": meeting.series.id if meeting.series is not None else None,
        "event": meeting.event.id if meeting.event is not None else None,
        "title": meeting.title.get(lang),
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "all_day": meeting.all_day,
        "topic": meeting.topic.get(lang) if meeting.topic else None,
        "speakers": _named(cluster, meeting.speakers, lang),
        "testimonies": _named(cluster, meeting.testimonies, lang),
        "venue": venue,
        "cancelled": meeting.cancelled,
        "holiday": meeting.holiday.get(lang) if meeting.holiday else None,
        "note": note.get(lang) if note is not None else None,
    }


def cluster_record(cluster: Cluster, lang: str) -> dict[str, Any]:
    """What ``nogentech info`` shows, as JSON-ready values."""

    def text(value: Any) -> str | None:
        return value.get(lang) if value is not None else None

    board = []
    for person, kind in cluster.board():
        role = next(r for r in person.roles if r.of == cluster.id and r.kind == kind)
        board.append(
            {"role": kind, "label": role.label(lang), "person": person.id, "name": person.name}
        )
    return {
        "id": cluster.id,
        "name": cluster.name,
        "full_name": text(cluster.full_name),
        "description": text(cluster.description),
        "founded": str(cluster.founded) if cluster.founded else None,
        "legal_form": text(cluster.legal_form),
        "counts": {
            "organisations": len(cluster.companies),
            "members": len(cluster.members()),
            "sectors": len(cluster.sectors),
            "places": len(cluster.places),
            "people": len(cluster.people),
            "meeting_series": len(cluster.meeting_series),
            "events": len(cluster.events),
            "milestones": len(cluster.milestones),
            "projects": len(cluster.projects),
            "discrepancies": len(cluster.discrepancies),
        },
        "board": board,
        "sub_clusters": [{"id": s.id, "name": s.name} for s in cluster.sub_clusters],
        "commissions": [{"id": c.id, "name": c.name.get(lang)} for c in cluster.commissions],
    }


def format_record(info: ExporterInfo) -> dict[str, Any]:
    """One export format with its options."""
    return {
        "name": info.name,
        "extension": info.extension,
        "media_type": info.media_type,
        "description": info.description,
        "plugin": info.plugin,
        "options": [
            {
                "name": o.name,
                "kind": o.kind,
                "default": _plain(o.default),
                "choices": list(o.choices),
                "minimum": o.minimum,
                "maximum": o.maximum,
                "description": o.description,
            }
            for o in info.options
        ],
    }


def _plain(value: Any) -> Any:
    """An option default as JSON can hold it (a date as ISO text, a tuple as a list)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return str(value)


def problem_records(problems: Iterable[Problem]) -> list[dict[str, str]]:
    """Problems as ``{"path": …, "message": …}`` objects."""
    return [{"path": p.path, "message": p.message} for p in problems]
