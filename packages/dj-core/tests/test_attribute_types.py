"""The attribute-type registry: recognising types and dispatching handlers."""

from __future__ import annotations

import pytest
from dj_core.attribute_types import (
    AttributeType,
    TypeContext,
    classify,
    get_handler,
    has_handler,
    register_type,
    registered_types,
    store_of,
)
from dj_core.errors import DataJointError


@pytest.mark.parametrize(
    ("type_text", "category"),
    [
        ("int", "INTEGER"),
        ("smallint unsigned", "INTEGER"),
        ("int(11) unsigned auto_increment", "INTEGER"),
        ("BIGINT", "INTEGER"),
        ("serial", "INTEGER"),
        ("int unsigned zerofill", "INTEGER"),
        ("int8", "INTEGER"),  # MySQL's synonym of bigint
        ("decimal(7,3)", "DECIMAL"),
        ("numeric unsigned", "DECIMAL"),
        ("float", "FLOAT"),
        ("double", "FLOAT"),
        ("real", "FLOAT"),
        ("varchar(255)", "STRING"),
        ("char(1)", "STRING"),
        ("json", "JSON"),
        ("enum('M','F','U')", "ENUM"),
        ("bool", "BOOL"),
        ("boolean", "BOOL"),
        ("datetime(3)", "TEMPORAL"),
        ("date", "TEMPORAL"),
        ("year", "TEMPORAL"),
        ("longblob", "INTERNAL_BLOB"),
        ("blob", "INTERNAL_BLOB"),
        ("smallblob", "INTERNAL_BLOB"),  # accepted by the pattern, not a MySQL type
        ("blob@raw", "EXTERNAL_BLOB"),
        ("blob@Raw-2", "EXTERNAL_BLOB"),
        ("attach", "INTERNAL_ATTACH"),
        ("attach@s3", "EXTERNAL_ATTACH"),
        ("filepath@data", "FILEPATH"),
        ("uuid", "UUID"),
        ("<graph>", "ADAPTED"),
    ],
)
def test_classify(type_text, category):
    assert classify(type_text) == category


@pytest.mark.parametrize(
    "type_text",
    # 0.14 took `tinyinteger` and `integers` for integers (its pattern was open at the end)
    ["text", "varchar", "binary(16)", "bit", "blob@", "x", "tinyinteger", "integers", "int5"],
)
def test_unsupported_types(type_text):
    with pytest.raises(DataJointError, match="Unsupported attribute type"):
        classify(type_text)


def test_store_names():
    assert store_of("blob@Raw") == "Raw"  # used verbatim
    assert store_of("filepath@my-store") == "my-store"
    assert store_of("longblob") is None


class Doubling(AttributeType):
    category = "INTERNAL_BLOB"

    def encode(self, value, ctx):
        return value * 2

    def decode(self, raw, ctx):
        return raw // 2


def test_registry_and_column_decoding():
    assert has_handler("INTEGER") and get_handler("INTEGER").declare_sql("int") == "int"
    with registered_types(Doubling()):
        handler = get_handler("INTERNAL_BLOB")
        ctx = TypeContext(database="db")
        assert handler.encode(4, ctx) == 8
        assert handler.decode_column([2, 4, 6], ctx) == [1, 2, 3]
        assert handler.declare_sql("longblob") == "longblob"
    previous = None
    try:
        previous = get_handler("INTERNAL_BLOB")
    except DataJointError as error:
        assert "dj_query" in str(error)
    with registered_types(Doubling()):
        assert isinstance(get_handler("INTERNAL_BLOB"), Doubling)
    if previous is not None:  # another package's handler is restored
        assert get_handler("INTERNAL_BLOB") is previous


def test_special_sql_types_and_errors():
    uuid = type("U", (AttributeType,), {"category": "UUID"})()
    attach = type("A", (AttributeType,), {"category": "INTERNAL_ATTACH"})()
    assert uuid.declare_sql("uuid") == "binary(16)"
    assert attach.declare_sql("attach") == "longblob"
    bad = type("B", (AttributeType,), {"category": "NOPE"})()
    with pytest.raises(DataJointError, match="unknown type category"):
        register_type(bad)
