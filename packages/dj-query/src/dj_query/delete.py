"""Deleting rows: `delete_quick` (one table) and `delete` (the cascade).

The cascade is computed from the dependency graph, never by trying statements and
reading foreign-key errors. Every table that depends on the restricted one gets a
query for its doomed rows: the rows that reference a doomed row of any of its parents
(renamed foreign keys mapped through their attribute map). The queries are built in
topological order and the DELETEs run in reverse order (children first), all in one
transaction, so each child's query still sees the parent rows it refers to.

With `force_masters`, a master whose parts lose rows through another parent loses
those entities too (with all their parts). Part integrity (unless `force_parts`): a
part may lose rows only together with its master.

With safemode, the per-table counts are shown in the confirmation prompt before
anything is deleted. The prompt is `dj_core.utils.user_choice`, looked up at call
time (tests patch `datajoint.utils.input`).
"""

from __future__ import annotations

import logging
from typing import Any

from dj_core import utils
from dj_core.errors import DataJointError, IntegrityError
from dj_core.heading import is_cached, preload_schema
from dj_core.log_table import log_event

from dj_query.compiler import compile_where
from dj_query.condition import AndList
from dj_query.predicate import AllOf, AnyOf, InQuery, Negation

__all__ = [
    "cascade_plan",
    "delete",
    "delete_quick",
    "delete_sql",
    "dependency_graph",
    "tables_read",
]

logger = logging.getLogger("datajoint")


def delete_sql(expr: Any) -> str:
    """`DELETE` of the rows of a restricted table."""
    name = expr.full_table_name
    if tuple(expr.support) == (name,) and expr._kind == "select" and expr._top is None:
        return f"DELETE FROM {name}{compile_where(expr)}"
    keys = expr.proj().make_sql()
    return expr.connection.dialect.delete_in_sql(name, expr.primary_key, keys)


def delete_quick(table: Any, get_count: bool = False) -> int | None:
    """Delete the table's (restricted) rows; no cascade, no prompt."""
    connection = table.connection
    sql = delete_sql(table)
    count = connection.query(sql).rowcount
    if not connection.in_transaction:
        _log(table, sql)
    return count if get_count else None


def _log(table: Any, sql: str) -> None:
    if not table.table_name.startswith("~"):
        log_event(table.connection, table.database, sql)


# --- the cascade --------------------------------------------------------------------


def dependency_graph(connection: Any, top: str) -> Any:
    """The connection's dependency graph, extended with every database that `top`'s
    descendants live in, registered as a schema on this connection or not."""
    graph = connection.dependencies
    graph.load(force=False, databases=[connection.dialect.split_full_table_name(top)[0]])
    graph.descendants(top)  # reads the catalog of each further database it reaches
    return graph


def _parents(graph: Any, name: str) -> list[tuple[str, dict[str, Any]]]:
    """(real parent, edge properties) of every foreign key of `name`."""
    result = []
    for parent, _, props in graph.in_edges(name, data=True):
        if parent.isdigit():
            parent = next(iter(graph.in_edges(parent)))[0]
        result.append((parent, props))
    return result


def _plain(rows: Any) -> bool:
    """A stored table with WHERE conditions only (no subquery, grouping or limit)."""
    return (
        len(rows.support) == 1
        and isinstance(rows.support[0], str)
        and rows._kind == "select"
        and rows._top is None
        and not rows._distinct
    )


def _reference(parent_rows: Any, props: dict[str, Any]) -> Any:
    """The condition selecting the child rows that reference the parent's doomed rows.

    When the parent's conditions use only foreign-key columns that the child has under
    the same names (and, being part of its primary key, never NULL), the same
    conditions select exactly those child rows, and the server can use the child's key
    index directly; otherwise the parent's doomed keys, renamed to the child's column
    names, restrict the child by a semijoin."""
    attr_map = props["attr_map"]
    same = {child for child, parent in attr_map.items() if child == parent}
    if props["primary"] and _plain(parent_rows) and parent_rows.restriction_attributes <= same:
        return AndList(parent_rows.restriction)
    renames = {child: parent for child, parent in attr_map.items() if child != parent}
    return parent_rows.proj(**renames)


def cascade_plan(table: Any, force_masters: bool = False) -> list[tuple[str, Any]]:
    """(full name, doomed rows) of the table and every dependent table, in topological
    order (the restricted table first); delete in reverse order."""
    from dj_core.dependencies import topo_sort  # networkx, on first use

    connection = table.connection
    top = table.full_table_name
    graph = dependency_graph(connection, top)
    if top not in graph:
        return [(top, table)]
    nodes = {n for n in graph.descendants(top) if not n.isdigit()}
    if force_masters:
        while True:
            masters = {utils.get_master(n) for n in nodes} - {""} - nodes
            masters &= set(graph.nodes)
            if not masters:
                break
            for master in masters:
                nodes |= {n for n in graph.descendants(master) if not n.isdigit()}
    order = [n for n in topo_sort(graph.subgraph(_with_aliases(graph, nodes))) if n in nodes]
    split = connection.dialect.split_full_table_name
    databases = {split(name)[0] for name in order}
    if len(order) > 2:  # one round of catalog queries per schema instead of one per table
        for database in databases:
            if any(not is_cached(connection, database, split(n)[1]) for n in order):
                preload_schema(connection, database)
    order.remove(top)
    order.insert(0, top)
    if tables_read(table) & set(order):
        # the restriction reads a table the cascade empties first (children go first):
        # fix the doomed keys before anything is deleted
        table = table._relative(top) & table.fetch("KEY")
    doomed: dict[str, Any] = {top: table}
    for name in order[1:]:
        conditions = [
            _reference(doomed[parent], props)
            for parent, props in _parents(graph, name)
            if parent in doomed
        ]
        if force_masters:
            conditions += _entities_of_parts(table, graph, name, doomed, order)
        doomed[name] = table._relative(name) ^ conditions
    return [(name, doomed[name]) for name in order]


def tables_read(expr: Any) -> set[str]:
    """Full names of the tables a query reads through its conditions and subqueries
    (conditions written as SQL text are not inspected)."""
    names: set[str] = set()
    for item in expr.support[1:] if _plain(expr) else expr.support:
        names |= {item} if isinstance(item, str) else tables_read(item)
    for predicate in (*expr._restriction, *getattr(expr, "_where", ())):
        names |= _predicate_tables(predicate)
    return names


def _predicate_tables(predicate: Any) -> set[str]:
    if isinstance(predicate, InQuery):
        return {*_support_names(predicate.query), *tables_read(predicate.query)}
    if isinstance(predicate, (AllOf, AnyOf)):
        return set().union(*(_predicate_tables(p) for p in predicate.items))
    if isinstance(predicate, Negation):
        return _predicate_tables(predicate.item)
    return set()


def _support_names(expr: Any) -> set[str]:
    return {item for item in expr.support if isinstance(item, str)}


def _with_aliases(graph: Any, nodes: set[str]) -> set[str]:
    """`nodes` plus the alias nodes between two of them."""
    aliases = {
        n
        for n in graph.nodes
        if n.isdigit()
        and next(iter(graph.in_edges(n)))[0] in nodes
        and next(iter(graph.out_edges(n)))[1] in nodes
    }
    return nodes | aliases


def _entities_of_parts(
    table: Any, graph: Any, master: str, doomed: dict[str, Any], order: list[str]
) -> list[Any]:
    """force_masters: the keys of `master` whose parts lose rows through a parent other
    than the master (and its other parts)."""
    conditions = []
    for part in order:
        if utils.get_master(part) != master:
            continue
        through = [
            _reference(doomed[parent], props)
            for parent, props in _parents(graph, part)
            if parent in doomed and parent != master and utils.get_master(parent) != master
        ]
        if through:
            # fetched now: the part's rows are deleted before the master's
            entities = table._relative(master) ^ (table._relative(part) ^ through).proj()
            conditions.append(entities.fetch("KEY"))
    return conditions


def delete(
    table: Any,
    *,
    transaction: bool = True,
    safemode: bool | None = None,
    force_parts: bool = False,
    force_masters: bool = False,
) -> int:
    """Delete the rows of `table` and all rows depending on them; returns the number of
    rows deleted from `table` itself."""
    connection = table.connection
    if safemode is None:
        safemode = bool(connection.config.get("safemode", True))
    if transaction and connection.in_transaction:
        if safemode:
            raise DataJointError(
                "Delete cannot use a transaction within an ongoing transaction: set "
                "transaction=False or safemode=False."
            )
        transaction = False
    plan = cascade_plan(table, force_masters)
    top = plan[0][0]
    if transaction:
        connection.start_transaction()
    try:
        if safemode and transaction:
            counts = {name: len(rows) for name, rows in plan}
            _check_parts(plan, counts, top, force_parts)
            if counts[top] == 0:
                logger.warning("Nothing to delete.")
                connection.cancel_transaction()
                return 0
            listing = "\n".join(
                f"  {name}: {count} row{'s' if count != 1 else ''}"
                for name, count in counts.items()
                if count
            )
            answer = utils.user_choice(
                f"About to delete:\n{listing}\nCommit deletes?", default="no"
            )
            if answer != "yes":
                connection.cancel_transaction()
                logger.info("Delete cancelled.")
                return counts[top]
            deleted, statements = _run(connection, plan, {n for n, c in counts.items() if c})
        else:
            deleted, statements = _run(connection, plan, None)
            _check_parts(plan, deleted, top, force_parts)
        if transaction:
            connection.commit_transaction()
    except BaseException:
        if transaction and connection.in_transaction:
            connection.cancel_transaction()
        raise
    if transaction:
        for name, sql in statements:
            if deleted[name]:
                _log(table._relative(name), sql)
    return deleted[top]


def _run(
    connection: Any, plan: list[tuple[str, Any]], only: set[str] | None
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Run the DELETEs, children first: (rows deleted per table, statements run)."""
    deleted, statements = {}, []
    for name, rows in reversed(plan):
        if only is not None and name not in only:
            deleted[name] = 0
            continue
        sql = delete_sql(rows)
        statements.append((name, sql))
        try:
            deleted[name] = connection.query(sql).rowcount
        except IntegrityError as error:
            raise DataJointError(
                f"Cannot delete from {name}: rows of a table that the dependency graph does "
                f"not show still reference them ({error.args[0] if error.args else error}). "
                "Nothing was deleted. Grant SELECT (or REFERENCES) on the referencing table, "
                "or delete its rows first."
            ) from error
    return deleted, statements


def _check_parts(
    plan: list[tuple[str, Any]], counts: dict[str, int], top: str, force_parts: bool
) -> None:
    if force_parts:
        return
    hit = {name for name, count in counts.items() if count} | {top}
    for name, _ in plan:
        master = utils.get_master(name)
        if master and name in hit and master not in hit:
            raise DataJointError(
                f"Attempt to delete part table {name} before deleting from its master "
                f"{master} first: delete from the master, or use force_parts=True "
                "(or force_masters=True to delete the whole master entities)."
            )
