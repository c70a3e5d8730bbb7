"""PostgreSQL catalog readings for the table tests: what `SHOW CREATE TABLE` shows on MySQL."""

from __future__ import annotations


def pg_columns(connection, database: str, table: str) -> dict[str, tuple[str, bool, str]]:
    """`{column: (type, not null, comment)}` of a PostgreSQL table."""
    cursor = connection.query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "col_description(a.attrelid, a.attnum) FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (connection.dialect.full_table_name(database, table),),
    )
    return {name: (type_, not_null, comment) for name, type_, not_null, comment in cursor}


def pg_table_comment(connection, database: str, table: str) -> str:
    full_name = connection.dialect.full_table_name(database, table)
    return connection.query(
        "SELECT obj_description(%s::regclass, 'pg_class')", (full_name,)
    ).fetchone()[0]


def pg_references(connection, database: str, table: str) -> list[tuple[str, str]]:
    """`(referenced table, constraint definition)` of each foreign key of a PostgreSQL table."""
    cursor = connection.query(
        "SELECT confrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        (connection.dialect.full_table_name(database, table),),
    )
    return list(cursor)
