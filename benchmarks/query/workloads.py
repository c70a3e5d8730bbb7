"""The query benchmark's data and workloads, shared by all implementations.

Tables (plain SQL, created once per run by run.py, on MySQL and on PostgreSQL):
- `scalar`: 100,000 rows — int key, int, double, float (nullable), varchar, date.
- `parent`: 1,000 rows the scalar rows refer to (for the join/aggregation query).
- `blob`: 2,000 rows, each a 10,000-element float64 array serialized with the blob codec.
- PostgreSQL only: `blob2`, the same rows with the column comment DataJoint 2.x needs to
  decode them (`:<blob>:`; ours reads a `bytea` column as `longblob` by itself).

`BENCH_SCALE` (default 1) multiplies the row counts, e.g. 0.01 for a quick check that
every workload runs end to end.
"""

from __future__ import annotations

import os

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_SCALAR = max(10, int(100_000 * SCALE))
N_PARENT = max(10, int(1_000 * SCALE))
N_BLOB = max(2, int(2_000 * SCALE))
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

PG_DDL = [
    """CREATE TABLE "{db}"."parent" (
        parent_id integer NOT NULL,
        grp varchar(8) NOT NULL,
        PRIMARY KEY (parent_id))""",
    """CREATE TABLE "{db}"."scalar" (
        id integer NOT NULL,
        parent_id integer NOT NULL,
        value double precision NOT NULL,
        score real DEFAULT NULL,
        label varchar(16) NOT NULL,
        day date NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY (parent_id) REFERENCES "{db}"."parent" (parent_id))""",
    'CREATE INDEX ON "{db}"."scalar" (parent_id)',
    """CREATE TABLE "{db}"."blob" (
        id integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (id))""",
    """CREATE TABLE "{db}"."blob2" (
        id integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (id))""",
    """COMMENT ON COLUMN "{db}"."blob2".data IS ':<blob>:'""",
]

# the restrict-join-proj-aggr query, in DataJoint's algebra (evaluated with `parent`,
# `scalar` bound to the implementation's table objects)
QUERY = (
    "(parent & 'parent_id < 800').aggr("
    "(scalar & 'value > 0.25').proj('parent_id', 'value', s2='score * 2'),"
    " n='count(*)', mean='avg(value)', best='max(s2)')"
)
