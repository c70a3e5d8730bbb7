"""describe(): definitions read back from the server declare the same table again."""

from __future__ import annotations

import re
import types

import pytest
from dj_core.describe import describe, describe_table, lookup_class_name
from dj_core.heading import Heading
from dj_core.schemas import Schema, declare_table
from dj_core.table_ref import TableRef

DEFINITIONS = [
    ("animal", '# animals\nanimal_id : int  # number\n---\nname = "" : varchar(16)', []),
    ("#rig", "rig : varchar(8)\n---\nroom = null : varchar(8)", []),
    (
        "session",
        """# sessions
        -> Animal
        session : smallint unsigned
        ---
        -> [nullable] Rig
        started = CURRENT_TIMESTAMP : timestamp
        score = 0.5 : double  # quality
        kind = 'a' : enum('a','b')
        index (score)
        unique index (kind, score)
        """,
        ["Animal", "Rig"],
    ),
    (
        "pair",
        "-> Animal.proj(first='animal_id')\n-> Animal.proj(second='animal_id')\n---\n"
        "-> [unique] Rig",
        ["Animal", "Rig"],
    ),
    ("counter", "id : int unsigned auto_increment\n---\nv = null : decimal(6,2)", []),
]


@pytest.fixture
def described(connection, make_database):
    name = make_database()
    Schema(name, connection=connection)
    refs, classes = {}, {}
    for table, definition, _ in DEFINITIONS:
        full = connection.dialect.full_table_name(name, table)
        declare_table(connection, full, definition, refs)
        class_name = table.strip("#").title()
        refs[class_name] = TableRef(connection, full)
        classes[class_name] = type(class_name, (), {"full_table_name": full})
    return connection, name, refs, classes


def test_round_trip(described, make_database):
    """Declaring the described text gives the same table on the server."""
    connection, name, _refs, classes = described
    copy = make_database("copy")
    Schema(copy, connection=connection)
    copy_refs = {}
    for table, _, _ in DEFINITIONS:
        text = describe_table(
            TableRef(connection, connection.dialect.full_table_name(name, table)), classes
        )
        full = connection.dialect.full_table_name(copy, table)
        declare_table(connection, full, text, copy_refs)
        copy_refs[table.strip("#").title()] = TableRef(connection, full)
        assert _create(connection, copy, table) == _create(connection, name, table), text


def _create(connection, database, table):
    """The table as the server has it: MySQL's SHOW CREATE TABLE; on PostgreSQL (which
    has no such statement) the heading, the indexes and the foreign keys read back."""
    if connection.dialect.name == "mysql":
        full = connection.dialect.full_table_name(database, table)
        sql = connection.query(f"SHOW CREATE TABLE {full}").fetchone()[1]
        return re.sub(r"CONSTRAINT `[^`]+` ", "", sql).replace(database, "DB")
    heading = Heading.from_table(connection, database, table)
    attributes = [
        a.todict() | {"database": None, "adapter": None} for a in heading.attributes.values()
    ]
    keys = sorted(
        (row["column"], str(row["ref_table"]), str(row["ref_column"]))
        for row in connection.dialect.key_catalog(connection, [database])
        if row["table"] == table
    )
    return attributes, heading.indexes, heading.table_status["comment"], keys


def test_text_of_foreign_keys_and_indexes(described):
    connection, name, _refs, classes = described
    session = TableRef(connection, connection.dialect.full_table_name(name, "session"))
    text = describe(session.heading, session.full_table_name, connection.dependencies, classes)
    assert text.splitlines() == [
        "# sessions",
        "-> Animal",
        "session              : smallint unsigned",
        "---",
        "-> [nullable] Rig",
        "started=CURRENT_TIMESTAMP : timestamp",
        "score=0.5            : double                       # quality",
        "kind=\"a\"             : enum('a','b')",
        "UNIQUE INDEX (kind, score)",  # the server keeps unique indexes first
        "INDEX (score)",
    ]
    pair = TableRef(connection, connection.dialect.full_table_name(name, "pair"))
    lines = describe_table(pair, classes).splitlines()
    assert lines[:2] == ['-> Animal.proj(first="animal_id")', '-> Animal.proj(second="animal_id")']
    assert lines[3] == "-> [unique] Rig"
    # without a context the parents are written by their full names
    rig = connection.dialect.full_table_name(name, "#rig")
    assert describe_table(pair).splitlines()[3] == f"-> [unique] {rig}"


def test_lookup_class_name_searches_parts_and_modules():
    class Master:
        full_table_name = "`db`.`master`"

        class Part:
            full_table_name = "`db`.`master__part`"

    module = types.ModuleType("mod")
    module.Inner = type("Inner", (), {"full_table_name": "`db`.`inner`"})
    deep = types.ModuleType("deep")
    deep.mod = module
    context = {"Master": Master, "mod": module, "pkg": deep, "_hidden": Master}
    assert lookup_class_name("`db`.`master`", context) == "Master"
    assert lookup_class_name("`db`.`master__part`", context) == "Master.Part"
    assert lookup_class_name("`db`.`inner`", context) == "mod.Inner"
    assert lookup_class_name("`db`.`inner`", {"pkg": deep}) == "pkg.mod.Inner"
    assert lookup_class_name("`db`.`inner`", {"pkg": deep}, depth=1) is None
    assert lookup_class_name("`db`.`missing`", context) is None


def test_schema_code(described, make_database):
    connection, name, refs, _classes = described
    other = make_database("other")
    Schema(other, connection=connection)
    declare_table(
        connection,
        connection.dialect.full_table_name(other, "#look"),
        "-> Animal\nlook : int",
        {"Animal": refs["Animal"]},
    )
    declare_table(
        connection,
        connection.dialect.full_table_name(other, "#look__part"),
        "-> master\npart : int",
        {"master": TableRef(connection, connection.dialect.full_table_name(other, "#look"))},
    )
    code = Schema(other, connection=connection).code
    assert f'schema = dj.Schema("{other}")' in code
    assert f'vmod0 = dj.VirtualModule("vmod0", "{name}")' in code
    assert "@schema\nclass Look(dj.Lookup):" in code
    assert "    -> vmod0.Animal\n" in code
    assert "    class Part(dj.Part):\n" in code
    assert "        -> Look\n" in code
    compile(code, "schema.py", "exec")  # valid Python
