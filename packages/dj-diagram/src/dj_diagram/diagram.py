"""`Diagram`: a selection of tables on the dependency graph, and its renderings.

A Diagram copies the connection's whole dependency graph (so expanding a selection
can reach any neighbour) and keeps the displayed subset in `nodes_to_show`. The
operators only change that subset and always return a new Diagram. Rendering goes
through one prepared `Drawing`, so DOT, Mermaid, SVG and PNG show the same thing; none
of them needs graphviz, and pydot/matplotlib are imported only by the methods that
need them.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
from dj_core.dependencies import topo_sort
from dj_core.describe import describe
from dj_core.heading import Heading
from dj_core.table_names import compose

from .dot import dot_source, make_pydot
from .drawing import Drawing, format_tooltip
from .errors import DiagramError, MissingExtraError
from .labels import find_classes
from .mermaid import render_mermaid
from .raster import matplotlib_available, render_png, svg_text
from .source import caller_namespace, resolve_source
from .tiers import Tier, is_alias, master_name, tier_of

__all__ = ["ERD", "Di", "Diagram", "SVGImage", "diagram_active", "plot_active"]

logger = logging.getLogger(__name__)

#: Diagrams work whenever this package imports (networkx is a dependency).
diagram_active = True
#: Whether matplotlib can be imported (for make_png without graphviz, make_image, draw).
plot_active = matplotlib_available()


class SVGImage:
    """SVG text that Jupyter displays (used when IPython is not installed)."""

    def __init__(self, data: str):
        self.data = data

    def _repr_svg_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


def _svg_object(text: str) -> Any:
    try:
        from IPython.display import SVG
    except ImportError:
        return SVGImage(text)
    return SVG(data=text)


class Diagram(nx.DiGraph):
    """Tables selected on the dependency graph, drawn with their tiers and foreign keys.

    `Diagram(source, context=None)`: `source` is a schema, a table class or object, a
    module holding a `schema`, or another Diagram. `context` is the namespace whose
    class names label the tables (default: the caller's globals and locals).
    """

    def __init__(self, source: Any = None, context: Mapping[str, Any] | None = None):
        self._connection: Any = None
        if source is None:  # networkx builds empty instances of graph classes (copy, views)
            super().__init__()
            self.nodes_to_show: set[str] = set()
            self.context: Mapping[str, Any] = {} if context is None else context
            return
        if isinstance(source, Diagram):
            super().__init__(source)
            self.nodes_to_show = set(source.nodes_to_show)
            self.context = source.context if context is None else context
            self._connection = source._connection
            return
        resolved = resolve_source(source)
        super().__init__(resolved.graph)
        self.nodes_to_show = set(resolved.nodes)
        self._connection = resolved.connection
        self.context = caller_namespace() if context is None else context

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_graph(
        cls,
        graph: nx.DiGraph,
        select: Iterable[str] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Diagram:
        """A Diagram over a dependency graph given directly (e.g. one built without a
        server); `select` defaults to every table of the graph."""
        diagram = cls()
        diagram.add_nodes_from(graph.nodes(data=True))
        diagram.add_edges_from(graph.edges(data=True))
        chosen = {n for n in graph if not is_alias(n)} if select is None else set(select)
        missing = sorted(chosen - set(graph))
        if missing:
            raise DiagramError(
                f"Cannot select {', '.join(missing)}: not in the dependency graph. "
                f"Select full table names such as {compose('db', 'table')} that are nodes of "
                "the graph."
            )
        diagram.nodes_to_show = chosen
        diagram.context = caller_namespace() if context is None else context
        return diagram

    @classmethod
    def from_sequence(cls, sequence: Iterable[Any]) -> Diagram:
        """The union of `Diagram(item)` for every item."""
        context = caller_namespace()
        diagrams = [item if isinstance(item, Diagram) else cls(item, context) for item in sequence]
        if not diagrams:
            raise DiagramError("Diagram.from_sequence needs at least one schema or table.")
        return functools.reduce(lambda a, b: a + b, diagrams)

    # ------------------------------------------------------------------ algebra

    def _names_of(self, argument: Any) -> set[str]:
        """The tables an operand stands for, checked against this diagram's graph."""
        if isinstance(argument, Diagram):
            return set(argument.nodes_to_show)
        if isinstance(argument, str):
            names = {argument}
        else:
            try:
                name = getattr(argument, "full_table_name", None)
            except Exception:
                name = None
            if isinstance(name, str):
                names = {name}
            else:
                return set(Diagram(argument, context=self.context).nodes_to_show)
        missing = sorted(n for n in names if n not in self)
        if missing:
            raise DiagramError(
                f"{', '.join(missing)} is not in this diagram's dependency graph: build the "
                "Diagram after declaring the table (the graph is read when it is built)."
            )
        return names

    def _expanded(self, steps: int, downstream: bool) -> Diagram:
        result = Diagram(self)
        neighbours = self.successors if downstream else self.predecessors
        shown = result.nodes_to_show
        for _ in range(steps):
            new = {n for node in shown for n in neighbours(node)} - shown
            if not new:
                break
            # a renamed foreign key passes through an alias node: it costs one step
            for alias in [n for n in new if is_alias(n)]:
                new.update(neighbours(alias))
            shown |= new
        return result

    def __add__(self, argument: Any) -> Diagram:
        """`+ n`: n steps downstream; `+ diagram` / `+ table`: union."""
        if isinstance(argument, int) and not isinstance(argument, bool):
            return self._expanded(argument, downstream=True)
        result = Diagram(self)
        result.nodes_to_show |= self._names_of(argument)
        return result

    def __sub__(self, argument: Any) -> Diagram:
        """`- n`: n steps upstream; `- diagram` / `- table`: difference."""
        if isinstance(argument, int) and not isinstance(argument, bool):
            return self._expanded(argument, downstream=False)
        result = Diagram(self)
        result.nodes_to_show -= self._names_of(argument)
        return result

    def __mul__(self, argument: Any) -> Diagram:
        """Intersection of selections."""
        result = Diagram(self)
        result.nodes_to_show &= self._names_of(argument)
        return result

    def add_parts(self) -> Diagram:
        """The selection plus every part table of each selected master."""
        result = Diagram(self)
        selected = set(self.nodes_to_show)
        for node in self:
            if not is_alias(node) and master_name(node) in selected:
                result.nodes_to_show.add(node)
        return result

    def topo_sort(self) -> list[str]:
        """Every table of the whole graph in dependency order (as DataJoint 0.14 does)."""
        return topo_sort(self)

    def topo_sort_selection(self) -> list[str]:
        """Only the selected tables, in dependency order."""
        shown = self.nodes_to_show
        return [node for node in topo_sort(self) if node in shown]

    # ------------------------------------------------------------------ drawing

    def _distinguished(self, node: str) -> bool:
        key = self.nodes[node].get("primary_key")
        if key is None:
            return False
        inherited = {
            attribute
            for _, _, data in self.in_edges(node, data=True)
            if data.get("primary")
            for attribute in data.get("attr_map", {})
        }
        return inherited < set(key)

    def _prepared(self) -> tuple[nx.DiGraph, dict[str, Any]]:
        shown = self.nodes_to_show
        gaps = {
            node
            for node in self
            if is_alias(node)
            and node not in shown
            and any(p in shown for p in self.predecessors(node))
            and any(c in shown for c in self.successors(node))
        }
        drawn = [node for node in self if node in shown or node in gaps]
        graph = nx.DiGraph()
        for node in drawn:
            data = self.nodes[node]
            attributes = {"node_type": tier_of(node), "full_table_name": node}
            if not is_alias(node):
                attributes["distinguished"] = self._distinguished(node)
                if "primary_key" in data:
                    attributes["primary_key"] = set(data["primary_key"])
            graph.add_node(node, **attributes)
        drawn_set = set(drawn)
        for u, v, data in self.edges(drawn_set, data=True):
            if v in drawn_set:
                graph.add_edge(u, v, **data)
        found = find_classes((n for n in drawn if not is_alias(n)), self.context)
        labels = {node: found[node][0] if node in found else node for node in drawn}
        counts: dict[str, int] = {}
        for label in labels.values():
            counts[label] = counts.get(label, 0) + 1
        for node, label in labels.items():
            if counts[label] > 1 and label != node:
                logger.warning("two tables are named %s in the context; showing %s", label, node)
                labels[node] = node
        classes = {labels[node]: cls for node, (_, cls) in found.items() if labels[node] != node}
        return nx.relabel_nodes(graph, labels), classes

    def _make_graph(self) -> nx.DiGraph:
        """The drawn graph: selected tables plus alias nodes between them, relabelled with
        class names, with node attributes `node_type`, `distinguished`, `primary_key`."""
        return self._prepared()[0]

    def _description(self, name: str, cls: Any) -> str | None:
        """The table's definition text: from its class when it can describe itself
        (dj-query tables), else from dj-core's `describe` on the stored heading."""
        if callable(getattr(cls, "describe", None)):
            try:
                text = cls().describe(context=self.context, printout=False)
            except Exception as error:  # a description is a nicety; the drawing goes on
                logger.debug("%s could not describe itself: %s", name, error)
            else:
                if isinstance(text, str):
                    return text
        connection = self._connection
        if connection is None:
            return None
        try:
            database, table = connection.dialect.split_full_table_name(name)
            heading = Heading.from_table(connection, database, table, self.context)
            return describe(heading, name, connection.dependencies, self.context)
        except Exception as error:
            logger.debug("no description for %s: %s", name, error)
            return None

    def _tooltip(self, data: Mapping[str, Any], cls: Any) -> str | None:
        """Hover text: the shortened definition when the table's class is known (as
        DataJoint does), else its full name and primary key."""
        if data.get("node_type") is Tier.ALIAS:
            return None
        name = data.get("full_table_name", "")
        if cls is not None:
            description = self._description(name, cls)
            if description:
                return format_tooltip(description)
        key = data.get("primary_key")
        return f"{name}\nprimary key: {', '.join(sorted(key))}" if key else name

    def _drawing(self) -> Drawing:
        graph, classes = self._prepared()
        for node, data in graph.nodes(data=True):
            data["tooltip"] = self._tooltip(data, classes.get(node))
        return Drawing.from_graph(graph)

    def dot_source(self) -> str:
        """The diagram in graphviz's DOT language, styled; needs neither pydot nor graphviz."""
        return dot_source(self._drawing())

    def make_dot(self) -> Any:
        """A `pydot.Dot` of the styled diagram (needs the `dot` extra: pydot)."""
        return make_pydot(self._drawing())

    def make_mermaid(self) -> str:
        """Mermaid flowchart text (renders on GitHub, GitLab, many wikis)."""
        return render_mermaid(self._drawing())

    def make_svg(self, engine: str = "auto") -> Any:
        """The rendered SVG: an IPython `SVG` when IPython is present, else an `SVGImage`.

        `engine`: "auto" (graphviz's `dot` when installed, else the built-in layout),
        "graphviz", or "builtin".
        """
        return _svg_object(svg_text(self._drawing(), engine))

    def make_png(self, engine: str = "auto", dpi: float = 144) -> io.BytesIO:
        """PNG bytes in a BytesIO, through graphviz or (without it) matplotlib."""
        return render_png(self._drawing(), engine, dpi)

    def make_image(self, engine: str = "auto") -> Any:
        """The rendered PNG as a numpy array (height x width x 3 or 4); needs matplotlib."""
        image = _matplotlib_module("matplotlib.image", "make_image")
        return image.imread(self.make_png(engine))

    def draw(self, engine: str = "auto") -> None:
        """Show the diagram in a matplotlib window or notebook cell."""
        pyplot = _matplotlib_module("matplotlib.pyplot", "draw")
        pyplot.imshow(self.make_image(engine))
        pyplot.gca().axis("off")
        pyplot.show()

    def save(self, filename: str | Path, format: str | None = None, engine: str = "auto") -> None:
        """Write `filename` as PNG or SVG; the format comes from `format` or the extension."""
        chosen = (format or Path(filename).suffix.lstrip(".")).lower()
        if chosen == "png":
            Path(filename).write_bytes(self.make_png(engine).getvalue())
        elif chosen == "svg":
            Path(filename).write_text(svg_text(self._drawing(), engine), encoding="utf-8")
        else:
            raise DiagramError(
                f"Unsupported file format {chosen or '(none)'!r} for {filename}: "
                "save as .png or .svg, or pass format='png' / format='svg'."
            )

    def _repr_svg_(self) -> str:
        return svg_text(self._drawing(), "auto")


def _matplotlib_module(name: str, method: str) -> Any:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise MissingExtraError(
            f"Diagram.{method}() needs matplotlib (pyplot was not imported): "
            "pip install 'dj-diagram[plot]'."
        ) from error


ERD = Diagram
Di = Diagram
