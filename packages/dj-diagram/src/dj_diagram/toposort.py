"""Topological order of a dependency graph with masters and parts kept together.

dj-core owns this algorithm (`dj_core.dependencies.topo_sort`, core.md §11); when it is
importable it is used, so the diagram and the cascade agree on one order. The local
version implements the same rules for graphs built without dj-core:

1. alias nodes are collapsed into direct parent → child edges;
2. each parent of a part (other than its master or a sibling part) becomes a parent of
   the master, so the master sorts after everything its parts need;
3. after sorting, every part moves to just after its master.
"""

from __future__ import annotations

import networkx as nx

from .errors import DiagramError
from .tiers import is_alias, master_name

__all__ = ["topo_sort"]


def _local_topo_sort(graph: nx.DiGraph) -> list[str]:
    work = nx.DiGraph()
    work.add_nodes_from(node for node in graph if not is_alias(node))
    for parent, child in graph.edges():
        if is_alias(parent) or is_alias(child):
            continue
        work.add_edge(parent, child)
    for alias in (node for node in graph if is_alias(node)):
        for parent in graph.predecessors(alias):
            for child in graph.successors(alias):
                if not is_alias(parent) and not is_alias(child):
                    work.add_edge(parent, child)
    masters = {node: master_name(node) for node in work}
    for part, master in masters.items():
        if master is None or master not in work:
            continue
        for parent in list(work.predecessors(part)):
            if parent != master and masters.get(parent) != master:
                work.add_edge(parent, master)
    try:
        order = list(nx.lexicographical_topological_sort(work))
    except nx.NetworkXUnfeasible as error:
        raise DiagramError(
            "The dependency graph has a cycle; DataJoint supports only acyclic foreign keys."
        ) from error
    # keep each master's parts right after it, in their sorted order
    parts_of: dict[str, list[str]] = {}
    for node in order:
        master = masters.get(node)
        if master is not None and master in work:
            parts_of.setdefault(master, []).append(node)
    result: list[str] = []
    for node in order:
        master = masters.get(node)
        if master is not None and master in work:
            continue
        result.append(node)
        result.extend(parts_of.get(node, ()))
    return result


def topo_sort(graph: nx.DiGraph) -> list[str]:
    """Table names of `graph` in dependency order, parts right after their masters."""
    try:
        from dj_core.dependencies import topo_sort as core_topo_sort
    except ImportError:
        return _local_topo_sort(graph)
    return list(core_topo_sort(graph))
