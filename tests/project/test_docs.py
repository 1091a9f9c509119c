"""The documentation: docstrings of the public API, the README's commands, the docs site.

The site is built with ``mkdocs build --strict`` here as in CI (it takes a few
seconds), then its generated parts are checked: the command-line page, the data
page and the API reference. The ``pycon`` sessions of the pages run as doctests.
"""

from __future__ import annotations

import ast
import doctest
import hashlib
import importlib.util
import inspect
import io
import itertools
import os
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import nogentech
from nogentech.cli import build_parser
from tests.support import ROOT

DOCS = ROOT / "docs"
SRC = ROOT / "src" / "nogentech"

EXEMPT = {
    "__version__": "the version string; its meaning is fixed by convention and it is "
    "shown by `nogentech --version`",
}
"""Public names that need no docstring, each with the reason."""


def load_hooks() -> ModuleType:
    """docs/hooks.py, the mkdocs hook module, imported by path."""
    spec = importlib.util.spec_from_file_location("nogentech_docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- docstrings ----------------------------------------------------------------


def attribute_docstrings() -> dict[str, str]:
    """Names assigned at module level and followed by a string literal, in the package."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node, following in itertools.pairwise(body):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            doc = (
                following.value.value
                if isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
                else None
            )
            for target in targets:
                if isinstance(target, ast.Name) and doc and doc.strip():
                    found.setdefault(target.id, doc)
    return found


@pytest.mark.parametrize("name", nogentech.__all__)
def test_public_name_is_documented(name: str) -> None:
    """Every name in ``nogentech.__all__`` has its own documentation.

    A class or function needs a docstring of its own (not one inherited from a
    base class); a constant or object needs an attribute docstring (a string
    right after its assignment) in the module that defines it.
    """
    if name in EXEMPT:
        pytest.skip(EXEMPT[name])
    obj = getattr(nogentech, name)
    if inspect.isclass(obj):
        own = vars(obj).get("__doc__")
        assert own and own.strip(), f"class {name} has no docstring of its own"
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            func = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
            if inspect.isfunction(func) or isinstance(func, property):
                assert inspect.getdoc(func), f"{name}.{attr} has no docstring"
    elif inspect.isroutine(obj):
        assert obj.__doc__ and obj.__doc__.strip(), f"function {name} has no docstring"
    else:
        assert name in attribute_docstrings(), (
            f"{name} ({type(obj).__name__}) has no attribute docstring in its module; "
            "add one or list it in EXEMPT with a reason"
        )


def test_exemptions_are_public_names() -> None:
    """Each exemption names something that is really public, so none lingers."""
    assert set(EXEMPT) <= set(nogentech.__all__)


# -- README and CI -------------------------------------------------------------


def readme_commands() -> list[str]:
    """The commands of the README's first code block, which opens the file."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# "), "the README starts with its title"
    start = next(i for i, line in enumerate(lines) if line.startswith("```"))
    assert start <= 3, "the commands are in the README's first lines"
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return lines[start + 1 : end]


def test_readme_opens_with_the_two_commands() -> None:
    """First the install-and-run command, then the test command; both scripts exist."""
    install, test = readme_commands()
    assert install == "scripts/install && .venv/bin/nogentech next"
    assert test == "scripts/test"
    for script in ("install", "test", "matrix"):
        path = ROOT / "scripts" / script
        assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n"), script
        assert os.access(path, os.X_OK), f"scripts/{script} is not executable"


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs the README's test command first, on a line of its own."""
    _, test = readme_commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in ci_lines if line and not line.startswith(("#", "step "))]
    assert commands[:5] == [
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        "started=$SECONDS",
        'step() { echo "== $* ($((SECONDS - started)) s)"; }',
        f"{test} -q",
    ]


def test_the_test_script_installs_every_system_package_and_the_dev_extra() -> None:
    """scripts/test reads .ci/system-packages.txt, runs npm ci and installs the dev extra."""
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert ".ci/system-packages.txt" in script
    assert "npm ci" in script
    assert "scripts/install dev" in script
    assert "exec .venv/bin/python -m pytest -n auto" in script


def test_getting_started_quotes_the_readme_commands() -> None:
    """The getting-started page gives both commands exactly as the README does."""
    page = (DOCS / "getting-started.md").read_text(encoding="utf-8").splitlines()
    for command in readme_commands():
        assert command in page


# -- generated parts (the hook) ------------------------------------------------


def subcommand_names() -> list[str]:
    names = list(load_hooks().subcommands(build_parser()))
    assert {"info", "validate", "meetings", "next", "formats", "export", "schema", "serve"} <= set(
        names
    )
    return names


def test_cli_reference_has_every_command() -> None:
    """The generated reference has a section with the parser's own help for each command."""
    hooks = load_hooks()
    text = hooks.cli_reference()
    parser = build_parser()
    sections = dict(re.findall(r"^## `(nogentech[^`]*)`\n(.*?)(?=^## |\Z)", text, re.M | re.S))
    assert "usage: nogentech " in sections["nogentech"]
    commands = hooks.subcommands(parser)
    assert set(sections) == {"nogentech"} | {f"nogentech {name}" for name in commands}
    for name, sub in commands.items():
        section = sections[f"nogentech {name}"]
        assert f"usage: nogentech {name}" in section
        for action in sub._actions:
            for option in action.option_strings:
                assert option in section, (name, option)


def test_readme_lists_every_command() -> None:
    """The README's command-line summary names every command the parser has."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in subcommand_names():
        assert f"`nogentech {name}" in readme, name


def test_cli_page_is_generated() -> None:
    """cli.md holds the marker and no hand-written help that could drift."""
    hooks = load_hooks()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert page.count(hooks.CLI_MARKER) == 1
    assert "usage: nogentech" not in page
    expanded = hooks.expand_markers(page, "cli.md")
    assert hooks.CLI_MARKER not in expanded
    for name in subcommand_names():
        assert f"usage: nogentech {name}" in expanded


def test_missing_marker_fails_the_build() -> None:
    """A generated page without its marker is an error, not a silently stale page."""
    from mkdocs.exceptions import PluginError

    hooks = load_hooks()
    with pytest.raises(PluginError, match="cli-reference"):
        hooks.expand_markers("# The command line\n", "cli.md")
    assert hooks.expand_markers("# Other\n", "index.md") == "# Other\n"


def test_data_page_lists_sources_and_discrepancies() -> None:
    """data.md gets every source and every disputed fact, with each version's source."""
    hooks = load_hooks()
    cluster = nogentech.load()
    expanded = hooks.expand_markers((DOCS / "data.md").read_text(encoding="utf-8"), "data.md")
    for source in cluster.sources:
        assert f"| `{source.id}` |" in expanded
    for item in cluster.discrepancies:
        assert f"(`{item.id}`)" in expanded
        for variant in item.variants:
            assert f"- `{variant.source}`: " in expanded
    assert f"| Organisations (`companies`) | {len(cluster.companies)} |" in expanded


def test_markdown_escaping() -> None:
    """Text from the data cannot inject markup into a generated page."""
    hooks = load_hooks()
    assert hooks.escape_markdown("a <b>|c*d\n e") == r"a \<b\>\|c\*d e"


def test_roles_become_links_on_the_api_page() -> None:
    """``:class:`~x.Y``` in a rendered docstring is code, linked when the page has the entry."""
    hooks = load_hooks()
    html_text = (
        '<h3 id="nogentech.exceptions.DataError">DataError</h3>'
        "<p>Raises :class:<code>~nogentech.DataError</code>; "
        "see :meth:<code>Cluster.nowhere</code>.</p>"
    )
    assert hooks.resolve_roles(html_text) == (
        '<h3 id="nogentech.exceptions.DataError">DataError</h3>'
        '<p>Raises <a href="#nogentech.exceptions.DataError"><code>DataError</code></a>; '
        "see <code>Cluster.nowhere</code>.</p>"
    )


# -- runnable examples in the pages --------------------------------------------

PYCON = re.compile(r"^```pycon\n(.*?)^```", re.MULTILINE | re.DOTALL)
TOML = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES_WITH_SESSIONS = ["model.md", "meetings.md", "data.md"]


@pytest.mark.parametrize("page", PAGES_WITH_SESSIONS)
def test_page_sessions_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``pycon`` sessions of a page give the output it shows (run in order, as doctests).

    model.md loads its own example file: its TOML block is saved as demo.toml first.
    """
    text = (DOCS / page).read_text(encoding="utf-8")
    sessions = PYCON.findall(text)
    assert sessions, f"{page} has no pycon session"
    if page == "model.md":
        (tmp_path / "demo.toml").write_text(TOML.findall(text)[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest("\n".join(sessions), {}, page, page, 0)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=report.write)
    assert result.attempted > 0
    assert result.failed == 0, report.getvalue()


PYTHON = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", ["index.md", "getting-started.md"])
def test_page_python_blocks_run(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Python snippets of the introductory pages run without error."""
    blocks = PYTHON.findall((DOCS / page).read_text(encoding="utf-8"))
    assert blocks, f"{page} has no python block"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, page, "exec"), {})
    capsys.readouterr()


def test_index_console_output_is_real(capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal session on the home page shows what the command prints (up to the …)."""
    from nogentech.cli import main

    session = CONSOLE.findall((DOCS / "index.md").read_text(encoding="utf-8"))[0].splitlines()
    assert session[0].startswith("$ nogentech ")
    shown = session[1 : session.index("…")]
    assert main(session[0].removeprefix("$ nogentech ").split()) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[: len(shown)] == shown


# -- the built site ------------------------------------------------------------


class TextAndIds(HTMLParser):
    """The text of a page and the ids of its elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def read_page(path: Path) -> TextAndIds:
    page = TextAndIds()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation built with ``mkdocs build --strict``, as CI builds it."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    return out


def test_built_cli_page_has_every_command(site: Path) -> None:
    """The command-line page of the built site shows the help of every command."""
    page = read_page(site / "cli" / "index.html")
    for name in subcommand_names():
        assert f"usage: nogentech {name}" in page.text
        assert f"nogentech-{name}" in page.ids  # the section's heading anchor


def test_built_api_reference_covers_the_public_api(site: Path) -> None:
    """Every public name has an entry in the API reference."""
    page = read_page(site / "api" / "index.html")
    for name in nogentech.__all__:
        if name in EXEMPT:
            continue
        assert any(i == f"nogentech.{name}" or i.endswith(f".{name}") for i in page.ids), name


MODEL_MODULES = ("cluster", "organisations", "people", "places", "meetings", "history", "text")


def model_classes() -> list[type]:
    import attrs

    found = []
    for module in MODEL_MODULES:
        mod = importlib.import_module(f"nogentech.{module}")
        found.extend(
            obj
            for name in mod.__all__
            if isinstance(obj := getattr(mod, name), type) and attrs.has(obj)
        )
    return found


def test_built_api_reference_documents_every_field_of_the_model(site: Path) -> None:
    """Each model class shows its constructor signature and a row per field: type,
    meaning and default."""
    import html
    import inspect

    import attrs

    text = (site / "api" / "index.html").read_text(encoding="utf-8")
    classes = model_classes()
    assert len(classes) >= 20
    for cls in classes:
        start = text.index(f'id="{cls.__module__}.{cls.__qualname__}"')
        ends = [i for i in (text.find("<h3", start), text.find("<h2", start)) if i > 0]
        entry = html.unescape(re.sub(r"<[^>]+>", " ", text[start : min(ends, default=None)]))
        compact = "".join(entry.split())
        parameters = list(inspect.signature(cls).parameters)
        # The constructor's signature: Name(first: type, ..., last: type = default)
        assert f"{cls.__name__}({parameters[0]}:" in compact, cls
        assert f",{parameters[-1]}:" in compact or len(parameters) == 1, cls
        table = " ".join(entry[entry.index("Parameters:") :].split())
        table = re.sub(r" ([,.;:)])", r"\1", table).replace("( ", "(")
        for field in attrs.fields(cls):
            if not field.init or field.name.startswith("_"):
                continue
            doc = " ".join((attrs_field_doc(cls, field.name) or "").replace("`", "").split())
            assert doc, (cls, field.name)
            default = "required" if field.default is attrs.NOTHING else repr(field.default)
            # A row: name, type, meaning, default.
            row = re.search(rf"(?:^| ){field.name} (.+?) {re.escape(doc[:30])}", table)
            assert row, (cls, field.name)
            after = table[row.end() :]
            assert default in after[: len(doc) + 40], (cls, field.name, default)


def attrs_field_doc(cls: type, name: str) -> str | None:
    """The docstring written under field ``name`` in the source of ``cls``."""
    source = inspect.getsource(cls)
    tree = ast.parse(textwrap.dedent(source))
    body = tree.body[0].body  # type: ignore[attr-defined]
    for stmt, after in itertools.pairwise(body):
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
        ):
            return str(after.value.value)
    return None


def test_every_field_of_the_model_has_a_docstring() -> None:
    for cls in model_classes():
        for field in attrs.fields(cls):
            if field.init and not field.name.startswith("_"):
                assert attrs_field_doc(cls, field.name), f"{cls.__name__}.{field.name}"


def test_built_api_page_shows_no_raw_roles(site: Path) -> None:
    """No reStructuredText role is left as text in the API reference."""
    text = read_page(site / "api" / "index.html").text
    assert not re.search(r":(class|func|meth|attr|data|mod|exc):", text)


def test_built_model_page_has_the_diagram(site: Path) -> None:
    """The class diagram is a picture the site holds: no script, nothing from the network."""
    html_text = (site / "model" / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<img alt="The classes of the model[^"]*" src="\.\./model-classes\.svg"', html_text
    )
    assert "mermaid" not in html_text
    svg = (site / "model-classes.svg").read_text(encoding="utf-8")
    assert svg == (DOCS / "model-classes.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/", "")


def test_no_page_loads_anything_from_another_site(site: Path) -> None:
    """Every script, style sheet and picture of the site comes from the site itself."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        outside = re.findall(r'<(?:script|img|link)\b[^>]*(?:src|href)="(https?:)?//[^"]*"', text)
        assert outside == [], page


def test_the_diagram_is_drawn_from_its_current_source() -> None:
    """model-classes.svg ends with the hash of the .dot it was drawn from (scripts/diagrams)."""
    source = DOCS / "model-classes.dot"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    svg = (DOCS / "model-classes.svg").read_text(encoding="utf-8")
    assert svg.rstrip().endswith(f"<!-- source: model-classes.dot sha256:{digest} -->"), (
        "run scripts/diagrams"
    )
    names = set(re.findall(r"^    ([A-Z][A-Za-z]+) \[", source.read_text(), re.M))
    drawn = set(re.findall(r"<title>([A-Z][A-Za-z]+)</title>", svg))
    model = {
        "Cluster", "Source", "Place", "Sector", "Company", "SubCluster", "FormerName",
        "Commission", "Person", "Role", "MeetingSeries", "Override", "Event", "Meeting",
        "Milestone", "KeyFigure", "Project", "Discrepancy", "Variant",
    }  # fmt: skip
    assert names <= drawn
    assert drawn == model
    assert {n for n in model if hasattr(nogentech, n)} == model


def test_built_data_page_is_filled_in(site: Path) -> None:
    """The data page shows the sources and discrepancies, and no marker is left."""
    html_text = (site / "data" / "index.html").read_text(encoding="utf-8")
    assert "data-sources" not in html_text and "data-discrepancies" not in html_text
    text = read_page(site / "data" / "index.html").text
    cluster = nogentech.load()
    for source in cluster.sources:
        assert source.id in text
    for item in cluster.discrepancies:
        assert item.subject.get("en") in " ".join(text.split())


def test_the_readme_reads_well_on_a_package_index() -> None:
    """No relative link (it would break on the index's page) and an install line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]*)\)", readme) + re.findall(r"<img [^>]*src=\"([^\"]*)", readme)
    assert [t for t in targets if not t.startswith(("https://", "http://"))] == []
    assert "`pip install nogentech`" in readme
