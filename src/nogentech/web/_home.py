"""The part of the page people come for: the next meetings, above the subscription links.

Each meeting shows its date and time in the page's language, its topic, speakers,
testimonies and venue, and an "add to my calendar" link to ``/meetings/{id}.ics``.
The page also embeds the cluster's schema.org JSON-LD. Everything is escaped; no
external resource is used.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

from ..text import long_date

if TYPE_CHECKING:
    from ..cluster import Cluster

SHOWN = 6
"""How many meetings the page lists at most."""

WORDS = {
    "fr": {
        "upcoming": "Prochaines rencontres",
        "none": "Aucune rencontre n’est prévue pour l’instant.",
        "add": "Ajouter à mon agenda",
        "speakers": "Intervenants",
        "testimonies": "Témoignages",
        "venue": "Lieu",
        "cancelled": "Annulée",
        "holiday": "Jour férié",
        "all_day": "toute la journée",
        "to_come": "Programme à venir",
        "colon": " : ",
        "developers": "Pour les développeurs",
        "dev-schema": "Le schéma JSON de /meetings.json",
        "dev-openapi": "La description OpenAPI de toutes les adresses",
    },
    "en": {
        "upcoming": "Upcoming meetings",
        "none": "No meeting is planned yet.",
        "add": "Add to my calendar",
        "speakers": "Speakers",
        "testimonies": "Testimonies",
        "venue": "Venue",
        "cancelled": "Cancelled",
        "holiday": "Public holiday",
        "all_day": "all day",
        "to_come": "Programme to be announced",
        "colon": ": ",
        "developers": "For developers",
        "dev-schema": "The JSON Schema of /meetings.json",
        "dev-openapi": "The OpenAPI description of every route",
    },
}

STYLE = (
    ".meetings{list-style:none;padding:0}"
    ".meeting{border:1px solid #767676;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}"
    ".meeting h3{margin:0 0 .25rem;font-size:1.1rem}"
    ".meeting p{margin:.25rem 0}"
    ".when{font-weight:600}.nowrap{white-space:nowrap}"
    ".cancelled{color:#a00000;font-weight:700}"
    ".add{display:inline-block;margin-top:.5rem;padding:.4rem .8rem;border-radius:.4rem;"
    "background:#0b4f8a;color:#fff;text-decoration:none;font-weight:600}"
    ".add:hover,.add:focus{background:#073560;color:#fff}"
    "a:focus-visible{outline:3px solid #f5a300;outline-offset:2px}"
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
    "clip:rect(0,0,0,0);white-space:nowrap;border:0}"
    "@media (max-width:30rem){body{margin:1rem auto}.add{display:block;text-align:center}}"
)
"""The page's extra rules: cards, a high-contrast button, visible focus, a phone layout."""


def today(cluster: Cluster) -> dt.date:
    """Today in the cluster's timezone: the page lists meetings from this day on."""
    from ..exporters.occurrences import today as cluster_today

    return cluster_today(cluster)


def _when(data: dict[str, Any], lang: str) -> tuple[str, str]:
    """(text, machine-readable datetime) of a meeting's date and time."""
    start = dt.datetime.fromisoformat(data["start"])
    end = dt.datetime.fromisoformat(data["end"])
    if data["all_day"]:
        last = (end - dt.timedelta(days=1)).date()
        text = long_date(start.date(), lang)
        if last != start.date():
            text += " – " + long_date(last, lang)
        return f"{text} ({WORDS[lang]['all_day']})", start.date().isoformat()
    return f"{long_date(start.date(), lang)}, {start:%H:%M}–{end:%H:%M}", data["start"]


def _unbroken(when: str) -> str:
    """The escaped date with its time span kept on one line (``08:30–10:30``)."""
    day, sep, span = when.rpartition(", ")
    if not sep:
        return html.escape(when)
    return f'{html.escape(day)}, <span class="nowrap">{html.escape(span)}</span>'


def _meeting(data: dict[str, Any], root: str, lang: str) -> str:
    e = html.escape
    words = WORDS[lang]
    when, stamp = _when(data, lang)
    title = data["topic"] or data["title"]
    parts = [
        f'<li class="meeting" id="meeting-{e(data["id"])}">',
        f'<h3><time datetime="{e(stamp)}" class="when">{_unbroken(when)}</time></h3>',
    ]
    if data["status"] == "cancelled":
        parts.append(f'<p class="cancelled">{words["cancelled"]}</p>')
    parts.append(f"<p><strong>{e(title)}</strong>")
    if data["topic"]:
        parts.append(f"<br>{e(data['title'])}")
    elif data["series"] is not None:
        parts.append(f"<br>{words['to_come']}")
    parts.append("</p>")
    for key in ("speakers", "testimonies"):
        if data[key]:
            names = ", ".join(e(w["name"]) for w in data[key])
            parts.append(f"<p>{words[key]}{words['colon']}{names}</p>")
    venue = data["venue"]
    if venue:
        place = f", {e(venue['place']['name'])}" if venue["place"] else ""
        parts.append(f"<p>{words['venue']}{words['colon']}{e(venue['name'])}{place}</p>")
    if data["holiday"]:
        parts.append(f"<p>{words['holiday']}{words['colon']}{e(data['holiday'])}</p>")
    ics = f"{root}/meetings/{data['id']}.ics?lang={lang}"
    hidden = f"{words['colon']}{e(title)}, {e(when)}"
    parts.append(
        f'<a class="add" href="{e(ics)}">{words["add"]}<span class="sr-only">{hidden}</span></a>'
    )
    parts.append("</li>")
    return "\n".join(parts)


def sections(cluster: Cluster, root: str, lang: str, day: dt.date) -> tuple[str, str, str]:
    """The page's parts: the upcoming meetings (above the subscription links), the links
    for developers (below them) and the ``<head>`` lines with the JSON-LD."""
    from ..exporters.jsonld import script
    from ..exporters.occurrences import document

    words = WORDS[lang]
    data = document(cluster, {"lang": lang, "from": day})
    shown = data["meetings"][:SHOWN]
    e = html.escape
    if shown:
        items = "\n".join(_meeting(m, root, lang) for m in shown)
        listing = f'<ol class="meetings">\n{items}\n</ol>\n'
    else:
        listing = f"<p>{words['none']}</p>\n"
    links = [
        (f"{root}/schema/meetings.schema.json", words["dev-schema"]),
        (f"{root}/openapi.json", words["dev-openapi"]),
    ]
    developers = "\n".join(f'<li><a href="{e(url)}">{e(text)}</a></li>' for url, text in links)
    before = (
        f'<section aria-labelledby="upcoming">\n<h2 id="upcoming">{words["upcoming"]}</h2>\n'
        f"{listing}</section>\n"
    )
    after = (
        f'<section aria-labelledby="developers">\n<h2 id="developers">{words["developers"]}</h2>\n'
        f"<ul>\n{developers}\n</ul>\n</section>\n"
    )
    # Relative links (no known address) leave the ids relative to the page itself.
    absolute = root.startswith(("http://", "https://"))
    ld = script(cluster, {"lang": lang, **({"base_url": root + "/"} if absolute else {})})
    head = f'<script type="application/ld+json">{ld}</script>\n'
    return before, after, head
