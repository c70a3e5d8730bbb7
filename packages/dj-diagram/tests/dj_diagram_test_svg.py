"""Reading our SVG back: nodes with their boxes and labels, edges; the drawing checks."""

from __future__ import annotations

import itertools
import re
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


def edge_paths(root) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Points sampled along each edge's path (`M x,y C ... C ...` as we write it)."""
    paths = {}
    for group in root.iterfind(".//svg:g[@class='edge']", NS):
        key = tuple(group.find("svg:title", NS).text.split("->"))
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", group.find("svg:path", NS).get("d"))]
        points = list(zip(numbers[::2], numbers[1::2]))
        samples = [points[0]]
        for i in range(1, len(points), 3):
            p0, p1, p2, p3 = points[i - 1], *points[i : i + 3]
            for k in range(1, 13):
                t = k / 12
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
                samples.append(
                    (
                        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
                    )
                )
        paths[key] = samples
    return paths


def inside(point, box, shape) -> bool:
    x, y = point
    if shape == "ellipse":
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        rx, ry = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
        return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 0.999
    return box[0] < x < box[2] and box[1] < y < box[3]


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_drawing(diagram) -> None:
    """Every table and edge present, inside the canvas, no overlap, labels fit, parents
    above children, no edge through another node."""
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
    # no edge cuts through a node other than its own two ends (grid lookup keeps it fast)
    cell = 50.0
    grid: dict[tuple[int, int], list[str]] = {}
    for title, (box, _, _) in nodes.items():
        for gx in range(int(box[0] // cell), int(box[2] // cell) + 1):
            for gy in range(int(box[1] // cell), int(box[3] // cell) + 1):
                grid.setdefault((gx, gy), []).append(title)
    for (source, target), points in edge_paths(root).items():
        ends = nodes[source][0], nodes[target][0]
        assert min(abs(points[0][1] - ends[0][3]), abs(points[0][1] - ends[0][1])) < 10
        for point in points:
            for title in grid.get((int(point[0] // cell), int(point[1] // cell)), ()):
                if title not in (source, target):
                    box, shape, _ = nodes[title]
                    assert not inside(point, box, shape), (source, target, title, point)
