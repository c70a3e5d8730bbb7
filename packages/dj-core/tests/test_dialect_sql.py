"""The MySQL dialect's text builders, without a server: DDL parts, DML variants,
transactions, time, limits, literals, and the full-table-name codec."""

from __future__ import annotations

import datetime
import decimal
import uuid

import numpy as np
import pytest
from dj_core import table_names
from dj_core.alter import alter
from dj_core.declare import compile_definition
from dj_core.dialects import DIALECTS, MySQLDialect
from dj_core.errors import DataJointError

dialect = MySQLDialect()


# --- DDL -------------------------------------------------------------------------------


def test_columns_as_0_14_spells_them():
    assert dialect.column_sql("a", "int") == "`a` int NOT NULL"
    assert dialect.column_sql("a", "int", default="5", comment="x") == (
        '`a` int NOT NULL DEFAULT 5 COMMENT "x"'
    )
    assert dialect.column_sql("a", "int", nullable=True, default="NULL") == "`a` int DEFAULT NULL"
    # a nullable foreign key copies the parent's column without NOT NULL
    assert dialect.column_sql("a", "int", nullable=True, comment="") == '`a` int COMMENT ""'
    assert dialect.column_sql("a", "int", comment='say "\\hi"') == (
        '`a` int NOT NULL COMMENT "say \\"\\\\hi\\""'
    )


def test_defaults_are_quoted_unless_keywords_or_quoted_already():
    assert dialect.default_sql("5") == '"5"'
    assert dialect.default_sql("'text'") == "'text'"
    assert dialect.default_sql('"text"') == '"text"'
    assert dialect.default_sql("CURRENT_TIMESTAMP(3)") == "CURRENT_TIMESTAMP(3)"
    assert dialect.default_sql("null") == "null"


def test_keys_indexes_and_the_table():
    assert dialect.primary_key_sql(["a", "b"]) == "PRIMARY KEY (`a`,`b`)"
    assert dialect.foreign_key_sql(["a"], "`db`.`p`", ["b"]) == (
        "FOREIGN KEY (`a`) REFERENCES `db`.`p` (`b`) ON UPDATE CASCADE ON DELETE RESTRICT"
    )
    assert dialect.foreign_key_sql(
        ["h"], "`db`.`~external_s`", ["hash"], cascade_updates=False
    ) == (
        "FOREIGN KEY (`h`) REFERENCES `db`.`~external_s` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT"
    )
    assert dialect.index_sql(["`a`"], unique=True) == "unique index (`a`)"
    assert dialect.index_sql(["`a`"], unique=True, from_foreign_key=True) == "UNIQUE INDEX (`a`)"
    assert dialect.create_table_sql("`db`.`t`", ["`a` int NOT NULL", "PRIMARY KEY (`a`)"], "c") == [
        "CREATE TABLE IF NOT EXISTS `db`.`t` (\n`a` int NOT NULL,\nPRIMARY KEY (`a`)\n) "
        'ENGINE=InnoDB, COMMENT "c"'
    ]
    assert dialect.drop_table_sql("`db`.`t`") == "DROP TABLE `db`.`t`"


def test_a_definition_compiles_without_a_server():
    declaration = compile_definition(
        "`db`.`t`",
        "# a table\nk : int  # key\n---\nv = 1.5 : float\nn = null : varchar(8)\nindex (v)",
        {},
        dialect=dialect,
    )
    assert declaration.statements == [declaration.sql]
    assert declaration.sql == (
        "CREATE TABLE IF NOT EXISTS `db`.`t` (\n"
        '`k` int NOT NULL COMMENT "key",\n'
        '`v` float NOT NULL DEFAULT "1.5",\n'
        "`n` varchar(8) DEFAULT NULL,\n"
        "PRIMARY KEY (`k`),\n"
        "index (`v`)\n"
        ') ENGINE=InnoDB, COMMENT "a table"'
    )


def test_a_name_longer_than_the_dialect_allows_is_refused():
    with pytest.raises(DataJointError, match="exceeds the max length of 64"):
        compile_definition(f"`db`.`{'x' * 65}`", "k : int", {}, dialect=dialect)


def test_alter_plans_through_the_dialect():
    clauses, stores = alter(
        "# new\nk : int\n---\nb : int\na : int  # {c}",
        "# old\nk : int\n---\nc : int\nd : int",
        {},
        dialect,
    )
    assert stores == []
    assert clauses == [
        "DROP `d`",
        "ADD `b` int NOT NULL AFTER `k`",
        'CHANGE `c` `a` int NOT NULL COMMENT "{c}" AFTER `b`',
        'COMMENT="new"',
    ]
    assert dialect.alter_table_sql("`db`.`t`", ["DROP `d`"]) == "ALTER TABLE `db`.`t`\n\tDROP `d`"


# --- DML, transactions, time, limits -----------------------------------------------------


def test_insert_variants():
    table, fields = "`db`.`t`", ["k", "v"]
    assert dialect.insert_sql(table, fields) == ("INSERT INTO `db`.`t` (`k`,`v`)", "")
    assert dialect.insert_sql(table, fields, duplicates="replace") == (
        "REPLACE INTO `db`.`t` (`k`,`v`)",
        "",
    )
    assert dialect.insert_sql(table, fields, duplicates="skip", primary_key=["k"])[1] == (
        " ON DUPLICATE KEY UPDATE `k`=`k`"
    )
    assert (
        dialect.insert_sql(table, fields, duplicates="skip", primary_key=["k"], from_query=True)[1]
        == " ON DUPLICATE KEY UPDATE `k`=`db`.`t`.`k`"
    )
    assert dialect.insert_sql(table, fields, duplicates="update", update=["v"])[1] == (
        " ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)"
    )
    assert (
        dialect.insert_sql(table, fields, duplicates="update", update={"ts": dialect.now_sql()})[1]
        == " ON DUPLICATE KEY UPDATE `ts`=NOW()"
    )
    with pytest.raises(DataJointError, match="duplicates mode"):
        dialect.insert_sql(table, fields, duplicates="merge")


def test_delete_transactions_time_and_limits():
    assert dialect.delete_in_sql("`db`.`t`", ["a", "b"], "SELECT 1") == (
        "DELETE FROM `db`.`t` WHERE (`a`,`b`) IN (SELECT * FROM (SELECT 1) as `$keys`)"
    )
    assert dialect.begin_transaction_sql() == "START TRANSACTION WITH CONSISTENT SNAPSHOT"
    assert dialect.error_aborts_transaction is False
    assert dialect.savepoint_sql("s") == "SAVEPOINT `s`"
    assert dialect.rollback_to_savepoint_sql("s") == "ROLLBACK TO SAVEPOINT `s`"
    assert dialect.release_savepoint_sql("s") == "RELEASE SAVEPOINT `s`"
    assert dialect.seconds_ago_sql(1.5) == "NOW() - INTERVAL 1.500000 SECOND"
    assert dialect.offset_sql(None, None) == ""
    assert dialect.offset_sql(3, None) == " LIMIT 3"
    assert dialect.offset_sql(3, 2) == " LIMIT 3 OFFSET 2"
    assert dialect.offset_sql(None, 2) == " LIMIT 999999999999 OFFSET 2"
    assert "PROCESSLIST" in dialect.connection_ids_sql()
    assert dialect.max_identifier_length == 64


# --- literals ----------------------------------------------------------------------------


def test_comparison_literals():
    assert dialect.value_literal(None) == "NULL"
    assert dialect.value_literal(True) == "1"
    assert dialect.value_literal(np.int16(7)) == "7"
    assert dialect.value_literal(np.float32(0.5)) == "0.5"
    assert dialect.value_literal("50%") == "'50%%'"
    assert dialect.value_literal(b"\x01\xff") == "X'01ff'"
    assert dialect.value_literal(b"") == "''"
    assert dialect.value_literal(datetime.date(2020, 1, 2)) == "'2020-01-02'"
    assert dialect.value_literal(datetime.timedelta(seconds=-1)) == "'-00:00:01.000000'"
    assert dialect.value_literal(decimal.Decimal("1.25")) == "'1.25'"
    with pytest.raises(DataJointError, match="non-finite"):
        dialect.value_literal(float("nan"))


def test_insert_literals_render_whole_columns():
    assert dialect.insert_literals([1, None, 3], "a") == ["1", "DEFAULT", "3"]
    assert dialect.insert_literals(["it's", "5%"], "a") == ["'it\\'s'", "'5%%'"]
    assert dialect.insert_literals([1.5, float("nan")], "a") == ["1.5", "DEFAULT"]
    assert dialect.insert_literals([np.float32(0.1)], "a") == ["'0.1'"]  # as 0.14
    assert dialect.insert_literals([uuid.UUID(int=1)], "a") == [
        "'00000000-0000-0000-0000-000000000001'"
    ]
    assert dialect.insert_literals([datetime.timedelta(hours=25)], "a") == ["'25:00:00.000000'"]
    with pytest.raises(DataJointError, match="infinite"):
        dialect.insert_literals([1.0, float("inf")], "a")
    assert dialect.insert_literals_verbatim([b"\x00"], "a") == [(b"X'", b"00", b"'")]
    assert dialect.insert_literals_verbatim(["5%"], "a") == [b"'5%'"]


# --- names -------------------------------------------------------------------------------


def test_the_full_table_name_codec():
    assert DIALECTS[0].name == "mysql"
    assert table_names.split_full_table_name("`d``b`.`#t`") == ("d`b", "#t")
    assert table_names.compose("db", "t") == "`db`.`t`"
    assert table_names.parse("db.t") is None
    assert table_names.database_of("`db`.`t`") == "db"
    assert table_names.master_of_full_name("`db`.`#m__p`") == "`db`.`#m`"
    assert table_names.master_of_full_name("`db`.`__m__p`") == "`db`.`__m`"
    assert table_names.master_of_full_name("`db`.`__m`") is None
    assert table_names.master_table_name("m__p__q") == "m__p"
    assert table_names.unquote("`a``b`") == "a`b"
    assert table_names.unquote("plain") == "plain"
    with pytest.raises(DataJointError, match="not a full table name"):
        table_names.split_full_table_name("db.t")
