"""The drawing as a Mermaid flowchart, which GitHub, GitLab and many wikis render natively.

Node ids are generated (`n0`, `n1`, …) because class and table names contain dots and
backticks that Mermaid ids do not allow; the label carries the name. Tiers become
`classDef` styles; edges use Mermaid's link kinds: thick for one-to-one, solid for
primary, dotted for secondary foreign keys, none with an arrowhead (rows give direction).
"""

from __future__ import annotations

from .drawing import Drawing
from .styles import NODE_STYLES, rgba
from .tiers import Tier

__all__ = ["render_mermaid"]

_SHAPES = {
    "box": ('["', '"]'),
    "plaintext": ('["', '"]'),
    "ellipse": ('(["', '"])'),
    "circle": ('(("', '"))'),
}


def _label(text: str) -> str:
    # Mermaid labels in quotes accept HTML entities; quotes themselves must be escaped
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _class_name(tier: Tier) -> str:
    """`djManual`, `djAlias`…: prefixed so no tier collides with a Mermaid keyword."""
    return "dj" + tier.value[:1].upper() + tier.value[1:]


def _class_def(tier: Tier) -> str:
    style = NODE_STYLES[tier]
    parts = []
    if style.fill is None:
        parts.append("fill:none")
    else:
        color, opacity = rgba(style.fill)
        parts.append(f"fill:{color}")
        parts.append(f"fill-opacity:{opacity:g}")
    if style.outline and style.fill:
        color, opacity = rgba(style.fill)
        parts.append(f"stroke:{color}")
    else:
        parts.append("stroke:none")
    font, _ = rgba(style.font_color)
    parts.append(f"color:{font}")
    if style.font_size:
        parts.append(f"font-size:{style.font_size:g}px")
    return f"    classDef {_class_name(tier)} {','.join(parts)}"


def render_mermaid(drawing: Drawing) -> str:
    """Mermaid `flowchart TB` text with one node per table, one link per foreign key."""
    ids = {node.id: f"n{i}" for i, node in enumerate(drawing.nodes)}
    lines = ["flowchart TB"]
    used: list[Tier] = []
    for node in drawing.nodes:
        opening, closing = _SHAPES[node.style.shape]
        text = _label(node.text) if node.text else " "
        if node.distinguished and node.text:
            text = f"<u>{text}</u>"
        lines.append(f"    {ids[node.id]}{opening}{text}{closing}:::{_class_name(node.tier)}")
        if node.tier not in used:
            used.append(node.tier)
    for edge in drawing.edges:
        if not edge.primary:
            link = "-.-"
        elif not edge.multi:
            link = "==="
        else:
            link = "---"
        lines.append(f"    {ids[edge.source]} {link} {ids[edge.target]}")
    lines.extend(_class_def(tier) for tier in used)
    if drawing.edges:
        lines.append("    linkStyle default stroke:#000000,stroke-opacity:0.25")
    return "\n".join(lines) + "\n"
