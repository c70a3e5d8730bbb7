"""Full table names: the one codec composing and reading ``database`` + ``table``.

A full table name is the quoted, qualified name a statement uses (`` `db`.`table` `` on
MySQL). Graph nodes, `Table.full_table_name` and foreign-key references all carry that
text, so every package reads it back here instead of with its own pattern. The quoting
belongs to the connection's dialect; where no connection is at hand (a name taken from a
dependency graph), each known dialect is asked whether the text is its form — the forms
differ in their first character, so at most one answers.

Part tables are named ``master__part``: `master_table_name` and `master_of_full_name`
find the master, the one rule every package uses.
"""

from __future__ import annotations

import re

from dj_core.dialects import DIALECTS, Dialect
from dj_core.errors import DataJointError

__all__ = [
    "compose",
    "database_of",
    "is_full_table_name",
    "master_of_full_name",
    "master_table_name",
    "parse",
    "split_full_table_name",
    "unquote",
]

# a part's name: its master's name (any tier prefix but `~`) then `__` and the part's
_PART = re.compile(r"(?P<master>#?\w+)__\w+")


def parse(full_table_name: str) -> tuple[str, str] | None:
    """(database, table), unquoted, or None when the text is not a full table name."""
    for dialect in DIALECTS:
        parsed = dialect.parse_full_table_name(full_table_name)
        if parsed is not None:
            return parsed
    return None


def split_full_table_name(full_table_name: str) -> tuple[str, str]:
    """(database, table), unquoted; `DataJointError` naming the expected form otherwise."""
    parsed = parse(full_table_name)
    if parsed is None:
        return DIALECTS[0].split_full_table_name(full_table_name)  # raises, naming the form
    return parsed


def _dialect_of(full_table_name: str) -> Dialect:
    for dialect in DIALECTS:
        if dialect.parse_full_table_name(full_table_name) is not None:
            return dialect
    raise DataJointError(f"{full_table_name!r} is not a full table name.")


def compose(database: str, table: str, dialect: Dialect | None = None) -> str:
    """The full table name in `dialect`'s quoting (the default dialect's when None)."""
    return (dialect or DIALECTS[0]).full_table_name(database, table)


def is_full_table_name(text: str) -> bool:
    """True for a quoted, qualified table name (not an alias node or a bare name)."""
    return parse(text) is not None


def database_of(full_table_name: str) -> str | None:
    """The database of a full table name, or None for anything else."""
    parsed = parse(full_table_name)
    return parsed[0] if parsed else None


def master_table_name(table_name: str) -> str | None:
    """The master's table name of a part's table name (``#m__p`` → ``#m``), else None."""
    match = _PART.fullmatch(table_name)
    return match["master"] if match else None


def master_of_full_name(full_table_name: str) -> str | None:
    """The master's full name of a part's full name (`` `db`.`m__p` `` → `` `db`.`m` ``),
    in the same quoting; None for a table that is not a part."""
    parsed = parse(full_table_name)
    if parsed is None:
        return None
    master = master_table_name(parsed[1])
    if master is None:
        return None
    return _dialect_of(full_table_name).full_table_name(parsed[0], master)


def unquote(identifier: str) -> str:
    """The name inside a quoted identifier in any dialect's quoting (unquoted text is
    returned as it is)."""
    for dialect in DIALECTS:
        name = dialect.unquote(identifier)
        if name != identifier:
            return name
    return identifier
