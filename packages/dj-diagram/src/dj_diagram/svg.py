"""SVG text from a laid-out drawing, with no graphviz and no XML library.

The structure mirrors graphviz's SVG (`<g class="node">` / `<g class="edge">` groups
with a `<title>`, tooltips as `xlink:title`) so tools and tests that read one read the
other. Colours are written as an RGB colour plus an opacity, which every SVG viewer
understands; each label carries its computed `textLength`, so it stays inside its
shape even where Arial is missing and a wider font is substituted.
"""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape, quoteattr

from .drawing import Drawing, layout_drawing
from .layout import Layout, attach_point
from .styles import FONT_FAMILY, edge_style, rgba, text_width

__all__ = ["edge_path", "render_svg", "strip_to_svg_element"]


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _paint(attribute: str, color: str | None) -> str:
    if color is None:
        return f'{attribute}="none"'
    hex_color, opacity = rgba(color)
    text = f'{attribute}="{hex_color}"'
    if opacity < 1:
        text += f' {attribute}-opacity="{_num(opacity)}"'
    return text


def edge_path(layout: Layout, drawing: Drawing, index: int) -> list[tuple[float, float]]:
    """The edge's cubic Bézier control points: [start, (c1, c2, end) * segments].

    The edge leaves its source's bottom and runs straight down to the bottom of the
    source's row, runs straight through every row it crosses (in the column reserved for
    it), and enters its target's row straight down to the target's top; between rows,
    each segment leaves and arrives vertically, so the curve is smooth and never cuts
    sideways through a row of nodes.
    """
    route = layout.routes[index]
    source = layout.nodes[route.source]
    target = layout.nodes[route.target]
    inner = route.points[1:-1]
    next_x = inner[0][0] if inner else target.x
    previous_x = inner[-1][0] if inner else source.x
    start = attach_point(source, drawing.node(str(route.source)).style.shape, next_x, True)
    end = attach_point(target, drawing.node(str(route.target)).style.shape, previous_x, False)
    points = [
        start,
        (start[0], layout.rows[source.layer][1]),
        *inner,
        (end[0], layout.rows[target.layer][0]),
        end,
    ]
    controls = [points[0]]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        half, lean = (y2 - y1) / 2, (x2 - x1) / 5
        controls.extend([(x1 + lean, y1 + half), (x2 - lean, y2 - half), (x2, y2)])
    return controls


def _path_data(controls: list[tuple[float, float]]) -> str:
    parts = [f"M{_num(controls[0][0])},{_num(controls[0][1])}"]
    for i in range(1, len(controls), 3):
        (ax, ay), (bx, by), (cx, cy) = controls[i : i + 3]
        parts.append(f"C{_num(ax)},{_num(ay)} {_num(bx)},{_num(by)} {_num(cx)},{_num(cy)}")
    return " ".join(parts)


def render_svg(drawing: Drawing, layout: Layout | None = None) -> str:
    """The whole drawing as one `<svg>` element (no XML prolog, no trailing newline)."""
    if layout is None:
        layout = layout_drawing(drawing)
    width, height = max(layout.width, 1.0), max(layout.height, 1.0)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{_num(width)}pt" height="{_num(height)}pt" '
        f'viewBox="0 0 {_num(width)} {_num(height)}">',
        f'<g id="graph0" class="graph" font-family="{FONT_FAMILY},Helvetica,sans-serif">',
        f"<title>{escape(drawing.title)}</title>",
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
    ]
    for i, edge in enumerate(drawing.edges):
        style = edge_style(edge.primary, edge.multi)
        dash = ' stroke-dasharray="5,2"' if style.dashed else ""
        out.append(
            f'<g id="edge{i + 1}" class="edge">'
            f"<title>{escape(edge.source)}&#45;&gt;{escape(edge.target)}</title>"
            f'<path fill="none" {_paint("stroke", style.color)} '
            f'stroke-width="{_num(style.width)}"{dash} '
            f'd="{_path_data(edge_path(layout, drawing, i))}"/></g>'
        )
    for i, node in enumerate(drawing.nodes):
        placed = layout.nodes[node.id]
        style = node.style
        fill = _paint("fill", style.fill)
        stroke = _paint("stroke", style.fill if style.outline else None)
        if style.shape in ("ellipse", "circle"):
            shape = (
                f'<ellipse cx="{_num(placed.x)}" cy="{_num(placed.y)}" '
                f'rx="{_num(placed.width / 2)}" ry="{_num(placed.height / 2)}" {fill} {stroke}/>'
            )
        else:
            left, top, _, _ = placed.box
            shape = (
                f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(placed.width)}" '
                f'height="{_num(placed.height)}" {fill} {stroke}/>'
            )
        text = ""
        if node.text:
            length = text_width(node.text, style.font_size)
            baseline = placed.y + style.font_size * 0.35
            text = (
                f'<text x="{_num(placed.x)}" y="{_num(baseline)}" text-anchor="middle" '
                f'font-size="{_num(style.font_size)}" {_paint("fill", style.font_color)} '
                f'textLength="{_num(length)}" lengthAdjust="spacingAndGlyphs">'
                f"{escape(node.text)}</text>"
            )
            if node.distinguished:
                underline_y = baseline + 1.5
                text += (
                    f'<line x1="{_num(placed.x - length / 2)}" y1="{_num(underline_y)}" '
                    f'x2="{_num(placed.x + length / 2)}" y2="{_num(underline_y)}" '
                    f'{_paint("stroke", style.font_color)} stroke-width="0.8"/>'
                )
        tooltip = node.tooltip or node.name
        out.append(
            f'<g id="node{i + 1}" class="node"><title>{escape(node.id)}</title>'
            f"<a xlink:title={quoteattr(tooltip)}>{shape}{text}</a></g>"
        )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def strip_to_svg_element(svg: str) -> str:
    """Only the `<svg …>…</svg>` element: what Jupyter's `_repr_svg_` expects (graphviz's
    output starts with an XML prolog, a DOCTYPE and comments)."""
    start = svg.find("<svg")
    end = svg.rfind("</svg>")
    if start < 0 or end < 0:
        return svg.strip()
    return svg[start : end + len("</svg>")]
