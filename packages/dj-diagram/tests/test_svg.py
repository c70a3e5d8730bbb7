"""SVG from the built-in layout: valid XML, every table and edge, nothing overlapping,
labels inside their shapes, parents above children."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import dj_diagram as dj
import pytest
from dj_diagram import DiagramError
from dj_diagram_test_schemas import dependency_graph, pipeline_schema
from dj_diagram_test_svg import NS, check_drawing, parse


def test_the_pipeline_draws_cleanly(pipeline_graph):
    check_drawing(dj.Diagram.from_graph(pipeline_graph, context={}))


def test_a_selection_with_an_alias_gap_draws_cleanly(pipeline_graph):
    d = dj.Diagram.from_graph(pipeline_graph, ["`lab`.`lab_member`"], context={}) + 2
    assert "0" in d.nodes_to_show
    check_drawing(d)


def test_two_hundred_tables_draw_cleanly(big_graph):
    check_drawing(dj.Diagram.from_graph(big_graph, context={}))


def test_class_name_labels_are_drawn(chain_graph):
    class Subject:
        full_table_name = "`chain`.`subject`"

    svg = dj.Diagram.from_graph(chain_graph, context={"Subject": Subject}).make_svg("builtin")
    _, nodes, _ = parse(svg.data)
    assert "Subject" in nodes and "`chain`.`session`" in nodes


def test_styles_follow_the_tiers(pipeline_graph):
    svg = dj.Diagram.from_graph(pipeline_graph, context={}).make_svg(engine="builtin").data
    root = ET.fromstring(svg)
    by_title = {g.find("svg:title", NS).text: g for g in root.iterfind(".//svg:g", NS)}
    manual = by_title["`lab`.`session`"].find(".//svg:rect", NS)
    assert manual.get("fill") == "#00ff00"
    computed = by_title["`lab`.`__activity`"].find(".//svg:ellipse", NS)
    assert computed.get("fill") == "#ff0000"
    part = by_title["`lab`.`_scan__field`"].find(".//svg:rect", NS)
    assert part.get("fill") == "none" and part.get("stroke") == "none"
    secondary = by_title["`lab`.`#rig`->`lab`.`session`"].find("svg:path", NS)
    assert secondary.get("stroke-dasharray")
    one_to_one = by_title["`lab`.`session`->`lab`.`_behavior`"].find("svg:path", NS)
    assert one_to_one.get("stroke-width") == "2" and one_to_one.get("stroke-dasharray") is None
    underlined = by_title["`lab`.`session`"].find(".//svg:line", NS)
    assert underlined is not None
    assert by_title["`lab`.`_behavior`"].find(".//svg:line", NS) is None


def test_tooltips_name_the_table_and_its_key(chain_graph):
    svg = dj.Diagram.from_graph(chain_graph, context={}).make_svg(engine="builtin").data
    root = ET.fromstring(svg)
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in root.iter(f"{{{NS['svg']}}}a")]
    assert "`chain`.`session`\nprimary key: session_id, subject_id" in titles


def test_repr_svg_is_the_bare_svg_element(chain_graph):
    text = dj.Diagram.from_graph(chain_graph, context={})._repr_svg_()
    assert text.startswith("<svg") and text.endswith("svg>")
    ET.fromstring(text)


def test_engine_choice(chain_graph, monkeypatch, tmp_path):
    d = dj.Diagram.from_graph(chain_graph, context={})
    with pytest.raises(DiagramError, match="Unknown layout engine"):
        d.make_svg(engine="neato")
    monkeypatch.setenv("PATH", str(tmp_path))  # no graphviz reachable
    with pytest.raises(DiagramError, match="install graphviz"):
        d.make_svg(engine="graphviz")
    assert d.make_svg().data == d.make_svg(engine="builtin").data


def test_an_empty_selection_is_a_valid_empty_svg(chain_graph):
    svg = dj.Diagram.from_graph(chain_graph, [], context={}).make_svg(engine="builtin").data
    root, nodes, edges = parse(svg)
    assert nodes == {} and edges == set() and root.tag.endswith("svg")


def test_save_svg_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    d = dj.Diagram.from_graph(dependency_graph(pipeline_schema()), context={})
    target = tmp_path / "pipeline.SVG"
    d.save(target)
    _, nodes, _ = parse(target.read_text())
    assert len(nodes) == 34  # 31 tables and 3 renamed foreign keys
