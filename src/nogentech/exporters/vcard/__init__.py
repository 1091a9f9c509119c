"""The ``vcard`` exporter: organisations, people and groups as vCards (RFC 2426 / RFC 6350).

Cards, in this order, each in the data's order:

* one card per organisation (every :class:`~nogentech.Company`, member or partner):
  FN and ORG (its name), N (empty: vCard 3.0 requires it), one ADR;TYPE=work per
  place (locality = commune, region = département, country, found by walking
  :attr:`Place.within`; street only where the data gives an address), CATEGORIES
  (its sectors, then its sub-clusters), NOTE (description), URL, EMAIL and TEL
  when the data has them, and X-ABShowAs:COMPANY (3.0) or KIND:org (4.0);
* one card per person: FN, N (see :func:`split_name`), TITLE (the job title of
  an employee role, else of any role), ORG (employer), one ROLE per other role
  (its title, else a label for its kind, then the body it is held in:
  ``Présidente, NOGENTECH``), EMAIL and TEL when known, KIND:individual in 4.0;
* one group card per sub-cluster, then per commission: FN and N (its name), NOTE,
  and its members among the cards of the same export, as
  X-ADDRESSBOOKSERVER-KIND:group and X-ADDRESSBOOKSERVER-MEMBER (3.0, as Apple
  Contacts writes them) or KIND:group and MEMBER (4.0).

vCard 3.0 is the default, since Apple Contacts and Android refuse 4.0;
``version=4`` gives 4.0. vobject only knows 3.0, so the 4.0 properties are plain
properties of its card.

Stable output: every card's UID is ``urn:uuid:`` followed by
``uuid5(NAMESPACE, "<cluster id>/<object id>")`` (see :func:`card_uid`), the same in
every run, version and language. REV is the cluster's ``updated`` stamp in UTC, and
is left out without one: nothing reads the clock, so the same data and options give
the same bytes.

Text: line breaks (CR LF, CR, LF) become ``\\n``; the control characters vCard
forbids and U+FEFF are dropped; ``\\``, ``,`` and ``;`` are escaped in text
values (vobject does it), and values are stripped of surrounding white space.
Lines end with CR LF and are folded at 75 octets without splitting a UTF-8
character. vobject compares characters, not octets, with 75 before it folds (a
line of 60 accented letters stays whole), so cards are serialised unfolded and
folded here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ...plugins import LANG_OPTION, Exporter, Hooks, Option
from ._cards import NAMESPACE, card_uid, cards, split_name
from ._lines import _encoded, _fold_card, clean_text, fold_line
from ._select import Selection, select

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...plugins import ExporterRegistry

__all__ = [
    "MEDIA_TYPE",
    "NAMESPACE",
    "Selection",
    "card_uid",
    "cards",
    "clean_text",
    "fold_line",
    "render",
    "select",
    "split_name",
]

MEDIA_TYPE = "text/vcard"

OPTIONS = (
    LANG_OPTION,
    Option("version", "vCard version: 3 (3.0, the default) or 4 (4.0).", "int", 3),
    Option("sub_cluster", "Only the organisations of these sub-clusters (ids).", "list"),
    Option("sector", "Only organisations in these sectors or below them (ids).", "list"),
    Option("commune", "Only organisations located in or inside these places (ids).", "list"),
    Option("kind", "Only organisations of these kinds (firm, partner, school…).", "list"),
    Option("people", "Include the people, as individual cards.", "bool", True),
    Option("groups", "Include sub-clusters and commissions as group cards.", "bool", True),
)


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The cards as UTF-8 with CR LF line ends, folded at 75 octets; same data, same bytes."""
    return b"".join(
        _fold_card(_encoded(card).serialize(lineLength=sys.maxsize))
        for _, card in cards(cluster, options, hooks)
    )


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``vcard`` format."""
    registry.add(
        Exporter(
            name="vcard",
            extension="vcf",
            media_type=MEDIA_TYPE,
            description="Organisations, people and groups as vCards (3.0; 4.0 with version=4).",
            render=render,
            options=OPTIONS,
        )
    )
