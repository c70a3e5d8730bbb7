"""Planning a change of a declared table to match a new definition.

`alter(definition, old_definition, context, dialect)` compiles both definitions and
returns the clauses of one ALTER statement: only secondary attributes and the table
comment may change. A new column whose comment starts with `{old_name}` renames
`old_name`. The dialect spells every clause. dj-query's `Table.alter` supplies the old
definition (from `describe`), prompts, runs the statement and logs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dj_core.declare import compile_definition
from dj_core.dialects import DIALECTS, Dialect
from dj_core.errors import DataJointError

__all__ = ["alter", "alter_table_sql"]


def alter(
    definition: str,
    old_definition: str,
    context: Mapping[str, Any] | None,
    dialect: Dialect | None = None,
) -> tuple[list[str], list[str]]:
    """(ALTER TABLE clauses, external stores new to the table)."""
    dialect = dialect if dialect is not None else DIALECTS[0]
    placeholder = dialect.full_table_name("db", "t")  # the clauses do not name the table
    new = compile_definition(placeholder, definition, context, dialect=dialect)
    old = compile_definition(placeholder, old_definition, context, dialect=dialect)
    name = dialect.column_name_of
    if new.primary_key != old.primary_key or _key_columns(new, name) != _key_columns(old, name):
        raise NotImplementedError("table.alter cannot alter the primary key (yet).")
    if new.foreign_key_sql != old.foreign_key_sql:
        raise NotImplementedError("table.alter cannot alter foreign keys (yet).")
    if new.index_sql != old.index_sql:
        raise NotImplementedError("table.alter cannot alter indexes (yet).")
    clauses = []
    if new.column_sql != old.column_sql:
        clauses += _column_clauses(new.column_sql, old.column_sql, new.primary_key, dialect)
    if new.table_comment != old.table_comment:
        clauses.append(dialect.alter_comment_clause(new.table_comment))
    stores = [store for store in new.external_stores if store not in old.external_stores]
    return clauses, stores


def _key_columns(declaration: Any, name: Any) -> list[str]:
    key = set(declaration.primary_key)
    return [sql for sql in declaration.column_sql if name(sql) in key]


def alter_table_sql(
    full_table_name: str, clauses: list[str], dialect: Dialect | None = None
) -> str:
    """The statement applying `clauses` to the table."""
    return (dialect if dialect is not None else DIALECTS[0]).alter_table_sql(
        full_table_name, clauses
    )


def _column_clauses(
    new: list[str], old: list[str], primary_key: list[str], dialect: Dialect
) -> list[str]:
    name_of = dialect.column_name_of
    old_by_name = {name_of(sql): sql for sql in old}
    renames: dict[str, str] = {}  # new name → old name
    for sql in new:
        source = dialect.renamed_from(sql)
        if source is not None:
            if source in renames.values():
                raise DataJointError(f"Alter attempted to rename attribute {{{source}}} twice.")
            if source not in old_by_name:
                raise DataJointError(
                    f"Attribute {source} does not exist in the original definition."
                )
            renames[name_of(sql)] = source
    new_names = [name_of(sql) for sql in new]
    dropped = [
        name for name in old_by_name if name not in new_names and name not in renames.values()
    ]
    clauses = [dialect.alter_clause("drop", name=name) for name in dropped]
    # the old column order once drops are applied; each new column says where it lands
    order = [name for name in old_by_name if name not in dropped]
    previous: str | None = None
    for sql, name in zip(new, new_names):
        source = renames.get(name, name)
        if name not in primary_key:
            exists = source in old_by_name and source not in dropped
            moved = previous is not None and (
                not exists
                or order.index(source) == 0
                or order[order.index(source) - 1] != renames.get(previous, previous)
            )
            after = previous if moved else None
            if not exists:
                clauses.append(dialect.alter_clause("add", sql, after=after))
            elif name in renames:
                clauses.append(dialect.alter_clause("change", sql, name=source, after=after))
            elif sql != old_by_name[source] or after:
                clauses.append(dialect.alter_clause("modify", sql, after=after))
        previous = name
    return clauses
