"""JSON paths in the dialect: values as SQL types and comparisons with
documents, run on the server, so MariaDB's CAST names and json functions are checked."""

from __future__ import annotations

import json

import pytest
from dj_core.dialects import MySQLDialect, ServerVersion

MARIADB = ServerVersion("mariadb", (10, 11, 6), "10.11.6-MariaDB")
MYSQL = ServerVersion("mysql", (8, 0, 36), "8.0.36")
DOCS = [
    {
        "name": "Rever",
        "length": 20.5,
        "count": 3,
        "big": 2**40,
        "day": "2024-05-01",
        "inner": {"side": "left"},
        "list": [1, 2],
    },
    {
        "name": "Nova",
        "length": 3,
        "count": -2,
        "big": -(2**40),
        "day": "2023-01-02",
        "inner": {"side": "right", "n": 1},
        "list": [2, 1],
    },
    {"name": "Empty"},
]


@pytest.fixture
def cars(connection, make_database):
    db = make_database()
    connection.query(connection.dialect.create_schema_sql(db))
    car = connection.dialect.full_table_name(db, "car")
    # the json type's column: MySQL's json, PostgreSQL's jsonb
    doc_type = "jsonb" if connection.dialect.name == "postgresql" else "json"
    connection.query(f"CREATE TABLE {car} (n int PRIMARY KEY, doc {doc_type})")
    for n, doc in enumerate(DOCS):
        connection.query(f"INSERT INTO {car} VALUES (%s, %s)", (n, json.dumps(doc)))
    return db


def _select(connection, db, sql):
    car = connection.dialect.full_table_name(db, "car")
    rows = connection.query(f"SELECT n, {sql} FROM {car} ORDER BY n").fetchall()
    return [value for _, value in rows]


def _where(connection, db, condition):
    car = connection.dialect.full_table_name(db, "car")
    rows = connection.query(f"SELECT n FROM {car} WHERE {condition} ORDER BY n")
    return [n for (n,) in rows]


def test_canonical_text_is_mysqls_returning_clause():
    dialect = MySQLDialect()
    assert dialect.json_value_sql("doc", "a.b[0]") == "json_value(`doc`, _utf8mb4'$.a.b[0]')"
    assert (
        dialect.json_value_sql("doc", "length", "decimal(4,1)", server=MYSQL)
        == "json_value(`doc`, _utf8mb4'$.length' returning decimal(4,1))"
    )
    assert dialect.json_value_sql("doc", "") == "json_value(`doc`, _utf8mb4'$')"
    assert (
        dialect.json_equals_sql("doc", "inner", '{"side": "it\'s"}', server=MYSQL)
        == "json_value(`doc`, _utf8mb4'$.inner')='{\\\"side\\\": \\\"it\\'s\\\"}'"
    )


@pytest.mark.parametrize(
    ("declared", "cast"),
    [
        ("int unsigned", "unsigned"),
        ("int", "signed"),
        ("bigint", "signed"),
        ("tinyint unsigned", "unsigned"),
        ("smallint(5)", "signed"),
        ("bool", "signed"),
        ("varchar(10)", "char"),
        ("char(4)", "char"),
        ("enum('a','b')", "char"),
        ("longtext", "char"),
        ("float", "double"),
        ("double", "double"),
        ("decimal(4, 1)", "decimal(4, 1)"),
        ("numeric(6,2)", "decimal(6,2)"),
        ("date", "date"),
        ("datetime(3)", "datetime(3)"),
        ("timestamp", "datetime"),
        ("time", "time"),
        ("year", "unsigned"),
        ("varbinary(8)", "binary"),
    ],
)
def test_mariadb_casts_to_the_type_names_cast_accepts(declared, cast):
    sql = MySQLDialect().json_value_sql("doc", "x", declared, server=MARIADB)
    assert sql == f"cast(json_value(`doc`, _utf8mb4'$.x') as {cast})"


def test_values_as_sql_types_on_the_server(connection, cars):
    dialect, server = connection.dialect, connection.server_version

    def values(path, type_=None):
        return _select(connection, cars, dialect.json_value_sql("doc", path, type_, server=server))

    assert values("name") == ["Rever", "Nova", "Empty"]
    assert values("length") == ["20.5", "3", None]  # text without a type
    assert [float(v) if v is not None else None for v in values("length", "decimal(4,1)")] == [
        20.5,
        3.0,
        None,
    ]
    assert values("count", "int") == [3, -2, None]
    assert values("count", "int unsigned")[0] == 3
    assert values("big", "bigint") == [2**40, -(2**40), None]
    assert [str(v) for v in values("day", "date")[:2]] == ["2024-05-01", "2023-01-02"]
    assert values("length", "float")[:2] == [20.5, 3.0]
    assert values("name", "varchar(10)") == ["Rever", "Nova", "Empty"]
    assert values("missing", "int") == [None, None, None]
    assert _where(
        connection, cars, dialect.json_value_sql("doc", "count", "int", server=server) + " > 0"
    ) == [0]


def test_comparing_a_path_with_a_document(connection, cars):
    dialect, server = connection.dialect, connection.server_version

    def matching(path, value):
        condition = dialect.json_equals_sql("doc", path, json.dumps(value), server=server)
        return _where(connection, cars, condition)

    assert matching("inner", {"side": "left"}) == [0]
    assert matching("inner", {"n": 1, "side": "right"}) == [1]  # key order is free
    assert matching("inner", {"side": "up"}) == []
    assert matching("list", [2, 1]) == [1]
    assert matching("missing", {"side": "left"}) == []  # a missing path matches nothing
    negated = dialect.json_equals_sql("doc", "inner", json.dumps({"side": "left"}), server=server)
    # as on MySQL, a missing path is unknown (NULL), not false: negation skips it too
    assert _where(connection, cars, f"NOT ({negated})") == [1]
    assert matching("name", {"side": "left"}) == []  # a scalar is no document
    scalar = dialect.json_equals_sql("doc", "name", json.dumps({"a": 1}), server=server)
    assert _where(connection, cars, f"NOT ({scalar})") == [0, 1, 2]
