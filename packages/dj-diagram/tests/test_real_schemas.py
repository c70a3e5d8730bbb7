"""Diagrams of schemas declared on the real server through dj-core (Schema, the definition
language, the catalog-loaded dependency graph)."""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET

import dj_diagram as dj
import pytest
from dj_core.connection import Connection
from dj_core.schemas import Schema
from dj_core.table_ref import TableRef
from dj_diagram import DiagramError
from dj_diagram_test_svg import NS, check_drawing, parse
from dj_testing.plugin import unique_database_name

DEFINITIONS = [  # (context name, table name, definition)
    ("Species", "#species", "species: varchar(24)"),
    ("LabMember", "lab_member", "username: varchar(16)"),
    ("Subject", "subject", "subject_id: int\n---\n-> Species\n-> [nullable] LabMember"),
    ("Session", "session", "-> Subject\nsession_id: int\n---\n-> LabMember.proj(experimenter='username')"),
    ("Scan", "_scan", "-> Session\nscan_id: int\n---\ndepth: float"),
    ("ScanField", "_scan__field", "-> Scan\nfield_id: int"),
    ("Method", "#method", "method: varchar(12)"),
    ("Segmentation", "__segmentation", "-> Scan\n-> Method\n---\nrun_time: float"),
    ("Mask", "__segmentation__mask", "-> Segmentation\nmask_id: int\n---\n-> ScanField"),
    ("Trace", "__trace", "-> Segmentation"),
    ("Pair", "__pair", "-> Mask.proj(mask_a='mask_id')\n-> Mask.proj(mask_b='mask_id')"),
]  # fmt: skip


def open_connection(db_params) -> Connection:
    return db_params.open_connection()


@pytest.fixture(scope="module")
def connection(db_params):
    """Shared by the tests that only read the `lab` schema."""
    connection = open_connection(db_params)
    yield connection
    connection.close()


@pytest.fixture
def own_connection(db_params):
    """For tests that register more schemas: the shared connection's graph stays as is."""
    connection = open_connection(db_params)
    yield connection
    connection.close()


def declare(schema: Schema, definitions=DEFINITIONS, context=None) -> dict:
    """Declare the tables in order; returns the context of TableRefs by class-like name."""
    context = {} if context is None else context
    for name, table, definition in definitions:
        full = schema.connection.dialect.full_table_name(schema.database, table)
        assert schema.declare_table(full, definition, context)
        context[name] = TableRef(schema.connection, full)
    return context


@pytest.fixture(scope="module")
def lab(connection, db_params, db_admin):
    """Declared once for the module (declaring is the slow part); tests only read it."""
    schema = Schema(unique_database_name("lab"), connection=connection)
    try:
        yield schema, declare(schema)
    finally:
        with db_admin.cursor() as cursor:
            db_params.drop_database(cursor, schema.database)


def full(schema: Schema, table: str) -> str:
    return schema.connection.dialect.full_table_name(schema.database, table)


def test_a_schema_diagram_shows_its_tables_from_the_catalog(lab):
    schema, _ = lab
    d = dj.Diagram(schema)
    assert d.nodes_to_show == {full(schema, table) for _, table, _ in DEFINITIONS}
    graph = d._make_graph()
    assert graph.nodes[full(schema, "__segmentation__mask")]["node_type"] == "Part"
    assert graph.nodes[full(schema, "#method")]["node_type"] == "Lookup"
    aliases = [n for n in graph if n.isdigit()]
    assert len(aliases) == 3  # experimenter, mask_a, mask_b
    session = full(schema, "session")
    assert graph.nodes[session]["distinguished"] is True
    assert graph.nodes[full(schema, "__trace")]["distinguished"] is False
    check_drawing(d)


def test_tables_and_modules_as_sources(lab):
    schema, refs = lab
    assert dj.Diagram(refs["Scan"]).nodes_to_show == {full(schema, "_scan")}
    module = types.ModuleType("pipeline")
    module.schema = schema
    assert dj.Diagram(module).nodes_to_show == dj.Diagram(schema).nodes_to_show

    class Scan:  # a table class as user code has one: bound to a connection
        full_table_name = full(schema, "_scan")
        connection = schema.connection

    class Trace:
        full_table_name = full(schema, "__trace")
        connection = schema.connection

    classes = types.ModuleType("classes")
    classes.Scan, classes.Trace = Scan, Trace
    assert dj.Diagram(classes).nodes_to_show == {full(schema, "_scan"), full(schema, "__trace")}
    assert dj.Diagram.from_sequence([Scan, refs["Session"]]).nodes_to_show == {
        full(schema, "_scan"),
        full(schema, "session"),
    }


def test_algebra_on_the_real_graph(lab):
    schema, refs = lab
    scan = dj.Diagram(refs["Scan"])
    assert (scan + 1).nodes_to_show == {
        full(schema, t) for t in ("_scan", "_scan__field", "__segmentation")
    }
    # two steps up: session, then subject and (through the renamed key's alias) lab_member
    upstream = (scan - 2).nodes_to_show
    aliases = {n for n in upstream if n.isdigit()}
    assert len(aliases) == 1
    assert upstream - aliases == {
        full(schema, t) for t in ("_scan", "session", "subject", "lab_member")
    }
    member = dj.Diagram(refs["LabMember"])
    # subject (a plain reference) and session (renamed: through an alias) in one step
    plus = (member + 1).nodes_to_show
    assert {full(schema, "subject"), full(schema, "session")} <= plus
    assert any(n.isdigit() for n in plus)
    assert dj.Diagram(refs["Segmentation"]).add_parts().nodes_to_show == {
        full(schema, "__segmentation"),
        full(schema, "__segmentation__mask"),
    }
    order = scan.topo_sort()
    assert order.index(full(schema, "_scan")) < order.index(full(schema, "_scan__field"))
    assert order.index(full(schema, "_scan__field")) == order.index(full(schema, "_scan")) + 1
    assert set(order) == dj.Diagram(schema).nodes_to_show


def test_tooltips_come_from_describe_for_classes_in_the_context(lab):
    schema, _ = lab

    class Session:
        full_table_name = full(schema, "session")

    d = dj.Diagram(schema, context={"Session": Session})
    root = ET.fromstring(d.make_svg(engine="builtin").data)
    groups = {g.find("svg:title", NS).text: g for g in root.iterfind(".//svg:g[@class='node']", NS)}
    tooltip = groups["Session"].find("svg:a", NS).get("{http://www.w3.org/1999/xlink}title")
    lines = tooltip.split("\n")
    assert lines[0] == "\u2192 " + full(schema, "subject")
    assert "session_id" in lines
    assert "-" * 30 in lines
    assert any(line.startswith("\u2192") and "experimenter" in line for line in lines)


def test_two_schemas_on_one_connection(own_connection, make_database, lab):
    schema = Schema(lab[0].database, connection=own_connection, create_schema=False)
    refs = {name: TableRef(own_connection, ref.full_table_name) for name, ref in lab[1].items()}
    other = Schema(make_database("analysis"), connection=own_connection)
    context = dict(refs)
    declare(other, [("Summary", "__summary", "-> Session\n---\nscore: float")], context)
    summary = full(other, "__summary")
    d = dj.Diagram(schema)
    assert summary in d and summary not in d.nodes_to_show
    assert summary in (dj.Diagram(refs["Session"]) + 1).nodes_to_show
    both = dj.Diagram(schema) + dj.Diagram(other)
    _, nodes, edges = parse(both.make_svg(engine="builtin").data)
    assert summary in nodes and (full(schema, "session"), summary) in edges


def test_a_new_diagram_reads_tables_declared_since(own_connection, make_database):
    schema = Schema(make_database("growing"), connection=own_connection)
    refs = declare(schema, DEFINITIONS[:3])
    before = dj.Diagram(schema)
    declare(schema, [("Extra", "extra", "-> Subject\nextra_id: int")], dict(refs))
    after = dj.Diagram(schema)
    assert full(schema, "extra") in after.nodes_to_show
    assert full(schema, "extra") not in before
    with pytest.raises(DiagramError, match="not in this diagram's dependency graph"):
        before + full(schema, "extra")


def test_sources_without_a_connection_or_a_name_are_refused(lab):
    schema, _ = lab

    class Unbound:
        full_table_name = full(schema, "_scan")

    with pytest.raises(DiagramError, match="Could not find database connection"):
        dj.Diagram(Unbound)
    with pytest.raises(DiagramError, match="Cannot plot Diagram for 42"):
        dj.Diagram(42)
    with pytest.raises(DiagramError, match="Cannot plot Diagram"):
        dj.Diagram(types.ModuleType("empty"))


def test_a_schema_not_yet_activated_is_refused_with_the_fix():
    with pytest.raises(DiagramError, match=r"not activated yet; call schema.activate"):
        dj.Diagram(Schema())


def test_plain_tables_of_an_unregistered_database_are_drawn(
    own_connection, db_params, db_admin, make_database
):
    """Tables DataJoint never declared, in a database (PostgreSQL: schema) no Schema
    registered."""
    database = make_database("plain")
    q = db_params.quote
    owner, pet_name = f"{q(database)}.{q('owner')}", f"{q(database)}.{q('pet')}"
    create = "CREATE SCHEMA" if db_params.backend == "postgresql" else "CREATE DATABASE"
    with db_admin.cursor() as cursor:
        cursor.execute(f"{create} {q(database)}")
        cursor.execute(f"CREATE TABLE {owner} (owner_id INT PRIMARY KEY)")
        cursor.execute(
            f"CREATE TABLE {pet_name} (id INT, owner_id INT, PRIMARY KEY (id), "
            f"FOREIGN KEY (owner_id) REFERENCES {owner} (owner_id))"
        )
    pet = TableRef(own_connection, pet_name)
    diagram = dj.Diagram(pet) - 1
    assert diagram.nodes_to_show == {pet_name, owner}
    svg = diagram.make_svg(engine="builtin")
    assert "owner" in svg.data and "pet" in svg.data
