"""Dual prices and cuts of a flow: the residual graph, shortest-path potentials, min cuts.

These are the proofs the certificate (:mod:`matcher.solve.certificate`) and the bounded
re-match engine (:mod:`matcher.solve.engines.budget`) rest on:

* a flow is a min-cost flow ⇔ its residual graph has no negative cycle ⇔ there are node
  potentials π with every residual arc's reduced cost ``c + π(tail) − π(head) ≥ 0``.
  :func:`potentials` computes them (shortest distances from a root joined to every node at
  cost 0: exact integers). An arc outside the model with a negative reduced cost is the
  only way the answer could improve, and the sum of those negative parts bounds how much
  (LP duality on a network matrix, exact for integer flows);
* a flow is a max flow ⇔ the sink is unreachable from the source in its residual graph,
  and the reachable nodes are a min cut (:func:`reachable`, :func:`min_cut`): an arc
  outside the model that leaves that set is the only way more could flow.

Everything takes plain arrays (tails, heads, costs, capacities), so that it does not
depend on how a network was built.
"""

from __future__ import annotations

import numpy as np


def residual(tails, heads, caps, flow, costs, lower=None):
    """Residual arcs ``(tails, heads, costs)`` of ``flow`` on arcs ``tails → heads`` with
    capacities ``caps``, costs ``costs`` and lower bounds ``lower`` (default 0), all (m,).

    A forward arc where flow < capacity (cost c), a backward arc where flow > lower bound
    (cost −c).
    """
    lower = np.zeros_like(flow) if lower is None else lower
    fwd, bwd = flow < caps, flow > lower
    return (
        np.concatenate([tails[fwd], heads[bwd]]),
        np.concatenate([heads[fwd], tails[bwd]]),
        np.concatenate([costs[fwd], -costs[bwd]]),
    )


def potentials(n_nodes: int, arcs: list) -> np.ndarray:
    """Shortest distances (n_nodes,) int64 from a root joined to every node at cost 0, over
    ``arcs`` = [tails, heads, costs] (integer arrays; the list is emptied, so that the
    caller's copies can be freed while they are sorted). Bellman–Ford, vectorised: arcs
    grouped by head, one gather and one segmented minimum a pass, each pass over the arcs
    out of nodes whose distance fell in the one before. Every arc then has
    ``d[head] ≤ d[tail] + cost``. Raises RuntimeError on a negative cycle (the flow was not
    optimal)."""
    d = np.zeros(n_nodes, np.int64)
    heads = np.asarray(arcs[1], np.int64)
    if not heads.size:
        arcs.clear()
        return d
    order = np.argsort(heads, kind="stable")
    heads = heads[order]
    arcs[1] = None
    tails = np.asarray(arcs[0], np.int64)[order]
    arcs[0] = None
    costs = np.asarray(arcs[2], np.int64)[order]
    arcs.clear()
    del order
    live = None  # None: every arc (the first pass)
    active = np.zeros(n_nodes, bool)
    for _ in range(n_nodes + 1):
        if live is None:
            t, h, c = tails, heads, costs
        else:
            t, h, c = tails[live], heads[live], costs[live]
        starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        targets = h[starts]
        best = np.minimum.reduceat(d[t] + c, starts)
        improve = best < d[targets]
        if not improve.any():
            return d
        changed = targets[improve]
        d[changed] = best[improve]
        active[:] = False
        active[changed] = True
        live = np.flatnonzero(active[tails])
        if not live.size:
            return d
    raise RuntimeError("no potentials: the flow is not optimal (negative cycle)")


def reachable(n_nodes: int, tails, heads, source: int) -> np.ndarray:
    """(n_nodes,) bool: the nodes reachable from ``source`` over arcs ``tails → heads``."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    graph = csr_matrix(
        (np.ones(np.size(tails), np.int8), (np.asarray(tails), np.asarray(heads))), shape=(n_nodes, n_nodes)
    )
    seen = np.zeros(n_nodes, bool)
    seen[breadth_first_order(graph, source, directed=True, return_predecessors=False)] = True
    return seen


def max_flow(tails, heads, caps, source: int, sink: int) -> int:
    """The value of a max flow from ``source`` to ``sink`` (OR-Tools max flow)."""
    from ortools.graph.python import max_flow as mf

    if not np.size(tails):
        return 0
    smf = mf.SimpleMaxFlow()
    smf.add_arcs_with_capacity(
        np.asarray(tails, np.int64), np.asarray(heads, np.int64), np.asarray(caps, np.int64)
    )
    status = smf.solve(source, sink)
    if status != smf.OPTIMAL:  # pragma: no cover - capacities are small integers
        raise RuntimeError(f"max flow failed (status {status})")
    return int(smf.optimal_flow())


def min_cut(n_nodes: int, tails, heads, caps, source: int, sink: int) -> tuple[int, np.ndarray]:
    """Max flow from ``source`` to ``sink`` → (its value, (n_nodes,) bool: the source side
    of a minimum cut, i.e. the nodes reachable from the source in the residual graph)."""
    from ortools.graph.python import max_flow

    smf = max_flow.SimpleMaxFlow()
    if np.size(tails):
        smf.add_arcs_with_capacity(
            np.asarray(tails, np.int64), np.asarray(heads, np.int64), np.asarray(caps, np.int64)
        )
    side = np.zeros(n_nodes, bool)
    side[source] = True
    if not np.size(tails):
        return 0, side
    status = smf.solve(source, sink)
    if status != smf.OPTIMAL:  # pragma: no cover - capacities are small integers
        raise RuntimeError(f"max flow failed (status {status})")
    side[np.asarray(smf.get_source_side_min_cut(), np.int64)] = True
    return int(smf.optimal_flow()), side
