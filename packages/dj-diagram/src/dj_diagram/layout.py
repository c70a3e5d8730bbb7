"""A layered ("Sugiyama") layout in pure Python, so a diagram renders without graphviz.

Dependency graphs are drawn top-down: parents above children. The steps:

1. Layers: each node sits one row below its deepest parent (longest path); a node
   with more children than parents then moves down to just above its first child,
   which shortens edges from root tables such as lookups.
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

__all__ = ["Layout", "Placed", "Route", "clip_to_shape", "count_crossings", "layered_layout"]


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
    """An edge as the polyline through its endpoints' centres and its waypoints."""

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
    order = _topological(n, succ, pred)
    layer = [0] * n
    for v in order:
        if pred[v]:
            layer[v] = max(layer[p] for p in pred[v]) + 1
    for v in reversed(order):
        if succ[v] and len(pred[v]) < len(succ[v]):
            target = min(layer[s] for s in succ[v]) - 1
            if target > layer[v]:
                layer[v] = target
    return layer


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


def _pair_crossings(u: int, v: int, neighbours: list[list[int]], pos: list[int]) -> int:
    """Crossings between the edges of u and of v (u left of v) towards one adjacent row."""
    count = 0
    for a in neighbours[u]:
        pa = pos[a]
        for b in neighbours[v]:
            if pa > pos[b]:
                count += 1
    return count


def _transpose(
    layers: list[list[int]], pos: list[int], succ: list[list[int]], pred: list[list[int]]
) -> None:
    """Swap neighbours in a row while that removes crossings (a few passes at most)."""
    for _ in range(4):
        improved = False
        for row in layers:
            for i in range(len(row) - 1):
                u, v = row[i], row[i + 1]
                before = _pair_crossings(u, v, pred, pos) + _pair_crossings(u, v, succ, pos)
                after = _pair_crossings(v, u, pred, pos) + _pair_crossings(v, u, succ, pos)
                if after < before:
                    row[i], row[i + 1] = v, u
                    pos[u], pos[v] = i + 1, i
                    improved = True
        if not improved:
            break


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


def _order(
    layers: list[list[int]], succ: list[list[int]], pred: list[list[int]], iterations: int
) -> tuple[list[list[int]], int]:
    pos = [0] * len(succ)
    for row in layers:
        for i, v in enumerate(row):
            pos[v] = i
    best = [row[:] for row in layers]
    best_crossings = count_crossings(layers, succ, pos)
    stale = 0
    for iteration in range(iterations):
        if best_crossings == 0:
            break
        downward = iteration % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        neighbours = pred if downward else succ
        for li in indices:
            row = layers[li]
            keys = {}
            for v in row:
                nbs = neighbours[v]
                keys[v] = (sum(pos[u] for u in nbs) / len(nbs), pos[v]) if nbs else (pos[v], pos[v])
            row.sort(key=keys.__getitem__)
            for i, v in enumerate(row):
                pos[v] = i
        _transpose(layers, pos, succ, pred)
        crossings = count_crossings(layers, succ, pos)
        if crossings < best_crossings:
            best, best_crossings, stale = [row[:] for row in layers], crossings, 0
        else:
            stale += 1
            if stale >= 4:
                break
    return best, best_crossings


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
    top = margin
    for row in layers:
        row_height = max((height[v] for v in row), default=0.0)
        y_of_layer.append(top + row_height / 2)
        top += row_height + rank_sep
    total_height = (top - rank_sep + margin) if layers else 2 * margin

    placed = {
        names[v]: Placed(x[v] + shift, y_of_layer[layer[v]], width[v], height[v], layer[v])
        for v in range(n)
    }
    routes = [
        Route(names[u], names[v], [(x[p] + shift, y_of_layer[layer[p]]) for p in chain])
        for u, v, chain in chains
    ]
    return Layout(placed, routes, right - left + 2 * margin, total_height, crossings)


# ----------------------------------------------------------------------------- geometry


def clip_to_shape(
    center: tuple[float, float],
    size: tuple[float, float],
    shape: str,
    toward: tuple[float, float],
) -> tuple[float, float]:
    """Where the ray from a node's centre towards `toward` leaves the node's outline."""
    cx, cy = center
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return center
    a, b = size[0] / 2, size[1] / 2
    if shape in ("ellipse", "circle"):
        scale = 1.0 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2) if a and b else 0.0
    else:
        sx = a / abs(dx) if dx else math.inf
        sy = b / abs(dy) if dy else math.inf
        scale = min(sx, sy)
    scale = min(scale, 1.0)
    return cx + dx * scale, cy + dy * scale
