"""Selection algebra on dependency graphs shaped as dj-core builds them."""

from __future__ import annotations

import dj_diagram as dj
import networkx as nx
import pytest
from dj_diagram import DiagramError
from dj_diagram_test_schemas import Ref, Table, dependency_graph

SUBJECT, SESSION = "`chain`.`subject`", "`chain`.`session`"
SCAN, FIELD, SEGMENTATION = "`chain`.`_scan`", "`chain`.`_scan__field`", "`chain`.`__segmentation`"


class Scan:
    """A table class as user code has it: all the diagram reads is `full_table_name`."""

    full_table_name = SCAN


class Subject:
    full_table_name = SUBJECT


def test_the_spec_example(chain_graph):
    schema = dj.Diagram.from_graph(chain_graph, context={})
    d = dj.Diagram.from_graph(chain_graph, [SCAN], context={})
    assert d.nodes_to_show == {SCAN}
    assert (d + 1).nodes_to_show == {SCAN, FIELD, SEGMENTATION}
    assert (d - 2).nodes_to_show == {SCAN, SESSION, SUBJECT}
    subject = dj.Diagram.from_graph(chain_graph, [SUBJECT], context={})
    assert ((schema - subject) * (d - 1)).nodes_to_show == {SCAN, SESSION}
    assert dj.Di(d).add_parts().nodes_to_show == {SCAN, FIELD}


def test_operators_return_new_diagrams_and_leave_operands_alone(chain_graph):
    d = dj.Diagram.from_graph(chain_graph, [SCAN], context={})
    results = [d + 1, d - 1, d + Subject, d - Scan, d * d, d.add_parts()]
    assert d.nodes_to_show == {SCAN}
    assert all(r is not d and isinstance(r, dj.Diagram) for r in results)
    assert (d + Subject).nodes_to_show == {SCAN, SUBJECT}
    assert (d - Scan).nodes_to_show == set()


def test_a_copy_keeps_graph_selection_and_context(chain_graph):
    context = {"Scan": Scan}
    d = dj.ERD.from_graph(chain_graph, [SCAN], context=context)
    copy = dj.Diagram(d)
    assert copy.nodes_to_show == {SCAN} and copy.nodes_to_show is not d.nodes_to_show
    assert copy.context is context
    assert set(copy.edges) == set(chain_graph.edges)


def test_expansion_stops_when_nothing_is_left_and_ignores_non_positive_steps(chain_graph):
    d = dj.Diagram.from_graph(chain_graph, [SUBJECT], context={})
    assert (d + 100).nodes_to_show == set(chain_graph)
    assert (d + 0).nodes_to_show == {SUBJECT}
    assert (d + -3).nodes_to_show == {SUBJECT}
    assert (d - 5).nodes_to_show == {SUBJECT}


def test_expansion_is_not_commutative(chain_graph):
    d = dj.Diagram.from_graph(chain_graph, [SESSION], context={})
    assert (d + 1 - 1).nodes_to_show == {SUBJECT, SESSION, SCAN}
    assert (d - 1 + 1).nodes_to_show == {SUBJECT, SESSION, SCAN}
    d = dj.Diagram.from_graph(chain_graph, [FIELD], context={})
    assert (d - 1 + 1).nodes_to_show == {SCAN, FIELD, SEGMENTATION}
    assert (d + 1 - 1).nodes_to_show == {SCAN, FIELD}


def renamed_graph() -> nx.DiGraph:
    """`user` referenced by `session` under a new column name: user → "0" → session."""
    return dependency_graph(
        [
            Table("`r`.`user`", ["username"]),
            Table("`r`.`session`", ["session_id"], [Ref("`r`.`user`", False, {"username": "who"})]),
            Table("`r`.`__summary`", [], [Ref("`r`.`session`")]),
        ]
    )


def test_a_renamed_foreign_key_costs_one_expansion_step():
    graph = renamed_graph()
    assert set(graph.successors("`r`.`user`")) == {"0"}
    user = dj.Diagram.from_graph(graph, ["`r`.`user`"], context={})
    assert (user + 1).nodes_to_show == {"`r`.`user`", "0", "`r`.`session`"}
    session = dj.Diagram.from_graph(graph, ["`r`.`session`"], context={})
    assert (session - 1).nodes_to_show == {"`r`.`session`", "0", "`r`.`user`"}


def test_add_parts_adds_parts_of_every_selected_master(pipeline_graph):
    masters = ["`lab`.`__clustering`", "`lab`.`_scan`"]
    d = dj.Diagram.from_graph(pipeline_graph, masters, context={}).add_parts()
    assert d.nodes_to_show == {*masters, "`lab`.`__clustering__unit`", "`lab`.`_scan__field`"}
    lookups = dj.Diagram.from_graph(pipeline_graph, ["`lab`.`#rig`"], context={})
    assert lookups.add_parts().nodes_to_show == {"`lab`.`#rig`"}


def test_topo_sort_covers_the_whole_graph_with_parts_after_masters():
    graph = nx.DiGraph()
    graph.add_edges_from(
        [("`a`.`a`", "`a`.`m`"), ("`a`.`a`", "`a`.`z`"), ("`a`.`m`", "`a`.`m__part`")]
    )
    graph.add_edge("`a`.`z`", "`a`.`m__part`")
    d = dj.Diagram.from_graph(graph, ["`a`.`z`"], context={})
    assert d.topo_sort() == ["`a`.`a`", "`a`.`z`", "`a`.`m`", "`a`.`m__part`"]
    assert d.topo_sort_selection() == ["`a`.`z`"]


def test_topo_sort_collapses_alias_nodes():
    d = dj.Diagram.from_graph(renamed_graph(), context={})
    assert d.topo_sort() == ["`r`.`user`", "`r`.`session`", "`r`.`__summary`"]


def test_from_sequence_is_the_union(chain_graph):
    a = dj.Diagram.from_graph(chain_graph, [SUBJECT], context={})
    b = dj.Diagram.from_graph(chain_graph, [SCAN], context={})
    assert dj.Diagram.from_sequence([a, b]).nodes_to_show == {SUBJECT, SCAN}
    with pytest.raises(DiagramError, match="at least one"):
        dj.Diagram.from_sequence([])


def test_operands_outside_the_graph_are_refused(chain_graph):
    d = dj.Diagram.from_graph(chain_graph, [SCAN], context={})

    class Stranger:
        full_table_name = "`elsewhere`.`stranger`"

    with pytest.raises(DiagramError, match="not in this diagram's dependency graph"):
        d + Stranger
    with pytest.raises(DiagramError, match="Cannot select"):
        dj.Diagram.from_graph(chain_graph, ["`chain`.`nope`"])
    with pytest.raises(dj_diagram_error_root()):
        d + object()


def dj_diagram_error_root():
    from dj_blob.errors import DataJointError

    return DataJointError


def test_full_table_names_work_as_operands(chain_graph):
    d = dj.Diagram.from_graph(chain_graph, [SCAN], context={})
    assert (d + SUBJECT).nodes_to_show == {SCAN, SUBJECT}
    assert (d * SUBJECT).nodes_to_show == set()


def test_networkx_can_copy_a_diagram(chain_graph):
    d = dj.Diagram.from_graph(chain_graph, context={})
    copy = d.copy()
    assert isinstance(copy, dj.Diagram) and set(copy.edges) == set(d.edges)
    assert nx.is_directed_acyclic_graph(d)
