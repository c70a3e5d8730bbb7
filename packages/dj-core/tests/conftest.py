"""Fixtures shared by dj-core's tests: a connection of its own, closed after the test.

Modules that need a differently configured connection (an independent config, a query
cache) define their own `connection` fixture, which overrides this one."""

from __future__ import annotations

import pytest
from dj_core.settings import Config


@pytest.fixture
def connection(db_params):
    connection = db_params.open_connection(db_params.configure(Config()))
    yield connection
    connection.close()
