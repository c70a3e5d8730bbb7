"""Reading our SVG back: nodes with their boxes and labels, edges; the drawing checks."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from dj_diagram.styles import text_width

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


def check_drawing(diagram) -> None:
    """Every table and edge present, inside the canvas, no overlap, labels fit, parents above."""
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
