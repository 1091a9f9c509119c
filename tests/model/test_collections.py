"""The classes of a cluster's collections, as its annotations give them."""

from __future__ import annotations

import typing

import attrs

from nogentech import Cluster
from nogentech.cluster import ITEM_CLASSES
from nogentech.references import COLLECTIONS


def test_each_collection_holds_the_class_its_annotation_names() -> None:
    hints = typing.get_type_hints(Cluster)
    from_annotations = {}
    for name in COLLECTIONS:
        origin, args = typing.get_origin(hints[name]), typing.get_args(hints[name])
        assert origin is tuple and args[1] is Ellipsis, name
        from_annotations[name] = args[0]
    assert from_annotations == ITEM_CLASSES
    assert tuple(ITEM_CLASSES) == COLLECTIONS


def test_the_collections_are_the_tuple_fields_of_a_cluster() -> None:
    tuples_of_models = [
        field.name
        for field in attrs.fields(Cluster)
        if typing.get_origin(typing.get_type_hints(Cluster)[field.name]) is tuple
        and attrs.has(typing.get_args(typing.get_type_hints(Cluster)[field.name])[0])
    ]
    assert tuple(tuples_of_models) == COLLECTIONS
