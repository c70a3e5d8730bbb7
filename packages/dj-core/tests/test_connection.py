"""Connection against the real server: session, %-contract, errors, transactions, reconnect."""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import uuid

import pytest
from dj_core import connection as connection_module
from dj_core import errors, settings
from dj_core.connection import Connection, conn
from dj_core.dialects.drivers import choose_mysql_driver

#: the driver this run uses (DJ_DRIVER, else automatic): its error classes are expected
DRIVER = choose_mysql_driver()


@pytest.fixture
def config(db_params):
    """An independent configuration pointed at the test server's backend."""
    return db_params.configure(settings.Config.independent())


@pytest.fixture
def connection(db_params, config):
    connection = Connection(
        db_params.host, db_params.user, db_params.password, port=db_params.port, config=config
    )
    yield connection
    connection.close()


def session_id(connection) -> int:
    """The server's id of the connection's session, asked of the server."""
    sql = (
        "SELECT pg_backend_pid()"
        if connection.dialect.name == "postgresql"
        else "SELECT CONNECTION_ID()"
    )
    return connection.query(sql).fetchone()[0]


@pytest.fixture
def database(connection, make_database):
    name = make_database("conn")
    full = connection.dialect.full_table_name
    connection.query(connection.dialect.create_schema_sql(name))
    connection.query(
        f"CREATE TABLE {full(name, 'parent')} (id int NOT NULL, name varchar(20) NOT NULL, "
        "PRIMARY KEY (id))"
    )
    connection.query(
        f"CREATE TABLE {full(name, 'child')} (id int NOT NULL, PRIMARY KEY (id), "
        f"FOREIGN KEY (id) REFERENCES {full(name, 'parent')} (id))"
    )
    return name


@pytest.fixture
def secret_user(db_params, db_admin, make_database):
    """A server account with a password, allowed only on one test database."""
    name = f"djtest_{uuid.uuid4().hex[:10]}"
    password = f"Pw-{uuid.uuid4().hex}"
    database = make_database("user")
    postgresql = db_params.backend == "postgresql"
    with db_admin.cursor() as cursor:
        if postgresql:  # DDL takes no parameters; the password is letters and hex
            cursor.execute(f'CREATE SCHEMA "{database}"')
            cursor.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
            cursor.execute(f'GRANT ALL ON SCHEMA "{database}" TO "{name}"')
        else:
            cursor.execute(f"CREATE DATABASE `{database}`")
            cursor.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (password,))
            cursor.execute(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{name}'@'%'")
    yield {"user": name, "password": password, "database": database}
    with db_admin.cursor() as cursor:
        if postgresql:
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
        else:
            cursor.execute(f"DROP USER IF EXISTS '{name}'@'%'")


def admin_query(db_admin, sql, args=None):
    with db_admin.cursor() as cursor:
        cursor.execute(sql, args)
        return tuple(tuple(row) for row in cursor.fetchall())


# --- connecting ----------------------------------------------------------------------------


def test_connects_and_reports_itself(connection, db_params):
    assert connection.is_connected
    assert repr(connection) == (
        f"DataJoint connection (connected) {db_params.user}@{db_params.host}:{db_params.port}"
    )
    assert isinstance(connection.connection_id, int)
    assert session_id(connection) == connection.connection_id
    assert connection.get_user().startswith(db_params.user + "@")
    connection.close()
    assert not connection.is_connected
    assert "(disconnected)" in repr(connection)


def test_host_port_in_host_overrides_port_argument(db_params, config):
    connection = Connection(
        f"{db_params.host}:{db_params.port}",
        db_params.user,
        db_params.password,
        port=1,
        config=config,
    )
    assert connection.conn_info["host"] == db_params.host
    assert connection.conn_info["port"] == db_params.port
    assert connection.conn_info["host_input"] == f"{db_params.host}:{db_params.port}"
    connection.close()


def test_port_defaults_to_configuration(db_params, config):
    config["database.port"] = db_params.port
    connection = Connection(db_params.host, db_params.user, db_params.password, config=config)
    assert connection.conn_info["port"] == db_params.port
    assert connection.config is config
    connection.close()


def test_invalid_port_in_host_is_a_clear_error(db_params, config):
    with pytest.raises(errors.DataJointError, match="Invalid port"):
        Connection(f"{db_params.host}:abc", db_params.user, db_params.password, config=config)


def test_unknown_connection_plugin(db_params, config):
    with pytest.raises(errors.DataJointError, match="plugin 'nosuch' not found"):
        Connection("nosuch://somewhere", db_params.user, db_params.password, config=config)


def test_equality_compares_connection_parameters(connection, db_params, config):
    other = Connection(
        db_params.host, db_params.user, db_params.password, port=db_params.port, config=config
    )
    assert other == connection
    assert other is not connection
    other.close()


# about MySQL itself: the MySQL driver's error class and code 1045
@pytest.mark.mysql_only
def test_bad_credentials_raise_driver_error_naming_the_account(db_params, config, secret_user):
    wrong = "Wrong-" + uuid.uuid4().hex
    with pytest.raises(DRIVER.OperationalError) as caught:
        Connection(db_params.host, secret_user["user"], wrong, port=db_params.port, config=config)
    assert isinstance(caught.value, errors.DataJointError)
    assert isinstance(caught.value, errors.ConnectionFailedError)
    assert caught.value.args[0] == 1045
    assert f"{secret_user['user']}@{db_params.host}:{db_params.port}" in str(caught.value)
    assert wrong not in str(caught.value)


# about MySQL itself: MySQL's TLS status variables
@pytest.mark.mysql_only
def test_tls_preferred_falls_back_on_a_server_without_tls(connection, db_params, config):
    have_ssl = connection.query("SHOW VARIABLES LIKE 'have_ssl'").fetchone()
    assert have_ssl is not None and have_ssl[1] != "YES", "the test server is expected without TLS"
    preferred = Connection(
        db_params.host, db_params.user, db_params.password, port=db_params.port, config=config
    )
    assert preferred.is_connected
    cipher = preferred.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").fetchone()
    assert cipher[1] == ""
    preferred.close()
    off = Connection(
        db_params.host,
        db_params.user,
        db_params.password,
        db_params.port,
        None,
        False,
        config=config,
    )
    assert off.is_connected
    off.close()


# about MySQL itself: the MySQL driver's TLS error 2026
@pytest.mark.mysql_only
@pytest.mark.parametrize("use_tls", [True, {}, {"ssl": {}}], ids=["true", "empty", "options"])
def test_tls_required_fails_on_a_server_without_tls(db_params, config, use_tls):
    with pytest.raises(DRIVER.OperationalError) as caught:
        Connection(
            db_params.host,
            db_params.user,
            db_params.password,
            db_params.port,
            None,
            use_tls,
            config=config,
        )
    assert isinstance(caught.value, errors.DataJointError)
    assert caught.value.args[0] == 2026
    assert "SSL is required" in str(caught.value)


# about MySQL itself: MySQL's sql_mode and session variables
@pytest.mark.mysql_only
def test_session_setup(db_params, config):
    connection = Connection(
        db_params.host,
        db_params.user,
        db_params.password,
        port=db_params.port,
        init_fun="SET @dj_init_marker = 42",
        config=config,
    )
    sql_mode = connection.query("SELECT @@SESSION.sql_mode").fetchone()[0].split(",")
    for mode in (
        "NO_ZERO_DATE",
        "NO_ZERO_IN_DATE",
        "ERROR_FOR_DIVISION_BY_ZERO",
        "STRICT_ALL_TABLES",
        "NO_ENGINE_SUBSTITUTION",
        "ONLY_FULL_GROUP_BY",
    ):
        assert mode in sql_mode
    assert connection.query("SELECT @@SESSION.autocommit").fetchone()[0] == 1
    assert connection.query("SELECT @dj_init_marker").fetchone()[0] == 42
    # the same setup after a reconnect
    connection.connect()
    assert connection.query("SELECT @dj_init_marker").fetchone()[0] == 42
    assert "STRICT_ALL_TABLES" in connection.query("SELECT @@SESSION.sql_mode").fetchone()[0]
    connection.close()


# about MySQL itself: MySQL's connection character set
@pytest.mark.mysql_only
def test_charset_from_configuration(db_params, config):
    config["connection.charset"] = "latin1"
    connection = Connection(
        db_params.host, db_params.user, db_params.password, port=db_params.port, config=config
    )
    assert connection.query("SELECT @@character_set_client").fetchone()[0] == "latin1"
    connection.close()


# --- query ---------------------------------------------------------------------------------


def test_query_always_interpolates_percent(connection):
    assert connection.query("SELECT '5%%'").fetchone() == ("5%",)
    assert connection.query("SELECT %s, '%%'", ("a%b",)).fetchone() == ("a%b", "%")
    assert connection.query("SELECT %s + %s", [1, 2]).fetchone() == (3,)


def test_query_rows_as_tuples_or_dicts(connection):
    # rows are tuples; the sequence holding them is the driver's (tuple or list)
    assert list(connection.query("SELECT 1 AS a, 'x' AS b").fetchall()) == [(1, "x")]
    assert connection.query("SELECT 1 AS a, 'x' AS b", as_dict=True).fetchall() == [
        {"a": 1, "b": "x"}
    ]


def test_query_many_inserts_rows(connection, database):
    rows = [(i, f"name{i}") for i in range(500)]
    cursor = connection.query_many(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} (id, name) VALUES (%s, %s)",
        rows,
    )
    assert cursor.rowcount == 500
    assert (
        connection.query(
            f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}"
        ).fetchone()[0]
        == 500
    )


@pytest.mark.parametrize(
    ("sql", "error_class"),
    [
        ("INSERT INTO {parent} VALUES (1, 'a'), (1, 'b')", errors.DuplicateError),
        ("INSERT INTO {child} VALUES (99)", errors.IntegrityError),
        ("SELEC 1", errors.QuerySyntaxError),
        ("SELECT * FROM {nosuchtable}", errors.MissingTableError),
        ("SELECT nosuchcolumn FROM {parent}", errors.UnknownAttributeError),
        ("INSERT INTO {parent} (id) VALUES (5)", errors.MissingAttributeError),
    ],
)
def test_server_errors_are_translated(connection, database, sql, error_class):
    names = {
        table: connection.dialect.full_table_name(database, table)
        for table in ("parent", "child", "nosuchtable")
    }
    with pytest.raises(error_class):
        connection.query(sql.format(**names))


def test_translated_errors_carry_message_and_sql(connection, database):
    with pytest.raises(errors.QuerySyntaxError) as caught:
        connection.query("SELEC 1")
    assert caught.value.args[1] == "SELEC 1"
    assert "syntax" in caught.value.args[0].lower()
    with pytest.raises(errors.MissingTableError) as caught:
        connection.query(f"SELECT * FROM {connection.dialect.full_table_name(database, 'gone')}")
    assert "gone" in caught.value.args[0]
    assert isinstance(caught.value, errors.DataJointError)
    assert not isinstance(caught.value, errors.QueryError)


def test_deleting_a_referenced_row_is_an_integrity_error(connection, database):
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
    )
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'child')} VALUES (1)"
    )
    with pytest.raises(errors.IntegrityError):
        connection.query(f"DELETE FROM {connection.dialect.full_table_name(database, 'parent')}")


def test_access_denied_is_an_access_error(db_params, config, secret_user, database):
    limited = Connection(
        db_params.host,
        secret_user["user"],
        secret_user["password"],
        port=db_params.port,
        config=config,
    )
    with pytest.raises(errors.AccessError) as caught:
        limited.query(f"SELECT * FROM {limited.dialect.full_table_name(database, 'parent')}")
    assert caught.value.args[0] == "Insufficient privileges."
    assert (
        caught.value.args[2]
        == f"SELECT * FROM {limited.dialect.full_table_name(database, 'parent')}"
    )
    limited.close()


# about MySQL itself: MySQL's error 1365 in strict mode
@pytest.mark.mysql_only
def test_untranslated_errors_propagate_unchanged(connection, database):
    with pytest.raises(DRIVER.Error) as caught:  # division by zero in strict mode
        connection.query(
            f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1/0, 'a')"
        )
    assert caught.value.args[0] == 1365
    assert not isinstance(caught.value, errors.DataJointError)


# about MySQL itself: the MySQL driver's classes (PostgreSQL: test_server_errors.py)
@pytest.mark.mysql_only
@pytest.mark.parametrize(
    ("value", "driver_class"),
    [("'notanumber'", DRIVER.DataError), ("NULL", DRIVER.IntegrityError)],
)
def test_a_refused_value_names_its_column_and_keeps_the_driver_class(
    connection, database, value, driver_class
):
    with pytest.raises(errors.ValueRejectedError) as caught:
        connection.query(
            f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES ({value}, 'a')"
        )
    assert isinstance(caught.value, driver_class)  # 0.14 code catching the driver's class
    assert caught.value.attribute == "id"


def test_queries_are_logged_at_debug_level(connection, caplog, capsys):
    with caplog.at_level(logging.DEBUG, logger="datajoint"):
        connection.query("SELECT 'logged-statement'")
    assert any("logged-statement" in record.getMessage() for record in caplog.records)
    assert all(record.levelno == logging.DEBUG for record in caplog.records)
    assert "logged-statement" not in capsys.readouterr().out


# about MySQL itself: MySQL's statement warnings
@pytest.mark.mysql_only
def test_warnings_are_logged_when_not_suppressed(connection, caplog):
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        connection.query("SELECT CAST('12abc' AS SIGNED)")
        assert not caplog.records
        connection.query("SELECT CAST('12abc' AS SIGNED)", suppress_warnings=False)
    assert any("12abc" in record.getMessage() for record in caplog.records)


# --- transactions --------------------------------------------------------------------------


def test_transaction_commits(connection, database, db_admin):
    with connection.transaction as same:
        assert same is connection
        assert connection.in_transaction
        connection.query(
            f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
        )
        # not visible to others before the commit
        assert admin_query(
            db_admin,
            f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}",
        ) == ((0,),)
    assert not connection.in_transaction
    assert admin_query(
        db_admin, f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}"
    ) == ((1,),)


def test_transaction_rolls_back_on_error(connection, database, db_admin):
    with pytest.raises(errors.DuplicateError):
        with connection.transaction:
            connection.query(
                f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
            )
            connection.query(
                f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'b')"
            )
    assert not connection.in_transaction
    assert admin_query(
        db_admin, f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}"
    ) == ((0,),)


def test_explicit_transaction_methods(connection, database):
    connection.start_transaction()
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
    )
    connection.cancel_transaction()
    assert connection.query(
        f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}"
    ).fetchone() == (0,)
    connection.start_transaction()
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (2, 'b')"
    )
    connection.commit_transaction()
    assert list(
        connection.query(
            f"SELECT id FROM {connection.dialect.full_table_name(database, 'parent')}"
        ).fetchall()
    ) == [(2,)]


def test_nested_transactions_are_refused(connection):
    connection.start_transaction()
    with pytest.raises(errors.DataJointError, match="Nested transactions"):
        connection.start_transaction()
    connection.cancel_transaction()
    assert not connection.in_transaction


# --- lost connections ----------------------------------------------------------------------


def kill_from_outside(db_admin, connection):
    if connection.dialect.name == "postgresql":
        admin_query(db_admin, "SELECT pg_terminate_backend(%s)", (connection.connection_id,))
    else:
        admin_query(db_admin, f"KILL {connection.connection_id}")


def test_reconnects_outside_a_transaction(connection, db_admin, caplog):
    old_id = connection.connection_id
    kill_from_outside(db_admin, connection)
    with caplog.at_level(logging.WARNING, logger="datajoint"):
        assert connection.query("SELECT 7").fetchone() == (7,)
    assert any("reconnecting" in record.getMessage() for record in caplog.records)
    assert connection.connection_id != old_id
    assert session_id(connection) == connection.connection_id
    if connection.dialect.name == "mysql":  # the session is set up again
        assert "STRICT_ALL_TABLES" in connection.query("SELECT @@SESSION.sql_mode").fetchone()[0]
    else:
        assert connection.query("SHOW DateStyle").fetchone()[0] == "ISO, YMD"


def test_no_reconnect_when_disabled(connection, db_admin, config):
    kill_from_outside(db_admin, connection)
    with pytest.raises(errors.LostConnectionError):
        connection.query("SELECT 1", reconnect=False)
    config["database.reconnect"] = False
    with pytest.raises(errors.LostConnectionError):
        connection.query("SELECT 1")
    assert connection.query("SELECT 2", reconnect=True).fetchone() == (2,)


def test_lost_connection_inside_a_transaction_commits_nothing(connection, database, db_admin):
    connection.start_transaction()
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
    )
    kill_from_outside(db_admin, connection)
    with pytest.raises(errors.LostConnectionError, match="during a transaction"):
        connection.query(
            f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (2, 'b')"
        )
    assert not connection.in_transaction
    assert admin_query(
        db_admin, f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}"
    ) == ((0,),)
    # the connection is usable again, and a new transaction can start
    with connection.transaction:
        connection.query(
            f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (3, 'c')"
        )
    assert admin_query(
        db_admin, f"SELECT id FROM {connection.dialect.full_table_name(database, 'parent')}"
    ) == ((3,),)


def test_lost_connection_at_commit_commits_nothing(connection, database, db_admin):
    with pytest.raises(errors.LostConnectionError):
        with connection.transaction:
            connection.query(
                f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
            )
            kill_from_outside(db_admin, connection)
    assert not connection.in_transaction
    assert admin_query(
        db_admin, f"SELECT count(*) FROM {connection.dialect.full_table_name(database, 'parent')}"
    ) == ((0,),)


def test_a_statement_sent_again_and_again_fails_and_reconnects_as_any_other(
    connection, database, db_admin
):
    """`query(..., prepare=True)` (populate's statements for every key) takes a short way
    to the driver: its errors, reconnection and lost transactions are those of any
    statement."""
    missing = connection.dialect.full_table_name(database, "no_such_table")
    with pytest.raises(errors.MissingTableError):
        connection.query(f"SELECT 1 FROM {missing} WHERE 1=%s", (1,), prepare=True)
    assert connection.query("SELECT %s", (1,), prepare=True).fetchone() == (1,)
    kill_from_outside(db_admin, connection)
    with pytest.raises(errors.LostConnectionError):
        connection.query("SELECT %s", (2,), prepare=True, reconnect=False)
    assert connection.query("SELECT %s", (3,), prepare=True).fetchone() == (3,)
    connection.start_transaction()
    kill_from_outside(db_admin, connection)
    with pytest.raises(errors.LostConnectionError, match="during a transaction"):
        connection.query("SELECT %s", (4,), prepare=True)
    assert not connection.in_transaction
    assert connection.query("SELECT %s", (5,), prepare=True).fetchone() == (5,)


def test_in_transaction_is_false_once_the_connection_died(connection, db_admin):
    connection.start_transaction()
    kill_from_outside(db_admin, connection)
    assert not connection.in_transaction


# --- secrets -------------------------------------------------------------------------------


def test_password_never_in_repr_or_logs(db_params, config, secret_user, caplog):
    password = secret_user["password"]
    with caplog.at_level(logging.DEBUG, logger="datajoint"):
        connection = Connection(
            db_params.host, secret_user["user"], password, port=db_params.port, config=config
        )
        connection.query("SELECT 1")
        connection.connect()
    assert connection.conn_info["passwd"] == password
    assert password not in repr(connection)
    assert password not in repr(connection.conn_info)
    assert password not in str(connection.conn_info)
    assert password not in caplog.text
    connection.close()


# --- registry and the process-wide connection ----------------------------------------------


def test_register_adds_a_schema(connection):
    class FakeSchema:
        database = "djtest_registered"

    schema = FakeSchema()
    connection.register(schema)
    assert connection.schemas == {"djtest_registered": schema}


def test_conn_is_persistent_and_reset_replaces_it(db_params, monkeypatch):
    monkeypatch.setattr(conn, "connection", None)
    with settings.config(
        database__backend=db_params.backend,
        database__name=db_params.database,
        database__host=f"{db_params.host}:{db_params.port}",
        database__user=db_params.user,
        database__password=db_params.password,
    ):
        first = conn()
        assert conn() is first
        assert conn.connection is first
        assert conn("ignored-host") is first
        second = conn(reset=True)
    assert second is not first
    assert conn() is second
    first.close()
    second.close()


def test_conn_prompts_for_missing_user_and_password(db_params, monkeypatch):
    monkeypatch.setattr(conn, "connection", None)
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        return db_params.user

    def fake_getpass(prompt):
        prompts.append(prompt)
        return db_params.password

    monkeypatch.setattr(connection_module.utils, "input", fake_input)
    monkeypatch.setattr(connection_module, "getpass", fake_getpass)
    with settings.config(
        database__backend=db_params.backend,
        database__name=db_params.database,
        database__host=f"{db_params.host}:{db_params.port}",
        database__user=None,
        database__password=None,
    ):
        connection = conn()
    assert len(prompts) == 2
    assert "username" in prompts[0] and "password" in prompts[1]
    assert connection.conn_info["user"] == db_params.user
    connection.close()


# --- other processes -----------------------------------------------------------------------


def test_pickled_connection_reconnects_on_first_use(connection, database):
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 'parent')} VALUES (1, 'a')"
    )
    copy = pickle.loads(pickle.dumps(connection))
    assert copy == connection
    assert copy.query(
        f"SELECT name FROM {connection.dialect.full_table_name(database, 'parent')}"
    ).fetchone() == ("a",)
    assert copy.connection_id != connection.connection_id
    assert session_id(copy) == copy.connection_id
    assert session_id(connection) == connection.connection_id
    assert copy.config == connection.config
    copy.close()


def test_statements_sent_again_and_again_share_a_cursor_that_stays_behind(connection):
    """`query(..., prepare=True)` reuses one cursor per driver connection; a reconnect
    or a pickled copy (a worker process) gets its own."""
    first = connection.query("SELECT %s", (1,), prepare=True)
    assert first.fetchone() == (1,)
    again = connection.query("SELECT %s", (2,), prepare=True)
    assert again is first and again.fetchone() == (2,)
    again.close()  # closed by a caller: the next statement gets a new one
    reopened = connection.query("SELECT %s", (5,), prepare=True)
    assert reopened is not first and reopened.fetchone() == (5,)
    first = reopened
    copy = pickle.loads(pickle.dumps(connection))
    assert copy.query("SELECT %s", (3,), prepare=True).fetchone() == (3,)
    copy.close()
    connection.connect()
    fresh = connection.query("SELECT %s", (4,), prepare=True)
    assert fresh is not first and fresh.fetchone() == (4,)


def _child_uses_inherited(connection, explicit_connect, results):
    try:
        if explicit_connect:
            connection.connect()
        results.put(session_id(connection))
    except BaseException as error:  # report instead of dying silently
        results.put(repr(error))


@pytest.mark.parametrize("explicit_connect", [False, True], ids=["implicit", "connect"])
def test_forked_child_gets_its_own_session(connection, explicit_connect):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    parent_id = connection.connection_id
    child = context.Process(
        target=_child_uses_inherited, args=(connection, explicit_connect, results)
    )
    child.start()
    child_id = results.get(timeout=20)
    child.join(timeout=20)
    assert isinstance(child_id, int), child_id
    assert child_id != parent_id
    # the parent's own session was neither used nor closed by the child
    assert session_id(connection) == parent_id
    assert connection.connection_id == parent_id


def test_transaction_open_is_the_flag_without_a_round_trip(connection, db_admin):
    assert connection.transaction_open is False
    connection.start_transaction()
    assert connection.transaction_open is True
    kill_from_outside(db_admin, connection)
    assert connection.transaction_open is True  # it did not ask the server
    with pytest.raises(errors.LostConnectionError):
        connection.query("SELECT 1")  # the next statement finds out, inside the transaction
    assert connection.transaction_open is False


def test_a_statement_given_as_bytes_is_sent_verbatim(connection, database):
    connection.query(
        f"CREATE TABLE {connection.dialect.full_table_name(database, 't')} (s varchar(20))"
    )
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 't')} VALUES ('50%%')"
    )  # str: interpolated
    connection.query(
        f"INSERT INTO {connection.dialect.full_table_name(database, 't')} VALUES ('50%%')".encode()
    )  # bytes: as is
    assert sorted(
        connection.query(
            f"SELECT s FROM {connection.dialect.full_table_name(database, 't')}"
        ).fetchall()
    ) == [
        ("50%",),
        ("50%%",),
    ]
    with pytest.raises(errors.DataJointError, match="bytes is sent as it is"):
        connection.query(b"SELECT %s", (1,))
