"""The dependency graph of the tables of a connection's schemas.

Nodes are full table names (`` `db`.`tbl` ``) with the attribute `primary_key`; an edge
parent → child per foreign key carries `primary`, `aliased`, `multi` and `attr_map`. A
foreign key that renames columns goes through an *alias node* named "0", "1", … so
that two renamed references to the same parent stay two edges. Hidden `~` tables are
not nodes. The whole graph is read with one catalog query per set of schemas.

`topo_sort` orders any such graph (also a bare `networkx.DiGraph`) so that masters come
after everything their parts depend on and each part follows its master directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from dj_core.dialects import DIALECTS
from dj_core.errors import DataJointError
from dj_core.table_names import database_of, master_of_full_name

__all__ = ["Dependencies", "extract_master", "topo_sort", "unite_master_parts"]


def extract_master(part_table: str) -> str | None:
    """The master's full name of a part's full name (`` `db`.`m__p` `` → `` `db`.`m` ``)."""
    return master_of_full_name(part_table)


def unite_master_parts(order: list[str]) -> list[str]:
    """Move every part to just after its master, keeping the parts' own order: walking
    from the end, each part not yet placed is moved next to its master."""
    order = list(order)
    placed: set[str] = set()
    pos = len(order) - 1
    while pos > 0:
        part = order[pos]
        master = extract_master(part)
        if master is None or part in placed or master not in order[:pos]:
            pos -= 1
            continue
        placed.add(part)
        del order[pos]
        order.insert(order.index(master) + 1, part)
        # the name that preceded the part now sits at `pos`: examine it next
    return order


def topo_sort(graph: nx.DiGraph) -> list[str]:
    """Topological order of the graph's tables, with DataJoint's part/master rules.

    1. alias nodes are collapsed into direct parent → child edges;
    2. each parent of a part that is neither its master nor another part of the same
       master also becomes a parent of the master;
    3. after sorting, each part is moved to just after its master.
    """
    graph = nx.DiGraph(graph)  # a copy: the caller's graph is not touched
    for alias in [node for node in graph if str(node).isdigit()]:
        for parent in list(graph.predecessors(alias)):
            for child in list(graph.successors(alias)):
                graph.add_edge(parent, child)
        graph.remove_node(alias)
    for part in list(graph.nodes):
        master = extract_master(part)
        if master is None or master not in graph:
            continue
        for parent in list(graph.predecessors(part)):
            if parent != master and extract_master(parent) != master:
                graph.add_edge(parent, master)
    try:
        order = list(nx.lexicographical_topological_sort(graph))
    except nx.NetworkXUnfeasible:
        raise DataJointError(
            "The dependency graph has a cycle; DataJoint supports only acyclic "
            "dependencies between tables (including through parts and their masters)."
        ) from None
    return unite_master_parts(order)


class Dependencies(nx.DiGraph):
    """The dependency graph of `connection`'s schemas (`connection.dependencies`).

    Covers the registered schemas plus any other database asked about: `load(databases=
    [...])` adds databases explicitly, and `parents`, `children`, `descendants` and
    `ancestors` add the database of the table they are asked about (and, for
    descendants and ancestors, of every table reached), so plain MySQL tables that no
    `Schema` registered have their foreign keys too. Each (re)load reads the whole set
    of databases in one catalog query.

    Loaded lazily on first query, or explicitly with `load()`; `clear()` forgets the
    graph (called when a schema is registered or a table declared) but not which
    databases it covers.
    """

    def __init__(self, connection: Any = None, dialect: Any = None):
        """`dialect` names the tables of a graph built without a connection (dj-query's
        cascade builds one over catalog rows it read); a connection's own dialect wins."""
        self._conn = connection
        self._dialect = dialect
        self._loaded = False
        self._extra: set[str] = set()  # databases asked about beyond the registered schemas
        self._covered: frozenset[str] = frozenset()  # the databases of the loaded graph
        super().__init__()

    def clear(self) -> None:
        self._loaded = False
        self._covered = frozenset()
        super().clear()

    @property
    def databases(self) -> frozenset[str]:
        """The databases whose tables the loaded graph holds."""
        return self._covered

    def _wanted(self, databases: Iterable[str] = ()) -> set[str]:
        registered = set(self._conn.schemas) if self._conn is not None else set()
        return registered | self._extra | set(databases)

    def load(self, force: bool = True, databases: Iterable[str] | None = None) -> None:
        """Read the graph of the registered schemas, of the databases added before, and of
        `databases` (names of further databases to include) from the catalog, in one
        query. With `force=False` nothing is read when the loaded graph already covers
        them all."""
        databases = [] if databases is None else list(databases)
        if self._conn is None:  # a graph built by hand (`_build`): nothing to read
            return
        self._extra.update(databases)
        wanted = self._wanted()
        if self._loaded and not force and wanted <= self._covered:
            return
        self.clear()
        rows = self._conn.dialect.key_catalog(self._conn, sorted(wanted)) if wanted else []
        self._build(rows, wanted)
        self._loaded = True

    def _build(self, rows: Iterable[dict[str, Any]], databases: set[str]) -> None:
        """Nodes and edges from `key_catalog` rows; nodes with their primary key for the
        tables of `databases`."""
        self._covered = frozenset(databases)
        dialect = self._conn.dialect if self._conn is not None else self._dialect
        quote = (dialect if dialect is not None else DIALECTS[0]).full_table_name
        primary_keys: dict[str, set[str]] = {}
        foreign_keys: dict[tuple[str, str, str], dict[str, str]] = {}
        for row in rows:
            if row["constraint"] == "PRIMARY":
                if row["database"] in databases and not row["table"].startswith("~"):
                    name = quote(row["database"], row["table"])
                    primary_keys.setdefault(name, set()).add(row["column"])
            elif row["ref_table"] is not None and not row["ref_table"].startswith("~"):
                if row["table"].startswith("~"):
                    continue
                child = quote(row["database"], row["table"])
                parent = quote(row["ref_database"], row["ref_table"])
                key = (f"{row['database']}.{row['constraint']}", child, parent)
                foreign_keys.setdefault(key, {})[row["column"]] = row["ref_column"]
        for name, key in primary_keys.items():
            self.add_node(name, primary_key=key)
        alias_count = 0
        for (_, child, parent), attr_map in foreign_keys.items():
            child_key = primary_keys.get(child, set())
            props = dict(
                primary=set(attr_map) <= child_key,
                aliased=any(k != v for k, v in attr_map.items()),
                multi=set(attr_map) != child_key,
                attr_map=attr_map,
            )
            if props["aliased"]:
                alias = str(alias_count)
                alias_count += 1
                self.add_edge(parent, alias, **props)
                self.add_edge(alias, child, **props)
            else:
                self.add_edge(parent, child, **props)
        if not nx.is_directed_acyclic_graph(self):
            raise DataJointError(
                "DataJoint can only work with acyclic dependencies, but the foreign keys "
                "of the registered schemas form a cycle."
            )

    def _ensure(self, *table_names: str) -> None:
        """Load the graph if needed, covering the databases of `table_names` too."""
        if self._conn is None:
            return
        wanted = self._wanted(_databases_of(table_names))
        if not self._loaded or not wanted <= self._covered:
            self.load(databases=wanted - self._wanted())

    def _ensure_closure(self, table_name: str, reach: Any) -> set[str]:
        """The tables `reach(table)` finds, after loading every database they lie in (one
        catalog query per round; a round is needed only when the reached tables enter a
        database the graph did not cover yet)."""
        self._ensure(table_name)
        while True:
            found = reach(self, table_name) if table_name in self else set()
            missing = _databases_of(found) - self._covered
            if not missing or self._conn is None:
                return found
            self.load(databases=missing)

    def topo_sort(self) -> list[str]:
        self._ensure()
        return topo_sort(self)

    def parents(self, table_name: str, primary: bool | None = None) -> dict[str, dict]:
        """Parent nodes (alias nodes included) → edge properties; `primary` filters."""
        self._ensure(table_name)
        if table_name not in self:
            return {}
        return {
            parent: props
            for parent, _, props in self.in_edges(table_name, data=True)
            if primary is None or props["primary"] == primary
        }

    def children(self, table_name: str, primary: bool | None = None) -> dict[str, dict]:
        """Child nodes (alias nodes included) → edge properties; `primary` filters. The
        children's databases are loaded too: an edge's `primary` and `multi` need the
        child's primary key."""
        self._ensure_closure(table_name, _children_reached)
        if table_name not in self:
            return {}
        return {
            child: props
            for _, child, props in self.out_edges(table_name, data=True)
            if primary is None or props["primary"] == primary
        }

    def descendants(self, full_table_name: str) -> list[str]:
        """The table, then all its descendants in topological order (across databases)."""
        found = self._ensure_closure(full_table_name, nx.descendants)
        return [full_table_name, *topo_sort(self.subgraph(found))]

    def ancestors(self, full_table_name: str) -> list[str]:
        """The table, then its ancestors from nearest to farthest (reverse topological)."""
        found = self._ensure_closure(full_table_name, nx.ancestors)
        return list(reversed([*topo_sort(self.subgraph(found)), full_table_name]))


def _children_reached(graph: nx.DiGraph, table_name: str) -> set[str]:
    """The children of a table, through alias nodes."""
    found = set()
    for child in graph.successors(table_name):
        found.update(graph.successors(child) if child.isdigit() else (child,))
    return found


def _databases_of(table_names: Iterable[str]) -> set[str]:
    """The databases of full table names (alias nodes and other names skipped)."""
    databases = set()
    for name in table_names:
        database = database_of(name)
        if database is not None:
            databases.add(database)
    return databases
