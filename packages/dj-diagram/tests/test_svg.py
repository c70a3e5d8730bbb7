"""SVG from the built-in layout: valid XML, every table and edge, nothing overlapping,
labels inside their shapes, parents above children."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import dj_diagram as dj
import pytest
from dj_diagram import DiagramError
from dj_diagram.styles import text_width
from dj_diagram_test_schemas import dependency_graph, pipeline_schema

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    """Nodes as {title: (box, shape, text_length, font_size, text_anchor_xy)}, edge titles."""
    root = ET.fromstring(svg)
    nodes = {}
    for group in root.iterfind(".//svg:g[@class='node']", NS):
        title = group.find("svg:title", NS).text
        rect = group.find(".//svg:rect", NS)
        ellipse = group.find(".//svg:ellipse", NS)
        if rect is not None:
            x, y = float(rect.get("x")), float(rect.get("y"))
            w, h = float(rect.get("width")), float(rect.get("height"))
            box, shape = (x, y, x + w, y + h), "rect"
        else:
            cx, cy = float(ellipse.get("cx")), float(ellipse.get("cy"))
            rx, ry = float(ellipse.get("rx")), float(ellipse.get("ry"))
            box, shape = (cx - rx, cy - ry, cx + rx, cy + ry), "ellipse"
        text = group.find(".//svg:text", NS)
        label = None
        if text is not None:
            label = (text.text, float(text.get("textLength")), float(text.get("font-size")))
        nodes[title] = (box, shape, label)
    edges = {
        tuple(group.find("svg:title", NS).text.split("->"))
        for group in root.iterfind(".//svg:g[@class='edge']", NS)
    }
    return root, nodes, edges


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_drawing(diagram: dj.Diagram) -> None:
    svg = diagram.make_svg(engine="builtin").data
    root, nodes, edges = parse(svg)
    graph = diagram._make_graph()
    assert set(nodes) == set(graph)
    assert edges == set(graph.edges)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for title, (box, shape, label) in nodes.items():
        assert 0 <= box[0] and box[2] <= width and 0 <= box[1] and box[3] <= height, title
        if label is None:
            assert graph.nodes[title]["node_type"] == "alias"
            continue
        text, length, size = label
        assert text == title
        assert length == pytest.approx(text_width(title, size), abs=0.01)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        half_w, half_h = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
        if shape == "rect":
            assert length / 2 < half_w and size / 2 < half_h, title
        else:  # the text's corners lie inside the ellipse
            assert (length / 2 / half_w) ** 2 + (size / 2 / half_h) ** 2 < 1, title
        assert cx > 0 and cy > 0
    for (a, box_a), (b, box_b) in itertools.combinations(((t, v[0]) for t, v in nodes.items()), 2):
        assert not overlap(box_a, box_b), (a, b)
    for source, target in edges:  # parents sit in higher rows
        assert nodes[source][0][3] < nodes[target][0][1], (source, target)


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
