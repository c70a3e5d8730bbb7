"""Dependency graphs built exactly as dj-core builds them, without a server.

`dependency_graph` derives each foreign key's `primary`, `aliased`, `multi` and `attr_map`
from table definitions the way the catalog loader does, including the numbered alias
nodes of renamed foreign keys, so tests and benchmarks exercise real graph shapes.
Loaded by path from the tests' conftest and from benchmarks/diagram.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import networkx as nx


@dataclass
class Ref:
    """A foreign key: parent table, whether it is in the child's primary key, renames."""

    parent: str
    primary: bool = True
    rename: dict[str, str] = field(default_factory=dict)  # parent column -> child column


@dataclass
class Table:
    name: str  # full name `db`.`tbl`
    key: list[str] = field(default_factory=list)  # the table's own primary-key columns
    refs: list[Ref] = field(default_factory=list)


def dependency_graph(tables: list[Table]) -> nx.DiGraph:
    """The graph dj-core's `Dependencies.load` would read for these tables."""
    primary_keys: dict[str, list[str]] = {}
    for table in tables:
        inherited: list[str] = []
        for ref in table.refs:
            if ref.primary:
                for column in primary_keys[ref.parent]:
                    child_column = ref.rename.get(column, column)
                    if child_column not in inherited:
                        inherited.append(child_column)
        primary_keys[table.name] = inherited + [c for c in table.key if c not in inherited]
    graph = nx.DiGraph()
    for table in tables:
        graph.add_node(table.name, primary_key=set(primary_keys[table.name]))
    aliases = 0
    for table in tables:
        child_key = set(primary_keys[table.name])
        for ref in table.refs:
            attr_map = {ref.rename.get(c, c): c for c in primary_keys[ref.parent]}
            props = {
                "primary": set(attr_map) <= child_key if ref.primary else False,
                "attr_map": attr_map,
                "aliased": any(k != v for k, v in attr_map.items()),
                "multi": set(attr_map) != child_key,
            }
            if props["aliased"]:
                alias = str(aliases)
                aliases += 1
                graph.add_node(alias)
                graph.add_edge(ref.parent, alias, **props)
                graph.add_edge(alias, table.name, **props)
            else:
                graph.add_edge(ref.parent, table.name, **props)
    return graph


def chain_schema(db: str = "chain") -> list[Table]:
    """Subject → Session → Scan (with part Scan.Field) → Segmentation."""
    t = f"`{db}`."
    return [
        Table(t + "`subject`", ["subject_id"]),
        Table(t + "`session`", ["session_id"], [Ref(t + "`subject`")]),
        Table(t + "`_scan`", ["scan_id"], [Ref(t + "`session`")]),
        Table(t + "`_scan__field`", ["field_id"], [Ref(t + "`_scan`")]),
        Table(t + "`__segmentation`", [], [Ref(t + "`_scan`")]),
    ]


def pipeline_schema(db: str = "lab") -> list[Table]:
    """A 31-table electrophysiology and imaging pipeline with every tier, parts, one-to-one
    and secondary foreign keys, and renamed foreign keys (alias nodes)."""

    def t(name: str) -> str:
        return f"`{db}`.`{name}`"

    return [
        Table(t("#species"), ["species"]),
        Table(t("lab_member"), ["username"]),
        Table(t("subject"), ["subject_id"], [Ref(t("#species"), False), Ref(t("lab_member"), False)]),
        Table(t("#rig"), ["rig"]),
        Table(
            t("session"),
            ["session_id"],
            [
                Ref(t("subject")),
                Ref(t("#rig"), False),
                Ref(t("lab_member"), False, {"username": "experimenter"}),
            ],
        ),
        Table(t("#task"), ["task"]),
        Table(t("_behavior"), [], [Ref(t("session")), Ref(t("#task"), False)]),
        Table(t("_behavior__trial"), ["trial_id"], [Ref(t("_behavior"))]),
        Table(t("#brain_area"), ["area"]),
        Table(t("probe_insertion"), ["insertion_id"], [Ref(t("session")), Ref(t("#brain_area"), False)]),
        Table(t("_ephys_recording"), [], [Ref(t("probe_insertion"))]),
        Table(t("#sorter"), ["sorter"]),
        Table(t("sorting_task"), [], [Ref(t("_ephys_recording")), Ref(t("#sorter"))]),
        Table(t("__clustering"), [], [Ref(t("sorting_task"))]),
        Table(t("__clustering__unit"), ["unit_id"], [Ref(t("__clustering"))]),
        Table(t("__waveform"), [], [Ref(t("__clustering"))]),
        Table(t("__waveform__unit_waveform"), [], [Ref(t("__waveform")), Ref(t("__clustering__unit"))]),
        Table(t("#metric_params"), ["metric_params_id"]),
        Table(t("__quality_metrics"), [], [Ref(t("__clustering")), Ref(t("#metric_params"))]),
        Table(t("__quality_metrics__unit"), [], [Ref(t("__quality_metrics")), Ref(t("__clustering__unit"))]),
        Table(t("_scan"), ["scan_id"], [Ref(t("session"))]),
        Table(t("_scan__field"), ["field_id"], [Ref(t("_scan"))]),
        Table(t("#segmentation_method"), ["method"]),
        Table(t("__segmentation"), [], [Ref(t("_scan")), Ref(t("#segmentation_method"))]),
        Table(t("__segmentation__mask"), ["mask_id"], [Ref(t("__segmentation")), Ref(t("_scan__field"), False)]),
        Table(t("__fluorescence"), [], [Ref(t("__segmentation"))]),
        Table(t("__fluorescence__trace"), [], [Ref(t("__fluorescence")), Ref(t("__segmentation__mask"))]),
        Table(t("__activity"), [], [Ref(t("__fluorescence"))]),
        Table(t("__activity__trace"), [], [Ref(t("__activity")), Ref(t("__fluorescence__trace"))]),
        Table(
            t("__unit_pair"),
            [],
            [
                Ref(t("__clustering__unit"), True, {"unit_id": "unit_a"}),
                Ref(t("__clustering__unit"), True, {"unit_id": "unit_b"}),
            ],
        ),
        Table(t("__alignment"), [], [Ref(t("_behavior")), Ref(t("_ephys_recording"))]),
    ]  # fmt: skip


_WORDS = (
    "alpha beta gamma delta trial session probe unit scan field mask trace spike event "
    "stimulus response motion pupil lick reward camera frame channel region cell"
).split()


def synthetic_schema(count: int, db: str = "big", seed: int = 7) -> list[Table]:
    """`count` tables in a pipeline-like DAG: roots and lookups first, then tables that
    mostly reference recent ones, masters with parts, and a few renamed references."""
    rng = random.Random(seed)
    tables: list[Table] = []
    masters: list[str] = []
    used: set[str] = set()
    keys: dict[str, set[str]] = {}  # primary keys so far, kept under MySQL's limits

    def fresh(prefix: str) -> str:
        while True:
            words = "_".join(rng.sample(_WORDS, 2))
            name = f"{prefix}{words}{len(tables)}"
            if name not in used:
                used.add(name)
                return f"`{db}`.`{name}`"

    def add(table: Table) -> None:
        key = set(table.key)
        for ref in table.refs:
            if ref.primary:
                key |= {ref.rename.get(c, c) for c in keys[ref.parent]}
        keys[table.name] = key
        tables.append(table)

    while len(tables) < count:
        i = len(tables)
        if i < max(3, count // 20) or rng.random() < 0.08:
            prefix = rng.choice(["", "#"])
            add(Table(fresh(prefix), [f"k{i}"]))
            continue
        if masters and rng.random() < 0.2:
            master = rng.choice(masters[-6:])
            bare = master.split(".")[1].strip("`")
            name = f"`{db}`.`{bare}__part{i}`"
            refs = [Ref(master)]
            if rng.random() < 0.3:
                refs.append(Ref(rng.choice(tables[max(0, i - 30) : i]).name, False))
            add(Table(name, [f"p{i}"], refs))
            continue
        window = tables[max(0, i - 25) : i]
        candidates = [t for t in window if "__part" not in t.name] or window
        parents = rng.sample(candidates, min(len(candidates), rng.choice([1, 1, 2, 2, 3])))
        refs = [Ref(parents[0].name)]
        key = set(keys[parents[0].name])
        for parent in parents[1:]:
            primary = rng.random() < 0.5 and len(key | keys[parent.name]) <= 8
            if primary:
                key |= keys[parent.name]
            refs.append(Ref(parent.name, primary))
        if rng.random() < 0.05:
            parent = rng.choice(candidates)
            refs.append(Ref(parent.name, False, {f"k{tables.index(parent)}": f"other{i}"}))
        prefix = rng.choice(["", "_", "__", "__"])
        own = [f"k{i}"] if rng.random() < 0.6 and len(key) < 10 else []
        table = Table(fresh(prefix), own, refs)
        add(table)
        masters.append(table.name)
    return tables
