"""Rendering engines: graphviz's `dot` when installed, else our layout; PNG through either.

SVG never needs anything beyond this package. A PNG needs a rasteriser: graphviz's `dot`
program, or matplotlib, which draws the same layout the SVG uses (with matplotlib's own
text measurements, so labels fit in its font). matplotlib is imported here only, lazily,
and without pyplot, so no GUI backend is touched.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import shutil
import subprocess
from typing import Any

from .dot import dot_source
from .drawing import Drawing, layout_drawing
from .errors import DiagramError, MissingExtraError
from .layout import Layout
from .styles import FONT_FAMILY, edge_style, rgba
from .svg import edge_path, render_svg, strip_to_svg_element

__all__ = [
    "ENGINES",
    "choose_engine",
    "graphviz_available",
    "matplotlib_available",
    "render_png",
    "svg_text",
]

logger = logging.getLogger(__name__)

ENGINES = ("auto", "graphviz", "builtin")


def graphviz_available() -> bool:
    """Whether graphviz's `dot` program is on the PATH."""
    return shutil.which("dot") is not None


def matplotlib_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def choose_engine(engine: str) -> str:
    """ "graphviz" or "builtin" for a requested engine ("auto" prefers graphviz)."""
    if engine not in ENGINES:
        raise DiagramError(f"Unknown layout engine {engine!r}: use one of {', '.join(ENGINES)}.")
    if engine == "auto":
        return "graphviz" if graphviz_available() else "builtin"
    if engine == "graphviz" and not graphviz_available():
        raise DiagramError(
            "engine='graphviz' needs graphviz's `dot` program on the PATH; install graphviz "
            "(https://graphviz.org/download/) or use engine='builtin'."
        )
    return engine


def _run_dot(drawing: Drawing, output_format: str) -> bytes:
    result = subprocess.run(
        ["dot", f"-T{output_format}"],
        input=dot_source(drawing).encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise DiagramError(
            f"graphviz's dot failed ({result.returncode}): {result.stderr.decode()[-2000:]}; "
            "use engine='builtin' to draw without graphviz."
        )
    return result.stdout


def svg_text(drawing: Drawing, engine: str = "auto") -> str:
    """The SVG element (no prolog) drawn by the chosen engine."""
    if choose_engine(engine) == "graphviz":
        return strip_to_svg_element(_run_dot(drawing, "svg").decode())
    return render_svg(drawing)


# ----------------------------------------------------------------------------- matplotlib

_PREFERRED_FONTS = (FONT_FAMILY, "Helvetica", "Liberation Sans", "Arimo", "DejaVu Sans")


def _font_family() -> str:
    from matplotlib import font_manager

    available = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in _PREFERRED_FONTS if name in available), "sans-serif")


def _matplotlib_measure():
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    family = _font_family()
    converter = TextToPath()
    cache: dict[tuple[str, float], float] = {}

    def measure(text: str, size: float) -> float:
        key = (text, size)
        if key not in cache:
            properties = FontProperties(family=family, size=size)
            width, _, _ = converter.get_text_width_height_descent(text, properties, ismath=False)
            cache[key] = width
        return cache[key]

    return measure, family


def _mpl_color(color: str | None) -> Any:
    if color is None:
        return "none"
    hex_color, opacity = rgba(color)
    red, green, blue = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (red, green, blue, opacity)


def _draw_with_matplotlib(drawing: Drawing, dpi: float) -> bytes:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Ellipse, PathPatch, Rectangle
        from matplotlib.path import Path
    except ImportError as error:  # pragma: no cover - checked by the caller
        raise MissingExtraError(
            "Rendering a PNG without graphviz needs matplotlib: pip install 'dj-diagram[plot]'."
        ) from error
    measure, family = _matplotlib_measure()
    layout: Layout = layout_drawing(drawing, measure)
    width, height = max(layout.width, 1.0), max(layout.height, 1.0)
    figure = Figure(figsize=(width / 72, height / 72), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.axis("off")
    for i, edge in enumerate(drawing.edges):
        style = edge_style(edge.primary, edge.multi)
        controls = edge_path(layout, drawing, i)
        codes = [Path.MOVETO] + [Path.CURVE4] * (len(controls) - 1)
        axes.add_patch(
            PathPatch(
                Path(controls, codes),
                facecolor="none",
                edgecolor=_mpl_color(style.color),
                linewidth=style.width,
                linestyle=(0, (5, 2)) if style.dashed else "solid",
            )
        )
    for node in drawing.nodes:
        placed = layout.nodes[node.id]
        style = node.style
        fill = _mpl_color(style.fill)
        edge_color = _mpl_color(style.fill) if style.outline else "none"
        if style.shape in ("ellipse", "circle"):
            patch = Ellipse((placed.x, placed.y), placed.width, placed.height)
        else:
            left, top, _, _ = placed.box
            patch = Rectangle((left, top), placed.width, placed.height)
        patch.set_facecolor(fill)
        patch.set_edgecolor(edge_color)
        patch.set_linewidth(0.8)
        axes.add_patch(patch)
        if node.text:
            color = _mpl_color(style.font_color)
            axes.text(
                placed.x,
                placed.y,
                node.text,
                ha="center",
                va="center_baseline",
                fontsize=style.font_size,
                family=family,
                color=color,
            )
            if node.distinguished:
                half = measure(node.text, style.font_size) / 2
                y = placed.y + style.font_size * 0.45
                axes.plot([placed.x - half, placed.x + half], [y, y], color=color, linewidth=0.8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def render_png(drawing: Drawing, engine: str = "auto", dpi: float = 144) -> io.BytesIO:
    """PNG bytes in a BytesIO: graphviz when chosen, else matplotlib drawing our layout."""
    chosen = choose_engine(engine)
    if chosen == "graphviz":
        return io.BytesIO(_run_dot(drawing, "png"))
    if not matplotlib_available():
        raise MissingExtraError(
            "Rendering a PNG needs a rasteriser: pip install 'dj-diagram[plot]' (matplotlib), "
            "or install graphviz's `dot` program. SVG output (make_svg, save('x.svg')) "
            "needs neither."
        )
    return io.BytesIO(_draw_with_matplotlib(drawing, dpi))
