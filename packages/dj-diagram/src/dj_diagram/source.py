"""Turning what a user passes to `Diagram(...)` into a dependency graph and a selection.

Duck typing keeps this package below the table classes: a table (class or object) has
`full_table_name`; a schema has `database`; a module (or virtual module) has a `schema`
attribute or holds table classes. The connection comes from `source.connection`, else
`source.schema.connection`, and its `dependencies` graph is reloaded so the diagram shows
the catalog as it is now.
"""

from __future__ import annotations

import inspect
import logging
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
from dj_core.table_names import database_of

from .errors import DiagramError
from .tiers import is_alias

__all__ = ["Resolved", "caller_namespace", "resolve_source", "schema_tables"]

logger = logging.getLogger(__name__)


@dataclass
class Resolved:
    """The graph to copy, the initial selection, and the connection it came from."""

    graph: nx.DiGraph
    nodes: set[str]
    connection: Any


def _table_name(source: Any) -> str | None:
    try:
        name = getattr(source, "full_table_name", None)
    except Exception:  # an undecorated table class raises on this property
        return None
    return name if isinstance(name, str) else None


def _connection_of(source: Any) -> Any:
    for holder in (source, getattr(source, "schema", None)):
        if holder is None:
            continue
        try:
            connection = getattr(holder, "connection", None)
        except Exception:
            connection = None
        if connection is not None:
            return connection
    raise DiagramError(
        f"Could not find database connection in {source!r}: pass a schema, a table "
        "bound to a schema, or a module with a `schema` attribute."
    )


def _load_dependencies(connection: Any, databases: Iterable[str] = ()) -> nx.DiGraph:
    """The connection's graph, reloaded, with `databases` included whether or not they
    are registered as schemas (so plain tables and unregistered schemas can be drawn)."""
    dependencies = getattr(connection, "dependencies", None)
    if dependencies is None:
        raise DiagramError(
            f"The connection {connection!r} has no `dependencies` graph; "
            "a dj_core Connection is needed to draw a Diagram."
        )
    dependencies.load(databases=list(databases))
    return dependencies


def schema_tables(graph: nx.DiGraph, database: str) -> set[str]:
    """Every table node of `graph` that lives in `database`."""
    return {node for node in graph if not is_alias(node) and database_of(node) == database}


def _module_tables(module: types.ModuleType) -> list[Any]:
    return [
        member
        for name, member in vars(module).items()
        if not name.startswith("_") and inspect.isclass(member) and _table_name(member)
    ]


def resolve_source(source: Any) -> Resolved:
    """The dependency graph and the initial selection for `Diagram(source)`."""
    name = _table_name(source)
    if name is not None:
        connection = _connection_of(source)
        database = connection.dialect.split_full_table_name(name)[0]
        graph = _load_dependencies(connection, [database])
        if name not in graph:
            raise DiagramError(
                f"Table {name} is not in the dependency graph: declare it before drawing it."
            )
        return Resolved(graph, {name}, _connection_of(source))
    database = getattr(source, "database", None)
    if database is None and hasattr(source, "database") and hasattr(source, "declare_list"):
        raise DiagramError(
            f"Cannot plot Diagram for {source!r}: the schema is not activated yet; "
            "call schema.activate('database_name') first."
        )
    if isinstance(database, str):
        connection = _connection_of(source)
        graph = _load_dependencies(connection, [database])
        return Resolved(graph, schema_tables(graph, database), connection)
    schema = getattr(source, "schema", None)
    if schema is not None and isinstance(getattr(schema, "database", None), str):
        return resolve_source(schema)
    if isinstance(source, types.ModuleType):
        tables = _module_tables(source)
        if tables:
            connection = _connection_of(tables[0])
            graph = _load_dependencies(connection)
            return Resolved(graph, {_table_name(t) for t in tables} & set(graph), connection)
    raise DiagramError(
        f"Cannot plot Diagram for {source!r}: pass a schema, a table (class or object), "
        "a module with a `schema` attribute, or another Diagram."
    )


def caller_namespace(skip_prefixes: Iterable[str] = ("dj_diagram", "datajoint")) -> dict:
    """The globals merged with the locals of the first frame outside this package.

    Labels are class names as the caller knows them, so the namespace to search is the
    caller's; walking out of our own frames works however deep the call came from
    (`Diagram(...)`, `Diagram.from_sequence`, an operator).
    """
    prefixes = tuple(skip_prefixes)
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not any(module == p or module.startswith(p + ".") for p in prefixes):
            break
        frame = frame.f_back
    if frame is None:
        return {}
    try:
        return {**frame.f_globals, **frame.f_locals}
    finally:
        del frame
