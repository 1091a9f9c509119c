"""Build a static HTML member directory from the JSON export of a cluster.

    python examples/member_directory.py -o directory.html
    python examples/member_directory.py -o directory.html --lang en --data my-cluster.toml

The page lists every organisation with its sectors and commune, grouped by
sub-cluster; organisations outside every sub-cluster come last. It reads only
the JSON document that ``nogentech.export(cluster, "json")`` produces — what a
web front-end would receive — and writes one self-contained file (no script,
no external style sheet), with every text escaped.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import nogentech

WORDS = {
    "fr": {
        "title": "Annuaire des organisations",
        "organisation": "Organisation",
        "sectors": "Secteurs",
        "commune": "Commune",
        "others": "Autres organisations",
        "count": "{n} organisation(s)",
        "unknown": "—",
    },
    "en": {
        "title": "Directory of organisations",
        "organisation": "Organisation",
        "sectors": "Sectors",
        "commune": "Commune",
        "others": "Other organisations",
        "count": "{n} organisation(s)",
        "unknown": "—",
    },
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1d1d1f; }
h1 { font-size: 1.8rem; }
h2 { margin-top: 2.5rem; border-bottom: 2px solid #3f51b5; padding-bottom: .25rem; }
p.focus { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd;
         vertical-align: top; }
th { background: #f3f4fa; }
"""


def text(value: Mapping[str, str] | str | None, lang: str) -> str:
    """A bilingual ``{"fr": …, "en": …}`` value in ``lang``, else in the other language."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    other = "fr" if lang == "en" else "en"
    return value.get(lang) or value.get(other) or ""


def communes(company: Mapping[str, Any], places: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Ids of the communes a company is in: its places, or the commune around each."""
    found: list[str] = []
    for ident in company.get("places", []):
        seen: set[str] = set()
        while ident in places and ident not in seen:
            seen.add(ident)
            place = places[ident]
            if place.get("kind") == "commune":
                if ident not in found:
                    found.append(ident)
                break
            ident = place.get("within")
    return found


def rows(members: Iterable[Mapping[str, Any]], document: Mapping[str, Any], lang: str) -> list[str]:
    """One table row per organisation: name, sectors, communes — all escaped."""
    sectors = {s["id"]: text(s["name"], lang) for s in document.get("sectors", [])}
    places = {p["id"]: p for p in document.get("places", [])}
    unknown = WORDS[lang]["unknown"]
    out = []
    for company in members:
        sector_names = ", ".join(sectors.get(i, i) for i in company.get("sectors", []))
        commune_names = ", ".join(text(places[i]["name"], lang) for i in communes(company, places))
        out.append(
            "<tr>"
            f'<td class="name">{html.escape(company["name"])}</td>'
            f'<td class="sectors">{html.escape(sector_names or unknown)}</td>'
            f'<td class="commune">{html.escape(commune_names or unknown)}</td>'
            "</tr>"
        )
    return out


def section(
    ident: str,
    heading: str,
    focus: str,
    members: list[Mapping[str, Any]],
    document: Mapping[str, Any],
    lang: str,
) -> str:
    """A ``<section>`` with a heading and a table of ``members``."""
    words = WORDS[lang]
    parts = [
        f'<section id="{html.escape(ident)}">',
        f"<h2>{html.escape(heading)}</h2>",
    ]
    if focus:
        parts.append(f'<p class="focus">{html.escape(focus)}</p>')
    parts.append(f"<p>{html.escape(words['count'].format(n=len(members)))}</p>")
    parts.append("<table>")
    parts.append(
        f"<thead><tr><th>{html.escape(words['organisation'])}</th>"
        f"<th>{html.escape(words['sectors'])}</th>"
        f"<th>{html.escape(words['commune'])}</th></tr></thead>"
    )
    parts.append("<tbody>")
    parts.extend(rows(members, document, lang))
    parts.append("</tbody></table></section>")
    return "\n".join(parts)


def render(document: Mapping[str, Any], lang: str) -> str:
    """The whole HTML page for a cluster's JSON ``document``."""
    words = WORDS[lang]
    companies = {c["id"]: c for c in document.get("companies", [])}
    grouped: set[str] = set()
    sections = []
    for sub in document.get("sub_clusters", []):
        members = [companies[i] for i in sub.get("members", []) if i in companies]
        grouped.update(c["id"] for c in members)
        sections.append(
            section(
                f"sub-cluster-{sub['id']}",
                sub["name"],
                text(sub.get("focus"), lang),
                members,
                document,
                lang,
            )
        )
    others = [c for c in document.get("companies", []) if c["id"] not in grouped]
    if others:
        sections.append(section("others", words["others"], "", others, document, lang))
    title = f"{document['name']} — {words['title']}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{html.escape(lang)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            f"<h1>{html.escape(title)}</h1>",
            *sections,
            "</body>",
            "</html>",
            "",
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("member-directory.html"),
        help="HTML file to write (default: member-directory.html)",
    )
    parser.add_argument("--data", metavar="FILE", help="cluster file (default: built-in data)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        document = json.loads(nogentech.export(nogentech.load(args.data), "json"))
    except nogentech.NogentechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(document, args.lang), encoding="utf-8")
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
