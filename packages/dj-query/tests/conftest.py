"""Fixtures: a connection and the lab database (dj_query_lab.py) wrapped in FreeTables;
for the table tests, a fresh schema per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dj_core.declare import compile_definition
from dj_core.schemas import Schema
from dj_query import FreeTable

sys.path.insert(0, str(Path(__file__).parent))  # tests import the shared rows module

from dj_query_lab import DDL, DEFINITIONS, FOREIGN_KEYS, ROWS
from table_schema import open_connection


@pytest.fixture(scope="session")
def connection(db_params):
    conn = db_params.open_connection()
    yield conn
    conn.close()


def _lab_ddl(db_params, connection, name: str) -> list[str]:
    """The statements creating the lab's tables: MySQL's text as written (the oracle tests
    compare with upstream 0.14 on it), elsewhere compiled from the definitions by the
    connection's dialect, with the foreign keys added after."""
    if db_params.backend == "mysql":
        return [ddl.format(db=name) for ddl in DDL]
    dialect = connection.dialect
    statements = [f"CREATE SCHEMA {db_params.quote(name)}"]
    for table, definition in DEFINITIONS.items():
        full = dialect.full_table_name(name, table)
        statements += compile_definition(full, definition, None, dialect=dialect).statements
    for child, columns, parent in FOREIGN_KEYS:
        cols = ",".join(db_params.quote(c) for c in columns)
        statements.append(
            f"ALTER TABLE {dialect.full_table_name(name, child)} ADD FOREIGN KEY ({cols}) "
            f"REFERENCES {dialect.full_table_name(name, parent)} ({cols})"
        )
    return statements


@pytest.fixture(scope="session")
def lab_db(db_params, connection):
    """One lab database for the whole session (read-only in tests)."""
    import uuid

    name = f"djtest_{uuid.uuid4().hex[:12]}_query"
    admin = db_params.connect()
    try:
        with admin.cursor() as cursor:
            if db_params.backend == "mysql":
                cursor.execute(f"CREATE DATABASE {db_params.quote(name)}")
            for ddl in _lab_ddl(db_params, connection, name):
                cursor.execute(ddl)
            for table, rows in ROWS.items():
                marks = ",".join(["%s"] * len(rows[0]))
                target = connection.dialect.full_table_name(name, table)
                cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)
        yield name
    finally:
        with admin.cursor() as cursor:
            db_params.drop_database(cursor, name)
        admin.close()


class Lab:
    def __init__(self, connection, db):
        self.connection = connection
        self.db = db
        name = connection.dialect.full_table_name
        self.Animal = FreeTable(connection, name(db, "animal"))
        self.Session = FreeTable(connection, name(db, "session"))
        self.Trial = FreeTable(connection, name(db, "session__trial"))
        self.Rig = FreeTable(connection, name(db, "#rig"))


@pytest.fixture
def lab(connection, lab_db):
    return Lab(connection, lab_db)


@pytest.fixture
def schema(db_params, make_database):
    """An activated schema of its own, on a connection of its own (safemode off): the
    table tests declare their tables in it (table_schema.py)."""
    conn = open_connection(db_params)
    yield Schema(make_database("tbl"), connection=conn)
    conn.close()
