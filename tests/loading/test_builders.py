"""The builders build what the converter builds, and never take what it refuses.

The reference is the converter without detailed validation (cattrs, then the
class's ``__init__`` with its validators). For every object of generated and
built-in clusters, and for the same data with one value or key replaced by a
hostile one, a builder either refuses or gives an object equal to the
reference's, field by field and type by type; and it takes all valid data, so
that the loader's fast way is the one used.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
import typing
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, PartialDate, Text
from nogentech.builders import Refused, builder
from nogentech.converters import converter
from nogentech.references import COLLECTIONS
from nogentech.testing import HOSTILE, clusters

_HINTS = typing.get_type_hints(Cluster)
CLASSES = {name: typing.get_args(_HINTS[name])[0] for name in COLLECTIONS}


class Tale(str):
    """A string subclass: the converter keeps it, a builder may refuse it."""

    __slots__ = ()


ODD_VALUES: tuple[Any, ...] = (
    *HOSTILE,
    "\ud800",
    "a\udfffb",
    "\ud83d\ude00",
    "forge\n",
    "x-y ",
    "-forge",
    "forge-",
    "for--ge",
    "Forge",
    "",
    " ",
    "2009",
    "2009-02-31",
    "2009-13",
    "٢٠٠٩",
    " 2009 ",
    "0999",
    "10000",
    "PT0S",
    "PT2H",
    "FREQ=MONTHLY;BYDAY=2TH",
    "08:30",
    "2024-05-09",
    "2024-05-09T08:30:00+02:00",
    "2024-05-09T08:30:00",
    Tale("forge"),
    Tale("\ud800"),
    0,
    1,
    -1,
    2009,
    2**31,
    True,
    False,
    None,
    0.0,
    1.5,
    float("nan"),
    float("inf"),
    [],
    ["forge"],
    ["forge", "forge"],
    ["a\ud800"],
    [None],
    [Tale("forge")],
    ("forge",),
    {},
    {"fr": "a"},
    {"fr": None},
    {"fr": ""},
    {"en": "b"},
    {"fr": "a", "en": None},
    {"fr": "a", "de": "b"},
    {"fr": "\ud800"},
    {"fr": Tale("a")},
    "2024-05-09T08:30:00Z",
    "2024-5-9",
    "24:00",
    "08:30:60",
    "8:30",
    "PT-1H",
    "P1D",
    "P",
    10**400,
    dt.date(2024, 5, 9),
    dt.datetime(2024, 5, 9, 8, 30),
    dt.datetime(2024, 5, 9, 8, 30, tzinfo=dt.UTC),
    dt.time(8, 30),
    dt.timedelta(hours=2),
)


def reference(cls: type[Any], data: Any) -> Any:
    """The converter's object, or the exception it raises."""
    try:
        return converter(detailed_validation=False).structure(copy.deepcopy(data), cls)
    except Exception as exc:
        return exc


def built(cls: type[Any], data: Any) -> Any:
    try:
        return builder(cls)(copy.deepcopy(data))
    except Exception as exc:
        return exc


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (``1 == True`` does not count)."""
    if type(a) is not type(b):
        return False
    if attrs.has(type(a)):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a)))
    if isinstance(a, tuple):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def agree(cls: type[Any], data: Any) -> None:
    got = built(cls, data)
    want = reference(cls, data)
    if isinstance(got, Exception):
        return  # a refusal is always safe: the converter reads the data again
    assert not isinstance(want, Exception), f"builder took what the converter refuses: {want!r}"
    assert same(got, want), (got, want)


def items(data: dict[str, Any]) -> Iterator[tuple[type[Any], dict[str, Any]]]:
    for name, cls in CLASSES.items():
        for item in data.get(name, ()):
            yield cls, item


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside plain data (tables, lists and what they hold)."""
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from leaves(inner, (*path, index))


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.copy(data)
    out[path[0]] = replaced(data[path[0]], path[1:], value)
    return out


def one_item(generated: Cluster, choice: st.DataObject) -> tuple[type[Any], dict[str, Any]]:
    """One object of the cluster's data, as plain data, with its class."""
    pairs = list(items(nogentech.to_dict(generated)))
    assume(pairs)
    return choice.draw(st.sampled_from(pairs))


def builtin_data() -> dict[str, Any]:
    return json.loads(nogentech.dumps(nogentech.load()))  # type: ignore[no-any-return]


def test_every_object_of_the_builtin_data_is_built_as_the_converter_builds_it() -> None:
    data = builtin_data()
    count = 0
    for cls, item in items(data):
        got = builder(cls)(copy.deepcopy(item))  # valid data is never refused
        assert same(got, reference(cls, item))
        count += 1
    assert count == sum(len(data.get(name, ())) for name in COLLECTIONS)
    body = {k: v for k, v in data.items() if k != "schema_version"}
    assert same(builder(Cluster)(body), nogentech.load())


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_generated_clusters_are_built_without_a_refusal(generated: Cluster) -> None:
    data = nogentech.to_dict(generated)
    for cls, item in items(data):
        assert same(builder(cls)(copy.deepcopy(item)), reference(cls, item))
    body = {k: v for k, v in data.items() if k != "schema_version"}
    assert same(builder(Cluster)(body), generated)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.data())
def test_one_odd_value_anywhere_is_refused_or_read_alike(
    generated: Cluster, choice: st.DataObject
) -> None:
    cls, item = one_item(generated, choice)
    path = choice.draw(st.sampled_from([p for p in leaves(item) if p]))
    value = choice.draw(st.sampled_from(ODD_VALUES) | st.text(max_size=6))
    agree(cls, replaced(item, path, value))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.data())
def test_an_odd_key_or_a_missing_one_is_refused_or_read_alike(
    generated: Cluster, choice: st.DataObject
) -> None:
    cls, item = one_item(generated, choice)
    field = choice.draw(st.sampled_from([a.name for a in attrs.fields(cls) if a.init]))
    odd = dict(item)
    if choice.draw(st.booleans()):
        odd.pop(field, None)
    else:
        odd[choice.draw(st.sampled_from(("x-note", "Id", field + "_", "_index", "")))] = "a"
    agree(cls, odd)


@pytest.mark.parametrize("key", ["x-note", "Id", "", 1, None, Tale("idx")], ids=repr)
def test_a_key_no_field_has_is_refused_in_every_object_of_the_builtin_data(key: Any) -> None:
    data = builtin_data()
    seen: set[type[Any]] = set()
    for cls, item in items(data):
        if cls in seen:
            continue
        seen.add(cls)
        odd = {**item, key: "a"}
        with pytest.raises(Exception):  # noqa: B017 - any refusal sends the data on
            builder(cls)(odd)
        assert isinstance(reference(cls, odd), Exception), (cls, key)
        # The same key in place of a field the object has is refused as well.
        for field in item:
            swapped = {(key if name == field else name): value for name, value in item.items()}
            with pytest.raises(Exception):  # noqa: B017
                builder(cls)(swapped)
    assert len(seen) == len(CLASSES)


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_odd_values_in_every_field_of_the_builtin_data(value: Any) -> None:
    data = builtin_data()
    seen: set[tuple[type[Any], str]] = set()
    for cls, item in items(data):
        for key in item:
            if (cls, key) in seen:
                continue
            seen.add((cls, key))
            agree(cls, replaced(item, (key,), value))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2009", PartialDate(2009)),
        ("2006-06", PartialDate(2006, 6)),
        ("2023-07-12", PartialDate(2023, 7, 12)),
        (2009, PartialDate(2009)),
    ],
)
def test_partial_dates_are_built_exactly(value: Any, expected: PartialDate) -> None:
    item = {"id": "x", "title": "Titre", "date": value, "kind": "label"}
    got = builder(CLASSES["milestones"])(item).date
    assert same(got, expected)


@pytest.mark.parametrize(
    "value", ["2009-02-29", "2009-00", "0000", 0, 10000, "2009-1", True, 2009.0]
)
def test_partial_dates_the_model_refuses_are_refused(value: Any) -> None:
    item = {"id": "x", "title": "Titre", "date": value, "kind": "label"}
    with pytest.raises(Exception):  # noqa: B017 - any refusal sends the data on
        builder(CLASSES["milestones"])(item)
    assert isinstance(reference(CLASSES["milestones"], item), Exception)


def joined(characters: st.SearchStrategy[str], sizes: tuple[int, ...], sep: str) -> Any:
    """Texts of ``characters`` of each of ``sizes``, joined by ``sep``."""
    return st.tuples(*(st.text(characters, min_size=n, max_size=n) for n in sizes)).map(sep.join)


_DATE_CHARACTERS = st.sampled_from("0123456789-+W: T٠١٩²\ud800")
_INT_CHARACTERS = st.sampled_from("0123456789+- _")


@settings(max_examples=600)
@given(
    text=st.one_of(
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(lambda d: d.isoformat()[:7]),
        st.integers(0, 10_000).map(lambda y: f"{y:04d}"),
        st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda p: f"{p[0]:04d}-{p[1]:02d}"),
        joined(_DATE_CHARACTERS, (4, 2, 2), "-"),
        joined(_DATE_CHARACTERS, (4, 2), "-"),
        st.text(_DATE_CHARACTERS, min_size=3, max_size=11),
        # What int() takes beyond digits: signs, spaces, underscores.
        st.text(_INT_CHARACTERS, min_size=4, max_size=4),
        joined(_INT_CHARACTERS, (4, 2), "-"),
    )
)
@example("2009-+6")
@example("2009- 6")
@example("+009")
@example(" 209")
@example("2_09")
@example("0000")
@example("2009-13")
@example("2009-00")
@example("2009-02-29")
@example("2008-02-29")
@example("2009-W01-1")
@example("٢٠٠٩")
def test_a_partial_date_in_text_is_what_the_converter_reads(text: str) -> None:
    item = {"id": "x", "title": "Titre", "date": text, "kind": "label"}
    got = built(CLASSES["milestones"], item)
    want = reference(CLASSES["milestones"], item)
    if isinstance(want, Exception):
        assert isinstance(got, Exception), f"the builder took {text!r}"
    elif text == want.date.isoformat():
        assert same(got, want), (text, got, want)
    else:
        # Spaces around, digits of other scripts, which the model reads: a refusal
        # sends them on to the converter.
        assert isinstance(got, Exception) or same(got, want), (text, got, want)


_CLOCK_CHARACTERS = st.sampled_from("0123456789-:+ T.Z٠١٩²\ud800")


def _first_event() -> tuple[type[Any], dict[str, Any]]:
    """A one-off event of the built-in data: a day, and a start time it may have."""
    return CLASSES["events"], builtin_data()["events"][0]


@settings(max_examples=400)
@given(
    text=st.one_of(
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
        st.text(_CLOCK_CHARACTERS, min_size=8, max_size=12),
        joined(_CLOCK_CHARACTERS, (4, 2, 2), "-"),
    )
)
@example("2024-05-09")
@example("2024-05-9 ")
@example("2024-5-09x")
@example("2024:05:09")
@example("٢٠٢٤-٠٥-٠٩")
@example("2024-02-30")
def test_a_date_in_text_is_what_the_converter_reads(text: str) -> None:
    """An event's date: read alike, or refused and left to the converter; a date in
    ``YYYY-MM-DD`` form that the converter reads is never refused."""
    cls, event = _first_event()
    item = {**event, "date": text}
    agree(cls, item)
    want = reference(cls, item)
    if not isinstance(want, Exception) and text == want.date.isoformat():
        assert not isinstance(built(cls, item), Exception), text


@settings(max_examples=400)
@given(
    text=st.one_of(
        st.times().map(lambda t: t.isoformat("minutes")),
        st.times().map(lambda t: t.isoformat("seconds")),
        st.text(_CLOCK_CHARACTERS, min_size=4, max_size=9),
        joined(_CLOCK_CHARACTERS, (2, 2), ":"),
    )
)
@example("08:30")
@example("08:30:00")
@example("08:30:0")
@example("08-30")
@example("08:30-00")
@example("24:00")
@example("٠٨:٣٠")
@example("08:30:00.5")
def test_a_time_in_text_is_what_the_converter_reads(text: str) -> None:
    """An event's start time: read alike, or refused and left to the converter; a
    time in ``HH:MM`` or ``HH:MM:SS`` form that the converter reads is never refused."""
    cls, event = _first_event()
    item = {**event, "start_time": text}
    agree(cls, item)
    want = reference(cls, item)
    if not isinstance(want, Exception) and text in (
        want.start_time.isoformat("minutes"),
        want.start_time.isoformat("seconds"),
    ):
        assert not isinstance(built(cls, item), Exception), text


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("date", "2024-05-09", dt.date(2024, 5, 9)),
        ("date", "1900-01-01", dt.date(1900, 1, 1)),
        ("date", "2024-02-29", dt.date(2024, 2, 29)),
        ("start_time", "08:30", dt.time(8, 30)),
        ("start_time", "23:59:59", dt.time(23, 59, 59)),
        ("start_time", "00:00", dt.time(0, 0)),
    ],
)
def test_dates_and_times_in_iso_form_are_built_without_the_converter(
    field: str, text: str, value: Any
) -> None:
    cls, event = _first_event()
    item = {**event, field: text}
    assert getattr(builder(cls)(item), field) == value
    assert getattr(reference(cls, item), field) == value


def test_texts_are_built_exactly() -> None:
    build = builder(CLASSES["sources"])
    got = build({"id": "s", "title": {"fr": "Forge", "en": "Forging"}}).title
    assert same(got, Text(fr="Forge", en="Forging"))
    assert same(build({"id": "s", "title": "Forge"}).title, Text(fr="Forge"))
    assert same(build({"id": "s", "title": {"en": "Forging"}}).title, Text(en="Forging"))
    for odd in ({"fr": "a\ud800"}, "\udc00", {"fr": "", "en": ""}, {"fr": "a", "en": 1}):
        with pytest.raises(Exception):  # noqa: B017
            build({"id": "s", "title": odd})


def test_a_refusal_is_what_the_loader_catches() -> None:
    with pytest.raises(Refused):
        builder(CLASSES["companies"])({"id": "a", "name": "A", "sectors": ("forge",)})


def test_valid_data_is_read_without_the_converter() -> None:
    """The fast way needs no cattrs: a one-shot command does not import it."""
    code = (
        "import sys, nogentech; nogentech.load(); "
        "print(sorted(m for m in sys.modules if m.startswith(('cattrs', 'nogentech.converters'))))"
    )
    env = {k: v for k, v in os.environ.items() if k != "NOGENTECH_CACHE_DIR"}
    env["NOGENTECH_CACHE_DIR"] = ""  # no snapshot: the built-in file is read and built
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_every_reference_is_the_very_string_of_the_id_it_names() -> None:
    """A slug is held once per load: the ids and every reference naming them share it."""
    import itertools

    from nogentech.loading import builtin_path

    cluster = nogentech.loads(builtin_path().read_bytes(), "toml")
    pairs = [
        (ref, cluster.get(ref).id)
        for company in cluster.companies
        for ref in itertools.chain(company.sectors, company.places, company.sources)
    ]
    roles = [r for p in cluster.people for r in p.roles if r.of and r.of != cluster.id]
    pairs += [(r.of, cluster.get(r.of).id) for r in roles]
    assert len(pairs) > 50
    assert all(ref is ident for ref, ident in pairs)


def _objects(value: Any) -> Iterator[Any]:
    """Every attrs object in ``value``, nested ones included."""
    if attrs.has(type(value)):
        yield value
        for field in attrs.fields(type(value)):
            yield from _objects(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _objects(item)


def test_built_objects_are_finished_instances_of_their_own_class() -> None:
    """Objects filled through a writable subclass end as plain frozen instances."""
    import weakref

    from nogentech.loading import builtin_path

    cluster = nogentech.loads(builtin_path().read_bytes(), "toml")
    objects = list(_objects(cluster))
    assert len({type(o) for o in objects}) >= 10
    for obj in objects:
        cls = type(obj)
        assert cls.__module__.startswith("nogentech.") and not cls.__name__.startswith("_")
        assert "__attrs_attrs__" in cls.__dict__  # an attrs class itself, not a subclass
        name = attrs.fields(cls)[0].name
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(obj, name, getattr(obj, name))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(obj, name)
        assert weakref.ref(obj)() is obj
        assert hash(obj) == hash(attrs.evolve(obj))
        assert obj == attrs.evolve(obj)


@attrs.frozen
class _Pair:
    key: str
    value: int = attrs.field(default=0, validator=attrs.validators.ge(0))


class _Counted(type):
    """A metaclass of its own: its classes are left to their setters."""


@attrs.frozen
class _OwnNew:
    key: str
    value: int = 0

    def __new__(cls, *args: Any, **kwargs: Any) -> _OwnNew:
        instance: _OwnNew = super().__new__(cls)
        return instance


@attrs.frozen
class _OtherMeta(metaclass=_Counted):
    key: str
    value: int = 0


@pytest.mark.parametrize("cls", [_Pair, _OwnNew, _OtherMeta], ids=lambda c: c.__name__)
def test_classes_with_or_without_a_writable_subclass_are_built_alike(cls: type[Any]) -> None:
    """A class with its own ``__new__`` or metaclass is filled by its slots' setters."""
    from nogentech.builders import _open

    assert (_open(cls) is None) == (cls is not _Pair)
    build = builder(cls)
    got = build({"key": "a", "value": 3})
    assert same(got, cls(key="a", value=3))
    assert same(build({"key": "b"}), cls(key="b"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        got.key = "b"
    for odd in ({"key": 1}, {"key": "a", "value": "3"}, {"value": 1}, {"key": "a", "x": 1}):
        with pytest.raises(Exception):  # noqa: B017
            build(odd)
    if cls is _Pair:
        with pytest.raises(ValueError):
            build({"key": "a", "value": -1})
