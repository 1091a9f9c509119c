"""The layering rule of ``docs/architecture.md``, enforced on the source tree.

The table of layers is read from the docs page itself, so the page and the rule
cannot drift apart. Every module of ``src/nogentech`` must belong to a layer; a
module may import modules of its own layer or of lower layers only (imports
inside functions and under ``TYPE_CHECKING`` included); no two modules import
each other, directly or through others; and a private module or name is
imported only inside its own family.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT

SRC = ROOT / "src"
PAGE = ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*([a-z]+)\s*\|(.*)\|\s*$")


def layers() -> list[tuple[int, str, list[str]]]:
    """``(rank, family, module patterns)`` for each row of the page's table of layers."""
    rows = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            patterns = re.findall(r"`([a-z_.*]+)`", match.group(3))
            rows.append((int(match.group(1)), match.group(2), patterns))
    return rows


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted((SRC / "nogentech").rglob("*.py"))}
PACKAGES = {module_name(p) for p in MODULES.values() if p.name == "__init__.py"}


def place(module: str) -> tuple[int, str] | None:
    """The rank and family of ``module``: the most specific pattern of the table wins."""
    best: tuple[int, int, str] | None = None
    for rank, family, patterns in layers():
        for pattern in patterns:
            name = "nogentech" if pattern == "nogentech" else f"nogentech.{pattern}"
            if name.endswith(".*"):
                base = name[:-2]
                hit = module == base or module.startswith(base + ".")
                weight = len(base)
            else:
                hit = module == name
                weight = len(name) + 1
            if hit and (best is None or weight > best[0]):
                best = (weight, rank, family)
    return (best[1], best[2]) if best else None


def imports(module: str) -> Iterator[tuple[str, str | None, int]]:
    """``(imported module, imported name or None, line)`` for every import of ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "nogentech":
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "nogentech":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    yield sub, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def test_the_page_has_a_table_of_layers() -> None:
    ranks = [rank for rank, _, _ in layers()]
    assert ranks == sorted(ranks) and len(ranks) >= 6


def test_every_module_belongs_to_a_layer() -> None:
    missing = [m for m in MODULES if place(m) is None]
    assert missing == [], f"add these modules to the table of {PAGE.name}: {missing}"


def test_no_import_runs_up_the_layers() -> None:
    wrong = []
    for module in MODULES:
        here = place(module)
        assert here is not None
        for target, _, line in imports(module):
            there = place(target)
            assert there is not None, f"{module}:{line} imports unknown {target}"
            if there[0] > here[0]:
                wrong.append(f"{module}:{line} ({here[1]}) imports {target} ({there[1]})")
    assert wrong == []


def test_no_import_circles() -> None:
    graph = {m: {t for t, _, _ in imports(m) if t != m} for m in MODULES}
    # A package's face may import its own private modules; they must not import it back.
    seen: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module)
    assert circles == []


def family(module: str) -> str:
    """A subpackage is a family of its own (``nogentech.web``); else the module's layer."""
    package = module if module in PACKAGES else module.rpartition(".")[0]
    if package != "nogentech":
        return package
    found = place(module)
    assert found is not None
    return found[1]


def is_private(module: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in module.split("."))


def test_private_modules_and_names_stay_in_their_family() -> None:
    wrong = []
    for module in MODULES:
        for target, name, line in imports(module):
            if family(target) == family(module):
                continue
            if is_private(target):
                wrong.append(f"{module}:{line} imports private module {target}")
            elif name is not None and name.startswith("_") and not name.startswith("__"):
                wrong.append(f"{module}:{line} imports private name {target}.{name}")
    assert wrong == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_docstring_is_short_and_present(module: str) -> None:
    """A few lines saying what the module is for; the specification lives in the docs."""
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert doc, f"{module} has no docstring"
    assert len(doc.splitlines()) <= 12, f"{module}: docstring of {len(doc.splitlines())} lines"
