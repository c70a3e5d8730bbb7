"""pytest plugin: the real services every test in the monorepo uses.

Fixtures
- `db_params`: where the server is (DJ_HOST / DJ_USER / DJ_PASS); fails, never skips, when it
  does not answer, saying how to start one.
- `db_admin`: a plain pymysql connection (autocommit) for set-up and inspection.
- `make_database`: factory of uniquely prefixed database names, dropped after the test.
- `s3`: moto's S3 server on a free loopback port for the session; `s3.make_bucket()`.
- `s3_bucket`: a fresh bucket for one test, emptied and removed afterwards.
- `upstream`: upstream DataJoint 0.14.10 in its own venv; `upstream.run(code)`.
"""

from __future__ import annotations

import uuid

import pytest

from dj_testing.s3 import start_moto, stop_moto
from dj_testing.server import ServerParams, ServerUnavailable
from dj_testing.upstream import Upstream, ensure_upstream_venv

TEST_PREFIX = "djtest"


def unique_database_name(label: str = "") -> str:
    """`djtest_<12 hex>[_label]`: unique per call, recognisable as test debris."""
    suffix = f"_{label}" if label else ""
    return f"{TEST_PREFIX}_{uuid.uuid4().hex[:12]}{suffix}"


@pytest.fixture(scope="session")
def db_params() -> ServerParams:
    params = ServerParams.from_env()
    try:
        params.connect().close()
    except ServerUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    return params


@pytest.fixture(scope="session")
def db_admin(db_params):
    connection = db_params.connect()
    yield connection
    connection.close()


@pytest.fixture
def make_database(db_params):
    """Call with an optional label to get a fresh database name; the database (if the test
    created it) and any other created through the factory are dropped afterwards."""
    names: list[str] = []

    def factory(label: str = "") -> str:
        name = unique_database_name(label)
        names.append(name)
        return name

    yield factory
    if names:
        connection = db_params.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET FOREIGN_KEY_CHECKS=0")
                for name in reversed(names):
                    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            connection.close()


@pytest.fixture(scope="session")
def s3():
    server = start_moto()
    yield server
    stop_moto(server)


@pytest.fixture
def s3_bucket(s3):
    bucket = s3.make_bucket()
    yield bucket
    s3.remove_bucket(bucket)


@pytest.fixture(scope="session")
def upstream(db_params) -> Upstream:
    return Upstream(ensure_upstream_venv(), env=db_params.env)
