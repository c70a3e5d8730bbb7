"""The one place query expressions become SQL text.

`compile_select` renders an expression tree (nested FROM items, predicates, grouping,
ordering) as one SELECT statement; `compile_count` and `compile_exists` wrap it for
`len` and `bool`. Subquery aliases are numbered per statement (`$0`, `$1`, ...), so the
same query always compiles to the same text (snapshot tests and the query cache rely on
it). Identifiers and values go through `_sql`, the seam to the dialect.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from dj_query import _sql
from dj_query.predicate import AllOf, AnyOf, Equals, InQuery, InValues, Negation, SQLText

__all__ = [
    "compile_count",
    "compile_exists",
    "compile_first",
    "compile_select",
    "compile_where",
    "order_by_clause",
]


class _Statement:
    """Per-statement state: the dialect (identifiers, literals) and the alias counter."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self._aliases = itertools.count()

    def alias(self) -> str:
        return self.quote(f"${next(self._aliases):x}")

    def quote(self, name: str) -> str:
        """A quoted identifier, `%`-escaped for the driver's interpolation."""
        return _sql.escape_percent(self.dialect.quote(name))

    def literal(self, value: Any) -> str:
        """An escaped SQL literal for `value` (the dialect's, `%` doubled)."""
        return self.dialect.value_literal(value)

    def limit(self, limit: int | None, offset: int | None = None) -> str:
        """The dialect's LIMIT/OFFSET suffix."""
        return self.dialect.offset_sql(limit, offset)


def compile_select(expr: Any, fields: list[str] | None = None) -> str:
    """The SELECT statement of `expr`, optionally narrowed to `fields`."""
    return _select(expr, fields, _Statement(expr.connection))


def compile_first(expr: Any, count: int) -> str:
    """At most `count` rows of `expr`, in no particular order (fetch1 needs two)."""
    statement = _Statement(expr.connection)
    sql = _select(expr, None, statement)
    if expr._top is not None:
        sql = f"SELECT * FROM ({sql}) as {statement.alias()}"
    return sql + statement.limit(count)


def compile_count(expr: Any) -> str:
    """`SELECT count(*)` of the rows of `expr`."""
    statement = _Statement(expr.connection)
    if expr._kind == "select" and expr._top is None and not expr._distinct:
        return "SELECT count(*)" + _from_where(expr, statement)
    return f"SELECT count(*) FROM ({_select(expr, None, statement)}) as {statement.alias()}"


def compile_exists(expr: Any) -> str:
    """`SELECT EXISTS(...)`: whether `expr` has any row (Top, grouping and unions included)."""
    statement = _Statement(expr.connection)
    if expr._kind == "select" and expr._top is None:
        return "SELECT EXISTS(SELECT 1" + _from_where(expr, statement) + ")"
    return f"SELECT EXISTS({_select(expr, None, statement)})"


def compile_where(expr: Any) -> str:
    """` WHERE ...` of a plain restricted table ("" when unrestricted): for DELETE/UPDATE."""
    return _where(expr._restriction, _Statement(expr.connection))


# --- SELECT ------------------------------------------------------------------------------


def _select(expr: Any, fields: list[str] | None, statement: _Statement) -> str:
    names = list(expr.heading.names) if fields is None else list(fields)
    if fields is not None and (expr._kind != "select" or expr._top is not None):
        # narrowing a grouped, united or limited query (or using it in IN (...), where
        # the server refuses LIMIT): select from it as a subquery
        inner = _select(expr, None, statement)
        return f"SELECT {_field_list(names, None, statement)} FROM ({inner}) as {statement.alias()}"
    if expr._kind == "union":
        return _union(expr, names, statement) + _top_clause(expr, statement)
    heading = expr.heading
    if expr._kind == "aggregation":
        distinct = set(heading.names) == set(heading.primary_key)
        sql = (
            f"SELECT {'DISTINCT ' if distinct else ''}{_field_list(names, heading, statement)}"
            f" FROM {_from(expr, statement)}{_where(expr._where, statement)}"
            f"{_group_by(expr, statement)}"
        )
        if expr._restriction and not statement.dialect.having_sees_aliases:
            # conditions on the aggregates name their aliases: restrict from outside
            fields = _field_list(names, None, statement)
            sql = f"SELECT {fields} FROM ({sql}) as {statement.alias()}" + _where(
                expr._restriction, statement
            )
        else:
            sql += _having(expr, statement)
    else:
        sql = (
            f"SELECT {'DISTINCT ' if expr._distinct else ''}{_field_list(names, heading, statement)}"
            + _from_where(expr, statement)
        )
    return sql + _top_clause(expr, statement)


def _field_list(names: list[str], heading: Any, statement: _Statement) -> str:
    if not names:
        return "1"  # an empty heading (e.g. dj.U() & q) still selects rows
    attributes = None if heading is None else heading.attributes  # built once per call
    items = []
    for name in names:
        expression = None if attributes is None else attributes[name].attribute_expression
        if expression is None:
            items.append(statement.quote(name))
        else:
            items.append(f"{expression} as {statement.quote(name)}")
    return ",".join(items)


def _from_where(expr: Any, statement: _Statement) -> str:
    return f" FROM {_from(expr, statement)}{_where(expr._restriction, statement)}"


def _from(expr: Any, statement: _Statement) -> str:
    items = []
    for item in expr.support:
        if isinstance(item, str):
            items.append(item)
        else:
            items.append(f"({_select(item, None, statement)}) as {statement.alias()}")
    text = items[0]
    for left, item in zip(expr._left, items[1:]):
        text += (" NATURAL LEFT JOIN " if left else " NATURAL JOIN ") + item
    return text


def _where(predicates: tuple, statement: _Statement) -> str:
    if not predicates:
        return ""
    return " WHERE " + _conjunction(predicates, statement)


def _conjunction(predicates: tuple, statement: _Statement) -> str:
    return " AND ".join(f"({render_predicate(p, statement)})" for p in predicates)


def _group_by(expr: Any, statement: _Statement) -> str:
    columns = list(expr._grouping)
    if not columns:
        return ""
    heading = expr.heading
    for name in expr._dependent:
        if name not in columns:
            columns.append(name)
    for attr in heading.attributes.values():
        # selected blob-like columns of the grouped operand (renamed: by source column)
        if attr.attribute_expression is None or _is_column(attr.attribute_expression, statement):
            source = attr.original_name
            if source not in columns and source in expr._dependent_bulky:
                columns.append(source)
    return " GROUP BY " + ",".join(statement.quote(name) for name in columns)


def _is_column(expression: str, statement: _Statement) -> bool:
    """True when an attribute's expression is just a (quoted) column name."""
    return re.fullmatch(statement.dialect.quoted_identifier_pattern(), expression) is not None


def _having(expr: Any, statement: _Statement) -> str:
    if not expr._restriction:
        return ""
    return " HAVING " + _conjunction(expr._restriction, statement)


def _top_clause(expr: Any, statement: _Statement) -> str:
    top = expr._top
    if top is None:
        return ""
    text = order_by_clause(top.order_by, expr.heading.primary_key, statement.quote)
    if top.limit is not None:
        text += statement.limit(top.limit, top.offset)
    return text


def order_by_clause(
    order_by: list[str], primary_key: list[str], quote: Callable[[str], str]
) -> str:
    """` ORDER BY ...` for Top entries (an entry may hold several, comma-separated):
    `KEY`/`KEY ASC`/`KEY DESC` expand to the primary key; every other word is an
    attribute name and is backquoted."""
    parts: list[str] = []
    for entry in (part for text in order_by for part in text.split(",")):
        words = entry.split()
        if not words:
            continue
        if words[0].upper() == "KEY":
            direction = " DESC" if len(words) > 1 and words[1].upper() == "DESC" else ""
            parts.extend(quote(name) + direction for name in primary_key)
            continue
        parts.append(" ".join(w if w.lower() in ("asc", "desc") else quote(w) for w in words))
    return " ORDER BY " + ",".join(parts) if parts else ""


# --- UNION -------------------------------------------------------------------------------


def _union(expr: Any, names: list[str], statement: _Statement) -> str:
    arg1, arg2 = expr.support
    fields = _field_list(names, None, statement)
    if not arg1.heading.secondary_attributes and not arg2.heading.secondary_attributes:
        key = list(arg1.primary_key)
        first = _select(arg1, key, statement)
        second = _select(arg2, key, statement)
        return f"SELECT {fields} FROM (({first}) UNION ({second})) as {statement.alias()}"
    # outer union: the left join gives every key of arg1, arg2's other keys follow with
    # NULL for arg1's secondary attributes; the two parts are disjoint (UNION ALL)
    columns = list(expr.heading.names)
    first = _select(arg1.join(arg2, left=True), columns, statement)
    nulls = {name: "NULL" for name in arg1.heading.secondary_attributes}
    rest = (arg2 - arg1.proj()).proj(..., **nulls)
    second = _select(rest, columns, statement)
    return f"SELECT {fields} FROM (({first}) UNION ALL ({second})) as {statement.alias()}"


# --- predicates --------------------------------------------------------------------------


def render_predicate(predicate: Any, statement: _Statement) -> str:
    """SQL text of a translated condition (or of the constants True/False)."""
    if predicate is True:
        return "TRUE"
    if predicate is False:
        return "FALSE"
    if isinstance(predicate, SQLText):
        return _sql.escape_percent(predicate.text)
    if isinstance(predicate, Equals):
        if predicate.json is not None:
            path = predicate.json
            if predicate.document:
                return _sql.json_document_equals(
                    statement.connection, path.attribute, path.path, predicate.value
                )
            left = _sql.json_value(statement.connection, path.attribute, path.path, path.type)
        else:
            left = statement.quote(predicate.name)
        if predicate.value is None:
            return f"{left} IS NULL"
        return f"{left}={statement.literal(predicate.value)}"
    if isinstance(predicate, AllOf):
        return " AND ".join(f"({render_predicate(p, statement)})" for p in predicate.items)
    if isinstance(predicate, AnyOf):
        return " OR ".join(f"({render_predicate(p, statement)})" for p in predicate.items)
    if isinstance(predicate, Negation):
        return f"NOT ({render_predicate(predicate.item, statement)})"
    if isinstance(predicate, InValues):
        literal = statement.literal
        if len(predicate.columns) == 1:
            values = ",".join(literal(row[0]) for row in predicate.rows)
            return f"{statement.quote(predicate.columns[0])} IN ({values})"
        columns = ",".join(statement.quote(name) for name in predicate.columns)
        rows = ",".join("(" + ",".join(literal(v) for v in row) + ")" for row in predicate.rows)
        return f"({columns}) IN ({rows})"
    if isinstance(predicate, InQuery):
        columns = ",".join(statement.quote(name) for name in predicate.columns)
        subquery = _select(predicate.query, list(predicate.columns), statement)
        return f"({columns}) IN ({subquery})"
    raise TypeError(f"not a predicate: {predicate!r}")
