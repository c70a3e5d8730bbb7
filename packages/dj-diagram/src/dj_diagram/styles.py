"""How each tier and each kind of foreign key looks, shared by every renderer.

The shapes and colours follow DataJoint's long-standing diagrams so users recognise
tiers at a glance (green boxes for Manual, grey text for Lookup, blue ellipses for
Imported, red ellipses for Computed, orange dots for renamed foreign keys). Sizes are
minimums: unlike a fixed-size node, a label always fits inside its shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tiers import Tier

__all__ = [
    "EDGE_COLOR",
    "FONT_FAMILY",
    "NODE_STYLES",
    "EdgeStyle",
    "NodeStyle",
    "edge_style",
    "rgba",
    "text_width",
]

FONT_FAMILY = "Arial"
EDGE_COLOR = "#00000040"


@dataclass(frozen=True)
class NodeStyle:
    """One tier's look. `size` is the minimum width and height in inches."""

    shape: str  # box, plaintext, ellipse, circle
    fill: str | None  # #RRGGBBAA, None for no fill
    font_color: str
    font_size: float
    size: float
    outline: bool  # whether the shape's border is drawn


NODE_STYLES: dict[Tier, NodeStyle] = {
    Tier.MANUAL: NodeStyle("box", "#00FF0030", "#006400", 12, 0.48, True),
    Tier.LOOKUP: NodeStyle("plaintext", "#00000020", "#000000", 10, 0.48, False),
    Tier.IMPORTED: NodeStyle("ellipse", "#00007F40", "#00007FA0", 12, 0.48, True),
    Tier.COMPUTED: NodeStyle("ellipse", "#FF000020", "#7F0000A0", 12, 0.36, True),
    Tier.PART: NodeStyle("plaintext", None, "#000000", 10, 0.12, False),
    Tier.ALIAS: NodeStyle("circle", "#FF880080", "#FF880080", 0, 0.06, True),
    Tier.NONE: NodeStyle("circle", "#FFFF0040", "#FFFF00", 10, 0.48, True),
}


@dataclass(frozen=True)
class EdgeStyle:
    """Solid for primary foreign keys, dashed for secondary; thick for one-to-one."""

    dashed: bool
    width: float
    color: str = EDGE_COLOR


def edge_style(primary: bool, multi: bool) -> EdgeStyle:
    return EdgeStyle(dashed=not primary, width=0.75 if multi else 2.0)


def rgba(color: str) -> tuple[str, float]:
    """`#RRGGBB[AA]` → (`#rrggbb`, opacity): SVG 1.1 and most viewers want them apart."""
    digits = color.lstrip("#")
    if len(digits) == 8:
        return "#" + digits[:6].lower(), round(int(digits[6:], 16) / 255, 3)
    return "#" + digits[:6].lower(), 1.0


# Advance widths of Helvetica/Arial (1/1000 em) for printable ASCII, from the font
# metrics; used to size nodes without a font rasteriser.
_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~",
        [
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ],
    )
)  # fmt: skip


def text_width(text: str, font_size: float) -> float:
    """Width in points of `text` set in Arial at `font_size` (unknown glyphs: 0.6 em)."""
    return sum(_WIDTHS.get(char, 600) for char in text) * font_size / 1000.0
