"""`~external_<store>` is declared from a definition, like `~jobs`; its statement is the one
DataJoint 0.14 sends, byte for byte (this text was the hand-written DDL before)."""

from __future__ import annotations

from dj_core.dialects import MySQLDialect, PostgreSQLDialect
from dj_external.external import tracking_table_sql, tracking_table_statements

ZERO_FOURTEEN = """CREATE TABLE IF NOT EXISTS `db`.`~external_store` (
`hash` binary(16) NOT NULL COMMENT ":uuid:hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)",
`size` bigint unsigned NOT NULL COMMENT "size of object in bytes",
`attachment_name` varchar(255) DEFAULT NULL COMMENT "the filename of an attachment",
`filepath` varchar(1000) DEFAULT NULL COMMENT "relative filepath or attachment filename",
`contents_hash` binary(16) DEFAULT NULL COMMENT ":uuid:used for the filepath datatype",
`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT "automatic timestamp",
PRIMARY KEY (`hash`)
) ENGINE=InnoDB, COMMENT "external storage tracking\""""


def test_the_tracking_table_is_0_14s_without_a_server():
    assert tracking_table_sql("db", "store") == ZERO_FOURTEEN
    assert tracking_table_statements("db", "store", MySQLDialect()) == [ZERO_FOURTEEN]


def test_the_tracking_table_on_postgresql_has_native_uuid_hashes():
    create = "\n".join(tracking_table_statements("db", "store", PostgreSQLDialect()))
    lock, table = create.split(";\n", 2)[:2]
    assert lock == 'SELECT pg_advisory_xact_lock(hashtext(\'"db"."~external_store"\'))'
    assert table.startswith('CREATE TABLE IF NOT EXISTS "db"."~external_store" (')
    assert '"hash" uuid NOT NULL' in create and '"contents_hash" uuid,' in create
    assert 'PRIMARY KEY ("hash")' in create
    # the 0.14 comments, markers included, so one heading reader serves both servers
    comments = create[create.index("COMMENT ON") :]
    assert 'COMMENT ON TABLE "db"."~external_store" IS \'external storage tracking\'' in comments
    assert "IS ':uuid:hash of contents (blob), of filename + contents (attach)" in comments
    assert "IS ':bigint unsigned:size of object in bytes'" in comments
