"""The dependency graph over databases no Schema registered (plain tables): loaded
on request or when a table of theirs is asked about, one catalog query per load."""

from __future__ import annotations

import pytest
from dj_core.dependencies import Dependencies
from dj_core.schemas import Schema, declare_table


@pytest.fixture
def plain(connection, make_database):
    """Three unregistered databases: x.a ← y.b ← z.c (foreign keys across databases),
    x.a ← x.d (renamed), and a table without keys."""
    x, y, z = (make_database(label) for label in ("x", "y", "z"))
    full = connection.dialect.full_table_name
    for db in (x, y, z):
        connection.query(connection.dialect.create_schema_sql(db))
    statements = [
        f"CREATE TABLE {full(x, 'a')} (id int PRIMARY KEY)",
        f"CREATE TABLE {full(x, 'd')} (d int PRIMARY KEY, ref int NOT NULL, "
        f"FOREIGN KEY (ref) REFERENCES {full(x, 'a')} (id))",
        f"CREATE TABLE {full(x, 'loose')} (v int)",
        f"CREATE TABLE {full(y, 'b')} (id int, k int, PRIMARY KEY (id, k), "
        f"FOREIGN KEY (id) REFERENCES {full(x, 'a')} (id))",
        f"CREATE TABLE {full(z, 'c')} (id int, k int, j int, PRIMARY KEY (id, k, j), "
        f"FOREIGN KEY (id, k) REFERENCES {full(y, 'b')} (id, k))",
    ]
    for sql in statements:
        connection.query(sql)
    return {
        "a": f"{full(x, 'a')}",
        "d": f"{full(x, 'd')}",
        "loose": f"{full(x, 'loose')}",
        "b": f"{full(y, 'b')}",
        "c": f"{full(z, 'c')}",
        "dbs": (x, y, z),
    }


@pytest.fixture
def catalog_queries(connection, monkeypatch):
    """The catalog statements (key_catalog) the dialect sends from now on."""
    calls: list[tuple[str, ...]] = []
    dialect = connection.dialect
    original = dialect.key_catalog

    def recording(conn, databases):
        calls.append(tuple(databases))
        return original(conn, databases)

    monkeypatch.setattr(dialect, "key_catalog", recording)
    return calls


def test_parents_and_children_of_a_table_in_an_unregistered_database(
    connection, plain, catalog_queries
):
    graph = connection.dependencies
    assert connection.schemas == {}
    b = plain["b"]
    assert set(graph.parents(b)) == {plain["a"]}
    assert graph.parents(b)[plain["a"]]["attr_map"] == {"id": "id"}
    assert graph.nodes[b]["primary_key"] == {"id", "k"}
    assert len(catalog_queries) == 1  # b's database, read once
    # children: their databases are read too, for the edges' primary/multi flags
    assert graph.children(b, primary=True) == {
        plain["c"]: dict(primary=True, aliased=False, multi=True, attr_map={"id": "id", "k": "k"})
    }
    assert len(catalog_queries) == 2
    assert plain["dbs"][1] in graph.databases
    assert graph.parents(plain["loose"]) == {} and graph.children(plain["loose"]) == {}
    # the renamed foreign key goes through an alias node, as in registered schemas
    (alias,) = graph.parents(plain["d"])
    assert alias.isdigit() and graph.edges[alias, plain["d"]]["attr_map"] == {"ref": "id"}


def test_descendants_and_ancestors_follow_foreign_keys_into_other_databases(
    connection, plain, catalog_queries
):
    graph = connection.dependencies
    descendants = graph.descendants(plain["a"])
    assert descendants[0] == plain["a"]
    assert {n for n in descendants if not n.isdigit()} == {
        plain["a"],
        plain["b"],
        plain["c"],
        plain["d"],
    }
    assert descendants.index(plain["b"]) < descendants.index(plain["c"])
    assert graph.nodes[plain["c"]]["primary_key"] == {"id", "k", "j"}
    x, y, z = plain["dbs"]
    # a round per newly reached database
    assert [set(databases) for databases in catalog_queries] == [{x}, {x, y}, {x, y, z}]
    assert graph.ancestors(plain["c"]) == [plain["c"], plain["b"], plain["a"]]
    assert set(graph.databases) == set(plain["dbs"])


def test_load_with_databases_reads_them_with_the_registered_schemas_in_one_query(
    connection, plain, make_database, catalog_queries
):
    registered = make_database("reg")
    full = connection.dialect.full_table_name
    Schema(registered, connection=connection)
    declare_table(connection, full(registered, "t"), "t : int", {})
    x, y, _z = plain["dbs"]
    graph = connection.dependencies
    graph.load(databases=[x, y])
    assert catalog_queries[-1] == tuple(sorted([registered, x, y]))
    count = len(catalog_queries)
    graph.load(force=False, databases=[x])  # already covered: nothing read
    graph.parents(plain["b"])
    assert len(catalog_queries) == count
    assert graph.has_edge(plain["a"], plain["b"]) and full(registered, "t") in graph
    # cleared (a declaration): the next load covers the same databases, in one query
    declare_table(connection, full(registered, "u"), "u : int", {})
    assert len(graph) == 0
    graph.topo_sort()
    assert catalog_queries[-1] == tuple(sorted([registered, x, y]))
    assert len(catalog_queries) == count + 1


def test_a_graph_built_by_hand_is_not_reloaded(connection, plain):
    """dj-query's cascade builds one over the catalog rows it read (`_build`)."""
    x, y, _z = plain["dbs"]
    graph = Dependencies(None, dialect=connection.dialect)
    graph._build(connection.dialect.key_catalog(connection, [x, y]), {x, y})
    graph._loaded = True
    assert graph.databases == {x, y}
    assert set(graph.descendants(plain["a"])) >= {plain["a"], plain["b"], plain["c"]}
    assert "primary_key" not in graph.nodes[plain["c"]]  # z was not read
