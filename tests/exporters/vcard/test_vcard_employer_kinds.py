"""A person employed by a sub-cluster, a commission or the cluster itself has a card."""

from __future__ import annotations

import attrs
import pytest
import vobject

import nogentech
from nogentech import Cluster, Person, Role


@pytest.mark.parametrize(
    "employer,name", [("med", "MED"), ("comm-env", "Environment committee"), ("demo", "DEMO")]
)
def test_employer_that_is_not_a_company_is_the_org_of_the_card(
    demo: Cluster, employer: str, name: str
) -> None:
    person = Person(id="eve", name="Eve Roux", roles=(Role(kind="employee", of=employer),))
    cluster = attrs.evolve(demo, people=(*demo.people, person))
    text = nogentech.export(cluster, "vcard", lang="en").decode("utf-8")
    (card,) = [c for c in vobject.readComponents(text) if c.fn.value == "Eve Roux"]
    assert card.org.value == [name]
