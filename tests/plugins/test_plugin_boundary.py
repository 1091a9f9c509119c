"""Misbehaving plugins: what they register is checked, what they raise is theirs to answer for."""

from __future__ import annotations

import logging
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, plugins
from nogentech.exceptions import ExportError
from nogentech.plugins import DISABLE_ENV, Exporter, ExporterRegistry, Hooks, plugin_failures

DEMO = Cluster("demo", "Démo")


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    plugins.reset()
    yield
    plugins.reset()


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    return cluster.name.encode()


@pytest.mark.parametrize(
    "media_type",
    [
        "text/plain\r\nSet-Cookie: session=1",
        "text/plain\nX: y",
        "text/plain; charset=utf-8\r\n",
        "text",
        "text/",
        "/plain",
        "text/plain;",
        "text/plain; charset",
        'text/plain; name="a\r\nb"',
        "tëxt/plain",
        "text/plain\x00",
        "text/" + "x" * 300,
    ],
)
def test_a_media_type_that_could_break_headers_is_refused(media_type: str) -> None:
    with pytest.raises(ValueError) as info:
        Exporter("x", "txt", media_type, "", render)
    assert str(info.value) == (
        "'media_type' must be a media type such as 'text/csv; charset=utf-8' "
        f"(RFC 6838: ASCII, no line breaks) (got {media_type!r:.80})"
    )


@pytest.mark.parametrize(
    "media_type",
    [
        "text/plain",
        "text/csv; charset=utf-8",
        'text/plain; charset="utf-8"',
        "application/vnd.nogentech+json",
        "application/ld+json;profile=x",
    ],
)
def test_an_rfc_6838_media_type_is_accepted(media_type: str) -> None:
    assert Exporter("x", "txt", media_type, "", render).media_type == media_type


@pytest.mark.parametrize(
    "extension",
    [".csv", "a/b", "..", "x y", 'x"y', "ics\r\n", "a" * 17, "", "é", "tar..gz", "csv.", "a.b.c.d"],
)
def test_an_extension_that_could_break_a_file_name_is_refused(extension: str) -> None:
    with pytest.raises(ValueError, match="'extension' must be a file extension without its dot"):
        Exporter("x", extension, "text/plain", "", render)


@pytest.mark.parametrize("extension", ["csv", "tar.gz", "CSV", "ics-1", "a_b"])
def test_a_plain_extension_is_accepted(extension: str) -> None:
    assert Exporter("x", extension, "text/plain", "", render).extension == extension


@pytest.mark.parametrize("name", ["", "A", "a b", "a/b", "a\r\nb", "-a", "a" * 33, "é"])
def test_a_format_name_that_could_break_a_url_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="'name' must match regex"):
        Exporter(name, "txt", "text/plain", "", render)


def test_a_plugin_registering_a_header_injection_is_named_and_skipped() -> None:
    """The exporter is refused where the plugin makes it; the other formats stay."""

    class Injecting:
        @nogentech.hookimpl
        def nogentech_register_exporters(self, registry: ExporterRegistry) -> None:
            registry.add(Exporter("evil", "txt", "text/plain\r\nX-Evil: 1", "", render))

    plugins.reset(plugins=[("injecting", Injecting())])
    (failure,) = plugin_failures()
    assert failure.plugin == "injecting"
    assert failure.error.startswith("ValueError: 'media_type' must be a media type")
    assert "evil" not in [f.name for f in nogentech.formats()]
    assert "json" in [f.name for f in nogentech.formats()]


# The checks written as regular expressions, independently of the code's hand-written ones.
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
PART_RE = r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}"
EXTENSION_RE = re.compile(rf"{PART_RE}(?:\.{PART_RE}){{0,2}}")
RESTRICTED_RE = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
TOKEN_RE = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
MEDIA_TYPE_RE = re.compile(
    rf"{RESTRICTED_RE}/{RESTRICTED_RE}"
    rf"(?:[ \t]*;[ \t]*{TOKEN_RE}=(?:{TOKEN_RE}|\"[ !#-\[\]-~]*\"))*"
)

PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "0",
        "-",
        "_",
        ".",
        "+",
        "!",
        "#",
        "$",
        "&",
        "^",
        "%",
        "'",
        "*",
        "`",
        "|",
        "~",
        "/",
        ";",
        "=",
        '"',
        "\\",
        " ",
        "\t",
        "\r\n",
        "\x00",
        "\x7f",
        "é",
        "text",
        "plain",
        "a" * 16,
        "x" * 126,
        "charset",
        "utf-8",
        '"utf-8"',
        '"a;b"',
        "; ",
        " ;",
        ";\t",
        "text/plain",
        "@",
        ",",
    ]
)
"""Pieces of names, extensions and media types, and of what breaks them, to join at random."""
JOINED = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=40)
FIRST = st.sampled_from("aZ0")
TYPE_NAMES = st.one_of(
    st.builds(str.__add__, FIRST, st.text("aZ0!#$&^_.+-", max_size=6)),
    st.sampled_from(["a" * 127, "b" * 126 + "+"]),
)
"""Valid type and subtype names, the longest included."""
TOKENS = st.text("aZ0!#$%&'*+.^_`|~-", min_size=1, max_size=5)
QUOTED = st.text("a ;=[]~(),/:@?{}", max_size=5).map(lambda text: f'"{text}"')
BLANKS = st.sampled_from(["", "", " ", "\t", " \t "])
PARAMETERS = st.builds(
    lambda before, after, name, value: f"{before};{after}{name}={value}",
    BLANKS,
    BLANKS,
    TOKENS,
    TOKENS | QUOTED,
)
VALID_MEDIA_TYPES = st.builds(
    lambda kind, sub, params: f"{kind}/{sub}{''.join(params)}",
    TYPE_NAMES,
    TYPE_NAMES,
    st.lists(PARAMETERS, max_size=3),
)
"""Media types the pattern accepts, built part by part."""
VALID_EXTENSIONS = st.lists(
    st.builds(str.__add__, FIRST, st.text("aZ0_-", max_size=3)) | st.just("a" * 16),
    min_size=1,
    max_size=3,
).map(".".join)
VALID_NAMES = st.builds(str.__add__, st.sampled_from("a0"), st.text("a0_-", max_size=3)) | st.just(
    "a" * 32
)
EDITS = '\\"\r\n\t ;=/,.é\x7f@aZ0-_'
"""What an edit puts in: the characters each check treats apart, and ordinary ones."""


def accepted(**fields: str) -> bool:
    values = {"name": "x", "extension": "txt", "media_type": "text/plain", **fields}
    try:
        Exporter(values["name"], values["extension"], values["media_type"], "", render)
    except ValueError:
        return False
    return True


PROPERTY = settings(max_examples=400)


@PROPERTY
@given(JOINED | VALID_NAMES)
def test_a_format_name_is_checked_as_its_pattern_says(name: str) -> None:
    assert accepted(name=name) == bool(NAME_RE.fullmatch(name))


@PROPERTY
@given(JOINED | VALID_EXTENSIONS)
def test_an_extension_is_checked_as_its_pattern_says(extension: str) -> None:
    assert accepted(extension=extension) == bool(EXTENSION_RE.fullmatch(extension))


@PROPERTY
@given(JOINED | VALID_MEDIA_TYPES)
def test_a_media_type_is_checked_as_its_pattern_says(media_type: str) -> None:
    expected = len(media_type) <= 255 and bool(MEDIA_TYPE_RE.fullmatch(media_type))
    assert accepted(media_type=media_type) == expected


def single_edits(text: str) -> Iterator[str]:
    """``text`` with one character of :data:`EDITS` inserted or put in place of
    another, or one character deleted, at every position."""
    for at in range(len(text) + 1):
        yield text[:at] + text[at + 1 :]
        for char in EDITS:
            yield text[:at] + char + text[at:]
            yield text[:at] + char + text[at + 1 :]


@pytest.mark.parametrize(
    ("field", "pattern", "texts"),
    [
        ("name", NAME_RE, ["a", "a0-_b", "a" * 32]),
        ("extension", EXTENSION_RE, ["csv", "tar.gz", "a-b.c_d.e", "a" * 16 + ".b"]),
        (
            "media_type",
            MEDIA_TYPE_RE,
            [
                "text/plain",
                'a/b; c="d e;f" ;\tg=h',
                "a!#$&^_.+-/z;k=!#$%&'*+.^_`|~-",
                'x/y;q=""',
                "a" * 127 + "/" + "b" * 127,
            ],
        ),
    ],
)
def test_every_single_edit_of_a_valid_value_is_checked_as_its_pattern_says(
    field: str, pattern: re.Pattern[str], texts: list[str]
) -> None:
    wrong = [
        text
        for valid in texts
        for text in single_edits(valid)
        if accepted(**{field: text}) != (len(text) <= 255 and bool(pattern.fullmatch(text)))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ('text/plain; a="x;y" ;\tb=c', True),
        ('text/plain;a=""', True),
        ("text/plain ; a=b", True),
        ("text/plain ;", False),
        ('text/plain; a="x\\"', False),
        ('text/plain; a="x', False),
        ("text/plain; a=b c", False),
        ("a" * 127 + "/" + "b" * 127, True),
        ("a" * 128 + "/b", False),
        ("a/" + "b" * 128, False),
        ("a/b/c", False),
        ("text/plain; =b", False),
        ("text/plain; a=b/c", False),
        ("text/plain, a=b", False),
    ],
)
def test_media_type_edges(media_type: str, expected: bool) -> None:
    assert accepted(media_type=media_type) is expected
    assert bool(MEDIA_TYPE_RE.fullmatch(media_type)) is expected


# -- a plugin that raises at import ---------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where the tests install distributions."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)
    yield root
    for name in set(sys.modules) - before:
        if name.startswith("nogentech_boundary_"):
            del sys.modules[name]


def install(site: Path, name: str, code: str) -> None:
    """A module ``name`` with ``code``, installed with a ``nogentech`` entry point."""
    (site / f"{name}.py").write_text(textwrap.dedent(code), "utf-8")
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[nogentech]\n{name} = {name}\n")


@pytest.mark.parametrize("raised", ["SystemExit(3)", "SystemExit('bye')", "SetupError()"])
def test_a_plugin_raising_at_import_is_named_in_one_warning_and_skipped(
    site: Path, raised: str, caplog: pytest.LogCaptureFixture
) -> None:
    install(
        site,
        "nogentech_boundary_quits",
        f"class SetupError(Exception): pass\nraise {raised}\n",
    )
    with caplog.at_level(logging.WARNING, logger="nogentech.plugins"):
        plugins.reset()
        formats = [f.name for f in nogentech.formats()]
    assert {"ics", "json", "vcard"} <= set(formats)
    (failure,) = plugin_failures()
    assert failure.plugin == "nogentech_boundary_quits"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'nogentech_boundary_quits' failed to load" in warnings[0].getMessage()


def test_a_third_party_hook_raising_names_that_plugin_and_how_to_disable_it(site: Path) -> None:
    install(
        site,
        "nogentech_boundary_broken_hook",
        """
        import nogentech

        @nogentech.hookimpl
        def nogentech_json_document(document, cluster, options):
            raise RuntimeError("no network")
        """,
    )
    plugins.reset()
    with pytest.raises(ExportError) as info:
        nogentech.export(DEMO, "json")
    assert str(info.value) == (
        "plugin 'nogentech_boundary_broken_hook' failed: RuntimeError: no network "
        "(in nogentech_json_document); to skip it, set "
        f"{DISABLE_ENV}=nogentech_boundary_broken_hook"
    )
    assert "nogentech.exporters.json" not in str(info.value)


def test_disabling_the_broken_plugin_as_the_message_says_makes_the_export_work(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(
        site,
        "nogentech_boundary_broken_hook",
        """
        import nogentech

        @nogentech.hookimpl
        def nogentech_json_document(document, cluster, options):
            raise RuntimeError("no network")
        """,
    )
    monkeypatch.setenv(DISABLE_ENV, "nogentech_boundary_broken_hook")
    plugins.reset()
    assert nogentech.loads(nogentech.export(DEMO, "json").decode()) == DEMO
