"""ALTER TABLE clauses for a changed definition, checked on the server."""

from __future__ import annotations

import pytest
from dj_core.alter import alter, alter_table_sql
from dj_core.dialects.postgresql import PostgreSQLDialect
from dj_core.errors import DataJointError, ValueRejectedError
from dj_core.heading import Heading, invalidate
from dj_core.schemas import Schema, declare_table

OLD = """# subjects
subject_id : int
---
notes = "" : varchar(100)
weight : float
age : int
"""

# OLD altered: weight dropped, notes renamed (type and comment changed), age's type
# changed, height added, table comment changed
NEW = """# all subjects
subject_id : int
---
subject_notes = "" : varchar(2048) # {notes} purpose
age : smallint
height = null : float
"""


def test_add_drop_modify_rename_and_comment():
    clauses, stores = alter(NEW, OLD, {})
    assert stores == []
    assert clauses == [
        "DROP `weight`",
        'CHANGE `notes` `subject_notes` varchar(2048) NOT NULL DEFAULT "" '
        'COMMENT "{notes} purpose"',
        "MODIFY `age` smallint NOT NULL",
        "ADD `height` float DEFAULT NULL AFTER `age`",
        'COMMENT="all subjects"',
    ]


def test_reordering_uses_after():
    new = """# subjects
    subject_id : int
    ---
    weight : float
    notes = "" : varchar(100)
    age : int
    """
    clauses, _ = alter(new, OLD, {})
    assert clauses == [
        "MODIFY `weight` float NOT NULL AFTER `subject_id`",
        'MODIFY `notes` varchar(100) NOT NULL DEFAULT "" AFTER `weight`',
        "MODIFY `age` int NOT NULL AFTER `notes`",
    ]


def test_nothing_to_alter():
    assert alter(OLD, OLD, {}) == ([], [])


@pytest.mark.parametrize(
    ("new", "error"),
    [
        ("subject_id : bigint\n---\nnotes = '' : varchar(100)", NotImplementedError),
        ("subject_id : int\n---\nweight : float\nindex(weight)", NotImplementedError),
        ("subject_id : int\n---\na : int # {nope}", DataJointError),
        ("subject_id : int\n---\na : int # {age}\nb : int # {age}", DataJointError),
    ],
)
def test_refused_changes(new, error):
    with pytest.raises(error):
        alter(new, OLD, {})


def test_postgresql_clauses_rename_then_redefine():
    """PostgreSQL spells a change as a RENAME statement, then ALTER COLUMN clauses, then
    COMMENT ON statements; a column is added at the end (no AFTER)."""
    dialect = PostgreSQLDialect()
    clauses, _ = alter(NEW, OLD, {}, dialect)
    sql = alter_table_sql('"db"."subject"', clauses, dialect)
    statements = sql.split(";\n")
    assert statements[0] == ('ALTER TABLE "db"."subject" RENAME COLUMN "notes" TO "subject_notes"')
    body = statements[1]
    assert body.startswith('ALTER TABLE "db"."subject"\n\tDROP COLUMN "weight"')
    assert 'ALTER COLUMN "subject_notes" TYPE varchar(2048)' in body
    assert 'ALTER COLUMN "age" TYPE smallint USING "age"::smallint' in body
    assert 'ADD COLUMN "height" real' in body
    assert "AFTER" not in sql
    assert 'COMMENT ON COLUMN "db"."subject"."subject_notes" IS \'{notes} purpose\'' in statements
    assert 'COMMENT ON TABLE "db"."subject" IS \'all subjects\'' in statements


def _declare_old(connection, make_database):
    name = make_database()
    Schema(name, connection=connection)
    full = connection.dialect.full_table_name(name, "subject")
    declare_table(connection, full, OLD, {})
    return name, full


def _alter_on_server(connection, name, full, new, old):
    dialect = connection.dialect
    clauses, _ = alter(new, old, {}, dialect)
    connection.query(alter_table_sql(full, clauses, dialect))
    invalidate(connection, name, "subject")
    return Heading.from_table(connection, name, "subject")


def test_clauses_run_on_the_server(connection, make_database):
    name, full = _declare_old(connection, make_database)
    connection.query(
        f"INSERT INTO {full} (subject_id, notes, weight, age) VALUES (1, 'first', 60.5, 30)"
    )
    heading = _alter_on_server(connection, name, full, NEW, OLD)
    assert heading.table_status["comment"] == "all subjects"
    assert heading["age"].type == "smallint"
    assert heading["subject_notes"].type == "varchar(2048)"
    assert heading["subject_notes"].comment == "{notes} purpose"
    assert heading["height"].nullable
    # the renamed column kept its value
    row = connection.query(f"SELECT subject_notes, age FROM {full}").fetchone()
    assert tuple(row) == ("first", 30)
    assert heading.names == ["subject_id", "subject_notes", "age", "height"]


def test_added_column_goes_to_the_end_on_postgresql(connection, make_database, backend):
    name, full = _declare_old(connection, make_database)
    new = OLD.replace("---\n", "---\nfirst_added = 0 : int\n")
    heading = _alter_on_server(connection, name, full, new, OLD)
    if backend == "postgresql":
        assert heading.names == ["subject_id", "notes", "weight", "age", "first_added"]
    else:
        assert heading.names == ["subject_id", "first_added", "notes", "weight", "age"]


def test_unsigned_and_enum_checks_follow_a_modify(connection, make_database):
    name, full = _declare_old(connection, make_database)
    new = OLD.replace("age : int", "age : tinyint unsigned  # years").replace(
        "weight : float", "weight : enum('light','heavy')"
    )
    heading = _alter_on_server(connection, name, full, new, OLD)
    assert heading["age"].type == "tinyint unsigned"
    assert heading["age"].comment == "years"
    assert heading["weight"].type == "enum('light','heavy')"
    with pytest.raises(ValueRejectedError):
        connection.query(f"INSERT INTO {full} (subject_id, weight, age) VALUES (1, 'light', 256)")
    with pytest.raises(ValueRejectedError):
        connection.query(f"INSERT INTO {full} (subject_id, weight, age) VALUES (2, 'medium', 3)")
    connection.query(f"INSERT INTO {full} (subject_id, weight, age) VALUES (3, 'heavy', 255)")
    # back to the old definition (emptied: 'heavy' is no float): the checks go with the types
    connection.query(f"DELETE FROM {full}")
    heading = _alter_on_server(connection, name, full, OLD, new)
    assert heading["age"].type == "int"
    connection.query(f"INSERT INTO {full} (subject_id, weight, age) VALUES (4, 1.5, 256)")
