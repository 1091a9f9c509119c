"""``Option`` and ``Exporter`` behave as the attrs classes they were: the same
constructor, equality, hash, ``repr``, immutability, copies and pickles.

The oracle is an ``attrs.frozen`` twin of each class with the same fields,
defaults and checks, made here; hypothesis gives the field values.
"""

from __future__ import annotations

import copy
import pickle
import weakref
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nogentech.plugins import Exporter, Option


def _render(*_args: object) -> bytes:
    return b""


def _other_render(*_args: object) -> bytes:
    return b"other"


Twin = attrs.make_class(
    "Option",
    {
        "name": attrs.field(),
        "description": attrs.field(),
        "kind": attrs.field(default="str"),
        "default": attrs.field(default=None),
        "choices": attrs.field(default=()),
        "minimum": attrs.field(default=None),
        "maximum": attrs.field(default=None),
    },
    frozen=True,
    slots=True,
)
"""What ``Option`` was: an ``attrs.frozen`` class."""

ExporterTwin = attrs.make_class(
    "Exporter",
    {
        "name": attrs.field(),
        "extension": attrs.field(),
        "media_type": attrs.field(),
        "description": attrs.field(),
        "render": attrs.field(repr=False),
        "options": attrs.field(default=()),
    },
    frozen=True,
    slots=True,
)
"""What ``Exporter`` was (its checks are tested on their own below)."""

TEXT = st.text(max_size=12)
VALUE = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.tuples(TEXT))
OPTION_FIELDS = st.fixed_dictionaries(
    {"name": TEXT, "description": TEXT},
    optional={
        "kind": st.sampled_from(["str", "bool", "int", "date", "choice", "list"]),
        "default": VALUE,
        "choices": st.lists(TEXT, max_size=3).map(tuple),
        "minimum": st.none() | st.integers(),
        "maximum": st.none() | st.integers(),
    },
)


def _as_positional(fields: dict[str, Any], order: tuple[str, ...]) -> list[Any]:
    """The fields as positional arguments, up to the last one given."""
    given_ = [name for name in order if name in fields]
    last = order.index(given_[-1]) if given_ else -1
    defaults = {"kind": "str", "default": None, "choices": (), "minimum": None, "maximum": None}
    return [fields.get(name, defaults.get(name)) for name in order[: last + 1]]


@given(OPTION_FIELDS, OPTION_FIELDS)
def test_an_option_is_equal_hashed_and_shown_as_its_attrs_twin(
    one: dict[str, Any], two: dict[str, Any]
) -> None:
    a, b = Option(**one), Option(**two)
    twin_a, twin_b = Twin(**one), Twin(**two)
    assert repr(a) == repr(twin_a)
    assert (a == b) is (twin_a == twin_b)
    assert (a != b) is (twin_a != twin_b)
    assert attrs.astuple(twin_a) == tuple(getattr(a, f) for f in Option.__match_args__)
    assert hash(a) == hash(Option(**one))
    if a == b:
        assert hash(a) == hash(b)
    assert Option(*_as_positional(one, Option.__match_args__)) == a
    assert a != twin_a and twin_a != a


@given(OPTION_FIELDS)
def test_an_option_survives_pickle_and_copies_and_cannot_be_changed(fields: dict[str, Any]) -> None:
    option = Option(**fields)
    for again in (
        pickle.loads(pickle.dumps(option)),
        copy.copy(option),
        copy.deepcopy(option),
    ):
        assert again == option
        assert type(again) is Option
        assert repr(again) == repr(option)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        option.name = "other"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del option.kind  # type: ignore[misc]
    assert option == Option(**fields)


def test_an_exporter_is_equal_hashed_shown_and_pickled_as_its_attrs_twin() -> None:
    options = (Option("lang", "Language.", "choice", "fr", ("fr", "en")),)
    made = Exporter("csv", "csv", "text/csv; charset=utf-8", "CSV.", _render, options)
    twin = ExporterTwin("csv", "csv", "text/csv; charset=utf-8", "CSV.", _render, options)
    assert repr(made) == repr(twin)
    assert "render" not in repr(made)
    same = Exporter(
        name="csv",
        extension="csv",
        media_type="text/csv; charset=utf-8",
        description="CSV.",
        render=_render,
        options=options,
    )
    assert made == same and hash(made) == hash(same)
    assert made != Exporter("csv", "csv", "text/csv; charset=utf-8", "CSV.", _other_render, options)
    assert made != Exporter("csv", "csv", "text/csv; charset=utf-8", "CSV.", _render)
    assert Exporter("csv", "csv", "text/csv", "", _render).options == ()
    assert pickle.loads(pickle.dumps(made)) == made
    assert copy.copy(made) == made
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.render = _other_render  # type: ignore[misc]
    assert weakref.ref(made)() is made


NAME = (
    "'name' must match regex '[a-z0-9][a-z0-9_-]{0,31}': "
    "up to 32 lowercase letters, digits, '-' and '_'"
)
EXTENSION = (
    "'extension' must be a file extension without its dot, such as 'csv' or 'tar.gz': "
    "ASCII letters, digits, '-' and '_'"
)
MEDIA_TYPE = (
    "'media_type' must be a media type such as 'text/csv; charset=utf-8' "
    "(RFC 6838: ASCII, no line breaks)"
)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("Bad Name", "csv", "text/csv"), NAME + " (got 'Bad Name')"),
        ((3, "csv", "text/csv"), NAME + " (got 3)"),
        (("csv", ".csv", "text/csv"), EXTENSION + " (got '.csv')"),
        (("csv", "csv", "text/csv\r\nX: y"), MEDIA_TYPE + " (got 'text/csv\\r\\nX: y')"),
        (("Bad", ".csv", "text/csv\n"), NAME + " (got 'Bad')"),
    ],
)
def test_a_bad_exporter_is_refused_with_the_messages_attrs_gave(
    fields: tuple[Any, str, str], message: str
) -> None:
    """The messages the attrs validators gave, the field first: the first bad field is named."""
    with pytest.raises(ValueError) as made:
        Exporter(*fields, "", _render)
    assert str(made.value) == message


def test_a_match_statement_reads_the_fields_in_order() -> None:
    match Option("lang", "Language.", "choice", "fr", ("fr", "en")):
        case Option(name, _, kind, default):
            assert (name, kind, default) == ("lang", "choice", "fr")
        case _:  # pragma: no cover - the case above must match
            pytest.fail("an Option did not match its positional pattern")
