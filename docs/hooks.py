"""Build-time hooks of the documentation site (listed under ``hooks:`` in mkdocs.yml).

Some pages hold a marker that is replaced while the site is built, so that
their text is read from the code and the data themselves and never drifts:

``<!-- cli-reference -->`` (cli.md)
    the help of ``nogentech`` and of each of its commands, as printed by the
    argument parser of :func:`nogentech.cli.build_parser`;
``<!-- data-summary -->`` (data.md)
    how many objects of each kind the built-in data holds;
``<!-- data-sources -->`` (data.md)
    the documents the built-in data comes from;
``<!-- data-discrepancies -->`` (data.md)
    every fact the sources disagree on, each version with its source.

A page that should hold a marker but does not is a build error.

The docstrings use reStructuredText roles (``:class:`~nogentech.DataError```),
which mkdocstrings shows as written; on the API reference they become code,
linked to the entry they name when the page has it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

from mkdocs.exceptions import PluginError

import nogentech
from nogentech.cli import build_parser

HELP_WIDTH = 88
"""Columns argparse wraps the help text at."""

CLI_MARKER = "<!-- cli-reference -->"
SUMMARY_MARKER = "<!-- data-summary -->"
SOURCES_MARKER = "<!-- data-sources -->"
DISCREPANCIES_MARKER = "<!-- data-discrepancies -->"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape_markdown(text: str) -> str:
    """``text`` with the characters Markdown would read as markup backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@contextlib.contextmanager
def _help_environment() -> Iterator[None]:
    """A fixed terminal width and no colour, so the help reads the same on every machine."""
    saved = {name: os.environ.get(name) for name in ("COLUMNS", "NO_COLOR")}
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-parsers of ``parser`` by command name, in the order they were added."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # an alias maps to the same parser
                    seen.add(id(sub))
                    found[name] = sub
    return found


def _fenced(text: str) -> str:
    return "```text\n" + text.rstrip() + "\n```"


def cli_reference() -> str:
    """Markdown for every command: a heading and the parser's own help text."""
    with _help_environment():
        parser = build_parser()
        parts = ["## `nogentech`", "", _fenced(parser.format_help())]
        for name, sub in subcommands(parser).items():
            parts += ["", f"## `nogentech {name}`", "", _fenced(sub.format_help())]
    return "\n".join(parts)


_COLLECTIONS = (
    ("sources", "Sources"),
    ("places", "Places"),
    ("sectors", "Sectors: trades, markets, services"),
    ("companies", "Organisations"),
    ("sub_clusters", "Sub-clusters"),
    ("commissions", "Commissions"),
    ("people", "People"),
    ("meeting_series", "Meeting series"),
    ("events", "One-off events"),
    ("milestones", "Milestones"),
    ("key_figures", "Key figures"),
    ("projects", "Projects"),
    ("discrepancies", "Discrepancies"),
)


def data_summary(cluster: nogentech.Cluster) -> str:
    """A table of how many objects of each kind ``cluster`` holds."""
    rows = ["| Kind | Count |", "|---|---:|"]
    for attribute, label in _COLLECTIONS:
        rows.append(f"| {label} (`{attribute}`) | {len(getattr(cluster, attribute))} |")
    return "\n".join(rows)


def data_sources(cluster: nogentech.Cluster) -> str:
    """A table of the documents ``cluster`` cites: id, language, description."""
    rows = ["| Id | Language | What it is |", "|---|---|---|"]
    for source in cluster.sources:
        rows.append(
            f"| `{source.id}` | {escape_markdown(source.language or '?')} "
            f"| {escape_markdown(source.title.get('en'))} |"
        )
    return "\n".join(rows)


def data_discrepancies(cluster: nogentech.Cluster) -> str:
    """One entry per disputed fact of ``cluster``, listing each version and its source."""
    parts: list[str] = []
    for item in cluster.discrepancies:
        parts.append(f"**{escape_markdown(item.subject.get('en'))}** (`{item.id}`)")
        parts.append("")
        for variant in item.variants:
            parts.append(f"- `{variant.source}`: {escape_markdown(variant.value)}")
        parts.append("")
    if not parts:
        return "The sources agree on every fact the data holds."
    return "\n".join(parts).rstrip()


def _data_replacements() -> dict[str, Callable[[], str]]:
    return {
        SUMMARY_MARKER: lambda: data_summary(nogentech.load()),
        SOURCES_MARKER: lambda: data_sources(nogentech.load()),
        DISCREPANCIES_MARKER: lambda: data_discrepancies(nogentech.load()),
    }


PAGE_MARKERS: dict[str, dict[str, Callable[[], str]]] = {
    "cli.md": {CLI_MARKER: cli_reference},
    "data.md": _data_replacements(),
}
"""For each page, the markers it must hold and what builds their replacement."""


def expand_markers(markdown: str, page_path: str) -> str:
    """``markdown`` of the page at ``page_path`` with its markers replaced.

    Raises ``PluginError`` when a marker the page must hold is missing.
    """
    for marker, build in PAGE_MARKERS.get(page_path, {}).items():
        if marker not in markdown:
            raise PluginError(f"{page_path}: the marker {marker} is missing")
        markdown = markdown.replace(marker, build())
    return markdown


_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):<code>(~?)([^<]+)</code>")
_ID = re.compile(r'\bid="([^"]+)"')


def _anchor(target: str, ids: set[str]) -> str | None:
    """The id of the API entry ``target`` names, if the page has exactly one."""
    if target in ids:
        return target
    obj: Any = nogentech
    for part in target.removeprefix("nogentech.").split("."):
        obj = getattr(obj, part, None)
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if module and qualname and f"{module}.{qualname}" in ids:
        return f"{module}.{qualname}"
    candidates = [i for i in ids if i.endswith(f".{target}")]
    return candidates[0] if len(candidates) == 1 else None


def resolve_roles(html: str) -> str:
    """Rendered ``:role:`target``` text as code, linked to its entry on the same page."""
    ids = set(_ID.findall(html))

    def replace(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        shown = target.rsplit(".", 1)[-1] if short else target
        anchor = _anchor(target, ids)
        code = f"<code>{shown}</code>"
        return f'<a href="#{anchor}">{code}</a>' if anchor else code

    return _ROLE.sub(replace, html)


def on_page_content(html: str, *, page: Any, **_: Any) -> str:
    """mkdocs event: turn the docstrings' reStructuredText roles into links on the API page."""
    return resolve_roles(html) if page.file.src_uri == "api.md" else html


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:
    """mkdocs event: replace the generated parts of a page before it is rendered."""
    return expand_markers(markdown, page.file.src_uri)
