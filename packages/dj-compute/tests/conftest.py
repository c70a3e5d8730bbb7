"""Fixtures: a connection of its own (safemode off) and a fresh schema per test, with a
small pipeline (`lab`) declared through the real schema decorator."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dj_core.connection import Connection
from dj_core.schemas import Schema
from dj_core.settings import Config

sys.path.insert(0, str(Path(__file__).parent))  # tests import compute_lab

import compute_lab


def open_connection(db_params) -> Connection:
    config = Config.independent()
    config["safemode"] = False
    return db_params.open_connection(config)


@pytest.fixture
def connection(db_params):
    conn = open_connection(db_params)
    yield conn
    conn.close()


@pytest.fixture
def schema(connection, make_database):
    return Schema(make_database("compute"), connection=connection)


@pytest.fixture
def lab(schema):
    return compute_lab.declare(schema)
