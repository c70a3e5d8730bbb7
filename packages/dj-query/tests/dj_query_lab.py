"""The lab database of dj-query's tests: plain-SQL tables and their rows.

The tables mirror the documentation's example schema (Animal, Session, Session.Trial) plus a rig
lookup. Expected results in the tests are computed from these rows in Python,
independently of the query compiler, or by upstream DataJoint 0.14 (the oracle tests).
"""

import datetime
import json

DDL = [
    """CREATE TABLE `{db}`.`animal` (
        animal_id int NOT NULL,
        species varchar(20) NOT NULL,
        born date DEFAULT NULL,
        PRIMARY KEY (animal_id)) COMMENT 'animals'""",
    """CREATE TABLE `{db}`.`session` (
        animal_id int NOT NULL,
        session smallint NOT NULL,
        rig varchar(8) NOT NULL,
        duration float DEFAULT NULL COMMENT 'minutes',
        PRIMARY KEY (animal_id, session),
        FOREIGN KEY (animal_id) REFERENCES `{db}`.`animal` (animal_id))""",
    """CREATE TABLE `{db}`.`session__trial` (
        animal_id int NOT NULL,
        session smallint NOT NULL,
        trial int NOT NULL,
        outcome enum('hit','miss') NOT NULL,
        rt float DEFAULT NULL,
        PRIMARY KEY (animal_id, session, trial),
        FOREIGN KEY (animal_id, session) REFERENCES `{db}`.`session` (animal_id, session))""",
    """CREATE TABLE `{db}`.`#rig` (
        rig varchar(8) NOT NULL,
        room varchar(8) NOT NULL,
        PRIMARY KEY (rig))""",
]

# The same tables in the definition language, for backends whose DDL the dialect writes
# (PostgreSQL): the lab fixture compiles these with dj_core and adds the foreign keys.
DEFINITIONS = {
    "animal": """
    # animals
    animal_id : int
    ---
    species : varchar(20)
    born = null : date
    """,
    "session": """
    animal_id : int
    session : smallint
    ---
    rig : varchar(8)
    duration = null : float   # minutes
    """,
    "session__trial": """
    animal_id : int
    session : smallint
    trial : int
    ---
    outcome : enum('hit','miss')
    rt = null : float
    """,
    "#rig": """
    rig : varchar(8)
    ---
    room : varchar(8)
    """,
}
FOREIGN_KEYS = [
    ("session", ("animal_id",), "animal"),
    ("session__trial", ("animal_id", "session"), "session"),
]

ANIMALS = [
    (1, "mouse", datetime.date(2020, 1, 1)),
    (2, "mouse", datetime.date(2020, 6, 1)),
    (3, "rat", None),
    (4, "rat", datetime.date(2021, 3, 5)),
    (5, "fly", datetime.date(2022, 1, 1)),
]
SESSIONS = [
    (1, 1, "A", 30.0),
    (1, 2, "B", 45.5),
    (2, 1, "A", None),
    (3, 1, "C", 60.0),
    (3, 2, "A", 15.0),
    (3, 3, "B", 20.0),
]
TRIALS = [
    (1, 1, 1, "hit", 0.5),
    (1, 1, 2, "miss", None),
    (1, 2, 1, "hit", 0.25),
    (3, 1, 1, "hit", 0.75),
    (3, 1, 2, "hit", 1.5),
    (3, 1, 3, "miss", 2.0),
    (3, 3, 1, "miss", 0.5),
]
RIGS = [("A", "r1"), ("B", "r1"), ("C", "r2"), ("D", "r3")]

ROWS = {"animal": ANIMALS, "session": SESSIONS, "session__trial": TRIALS, "#rig": RIGS}

# The start of the snippets the oracle tests run in upstream 0.14 (the `upstream` fixture;
# format with db=...): the lab's tables as upstream FreeTables and the operators that
# expressions name, in `names`.
UPSTREAM_NAMES = """
import json
import datajoint as dj
conn = dj.conn()
names = dict(
    Animal=dj.FreeTable(conn, '`{db}`.`animal`'),
    Session=dj.FreeTable(conn, '`{db}`.`session`'),
    Trial=dj.FreeTable(conn, '`{db}`.`session__trial`'),
    Rig=dj.FreeTable(conn, '`{db}`.`#rig`'),
    U=dj.U, Top=dj.Top, AndList=dj.AndList, Not=dj.Not,
)
"""


def count_and_rows(query) -> list:
    """What the oracle tests compare: the count and the rows as sorted JSON texts (the
    upstream snippets compute the same)."""
    rows = query.fetch(as_dict=True)
    return [len(query), sorted(json.dumps(r, default=str, sort_keys=True) for r in rows)]
