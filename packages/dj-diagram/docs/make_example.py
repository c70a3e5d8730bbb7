"""Render the README's example diagram: `hatch run python packages/dj-diagram/docs/make_example.py`.

The 31-table pipeline of the tests (tests/dj_diagram_test_schemas.py), labelled with the
class names user code would have (parts nested in their masters), drawn by the built-in
layout (no graphviz) and rasterised by matplotlib.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import dj_diagram  # noqa: E402
from dj_diagram_test_schemas import dependency_graph, pipeline_schema  # noqa: E402


def camel(name: str) -> str:
    return "".join(word.capitalize() for word in re.split(r"[^a-z0-9]+", name) if word)


def table_classes(graph) -> dict[str, type]:
    """Classes named as DataJoint names them, with parts nested in their masters."""
    context: dict[str, type] = {}
    masters: dict[str, type] = {}
    for node in graph:
        if node.isdigit():
            continue
        table = node.rsplit(".", 1)[1].strip("`")
        base = table.lstrip("#_")
        if "__" in base:
            continue
        cls = type(camel(base), (), {"full_table_name": node})
        context[cls.__name__] = masters[node] = cls
    for node in graph:
        database, table = node.rsplit(".", 1) if not node.isdigit() else ("", "")
        match = re.fullmatch(r"`(#?_{0,2}[a-z0-9_]+?)__([a-z0-9_]+)`", table)
        if match:
            master = masters[f"{database}.`{match.group(1)}`"]
            setattr(
                master,
                camel(match.group(2)),
                type(camel(match.group(2)), (), {"full_table_name": node}),
            )
    return context


def main() -> None:
    graph = dependency_graph(pipeline_schema())
    diagram = dj_diagram.Diagram.from_graph(graph, context=table_classes(graph))
    diagram.save(HERE / "pipeline.png", engine="builtin")
    diagram.save(HERE / "pipeline.svg", engine="builtin")


if __name__ == "__main__":
    main()
