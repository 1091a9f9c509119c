"""Realistic synthetic clusters at any scale, for benchmarks and stress tests.

:func:`generate` returns plain data (a dict of lists, dates as ISO strings) that
``nogentech.from_dict`` reads: places nested from the country down to meeting
venues, a sector taxonomy, companies, sub-clusters, commissions, people with their
roles, meeting series with RFC 5545 rules, overrides and cancelled dates, one-off
events, milestones, key figures, projects and discrepancies. French text carries
accents, commas, semicolons, quotes and line breaks, so exporters have to escape.

The same arguments and seed always give the same data::

    python benchmarks/synthetic.py --companies 10000 --series 1000 --seed 1 -o big.json
    python benchmarks/synthetic.py --companies 200 --series 20 -o small.toml
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dateutil.rrule import rrule, rrulestr

__all__ = ["generate", "rule_dates", "to_json", "to_toml", "write"]

CLUSTER_ID = "synthetech"

# -- vocabulary ------------------------------------------------------------------

_TRADES = (
    ("forge", "Forge et estampage", "Forging and stamping"),
    ("fonderie", "Fonderie d'acier, de fonte et d'alliages", "Steel, iron and alloy foundry"),
    ("usinage", "Usinage de précision", "Precision machining"),
    ("decolletage", "Décolletage", "Bar turning"),
    ("traitement-thermique", "Traitements thermiques et de surface", "Heat and surface treatment"),
    ("chaudronnerie", "Chaudronnerie, tôlerie", "Boilermaking and sheet metal"),
    ("outillage", "Outillage, moules et matrices", "Tooling, moulds and dies"),
    ("coutellerie", "Coutellerie", "Cutlery"),
    ("plasturgie", "Plasturgie", "Plastics processing"),
    ("fabrication-additive", "Fabrication additive métallique", "Metal additive manufacturing"),
    ("soudage", "Soudage, assemblage", "Welding and assembly"),
    ("controle", "Contrôle non destructif", "Non-destructive testing"),
)
_MARKETS = (
    ("aeronautique", "Aéronautique et spatial", "Aerospace"),
    ("medical", "Médical : implants, ancillaires", "Medical: implants and instruments"),
    ("ferroviaire", "Ferroviaire", "Railways"),
    ("automobile", "Automobile, poids lourds", "Cars and trucks"),
    ("energie", "Énergie, nucléaire", "Energy, nuclear"),
    ("agricole", "Machinisme agricole", "Agricultural machinery"),
    ("defense", "Défense", "Defence"),
    ("luxe", "Luxe et arts de la table", "Luxury and tableware"),
    ("btp", "Bâtiment, travaux publics", "Building and civil engineering"),
    ("oil-gas", "Pétrole et gaz", "Oil and gas"),
)
_SERVICES = (
    ("formation", "Formation, apprentissage", "Training and apprenticeships"),
    ("recherche", "Recherche et développement", "Research and development"),
    ("conseil", "Conseil, ingénierie", "Consulting and engineering"),
    ("financement", "Financement, capital-risque", "Financing and venture capital"),
    ("logistique", "Logistique", "Logistics"),
)
_SUB_SECTORS = {
    "forge": (("forge-libre", "Forge libre", None), ("matricage", "Matriçage à chaud", None)),
    "medical": (
        ("implants-orthopediques", "Implants orthopédiques", "Orthopaedic implants"),
        ("instruments-chirurgicaux", "Instruments chirurgicaux", "Surgical instruments"),
    ),
    "aeronautique": (("moteurs", "Pièces de moteurs", "Engine parts"),),
}
_TRADE_WORDS = (
    "Forges",
    "Fonderie",
    "Usinage",
    "Établissements",
    "Ateliers",
    "Coutellerie",
    "Mécanique",
    "Décolletage",
    "Traitements thermiques",
    "Outillage",
    "Chaudronnerie",
    "Métallerie",
    "Estampage",
    "Aciéries",
    "Trempe",
)
_SURNAMES = (
    "Lefèvre",
    "Gérard",
    "Bézier",
    "Mathé",
    "Noël",
    "Chrétien",
    "Hénault",
    "Laurençon",
    "Delétang",
    "Pétin",
    "Roussel",
    "Aubé",
    "Thévenin",
    "Guérin",
    "Béguin",
    "Mézières",
    "Faÿ",
    "Lacôte",
    "Dupré",
    "Séverin",
    "Marchal",
    "Collot",
    "Périn",
    "Bœuf",
)
_FIRST_NAMES = (
    "Jérôme",
    "Hélène",
    "François",
    "Cécile",
    "Noël",
    "Loïc",
    "Anaïs",
    "Thérèse",
    "Benoît",
    "Maëlle",
    "Gaëtan",
    "Élodie",
    "Stéphane",
    "Agnès",
    "Rémi",
    "Frédérique",
    "Zoé",
    "Joël",
)
_BODIES = ("Lycée", "Agence", "Centre", "Chambre")
_LEGAL = ("", "", " SAS", " SA", " SARL", " & Fils", " Industrie", " Group")
_COMMUNE_BASES = (
    "Nogent",
    "Chaumont",
    "Langres",
    "Biesles",
    "Froncles",
    "Bologne",
    "Poulangy",
    "Mandres",
    "Vesaignes",
    "Esnouveaux",
    "Sarcey",
    "Ageville",
    "Thivet",
    "Marnay",
    "Rolampont",
    "Chézeaux",
    "Éclaron",
    "Fayl-Billot",
    "Andelot",
    "Brethenay",
    "Bourdons",
    "Vignory",
    "Doulaincourt",
    "Joinville",
)
_COMMUNE_PREFIXES = ("", "", "", "Saint-", "Sainte-", "Le ", "La ", "Val-de-")
_COMMUNE_SUFFIXES = ("", "", "-sur-Marne", "-en-Bassigny", "-la-Côte", "-le-Haut", "-lès-Bois")
_VENUE_WORDS = (
    "Salle des fêtes",
    "Pôle technologique",
    "Espace Belle Époque",
    "Maison de l'entreprise",
    "Lycée des métiers",
    "Atelier-école",
    "Hôtel de ville",
)
_TOPICS = (
    ("La fabrication additive, où en est-on ?", "Additive manufacturing: where are we?"),
    ("Recruter et fidéliser ; l'apprentissage", "Hiring and keeping staff; apprenticeships"),
    ("Décarboner la forge, le traitement thermique", "Decarbonising forging and heat treatment"),
    ("Cybersécurité des PME industrielles", "Cyber security for industrial SMEs"),
    ("Normes ISO 13485, audits « MDR »", 'ISO 13485, "MDR" audits'),
    ("Prix de l'énergie : que faire ?", "Energy prices: what to do?"),
    ("Visite d'usine, démonstrations", "Factory visit, demonstrations"),
    ("Robotique collaborative", None),
    ("Export : salons, aides, réseaux", "Export: fairs, grants, networks"),
    ("Intelligence artificielle et contrôle qualité", "AI and quality control"),
)
_SENTENCES = (
    "Pièces forgées, matricées ; usinage de finition.",
    "Certifiée EN 9100, ISO 13485 ; 45 salariés, dont 6 apprentis.",
    "Entreprise familiale fondée en 1872, reprise en 2019.",
    "Spécialiste des aciers inoxydables, du titane et des superalliages.",
    "Présente sur les marchés « médical » et aéronautique ; export : 40 %.",
    "Séries de 10 à 100 000 pièces, prototypes, petites séries.",
    "Laboratoire intégré : métallographie, dureté, essais de traction.",
    "Membre fondateur ; accueille régulièrement les rencontres du pôle.",
    "Investissement récent : presse à vis de 2 500 t, four sous vide.",
    "Démarche RSE engagée, économie d'énergie ; label « Lucie ».",
)
_SENTENCES_EN = (
    "Forged and die-forged parts; finish machining.",
    "EN 9100 and ISO 13485 certified; 45 staff, including 6 apprentices.",
    "Family business founded in 1872, taken over in 2019.",
    "Specialist in stainless steel, titanium and superalloys.",
)
_SERIES_NAMES = (
    ("Petit-déjeuner des adhérents", "Members' breakfast"),
    ("Rencontre « Jeudi de l'industrie »", '"Industry Thursday" meeting'),
    ("Atelier RH, recrutement", "HR and hiring workshop"),
    ("Club qualité ; normes, audits", "Quality club: standards and audits"),
    ("Commission formation", "Training commission"),
    ("Réunion du bureau", "Board meeting"),
    ("Café technique", "Tech coffee"),
    ("Afterwork des dirigeants", "Managers' afterwork"),
)
RULES: tuple[tuple[str, int], ...] = (
    ("FREQ=MONTHLY;BYDAY=2TH", 6),
    ("FREQ=MONTHLY;BYDAY=-1FR", 4),
    ("FREQ=WEEKLY;INTERVAL=2", 2),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", 2),
    ("FREQ=MONTHLY;BYDAY=1TU", 3),
    ("FREQ=MONTHLY;BYMONTHDAY=15", 2),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=3WE", 2),
    ("FREQ=MONTHLY;BYDAY=1MO,3MO", 1),
    ("FREQ=YEARLY;BYMONTH=6;BYDAY=2WE", 1),
    ("FREQ=WEEKLY;BYDAY=WE", 1),
    ("FREQ=MONTHLY;BYDAY=2TH;UNTIL=20301231", 1),
    ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=60", 1),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", 1),
)
"""RRULE values and their weights: most series are monthly, a few weekly or yearly."""

_DURATIONS = ("PT1H", "PT1H30M", "PT2H", "PT2H", "PT3H", "PT45M")
_START_TIMES = ("08:00", "08:30", "09:00", "12:00", "14:00", "17:30", "18:00", "18:30")
_ZONES = (("Europe/Paris", "FR"),) * 9 + (("Europe/Brussels", "BE"),)
_MILESTONE_KINDS = ("label", "prize", "foundation", "creation", "rename", "election", "action")


# -- helpers ----------------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


class _Ids:
    """Unique slugs across the whole cluster: a repeat gets ``-2``, ``-3``…"""

    def __init__(self) -> None:
        self._used: set[str] = {CLUSTER_ID}

    def new(self, text: str) -> str:
        base = _ascii_slug(text)[:60].strip("-")
        ident, n = base, 1
        while ident in self._used:
            n += 1
            ident = f"{base}-{n}"
        self._used.add(ident)
        return ident


def _text(fr: str, en: str | None = None) -> dict[str, str] | str:
    return {"fr": fr, "en": en} if en else fr


def _stamp(day: dt.date, rng: random.Random) -> str:
    """An aware ISO date-time on ``day``, with the French offset of that season."""
    offset = "+02:00" if 4 <= day.month <= 10 else "+01:00"
    clock = f"{rng.randint(7, 19):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"
    return f"{day.isoformat()}T{clock}{offset}"


def _partial(rng: random.Random, lo: int, hi: int) -> str:
    year = rng.randint(lo, hi)
    precision = rng.random()
    if precision < 0.4:
        return f"{year}"
    if precision < 0.7:
        return f"{year}-{rng.randint(1, 12):02d}"
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def _description(rng: random.Random, bilingual: bool) -> dict[str, str] | str:
    lines = rng.sample(_SENTENCES, rng.randint(1, 3))
    fr = lines[0] + ("\n" + " ".join(lines[1:]) if len(lines) > 1 else "")
    return _text(fr, rng.choice(_SENTENCES_EN) if bilingual else None)


def _some(rng: random.Random, pool: Sequence[str], lo: int, hi: int) -> list[str]:
    return rng.sample(pool, min(len(pool), rng.randint(lo, hi))) if pool else []


def _weighted_rules(rng: random.Random, n: int) -> list[str]:
    rules = [r for r, _ in RULES]
    weights = [w for _, w in RULES]
    return rng.choices(rules, weights, k=n)


def _plain_rule(rule: str) -> str:
    """``rule`` with a date UNTIL read as that day's end, for naive dateutil arithmetic."""
    return re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T235959", rule)


def rule_dates(rule: str, first: dt.date, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates the rule gives in ``[start, end]`` for a series starting on ``first``."""
    dtstart = dt.datetime.combine(first, dt.time(12))
    parsed = rrulestr(_plain_rule(rule), dtstart=dtstart)
    assert isinstance(parsed, rrule)
    lo = dt.datetime.combine(start, dt.time(0))
    hi = dt.datetime.combine(end, dt.time(23, 59))
    return [d.date() for d in parsed.between(lo, hi, inc=True)]


def _first_date(rule: str, candidate: dt.date) -> dt.date:
    """The first occurrence of ``rule`` on or after ``candidate``: a valid DTSTART."""
    dtstart = dt.datetime.combine(candidate, dt.time(12))
    parsed = rrulestr(_plain_rule(rule), dtstart=dtstart)
    first = next(iter(parsed), None)
    if first is None:  # pragma: no cover - every rule above has occurrences
        raise ValueError(f"{rule} has no occurrence after {candidate}")
    return first.date()


# -- the generator ----------------------------------------------------------------


def generate(
    companies: int = 200,
    series: int = 20,
    *,
    seed: int = 1,
    people: int | None = None,
    events: int | None = None,
    overrides: int = 8,
    horizon: tuple[int, int] = (2023, 2027),
) -> dict[str, Any]:
    """Plain data of a synthetic cluster with ``companies`` organisations and ``series`` series.

    ``people`` defaults to half the companies, ``events`` to one per 50 companies;
    each series gets up to ``overrides`` overrides and a few cancelled dates, chosen
    among its occurrences in the years ``horizon``. Everything else (places,
    sub-clusters, commissions…) scales with ``companies``.
    """
    rng = random.Random(seed)
    ids = _Ids()
    n_people = people if people is not None else max(10, companies // 2)
    n_events = events if events is not None else max(5, companies // 50)

    sources = []
    for i in range(max(5, min(40, companies // 250))):
        sources.append(
            {
                "id": ids.new(f"source {i + 1}"),
                "title": _text(f"Rapport d'activité {2010 + i % 15}, n° {i + 1}"),
                "language": "fr",
                "url": f"https://example.org/documents/rapport-{i + 1}.pdf",
            }
        )
    source_ids = [s["id"] for s in sources]

    def cite() -> list[str]:
        return _some(rng, source_ids, 0, 2) if rng.random() < 0.3 else []

    places, communes, venues = _places(rng, ids, companies, series)
    sectors = _sectors(ids)
    trade_ids = [s["id"] for s in sectors if s["kind"] == "trade"]
    market_ids = [s["id"] for s in sectors if s["kind"] == "market"]
    service_ids = [s["id"] for s in sectors if s["kind"] == "service"]

    orgs = []
    for i in range(companies):
        kind = "firm" if rng.random() < 0.85 else rng.choice(("partner", "school", "public-body"))
        name = (
            f"{rng.choice(_TRADE_WORDS)} {rng.choice(_SURNAMES)}{rng.choice(_LEGAL)}"
            if kind == "firm"
            else f"{rng.choice(_BODIES)} de {rng.choice(_COMMUNE_BASES)}"
        )
        ident = ids.new(name)
        org: dict[str, Any] = {"id": ident, "name": name}
        if kind != "firm":
            org["kind"] = kind
        if rng.random() < 0.8:
            org["member"] = rng.random() < 0.75
        if rng.random() < 0.3:
            org["full_name"] = _text(f"{name}, société par actions simplifiée")
        if rng.random() < 0.7:
            org["description"] = _description(rng, rng.random() < 0.3)
        chosen = _some(rng, trade_ids, 1, 2) + _some(rng, market_ids, 0, 2)
        if kind != "firm":
            chosen = _some(rng, service_ids, 1, 2)
        org["sectors"] = chosen
        org["places"] = [rng.choice(communes)]
        if i > 20 and rng.random() < 0.05:
            org["parent"] = orgs[rng.randrange(i)]["id"]
        if rng.random() < 0.1:
            org["aliases"] = [name.upper(), name.replace("Établissements", "Ets")]
        domain = ident[:40].strip("-")
        if rng.random() < 0.8:
            org["website"] = f"https://www.{domain}.fr"
        if rng.random() < 0.6:
            org["email"] = f"contact@{domain}.fr"
        if rng.random() < 0.6:
            digits = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
            org["phone"] = f"+33 3 25 {digits}"
        org["sources"] = cite()
        orgs.append(org)
    company_ids = [o["id"] for o in orgs] or []
    for venue in venues:
        if company_ids and rng.random() < 0.4:
            venue["organisation"] = rng.choice(company_ids)

    sub_clusters = []
    for i in range(max(3, companies // 250)):
        acronym = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUV") for _ in range(rng.randint(3, 5)))
        sub: dict[str, Any] = {
            "id": ids.new(f"{acronym} {i}"),
            "name": acronym,
            "expansion": _text(f"{rng.choice(_TRADE_WORDS)} et {rng.choice(_MARKETS)[1]}"),
            "focus": _description(rng, True),
            "founded": _partial(rng, 2000, 2022),
            "members": _some(rng, company_ids, 3, 40),
            "sectors": _some(rng, trade_ids + market_ids, 1, 3),
            "places": _some(rng, communes, 1, 3),
            "roadmap": [_text(t, e) for t, e in rng.sample(_TOPICS, 3)],
        }
        if rng.random() < 0.3:
            sub["former_names"] = [
                {"name": acronym[::-1], "until": _partial(rng, 2005, 2015), "sources": cite()}
            ]
        sub_clusters.append(sub)
    sub_ids = [s["id"] for s in sub_clusters]

    people_list = []
    for i in range(n_people):
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
        person: dict[str, Any] = {"id": ids.new(name), "name": name}
        roles = []
        if company_ids:
            roles.append(
                {
                    "kind": "employee",
                    "of": rng.choice(company_ids),
                    "title": _text(
                        rng.choice(("Directeur général", "Responsable qualité", "DRH, gérante"))
                    ),
                    "since": _partial(rng, 1995, 2024),
                }
            )
        if i < 2:
            roles.append({"kind": "president" if i == 0 else "vice-president", "of": CLUSTER_ID})
        elif rng.random() < 0.05:
            roles.append(
                {
                    "kind": "board-member",
                    "of": rng.choice(sub_ids),
                    "note": _text("Élu ; mandat de 3 ans"),
                }
            )
        person["roles"] = roles
        if rng.random() < 0.4:
            person["email"] = f"{_ascii_slug(name).replace('-', '.')}{i}@example.fr"
        people_list.append(person)
    people_ids = [p["id"] for p in people_list]

    commissions = []
    for i in range(max(3, min(30, companies // 400))):
        title, _en = _SERIES_NAMES[i % len(_SERIES_NAMES)]
        commissions.append(
            {
                "id": ids.new(f"commission {title} {i}"),
                "name": _text(f"Commission n° {i + 1} : {title}", f"Commission {i + 1}"),
                "missions": [_description(rng, False) for _ in range(rng.randint(1, 3))],
                "members": _some(rng, company_ids, 2, 10) + _some(rng, people_ids, 1, 6),
            }
        )
    commission_ids = [c["id"] for c in commissions]
    organisers_pool = company_ids[:200] + sub_ids + commission_ids

    series_list = [
        _series(
            rng,
            ids,
            rule,
            venues,
            organisers_pool,
            sub_ids,
            commission_ids,
            market_ids,
            people_ids,
            company_ids,
            overrides,
            horizon,
            cite,
        )
        for rule in _weighted_rules(rng, series)
    ]

    event_list = []
    for _ in range(n_events):
        topic, topic_en = rng.choice(_TOPICS)
        day = dt.date(
            rng.randint(horizon[0] - 2, horizon[1]), rng.randint(1, 12), rng.randint(1, 28)
        )
        tz, _country = rng.choice(_ZONES)
        event: dict[str, Any] = {
            "id": ids.new(f"{topic} {day.year}"),
            "name": _text(f"Salon : {topic}", topic_en),
            "date": day.isoformat(),
        }
        if rng.random() < 0.4:
            event["end_date"] = (day + dt.timedelta(days=rng.randint(0, 3))).isoformat()
        else:
            event["start_time"] = rng.choice(_START_TIMES)
            event["duration"] = rng.choice(_DURATIONS)
        if tz != "Europe/Paris":
            event["timezone"] = tz
        event["description"] = _description(rng, rng.random() < 0.5)
        if rng.random() < 0.6:
            event["venue"] = rng.choice(venues)["id"]
        else:
            event["place"] = rng.choice(communes)
        event["speakers"] = _some(rng, people_ids, 0, 3)
        event["organisers"] = [CLUSTER_ID, *_some(rng, organisers_pool, 0, 2)]
        event["sectors"] = _some(rng, market_ids, 0, 2)
        if rng.random() < 0.05:
            event["cancelled"] = True
        if rng.random() < 0.05:
            event["postponed_from"] = _partial(rng, 2019, 2021)
        if rng.random() < 0.5:
            event["url"] = f"https://example.org/agenda/{event['id']}"
        if rng.random() < 0.3:
            event["sequence"] = rng.randint(1, 4)
            event["updated"] = _stamp(day - dt.timedelta(days=rng.randint(1, 60)), rng)
        event["sources"] = cite()
        event_list.append(event)

    every_id = company_ids + sub_ids + commission_ids + people_ids
    milestones = []
    for i in range(max(10, companies // 200)):
        kind = rng.choice(_MILESTONE_KINDS)
        milestone: dict[str, Any] = {
            "id": ids.new(f"{kind} {i}"),
            "kind": kind,
            "title": _text(
                f"{kind.capitalize()} n° {i + 1} : « {rng.choice(_TOPICS)[0]} »",
                f"{kind.capitalize()} {i + 1}",
            ),
        }
        if rng.random() < 0.9:
            milestone["date"] = _partial(rng, 2005, 2025)
        if rng.random() < 0.5:
            milestone["description"] = _description(rng, False)
        milestone["by"] = _some(rng, [*company_ids, CLUSTER_ID], 0, 2)
        if rng.random() < 0.3:
            milestone["subject"] = rng.choice(every_id)
        milestone["sources"] = cite()
        milestones.append(milestone)

    key_figures = []
    measures = (("members", "adhérents"), ("jobs", "emplois"), ("revenue", "M€"))
    for i in range(max(6, companies // 1000)):
        measure, unit = measures[i % len(measures)]
        key_figures.append(
            {
                "id": ids.new(f"chiffre {measure} {i}"),
                "subject": CLUSTER_ID if i < 3 else rng.choice(sub_ids),
                "measure": measure,
                "value": rng.randint(20, 5000),
                "unit": unit,
                "qualifier": rng.choice(("exact", "about", "more-than")),
                "year": rng.randint(2015, 2025),
                "label": _text(f"Plus de {rng.randint(2, 40)} 000 {unit}, selon la presse"),
            }
        )

    projects = []
    for _ in range(max(3, companies // 500)):
        topic, topic_en = rng.choice(_TOPICS)
        projects.append(
            {
                "id": ids.new(f"projet {topic}"),
                "title": _text(f"Projet : {topic}", topic_en),
                "status": rng.choice(("planned", "under-way", "done", "postponed")),
                "description": _description(rng, False),
                "partners": _some(rng, company_ids, 1, 5),
                "start": _partial(rng, 2015, 2025),
                "sub_clusters": _some(rng, sub_ids, 0, 2),
                "commissions": _some(rng, commission_ids, 0, 1),
            }
        )

    discrepancies = []
    if len(source_ids) >= 2:
        for i in range(3):
            a, b = rng.sample(source_ids, 2)
            discrepancies.append(
                {
                    "id": ids.new(f"ecart {i}"),
                    "subject": _text("Nombre d'adhérents ; date de création"),
                    "variants": [
                        {"value": f"{rng.randint(40, 90)} adhérents", "source": a},
                        {"value": f"« une cinquantaine », {2006 + i}", "source": b},
                    ],
                    "about": [CLUSTER_ID],
                }
            )

    data: dict[str, Any] = {
        "schema_version": 1,
        "id": CLUSTER_ID,
        "name": "SYNTHÉTECH",
        "full_name": _text(
            "Pôle d'excellence synthétique : forge, fonderie, usinage",
            "Synthetic cluster of excellence: forging, casting, machining",
        ),
        "description": _text(
            "Association d'industriels ; métallurgie, « savoir-faire » et formation.\n"
            "Données générées pour les tests de performance.",
            "Generated data for performance tests.",
        ),
        "legal_form": _text("Association loi 1901", "Non-profit association"),
        "founded": "2006-06",
        "timezone": "Europe/Paris",
        "website": "https://example.org",
        "updated": "2025-01-15T09:30:00+01:00",
        "sources": sources,
        "places": places,
        "sectors": sectors,
        "companies": orgs,
        "sub_clusters": sub_clusters,
        "commissions": commissions,
        "people": people_list,
        "meeting_series": series_list,
        "events": event_list,
        "milestones": milestones,
        "key_figures": key_figures,
        "projects": projects,
        "discrepancies": discrepancies,
    }
    return _drop_empty(data)


def _places(
    rng: random.Random, ids: _Ids, companies: int, series: int
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    places: list[dict[str, Any]] = [
        {"id": ids.new("France"), "kind": "country", "name": _text("France")},
        {
            "id": ids.new("Grand Est"),
            "kind": "region",
            "name": _text("Grand Est"),
            "within": "france",
        },
    ]
    departements = []
    for name, neighbour in (
        ("Haute-Marne", False),
        ("Aube", True),
        ("Vosges", True),
        ("Marne", True),
        ("Meuse", True),
    ):
        ident = ids.new(name)
        entry: dict[str, Any] = {
            "id": ident,
            "kind": "departement",
            "name": _text(name),
            "within": "grand-est",
        }
        if neighbour:
            entry["neighbour"] = True
        places.append(entry)
        departements.append(ident)
    communes = []
    labels = {}
    for i in range(max(8, min(3000, companies // 20))):
        name = (
            f"{rng.choice(_COMMUNE_PREFIXES)}{rng.choice(_COMMUNE_BASES)}"
            f"{rng.choice(_COMMUNE_SUFFIXES)}"
        )
        ident = ids.new(name)
        within = departements[0] if i % 3 else rng.choice(departements)
        places.append({"id": ident, "kind": "commune", "name": _text(name), "within": within})
        communes.append(ident)
        labels[ident] = name
    venues = []
    for _ in range(max(4, series // 5)):
        commune = rng.choice(communes)
        word = rng.choice(_VENUE_WORDS)
        label = f"{word} {rng.choice(_SURNAMES)}" if rng.random() < 0.5 else word
        venue: dict[str, Any] = {
            "id": ids.new(label),
            "kind": "venue",
            "name": _text(label),
            "within": commune,
        }
        if rng.random() < 0.5:
            venue["address"] = f"{rng.randint(1, 120)}, rue de la Forge\n52800 {labels[commune]}"
        venues.append(venue)
    return places + venues, communes, venues


def _sectors(ids: _Ids) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind, table in (("trade", _TRADES), ("market", _MARKETS), ("service", _SERVICES)):
        for key, fr, en in table:
            ident = ids.new(key)
            out.append({"id": ident, "kind": kind, "name": _text(fr, en)})
            for sub_key, sub_fr, sub_en in _SUB_SECTORS.get(key, ()):
                out.append(
                    {
                        "id": ids.new(sub_key),
                        "kind": kind,
                        "name": _text(sub_fr, sub_en),
                        "parent": ident,
                    }
                )
    return out


def _series(
    rng: random.Random,
    ids: _Ids,
    rule: str,
    venues: list[dict[str, Any]],
    organisers_pool: list[str],
    sub_ids: list[str],
    commission_ids: list[str],
    market_ids: list[str],
    people_ids: list[str],
    company_ids: list[str],
    max_overrides: int,
    horizon: tuple[int, int],
    cite: Callable[[], list[str]],
) -> dict[str, Any]:
    name, name_en = rng.choice(_SERIES_NAMES)
    tz, country = rng.choice(_ZONES)
    candidate = dt.date(rng.randint(2005, horizon[0]), rng.randint(1, 12), rng.randint(1, 28))
    first = _first_date(rule, candidate)
    start_time = rng.choice(_START_TIMES)
    item: dict[str, Any] = {
        "id": ids.new(f"{name} {first.year}"),
        "name": _text(name, name_en),
        "first_date": first.isoformat(),
        "start_time": start_time,
        "duration": rng.choice(_DURATIONS),
        "rule": rule,
    }
    if tz != "Europe/Paris":
        item["timezone"] = tz
        item["holiday_country"] = country
    item["description"] = _description(rng, rng.random() < 0.5)
    item["venue"] = rng.choice(venues)["id"]
    item["organisers"] = [CLUSTER_ID, *_some(rng, organisers_pool, 0, 2)]
    item["sub_clusters"] = _some(rng, sub_ids, 0, 1)
    item["commissions"] = _some(rng, commission_ids, 0, 1)
    item["sectors"] = _some(rng, market_ids, 0, 2)

    near = rule_dates(
        rule, first, max(first, dt.date(horizon[0], 1, 1)), dt.date(horizon[1], 12, 31)
    )
    chosen = rng.sample(near, min(len(near), rng.randint(0, max_overrides)))
    chosen.sort()
    cancelled_dates = chosen[: rng.randint(0, min(2, len(chosen)))]
    item["cancelled"] = [d.isoformat() for d in cancelled_dates]
    overrides = []
    occurrence_set = set(near)
    for day in chosen[len(cancelled_dates) :]:
        topic, topic_en = rng.choice(_TOPICS)
        override: dict[str, Any] = {"date": day.isoformat(), "topic": _text(topic, topic_en)}
        if rng.random() < 0.5:
            override["description"] = _description(rng, False)
        override["speakers"] = _some(rng, people_ids, 1, 3)
        if company_ids and rng.random() < 0.4:
            override["testimonies"] = _some(rng, company_ids, 1, 2)
        if rng.random() < 0.3:
            override["venue"] = rng.choice(venues)["id"]
        roll = rng.random()
        if roll < 0.1:
            moved = day + dt.timedelta(days=rng.choice((-1, 1, 2, 7)))
            if moved not in occurrence_set:
                override["moved_to"] = moved.isoformat()
        elif roll < 0.2:
            override["start_time"] = rng.choice(_START_TIMES)
            override["duration"] = rng.choice(_DURATIONS)
        elif roll < 0.25:
            override["cancelled"] = True
            override["note"] = _text("Annulé : grève, intempéries ; reporté", "Cancelled")
        if rng.random() < 0.4:
            override["sequence"] = rng.randint(1, 5)
            override["updated"] = _stamp(day - dt.timedelta(days=rng.randint(1, 40)), rng)
        override["sources"] = cite()
        overrides.append(override)
    item["overrides"] = overrides
    if near and rng.random() < 0.2:
        extra = near[-1] + dt.timedelta(days=rng.randint(3, 10))
        if extra not in occurrence_set:
            item["extra_dates"] = [extra.isoformat()]
    if rng.random() < 0.5:
        item["free"] = rng.random() < 0.8
    if rng.random() < 0.5:
        item["open_to_public"] = rng.random() < 0.3
    if rng.random() < 0.5:
        item["url"] = f"https://example.org/rencontres/{item['id']}"
    if rng.random() < 0.3:
        item["sequence"] = rng.randint(1, 3)
        item["updated"] = _stamp(first, rng)
    item["sources"] = cite()
    return item


def _drop_empty(value: Any) -> Any:
    """Remove empty lists and tables, as a person writing the file would."""
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v != [] and v != {}}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


# -- output -----------------------------------------------------------------------


def to_json(data: dict[str, Any], indent: int | None = 2) -> str:
    """JSON text of ``data`` (UTF-8 characters kept as they are)."""
    return json.dumps(data, ensure_ascii=False, indent=indent) + "\n"


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        out = []
        for char in value:
            if char in _TOML_ESCAPES:
                out.append(_TOML_ESCAPES[char])
            elif ord(char) < 0x20 or ord(char) == 0x7F:
                out.append(f"\\u{ord(char):04x}")
            else:
                out.append(char)
        return '"' + "".join(out) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(data: dict[str, Any]) -> str:
    """TOML text of ``data``: top-level values first, then one ``[[collection]]`` per item.

    ``None`` has no TOML form; the generator never produces it.
    """
    head = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not _is_table_list(v)]
    out = ["\n".join(head)]
    for key, value in data.items():
        if _is_table_list(value):
            for item in value:
                lines = [f"[[{key}]]"] + [f"{k} = {_toml_value(v)}" for k, v in item.items()]
                out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def write(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as TOML (``.toml``) or JSON (anything else); returns the path."""
    target = Path(path)
    text = to_toml(data) if target.suffix.lower() == ".toml" else to_json(data)
    target.write_text(text, encoding="utf-8")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=200, help="organisations (default 200)")
    parser.add_argument("--series", type=int, default=20, help="meeting series (default 20)")
    parser.add_argument("--people", type=int, help="people (default: half the companies)")
    parser.add_argument("--events", type=int, help="one-off events (default: companies / 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="FILE.json or FILE.toml (default: JSON on stdout)"
    )
    parser.add_argument(
        "--check", action="store_true", help="load the result with nogentech and report"
    )
    args = parser.parse_args(argv)
    data = generate(
        args.companies, args.series, seed=args.seed, people=args.people, events=args.events
    )
    if args.output:
        write(data, args.output)
    else:
        sys.stdout.write(to_json(data))
    if args.check:
        import nogentech

        cluster = nogentech.from_dict(data)
        print(
            f"valid: {len(cluster.companies)} organisations, {len(cluster.people)} people, "
            f"{len(cluster.meeting_series)} series, {len(cluster.events)} events",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
