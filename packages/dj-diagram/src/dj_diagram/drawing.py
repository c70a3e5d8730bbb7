"""What to draw: the styled nodes and edges every renderer (SVG, DOT, Mermaid, PNG) shares.

A `Drawing` is built once from the diagram's prepared graph (`Diagram._make_graph`) so
that all output formats show the same nodes, labels, tiers and edge kinds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from .layout import Layout, layered_layout
from .styles import NODE_STYLES, NodeStyle, text_width
from .tiers import Tier, master_name

__all__ = ["DrawEdge", "DrawNode", "Drawing", "format_tooltip", "layout_drawing", "node_size"]

Measure = Callable[[str, float], float]


@dataclass
class DrawNode:
    id: str  # the label node of the prepared graph: class name, full name or alias number
    name: str  # full table name, or the alias number
    tier: Tier
    distinguished: bool
    tooltip: str | None

    @property
    def style(self) -> NodeStyle:
        return NODE_STYLES[self.tier]

    @property
    def text(self) -> str:
        """The visible label; alias dots carry none."""
        return "" if self.tier is Tier.ALIAS else self.id


@dataclass
class DrawEdge:
    source: str
    target: str
    primary: bool
    multi: bool
    aliased: bool
    master_part: bool

    @property
    def weight(self) -> float:
        """Master → part edges pull hardest so parts hang right under their master, then
        one-to-one extensions (a Computed table of a Manual one) so they line up."""
        if self.master_part:
            return 3.0
        return 2.0 if not self.multi else 1.0


@dataclass
class Drawing:
    nodes: list[DrawNode]
    edges: list[DrawEdge]
    title: str = "Diagram"

    def node(self, node_id: str) -> DrawNode:
        return self._index[node_id]

    def __post_init__(self) -> None:
        self._index = {node.id: node for node in self.nodes}

    @classmethod
    def from_graph(cls, graph: nx.DiGraph, title: str = "Diagram") -> Drawing:
        """From a prepared graph whose nodes carry `node_type`, `distinguished`,
        `full_table_name` and optionally `tooltip`, and whose edges carry the foreign-key
        flags."""
        nodes = [
            DrawNode(
                id=str(node),
                name=data.get("full_table_name", str(node)),
                tier=Tier(data.get("node_type") or Tier.NONE),
                distinguished=bool(data.get("distinguished")),
                tooltip=data.get("tooltip"),
            )
            for node, data in graph.nodes(data=True)
        ]
        names = {node.id: node.name for node in nodes}
        edges = [
            DrawEdge(
                source=str(u),
                target=str(v),
                primary=bool(data.get("primary", True)),
                multi=bool(data.get("multi", True)),
                aliased=bool(data.get("aliased", False)),
                master_part=master_name(names[str(v)]) == names[str(u)],
            )
            for u, v, data in graph.edges(data=True)
        ]
        return cls(nodes, edges, title)


def node_size(node: DrawNode, measure: Measure = text_width) -> tuple[float, float]:
    """Width and height in points: the tier's minimum, grown until the label fits."""
    style = node.style
    minimum = style.size * 72
    if node.tier is Tier.ALIAS:
        return 7.0, 7.0
    text = measure(node.text, style.font_size)
    line = style.font_size * 1.25
    if style.shape == "box":
        return max(minimum, text + 16), max(26.0, line + 10)
    if style.shape == "plaintext":
        return max(minimum, text + 10), line + 6
    if style.shape == "ellipse":
        height = max(28.0, line + 12)
        # semi-axis so the text's corners (half-width text/2 + 3, half-height line/2) fit
        inner = 1 - (line / 2 / (height / 2)) ** 2
        half = (text / 2 + 3) / math.sqrt(inner)
        return max(minimum, 2 * half), height
    diameter = max(minimum, math.hypot(text + 6, line) + 2)
    return diameter, diameter


def layout_drawing(drawing: Drawing, measure: Measure = text_width) -> Layout:
    sizes = {node.id: node_size(node, measure) for node in drawing.nodes}
    edges = [(edge.source, edge.target, edge.weight) for edge in drawing.edges]
    return layered_layout(sizes, edges)


def format_tooltip(description: str) -> str:
    """A table's `describe()` text shortened for hovering: no comments, attribute names
    and defaults only, foreign keys kept with an arrow, the key divider as a dash line."""
    lines: list[str] = []
    for raw in description.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("---") or line.startswith("___"):
            lines.append("-" * 30)
        elif "->" in line:
            lines.append(line.replace("->", "\u2192"))
        else:
            lines.append(line.split(":", 1)[0].rstrip())
    return "\n".join(lines)
