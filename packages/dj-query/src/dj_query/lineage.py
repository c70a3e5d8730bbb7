"""A table's place in the dependency graph: parents, children, ancestors, descendants,
parts, and its size on disk.

All answers come from `connection.dependencies` (dj-core), which holds alias nodes for
renamed foreign keys; these helpers replace an alias node by the real table on its
other side, so a table referenced twice is listed twice.
"""

from __future__ import annotations

from typing import Any

from dj_core.table_names import parse

__all__ = ["ancestors", "descendants", "neighbours", "parts", "table_size"]


def _graph(table: Any) -> Any:
    # the table's own database is loaded too: it may be one no Schema registered
    graph = table.connection.dependencies
    graph.load(force=False, databases=[table.database])
    return graph


def _objects(table: Any, names: list[str]) -> list[Any]:
    return [table._relative(name) for name in names]


def neighbours(
    table: Any, direction: str, primary: bool | None, as_objects: bool, foreign_key_info: bool
) -> list[Any]:
    """`parents` or `children` of `table`, alias nodes resolved."""
    graph = _graph(table)
    name = table.full_table_name
    if name not in graph:
        return []
    found = getattr(graph, direction)(name, primary)
    result = []
    for node, props in found.items():
        if node.isdigit():
            step = graph.in_edges if direction == "parents" else graph.out_edges
            ends = step(node)
            node = next(iter(ends))[0 if direction == "parents" else 1]
        result.append((node, props))
    if as_objects:
        objects = _objects(table, [node for node, _ in result])
        result = [(obj, props) for obj, (_, props) in zip(objects, result)]
    return result if foreign_key_info else [node for node, _ in result]


def descendants(table: Any, as_objects: bool = False) -> list[Any]:
    graph = _graph(table)
    name = table.full_table_name
    names = [n for n in graph.descendants(name) if not n.isdigit()] if name in graph else [name]
    return _objects(table, names) if as_objects else names


def ancestors(table: Any, as_objects: bool = False) -> list[Any]:
    graph = _graph(table)
    name = table.full_table_name
    names = [n for n in graph.ancestors(name) if not n.isdigit()] if name in graph else [name]
    return _objects(table, names) if as_objects else names


def parts(table: Any, as_objects: bool = False) -> list[Any]:
    graph = _graph(table)
    database, prefix = table.database, table.table_name + "__"
    names = [
        node
        for node in graph.topo_sort()
        if (parsed := parse(node)) is not None
        and parsed[0] == database
        and parsed[1].startswith(prefix)
    ]
    return _objects(table, names) if as_objects else names


def table_size(table: Any) -> int:
    """Data and index bytes of the table (0 when it does not exist)."""
    connection = table.connection
    return connection.dialect.table_size(connection, table.database, table.table_name)
