"""The MySQL drivers behind the dialect: choice, the extra named when one is missing, and
the same values, errors and session from PyMySQL and mysqlclient on the real server."""

from __future__ import annotations

import datetime
import decimal
import sys

import MySQLdb
import pymysql
import pytest
from dj_core import errors
from dj_core.connection import Connection
from dj_core.dialects import MySQLDialect
from dj_core.dialects.drivers import choose_mysql_driver
from dj_core.settings import Config

# about MySQL itself: PyMySQL and mysqlclient, the MySQL drivers
pytestmark = pytest.mark.mysql_only

DRIVERS = ("pymysql", "mysqlclient")


@pytest.fixture(params=DRIVERS)
def driver_connection(request, db_params):
    config = Config.independent()
    config["database.driver"] = request.param
    connection = Connection(db_params.host, db_params.user, db_params.password, config=config)
    yield connection
    connection.close()


def test_named_drivers_are_chosen():
    assert choose_mysql_driver("pymysql").name == "pymysql"
    assert choose_mysql_driver("MySQLClient").name == "mysqlclient"


def test_automatic_choice_prefers_the_c_driver(monkeypatch):
    monkeypatch.delenv("DJ_DRIVER", raising=False)
    assert choose_mysql_driver(None).name == "mysqlclient"
    assert choose_mysql_driver("auto").name == "mysqlclient"
    monkeypatch.setitem(sys.modules, "MySQLdb", None)  # as if it were not installed
    assert choose_mysql_driver(None).name == "pymysql"


def test_environment_chooses_when_the_setting_does_not(monkeypatch):
    monkeypatch.setenv("DJ_DRIVER", "pymysql")
    assert choose_mysql_driver(None).name == "pymysql"
    assert choose_mysql_driver("mysqlclient").name == "mysqlclient"  # the setting wins


def test_missing_driver_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "MySQLdb", None)
    with pytest.raises(errors.DataJointError, match=r"datajoint\[fast\]"):
        choose_mysql_driver("mysqlclient")


def test_unknown_driver_lists_the_valid_ones():
    with pytest.raises(errors.DataJointError, match="'pymysql' or 'mysqlclient'"):
        choose_mysql_driver("oracle")


def test_connection_uses_the_configured_driver(driver_connection, db_params):
    driver = driver_connection.dialect.driver
    assert driver.name == driver_connection.config["database.driver"]
    raw_module = MySQLdb if driver.name == "mysqlclient" else pymysql
    assert type(driver_connection._conn).__module__.startswith(raw_module.__name__)


VALUES_SQL = (
    "SELECT 1, CAST(2 AS UNSIGNED), 1.5e0, CAST(1.5 AS DECIMAL(5,2)), 'abc', _binary'ab\\0', "
    "CAST('2020-01-02' AS DATE), CAST('2020-01-02 03:04:05.123' AS DATETIME(3)), "
    "CAST('-1:00:00' AS TIME), NULL, x'00ff', b'101', YEAR('2020-01-01'), "
    "JSON_OBJECT('a', 1), 'é€😀'"
)


def test_both_drivers_give_the_same_values(driver_connection):
    row = driver_connection.query(VALUES_SQL).fetchone()
    assert row == (
        1,
        2,
        1.5,
        decimal.Decimal("1.50"),
        "abc",
        b"ab\0",
        datetime.date(2020, 1, 2),
        datetime.datetime(2020, 1, 2, 3, 4, 5, 123000),
        datetime.timedelta(hours=-1),
        None,
        b"\x00\xff",
        b"\x05",
        2020,
        '{"a": 1}',
        "é€😀",
    )
    assert [type(v) for v in row[:6]] == [int, int, float, decimal.Decimal, str, bytes]
    rows = driver_connection.query("SELECT 1 AS a, 'x' AS b", as_dict=True).fetchall()
    assert rows == [{"a": 1, "b": "x"}] and isinstance(rows, list)


def test_both_drivers_interpolate_and_escape_alike(driver_connection):
    text = "quote ' backslash \\ percent % null \0 end"
    assert driver_connection.query("SELECT %s, '%%'", (text,)).fetchone() == (text, "%")
    assert driver_connection.query("SELECT %s", (b"\xff\x00'",)).fetchone() == (b"\xff\x00'",)


def test_both_drivers_translate_server_errors(driver_connection):
    with pytest.raises(errors.QuerySyntaxError):
        driver_connection.query("SELEC 1")
    with pytest.raises(errors.MissingTableError):
        driver_connection.query("SELECT * FROM no_such_db_dj.no_such_table")
    with pytest.raises(driver_connection.dialect.driver.Error) as caught:
        driver_connection.query("SELECT CAST('x' AS SIGNED) FROM DUAL WHERE 1 = 1 INTO @a, @b")
    assert not isinstance(caught.value, errors.DataJointError)


def test_both_drivers_refuse_required_tls_without_a_tls_server(db_params):
    for name in DRIVERS:
        config = Config.independent()
        config["database.driver"] = name
        with pytest.raises(choose_mysql_driver(name).OperationalError) as caught:
            Connection(
                db_params.host, db_params.user, db_params.password, None, None, True, config=config
            )
        assert isinstance(caught.value, errors.ConnectionFailedError)
        assert caught.value.args[0] == 2026


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (MySQLdb.OperationalError(2006, "gone away"), errors.LostConnectionError),
        (MySQLdb.OperationalError(2013, "lost"), errors.LostConnectionError),
        (MySQLdb.OperationalError(1142, "denied"), errors.AccessError),
        (MySQLdb.IntegrityError(1062, "dup"), errors.DuplicateError),
        (MySQLdb.IntegrityError(1452, "fk"), errors.IntegrityError),
        (MySQLdb.ProgrammingError(1064, "syntax"), errors.QuerySyntaxError),
        (MySQLdb.ProgrammingError(1146, "no table"), errors.MissingTableError),
        (MySQLdb.OperationalError(1054, "unknown column"), errors.UnknownAttributeError),
    ],
)
def test_mysqlclient_error_table(error, expected):
    dialect = MySQLDialect("mysqlclient")
    assert type(dialect.translate_error(error, "SQL")) is expected
    assert dialect.is_lost_connection(error) is (expected is errors.LostConnectionError)
    # a PyMySQL error is not this driver's: left alone
    assert dialect.translate_error(pymysql.err.OperationalError(2006, ""), "SQL") is None


def test_fetch_rows_reads_a_whole_result_as_a_list(driver_connection):
    rows = driver_connection.fetch_rows("SELECT 1, 'a' UNION ALL SELECT %s, 'b%%'", (2,))
    assert rows == [(1, "a"), (2, "b%")] and isinstance(rows, list)
    with pytest.raises(errors.QuerySyntaxError):
        driver_connection.fetch_rows("SELEC 1")
    # the connection is free again at once
    assert driver_connection.query("SELECT 3").fetchone() == (3,)
