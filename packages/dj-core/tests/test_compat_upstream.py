"""Compatibility with upstream DataJoint 0.14 on the real server.

Upstream declares a corpus of definitions (every type, default form, foreign-key form
and index form) into one database; dj-core declares the same corpus into another. Then:
- every table has the same `SHOW CREATE TABLE` (database names and constraint names aside);
- dj-core reads upstream's tables into the headings upstream itself reads;
- dj-core loads the same dependency graph and the same topological order;
- dj-core's `describe()` reproduces upstream's text.

Upstream runs once for the module (one process start).
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest
from dj_core.attribute_adapter import AttributeAdapter
from dj_core.attribute_types import HANDLER_PACKAGES, AttributeType, registered_types, store_of
from dj_core.connection import Connection
from dj_core.declare import declare
from dj_core.describe import describe
from dj_core.heading import Heading, preload_schema
from dj_core.schemas import Schema, declare_table
from dj_core.settings import Config
from dj_core.table_ref import TableRef
from dj_core.utils import from_camel_case

# upstream 0.14 runs on MySQL only: interop is a MySQL question
pytestmark = pytest.mark.mysql_only

PREFIX = {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}
STAMPED = {"Stamped"}  # declared with add_hidden_timestamp on

# (class name, tier, definition, [(part name, part definition)])
CORPUS = [
    (
        "Subject",
        "Manual",
        """# experimental subjects
        subject_id : int  # unique subject id
        ---
        subject_name = "" : varchar(64)
        sex = "U" : enum('M', 'F', 'U')
        date_of_birth = null : date
        weight = null : float   # grams
        notes = '' : varchar(4000)  # free "notes" """,
        [],
    ),
    (
        "Species",
        "Lookup",
        """
        species : varchar(30)
        ---
        latin_name : varchar(100)
        unique index (latin_name)""",
        [],
    ),
    (
        "Lab",
        "Manual",
        """
        lab : char(8)
        ---
        lab_name : varchar(255)
        institution = "MIT" : varchar(255)
        address = null : varchar(255)""",
        [],
    ),
    (
        "User",
        "Manual",
        """
        -> Lab
        username : varchar(16)
        ---
        full_name : varchar(120)
        active = 1 : bool
        created = CURRENT_TIMESTAMP : timestamp""",
        [],
    ),
    (
        "SubjectSpecies",
        "Manual",
        """
        -> Subject
        ---
        -> Species""",
        [],
    ),
    (
        "Session",
        "Manual",
        """# recording sessions
        -> Subject
        session : smallint unsigned # session number
        ---
        session_date : date
        -> [nullable] User
        start_time = null : datetime(3)
        duration = 0.0 : double
        index (session_date)""",
        [],
    ),
    (
        "Equipment",
        "Lookup",
        """
        equipment_id : tinyint unsigned
        ---
        small : smallint
        med : mediumint unsigned
        big = 0 : bigint
        big_u = null : bigint unsigned
        yr = null : year
        tm = null : time
        precise = 1.25 : decimal(6,2) unsigned
        real_num = null : real
        integer_col = 7 : integer""",
        [],
    ),
    (
        "Scan",
        "Imported",
        """
        -> Session
        scan_idx : int
        ---
        scan_data : longblob
        scan_time = CURRENT_TIMESTAMP : timestamp""",
        [
            (
                "Field",
                """
        -> master
        field_idx : tinyint
        ---
        field_data = null : blob""",
            )
        ],
    ),
    (
        "Spikes",
        "Computed",
        """
        -> Scan
        ---
        rate : float
        spikes = null : mediumblob
        tiny = null : tinyblob""",
        [
            (
                "Unit",
                """
        -> master
        unit_id : int
        ---
        -> Subject.proj(other_subject='subject_id')""",
            ),
            (
                "Channel",
                """
        -> master
        channel : smallint""",
            ),
        ],
    ),
    (
        "Pair",
        "Manual",
        """
        -> Subject.proj(subject_a='subject_id')
        -> Subject.proj(subject_b='subject_id')
        ---
        relation : varchar(20)""",
        [],
    ),
    (
        "Identity",
        "Manual",
        """
        identity : uuid   # unique identity
        ---
        label = "" : varchar(32)""",
        [],
    ),
    (
        "Tagged",
        "Manual",
        """
        -> Identity
        ---
        tag : varchar(10)""",
        [],
    ),
    (
        "JsonDoc",
        "Manual",
        """
        doc_id : int
        ---
        doc : json
        extra = null : json""",
        [],
    ),
    (
        "Attachment",
        "Manual",
        """
        att_id : int
        ---
        file : attach
        opt = null : attach   # optional file""",
        [],
    ),
    (
        "ExternalBlob",
        "Manual",
        """
        ext_id : int
        ---
        payload : blob@raw
        optional = null : blob@raw  # maybe""",
        [],
    ),
    (
        "ExternalAttach",
        "Manual",
        """
        ea_id : int
        ---
        doc : attach@raw""",
        [],
    ),
    (
        "FilePath",
        "Manual",
        """
        fp_id : int
        ---
        path : filepath@raw  # a file""",
        [],
    ),
    (
        "Adapted",
        "Manual",
        """
        ad_id : int
        ---
        graph : <graph>
        graph2 = null : <graph>  # optional graph""",
        [],
    ),
    (
        "UniqueFk",
        "Manual",
        """
        -> Subject
        ---
        -> [unique] Lab""",
        [],
    ),
    (
        "NullableUniqueFk",
        "Manual",
        """
        nf_id : int
        ---
        -> [nullable, unique] User""",
        [],
    ),
    (
        "AutoInc",
        "Manual",
        """
        event_id : int unsigned auto_increment
        ---
        event : varchar(255)""",
        [],
    ),
    (
        "Composite",
        "Manual",
        """
        -> Session
        rec : int
        ---
        a : int
        b : varchar(10)
        c = null : float
        index (a, b)
        unique index (b, c)
        index(c)""",
        [],
    ),
    (
        "Level",
        "Lookup",
        """
        level : enum('low', 'medium', 'high')
        ---
        description = 'n/a' : varchar(40)  # what "level" means""",
        [],
    ),
    (
        "Temporal",
        "Manual",
        """
        t_id : int
        ---
        d = '2020-01-01' : date
        dt = '2020-01-01 10:00:00' : datetime
        ts = null : timestamp
        tm = '01:02:03' : time
        yr = 2024 : year""",
        [],
    ),
    (
        "CharKey",
        "Lookup",
        """
        code : char(3)
        sub : varchar(10)
        ---
        value : decimal(10,4)""",
        [],
    ),
    (
        "BaseRef",
        "Manual",
        """
        -> Session.proj(base_session='session')
        ---
        note = null : varchar(100)""",
        [],
    ),
    (
        "SecondaryRename",
        "Manual",
        """
        sr_id : int
        ---
        -> [nullable] Subject.proj(owner='subject_id')""",
        [],
    ),
    (
        "PartRef",
        "Manual",
        """
        -> Scan.Field
        ---
        quality : float""",
        [],
    ),
    (
        "Numbers",
        "Manual",
        """
        nd_id : int
        ---
        n1 = -1 : int
        n2 = 1e3 : double
        n3 = 3.14 : decimal(5,2)
        b1 = 0 : bool""",
        [],
    ),
    (
        "Commented",
        "Manual",
        """# table comment with 'single' quotes and a colon: here
        # a comment line
        k : int
        ___
        v : int  # value
        # trailing comment""",
        [],
    ),
    (
        "Cell",
        "Manual",
        """
        -> Session
        cell_id : int""",
        [],
    ),
    (
        "Synapse",
        "Computed",
        """
        -> Cell.proj(pre='cell_id')
        -> Cell.proj(post='cell_id')
        ---
        strength : float  # (pA)""",
        [],
    ),
    (
        "Stamped",
        "Manual",
        """
        s_id : int
        ---
        value : float""",
        [],
    ),
    (
        "Chain",
        "Imported",
        """
        -> Synapse
        -> Equipment
        ---
        -> [nullable] Level""",
        [],
    ),
]


UPSTREAM_SNIPPET = r"""
import json, os, tempfile
import numpy as np
import datajoint as dj

dj.config["safemode"] = False
store = tempfile.mkdtemp()
dj.config["stores"] = {"raw": dict(protocol="file", location=store, stage=store)}

class GraphAdapter(dj.AttributeAdapter):
    attribute_type = "longblob"
    def put(self, obj): return obj
    def get(self, value): return value

DB = __DB__
CORPUS = json.loads(__CORPUS__)
TIERS = {"Manual": dj.Manual, "Lookup": dj.Lookup, "Imported": dj.Imported, "Computed": dj.Computed}
ctx = {"graph": GraphAdapter()}
schema = dj.Schema(DB, context=ctx)
classes = []
for name, tier, definition, parts in CORPUS:
    body = {"definition": definition}
    if tier in ("Imported", "Computed"):
        body["make"] = lambda self, key: None
    for part_name, part_definition in parts:
        body[part_name] = type(part_name, (dj.Part,), {"definition": part_definition})
    with dj.config(add_hidden_timestamp=name in __STAMPED__):
        cls = schema(type(name, (TIERS[tier],), body))
    ctx[name] = cls
    classes.append(cls)
    classes.extend(getattr(cls, p) for p, _ in parts)

def plain(value):
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return str(value)

headings, described, declared = {}, {}, {}
for cls in classes:
    heading = cls().heading
    attrs = []
    for attr in heading.attributes.values():
        d = attr.todict()
        d["adapter"] = d["adapter"] is not None
        d["dtype"] = str(np.dtype(d["dtype"]))
        attrs.append({k: plain(v) for k, v in d.items()})
    headings[cls.full_table_name] = dict(
        attributes=attrs,
        indexes=[[list(k), v] for k, v in heading.indexes.items()],
        comment=heading.table_status["comment"],
    )
    described[cls.full_table_name] = cls().describe(context=ctx)
    declared[cls.full_table_name] = dj.declare.declare(
        cls.full_table_name, cls.definition, cls.declaration_context
    )[0]

deps = dj.conn().dependencies
deps.load()
nodes = {n: sorted(d.get("primary_key", [])) for n, d in deps.nodes(data=True) if not n.isdigit()}
edges = [[a, b, {k: (sorted(v.items()) if k == "attr_map" else v) for k, v in d.items()}]
         for a, b, d in deps.edges(data=True)]
print(json.dumps(dict(headings=headings, described=described, declared=declared,
                      nodes=nodes, edges=edges,
                      tables=schema.list_tables(), topo=deps.topo_sort())))
"""


class Plain(AttributeType):
    """A handler standing in for dj-query/dj-external: declaration behaviour only."""

    def __init__(self, category: str):
        self.category = category

    def before_declare(self, schema, type_text):
        store = store_of(type_text)
        if store:  # what dj-external does: the tracking table first
            declare_table(
                schema.connection,
                f"`{schema.database}`.`~external_{store}`",
                EXTERNAL_DEFINITION,
                {},
            )


EXTERNAL_DEFINITION = """
# external storage tracking
hash  : uuid    #  hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)
---
size      :bigint unsigned     # size of object in bytes
attachment_name=null : varchar(255)  # the filename of an attachment
filepath=null : varchar(1000)  # relative filepath or attachment filename
contents_hash=null : uuid      # used for the filepath datatype
timestamp=CURRENT_TIMESTAMP  :timestamp   # automatic timestamp
"""


class GraphAdapter(AttributeAdapter):
    attribute_type = "longblob"


def _class(name: str, full_table_name: str, parts: dict | None = None) -> type:
    return type(name, (), {"full_table_name": full_table_name, **(parts or {})})


def declare_ours(connection, database: str) -> dict:
    """Declare the corpus with dj-core; return a context of classes for describe()."""
    context: dict = {"graph": GraphAdapter()}
    classes: dict = {}
    for name, tier, definition, parts in CORPUS:
        table = PREFIX[tier] + from_camel_case(name)
        full = f"`{database}`.`{table}`"
        with connection.config(add_hidden_timestamp=name in STAMPED):
            declare_table(connection, full, definition, context)
        ref = TableRef(connection, full, context)
        part_classes = {}
        for part_name, part_definition in parts:
            part_full = f"`{database}`.`{table}__{from_camel_case(part_name)}`"
            declare_table(connection, part_full, part_definition, dict(context, master=ref))
            setattr(ref, part_name, TableRef(connection, part_full, context))
            part_classes[part_name] = _class(part_name, part_full)
        context[name] = ref
        classes[name] = _class(name, full, part_classes)
    return classes


@pytest.fixture(scope="module")
def databases(db_params, upstream, tmp_path_factory):
    from dj_testing.plugin import unique_database_name

    theirs, ours = unique_database_name("up"), unique_database_name("ours")
    code = (
        UPSTREAM_SNIPPET.replace("__DB__", repr(theirs))
        .replace("__CORPUS__", repr(json.dumps(CORPUS)))
        .replace("__STAMPED__", repr(sorted(STAMPED)))
    )
    env = {"DJ_SUPPORT_ADAPTED_TYPES": "TRUE", "DJ_SUPPORT_FILEPATH_MANAGEMENT": "TRUE"}
    config = Config()
    connection = Connection(db_params.host, db_params.user, db_params.password, config=config)
    try:
        upstream_result = upstream.run_json(code, env=env)
        mp = pytest.MonkeyPatch()
        for key, value in env.items():
            mp.setenv(key, value)
        with registered_types(*(Plain(c) for c in HANDLER_PACKAGES)):
            Schema(ours, connection=connection)
            classes = declare_ours(connection, ours)
        yield dict(
            connection=connection,
            theirs=theirs,
            ours=ours,
            upstream=upstream_result,
            classes=classes,
        )
        mp.undo()
    finally:
        for name in (theirs, ours):
            connection.query(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


def _create_table(connection, database, table):
    sql = connection.query(f"SHOW CREATE TABLE `{database}`.`{table}`").fetchone()[1]
    sql = re.sub(r"CONSTRAINT `[^`]+` ", "", sql)
    digest = hashlib.sha1(f"{database}.{table}".encode()).hexdigest()
    sql = sql.replace(f"`_{digest}_timestamp`", "`_<sha1 of db.table>_timestamp`")
    return sql.replace(database, "DB")


def test_corpus_is_large_enough():
    assert len(CORPUS) + sum(len(parts) for *_, parts in CORPUS) >= 30


def test_same_create_table_statements(databases):
    connection = databases["connection"]
    dialect = connection.dialect
    theirs = dialect.list_tables(connection, databases["theirs"])
    ours = dialect.list_tables(connection, databases["ours"])
    assert sorted(theirs) == sorted(ours)
    assert {"~log", "~external_raw"} <= set(ours)
    assert "`_<sha1 of db.table>_timestamp`" in _create_table(
        connection, databases["theirs"], "stamped"
    )
    for table in theirs:
        assert _create_table(connection, databases["ours"], table) == _create_table(
            connection, databases["theirs"], table
        ), table


# Known, deliberate differences when reading upstream's tables on MariaDB, where upstream
# reads SHOW COLUMNS verbatim and we normalise to what MySQL reports:
# a json column is stored as longtext, and timestamp defaults read `current_timestamp()`.
def _normalise_upstream_attribute(attr: dict) -> dict:
    attr = dict(attr)
    if attr["default"] == '"current_timestamp()"':
        attr["default"] = "CURRENT_TIMESTAMP"
    if attr["type"] == "longtext":
        attr.update(type="json", json=True)
    return attr


def _our_heading(connection, full_table_name):
    database, table = connection.dialect.split_full_table_name(full_table_name)
    heading = Heading.from_table(connection, database, table, {"graph": GraphAdapter()})
    attrs = []
    for attr in heading.attributes.values():
        d = attr.todict()
        d.pop("column_type")
        d["adapter"] = d["adapter"] is not None
        d["dtype"] = str(np.dtype(d["dtype"]))
        attrs.append(d)
    return heading, attrs


def test_headings_of_upstream_tables(databases):
    connection = databases["connection"]
    preload_schema(connection, databases["theirs"])
    differences = []
    for full_table_name, expected in databases["upstream"]["headings"].items():
        heading, attrs = _our_heading(connection, full_table_name)
        wanted = [_normalise_upstream_attribute(a) for a in expected["attributes"]]
        assert [a["name"] for a in attrs] == [a["name"] for a in wanted], full_table_name
        differences += [
            (full_table_name.split(".")[1], mine["name"], key, mine[key], theirs[key])
            for mine, theirs in zip(attrs, wanted)
            for key in theirs
            if mine[key] != theirs[key]
        ]
        assert [[list(k), v] for k, v in heading.indexes.items()] == expected["indexes"]
        assert heading.table_status["comment"] == expected["comment"]
    assert differences == [], "\n".join(map(str, differences))


def test_headings_of_our_tables_match(databases):
    connection = databases["connection"]
    preload_schema(connection, databases["theirs"])
    preload_schema(connection, databases["ours"])
    for full_table_name in databases["upstream"]["headings"]:
        _, theirs = _our_heading(connection, full_table_name)
        _, ours = _our_heading(
            connection, full_table_name.replace(databases["theirs"], databases["ours"])
        )
        for attr in ours:
            attr["database"] = databases["theirs"]
        assert ours == theirs, full_table_name


def _canonical_edges(nodes_edges):
    """Edges with alias nodes collapsed into (parent, child, props, via_alias)."""
    edges = nodes_edges
    result = []
    for parent, child, props in edges:
        if parent.isdigit():
            continue
        if child.isdigit():
            real = next(c for p, c, _ in edges if p == child)
            result.append([parent, real, props, True])
        else:
            result.append([parent, child, props, False])
    return sorted(result, key=json.dumps)


def test_dependency_graph_of_upstream_tables(databases):
    connection = databases["connection"]
    Schema(databases["theirs"], connection=connection, create_schema=False)
    graph = connection.dependencies
    graph.load()
    expected = databases["upstream"]
    theirs = f"`{databases['theirs']}`."
    nodes = {
        n: sorted(d.get("primary_key", []))
        for n, d in graph.nodes(data=True)
        if n.startswith(theirs)
    }
    assert nodes == expected["nodes"]
    ours = [
        [a, b, {k: (sorted(v.items()) if k == "attr_map" else v) for k, v in d.items()}]
        for a, b, d in graph.edges(data=True)
        if a.startswith(theirs) or b.startswith(theirs)
    ]
    ours_json = json.loads(json.dumps(ours))
    assert _canonical_edges(ours_json) == _canonical_edges(expected["edges"])
    aliases = [
        n for n in graph.nodes if n.isdigit() and next(graph.successors(n)).startswith(theirs)
    ]
    assert len(aliases) == sum(1 for a, b, _ in expected["edges"] if b.isdigit())
    order = [n for n in graph.topo_sort() if n.startswith(theirs)]
    assert sorted(order) == sorted(expected["topo"])
    assert _valid_order(graph, order)  # the exact order among independent tables is free
    assert _valid_order(graph, expected["topo"])
    ours_tables = Schema(databases["theirs"], connection=connection).list_tables()
    assert sorted(ours_tables) == sorted(expected["tables"])
    assert _valid_order(graph, [f"{theirs}`{t}`" for t in ours_tables])


def _valid_order(graph, order):
    position = {name: i for i, name in enumerate(order)}
    return all(position[a] < position[b] for a, b in graph.edges if a in position and b in position)


def test_describe_matches_upstream(databases):
    connection = databases["connection"]
    theirs = databases["theirs"]
    Schema(theirs, connection=connection, create_schema=False)
    context = {
        name: _class(
            name,
            cls.full_table_name.replace(databases["ours"], theirs),
            {
                k: _class(k, v.full_table_name.replace(databases["ours"], theirs))
                for k, v in vars(cls).items()
                if isinstance(v, type)
            },
        )
        for name, cls in databases["classes"].items()
    }
    for full_table_name, expected in databases["upstream"]["described"].items():
        database, table = connection.dialect.split_full_table_name(full_table_name)
        heading = Heading.from_table(connection, database, table, {"graph": GraphAdapter()})
        text = describe(heading, full_table_name, connection.dependencies, context)
        expected = expected.replace('"current_timestamp()"', "CURRENT_TIMESTAMP")
        expected = re.sub(r": longtext(\s*)", lambda m: ": json" + m[1] + "    ", expected)
        assert _squash(text) == _squash(expected), full_table_name


def _squash(text: str) -> str:
    return "\n".join(re.sub(r"\s+", " ", line).strip() for line in text.strip().splitlines())


def test_declare_text_matches_upstream(databases, monkeypatch):
    """The CREATE TABLE text itself, compared with upstream's `declare` for each table."""
    connection = databases["connection"]
    theirs = databases["theirs"]
    monkeypatch.setenv("DJ_SUPPORT_ADAPTED_TYPES", "TRUE")
    monkeypatch.setenv("DJ_SUPPORT_FILEPATH_MANAGEMENT", "TRUE")
    expected = databases["upstream"]["declared"]
    context: dict = {"graph": GraphAdapter()}
    compared = 0
    with registered_types(*(Plain(c) for c in HANDLER_PACKAGES)):
        for name, tier, definition, parts in CORPUS:
            full = f"`{theirs}`.`{PREFIX[tier]}{from_camel_case(name)}`"
            # upstream leaves `{database}` in external foreign keys for a later format()
            wanted = expected[full].replace("LONGBLOB", "longblob")
            wanted = wanted.replace("`{database}`", f"`{theirs}`")
            assert declare(full, definition, context)[0] == wanted, full
            ref = TableRef(connection, full, context)
            for part_name, part_definition in parts:
                part_full = full[:-1] + f"__{from_camel_case(part_name)}`"
                part_sql = declare(part_full, part_definition, dict(context, master=ref))[0]
                assert part_sql == expected[part_full], part_full
                setattr(ref, part_name, TableRef(connection, part_full, context))
                compared += 1
            context[name] = ref
            compared += 1
    assert compared == len(expected)


def test_virtual_module_over_upstream_schema(databases):
    """Spawning classes for upstream's schema: one class per table, right tier, parts nested."""
    from dj_core import tiers
    from dj_core.schemas import VirtualModule

    bases = {name: type(name, (), {}) for name in ("Manual", "Lookup", "Imported", "Computed")}
    bases["Part"] = type("Part", (), {})

    def bind(schema, cls, context, *, spawned=False):
        master = getattr(cls, "_master", None)
        name = from_camel_case(cls.__name__)
        table = f"{master.table_name}__{name}" if master else cls.prefix + name
        cls.table_name, cls.full_table_name = table, f"`{schema.database}`.`{table}`"
        return cls

    for tier, prefix in PREFIX.items():
        bases[tier].prefix = prefix
    with tiers.temporary_tiers(clear=True):
        for tier, base in bases.items():
            tiers.register_tier(tier, base, is_part=tier == "Part")
        tiers.register_class_binder(bind)
        module = VirtualModule("up", databases["theirs"], connection=databases["connection"])
    for name, tier, _, parts in CORPUS:
        cls = getattr(module, name)
        assert cls.__base__ is bases[tier], name
        for part_name, _ in parts:
            assert getattr(cls, part_name).__base__ is bases["Part"]
            assert getattr(cls, part_name)._master is cls
    assert not hasattr(module, "Log") and not hasattr(module, "ExternalRaw")
