"""People and the roles they hold (``docs/model.md``)."""

from __future__ import annotations

from typing import Literal

import attrs

from .text import PartialDate, Text, ref, refs, slug

__all__ = ["ROLE_KINDS", "ROLE_LABELS", "Person", "Role", "RoleKind"]

RoleKind = Literal[
    "president", "vice-president", "board-member", "speaker", "employee", "initiator", "office"
]
ROLE_KINDS: tuple[RoleKind, ...] = (
    "president",
    "vice-president",
    "board-member",
    "speaker",
    "employee",
    "initiator",
    "office",
)


ROLE_LABELS: dict[str, Text] = {
    # Neutral French forms: the data says nothing of a person's gender; a role's
    # own ``title`` (« Présidente ») is shown instead when the data gives one.
    "president": Text(fr="Présidence", en="President"),
    "vice-president": Text(fr="Vice-présidence", en="Vice-president"),
    "board-member": Text(fr="Membre du bureau", en="Board member"),
    "speaker": Text(fr="Intervention", en="Speaker"),
    "employee": Text(fr="Emploi", en="Employment"),
    "initiator": Text(fr="Initiative", en="Initiator"),
    "office": Text(fr="Fonction", en="Office"),
}
"""A label for each kind of role, shown where a role has no ``title`` of its own."""


@attrs.frozen
class Role:
    """A role a person holds in an organisation, the cluster, a sub-cluster or a commission.

    ``of`` is the id of that body. ``employee`` gives the employer; ``title`` the
    job title as the source words it.
    """

    kind: RoleKind = attrs.field(validator=attrs.validators.in_(ROLE_KINDS))
    """The kind of role: ``president``, ``vice-president``, ``board-member``, ``speaker``,
    ``employee``, ``initiator`` or ``office``.
    """
    of: str | None = ref("companies", "sub_clusters", "commissions", "cluster")
    """Id of the body the role is held in: an organisation, a sub-cluster, a commission or the
    cluster itself.
    """
    title: Text | None = None
    """The job or role title as the source words it (« Présidente »); shown instead of the kind's
    label.
    """
    since: PartialDate | None = None
    """When the role began, as far as known."""
    until: PartialDate | None = None
    """When the role ended, as far as known (None: held, or not known to have ended)."""
    note: Text | None = None
    """A remark on the role (for example a renewed mandate)."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""

    def label(self, lang: str = "fr") -> str:
        """The role's own title where the data gives one, else a label for its kind."""
        if self.title is not None:
            return self.title.get(lang)
        return ROLE_LABELS[self.kind].get(lang)


@attrs.frozen
class Person:
    """A named person and the roles the sources give them."""

    id: str = attrs.field(validator=slug)
    """Unique id of the person across the cluster (a slug)."""
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    """The person's name as the sources give it."""
    roles: tuple[Role, ...] = ()
    """The roles the sources give the person, in organisations and in the cluster."""
    email: str | None = None
    """E-mail address, where a source gives one."""
    phone: str | None = None
    """Telephone number, where a source gives one."""
    sources: tuple[str, ...] = refs("sources")
    """Ids of the sources that state it."""

    def employers(self) -> tuple[str, ...]:
        """Ids of the organisations that employ this person."""
        return tuple(r.of for r in self.roles if r.kind == "employee" and r.of)
