"""Preparing the drawing: tiers, distinguished tables, gap nodes, labels."""

from __future__ import annotations

import types

import dj_diagram as dj
from dj_diagram import Tier
from dj_diagram.tiers import master_name, tier_of
from dj_diagram_test_schemas import Ref, Table, dependency_graph


def test_tiers_come_from_table_names():
    expected = {
        "`s`.`subject`": Tier.MANUAL,
        "`s`.`#trial_type`": Tier.LOOKUP,
        "`s`.`_raw_scan`": Tier.IMPORTED,
        "`s`.`__spike_rate`": Tier.COMPUTED,
        "`s`.`__spike_rate__unit`": Tier.PART,
        "`s`.`session__channel_map`": Tier.PART,
        "`s`.`#a__b`": Tier.PART,
        "`s`.`~jobs`": Tier.NONE,
        "`s`.`Bad_Name`": Tier.NONE,
        "`s`.`a__b__c`": Tier.NONE,
        "12": Tier.ALIAS,
    }
    assert {name: tier_of(name) for name in expected} == expected
    assert master_name("`s`.`__spike_rate__unit`") == "`s`.`__spike_rate`"
    assert master_name("`s`.`__spike_rate`") is None
    assert Tier.MANUAL == "Manual"


def test_node_types_and_distinguished_tables(pipeline_graph):
    graph = dj.Diagram.from_graph(pipeline_graph, context={})._make_graph()
    assert graph.nodes["`lab`.`_behavior`"]["node_type"] is Tier.IMPORTED
    assert graph.nodes["`lab`.`#rig`"]["node_type"] == "Lookup"
    distinguished = {n for n, data in graph.nodes(data=True) if data.get("distinguished")}
    # new key attributes: roots with a key, session_id, scan_id, unit_id, ... but not the
    # one-to-one extensions (_behavior, __clustering) nor parts keyed by their parents only
    assert {"`lab`.`subject`", "`lab`.`session`", "`lab`.`_scan`"} <= distinguished
    assert "`lab`.`__clustering__unit`" in distinguished
    # sorting_task's whole key comes from its two parents
    assert (
        not {
            "`lab`.`_behavior`",
            "`lab`.`__clustering`",
            "`lab`.`__fluorescence__trace`",
            "`lab`.`sorting_task`",
        }
        & distinguished
    )


def test_sorting_task_is_not_distinguished_when_all_key_columns_come_from_parents():
    graph = dependency_graph(
        [
            Table("`d`.`a`", ["a_id"]),
            Table("`d`.`#b`", ["b_id"]),
            Table("`d`.`c`", [], [Ref("`d`.`a`"), Ref("`d`.`#b`")]),
            Table("`d`.`e`", ["e_id"], [Ref("`d`.`a`")]),
        ]
    )
    drawn = dj.Diagram.from_graph(graph, context={})._make_graph()
    assert drawn.nodes["`d`.`c`"]["distinguished"] is False
    assert drawn.nodes["`d`.`e`"]["distinguished"] is True
    assert drawn.nodes["`d`.`a`"]["distinguished"] is True


def test_alias_nodes_between_selected_tables_are_drawn_but_plain_tables_are_not():
    graph = dependency_graph(
        [
            Table("`g`.`a`", ["a_id"]),
            Table("`g`.`b`", ["b_id"], [Ref("`g`.`a`")]),
            Table("`g`.`c`", ["c_id"], [Ref("`g`.`b`"), Ref("`g`.`a`", False, {"a_id": "x"})]),
        ]
    )
    drawn = dj.Diagram.from_graph(graph, ["`g`.`a`", "`g`.`c`"], context={})._make_graph()
    assert set(drawn) == {"`g`.`a`", "`g`.`c`", "0"}
    assert drawn.nodes["0"]["node_type"] is Tier.ALIAS
    assert set(drawn.edges) == {("`g`.`a`", "0"), ("0", "`g`.`c`")}


class Scan:
    full_table_name = "`chain`.`_scan`"

    class Field:
        full_table_name = "`chain`.`_scan__field`"


class Session:
    full_table_name = "`chain`.`session`"


def test_labels_are_class_names_found_in_the_context(chain_graph):
    module = types.ModuleType("acquisition")
    module.Session = Session
    context = {"Scan": Scan, "acq": module, "_hidden": Session}
    graph = dj.Diagram.from_graph(chain_graph, context=context)._make_graph()
    assert set(graph) == {
        "Scan",
        "Scan.Field",
        "acq.Session",
        "`chain`.`subject`",
        "`chain`.`__segmentation`",
    }
    assert graph.nodes["Scan.Field"]["node_type"] is Tier.PART


def test_the_default_context_is_the_callers_namespace(chain_graph):
    graph = dj.Diagram.from_graph(chain_graph)._make_graph()
    assert {"Scan", "Scan.Field", "Session"} <= set(graph)


def test_two_tables_with_one_label_fall_back_to_full_names(chain_graph):
    class Other:
        full_table_name = "`chain`.`subject`"

    module = types.ModuleType("m")
    module.Session = Other
    context = {"m": module, "m.Session": Session}  # contrived: two paths spell m.Session
    graph = dj.Diagram.from_graph(chain_graph, context=context)._make_graph()
    assert "`chain`.`subject`" in graph and "`chain`.`session`" in graph
    assert "m.Session" not in graph
