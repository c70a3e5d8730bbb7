"""pytest plugin: the real services every test in the monorepo uses.

Fixtures
- `db_params`: where the server is, **one parameter per backend** (``[mysql]``,
  ``[postgresql]``): every test that talks to a server runs on each backend. It fails,
  never skips, when a required server does not answer, saying how to start one.
- `backend`: the backend name of the running parameter ("mysql" or "postgresql").
- `db_admin`: a plain driver connection (PyMySQL or psycopg, autocommit) for set-up and
  inspection.
- `make_database`: factory of uniquely prefixed database (PostgreSQL: schema) names,
  dropped after the test.
- `s3`: moto's S3 server on a free loopback port for the session; `s3.make_bucket()`.
- `s3_bucket`: a fresh bucket for one test, emptied and removed afterwards.
- `upstream`: upstream DataJoint 0.14.10 in its own venv; `upstream.run(code)` (MySQL
  only: 0.14 has no other backend, so tests using it run on the MySQL parameter only).

Markers
- ``mysql_only``: the test is about MySQL itself (its DDL text, 0.14 interop); it runs on
  the MySQL parameter only. ``postgresql_only`` likewise.
- ``pending_postgresql``: not yet run on PostgreSQL; counted in the summary line.
- ``root_only``: about what a root client does (the embedded server run as another
  account); left out of a run that is not root, with a summary line (never a skip).

Backends: DJ_TEST_BACKENDS (default ``mysql,postgresql``) lists those to run. A backend
whose server does not answer fails the run when DJ_REQUIRE_BACKENDS lists it (CI sets
both), and is otherwise left out with a line in the summary (a fresh machine without
MySQL still runs the PostgreSQL tests on the embedded server).
"""

from __future__ import annotations

import os
import uuid

import pytest

from dj_testing.s3 import start_moto, stop_moto
from dj_testing.server import BACKENDS, ServerParams, ServerUnavailable
from dj_testing.upstream import Upstream, ensure_upstream_venv

TEST_PREFIX = "djtest"
_MYSQL_ONLY_FIXTURES = frozenset({"upstream"})


def unique_database_name(label: str = "") -> str:
    """`djtest_<12 hex>[_label]`: unique per call, recognisable as test debris."""
    suffix = f"_{label}" if label else ""
    return f"{TEST_PREFIX}_{uuid.uuid4().hex[:12]}{suffix}"


def _listed(variable: str, default: str) -> list[str]:
    names = [n.strip().lower() for n in os.environ.get(variable, default).split(",") if n.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise pytest.UsageError(f"{variable}: unknown backend(s) {unknown}; use {BACKENDS}")
    return names


def pytest_configure(config: pytest.Config) -> None:
    for line in (
        "mysql_only: the test is about MySQL itself; runs on the MySQL backend only",
        "postgresql_only: the test is about PostgreSQL itself; runs on PostgreSQL only",
        "pending_postgresql: not yet run on PostgreSQL (counted in the summary)",
        "root_only: about a root client; left out (and counted) in a run that is not root",
    ):
        config.addinivalue_line("markers", line)
    _bypass_proxies_for_loopback()
    config._dj_backends = _listed("DJ_TEST_BACKENDS", ",".join(BACKENDS))
    config._dj_required = _listed("DJ_REQUIRE_BACKENDS", "")
    config._dj_servers = {}
    config._dj_unavailable = {}
    config._dj_counts = {}


def _bypass_proxies_for_loopback() -> None:
    """The tests' servers (S3, the embedded server's subprocesses) are on the loopback: a
    user's http_proxy/https_proxy, set for reaching PyPI, must not route them away."""
    for name in ("no_proxy", "NO_PROXY"):
        hosts = [h for h in os.environ.get(name, "").split(",") if h]
        os.environ[name] = ",".join(hosts + [h for h in _LOOPBACK if h not in hosts])


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _server(config: pytest.Config, backend: str) -> ServerParams | None:
    """The backend's server, probed once per run; None when it is absent and optional."""
    if backend in config._dj_servers:
        return config._dj_servers[backend]
    params: ServerParams | None
    try:
        params = ServerParams.for_backend(backend)
        params.connect().close()
    except ServerUnavailable as error:
        if backend in config._dj_required:
            raise pytest.UsageError(str(error)) from None
        config._dj_unavailable[backend] = str(error)
        params = None
    config._dj_servers[backend] = params
    return params


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_params" not in metafunc.fixturenames:
        return
    backends = list(metafunc.config._dj_backends)
    if metafunc.definition.get_closest_marker("mysql_only") or (
        _MYSQL_ONLY_FIXTURES & set(metafunc.fixturenames)
    ):
        backends = [b for b in backends if b == "mysql"]
    if metafunc.definition.get_closest_marker("postgresql_only"):
        backends = [b for b in backends if b == "postgresql"]
    if metafunc.definition.get_closest_marker("pending_postgresql"):
        metafunc.config._dj_counts["pending"] = metafunc.config._dj_counts.get("pending", 0) + 1
        backends = [b for b in backends if b == "mysql"]
    # no backend left: one placeholder parameter, deselected below (never a skip)
    metafunc.parametrize("db_params", backends or ["none"], indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the parameters of a backend without a server (and say so)."""
    kept, dropped = [], []
    not_root = os.geteuid() != 0 if hasattr(os, "geteuid") else True
    for item in items:
        if not_root and item.get_closest_marker("root_only"):
            config._dj_counts["not root"] = config._dj_counts.get("not root", 0) + 1
            dropped.append(item)
            continue
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("db_params") if callspec else None
        if backend == "none" or (backend is not None and _server(config, backend) is None):
            dropped.append(item)
            continue
        if backend is not None:
            config._dj_counts[backend] = config._dj_counts.get(backend, 0) + 1
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    counts = config._dj_counts
    servers = config._dj_servers
    covered = [
        f"{backend}: {counts[backend]} tests on {servers[backend].describe()}"
        for backend in BACKENDS
        if counts.get(backend) and servers.get(backend) is not None
    ]
    terminalreporter.write_sep("-", "database backends covered")
    for line in covered or ["none (no test talked to a server)"]:
        terminalreporter.write_line(line)
    for backend, reason in config._dj_unavailable.items():
        terminalreporter.write_line(f"{backend}: not run, no server ({reason.split('. ')[0]})")
    if counts.get("pending"):
        terminalreporter.write_line(
            f"postgresql: {counts['pending']} test functions not yet run on PostgreSQL "
            "(marked pending_postgresql)"
        )
    if counts.get("not root"):
        terminalreporter.write_line(
            f"root_only: {counts['not root']} test(s) about a root client not run, this run "
            "is not root"
        )


@pytest.fixture(scope="session")
def db_params(request) -> ServerParams:
    backend = getattr(request, "param", "mysql")
    params = _server(request.config, backend)
    if params is None:  # a test asking for a server outside the parametrisation
        pytest.fail(request.config._dj_unavailable[backend], pytrace=False)
    return params


@pytest.fixture(scope="session")
def backend(db_params) -> str:
    return db_params.backend


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
                for name in reversed(names):
                    db_params.drop_database(cursor, name)
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
