"""Fixtures: a connection and the lab database (dj_query_lab.py) wrapped in FreeTables;
for the table tests, a fresh schema per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dj_core.connection import Connection
from dj_core.schemas import Schema
from dj_core.settings import Config
from dj_query import FreeTable

sys.path.insert(0, str(Path(__file__).parent))  # tests import the shared rows module

from dj_query_lab import DDL, ROWS
from table_schema import open_connection


@pytest.fixture(scope="session")
def connection(db_params):
    config = Config.independent()
    conn = Connection(
        db_params.host, db_params.user, db_params.password, db_params.port, config=config
    )
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def lab_db(db_params, connection):
    """One lab database for the whole session (read-only in tests)."""
    import uuid

    name = f"djtest_{uuid.uuid4().hex[:12]}_query"
    admin = db_params.connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}`")
            for ddl in DDL:
                cursor.execute(ddl.format(db=name))
            for table, rows in ROWS.items():
                marks = ",".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO `{name}`.`{table}` VALUES ({marks})", rows)
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


class Lab:
    def __init__(self, connection, db):
        self.connection = connection
        self.db = db
        self.Animal = FreeTable(connection, f"`{db}`.`animal`")
        self.Session = FreeTable(connection, f"`{db}`.`session`")
        self.Trial = FreeTable(connection, f"`{db}`.`session__trial`")
        self.Rig = FreeTable(connection, f"`{db}`.`#rig`")


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
