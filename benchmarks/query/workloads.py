"""The query benchmark's data and workloads, shared by all three implementations.

Tables (plain SQL, created once per run by run.py):
- `scalar`: 100,000 rows — int key, int, double, float (nullable), varchar, date.
- `parent`: 1,000 rows the scalar rows refer to (for the join/aggregation query).
- `blob`: 2,000 rows, each a 10,000-element float64 array serialized with the blob codec.
"""

from __future__ import annotations

N_SCALAR = 100_000
N_PARENT = 1_000
N_BLOB = 2_000
BLOB_SIZE = 10_000

DDL = [
    """CREATE TABLE `{db}`.`parent` (
        parent_id int NOT NULL,
        grp varchar(8) NOT NULL,
        PRIMARY KEY (parent_id))""",
    """CREATE TABLE `{db}`.`scalar` (
        id int NOT NULL,
        parent_id int NOT NULL,
        value double NOT NULL,
        score float DEFAULT NULL,
        label varchar(16) NOT NULL,
        day date NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY (parent_id) REFERENCES `{db}`.`parent` (parent_id))""",
    """CREATE TABLE `{db}`.`blob` (
        id int NOT NULL,
        data longblob NOT NULL,
        PRIMARY KEY (id))""",
]

# the restrict-join-proj-aggr query, in DataJoint's algebra (evaluated with `parent`,
# `scalar` bound to the implementation's table objects)
QUERY = (
    "(parent & 'parent_id < 800').aggr("
    "(scalar & 'value > 0.25').proj('parent_id', 'value', s2='score * 2'),"
    " n='count(*)', mean='avg(value)', best='max(s2)')"
)
