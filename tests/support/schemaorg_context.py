"""Writes tests/data/schemaorg-context.jsonld: a JSON-LD context of every schema.org term.

The terms are those of rdflib's schema.org namespace (``rdflib.namespace.SDO``), each
mapped to its ``https://schema.org/`` IRI. Unlike schema.org's own context it has no
``@vocab``, so that a JSON-LD processor drops a term schema.org does not define
instead of inventing an IRI for it: the tests count on that to find misspellings.
Run ``python -m tests.support.schemaorg_context`` to write it again.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support import DATA

PATH = DATA / "schemaorg-context.jsonld"
VOCABULARY = "https://schema.org/"


def terms() -> list[str]:
    """Every class, property and enumeration member rdflib lists for schema.org."""
    from rdflib.namespace import SDO

    return sorted(SDO.__annotations__)


def build() -> dict[str, Any]:
    context: dict[str, Any] = {"schema": VOCABULARY, "id": "@id", "type": "@type"}
    for term in terms():
        context[term] = f"schema:{term}"
    return {"@context": context}


if __name__ == "__main__":
    PATH.write_text(json.dumps(build(), indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(PATH)
