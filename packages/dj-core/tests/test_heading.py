"""Headings read from the server: attribute flags, caching, preloading, derived headings."""

from __future__ import annotations

import numpy as np
import pytest
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.attribute_types import HANDLER_PACKAGES, AttributeType, registered_types
from dj_core.errors import DataJointError
from dj_core.heading import Heading, invalidate, preload_schema
from dj_core.schemas import Schema, declare_table
from dj_core.table_ref import TableRef


class Plain(AttributeType):
    def __init__(self, category):
        self.category = category


class Graph(AttributeAdapter):
    attribute_type = "longblob"


@pytest.fixture
def database(connection, make_database, monkeypatch):
    name = make_database()
    Schema(name, connection=connection)
    monkeypatch.setenv("DJ_SUPPORT_ADAPTED_TYPES", "TRUE")
    with registered_types(*(Plain(c) for c in HANDLER_PACKAGES)):
        yield name


class Counter:
    """Counts the statements a connection sends (they still go to the server)."""

    def __init__(self, connection, monkeypatch):
        self.count = 0
        original = connection.query

        def counting(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(connection, "query", counting)


def test_attribute_flags(connection, database):
    external = connection.dialect.full_table_name(database, "~external_raw")
    uuid_column = "uuid" if connection.dialect.name == "postgresql" else "binary(16)"
    connection.query(f"CREATE TABLE {external} (hash {uuid_column} PRIMARY KEY)")
    declare_table(
        connection,
        connection.dialect.full_table_name(database, "things"),
        """# many things
        id : int unsigned auto_increment  # the id
        key_uuid : uuid
        ---
        name = "anon" : varchar(30)
        weight = null : float
        price = 1.50 : decimal(6,2)
        flag = 1 : bool
        born = CURRENT_TIMESTAMP : timestamp
        data = null : longblob
        doc = null : json
        ext = null : blob@raw  # external
        file = null : attach
        graph = null : <graph>
        unique index (name)
        """,
        {"graph": Graph()},
    )
    heading = Heading.from_table(connection, database, "things", {"graph": Graph()})
    a = heading.attributes
    assert heading.primary_key == ["id", "key_uuid"]
    assert heading.table_status["comment"] == "many things"
    assert a["id"].type == "int unsigned" and a["id"].autoincrement and a["id"].numeric
    assert a["id"].dtype == np.dtype("int64") and a["id"].comment == "the id"
    assert a["key_uuid"].uuid and a["key_uuid"].type == "uuid" and a["key_uuid"].comment == ""
    # Attribute.sql is the default dialect's text on every backend (see its docstring)
    assert a["key_uuid"].sql == '`key_uuid` binary(16) NOT NULL COMMENT ":uuid:"'
    assert a["name"].default == '"anon"' and a["name"].string
    assert a["weight"].default == "null" and a["weight"].nullable
    assert a["weight"].dtype == np.dtype("float64")
    assert a["price"].default == "1.50" and a["price"].dtype == np.dtype("O")
    # MySQL turns bool into tinyint(1) itself; PostgreSQL reports what MySQL does
    assert a["flag"].type == "tinyint" and a["flag"].numeric
    assert a["flag"].default == "1"
    assert a["born"].default == "CURRENT_TIMESTAMP"
    assert a["data"].is_blob and not a["data"].is_external
    assert a["doc"].json and a["doc"].type == "json"
    assert a["ext"].is_blob and a["ext"].is_external and a["ext"].store == "raw"
    assert a["ext"].type == "blob@raw" and a["ext"].comment == "external"
    assert a["file"].is_attachment and a["file"].type == "attach"
    assert a["graph"].type == "<graph>" and isinstance(a["graph"].adapter, Graph)
    assert a["graph"].is_blob
    assert heading.indexes[("name",)] == {"unique": True, "nullable": False}
    assert heading.blobs == ["data", "ext", "graph"]
    assert "doc" not in heading.non_blobs and "file" not in heading.non_blobs
    assert heading.has_autoincrement
    assert heading.as_dtype.names == tuple(heading.names)
    text = repr(heading)
    assert text.startswith("# many things\nid ") and "\n---\n" in text

    # without the adapter in the context the heading still loads
    lost = Heading.from_table(connection, database, "things")
    invalidate(connection)
    with pytest.raises(NotImplementedError, match="graph"):
        lost.attributes["graph"].adapter.get(b"")


def test_hidden_attributes_are_excluded(connection, database):
    with connection.config(add_hidden_timestamp=True):
        declare_table(
            connection,
            connection.dialect.full_table_name(database, "h"),
            "k : int\n---\nv : int",
            {},
        )
    heading = Heading.from_table(connection, database, "h")
    assert heading.names == ["k", "v"]
    assert any(name.endswith("_timestamp") for name in heading._all)


def test_catalog_is_cached_and_invalidated(connection, database, monkeypatch):
    declare_table(
        connection, connection.dialect.full_table_name(database, "t"), "k : int\n---\nv : int", {}
    )
    invalidate(connection)
    connection.dialect.server_version(connection)  # asked once per connection
    counter = Counter(connection, monkeypatch)
    assert Heading.from_table(connection, database, "t").names == ["k", "v"]
    first = counter.count
    # one statement per catalog table read (tables, columns, MariaDB's check constraints,
    # index parts): MariaDB answers a join of them by scanning, ten times slower
    assert first <= 4
    assert Heading.from_table(connection, database, "t").names == ["k", "v"]
    assert counter.count == first  # cached
    connection.query(
        f"ALTER TABLE {connection.dialect.full_table_name(database, 't')} ADD COLUMN w int"
    )
    invalidate(connection, database, "t")
    assert Heading.from_table(connection, database, "t").names == ["k", "v", "w"]


def test_preload_reads_a_schema_in_one_round(connection, database, monkeypatch):
    for i in range(6):
        declare_table(
            connection,
            connection.dialect.full_table_name(database, f"t{i}"),
            "k : int\n---\nv : int",
            {},
        )
    invalidate(connection)
    connection.dialect.server_version(connection)  # asked once per connection
    counter = Counter(connection, monkeypatch)
    preload_schema(connection, database)
    round_trip = counter.count
    assert round_trip <= 4  # the same statements as for one table, whatever the count
    for i in range(6):
        assert Heading.from_table(connection, database, f"t{i}").primary_key == ["k"]
    assert counter.count == round_trip


def test_missing_table(connection, database):
    with pytest.raises(DataJointError, match="not defined"):
        Heading.from_table(connection, database, "nope").names  # noqa: B018


def test_legacy_external_marker_is_refused(connection, database):
    old = connection.dialect.full_table_name(database, "old")
    if connection.dialect.name == "postgresql":
        connection.query(f"CREATE TABLE {old} (k int PRIMARY KEY, x bytea)")
        connection.query(f"COMMENT ON COLUMN {old}.x IS ':external-raw:old style'")
    else:
        connection.query(
            f"CREATE TABLE {old} (k int PRIMARY KEY, "
            "x binary(16) COMMENT ':external-raw:old style')"
        )
    with pytest.raises(DataJointError, match="Legacy datatype"):
        Heading.from_table(connection, database, "old").names  # noqa: B018


def _heading():
    base = dict(type="int", comment="", nullable=False)
    return Heading(
        [
            dict(_defaults(), name="a", in_key=True, **base),
            dict(_defaults(), name="b", in_key=True, **base),
            dict(_defaults(), name="c", in_key=False, **base),
        ]
    )


def _defaults():
    from dj_core.heading import default_attribute_properties

    return dict(default_attribute_properties)


def test_derived_headings():
    heading = _heading()
    renamed = heading.select(["a", "c"], rename_map={"bb": "b"}, compute_map={"d": "a+1"})
    assert renamed.names == ["a", "bb", "c", "d"]
    assert renamed["bb"].original_name == "b" and renamed["bb"].in_key
    assert renamed.new_attributes == ["bb", "d"]
    assert renamed.as_sql(["a", "bb", "d"]) == "`a`,`b` as `bb`,a+1 as `d`"
    assert renamed.make_subquery_heading().new_attributes == []
    rekeyed = heading.set_primary_key(["c"])
    assert rekeyed.primary_key == ["c"] and rekeyed.names == ["c", "a", "b"]
    other = Heading([dict(_defaults(), name="e", in_key=True, type="int")])
    assert heading.join(other).names == ["a", "b", "e", "c"]
    assert heading.join(other).primary_key == ["a", "b", "e"]


def test_json_path_index(connection, database):
    definition = "k : int\n---\ndoc : json\nindex(doc.name:varchar(10))"
    server = connection.dialect.server_version(connection)
    if server.flavour == "mariadb":
        with pytest.raises(DataJointError, match="MariaDB"):
            declare_table(
                connection, connection.dialect.full_table_name(database, "j"), definition, {}
            )
        assert "j" not in connection.dialect.list_tables(connection, database)
    else:
        declare_table(connection, connection.dialect.full_table_name(database, "j"), definition, {})
        (index,) = Heading.from_table(connection, database, "j").indexes
        if connection.dialect.name == "postgresql":  # the expression as PostgreSQL prints it
            assert "doc #>> '{name}'" in index[0] and "character varying(10)" in index[0]
        else:
            assert index[0].startswith("(json_value(")


class LabId(AttributeAdapter):
    attribute_type = "varchar(16)"


def test_child_of_an_adapted_key_reads_back_the_adapter(connection, database):
    """0.14 copied `<lab_id>` as the child's SQL type (QUIRK); the child gets the
    underlying type and the marker, so it reads back as the same adapted attribute."""
    context = {"lab_id": LabId()}
    declare_table(
        connection,
        connection.dialect.full_table_name(database, "lab"),
        "lab : <lab_id>  # lab code",
        context,
    )
    context["Lab"] = TableRef(
        connection, connection.dialect.full_table_name(database, "lab"), context
    )
    declare_table(
        connection,
        connection.dialect.full_table_name(database, "member"),
        "-> Lab\nmember : int",
        context,
    )
    lab = Heading.from_table(connection, database, "member", context)["lab"]
    assert (lab.type, lab.comment, lab.in_key) == ("<lab_id>", "lab code", True)
    assert isinstance(lab.adapter, LabId) and lab.string
