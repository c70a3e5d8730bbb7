"""Table benchmark workloads: the schemas (plain SQL with DataJoint names, so every
implementation works on identical tables) and the data each workload inserts or deletes."""

from __future__ import annotations

import datetime
import os

import numpy as np

#: BENCH_SCALE (default 1) multiplies the row counts, e.g. 0.01 for a quick check
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_SCALAR = max(10, int(100_000 * SCALE))
N_BLOB = max(4, int(2_000 * SCALE))
BLOB_SIZE = 10_000

SCALAR_DDL = """CREATE TABLE `{db}`.`scalar` (
    id int NOT NULL, grp int NOT NULL, x double NOT NULL, y float DEFAULT NULL,
    label varchar(24) NOT NULL, day date NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB"""
BLOB_DDL = """CREATE TABLE `{db}`.`blob` (
    id int NOT NULL, data longblob NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB"""

# PostgreSQL: the same tables (`{db}` is a schema of the benchmark's database)
PG_SCALAR_DDL = """CREATE TABLE "{db}"."scalar" (
    id integer NOT NULL, grp integer NOT NULL, x double precision NOT NULL, y real DEFAULT NULL,
    label varchar(24) NOT NULL, day date NOT NULL, PRIMARY KEY (id))"""
PG_BLOB_DDL = (
    """CREATE TABLE "{db}"."blob" (id integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (id))"""
)
#: DataJoint 2.x serializes objects only into columns marked with its <blob> codec
PG_BLOB_DJ2_COMMENT = """COMMENT ON COLUMN "{db}"."blob".data IS ':<blob>:'"""


def scalar_rows() -> list[tuple]:
    rng = np.random.default_rng(1)
    values = rng.random(N_SCALAR).tolist()
    base = datetime.date(2020, 1, 1)
    return [
        (
            i,
            i % 97,
            values[i],
            None if i % 10 == 0 else values[i] * 3,
            f"label{i % 1000}",
            base + datetime.timedelta(days=i % 1500),
        )
        for i in range(N_SCALAR)
    ]


def blob_arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    return [rng.random(BLOB_SIZE) for _ in range(N_BLOB)]


# --- cascade: a root, then levels of children; every child row hangs off one root ---

# level → list of (table, parent table, rows per parent row)
# (table names follow DataJoint's conventions, so virtual modules spawn classes for them)
WIDE = {
    1: [(f"one_{k}", "root", 5) for k in "abcd"],
    2: [(f"two_{k}", f"one_{'abcd'[i // 2]}", 4) for i, k in enumerate("abcdefgh")],
    3: [(f"three_{k}", f"two_{k}", 2) for k in "abcdefgh"],
}
SMALL = {1: [("one_a", "root", 3)], 2: [("two_a", "one_a", 2)]}
N_ROOTS = 5
WIDE_PER_ROOT = max(2, int(200 * SCALE))  # rows per root in each level-1 table: 20,000
# dependents per root


LOG_DDL = """CREATE TABLE IF NOT EXISTS `{db}`.`~log` (
`id` int unsigned auto_increment NOT NULL COMMENT "event order id",
`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT "event timestamp",
`version` varchar(12) NOT NULL COMMENT "datajoint version",
`user` varchar(255) NOT NULL COMMENT "user@host",
`host` varchar(255) NOT NULL DEFAULT "" COMMENT "system hostname",
`event` varchar(255) NOT NULL DEFAULT "" COMMENT "event message",
PRIMARY KEY (`id`)
) ENGINE=InnoDB, COMMENT "event logging table for `{db}`" """


def cascade_ddl(shape: dict) -> list[str]:
    """A DataJoint-style schema (with its `~log`, which 0.14 cannot create inside the
    delete's transaction)."""
    ddl = [LOG_DDL, "CREATE TABLE `{db}`.`root` (r int NOT NULL, PRIMARY KEY (r)) ENGINE=InnoDB"]
    keys = {"root": ["r"]}
    for level, tables in shape.items():
        for table, parent, _ in tables:
            key = [*keys[parent], f"k{level}"]
            keys[table] = key
            columns = ", ".join(f"`{c}` int NOT NULL" for c in key)
            parent_key = ", ".join(f"`{c}`" for c in keys[parent])
            ddl.append(
                f"CREATE TABLE `{{db}}`.`{table}` ({columns}, note varchar(16) NOT NULL, "
                f"PRIMARY KEY ({', '.join(f'`{c}`' for c in key)}), "
                f"FOREIGN KEY ({parent_key}) REFERENCES `{{db}}`.`{parent}` ({parent_key}) "
                "ON UPDATE CASCADE ON DELETE RESTRICT) ENGINE=InnoDB"
            )
    return ddl


def cascade_rows(shape: dict, first_level_per_root: int) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {"root": [(r,) for r in range(N_ROOTS)]}
    for level, tables in shape.items():
        for table, parent, fan in tables:
            count = first_level_per_root if level == 1 else fan
            rows[table] = [
                (*parent_row[:level], j, "x") for parent_row in rows[parent] for j in range(count)
            ]
    return rows


def tables_in(shape: dict) -> int:
    return 1 + sum(len(tables) for tables in shape.values())


#: the types of the six-table schema in 0.14's language (ours, upstream 0.14) and in
#: DataJoint 2.x's core types (2.x has no unsigned integers and stores objects in `<blob>`)
TYPES_014 = {
    "u32": "int unsigned",
    "u16": "smallint unsigned",
    "u8": "tinyint unsigned",
    "f32": "float",
    "f64": "double",
    "blob": "longblob",
}
TYPES_DJ2 = {
    "u32": "int32",
    "u16": "int16",
    "u8": "int8",
    "f32": "float32",
    "f64": "float64",
    "blob": "<blob>",
}


def declare_schema(dj, database: str, types: dict[str, str] = TYPES_014) -> list:
    """Declare a six-table pipeline (manual, lookup, imported with a part, computed; foreign
    keys, a renamed and a nullable reference, a secondary index, blobs) in `database`
    through `dj.Schema`, as a user's module does when it is imported. The same code runs
    on ours and on upstream 0.14, and with `TYPES_DJ2` on DataJoint 2.x."""
    schema = dj.Schema(database)
    t = types

    @schema
    class Subject(dj.Manual):
        definition = f"""
        # experimental subjects
        subject_id : {t["u32"]}        # subject number
        ---
        species = "mouse" : varchar(40)
        born = null : date               # date of birth
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        ---
        room : varchar(16)
        """

    @schema
    class Session(dj.Manual):
        definition = f"""
        -> Subject
        session : {t["u16"]}
        ---
        -> [nullable] Rig
        started : datetime
        note = "" : varchar(255)
        index (started)
        """

    @schema
    class Scan(dj.Imported):
        definition = f"""
        -> Session
        scan : {t["u8"]}
        ---
        depth : {t["f32"]}           # microns
        frames : {t["blob"]}
        """

        class Field(dj.Part):
            definition = f"""
            -> master
            field : {t["u8"]}
            ---
            image : {t["blob"]}
            """

        def make(self, key):
            pass

    @schema
    class Activity(dj.Computed):
        definition = f"""
        -> Scan.Field
        -> Subject.proj(reference_subject="subject_id")
        ---
        trace : {t["blob"]}
        mean = null : {t["f64"]}
        """

        def make(self, key):
            pass

    return [Subject, Rig, Session, Scan, Scan.Field, Activity]
