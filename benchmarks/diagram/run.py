"""Diagram benchmark: rendering a 200-table schema to SVG without graphviz.

    hatch run bench diagram          (or: hatch run python benchmarks/diagram/run.py)

1. Rendering only (no server): the synthetic 200-table pipeline of dj-diagram's tests
   (tests/dj_diagram_test_schemas.py), `make_svg(engine="builtin")` — our layered
   layout — against graphviz's `dot -Tsvg` on the same DOT text when graphviz is
   installed.
2. End to end on the server: the same 200 tables declared in MariaDB/MySQL through
   dj-core; `Diagram(schema).make_svg()` here (catalog read + layout + SVG) against
   upstream DataJoint 0.14.10's `Diagram(schema).make_svg()` (pydot + graphviz `dot`,
   which upstream cannot do without graphviz).

Prints times and ratios measured in this run; asserts nothing.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "testing"))
sys.path.insert(0, str(REPO / "packages" / "dj-diagram" / "tests"))

import dj_diagram  # noqa: E402
from dj_diagram.drawing import layout_drawing  # noqa: E402
from dj_diagram.svg import render_svg  # noqa: E402
from dj_diagram_test_schemas import dependency_graph, synthetic_schema  # noqa: E402
from dj_testing.server import ServerParams  # noqa: E402
from dj_testing.upstream import ensure_upstream_venv  # noqa: E402

TABLES = 200


def best(function, repeat: int = 5) -> tuple[float, float]:
    """(best, median) wall time of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def straight_crossings(segments: list[tuple[tuple[float, float], tuple[float, float]]]) -> int:
    """Crossings of the edges drawn as straight lines between node centres: a layout-quality
    figure computable for graphviz's layout too (its edge waypoints are not exposed)."""

    def side(a, b, c) -> float:
        return (c[1] - a[1]) * (b[0] - a[0]) - (b[1] - a[1]) * (c[0] - a[0])

    count = 0
    for i, (p1, p2) in enumerate(segments):
        for p3, p4 in segments[i + 1 :]:
            if len({p1, p2, p3, p4}) < 4:
                continue
            if side(p3, p4, p1) * side(p3, p4, p2) < 0 and side(p1, p2, p3) * side(p1, p2, p4) < 0:
                count += 1
    return count


def graphviz_centres(dot_text: str) -> dict[str, tuple[float, float]]:
    import shlex

    plain = subprocess.run(["dot", "-Tplain"], input=dot_text.encode(), capture_output=True)
    centres = {}
    for line in plain.stdout.decode().splitlines():
        if line.startswith("node "):
            fields = shlex.split(line)
            centres[fields[1]] = (float(fields[2]), -float(fields[3]))
    return centres


def rendering_only() -> None:
    graph = dependency_graph(synthetic_schema(TABLES))
    diagram = dj_diagram.Diagram.from_graph(graph, context={})
    drawing = diagram._drawing()
    layout = layout_drawing(drawing)
    print(
        f"graph: {TABLES} tables, {graph.number_of_nodes() - TABLES} alias nodes, "
        f"{graph.number_of_edges()} edges; built-in layout: {layout.crossings} crossings, "
        f"{layout.width:.0f} x {layout.height:.0f} pt\n"
    )
    rows = [
        ("prepare drawing (_make_graph, labels)", best(diagram._drawing)),
        ("built-in layout", best(lambda: layout_drawing(drawing))),
        ("SVG text from layout", best(lambda: render_svg(drawing, layout))),
        ("make_svg(engine='builtin'), total", best(lambda: diagram.make_svg(engine="builtin"))),
    ]
    dot_text = diagram.dot_source()
    graphviz = None
    if shutil.which("dot"):
        graphviz = best(
            lambda: subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True),
            3,
        )
        rows.append(("graphviz `dot -Tsvg` on the same DOT", graphviz))
    print(f"{'step':44} {'best':>11} {'median':>11}")
    for name, (fastest, median) in rows:
        print(f"{name:44} {fmt(fastest)} {fmt(median)}")
    ours = rows[3][1][0]
    if graphviz:
        print(f"\nratio graphviz dot / built-in make_svg: {graphviz[0] / ours:.2f}x")
        mine = {n: (p.x, p.y) for n, p in layout.nodes.items()}
        theirs = graphviz_centres(dot_text)
        edges = [(e.source, e.target) for e in drawing.edges]
        print(
            "edge crossings, straight lines between centres: built-in "
            f"{straight_crossings([(mine[a], mine[b]) for a, b in edges])}, graphviz "
            f"{straight_crossings([(theirs[a], theirs[b]) for a, b in edges])}"
        )
    else:
        print("\n(graphviz not installed: no dot comparison)")


def declare_schema(params: ServerParams, database: str) -> None:
    """The same synthetic tables, declared through dj-core's definition language."""
    from dj_core import settings
    from dj_core.connection import Connection
    from dj_core.schemas import Schema
    from dj_core.table_ref import TableRef

    connection = Connection(
        params.host, params.user, params.password, port=params.port,
        config=settings.Config.independent(),
    )  # fmt: skip
    schema = Schema(database, connection=connection)
    tables = synthetic_schema(TABLES, db=database)
    graph = dependency_graph(tables)
    names = {table.name: f"T{i}" for i, table in enumerate(tables)}
    context: dict = {}
    for table in tables:
        primary = [r for r in table.refs if r.primary]
        secondary = [r for r in table.refs if not r.primary]

        def reference(ref) -> str:
            renames = {
                new: old
                for old, new in ref.rename.items()
                if old in graph.nodes[ref.parent]["primary_key"]
            }
            target = names[ref.parent]
            if renames:
                target += ".proj(" + ", ".join(f"{n}='{o}'" for n, o in renames.items()) + ")"
            return f"-> {target}"

        lines = [reference(r) for r in primary]
        lines += [f"{column}: int" for column in table.key]
        lines.append("---")
        lines += [reference(r) for r in secondary]
        lines.append("note = null: varchar(40)")
        schema.declare_table(table.name, "\n".join(lines), context)
        context[names[table.name]] = TableRef(connection, table.name)
    connection.close()


def ours_end_to_end(params: ServerParams, database: str, engine: str) -> tuple[float, float]:
    from dj_core import settings
    from dj_core.connection import Connection
    from dj_core.schemas import Schema

    connection = Connection(
        params.host, params.user, params.password, port=params.port,
        config=settings.Config.independent(),
    )  # fmt: skip
    schema = Schema(database, connection=connection, create_schema=False)
    result = best(lambda: dj_diagram.Diagram(schema, context={}).make_svg(engine=engine), 5)
    connection.close()
    return result


UPSTREAM_SNIPPET = """
import json, time, statistics, sys
import datajoint as dj
schema = dj.Schema(sys.argv[1], create_schema=False, create_tables=False)
times = []
for _ in range(3):
    start = time.perf_counter()
    svg = dj.Diagram(schema).make_svg()
    times.append(time.perf_counter() - start)
print(json.dumps({"best": min(times), "median": statistics.median(times), "bytes": len(svg.data)}))
"""


def end_to_end() -> None:
    params = ServerParams.from_env()
    database = f"djbench_diagram_{uuid.uuid4().hex[:8]}"
    print(f"\nend to end on {params.host}:{params.port}: declaring {TABLES} tables ...", flush=True)
    try:
        declare_schema(params, database)
        rows = [
            (
                "ours: Diagram(schema).make_svg(engine='builtin')",
                ours_end_to_end(params, database, "builtin"),
            )
        ]
        if shutil.which("dot"):
            rows.append(
                (
                    "ours: Diagram(schema).make_svg(engine='graphviz')",
                    ours_end_to_end(params, database, "graphviz"),
                )
            )
            python = str(ensure_upstream_venv())
            env = {**os.environ, **params.env}
            env.pop("PYTHONPATH", None)
            result = subprocess.run(
                [python, "-c", UPSTREAM_SNIPPET, database], capture_output=True, text=True, env=env
            )
            if result.returncode == 0:
                data = json.loads(result.stdout.strip().splitlines()[-1])
                rows.append(
                    ("upstream 0.14.10: Diagram(schema).make_svg()", (data["best"], data["median"]))
                )
            else:
                print(f"upstream failed: {result.stderr[-1500:]}")
        print(f"{'step':52} {'best':>11} {'median':>11}")
        for name, (fastest, median) in rows:
            print(f"{name:52} {fmt(fastest)} {fmt(median)}")
        if len(rows) == 3:
            print(f"\nratio upstream / ours (built-in): {rows[2][1][0] / rows[0][1][0]:.1f}x")
        else:
            print("\n(graphviz not installed: upstream cannot render an SVG at all)")
    finally:
        connection = params.connect()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        connection.close()


def main() -> None:
    print(
        f"diagram benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"python {sys.version.split()[0]}\n"
    )
    rendering_only()
    end_to_end()


if __name__ == "__main__":
    main()
