"""schema.org nodes of the organisations, people and places of a cluster.

Only facts the data states: an organisation's kind picks its type, a venue's or
commune's address holds the communes, départements and country it lies in (and a
street only where the data gives one), roles become ``OrganizationRole`` and
``EmployeeRole`` nodes that wrap the person, as schema.org's role pattern does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...organisations import SubCluster

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...organisations import Commission, Company
    from ...people import Person, Role
    from ...places import Place

TYPES = {
    "firm": "Organization",
    "partner": "Organization",
    "school": "EducationalOrganization",
    "public-body": "GovernmentOrganization",
    "research-centre": "ResearchOrganization",
    "network": "Organization",
    "financial": "Organization",
}
"""The schema.org type of each kind of organisation."""

PARTNER = {"fr": "partenaire", "en": "partner"}


def ref(ident: str) -> dict[str, str]:
    """A reference to the node of ``ident``: ``{"@id": "#ident"}``."""
    return {"@id": node_id(ident)}


def node_id(ident: str) -> str:
    """The node id of an object of the cluster: a fragment, read against the page's address."""
    return f"#{ident}"


def _put(node: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], ()):
        node[key] = value


def _dates(node: dict[str, Any], role: Role) -> None:
    _put(node, "startDate", role.since.isoformat() if role.since else None)
    _put(node, "endDate", role.until.isoformat() if role.until else None)


def _person_roles(cluster: Cluster, of: str, lang: str, kinds: set[str]) -> list[dict[str, Any]]:
    """The roles held in ``of`` (not employment) as OrganizationRole nodes around the person."""
    out = []
    for person in cluster.people:
        for role in person.roles:
            if role.of == of and role.kind in kinds:
                node: dict[str, Any] = {
                    "@type": "OrganizationRole",
                    "member": ref(person.id),
                    "roleName": role.label(lang),
                }
                _dates(node, role)
                out.append(node)
    return out


_HELD = {"president", "vice-president", "board-member", "office", "initiator"}


def _employees(cluster: Cluster, company: str, lang: str) -> list[dict[str, Any]]:
    out = []
    for person in cluster.people:
        for role in person.roles:
            if role.kind == "employee" and role.of == company:
                node: dict[str, Any] = {"@type": "EmployeeRole", "employee": ref(person.id)}
                _put(node, "roleName", role.title.get(lang) if role.title else None)
                _dates(node, role)
                out.append(node)
    return out


def cluster_node(cluster: Cluster, lang: str) -> dict[str, Any]:
    """The cluster: its sub-clusters, commissions, members, partners and board."""
    node: dict[str, Any] = {"@type": "Organization", "@id": node_id(cluster.id)}
    node["name"] = cluster.name
    _put(node, "alternateName", cluster.full_name.get(lang) if cluster.full_name else None)
    _put(node, "description", cluster.description.get(lang) if cluster.description else None)
    _put(node, "foundingDate", cluster.founded.isoformat() if cluster.founded else None)
    _put(node, "url", cluster.website)
    _put(node, "subOrganization", [ref(s.id) for s in cluster.sub_clusters])
    _put(node, "department", [ref(c.id) for c in cluster.commissions])
    members: list[dict[str, Any]] = [ref(c.id) for c in cluster.companies if c.member]
    members += [
        {"@type": "OrganizationRole", "member": ref(c.id), "roleName": PARTNER[lang]}
        for c in cluster.companies
        if c.kind == "partner" and not c.member
    ]
    members += _person_roles(cluster, cluster.id, lang, _HELD)
    _put(node, "member", members)
    return node


def company_node(cluster: Cluster, company: Company, lang: str) -> dict[str, Any]:
    """An organisation: its type by kind, what the data gives of it, its employees."""
    node: dict[str, Any] = {"@type": TYPES[company.kind], "@id": node_id(company.id)}
    node["name"] = company.name
    _put(node, "alternateName", company.full_name.get(lang) if company.full_name else None)
    _put(node, "description", company.description.get(lang) if company.description else None)
    _put(node, "url", company.website)
    _put(node, "email", company.email)
    _put(node, "telephone", company.phone)
    _put(node, "location", [ref(p) for p in company.places])
    _put(node, "parentOrganization", ref(company.parent) if company.parent else None)
    _put(node, "employee", _employees(cluster, company.id, lang))
    _put(node, "member", _person_roles(cluster, company.id, lang, _HELD))
    return node


def group_node(cluster: Cluster, group: SubCluster | Commission, lang: str) -> dict[str, Any]:
    """A sub-cluster (a sub-organisation) or a commission (a department) of the cluster."""
    node: dict[str, Any] = {"@type": "Organization", "@id": node_id(group.id)}
    node["name"] = group.name if isinstance(group.name, str) else group.name.get(lang)
    if isinstance(group, SubCluster):
        sub = group
        _put(node, "alternateName", sub.expansion.get(lang) if sub.expansion else None)
        about = sub.description or sub.focus
        _put(node, "description", about.get(lang) if about else None)
        _put(node, "foundingDate", sub.founded.isoformat() if sub.founded else None)
        _put(node, "location", [ref(p) for p in sub.places])
    node["parentOrganization"] = ref(cluster.id)
    members: list[dict[str, Any]] = [ref(m) for m in group.members]
    members += _person_roles(cluster, group.id, lang, _HELD)
    _put(node, "member", members)
    return node


def person_node(person: Person) -> dict[str, Any]:
    """A person: name, the e-mail and phone the data gives, and employers."""
    node: dict[str, Any] = {"@type": "Person", "@id": node_id(person.id), "name": person.name}
    _put(node, "email", person.email)
    _put(node, "telephone", person.phone)
    _put(node, "worksFor", [ref(o) for o in person.employers()])
    return node


def _within(cluster: Cluster, place: Place) -> list[Place]:
    out = []
    outer = place
    while outer.within is not None:
        outer = cluster.place_of(outer.within)
        out.append(outer)
    return out


def address(cluster: Cluster, place: Place, lang: str) -> dict[str, Any] | None:
    """The PostalAddress of a venue or commune: the places it lies in, street if known."""
    if place.kind not in ("venue", "commune"):
        return None
    parts = [place, *_within(cluster, place)]
    by_kind = {p.kind: p.name.get(lang) for p in reversed(parts)}
    node: dict[str, Any] = {"@type": "PostalAddress"}
    _put(node, "streetAddress", place.address)
    _put(node, "addressLocality", by_kind.get("commune"))
    _put(node, "addressRegion", by_kind.get("departement"))
    _put(node, "addressCountry", by_kind.get("country"))
    return node if len(node) > 1 else None


def place_node(cluster: Cluster, place: Place, lang: str) -> dict[str, Any]:
    """A place inside the one it lies in, with its address when it is a venue or commune."""
    types = {"country": "Country", "region": "AdministrativeArea"}
    types["departement"] = "AdministrativeArea"
    node: dict[str, Any] = {"@type": types.get(place.kind, "Place"), "@id": node_id(place.id)}
    node["name"] = place.name.get(lang)
    _put(node, "address", address(cluster, place, lang))
    _put(node, "containedInPlace", ref(place.within) if place.within else None)
    return node
