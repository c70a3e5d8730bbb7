"""DataJoint diagrams: selection algebra on the dependency graph, DOT, Mermaid and SVG.

`Diagram` (aliases `ERD`, `Di`) draws a schema's tables by tier with their foreign keys.
SVG, DOT and Mermaid output need only networkx; graphviz's `dot` program is used for
the layout when installed, and the built-in layered layout otherwise. `make_dot()`
needs pydot (extra `dot`); PNG without graphviz, `make_image()` and `draw()` need
matplotlib (extra `plot`).
"""

from .diagram import ERD, Di, Diagram, SVGImage, diagram_active, plot_active
from .errors import DiagramError, MissingExtraError
from .layout import layered_layout
from .tiers import Tier

__version__ = "0.1.0"

__all__ = [
    "ERD",
    "Di",
    "Diagram",
    "DiagramError",
    "MissingExtraError",
    "SVGImage",
    "Tier",
    "__version__",
    "diagram_active",
    "layered_layout",
    "plot_active",
]
