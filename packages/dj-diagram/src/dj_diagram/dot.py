"""The drawing in graphviz's DOT language: as text (no dependency) or as a `pydot.Dot`.

`make_dot()` returns a `pydot.Dot` because user code calls pydot methods on it
(`write_png`, `create_svg`); pydot is an optional extra imported only there. The DOT
text is generated here, without pydot, and is what graphviz lays out when its `dot`
program is installed.
"""

from __future__ import annotations

import html
from typing import Any

from .drawing import DrawEdge, Drawing, DrawNode
from .errors import MissingExtraError
from .styles import FONT_FAMILY, edge_style
from .tiers import Tier

__all__ = ["dot_source", "edge_attributes", "make_pydot", "node_attributes"]


def node_attributes(node: DrawNode) -> dict[str, str]:
    """Graphviz attributes of one node (values unquoted; HTML labels as `<…>`)."""
    style = node.style
    if node.distinguished and node.text:
        label = f"<<u>{html.escape(node.text)}</u>>"
    else:
        label = node.text
    attributes = {
        "shape": style.shape,
        "style": "filled",
        "color": style.fill or "#00000000",
        "fillcolor": style.fill or "#00000000",
        "fontcolor": style.font_color,
        "fontname": FONT_FAMILY,
        "fontsize": f"{style.font_size:g}",
        "width": f"{style.size:g}",
        "height": f"{style.size:g}",
        # only the alias dot keeps a fixed size: every label must fit its shape
        "fixedsize": "true" if node.tier is Tier.ALIAS else "false",
        "label": label,
    }
    if node.tooltip:
        attributes["tooltip"] = node.tooltip
    return attributes


def edge_attributes(edge: DrawEdge) -> dict[str, str]:
    style = edge_style(edge.primary, edge.multi)
    return {
        "color": style.color,
        "style": "dashed" if style.dashed else "solid",
        "penwidth": f"{style.width:g}",
        "arrowhead": "none",
        "weight": f"{edge.weight:g}",
    }


def _quote(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        return value  # an HTML label
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attribute_list(attributes: dict[str, str]) -> str:
    return ", ".join(f"{key}={_quote(value)}" for key, value in attributes.items())


def dot_source(drawing: Drawing) -> str:
    """The drawing as DOT text: nodes with their tier styles, edges with theirs."""
    lines = [
        f"digraph {_quote(drawing.title)} {{",
        "  graph [rankdir=TB, nodesep=0.25, ranksep=0.5];",
    ]
    for node in drawing.nodes:
        lines.append(f"  {_quote(node.id)} [{_attribute_list(node_attributes(node))}];")
    for edge in drawing.edges:
        lines.append(
            f"  {_quote(edge.source)} -> {_quote(edge.target)} "
            f"[{_attribute_list(edge_attributes(edge))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def make_pydot(drawing: Drawing) -> Any:
    """A `pydot.Dot` with the same nodes, edges and styles as `dot_source`."""
    try:
        import pydot
    except ImportError as error:
        raise MissingExtraError(
            "Diagram.make_dot() returns a pydot graph and needs pydot: "
            "pip install 'dj-diagram[dot]' (or pip install pydot)."
        ) from error
    graph = pydot.Dot(_quote(drawing.title), graph_type="digraph", rankdir="TB")
    for node in drawing.nodes:
        attributes = {key: _quote(value) for key, value in node_attributes(node).items()}
        graph.add_node(pydot.Node(_quote(node.id), **attributes))
    for edge in drawing.edges:
        attributes = {key: _quote(value) for key, value in edge_attributes(edge).items()}
        graph.add_edge(pydot.Edge(_quote(edge.source), _quote(edge.target), **attributes))
    return graph
