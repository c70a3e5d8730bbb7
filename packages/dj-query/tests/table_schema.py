"""Shared helpers of the table tests: a connection of their own (safemode off) and a small
lab pipeline declared through the real schema decorator (the `schema` fixture is in
conftest.py)."""

from __future__ import annotations

import types

import dj_query as dq
from dj_core.connection import Connection
from dj_core.schemas import Schema
from dj_core.settings import Config


def open_connection(db_params, safemode: bool = False) -> Connection:
    config = Config.independent()
    config["safemode"] = safemode
    return db_params.open_connection(config)


def declare_lab(schema: Schema) -> types.SimpleNamespace:
    """Subject → Session (+ part Trial) → Scan; Rig (Lookup); a renamed FK (Pairing)."""

    @schema
    class Rig(dq.Lookup):
        definition = """
        rig : varchar(8)
        ---
        room = "" : varchar(16)
        """
        contents = [("r1", "A"), ("r2", "B")]

    @schema
    class Subject(dq.Manual):
        definition = """
        # lab animals
        subject_id : int
        ---
        name : varchar(20)
        weight = null : float
        """

    @schema
    class Session(dq.Manual):
        definition = """
        -> Subject
        session : smallint
        ---
        -> Rig
        note = "" : varchar(40)
        """

        class Trial(dq.Part):
            definition = """
            -> master
            trial : int
            ---
            outcome : varchar(8)
            """

    @schema
    class Scan(dq.Manual):
        definition = """
        -> Session
        scan : int
        ---
        depth = null : double
        """

    @schema
    class Pairing(dq.Manual):
        definition = """
        -> Subject.proj(buddy_id="subject_id")
        -> Subject
        """

    return types.SimpleNamespace(
        Rig=Rig, Subject=Subject, Session=Session, Scan=Scan, Pairing=Pairing
    )


def fill_lab(lab: types.SimpleNamespace) -> None:
    lab.Subject.insert([(1, "ann", 20.5), (2, "bob", None), (3, "cy", 30.0)])
    lab.Session.insert(
        [
            {"subject_id": 1, "session": 1, "rig": "r1"},
            {"subject_id": 1, "session": 2, "rig": "r2"},
            {"subject_id": 2, "session": 1, "rig": "r1"},
        ]
    )
    lab.Session.Trial.insert(
        [(1, 1, t, "hit") for t in range(3)] + [(2, 1, t, "miss") for t in range(2)]
    )
    lab.Scan.insert([(1, 1, 1, 0.5), (1, 2, 1, None), (2, 1, 1, 1.5)])
    lab.Pairing.insert([(2, 1), (3, 1), (1, 3)])


def create_table(
    db_params, connection: Connection, database: str, table: str, definition: str, rows=()
) -> str:
    """Create `database` (a PostgreSQL schema) with one table declared from `definition` by
    the connection's dialect (no tier, no `~log`), insert `rows` as they are (the driver's
    own parameters: uuid values through `dialect.uuid_value`), return its full name."""
    from dj_core.declare import compile_definition

    dialect = connection.dialect
    full_name = dialect.full_table_name(database, table)
    admin = db_params.connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(dialect.create_schema_sql(database))
            for statement in compile_definition(
                full_name, definition, None, dialect=dialect
            ).statements:
                cursor.execute(statement)
            if rows:
                marks = ",".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {full_name} VALUES ({marks})", rows)
    finally:
        admin.close()
    return full_name
