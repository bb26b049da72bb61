"""The overview page: the whole graph, or its best-connected part if too big.

>>> import networkx as nx, tempfile, pathlib
>>> g = nx.MultiDiGraph()
>>> g.add_node("paper/1", kind="Paper", label="P", title="P", abstract="", url="",
...            sources=[], paper_count=1)
>>> g.add_node("model/m", kind="Model", label="M", aliases=[], paper_count=1)
>>> _ = g.add_edge("paper/1", "model/m", kind="mentions", role="uses",
...                field="title", start=0, end=1, surface="P")
>>> with tempfile.TemporaryDirectory() as d:
...     out = render_overview(g, pathlib.Path(d) / "graph.html")
...     html = out.read_text(encoding="utf-8")
>>> "model/m" in html and "vis.Network" in html
True
"""
from __future__ import annotations

import heapq
import os
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg.views.lookup import kind_of, paper_count
from kg.views.page import write_view

__all__ = ["render_overview", "select_overview"]

DEFAULT_MAX_NODES = 2000


def _entity_order(graph: nx.MultiDiGraph, candidates) -> list[str]:
    """Entities, most-mentioned first (ties: more edges, then id).

    Reads the adjacency dicts directly and sorts precomputed keys: on a big graph
    this ranks every entity, and per-node helper calls were most of the time.
    """
    nodes, pred, succ = graph._node, graph._pred, graph._succ
    keyed = []
    for n in candidates:
        attrs = nodes[n]
        kind = attrs.get("kind")
        if not kind or kind in ("Paper", "Result"):  # not is_entity()
            continue
        count = attrs.get("paper_count")
        if type(count) is not int:
            count = paper_count(graph, n)
        keyed.append((-count, -len(pred[n]) - len(succ[n]), n))
    keyed.sort()
    return [k[2] for k in keyed]


def select_overview(graph: nx.MultiDiGraph, max_nodes: int,
                    candidates=None) -> list[str]:
    """At most ``max_nodes`` nodes of ``candidates`` (default: the whole graph).

    If everything fits, everything is kept (in graph order). Otherwise the
    most-mentioned entities fill a quarter of the budget; then their papers are
    taken round-robin (each entity's best-connected paper, then each one's
    second, …), so no single popular entity eats the budget; then results
    reported by kept papers, the next entities, and the remaining papers,
    best-connected first, while room remains.

    >>> g = nx.MultiDiGraph()
    >>> for i in range(5):
    ...     g.add_node(f"model/{i}", kind="Model", paper_count=i)
    >>> g.add_node("paper/p", kind="Paper")
    >>> _ = g.add_edge("paper/p", "model/4", kind="mentions")
    >>> select_overview(g, 3)
    ['model/4', 'paper/p', 'model/3']
    >>> len(select_overview(g, 100))
    6
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    pool = list(graph) if candidates is None else [n for n in candidates if n in graph]
    if len(pool) <= max_nodes:
        return pool
    allowed = set(pool)
    chosen: dict[str, None] = {}

    def room() -> bool:
        return len(chosen) < max_nodes

    entities = _entity_order(graph, pool)
    hubs = entities[: max(1, max_nodes // 4)]
    for ent in hubs:
        chosen[ent] = None
    # Papers round-robin over the hubs (each hub's best-connected paper
    # first), so one very popular entity cannot take the whole budget.
    quota = 4 * (max_nodes // len(hubs) + 1)
    nodes, succ, pred = graph._node, graph._succ, graph._pred  # plain dicts: the views are slow per lookup
    queues = [[p for _, p in heapq.nsmallest(quota, [(-len(succ[p]), p) for p in pred[ent]
                                                     if p in allowed and nodes[p].get("kind") == "Paper"])]
              for ent in hubs]
    depth = 0
    while room() and any(depth < len(q) for q in queues):
        for q in queues:
            if not room():
                break
            if depth < len(q):
                chosen.setdefault(q[depth], None)
        depth += 1
    for paper in [n for n in chosen if kind_of(graph, n) == "Paper"]:
        for res in graph.successors(paper):
            if room() and res in allowed and kind_of(graph, res) == "Result":
                chosen.setdefault(res, None)
    for ent in entities[len(hubs):]:
        if not room():
            break
        chosen[ent] = None
    if room():  # only sorted when needed: on a big graph the entities fill the page first
        rest = sorted((n for n in pool if n not in chosen),
                      key=lambda n: (kind_of(graph, n) != "Paper", -graph.degree(n), n))
        for node in rest:
            if not room():
                break
            chosen[node] = None
    return list(chosen)


def render_overview(graph: nx.MultiDiGraph, path: str | os.PathLike, *,
                    title: str = "kg graph", max_nodes: int = DEFAULT_MAX_NODES,
                    complete: Callable[[list[str]], None] | None = None) -> Path:
    """Write the whole graph as one self-contained HTML page at ``path``.

    The page has a legend with per-type show/hide boxes, a minimum-paper
    filter, a search box (names and aliases) and a details panel. Graphs
    of up to :data:`kg.views.network.PHYSICS_LIMIT` nodes are laid out by
    vis-network physics, which stops once stable; bigger ones are cut to the
    ``max_nodes`` best-connected nodes (see :func:`select_overview`), placed
    in Python (:func:`kg.views.layout.map_layout`: co-mentioned hubs close
    together) and drawn without physics; such a page opens on its most-mentioned
    entities only (papers and results hidden until ticked), with labels sized
    by paper count; the page says how many nodes were left out. Returns the
    path written (atomically).

    ``complete``, if given, is called with the chosen nodes before anything
    about them is read beyond what choosing needs (kinds, roles, counts): a
    cheaper graph can so leave out what only drawn nodes need (see
    :meth:`kg.graph.CorpusGraph.sketch`).
    """
    nodes = select_overview(graph, max_nodes)
    if complete is not None:
        complete(nodes)
    omitted = graph.number_of_nodes() - len(nodes)
    subtitle = "" if not omitted else f"the {len(nodes)} best-connected nodes"
    return write_view(graph, nodes, path, title=title, subtitle=subtitle,
                      omitted=omitted, hub_first=True)
