"""DDL for changing a declared table to match a new definition (core.md §12.7).

`alter(definition, old_definition, context)` compiles both definitions and returns the
clauses of one `ALTER TABLE` statement: only secondary attributes and the table comment
may change. A new column whose comment starts with `{old_name}` renames `old_name`.
dj-query's `Table.alter` supplies the old definition (from `describe`), prompts, runs
the statement and logs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dj_core.declare import compile_definition
from dj_core.errors import DataJointError

__all__ = ["alter", "alter_table_sql"]

_NAME = re.compile(r"^`(?P<name>\w+)`")
_RENAMED_FROM = re.compile(r'COMMENT "\{\s*(?P<name>\w+)\s*\}')


def alter(
    definition: str, old_definition: str, context: Mapping[str, Any] | None
) -> tuple[list[str], list[str]]:
    """(ALTER TABLE clauses, external stores new to the table)."""
    new = compile_definition("`db`.`t`", definition, context)
    old = compile_definition("`db`.`t`", old_definition, context)
    if new.primary_key != old.primary_key or _key_columns(new) != _key_columns(old):
        raise NotImplementedError("table.alter cannot alter the primary key (yet).")
    if new.foreign_key_sql != old.foreign_key_sql:
        raise NotImplementedError("table.alter cannot alter foreign keys (yet).")
    if new.index_sql != old.index_sql:
        raise NotImplementedError("table.alter cannot alter indexes (yet).")
    clauses = []
    if new.column_sql != old.column_sql:
        clauses += _column_clauses(new.column_sql, old.column_sql, new.primary_key)
    if new.table_comment != old.table_comment:
        comment = new.table_comment.replace("\\", "\\\\").replace('"', '\\"')
        clauses.append(f'COMMENT="{comment}"')
    stores = [store for store in new.external_stores if store not in old.external_stores]
    return clauses, stores


def _key_columns(declaration: Any) -> list[str]:
    key = set(declaration.primary_key)
    return [sql for sql in declaration.column_sql if _name(sql) in key]


def alter_table_sql(full_table_name: str, clauses: list[str]) -> str:
    """The statement applying `clauses` to the table."""
    return f"ALTER TABLE {full_table_name}\n\t" + ",\n\t".join(clauses)


def _name(column_sql: str) -> str:
    match = _NAME.match(column_sql)
    assert match is not None
    return match["name"]


def _column_clauses(new: list[str], old: list[str], primary_key: list[str]) -> list[str]:
    old_by_name = {_name(sql): sql for sql in old}
    renames: dict[str, str] = {}  # new name → old name
    for sql in new:
        match = _RENAMED_FROM.search(sql)
        if match:
            source = match["name"]
            if source in renames.values():
                raise DataJointError(f"Alter attempted to rename attribute {{{source}}} twice.")
            if source not in old_by_name:
                raise DataJointError(
                    f"Attribute {source} does not exist in the original definition."
                )
            renames[_name(sql)] = source
    new_names = [_name(sql) for sql in new]
    dropped = [
        name for name in old_by_name if name not in new_names and name not in renames.values()
    ]
    clauses = [f"DROP `{name}`" for name in dropped]
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
            after = f" AFTER `{previous}`" if moved and previous is not None else ""
            if not exists:
                clauses.append(f"ADD {sql}{after}")
            elif name in renames:
                clauses.append(f"CHANGE `{source}` {sql}{after}")
            elif sql != old_by_name[source] or after:
                clauses.append(f"MODIFY {sql}{after}")
        previous = name
    return clauses
