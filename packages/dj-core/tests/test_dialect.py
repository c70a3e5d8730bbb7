"""The MySQL/MariaDB dialect: text builders (pure) and catalog readings (real server)."""

from __future__ import annotations

import pymysql
import pytest
from dj_core import errors, settings
from dj_core.dialects import Dialect, MySQLDialect, ServerVersion

dialect = MySQLDialect("pymysql")  # the error-table tests raise PyMySQL errors


@pytest.fixture
def connection(db_params):
    connection = db_params.open_connection(settings.Config.independent())
    yield connection
    connection.close()


def test_is_a_dialect(connection, backend):
    assert isinstance(connection.dialect, Dialect)
    assert connection.dialect.name == backend


# --- text builders -------------------------------------------------------------------------


def test_quoting():
    assert dialect.quote("session") == "`session`"
    assert dialect.quote("we`ird") == "`we``ird`"
    assert dialect.full_table_name("lab", "#subject") == "`lab`.`#subject`"
    assert dialect.quote_list(["a", "b"]) == "`a`,`b`"


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("`lab`.`#subject`", ("lab", "#subject")),
        ("`lab`.`~external_raw`", ("lab", "~external_raw")),
        ("`we``ird`.`t`", ("we`ird", "t")),
    ],
)
def test_split_full_table_name(full, parts):
    assert dialect.split_full_table_name(full) == parts
    assert dialect.full_table_name(*parts) == full


def test_split_rejects_other_text():
    with pytest.raises(errors.DataJointError, match="not a full table name"):
        dialect.split_full_table_name("lab.subject")


def test_string_literal_escapes():
    assert dialect.string_literal("it's") == "'it\\'s'"


@pytest.mark.parametrize(
    ("category", "declared", "column"),
    [
        ("UUID", "uuid", "binary(16)"),
        ("EXTERNAL_BLOB", "blob@raw", "binary(16)"),
        ("EXTERNAL_ATTACH", "attach@raw", "binary(16)"),
        ("FILEPATH", "filepath@raw", "binary(16)"),
        ("INTERNAL_ATTACH", "attach", "longblob"),
        ("INTEGER", "int unsigned", "int unsigned"),
        ("JSON", "json", "json"),
    ],
)
def test_column_types(category, declared, column):
    assert dialect.column_type(category, declared) == column


def test_lock_clauses():
    assert dialect.lock_clause() == " FOR UPDATE"
    assert dialect.lock_clause("share") == " LOCK IN SHARE MODE"
    with pytest.raises(errors.DataJointError, match="lock mode"):
        dialect.lock_clause("exclusive")


@pytest.mark.parametrize(
    ("banner", "flavour", "version"),
    [
        ("8.0.36", "mysql", (8, 0, 36)),
        ("5.7.44-log", "mysql", (5, 7, 44)),
        ("10.11.19-MariaDB-0+deb12u1", "mariadb", (10, 11, 19)),
        ("5.5.5-10.6.4-MariaDB-log", "mariadb", (10, 6, 4)),
        ("11.4", "mysql", (11, 4, 0)),
    ],
)
def test_parse_version(banner, flavour, version):
    parsed = MySQLDialect.parse_version(banner)
    assert parsed == ServerVersion(flavour, version, banner)


def test_parse_version_rejects_garbage():
    with pytest.raises(errors.DataJointError, match="server version"):
        MySQLDialect.parse_version("unknown")


@pytest.mark.parametrize(
    ("banner", "modern"),
    [
        ("8.0.36", True),
        ("5.7.44", True),
        ("5.6.51", False),
        ("10.11.19-MariaDB", False),
        ("10.1.48-MariaDB", False),
    ],
)
def test_set_password_statement(banner, modern):
    sql = dialect.set_password_sql(MySQLDialect.parse_version(banner))
    assert sql.count("%s") == 1
    assert sql.startswith("ALTER USER") is modern


def test_kill_sql_takes_only_integers():
    assert dialect.kill_sql(12) == "KILL 12"
    with pytest.raises(ValueError):
        dialect.kill_sql("12; DROP DATABASE x")


# --- error classification ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (pymysql.err.InterfaceError(0, ""), errors.LostConnectionError),
        (pymysql.err.OperationalError(2006, "gone away"), errors.LostConnectionError),
        (pymysql.err.OperationalError(2013, "lost"), errors.LostConnectionError),
        (pymysql.err.OperationalError(1927, "killed"), errors.LostConnectionError),
        (pymysql.err.OperationalError(1044, "denied"), errors.AccessError),
        (pymysql.err.OperationalError(1142, "denied"), errors.AccessError),
        (pymysql.err.IntegrityError(1062, "dup"), errors.DuplicateError),
        (pymysql.err.IntegrityError(1217, "fk"), errors.IntegrityError),
        (pymysql.err.IntegrityError(1451, "fk"), errors.IntegrityError),
        (pymysql.err.IntegrityError(1452, "fk"), errors.IntegrityError),
        (pymysql.err.ProgrammingError(1064, "syntax"), errors.QuerySyntaxError),
        (pymysql.err.ProgrammingError(1146, "no table"), errors.MissingTableError),
        (pymysql.err.OperationalError(1364, "no default"), errors.MissingAttributeError),
        (pymysql.err.OperationalError(1054, "unknown column"), errors.UnknownAttributeError),
    ],
)
def test_translation_table(error, expected):
    translated = dialect.translate_error(error, "SQL TEXT")
    assert type(translated) is expected
    assert dialect.is_lost_connection(error) is (expected is errors.LostConnectionError)


def test_translated_arguments():
    access = dialect.translate_error(pymysql.err.OperationalError(1142, "denied"), "SELECT 1")
    assert access.args == ("Insufficient privileges.", "denied", "SELECT 1")
    duplicate = dialect.translate_error(pymysql.err.IntegrityError(1062, "Duplicate entry"), "I")
    assert duplicate.args == ("Duplicate entry",)
    lost = dialect.translate_error(pymysql.err.OperationalError(2013, "Lost"), "S")
    assert lost.args[1:] == (2013, "Lost")


def test_untranslated_errors():
    assert dialect.translate_error(pymysql.err.OperationalError(1055, "group by"), "S") is None
    assert dialect.translate_error(ValueError("not a driver error"), "S") is None


# --- catalog readings ----------------------------------------------------------------------


def test_server_version_and_identity(connection, db_admin, backend):
    dialect = connection.dialect
    version = dialect.server_version(connection)
    with db_admin.cursor() as cursor:
        cursor.execute("SHOW server_version" if backend == "postgresql" else "SELECT VERSION()")
        banner = cursor.fetchone()[0]
    assert version.text == banner
    if backend == "postgresql":
        assert version.flavour == "postgresql" and version.at_least(13)
    else:
        assert version.flavour == ("mariadb" if "MariaDB" in banner else "mysql")
        assert version.at_least(5, 7)
    connection.close()  # cached: no round trip the second time
    assert dialect.server_version(connection) is version
    assert dialect.connection_id(connection) == connection.connection_id
    assert "@" in dialect.current_user(connection)


def test_schemas_and_tables(connection, make_database):
    dialect = connection.dialect
    name = make_database("catalog")
    assert not dialect.schema_exists(connection, name)
    connection.query(dialect.create_schema_sql(name))
    connection.query(f"CREATE TABLE {dialect.full_table_name(name, 'a_b')} (x int PRIMARY KEY)")
    connection.query(f"CREATE TABLE {dialect.full_table_name(name, '~log')} (x int PRIMARY KEY)")
    assert dialect.schema_exists(connection, name)
    schemas = dialect.list_schemas(connection)
    assert name in schemas
    assert "information_schema" not in schemas
    assert not any(schema.startswith("pg_") for schema in schemas)
    assert dialect.list_tables(connection, name) == ["a_b", "~log"]
    assert dialect.table_exists(connection, name, "a_b")
    assert not dialect.table_exists(connection, name, "a_c")  # no LIKE wildcard surprise
    assert not dialect.table_exists(connection, name, "axb")


def test_processes_exclude_the_own_connection(connection, db_params):
    dialect = connection.dialect
    other = db_params.connect()
    try:
        other_id = (
            other.info.backend_pid if db_params.backend == "postgresql" else other.thread_id()
        )
        listed = dialect.processes(connection)
        ids = [process["ID"] for process in listed]
        assert other_id in ids
        assert connection.connection_id not in ids
        assert set(listed[0]) == {"ID", "USER", "HOST", "DB", "COMMAND", "TIME", "STATE", "INFO"}
        assert ids == sorted(ids)
        only = dialect.processes(connection, f"ID = {other_id}", order_by=["user", "id"])
        assert [process["ID"] for process in only] == [other_id]
    finally:
        other.close()


def test_key_hash_sql_matches_key_hash_on_the_server(connection):
    import datetime

    from dj_core.hash import key_hash

    assert MySQLDialect().key_hash_sql(["a", "b", "c"]) == "MD5(CONCAT(`a`,`b`,`c`))"
    sql = connection.dialect.key_hash_sql(["a", "b", "c"])
    row = connection.query(
        f"SELECT {sql} FROM (SELECT 7 AS a, 'x y' AS b, DATE '2024-05-01' AS c) AS t"
    ).fetchone()
    assert row[0] == key_hash({"a": 7, "b": "x y", "c": datetime.date(2024, 5, 1)})


def test_server_time_and_live_connection_ids(connection):
    import datetime

    dialect = connection.dialect
    assert isinstance(dialect.server_time(connection), datetime.datetime)
    live = dialect.live_connection_ids(connection)
    assert connection.connection_id in live
    assert all(isinstance(i, int) for i in live)


@pytest.mark.parametrize(
    ("code", "message", "attribute", "row", "driver_class"),
    [
        (1264, "Out of range value for column 'level' at row 4", "level", 4, pymysql.err.DataError),
        (1265, "Data truncated for column 'kind' at row 1", "kind", 1, pymysql.err.DataError),
        (1406, "Data too long for column 'label' at row 12", "label", 12, pymysql.err.DataError),
        (
            1366,
            "Incorrect integer value: 'x' for column `db`.`t`.`n` at row 2",
            "n",
            2,
            pymysql.err.DataError,
        ),
        (
            1292,
            "Incorrect datetime value: '2020-13-01' for column `db`.`t`.`when` at row 1",
            "when",
            1,
            pymysql.err.OperationalError,
        ),
        (1048, "Column 'name' cannot be null", "name", None, pymysql.err.IntegrityError),
    ],
)
def test_refused_values_are_translated_with_their_column(
    code, message, attribute, row, driver_class
):
    driver_error = driver_class(code, message)
    error = MySQLDialect("pymysql").translate_error(driver_error, "INSERT ...")
    assert isinstance(error, errors.ValueRejectedError) and isinstance(error, driver_class)
    assert (error.attribute, error.row) == (attribute, row)
    assert error.args[0] == message
