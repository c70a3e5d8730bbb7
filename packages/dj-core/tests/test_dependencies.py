"""The dependency graph: topo_sort on bare graphs, and loading from the server."""

from __future__ import annotations

import networkx as nx
import pytest
from dj_core.dependencies import Dependencies, extract_master, topo_sort
from dj_core.errors import DataJointError
from dj_core.schemas import Schema, declare_table
from dj_core.table_ref import TableRef


def n(name: str, db: str = "a") -> str:
    return f"`{db}`.`{name}`"


def test_topo_sort_spec_vector():
    graph = nx.DiGraph()
    graph.add_edges_from(
        [(n("a"), n("m")), (n("a"), n("z")), (n("m"), n("m__part")), (n("z"), n("m__part"))]
    )
    assert topo_sort(graph) == [n("a"), n("z"), n("m"), n("m__part")]
    assert set(graph.edges) == {
        (n("a"), n("m")),
        (n("a"), n("z")),
        (n("m"), n("m__part")),
        (n("z"), n("m__part")),
    }  # the caller's graph is untouched


def test_topo_sort_collapses_aliases_and_keeps_parts_together():
    graph = nx.DiGraph()
    graph.add_edges_from(
        [
            (n("#m"), n("#m__p2")),
            (n("#m"), n("#m__p1")),
            (n("#m"), n("x")),
            (n("b"), "0"),
            ("0", n("#m__p1")),
            (n("#m__p1"), n("#m__p2")),
        ]
    )
    order = topo_sort(graph)
    assert "0" not in order
    assert order == [n("b"), n("#m"), n("#m__p1"), n("#m__p2"), n("x")]


def test_parts_of_computed_and_imported_masters():
    assert extract_master(n("__rate__unit")) == n("__rate")
    assert extract_master(n("_scan__field")) == n("_scan")
    assert extract_master(n("#look__up")) == n("#look")
    assert extract_master(n("__rate")) is None
    assert extract_master(n("plain")) is None
    assert extract_master(n("m__p", db="my-lab")) == n("m", db="my-lab")


def test_topo_sort_refuses_cycles():
    graph = nx.DiGraph([(n("a"), n("b")), (n("b"), n("a"))])
    with pytest.raises(DataJointError, match="cycle"):
        topo_sort(graph)
    # a part's parent that depends on the master is a cycle too
    graph = nx.DiGraph([(n("m"), n("x")), (n("x"), n("m__p")), (n("m"), n("m__p"))])
    with pytest.raises(DataJointError, match="cycle"):
        topo_sort(graph)


@pytest.fixture
def lab(connection, make_database):
    """Two schemas: `lab` (registered) and `other`, which references it."""
    db = make_database("lab")
    other = make_database("other")
    Schema(db, connection=connection)
    connection.query(connection.dialect.create_schema_sql(other))
    ctx: dict = {}

    def add(name, definition, database=db):
        full = connection.dialect.full_table_name(database, name)
        declare_table(connection, full, definition, ctx)
        ctx[name.strip("#_").title().replace("_", "")] = TableRef(connection, full)
        return full

    tables = dict(
        animal=add("animal", "animal_id : int"),
        rig=add("#rig", "rig : varchar(8)"),
        session=add("session", "-> Animal\nsession : int\n---\n-> [nullable] Rig"),
        scan=add("_scan", "-> Session\nscan : int"),
        field=add("_scan__field", "-> Scan\nfield : int"),
        pair=add(
            "pair",
            "-> Animal.proj(a1='animal_id')\n-> Animal.proj(a2='animal_id')\n---\nw : float",
        ),
        note=add("note", "-> Session\n---\ntext : varchar(10)", other),
    )
    return db, other, tables


def test_load_reads_one_statement(connection, lab, monkeypatch):
    db, _other, t = lab
    calls = []
    original = connection.query
    monkeypatch.setattr(
        connection, "query", lambda *a, **k: calls.append(a[0]) or original(*a, **k)
    )
    graph = connection.dependencies
    graph.load()
    assert len(calls) == 1
    assert graph.nodes[t["session"]]["primary_key"] == {"animal_id", "session"}
    assert "primary_key" not in graph.nodes[t["note"]]  # unregistered schema: no key
    assert graph.has_edge(t["session"], t["note"])  # but reached through its foreign key
    hidden = connection.dialect.full_table_name(db, "~")[:-1]  # "db"."~ without the end
    assert not any(name.startswith(hidden) for name in graph.nodes)


def test_edges_and_aliases(connection, lab):
    _db, _other, t = lab
    graph = connection.dependencies
    graph.load()
    assert graph.edges[t["animal"], t["session"]] == dict(
        primary=True, aliased=False, multi=True, attr_map={"animal_id": "animal_id"}
    )
    assert graph.edges[t["rig"], t["session"]]["primary"] is False
    assert graph.edges[t["session"], t["scan"]]["multi"] is True
    assert graph.edges[t["scan"], t["field"]]["multi"] is True
    aliases = sorted(graph.children(t["animal"]).keys() - {t["session"]})
    assert aliases == ["0", "1"]
    attr_maps = [graph.edges[a, t["pair"]]["attr_map"] for a in aliases]
    assert sorted(map(str, attr_maps)) == ["{'a1': 'animal_id'}", "{'a2': 'animal_id'}"]
    assert all(graph.edges[t["animal"], a]["aliased"] for a in aliases)
    assert set(graph.parents(t["session"], primary=True)) == {t["animal"]}
    assert set(graph.parents(t["session"], primary=False)) == {t["rig"]}
    assert set(graph.children(t["session"])) == {t["scan"], t["note"]}


def test_descendants_ancestors_and_order(connection, lab):
    db, _other, t = lab
    graph = connection.dependencies
    descendants = graph.descendants(t["session"])
    assert descendants[0] == t["session"]
    assert set(descendants) == {t["session"], t["scan"], t["field"], t["note"]}
    assert descendants.index(t["scan"]) < descendants.index(t["field"])
    ancestors = graph.ancestors(t["field"])
    assert ancestors[:3] == [t["field"], t["scan"], t["session"]]
    assert set(ancestors[3:]) == {t["animal"], t["rig"]}
    order = graph.topo_sort()
    assert order.index(t["animal"]) < order.index(t["pair"])
    tables = Schema(db, connection=connection).list_tables()
    assert set(tables) == {"animal", "#rig", "session", "_scan", "_scan__field", "pair"}
    assert tables.index("_scan__field") == tables.index("_scan") + 1
    assert tables.index("session") < tables.index("_scan")


def test_cleared_on_declare_and_register(connection, lab):
    db, other, t = lab
    graph = connection.dependencies
    graph.load()
    assert len(graph) > 0
    extra = connection.dialect.full_table_name(db, "extra")
    declare_table(connection, extra, "x : int", {})
    assert len(graph) == 0  # cleared; reloaded lazily
    assert extra in graph.topo_sort()
    Schema(other, connection=connection)
    assert len(graph) == 0  # cleared by register, not yet loaded
    graph.load()
    assert graph.nodes[t["note"]]["primary_key"] == {"animal_id", "session"}


def test_cycles_on_the_server_are_refused(connection, make_database):
    db = make_database()
    Schema(db, connection=connection)
    a, b = (connection.dialect.full_table_name(db, name) for name in "ab")
    declare_table(connection, a, "a : int\n---\nb = null : int", {})
    declare_table(connection, b, "b : int\n---\na = null : int", {})
    connection.query(f"ALTER TABLE {a} ADD FOREIGN KEY (b) REFERENCES {b} (b)")
    connection.query(f"ALTER TABLE {b} ADD FOREIGN KEY (a) REFERENCES {a} (a)")
    graph = Dependencies(connection)
    with pytest.raises(DataJointError, match="acyclic"):
        graph.load()
