"""DOT text (no pydot), `make_dot` (a pydot.Dot users call pydot methods on), Mermaid."""

from __future__ import annotations

import re

import dj_diagram as dj
import pydot
import pytest

# pydot's parser uses pyparsing names that pyparsing 3.2 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning")


class Scan:
    full_table_name = "`chain`.`_scan`"

    class Field:
        full_table_name = "`chain`.`_scan__field`"


def unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name


def test_dot_source_holds_every_node_and_edge_with_styles(pipeline_graph):
    d = dj.Diagram.from_graph(pipeline_graph, context={})
    (parsed,) = pydot.graph_from_dot_data(d.dot_source())
    graph = d._make_graph()
    nodes = {unquote(n.get_name()): n for n in parsed.get_nodes() if n.get_name() != "graph"}
    assert set(nodes) == set(graph)
    edges = {(unquote(e.get_source()), unquote(e.get_destination())): e for e in parsed.get_edges()}
    assert set(edges) == set(graph.edges)
    assert unquote(nodes["`lab`.`session`"].get("shape")) == "box"
    assert unquote(nodes["`lab`.`_scan`"].get("fillcolor")) == "#00007F40"
    assert nodes["`lab`.`session`"].get("label") == "<<u>`lab`.`session`</u>>"
    assert unquote(nodes["`lab`.`_behavior`"].get("label")) == "`lab`.`_behavior`"
    assert unquote(nodes["0"].get("shape")) == "circle"
    assert unquote(edges["`lab`.`#rig`", "`lab`.`session`"].get("style")) == "dashed"
    assert unquote(edges["`lab`.`session`", "`lab`.`_behavior`"].get("penwidth")) == "2"
    assert unquote(edges["`lab`.`_scan`", "`lab`.`_scan__field`"].get("weight")) == "3"
    assert all(unquote(e.get("arrowhead")) == "none" for e in edges.values())


def test_make_dot_returns_a_pydot_graph_with_class_labels(chain_graph):
    dot = dj.Diagram.from_graph(chain_graph, context={"Scan": Scan}).make_dot()
    assert isinstance(dot, pydot.Dot)
    names = {unquote(n.get_name()) for n in dot.get_nodes()}
    assert {"Scan", "Scan.Field", "`chain`.`session`"} <= names
    (node,) = dot.get_node('"Scan.Field"')
    assert unquote(node.get("shape")) == "plaintext"
    (reparsed,) = pydot.graph_from_dot_data(dot.to_string())
    assert len(reparsed.get_edges()) == 4


def test_special_characters_are_escaped_in_dot(chain_graph):
    context = {'We"ird': Scan}
    source = dj.Diagram.from_graph(chain_graph, context=context).dot_source()
    (parsed,) = pydot.graph_from_dot_data(source)
    assert '"We\\"ird"' in {n.get_name() for n in parsed.get_nodes()}


def test_mermaid_has_every_table_and_foreign_key(pipeline_graph):
    d = dj.Diagram.from_graph(pipeline_graph, context={})
    text = d.make_mermaid()
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    ids = dict(re.findall(r'^    (n\d+)[\[(]+"([^"]*)"', text, re.M))
    labels = {re.sub("</?u>", "", label).strip() for label in ids.values()}
    graph = d._make_graph()
    tables = {n for n in graph if not n.isdigit()}
    assert labels - {""} == tables
    links = re.findall(r"^    (n\d+) (---|===|-\.-) (n\d+)$", text, re.M)
    assert len(links) == graph.number_of_edges()
    by_label = {re.sub("</?u>", "", v): k for k, v in ids.items()}
    assert (by_label["`lab`.`#rig`"], "-.-", by_label["`lab`.`session`"]) in links
    assert (by_label["`lab`.`session`"], "===", by_label["`lab`.`_behavior`"]) in links
    assert "classDef djComputed fill:#ff0000" in text
    assert re.search(r'n\d+\(\["`lab`.`__activity`"\]\):::djComputed', text)


def test_make_dot_without_pydot_names_the_extra(chain_graph, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pydot", None)  # what Python does for a missing module
    d = dj.Diagram.from_graph(chain_graph, context={})
    with pytest.raises(dj.MissingExtraError, match=r"dj-diagram\[dot\]"):
        d.make_dot()
    assert d.dot_source().startswith('digraph "Diagram"')
