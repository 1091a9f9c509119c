"""The ``json`` exporter and the JSON Schema of its output (``nogentech.schema``)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

import nogentech
from nogentech import (
    Cluster,
    Company,
    MeetingSeries,
    Override,
    PartialDate,
    Place,
    Text,
    plugins,
)
from nogentech.cli import main
from nogentech.exceptions import DataError
from nogentech.organisations import ORGANISATION_KINDS
from nogentech.people import ROLE_KINDS
from nogentech.schema import json_schema, schema_text
from nogentech.testing import clusters
from tests.support import ROOT


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)
    plugins.reset()
    yield
    plugins.reset()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def export_doc(cluster: Cluster, **options: Any) -> Any:
    return json.loads(nogentech.export(cluster, "json", **options))


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# -- the exporter -------------------------------------------------------------------


def test_builtin_data_round_trips() -> None:
    """The built-in data exported as JSON loads back equal."""
    cluster = nogentech.load()
    assert nogentech.loads(nogentech.export(cluster, "json").decode("utf-8")) == cluster


@PROPERTY
@given(cluster=clusters())
def test_any_cluster_round_trips_and_matches_the_schema(
    cluster: Cluster, validator: jsonschema.Draft202012Validator
) -> None:
    """Generated clusters load back equal from their export, which the schema accepts."""
    data = nogentech.export(cluster, "json")
    assert nogentech.loads(data.decode("utf-8")) == cluster
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(data))]
    assert errors == []


def test_export_is_deterministic_utf8_with_stable_key_order() -> None:
    """Same data, same bytes; keys follow the model's field order; non-ASCII kept as is."""
    cluster = Cluster(
        "demo",
        "Démo – Nogent",
        description=Text(fr="Coutellerie à l’ancienne", en="Cutlery"),
        companies=(Company("forge", "Forges de Bologne", member=True, aliases=("Forgé",)),),
    )
    first = nogentech.export(cluster, "json")
    assert first == nogentech.export(cluster, "json")
    assert first == nogentech.export(nogentech.loads(first.decode("utf-8")), "json")
    assert "Démo – Nogent".encode() in first
    assert b"\\u" not in first
    assert first.endswith(b"}\n") and not first.endswith(b"\n\n")
    doc = json.loads(first)
    assert list(doc) == ["schema_version", "id", "name", "description", "companies"]
    assert list(doc["companies"][0]) == ["id", "name", "member", "aliases"]
    assert list(doc["description"]) == ["fr", "en"]
    assert b'\n  "id": "demo",\n' in first  # two spaces of indentation by default


def test_builtin_export_keeps_accents_and_is_stable() -> None:
    cluster = nogentech.load()
    data = nogentech.export(cluster, "json")
    assert data == nogentech.export(cluster, "json")
    assert "é".encode() in data and b"\\u00e9" not in data
    top = list(json.loads(data))
    fields = [f.name for f in attrs.fields(Cluster) if f.init]
    assert top == ["schema_version", *[name for name in fields if name in top]]


@pytest.mark.parametrize("indent", [0, "0"])
def test_indent_zero_gives_one_line(indent: Any) -> None:
    """``indent=0`` (also given as text, as from the command line) writes one line."""
    cluster = nogentech.load()
    data = nogentech.export(cluster, "json", indent=indent)
    assert data.count(b"\n") == 1 and data.endswith(b"\n")
    assert nogentech.loads(data.decode("utf-8")) == cluster


def test_indent_option_sets_the_indentation() -> None:
    data = nogentech.export(Cluster("demo", "Demo"), "json", indent=4)
    assert data == b'{\n    "schema_version": 1,\n    "id": "demo",\n    "name": "Demo"\n}\n'


def test_schema_version_comes_first_and_is_one() -> None:
    doc = export_doc(nogentech.load())
    assert next(iter(doc)) == "schema_version"
    assert doc["schema_version"] == nogentech.SCHEMA_VERSION == 1


class Stats:
    """A plugin adding counts under its own ``x-`` key."""

    def __init__(self) -> None:
        self.seen: list[tuple[Cluster, dict[str, Any]]] = []

    @nogentech.hookimpl
    def nogentech_json_document(
        self, document: dict[str, Any], cluster: Cluster, options: dict[str, Any]
    ) -> None:
        self.seen.append((cluster, dict(options)))
        document["x-stats"] = {"companies": len(cluster.companies), "indent": options["indent"]}


def test_json_document_hook_adds_a_key_that_load_ignores(
    validator: jsonschema.Draft202012Validator,
) -> None:
    """A plugin's ``x-`` key is written last, accepted by the schema, ignored by load()."""
    stats = Stats()
    plugins.reset(plugins=[("stats", stats)])
    cluster = nogentech.load()
    data = nogentech.export(cluster, "json", indent="0")
    assert stats.seen == [(cluster, {"indent": 0})]
    doc = json.loads(data)
    assert list(doc)[-1] == "x-stats"
    assert doc["x-stats"] == {"companies": len(cluster.companies), "indent": 0}
    assert list(validator.iter_errors(doc)) == []
    assert nogentech.loads(data.decode("utf-8")) == cluster


def test_a_key_without_the_x_prefix_breaks_loading_and_the_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    """Why the prefix matters: any other new top-level key is unknown to both."""

    class Careless:
        @nogentech.hookimpl
        def nogentech_json_document(self, document: dict[str, Any]) -> None:
            document["stats"] = 1

    plugins.reset(plugins=[("careless", Careless())])
    data = nogentech.export(Cluster("demo", "Demo"), "json")
    with pytest.raises(DataError, match="stats"):
        nogentech.loads(data.decode("utf-8"))
    assert not validator.is_valid(json.loads(data))


# -- the schema ---------------------------------------------------------------------


def test_shipped_schema_is_the_generated_one() -> None:
    """``data/cluster.schema.json`` is exactly what json_schema() gives (it never drifts)."""
    shipped = (resources.files("nogentech") / "data" / "cluster.schema.json").read_text("utf-8")
    assert json.loads(shipped) == json_schema()
    assert shipped == schema_text()
    assert schema_text().endswith("}\n") and '\n  "$schema"' in schema_text()


def test_schema_command_prints_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == schema_text()


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_follows_the_model() -> None:
    """Required fields, enums, nullable values and nested classes come from the attrs classes."""
    schema = json_schema()
    defs = schema["$defs"]
    assert schema["required"] == ["schema_version", "id", "name"]
    assert schema["properties"]["schema_version"] == {
        "description": schema["properties"]["schema_version"]["description"],
        "const": 1,
    }
    assert schema["additionalProperties"] is False
    assert list(schema["patternProperties"]) == ["^x-"]
    company = defs["Company"]
    assert company["required"] == ["id", "name"]
    assert company["additionalProperties"] is False
    assert list(company["properties"]) == [f.name for f in attrs.fields(Company)]
    assert company["properties"]["kind"] == {
        "type": "string",
        "enum": list(ORGANISATION_KINDS),
        "default": "firm",
    }
    assert company["properties"]["member"] == {"type": ["boolean", "null"], "default": None}
    assert company["properties"]["aliases"] == {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
    }
    assert company["properties"]["name"] == {"type": "string", "minLength": 1}
    assert company["properties"]["sectors"]["items"] == {"$ref": "#/$defs/Slug"}
    assert defs["MeetingSeries"]["required"] == [
        "id", "name", "first_date", "start_time", "duration", "rule"
    ]  # fmt: skip
    assert defs["MeetingSeries"]["properties"]["overrides"]["items"] == {"$ref": "#/$defs/Override"}
    assert defs["Override"]["properties"]["sequence"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 2**31 - 1,
        "default": 0,
    }
    assert defs["MeetingSeries"]["properties"]["holiday_country"]["default"] == "FR"
    assert defs["Discrepancy"]["properties"]["variants"]["minItems"] == 2
    assert defs["KeyFigure"]["properties"]["value"] == {"type": "number"}
    role_kind = defs["Role"]["properties"]["kind"]
    assert role_kind["enum"] == list(ROLE_KINDS)
    assert sorted(defs) == sorted(
        [
            "Commission", "Company", "Date", "DateTime", "Discrepancy", "Duration", "Event",
            "FormerName", "KeyFigure", "MeetingSeries", "Milestone", "Override", "PartialDate",
            "Person", "Place", "Project", "Role", "Sector", "Slug", "Source", "SubCluster",
            "Text", "Time", "Variant",
        ]
    )  # fmt: skip


def _fill_defaults(obj: dict[str, Any], schema: dict[str, Any], defs: dict[str, Any]) -> int:
    """Write every left-out field with the schema's ``default``; returns how many."""
    filled = 0
    for name, prop in schema["properties"].items():
        if name not in obj and "default" in prop:
            obj[name] = copy.deepcopy(prop["default"])
            filled += 1
        ref = prop.get("items", {}).get("$ref", "") if prop.get("type") == "array" else ""
        target = defs.get(ref.rpartition("/")[2], {})
        if name in obj and "properties" in target and ref != "#/$defs/Text":
            for item in obj[name]:
                filled += _fill_defaults(item, target, defs)
    return filled


def test_schema_defaults_are_what_leaving_a_field_out_means() -> None:
    """A front-end may fill in the schema's defaults: the data stays the same."""
    schema = json_schema()
    cluster = nogentech.load()
    doc = export_doc(cluster)
    assert _fill_defaults(doc, schema, schema["$defs"]) > 100
    assert nogentech.from_dict(doc) == cluster


def test_schema_rejects_a_type_it_has_no_rule_for() -> None:
    """A new field type in the model fails loudly instead of being left out of the schema."""
    from nogentech.schema import _Builder

    with pytest.raises(TypeError, match="no JSON Schema rule"):
        _Builder().value(dict[str, int])


def test_builtin_export_matches_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    doc = export_doc(nogentech.load())
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)] == []


def _rich_doc() -> dict[str, Any]:
    cluster = Cluster(
        "demo",
        "Demo",
        founded=PartialDate(2006, 6),
        updated=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        places=(Place("nogent", "commune", Text(fr="Nogent")),),
        companies=(Company("forge", "Forge", places=("nogent",)),),
        meeting_series=(
            MeetingSeries(
                "club",
                Text(fr="Club"),
                dt.date(2024, 1, 11),
                dt.time(8, 30),
                dt.timedelta(hours=2),
                "FREQ=MONTHLY;BYDAY=2TH",
                overrides=(Override(dt.date(2024, 2, 8), cancelled=True, sequence=1),),
            ),
        ),
    )
    doc: dict[str, Any] = export_doc(cluster)
    return doc


def _breakages() -> list[tuple[str, Any]]:
    def set_at(path: list[Any], value: Any) -> Any:
        def change(doc: dict[str, Any]) -> None:
            target: Any = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value

        return change

    def delete(path: list[Any]) -> Any:
        def change(doc: dict[str, Any]) -> None:
            target: Any = doc
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]

        return change

    return [
        ("name is a number", set_at(["name"], 3)),
        ("unknown top-level key", set_at(["colour"], "red")),
        ("unknown key in a company", set_at(["companies", 0, "colour"], "red")),
        ("company without a name", delete(["companies", 0, "name"])),
        ("bad organisation kind", set_at(["companies", 0, "kind"], "shop")),
        ("reference not a slug", set_at(["companies", 0, "places"], ["Nogent"])),
        ("text with a third language", set_at(["places", 0, "name", "de"], "Nogent")),
        ("empty text", set_at(["places", 0, "name"], {})),
        ("impossible date", set_at(["meeting_series", 0, "first_date"], "2024-02-30")),
        ("time with letters", set_at(["meeting_series", 0, "start_time"], "8h30")),
        ("duration in minutes", set_at(["meeting_series", 0, "duration"], 120)),
        ("naive date-time", set_at(["updated"], "2024-03-01T09:30:00")),
        ("partial date with month 13", set_at(["founded"], "2006-13")),
        ("negative sequence", set_at(["meeting_series", 0, "overrides", 0, "sequence"], -1)),
        ("cancelled as text", set_at(["meeting_series", 0, "overrides", 0, "cancelled"], "yes")),
        ("other schema version", set_at(["schema_version"], 2)),
        ("no schema version", delete(["schema_version"])),
    ]


def test_rich_document_matches_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    assert list(validator.iter_errors(_rich_doc())) == []


@pytest.mark.parametrize(("label", "change"), _breakages(), ids=[b[0] for b in _breakages()])
def test_schema_rejects_a_broken_document(
    label: str, change: Any, validator: jsonschema.Draft202012Validator
) -> None:
    """Each breakage (wrong type, unknown key, bad format…) is caught by the schema."""
    doc = copy.deepcopy(_rich_doc())
    change(doc)
    assert not validator.is_valid(doc), label
    if label != "no schema version":  # the loader reads files without it as version 1
        with pytest.raises(DataError):
            nogentech.from_dict(doc)


# -- the examples of docs/json.md run ----------------------------------------------

JSON_DOC = ROOT / "docs" / "json.md"


def doc_blocks(language: str) -> list[str]:
    text = JSON_DOC.read_text("utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_python_validation_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = [b for b in doc_blocks("python") if "jsonschema" in b]
    (tmp_path / "cluster.schema.json").write_text(schema_text(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "json.md", "exec"), {})


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the example")
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_javascript_example_reads_the_export(tmp_path: Path, lang: str) -> None:
    """The reader in docs/json.md, run by Node.js on the real export, finds what Python finds."""
    (block,) = [b for b in doc_blocks("js") if "function readCluster" in b]
    script = tmp_path / "read.js"
    script.write_text(
        block
        + textwrap.dedent(
            """
            const chunks = [];
            process.stdin.on("data", (chunk) => chunks.push(chunk));
            process.stdin.on("end", () => {
              const doc = JSON.parse(Buffer.concat(chunks).toString("utf8"));
              const { organisations } = readCluster(doc, process.argv[2]);
              process.stdout.write(JSON.stringify(organisations));
            });
            """
        ),
        encoding="utf-8",
    )
    cluster = nogentech.load()
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, str(script), lang],
        input=nogentech.export(cluster, "json", indent=0),
        capture_output=True,
        check=True,
        timeout=60,
    )
    expected = [
        {
            "id": c.id,
            "name": c.name,
            "kind": c.kind,
            "member": c.member,
            "sectors": [cluster.sector(s).name.get(lang) for s in c.sectors],
        }
        for c in cluster.companies
    ]
    assert json.loads(result.stdout) == expected
