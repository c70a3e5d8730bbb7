"""ALTER TABLE clauses for a changed definition, checked on the server."""

from __future__ import annotations

import pytest
from dj_core.alter import alter, alter_table_sql
from dj_core.connection import Connection
from dj_core.errors import DataJointError
from dj_core.heading import Heading, invalidate
from dj_core.schemas import Schema, declare_table
from dj_core.settings import Config

pytestmark = pytest.mark.pending_postgresql

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


def test_clauses_run_on_the_server(db_params, make_database):
    connection = Connection(db_params.host, db_params.user, db_params.password, config=Config())
    name = make_database()
    Schema(name, connection=connection)
    full = f"`{name}`.`subject`"
    declare_table(connection, full, OLD, {})
    clauses, _ = alter(NEW, OLD, {})
    connection.query(alter_table_sql(full, clauses))
    invalidate(connection, name, "subject")
    heading = Heading.from_table(connection, name, "subject")
    assert heading.names == ["subject_id", "subject_notes", "age", "height"]
    assert heading.table_status["comment"] == "all subjects"
    assert heading["age"].type == "smallint"
    connection.close()
