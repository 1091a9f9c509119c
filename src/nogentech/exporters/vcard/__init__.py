"""The ``vcard`` exporter: organisations, people and groups as vCards (RFC 2426 / RFC 6350).

Which cards are written and how their text is escaped and folded is described in
``docs/vcards.md``; the private modules of this package pick, build and fold the cards.
They are written directly as text (``_direct``) unless a plugin implements the
``nogentech_vcard`` hook, which receives vobject cards (``_cards``): same bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ...plugins import LANG_OPTION, Exporter, Hooks, Option
from .. import lazy_names

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...plugins import ExporterRegistry
    from ._cards import NAMESPACE, card_uid, cards, split_name
    from ._direct import render_direct
    from ._lines import clean_text, fold_line
    from ._select import Selection, select

_HOMES = {
    "NAMESPACE": "._cards",
    "card_uid": "._cards",
    "cards": "._cards",
    "split_name": "._cards",
    "render_direct": "._direct",
    "clean_text": "._lines",
    "fold_line": "._lines",
    "Selection": "._select",
    "select": "._select",
}
"""Where each public name lives: imported on first use, so registering the format is cheap."""


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


__all__ = [
    "MEDIA_TYPE",
    "NAMESPACE",
    "Selection",
    "card_uid",
    "cards",
    "clean_text",
    "fold_line",
    "render",
    "render_direct",
    "render_vobject",
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


HOOK = "nogentech_vcard"


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The cards as UTF-8 with CR LF line ends, folded at 75 octets; same data, same bytes.

    Without a plugin implementing ``nogentech_vcard``, the cards are written directly
    (:func:`render_direct`); with one, they are built and written with vobject
    (:func:`render_vobject`), the reference. Both give the same bytes.
    """
    if hooks.has(HOOK):
        return render_vobject(cluster, options, hooks)
    from ._direct import render_direct

    return render_direct(cluster, options)


def render_vobject(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks | None) -> bytes:
    """The export written by vobject, each card passed to the ``nogentech_vcard`` hook."""
    from ._cards import cards
    from ._lines import _encoded, _fold_card

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
