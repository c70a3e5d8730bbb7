"""Shared fixture helpers of the table tests: a fresh schema per test, safemode off."""

from __future__ import annotations

import pytest
from dj_core.connection import Connection
from dj_core.schemas import Schema
from dj_core.settings import Config


@pytest.fixture
def schema(db_params, make_database):
    """An activated schema on its own connection (safemode off), dropped afterwards."""
    config = Config.independent()
    config["safemode"] = False
    conn = Connection(
        db_params.host, db_params.user, db_params.password, db_params.port, config=config
    )
    name = make_database("tbl")
    yield Schema(name, connection=conn)
    conn.close()
