"""Turning (part of) a kg graph into vis-network nodes, edges and options.

pyvis's :class:`~pyvis.network.Network` assembles the node list, edge list
and option object; we take its data (not its HTML, which links CDNs) and
hand it to our own template (:mod:`kg.views.page`).

The parallel edges of the MultiDiGraph (one per mention) are collapsed into
one visual edge per pair of nodes, whose hover text lists what it stands for.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("paper/1", kind="Paper", label="P", title="P", paper_count=1)
>>> g.add_node("model/m", kind="Model", label="M", paper_count=1)
>>> for role in ("proposes", "uses", "uses"):
...     _ = g.add_edge("paper/1", "model/m", kind="mentions", role=role)
>>> [e["title"] for e in collapse_edges(g, list(g))]
['P — M\\nmentions ×3: proposes, uses ×2']
>>> data = view_data(g, list(g), omitted=0)
>>> data["meta"]["physics"], len(data["nodes"]), len(data["edges"])
(True, 2, 1)
"""
from __future__ import annotations

import json
import math
from collections import Counter
from typing import Sequence

import networkx as nx
from pyvis.network import Network

from kg.views.details import all_details
from kg.views.layout import association, co_mentions, map_layout, sector_layout
from kg.views.lookup import kind_of, label_of, names_of, paper_count, role_key
from kg.views.style import (count_kinds, edge_colour, label_font, legend, node_size,
                            short_label, style_for, tooltip)

__all__ = ["PHYSICS_LIMIT", "collapse_edges", "build_network", "view_data"]

PHYSICS_LIMIT = 1000
"""Pages with more nodes than this get Python-computed positions, no physics."""

_KIND_WORDS = {"based_on": "based on", "reports": "reports",
               "model": "result for model", "dataset": "result on dataset",
               "metric": "result in metric"}


class _Network(Network):
    """pyvis ``Network`` with O(1) node membership tests.

    pyvis checks every ``add_edge`` endpoint against a *list* of node ids,
    which is quadratic for the thousands of edges a big page holds.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ids: set = set()

    def add_node(self, n_id, *args, **kwargs):
        if n_id not in self._ids:
            self._ids.add(n_id)
            super().add_node(n_id, *args, **kwargs)

    def get_nodes(self):
        return self._ids


def _describe(kind: str, items: list[dict]) -> str:
    """One hover line for all underlying edges of one ``kind`` in a pair."""
    if kind == "mentions":
        roles = Counter(str(d.get("role") or "uses") for d in items)
        parts = [r if n == 1 else f"{r} ×{n}" for r, n in
                 sorted(roles.items(), key=lambda rn: role_key(rn[0]))]
        count = f" ×{len(items)}" if len(items) > 1 else ""
        return f"mentions{count}: " + ", ".join(parts)
    word = _KIND_WORDS.get(kind, kind.replace("_", " "))
    if kind == "based_on":
        papers = {d.get("paper") for d in items if d.get("paper")}
        if papers:
            word += f" (in {len(papers)} paper{'s' if len(papers) != 1 else ''})"
    return word


def collapse_edges(graph: nx.MultiDiGraph, nodes: Sequence[str]) -> list[dict]:
    """One vis edge per unordered pair of ``nodes`` joined by any graph edges.

    The visual edge points the way the pair's first edge does; ``kinds``
    lists the underlying edge kinds, ``count`` how many edges it stands for.
    """
    chosen = set(nodes)
    pairs: dict[frozenset, list[tuple[str, str, dict]]] = {}
    # A small selection reads only its own out-edges (a site writes one small
    # page per node); a big one walks the edge list once, in graph order.
    if 8 * len(chosen) < graph.number_of_nodes():
        sources = list(dict.fromkeys(n for n in nodes if n in graph))
        edge_iter = graph.out_edges(sources, data=True)
    else:
        edge_iter = graph.edges(data=True)
    for u, v, data in edge_iter:
        if u in chosen and v in chosen and u != v:
            pairs.setdefault(frozenset((u, v)), []).append((u, v, data))
    edges = []
    for group in pairs.values():
        u, v, first = group[0]
        by_kind: dict[str, list[dict]] = {}
        for _, _, d in group:
            by_kind.setdefault(str(d.get("kind") or "edge"), []).append(d)
        lines = [f"{short_label(label_of(graph, u))} — {short_label(label_of(graph, v))}"]
        lines += [_describe(k, items) for k, items in by_kind.items()]
        main = "based_on" if "based_on" in by_kind else str(first.get("kind") or "edge")
        edge = {"from": u, "to": v, "title": "\n".join(lines),
                "kinds": sorted(by_kind), "count": len(group),
                "color": edge_colour(main),
                "width": round(1.0 + min(4.0, math.log2(len(group))), 2),
                # vis reads a string: "" = no arrow (pyvis would default to "to")
                "arrows": "to" if main == "based_on" else ""}
        if main in ("model", "dataset", "metric"):
            edge["dashes"] = True
        edges.append(edge)
    edges.sort(key=lambda e: (e["from"], e["to"]))
    return edges


def co_mention_edges(graph: nx.MultiDiGraph, core: Sequence[str], per_node: int = 4,
                     pairs: dict[tuple[str, str], int] | None = None) -> list[dict]:
    """Light "mentioned together" edges: each core entity to its ``per_node`` strongest partners.

    ``pairs`` are the core's :func:`co_mentions` if already counted.
    """
    if pairs is None:
        pairs = co_mentions(graph, core, core)
    best: dict[str, list[tuple[float, str]]] = {}
    for (a, b), w in pairs.items():
        if w < 2 and len(pairs) > 4 * len(core):
            continue                      # one shared paper is noise on a big page
        strength = association(graph, a, b, w)
        best.setdefault(a, []).append((strength, b))
        best.setdefault(b, []).append((strength, a))
    keep: set[tuple[str, str]] = set()
    for a, partners in best.items():
        for _, b in sorted(partners, key=lambda wb: (-wb[0], wb[1]))[:per_node]:
            keep.add((min(a, b), max(a, b)))
    edges = []
    for a, b in sorted(keep):
        w = pairs[(a, b)]
        edges.append({"from": a, "to": b, "kinds": ["co_mentioned"], "count": w,
                      "title": f"{short_label(label_of(graph, a))} — {short_label(label_of(graph, b))}\n"
                               f"mentioned together in {w} paper{'s' if w != 1 else ''}",
                      "color": {"color": "#9fb3c8", "opacity": 0.55},
                      "width": round(0.5 + min(5.0, math.log2(1 + w)), 2), "arrows": ""})
    return edges


def build_network(graph: nx.MultiDiGraph, nodes: Sequence[str], *, physics: bool,
                  positions: dict[str, tuple[float, float]] | None = None,
                  hub_first: bool = False) -> Network:
    """A pyvis Network holding ``nodes``, their collapsed edges and the options."""
    net = _Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    for node in nodes:
        kind = kind_of(graph, node)
        style = style_for(kind)
        count = paper_count(graph, node)
        extra = {}
        if positions is not None:
            x, y = positions[node]
            extra = {"x": x, "y": y}
        net.add_node(node, label=short_label(label_of(graph, node)) or node,
                     shape=style.shape, color=style.colour,
                     size=node_size(kind, count),
                     title=tooltip(label_of(graph, node), kind or "Node", count),
                     kind=kind, paper_count=count, names=names_of(graph, node),
                     **extra)
        if hub_first:
            net.node_map[node]["font"] = label_font(kind, count)
    for edge in collapse_edges(graph, nodes):
        edge = dict(edge)
        net.add_edge(edge.pop("from"), edge.pop("to"), **edge)

    net.toggle_physics(physics)
    net.inherit_edge_colors(False)
    if physics:
        net.force_atlas_2based(gravity=-60, central_gravity=0.01, spring_length=90,
                               spring_strength=0.08, damping=0.5, overlap=0.2)
        net.toggle_stabilization(True)
        net.options.physics.stabilization.iterations = 1000 if len(nodes) < 300 else 400
        net.options.physics.stabilization.updateInterval = 25
        net.set_edge_smooth("continuous")
    else:
        net.toggle_stabilization(False)
        net.options.edges.smooth.enabled = False
        net.toggle_hide_edges_on_drag(True)
    return net


def _options(net: Network, n_nodes: int) -> dict:
    options = json.loads(net.get_network_data()[5])
    options["interaction"].update({"hover": True, "tooltipDelay": 150,
                                   "multiselect": False, "keyboard": False})
    options["nodes"] = {"borderWidth": 1, "font": {"size": 12, "face": "sans-serif"}}
    options["edges"]["selectionWidth"] = 2
    options["edges"]["arrows"] = {"to": {"scaleFactor": 0.6}}
    options["edges"]["hoverWidth"] = 1
    options["layout"] = {"randomSeed": 7, "improvedLayout": n_nodes <= 150}
    return options


def view_data(graph: nx.MultiDiGraph, nodes: Sequence[str], *, omitted: int,
              title: str = "kg graph", subtitle: str = "", focus: str | None = None,
              physics_limit: int = PHYSICS_LIMIT, hub_first: bool = False) -> dict:
    """Everything the page embeds: meta, legend, vis nodes/edges/options, details.

    Physics runs in the browser only if nothing was omitted and the page has
    at most ``physics_limit`` nodes; otherwise the nodes are placed here and
    physics stays off: by :func:`map_layout` when ``hub_first`` (the
    overview), else by :func:`sector_layout`. A hub-first page also gets
    "mentioned together" edges among the most-mentioned entities, label
    sizes that grow with paper counts, and ``meta.initial``: the filters
    it opens with (papers and results hidden, only the hubs shown), which
    the legend and the minimum-papers box undo.
    """
    nodes = list(dict.fromkeys(nodes))
    physics = omitted == 0 and len(nodes) <= physics_limit
    hub_first = hub_first and not physics
    core: list[str] = []
    pairs = None
    if physics:
        positions = None
    elif hub_first:
        positions, core, pairs = map_layout(graph, nodes)
    else:
        positions = sector_layout(graph, nodes)
    net = build_network(graph, nodes, physics=physics, positions=positions, hub_first=hub_first)
    initial = None
    if hub_first and core:
        for edge in co_mention_edges(graph, core, pairs=pairs):
            edge = dict(edge)
            net.add_edge(edge.pop("from"), edge.pop("to"), **edge)
        threshold = min(paper_count(graph, n) for n in core)
        initial = {"hidden_kinds": ["Paper", "Result"], "min_papers": threshold,
                   "note": f"Showing the {len(core)} most-mentioned entities (at least "
                           f"{threshold} paper{'s' if threshold != 1 else ''}) and which are "
                           "mentioned together. Tick Paper or lower the minimum to see more."}
    counts = count_kinds(kind_of(graph, n) or "Node" for n in nodes)
    return {
        "meta": {"title": title, "subtitle": subtitle, "total_nodes": len(graph),
                 "shown_nodes": len(nodes), "omitted_nodes": omitted,
                 "shown_edges": len(net.edges), "physics": physics,
                 "focus": focus if focus in set(nodes) else None,
                 "initial": initial},
        "legend": legend(counts),
        "nodes": net.nodes,
        "edges": net.edges,
        "options": _options(net, len(nodes)),
        "details": all_details(graph, nodes),
    }
