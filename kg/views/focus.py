"""Focused pages: one node's neighbourhood, or one entity type and its papers.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> for n, k in [("paper/1", "Paper"), ("paper/2", "Paper"),
...              ("model/a", "Model"), ("task/t", "Task")]:
...     g.add_node(n, kind=k, label=n, paper_count=1)
>>> _ = g.add_edge("paper/1", "model/a", kind="mentions")
>>> _ = g.add_edge("paper/2", "task/t", kind="mentions")
>>> neighbourhood(g, "model/a", depth=1)
['model/a', 'paper/1']
>>> type_subgraph(g, "task")
['task/t', 'paper/2']
"""
from __future__ import annotations

import os
from pathlib import Path

import networkx as nx

from kg.views.lookup import entity_nodes, find_node, kind_of, label_of, paper_count
from kg.views.overview import DEFAULT_MAX_NODES, select_overview
from kg.views.page import write_view
from kg.views.style import ENTITY_KINDS, KINDS

__all__ = ["render_focus", "neighbourhood", "type_subgraph", "resolve_kind"]


def resolve_kind(name: str) -> str:
    """The canonical spelling of a node kind (case-insensitive, plural ok).

    >>> resolve_kind("datasets")
    'Dataset'
    >>> resolve_kind("gizmo")
    Traceback (most recent call last):
    ...
    LookupError: unknown type 'gizmo'; expected one of Paper, Model, Dataset, Technique, Task, Metric, Repository, Result
    """
    low = str(name).strip().casefold()
    for kind in KINDS:
        if low in (kind.casefold(), kind.casefold() + "s"):
            return kind
    raise LookupError(f"unknown type {name!r}; expected one of {', '.join(KINDS)}")


def neighbourhood(graph: nx.MultiDiGraph, node: str, depth: int = 1,
                  max_nodes: int = DEFAULT_MAX_NODES) -> list[str]:
    """``node`` and everything within ``depth`` hops, ignoring edge direction.

    Nearest first; at equal distance the most-mentioned first; at most
    ``max_nodes`` nodes.
    """
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    undirected = graph.to_undirected(as_view=True)
    dist = nx.single_source_shortest_path_length(undirected, node, cutoff=depth)
    order = sorted(dist, key=lambda n: (dist[n], -paper_count(graph, n), n))
    return order[:max_nodes]


def type_subgraph(graph: nx.MultiDiGraph, kind: str,
                  max_nodes: int = DEFAULT_MAX_NODES) -> list[str]:
    """All nodes of one type plus the papers linked to them (capped).

    For ``Paper`` that is just the papers; for ``Result``, the results and
    the papers reporting them.
    """
    kind = resolve_kind(kind)
    if kind == "Paper":
        members = [n for n in graph if kind_of(graph, n) == "Paper"]
        return select_overview(graph, max_nodes, members)
    members = (entity_nodes(graph, kind) if kind in ENTITY_KINDS
               else [n for n in graph if kind_of(graph, n) == kind])
    members.sort(key=lambda n: (-paper_count(graph, n), n))
    papers: dict[str, None] = {}
    for m in members:
        for p in graph.predecessors(m):
            if kind_of(graph, p) == "Paper":
                papers.setdefault(p, None)
    pool = members + list(papers)
    if kind in ENTITY_KINDS:
        return select_overview(graph, max_nodes, pool)
    return pool[:max_nodes]


def render_focus(graph: nx.MultiDiGraph, path: str | os.PathLike, *,
                 node: str | None = None, depth: int = 1, type: str | None = None,
                 title: str | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> Path:
    """Write a page of one node's neighbourhood or of one entity type.

    Exactly one of ``node`` (an id, name, alias or paper title; see
    :func:`kg.views.lookup.find_node`) and ``type`` (e.g. ``"Dataset"``)
    must be given. With ``node``, the page holds every node within
    ``depth`` hops of it (direction ignored) and opens with it selected;
    with ``type``, every entity of that type and the papers mentioning them.
    Same page, template and limits as :func:`kg.views.overview.render_overview`.

    Raises ``ValueError`` for a bad combination of arguments and
    ``LookupError`` for an unknown node or type.
    """
    if (node is None) == (type is None):
        raise ValueError("render_focus needs exactly one of node= or type=")
    if node is not None:
        centre = find_node(graph, node)
        nodes = neighbourhood(graph, centre, depth, max_nodes)
        name = label_of(graph, centre)
        subtitle = f"{kind_of(graph, centre) or 'node'} “{name}” and everything within {depth} hop{'s' if depth != 1 else ''}"
        default_title = f"kg: {name}"
        full = len(nx.single_source_shortest_path_length(
            graph.to_undirected(as_view=True), centre, cutoff=depth))
    else:
        kind = resolve_kind(type)
        nodes = type_subgraph(graph, kind, max_nodes)
        centre = None
        subtitle = f"every {kind} and the papers linked to it"
        default_title = f"kg: {kind}"
        full = len(type_subgraph(graph, kind, max_nodes=graph.number_of_nodes() or 1))
    return write_view(graph, nodes, path, title=title or default_title,
                      subtitle=subtitle, omitted=max(0, full - len(nodes)),
                      focus=centre)
