"""Readable text for people: dates, meetings and the cluster summary (used by the CLI)."""

from __future__ import annotations

import datetime as dt
import textwrap

from ..cluster import Cluster
from ..history import KeyFigure
from ..meetings import Meeting
from ..organisations import SubCluster
from ..text import long_date

WORDS = {
    "fr": {
        "speakers": "Intervenants",
        "testimonies": "Témoignages",
        "venue": "Lieu",
        "topic": "Sujet",
        "not_announced": "programme non annoncé",
        "cancelled": "ANNULÉ",
        "holiday": "jour férié",
        "none": "Aucune rencontre programmée.",
        "all_day": "toute la journée",
        "note": "Note",
    },
    "en": {
        "speakers": "Speakers",
        "testimonies": "Testimonies",
        "venue": "Venue",
        "topic": "Topic",
        "not_announced": "programme not announced",
        "cancelled": "CANCELLED",
        "holiday": "public holiday",
        "none": "No meeting is programmed.",
        "all_day": "all day",
        "note": "Note",
    },
}


def colon(lang: str) -> str:
    """A label's colon: French puts a space before it (``Lieu : …``), English does not."""
    return " : " if lang == "fr" else ": "


def when(meeting: Meeting, lang: str) -> str:
    """Date and local time span of a meeting, with its timezone."""
    if meeting.all_day:
        last = (meeting.end - dt.timedelta(days=1)).date()
        text = long_date(meeting.start.date(), lang)
        if last != meeting.start.date():
            text += " – " + long_date(last, lang)
        return f"{text} ({WORDS[lang]['all_day']})"
    span = f"{meeting.start:%H:%M}–{meeting.end:%H:%M}"
    return f"{long_date(meeting.start.date(), lang)}, {span} ({meeting.start.tzname()})"


def names(cluster: Cluster, ids: tuple[str, ...], lang: str) -> str:
    """People and organisations by name; a person with their employer in brackets."""
    out = []
    for ident in ids:
        name = cluster.name_of(ident, lang)
        obj = cluster.get(ident) if ident in cluster else None
        employers = obj.employers() if obj is not None and hasattr(obj, "employers") else ()
        if employers:
            name += f" ({', '.join(cluster.name_of(e, lang) for e in employers)})"
        out.append(name)
    return ", ".join(out)


def venue_label(cluster: Cluster, venue: str | None, lang: str) -> str | None:
    """``Canopé, Chaumont``: a venue with the commune it is in."""
    if venue is None:
        return None
    label = cluster.name_of(venue, lang)
    place = cluster.get(venue) if venue in cluster else None
    within = getattr(place, "within", None)
    if within:
        label += f", {cluster.name_of(within, lang)}"
    return label


def meeting_line(cluster: Cluster, meeting: Meeting, lang: str) -> str:
    """One line for a listing of meetings."""
    words = WORDS[lang]
    start = f"{meeting.start:%Y-%m-%d %H:%M}"
    if meeting.all_day:
        last = (meeting.end - dt.timedelta(days=1)).date()
        days = f"{meeting.start:%Y-%m-%d}"
        if last != meeting.start.date():
            days += f" – {last:%Y-%m-%d}"
        start = f"{days} ({words['all_day']})"
    parts = [start, meeting.title.get(lang)]
    if meeting.topic:
        parts.append(meeting.topic.get(lang))
    elif meeting.series is not None:  # a one-off event has no separate programme
        parts.append(f"({words['not_announced']})")
    if meeting.speakers:
        parts.append(f"{words['speakers']}{colon(lang)}{names(cluster, meeting.speakers, lang)}")
    venue = venue_label(cluster, meeting.venue, lang)
    if venue:
        parts.append(venue)
    line = " | ".join(parts)
    if meeting.holiday:
        line += f"  [{words['holiday']}{colon(lang)}{meeting.holiday.get(lang)}]"
    if meeting.cancelled:
        line += f"  [{words['cancelled']}]"
    return line


def wrap(lines: list[str], width: int | None) -> str:
    """``lines`` joined, each wrapped at ``width`` columns (continued two columns further in)."""
    if width is None:
        return "\n".join(lines)
    out: list[str] = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip(" ")))
        # French puts a space before a colon: keep it with the word before (a no-break space).
        kept = line.replace(" :", "\u00a0:")
        parts = textwrap.wrap(kept, width, subsequent_indent=indent + "  ", break_on_hyphens=False)
        out.extend(part.replace("\u00a0:", " :") for part in parts or [""])
    return "\n".join(out)


def meeting_block(cluster: Cluster, meeting: Meeting, lang: str, width: int | None = None) -> str:
    """A few lines describing one meeting in full, wrapped at ``width`` columns if given."""
    words = WORDS[lang]
    lines = [meeting.title.get(lang), when(meeting, lang)]
    if meeting.cancelled:
        lines.append(words["cancelled"])
    if meeting.holiday:
        lines.append(f"{words['holiday']}{colon(lang)}{meeting.holiday.get(lang)}")
    if meeting.topic or meeting.series is not None:
        topic = meeting.topic.get(lang) if meeting.topic else words["not_announced"]
        lines.append(f"{words['topic']}{colon(lang)}{topic}")
    if meeting.speakers:
        lines.append(f"{words['speakers']}{colon(lang)}{names(cluster, meeting.speakers, lang)}")
    if meeting.testimonies:
        lines.append(
            f"{words['testimonies']}{colon(lang)}{names(cluster, meeting.testimonies, lang)}"
        )
    venue = venue_label(cluster, meeting.venue, lang)
    if venue:
        lines.append(f"{words['venue']}{colon(lang)}{venue}")
    note = meeting.override.note if meeting.override is not None else None
    if note is not None:
        lines.append(f"{words['note']}{colon(lang)}{note.get(lang)}")
    return wrap(lines, width)


_MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "members": ("Membres", "Members"),
    "jobs": ("Effectif", "Workforce"),
    "revenue": ("Chiffre d’affaires", "Revenue"),
    "multinationals": ("Multinationales", "Multinationals"),
    "share-of-members": ("Part des adhérents de {cluster}", "Share of {cluster}’s members"),
}

_UNIT_LABELS: dict[str, tuple[str, str]] = {
    "companies": ("entreprises", "companies"),
    "jobs": ("emplois", "jobs"),
}

_QUALIFIERS: dict[str, tuple[str, str]] = {
    "exact": ("", ""),
    "about": ("environ ", "about "),
    "more-than": ("plus de ", "more than "),
}

_SUMMARY_WORDS = {
    "fr": {
        "founded": "Fondé",
        "legal_form": "Forme juridique",
        "organisations": "Organisations",
        "members": "Adhérents connus",
        "no_members": "aucun nommé dans les données",
        "sectors": "Secteurs",
        "places": "Lieux",
        "people": "Personnes",
        "series": "Séries de rencontres",
        "events": "Événements",
        "milestones": "Jalons",
        "projects": "Projets",
        "discrepancies": "Divergences entre les sources",
        "board": "Bureau :",
        "sub_clusters": "Sous-clusters :",
        "formerly": "anciennement",
        "commissions": "Commissions :",
        "key_figures": "Chiffres clés :",
        "source": "source",
        "sources": "sources",
    },
    "en": {
        "founded": "Founded",
        "legal_form": "Legal form",
        "organisations": "Organisations",
        "members": "Members",
        "no_members": "none named in the data",
        "sectors": "Sectors",
        "places": "Places",
        "people": "People",
        "series": "Meeting series",
        "events": "Events",
        "milestones": "Milestones",
        "projects": "Projects",
        "discrepancies": "Disagreements between sources",
        "board": "Board:",
        "sub_clusters": "Sub-clusters:",
        "formerly": "formerly",
        "commissions": "Commissions:",
        "key_figures": "Key figures:",
        "source": "source",
        "sources": "sources",
    },
}

_WRAP = 88
"""Columns the summary is wrapped at unless told otherwise."""


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def number(value: float, lang: str) -> str:
    """``3 000`` / ``3,000``; ``2,5`` / ``2.5``: digits grouped by thousands, at most 2 decimals."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def money(value: float, lang: str) -> str:
    """An amount in euros the way people write it: ``300 M€``, ``1,2 Md€``, ``45 000 €``."""
    if abs(value) >= 1e9:
        return f"{number(value / 1e9, lang)} {'bn€' if lang == 'en' else 'Md€'}"
    if abs(value) >= 1e6:
        return f"{number(value / 1e6, lang)} M€"
    return f"{number(value, lang)} €"


def figure_value(figure: KeyFigure, lang: str) -> str:
    """``plus de 300 M€``, ``environ 50 entreprises``, ``55 %``: a key figure's value."""
    qualifier = _pick(_QUALIFIERS[figure.qualifier], lang)
    if figure.unit == "EUR":
        amount = money(figure.value, lang)
    elif figure.unit == "percent":
        amount = f"{number(figure.value, lang)}{'%' if lang == 'en' else ' %'}"
    else:
        unit = _UNIT_LABELS.get(figure.unit)
        amount = f"{number(figure.value, lang)} {_pick(unit, lang) if unit else figure.unit}"
    return qualifier + amount


def figure_line(cluster: Cluster, figure: KeyFigure, lang: str) -> str:
    """``Chiffre d’affaires: plus de 300 M€ (source: seed-001)``: a key figure in one line."""
    words = _SUMMARY_WORDS[lang]
    label = _pick(_MEASURE_LABELS[figure.measure], lang).format(cluster=cluster.name)
    text = f"{label}{colon(lang)}{figure_value(figure, lang)}"
    notes = []
    if figure.year:
        notes.append(str(figure.year))
    if figure.sources:
        word = words["sources"] if len(figure.sources) > 1 else words["source"]
        notes.append(f"{word}{colon(lang)}{', '.join(figure.sources)}")
    if notes:
        text += f" ({'; '.join(notes)})"
    return text


def _board_lines(cluster: Cluster, lang: str) -> list[str]:
    lines = []
    for person, kind in cluster.board():
        role = next(r for r in person.roles if r.of == cluster.id and r.kind == kind)
        lines.append(f"  {role.label(lang)}{colon(lang)}{names(cluster, (person.id,), lang)}")
        if role.note is not None:
            lines.append(f"    {role.note.get(lang)}")
    return lines


def _sub_cluster_line(sub: SubCluster, lang: str) -> str:
    words = _SUMMARY_WORDS[lang]
    text = f"  {sub.name}"
    if sub.expansion:
        text += f" ({sub.expansion.get(lang)})"
    former = ", ".join(f.name for f in sub.former_names)
    if former:
        text += f" ({words['formerly']} {former})"
    if sub.focus:
        text += f"{colon(lang)}{sub.focus.get(lang)}"
    return text


def summary(cluster: Cluster, lang: str, width: int | None = None) -> str:
    """A readable summary of the cluster for ``nogentech info``.

    With ``width``, every line is wrapped at that many columns; without, only the
    description is, at 88.
    """
    words = _SUMMARY_WORDS[lang]
    lines = [cluster.name]
    if cluster.full_name:
        lines[0] += f" — {cluster.full_name.get(lang)}"
    if cluster.description:
        lines.extend(textwrap.wrap(cluster.description.get(lang), width or _WRAP))
    if cluster.founded:
        lines.append(f"{words['founded']}{colon(lang)}{cluster.founded}")
    if cluster.legal_form:
        lines.append(f"{words['legal_form']}{colon(lang)}{cluster.legal_form.get(lang)}")
    lines.append("")
    members = len(cluster.members())
    counts = [
        ("organisations", len(cluster.companies)),
        ("members", members or words["no_members"]),
        ("sectors", len(cluster.sectors)),
        ("places", len(cluster.places)),
        ("people", len(cluster.people)),
        ("series", len(cluster.meeting_series)),
        ("events", len(cluster.events)),
        ("milestones", len(cluster.milestones)),
        ("projects", len(cluster.projects)),
        ("discrepancies", len(cluster.discrepancies)),
    ]
    lines.extend(f"  {words[key]}{colon(lang)}{n}" for key, n in counts)
    board = _board_lines(cluster, lang)
    if board:
        lines.extend(["", words["board"], *board])
    if cluster.sub_clusters:
        lines.extend(["", words["sub_clusters"]])
        lines.extend(_sub_cluster_line(sub, lang) for sub in cluster.sub_clusters)
    if cluster.commissions:
        lines.extend(["", words["commissions"]])
        lines.extend(f"  {c.name.get(lang)}" for c in cluster.commissions)
    if cluster.key_figures:
        lines.extend(["", words["key_figures"]])
        subjects = list(dict.fromkeys(fig.subject for fig in cluster.key_figures))
        for subject in subjects:
            lines.append(f"  {cluster.name_of(subject, lang)}")
            lines.extend(
                f"    {figure_line(cluster, fig, lang)}"
                for fig in cluster.key_figures
                if fig.subject == subject
            )
    return wrap(lines, width)
