"""Readable text for people: dates, meetings and the cluster summary (used by the CLI)."""

from __future__ import annotations

import datetime as dt

from .cluster import Cluster
from .meetings import Meeting

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
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
    },
}


def long_date(day: dt.date, lang: str) -> str:
    """``jeudi 12 octobre 2023`` / ``Thursday 12 October 2023``."""
    return f"{_DAYS[lang][day.weekday()]} {day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


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
        start = f"{meeting.start:%Y-%m-%d} ({words['all_day']})"
    parts = [start, meeting.title.get(lang)]
    if meeting.topic:
        parts.append(meeting.topic.get(lang))
    elif meeting.series is not None:  # a one-off event has no separate programme
        parts.append(f"({words['not_announced']})")
    venue = venue_label(cluster, meeting.venue, lang)
    if venue:
        parts.append(venue)
    line = " | ".join(parts)
    if meeting.holiday:
        line += f"  [{words['holiday']}: {meeting.holiday.get(lang)}]"
    if meeting.cancelled:
        line += f"  [{words['cancelled']}]"
    return line


def meeting_block(cluster: Cluster, meeting: Meeting, lang: str) -> str:
    """A few lines describing one meeting in full."""
    words = WORDS[lang]
    lines = [meeting.title.get(lang), when(meeting, lang)]
    if meeting.cancelled:
        lines.append(words["cancelled"])
    if meeting.holiday:
        lines.append(f"{words['holiday']}: {meeting.holiday.get(lang)}")
    if meeting.topic or meeting.series is not None:
        topic = meeting.topic.get(lang) if meeting.topic else words["not_announced"]
        lines.append(f"{words['topic']}: {topic}")
    if meeting.speakers:
        lines.append(f"{words['speakers']}: {names(cluster, meeting.speakers, lang)}")
    if meeting.testimonies:
        lines.append(f"{words['testimonies']}: {names(cluster, meeting.testimonies, lang)}")
    venue = venue_label(cluster, meeting.venue, lang)
    if venue:
        lines.append(f"{words['venue']}: {venue}")
    return "\n".join(lines)


def summary(cluster: Cluster, lang: str) -> str:
    """A readable summary of the cluster for ``nogentech info``."""
    en = lang == "en"
    lines = [cluster.name]
    if cluster.full_name:
        lines[0] += f" — {cluster.full_name.get(lang)}"
    if cluster.description:
        lines.append(cluster.description.get(lang))
    if cluster.founded:
        lines.append(f"{'Founded' if en else 'Fondé'}: {cluster.founded}")
    lines.append("")
    counts = [
        ("Organisations", len(cluster.companies)),
        ("Members" if en else "Adhérents connus", len(cluster.members())),
        ("Sectors" if en else "Secteurs", len(cluster.sectors)),
        ("Places" if en else "Lieux", len(cluster.places)),
        ("People" if en else "Personnes", len(cluster.people)),
        ("Meeting series" if en else "Séries de rencontres", len(cluster.meeting_series)),
        ("Events" if en else "Événements", len(cluster.events)),
        ("Milestones" if en else "Jalons", len(cluster.milestones)),
    ]
    lines.extend(f"  {label}: {n}" for label, n in counts)
    board = cluster.board()
    if board:
        lines.append("")
        lines.append("Board:" if en else "Bureau :")
        for person, kind in board:
            lines.append(f"  {kind}: {names(cluster, (person.id,), lang)}")
    if cluster.sub_clusters:
        lines.append("")
        lines.append("Sub-clusters:" if en else "Sous-clusters :")
        for sub in cluster.sub_clusters:
            former = ", ".join(f.name for f in sub.former_names)
            text = f"  {sub.name}"
            if former:
                text += f" ({'formerly' if en else 'anciennement'} {former})"
            if sub.focus:
                text += f": {sub.focus.get(lang)}"
            lines.append(text)
    if cluster.commissions:
        lines.append("")
        lines.append("Commissions:" if en else "Commissions :")
        lines.extend(f"  {c.name.get(lang)}" for c in cluster.commissions)
    if cluster.key_figures:
        lines.append("")
        lines.append("Key figures:" if en else "Chiffres clés :")
        for fig in cluster.key_figures:
            label = fig.label.get(lang) if fig.label else fig.measure
            qual = {"more-than": "> ", "about": "~ ", "exact": ""}[fig.qualifier]
            value = f"{fig.value:g}"
            when_ = f" ({fig.year})" if fig.year else ""
            lines.append(
                f"  {cluster.name_of(fig.subject, lang)} — {label}: {qual}{value} {fig.unit}{when_}"
            )
    return "\n".join(lines)
