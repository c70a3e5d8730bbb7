"""A layered ("Sugiyama") layout in pure Python, so a diagram renders without graphviz.

Dependency graphs are drawn top-down: parents above children. The steps:

1. Layers: rows that minimise the total edge length (network-simplex ranking, as in
   graphviz), which keeps lookups and other roots close to the tables using them.
2. Edges that span several rows get invisible waypoints, one per row crossed, so
   every edge joins neighbouring rows.
3. Order within rows: depth-first start, then barycenter sweeps down and up with
   adjacent swaps (transposition); the ordering with the fewest crossings is kept.
4. Horizontal positions: every row is placed by weighted isotonic regression — each
   node is pulled towards the mean position of its neighbours in the row just placed,
   subject to the order and to the gaps that keep labels apart. Long edges weigh more
   so they run straight; master → part edges weigh more so parts hang under masters.

Everything works on integer indices and lists; a 200-table schema lays out in a few
tenths of a second.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

__all__ = ["Layout", "Placed", "Route", "attach_point", "count_crossings", "layered_layout"]


@dataclass
class Placed:
    """A node's centre, size (points) and row."""

    x: float
    y: float
    width: float
    height: float
    layer: int

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom)."""
        return (
            self.x - self.width / 2,
            self.y - self.height / 2,
            self.x + self.width / 2,
            self.y + self.height / 2,
        )


@dataclass
class Route:
    """An edge as the polyline from its source's centre through its waypoints (two per
    row crossed: the top and bottom of the row's band) to its target's centre."""

    source: Hashable
    target: Hashable
    points: list[tuple[float, float]]


@dataclass
class Layout:
    nodes: dict[Hashable, Placed]
    routes: list[Route]
    width: float
    height: float
    crossings: int
    rows: list[tuple[float, float]]  # (top, bottom) of each row's band


# ----------------------------------------------------------------------------- layers


def _topological(n: int, succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    indegree = [len(p) for p in pred]
    ready = [v for v in range(n) if indegree[v] == 0]
    ready.reverse()
    order: list[int] = []
    while ready:
        v = ready.pop()
        order.append(v)
        for w in reversed(succ[v]):
            indegree[w] -= 1
            if indegree[w] == 0:
                ready.append(w)
    if len(order) != n:
        raise ValueError("layered_layout needs an acyclic graph")
    return order


def _assign_layers(n: int, succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    """Rows minimising the total length of all edges (each edge going at least one row
    down), as graphviz's network-simplex ranking does.

    The ranking problem (minimise the sum of y[child] - y[parent] subject to
    y[child] - y[parent] >= 1) is the dual of a min-cost flow with cost -1 per edge and
    each node demanding (in-degree - out-degree); networkx solves the flow, and the rows
    are the potentials read off the residual graph by Bellman-Ford.
    """
    _topological(n, succ, pred)  # refuses cycles with a clear error
    if not any(succ):
        return [0] * n
    flow_graph = nx.DiGraph()
    for v in range(n):
        flow_graph.add_node(v, demand=len(pred[v]) - len(succ[v]))
    for u in range(n):
        for v in succ[u]:
            flow_graph.add_edge(u, v, weight=-1)
    _, flow = nx.network_simplex(flow_graph)
    residual = nx.DiGraph()
    residual.add_nodes_from(range(n + 1))
    for u in range(n):
        residual.add_edge(n, u, weight=0)  # a virtual root reaching every node
        for v in succ[u]:
            residual.add_edge(u, v, weight=-1)
            if flow[u][v] > 0:
                residual.add_edge(v, u, weight=1)
    distance = nx.single_source_bellman_ford_path_length(residual, n)
    rows = [-int(distance[v]) for v in range(n)]
    lowest = min(rows)
    return [row - lowest for row in rows]


# ----------------------------------------------------------------------------- ordering


def _inversions(sequence: list[int], size: int) -> int:
    """Pairs i < j with sequence[i] > sequence[j] (Fenwick tree, O(n log size))."""
    tree = [0] * (size + 1)
    total = 0
    seen = 0
    for value in sequence:
        # count values already seen that are greater than `value`
        i = value + 1
        not_greater = 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        total += seen - not_greater
        seen += 1
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return total


def _layer_crossings(upper: list[int], lower_size: int, succ: list[list[int]], pos: list[int]):
    targets: list[int] = []
    for v in upper:
        targets.extend(sorted(pos[w] for w in succ[v]))
    return _inversions(targets, lower_size)


def count_crossings(layers: list[list[int]], succ: list[list[int]], pos: list[int]) -> int:
    return sum(
        _layer_crossings(layers[i], len(layers[i + 1]), succ, pos) for i in range(len(layers) - 1)
    )


def _pair_crossings(u: int, v: int, neighbours: list[list[int]], pos: list[int]):
    """(crossings with u left of v, crossings with v left of u) between the edges of u
    and of v towards one adjacent row."""
    left = right = 0
    nv = neighbours[v]
    if not nv:
        return 0, 0
    for a in neighbours[u]:
        pa = pos[a]
        for b in nv:
            pb = pos[b]
            if pa > pb:
                left += 1
            elif pa < pb:
                right += 1
    return left, right


def _transpose(
    layers: list[list[int]], pos: list[int], succ: list[list[int]], pred: list[list[int]]
) -> None:
    """Swap neighbours in a row while that removes crossings; rows are revisited only
    while a swap happened in them or next to them."""
    dirty = [True] * len(layers)
    for _ in range(8):
        changed = [False] * len(layers)
        for li, row in enumerate(layers):
            if not dirty[li]:
                continue
            for i in range(len(row) - 1):
                u, v = row[i], row[i + 1]
                up_before, up_after = _pair_crossings(u, v, pred, pos)
                down_before, down_after = _pair_crossings(u, v, succ, pos)
                if up_after + down_after < up_before + down_before:
                    row[i], row[i + 1] = v, u
                    pos[u], pos[v] = i + 1, i
                    changed[li] = True
        if not any(changed):
            break
        dirty = [
            changed[li]
            or (li > 0 and changed[li - 1])
            or (li + 1 < len(layers) and changed[li + 1])
            for li in range(len(layers))
        ]


def _initial_order(
    n: int, layer: list[int], depth: int, succ: list[list[int]], pred: list[list[int]]
) -> list[list[int]]:
    layers: list[list[int]] = [[] for _ in range(depth)]
    visited = [False] * n
    for root in range(n):
        if visited[root] or pred[root]:
            continue
        stack = [root]
        while stack:
            v = stack.pop()
            if visited[v]:
                continue
            visited[v] = True
            layers[layer[v]].append(v)
            stack.extend(reversed(succ[v]))
    for v in range(n):  # unreachable only through cycles, which were refused
        if not visited[v]:
            layers[layer[v]].append(v)
    return layers


def _median(values: list[int]) -> float:
    """Graphviz's weighted median: for an even count, lean towards the denser side."""
    values.sort()
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    if len(values) == 2:
        return (values[0] + values[1]) / 2
    left = values[middle - 1] - values[0]
    right = values[-1] - values[middle]
    if left + right == 0:
        return (values[middle - 1] + values[middle]) / 2
    return (values[middle - 1] * right + values[middle] * left) / (left + right)


def _barycenter(values: list[int]) -> float:
    return sum(values) / len(values)


def _sweep(
    layers: list[list[int]],
    pos: list[int],
    neighbours: list[list[int]],
    downward: bool,
    measure,
    flip_ties: bool,
) -> None:
    indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
    tie = -1 if flip_ties else 1
    for li in indices:
        row = layers[li]
        keys = {}
        for v in row:
            nbs = neighbours[v]
            place = measure([pos[u] for u in nbs]) if nbs else pos[v]
            keys[v] = (place, tie * pos[v])
        row.sort(key=keys.__getitem__)
        for i, v in enumerate(row):
            pos[v] = i


def _order_from(
    layers: list[list[int]],
    succ: list[list[int]],
    pred: list[list[int]],
    iterations: int,
    measure,
) -> tuple[list[list[int]], int]:
    """Sweeps alternating down and up, each followed by adjacent swaps; after sweeps
    without progress, restart from the best ordering with ties broken the other way."""
    layers = [row[:] for row in layers]
    pos = [0] * len(succ)

    def index(rows: list[list[int]]) -> None:
        for row in rows:
            for i, v in enumerate(row):
                pos[v] = i

    index(layers)
    best = [row[:] for row in layers]
    best_crossings = count_crossings(layers, succ, pos)
    stale = 0
    flip = False
    for iteration in range(iterations):
        if best_crossings == 0:
            break
        downward = iteration % 2 == 0
        _sweep(layers, pos, pred if downward else succ, downward, measure, flip)
        _transpose(layers, pos, succ, pred)
        crossings = count_crossings(layers, succ, pos)
        if crossings < best_crossings:
            best, best_crossings, stale = [row[:] for row in layers], crossings, 0
        else:
            stale += 1
            if stale % 4 == 0:
                layers = [row[:] for row in best]
                index(layers)
                flip = not flip
            if stale >= 12:
                break
    return best, best_crossings


def _order(
    layers: list[list[int]], succ: list[list[int]], pred: list[list[int]], iterations: int
) -> tuple[list[list[int]], int]:
    """The fewest crossings found by median and by barycenter sweeps, each started from
    the depth-first order and from its mirror image."""
    best: tuple[list[list[int]], int] | None = None
    for start in (layers, [row[::-1] for row in layers]):
        for measure in (_median, _barycenter):
            result = _order_from(start, succ, pred, iterations, measure)
            if best is None or result[1] < best[1]:
                best = result
            if best[1] == 0:
                return best
    assert best is not None
    return best


# ----------------------------------------------------------------------------- positions


def _place_row(
    row: list[int],
    desired: list[float],
    weights: list[float],
    widths: list[float],
    gaps: list[float],
) -> list[float]:
    """Positions closest (weighted least squares) to `desired`, keeping order and gaps.

    With offsets c_i (the least distance from the row's first node), y_i = x_i - c_i
    must be non-decreasing: an isotonic regression, solved by pool-adjacent-violators.
    """
    offsets = [0.0] * len(row)
    for i in range(1, len(row)):
        offsets[i] = offsets[i - 1] + (widths[i - 1] + widths[i]) / 2 + gaps[i]
    blocks: list[list[float]] = []  # [weight, weighted sum, count]
    for i in range(len(row)):
        blocks.append([weights[i], weights[i] * (desired[i] - offsets[i]), 1])
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]):
            w, s, c = blocks.pop()
            blocks[-1][0] += w
            blocks[-1][1] += s
            blocks[-1][2] += c
    result: list[float] = []
    for w, s, c in blocks:
        result.extend([s / w] * int(c))
    return [y + c for y, c in zip(result, offsets)]


def _positions(
    layers: list[list[int]],
    width: list[float],
    dummy: list[bool],
    succ: list[list[tuple[int, float]]],
    pred: list[list[tuple[int, float]]],
    node_sep: float,
    iterations: int,
) -> list[float]:
    x = [0.0] * len(width)

    def gap(a: int, b: int) -> float:
        if dummy[a] and dummy[b]:
            return node_sep / 3
        if dummy[a] or dummy[b]:
            return node_sep / 2
        return node_sep

    rows = []
    for row in layers:
        widths = [width[v] for v in row]
        gaps = [0.0] + [gap(row[i - 1], row[i]) for i in range(1, len(row))]
        position = 0.0
        for i, v in enumerate(row):
            if i:
                position += (widths[i - 1] + widths[i]) / 2 + gaps[i]
            x[v] = position
        shift = position / 2
        for v in row:
            x[v] -= shift
        rows.append((row, widths, gaps))

    def sweep(indices: Sequence[int], use_pred: bool, use_succ: bool) -> None:
        for li in indices:
            row, widths, gaps = rows[li]
            desired: list[float] = []
            weights: list[float] = []
            for v in row:
                total = weighted = 0.0
                if use_pred:
                    for u, w in pred[v]:
                        total += w
                        weighted += w * x[u]
                if use_succ:
                    for u, w in succ[v]:
                        total += w
                        weighted += w * x[u]
                if total:
                    desired.append(weighted / total)
                    weights.append(total)
                else:
                    desired.append(x[v])
                    weights.append(0.05)
            for v, value in zip(row, _place_row(row, desired, weights, widths, gaps)):
                x[v] = value

    depth = len(layers)
    for _ in range(iterations):
        sweep(range(1, depth), True, False)
        sweep(range(depth - 2, -1, -1), False, True)
    for _ in range(2):
        sweep(range(depth), True, True)
    return x


# ----------------------------------------------------------------------------- entry


def layered_layout(
    sizes: Mapping[Hashable, tuple[float, float]],
    edges: Sequence[tuple[Hashable, Hashable, float]],
    *,
    node_sep: float = 18.0,
    rank_sep: float = 36.0,
    margin: float = 8.0,
    order_iterations: int = 24,
    position_iterations: int = 6,
) -> Layout:
    """Place nodes of the given (width, height) and route `edges` (source, target, weight).

    The graph must be acyclic. Coordinates are points with the origin at the top left.
    """
    names = list(sizes)
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    unique_edges: dict[tuple[int, int], float] = {}
    for source, target, weight in edges:
        key = (index[source], index[target])
        unique_edges[key] = max(weight, unique_edges.get(key, 0.0))
    for u, v in unique_edges:
        succ[u].append(v)
        pred[v].append(u)
    layer = _assign_layers(n, succ, pred)
    depth = max(layer, default=-1) + 1

    # waypoints: one dummy per row crossed by a long edge
    width = [sizes[name][0] for name in names]
    height = [sizes[name][1] for name in names]
    dummy = [False] * n
    aug_succ: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    aug_pred: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    chains: list[tuple[int, int, list[int]]] = []
    for (u, v), weight in unique_edges.items():
        chain = [u]
        for row in range(layer[u] + 1, layer[v]):
            d = len(width)
            width.append(2.0)
            height.append(0.0)
            dummy.append(True)
            layer.append(row)
            aug_succ.append([])
            aug_pred.append([])
            chain.append(d)
        chain.append(v)
        for a, b in itertools.pairwise(chain):
            w = weight if not (dummy[a] or dummy[b]) else (8.0 if dummy[a] and dummy[b] else 2.0)
            aug_succ[a].append((b, w))
            aug_pred[b].append((a, w))
        chains.append((u, v, chain))
    total = len(width)
    plain_succ = [[b for b, _ in nbs] for nbs in aug_succ]
    plain_pred = [[a for a, _ in nbs] for nbs in aug_pred]

    layers = _initial_order(total, layer, depth, plain_succ, plain_pred)
    layers, crossings = _order(layers, plain_succ, plain_pred, order_iterations)
    x = _positions(layers, width, dummy, aug_succ, aug_pred, node_sep, position_iterations)

    left = min((x[v] - width[v] / 2 for v in range(total)), default=0.0)
    right = max((x[v] + width[v] / 2 for v in range(total)), default=0.0)
    shift = margin - left
    y_of_layer: list[float] = []
    half_height: list[float] = []
    # a gap that edges cross far sideways is made taller (up to three times), so those
    # edges run as slopes instead of flat lines stacked on one another
    reach = [0.0] * len(layers)
    for a in range(total):
        for b, _ in aug_succ[a]:
            reach[layer[a]] = max(reach[layer[a]], abs(x[b] - x[a]))
    top = margin
    for li, row in enumerate(layers):
        row_height = max((height[v] for v in row), default=0.0)
        y_of_layer.append(top + row_height / 2)
        half_height.append(row_height / 2)
        top += row_height + min(3 * rank_sep, max(rank_sep, 0.12 * reach[li]))
    total_height = (top - rank_sep + margin) if layers else 2 * margin

    placed = {
        names[v]: Placed(x[v] + shift, y_of_layer[layer[v]], width[v], height[v], layer[v])
        for v in range(n)
    }

    def waypoints(chain: list[int]) -> list[tuple[float, float]]:
        """Endpoint centres, and for each row crossed a vertical run through the row's
        band, so the edge stays in the column reserved for it between the row's nodes."""
        points = [(x[chain[0]] + shift, y_of_layer[layer[chain[0]]])]
        for p in chain[1:-1]:
            y, half = y_of_layer[layer[p]], half_height[layer[p]]
            points.append((x[p] + shift, y - half))
            points.append((x[p] + shift, y + half))
        points.append((x[chain[-1]] + shift, y_of_layer[layer[chain[-1]]]))
        return points

    routes = [Route(names[u], names[v], waypoints(chain)) for u, v, chain in chains]
    rows = [(y - half, y + half) for y, half in zip(y_of_layer, half_height)]
    return Layout(placed, routes, right - left + 2 * margin, total_height, crossings, rows)


# ----------------------------------------------------------------------------- geometry


def attach_point(placed: Placed, shape: str, toward_x: float, bottom: bool) -> tuple[float, float]:
    """Where an edge meets a node: on its bottom (edges to children) or top outline,
    shifted towards the other end by at most 60% of the half-width, so edges from one
    node fan out yet always leave and arrive vertically."""
    half_width, half_height = placed.width / 2, placed.height / 2
    dx = max(-0.6 * half_width, min(0.6 * half_width, toward_x - placed.x))
    if shape in ("ellipse", "circle") and half_width > 0:
        dy = half_height * math.sqrt(max(0.0, 1 - (dx / half_width) ** 2))
    else:
        dy = half_height
    return placed.x + dx, placed.y + (dy if bottom else -dy)
