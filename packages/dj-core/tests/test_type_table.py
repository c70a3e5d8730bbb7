"""The whole 0.14 type table on the real server, on every backend: a table declaring each
type reads back (`heading`, `describe()`) as declared, and the server accepts the limits of
each range and refuses one past them with a `ValueRejectedError` naming the attribute.

On PostgreSQL the declared type survives as a marker in the column comment (see
`dj_core.dialects.postgresql_types`); these tests are what holds that promise."""

from __future__ import annotations

import decimal

import pytest
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.attribute_types import HANDLER_PACKAGES, AttributeType, registered_types, store_of
from dj_core.describe import describe_table
from dj_core.errors import DataJointError, ValueRejectedError
from dj_core.heading import Heading
from dj_core.schemas import Schema, declare_table
from dj_core.table_ref import TableRef

# (attribute, declared type, smallest accepted, largest accepted, refused values)
RANGES = [
    ("i_tiny", "tinyint", -128, 127, [-129, 128]),
    ("i_tiny_u", "tinyint unsigned", 0, 255, [-1, 256]),
    ("i_small", "smallint", -32768, 32767, [-32769, 32768]),
    ("i_small_u", "smallint unsigned", 0, 65535, [-1, 65536]),
    ("i_medium", "mediumint", -8388608, 8388607, [-8388609, 8388608]),
    ("i_medium_u", "mediumint unsigned", 0, 16777215, [-1, 16777216]),
    ("i_int", "int", -(2**31), 2**31 - 1, [-(2**31) - 1, 2**31]),
    ("i_int_u", "int unsigned", 0, 2**32 - 1, [-1, 2**32]),
    ("i_big", "bigint", -(2**63), 2**63 - 1, [-(2**63) - 1, 2**63]),
    ("i_big_u", "bigint unsigned", 0, 2**64 - 1, [-1, 2**64]),
    (
        "d_unsigned",
        "decimal(5,2) unsigned",
        decimal.Decimal("0.00"),
        decimal.Decimal("999.99"),
        [decimal.Decimal("-0.01"), decimal.Decimal("1000.00")],
    ),
    ("label", "varchar(4)", "", "abcd", ["abcde"]),
    ("code", "char(2)", "", "ab", ["abc"]),
    ("kind", "enum('a','b')", "a", "b", ["c"]),
    ("tiny_bytes", "tinyblob", b"", b"x" * 255, [b"x" * 256]),
    ("some_bytes", "blob", b"", b"x" * 65535, [b"x" * 65536]),
]

# every other declared type: (attribute, declared type, default or None)
OTHERS = [
    ("ratio", "float", None),
    ("precise", "double", None),
    ("amount", "decimal(8,3)", None),
    ("day", "date", None),
    ("clock", "time", None),
    ("moment", "datetime", None),
    ("moment_ms", "datetime(3)", None),
    ("stamp", "timestamp", "CURRENT_TIMESTAMP"),
    ("stamp_ms", "timestamp(3)", "CURRENT_TIMESTAMP(3)"),
    ("doc", "json", None),
    ("ident", "uuid", None),
    ("tiny_data", "tinyblob", None),
    ("data", "blob", None),
    ("medium_data", "mediumblob", None),
    ("long_data", "longblob", None),
    ("outside", "blob@store", None),
    ("attached", "attach@store", None),
    ("path", "filepath@store", None),
    ("graph", "<graph>", None),
]

EXTERNAL_DEFINITION = """# external storage tracking
hash : uuid  # hash of contents
---
size : bigint unsigned  # size of object in bytes
attachment_name = null : varchar(255)
filepath = null : varchar(1000)
contents_hash = null : uuid
timestamp = CURRENT_TIMESTAMP : timestamp
"""


class Plain(AttributeType):
    """Stands in for dj-query/dj-external: what they do at declaration only."""

    def __init__(self, category: str):
        self.category = category

    def before_declare(self, schema, type_text):
        store = store_of(type_text)
        if store:  # dj-external's tracking table first
            declare_table(
                schema.connection,
                schema.connection.dialect.full_table_name(schema.database, f"~external_{store}"),
                EXTERNAL_DEFINITION,
                {},
            )


class GraphAdapter(AttributeAdapter):
    attribute_type = "longblob"


CONTEXT = {"graph": GraphAdapter()}


def _definition(pairs) -> str:
    lines = [
        '# every type of the table: it\'s 100% "declared"',
        "id : int unsigned auto_increment  # the key, 50% 'quoted' \"twice\"",
        "---",
    ]
    for name, declared, default in pairs:
        if default is None:
            lines.append(f"{name} = null : {declared}  # {name} comment")
        else:
            lines.append(f"{name} = {default} : {declared}  # {name} comment")
    lines.append("index (i_int)")
    lines.append("unique index (label, code)")
    return "\n".join(lines)


DEFINITION = _definition([(name, declared, None) for name, declared, *_ in RANGES] + OTHERS)


@pytest.fixture(autouse=True)
def handlers(monkeypatch):
    monkeypatch.setenv("DJ_SUPPORT_ADAPTED_TYPES", "TRUE")
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    with registered_types(*(Plain(c) for c in HANDLER_PACKAGES)):
        yield


@pytest.fixture
def everything(connection, make_database):
    database = make_database()
    schema = Schema(database, connection=connection)
    full = connection.dialect.full_table_name(database, "everything")
    declare_table(connection, full, DEFINITION, CONTEXT, schema=schema)
    return database, full


def test_the_heading_reports_what_was_declared(connection, everything):
    database, _full = everything
    heading = Heading.from_table(connection, database, "everything")
    assert heading.primary_key == ["id"]
    assert heading["id"].type == "int unsigned"
    assert heading["id"].autoincrement
    assert heading["id"].comment == "the key, 50% 'quoted' \"twice\""
    assert heading.table_status["comment"] == 'every type of the table: it\'s 100% "declared"'
    declared = {name: declared for name, declared, *_ in RANGES}
    declared.update({name: declared for name, declared, _ in OTHERS})
    reported = {name: heading[name].type for name in declared}
    # the servers spell an enum's values and a bare timestamp alike; uuid is read back as
    # DataJoint's type (0.14: binary(16) with a :uuid: comment)
    assert reported == declared
    for name in declared:
        assert heading[name].comment == f"{name} comment", name
        assert heading[name].nullable == (name not in ("stamp", "stamp_ms")), name
    assert heading["ident"].uuid
    assert heading["doc"].json
    assert all(heading[n].is_blob for n in ("tiny_data", "data", "medium_data", "long_data"))
    assert heading["outside"].is_external and heading["outside"].store == "store"
    assert heading["attached"].is_attachment and heading["attached"].is_external
    assert heading["path"].is_filepath
    assert heading["graph"].adapter is not None
    assert heading["stamp"].default == "CURRENT_TIMESTAMP"
    assert heading["stamp_ms"].default == "CURRENT_TIMESTAMP(3)"
    assert heading.indexes == {
        ("i_int",): {"unique": False, "nullable": True},
        ("label", "code"): {"unique": True, "nullable": True},
        # the foreign keys into ~external_store are indexed (InnoDB does it by itself;
        # the PostgreSQL dialect creates the index)
        ("outside",): {"unique": False, "nullable": True},
        ("attached",): {"unique": False, "nullable": True},
        ("path",): {"unique": False, "nullable": True},
    }


def test_describe_round_trips(connection, everything, make_database):
    database, full = everything
    text = describe_table(TableRef(connection, full))
    copy = make_database("copy")
    schema = Schema(copy, connection=connection)
    copy_full = connection.dialect.full_table_name(copy, "everything")
    declare_table(connection, copy_full, text, CONTEXT, schema=schema)
    original = Heading.from_table(connection, database, "everything")
    again = Heading.from_table(connection, copy, "everything")

    def comparable(heading):
        return [
            a.todict() | {"database": None, "adapter": a.adapter is not None}
            for a in heading.attributes.values()
        ]

    assert comparable(again) == comparable(original)
    assert again.indexes == original.indexes
    assert again.table_status["comment"] == original.table_status["comment"]
    assert describe_table(TableRef(connection, copy_full)) == text


# PostgreSQL's own types refuse these values before any CHECK runs, and its message
# ("smallint out of range", "value too long for type character varying(4)") names no
# column: the attribute stays None there. Inserts through dj-query name it from the row.
NATIVE_LIMITS = {
    ("i_small", -32769),
    ("i_small", 32768),
    ("i_int", -(2**31) - 1),
    ("i_int", 2**31),
    ("i_big", -(2**63) - 1),
    ("i_big", 2**63),
    ("d_unsigned", decimal.Decimal("1000.00")),
    ("label", "abcde"),
    ("code", "abc"),
}


@pytest.mark.parametrize(("name", "declared", "low", "high", "refused"), RANGES)
def test_limits_accepted_and_one_past_refused(
    connection, everything, backend, name, declared, low, high, refused
):
    _database, full = everything
    column = connection.dialect.quote(name)
    for value in (low, high):
        connection.query(f"INSERT INTO {full} ({column}) VALUES (%s)", (value,))
    stored = sorted(row[0] for row in connection.query(f"SELECT {column} FROM {full} ORDER BY id"))
    assert stored == sorted([low, high])
    for value in refused:
        with pytest.raises(ValueRejectedError) as caught:
            connection.query(f"INSERT INTO {full} ({column}) VALUES (%s)", (value,))
        unnamed = backend == "postgresql" and (name, value) in NATIVE_LIMITS
        assert caught.value.attribute == (None if unnamed else name), (declared, value)


# --- what a server cannot hold is refused before anything is created -------------------


def test_names_longer_than_the_server_holds_are_refused(connection, make_database):
    database = make_database()
    Schema(database, connection=connection)
    limit = connection.dialect.max_identifier_length  # PostgreSQL 63, MySQL 64
    long_table = "t" * (limit + 1)
    with pytest.raises(DataJointError, match=f"max length of {limit}"):
        declare_table(
            connection, connection.dialect.full_table_name(database, long_table), "k : int", {}
        )
    long_attribute = "a" * (limit + 1)
    full = connection.dialect.full_table_name(database, "short")
    with pytest.raises(DataJointError, match=f"Attribute `{long_attribute}`.*shorten it"):
        declare_table(connection, full, f"k : int\n---\n{long_attribute} : int", {})
    assert not connection.dialect.table_exists(connection, database, "short")
    # exactly at the limit is fine
    declare_table(connection, full, f"k : int\n---\n{'a' * limit} : int", {})
    assert Heading.from_table(connection, database, "short").names == ["k", "a" * limit]
    with pytest.raises(DataJointError, match=r"Schema name .* shorter name"):
        Schema("s" * (limit + 1), connection=connection)


@pytest.mark.postgresql_only
def test_a_table_declared_before_markers_were_spelled_as_mysql_reads_so(connection, make_database):
    """Earlier declarations kept the declared text (``enum('a', 'b')``) in the comment."""
    database = make_database()
    Schema(database, connection=connection)
    full = connection.dialect.full_table_name(database, "older")
    connection.query(
        f"CREATE TABLE {full} (k integer PRIMARY KEY, e varchar(1), f smallint, d numeric(6,2));"
        f"COMMENT ON COLUMN {full}.\"e\" IS ':enum(''a'', \"b\"):a note';"
        f"COMMENT ON COLUMN {full}.\"f\" IS ':bool:';"
        f"COMMENT ON COLUMN {full}.\"d\" IS ':decimal(6, 2):'"
    )
    heading = Heading.from_table(connection, database, "older")
    assert [heading[name].type for name in ("e", "f", "d")] == [
        "enum('a','b')",
        "tinyint",
        "decimal(6,2)",
    ]
    assert heading["e"].comment == "a note"
