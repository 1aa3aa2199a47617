"""The network's cut structure, computed once: which mains are bridges (closing the valves
around them cuts gas off downstream) and which junctions lie downstream of each.

One depth-first search from a super-source joined to every gate station numbers the
junctions (entry/exit times) and finds the bridges (Tarjan's low-link). The junctions cut off
by isolating bridge k are the DFS subtree of its child end: an interval of entry times, so an
isolation costs one comparison per junction and no graph search during the run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Cuts:
    child: np.ndarray  # per main: DFS child junction when the main is a bridge, else -1
    tin: np.ndarray  # per junction: DFS entry time (-1: unreachable from every gate)
    tout: np.ndarray  # per junction: DFS exit time

    def downstream(self, main: int) -> np.ndarray:
        """Boolean mask of the junctions cut off by isolating `main` (empty if not a bridge)."""
        c = self.child[main]
        if c < 0:
            return np.zeros(len(self.tin), bool)
        return (self.tin >= self.tin[c]) & (self.tin <= self.tout[c])


def cut_structure(n_junctions: int, a: np.ndarray, b: np.ndarray, gates: np.ndarray,
                  n_mains: int) -> Cuts:
    """Edges (a[e], b[e]) are mains first (e < n_mains), then regulators."""
    src = n_junctions
    ea = np.r_[a, np.full(len(gates), src)]
    eb = np.r_[b, gates]
    n = n_junctions + 1
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for e, (x, y) in enumerate(zip(ea.tolist(), eb.tolist(), strict=True)):
        adj[x].append((y, e))
        adj[y].append((x, e))
    tin = -np.ones(n, np.int64)
    tout = -np.ones(n, np.int64)
    low = np.zeros(n, np.int64)
    child = -np.ones(n_mains, np.int64)
    t = 0
    tin[src] = low[src] = t
    stack = [(src, -1, 0)]
    while stack:
        x, via, i = stack.pop()
        if i < len(adj[x]):
            stack.append((x, via, i + 1))
            y, e = adj[x][i]
            if e == via:
                continue
            if tin[y] < 0:
                t += 1
                tin[y] = low[y] = t
                stack.append((y, e, 0))
            else:
                low[x] = min(low[x], tin[y])
        else:
            tout[x] = t
            if via >= 0:
                p = ea[via] if eb[via] == x else eb[via]
                low[p] = min(low[p], low[x])
                if low[x] > tin[p] and via < n_mains:
                    child[via] = x
    return Cuts(child, tin[:n_junctions], tout[:n_junctions])
