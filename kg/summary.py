"""``kg.stats``: counts per type and the most-mentioned entities of each type."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from .records import ENTITY_TYPES


@dataclass
class Stats:
    papers: int
    counts: dict[str, int]
    top: dict[str, list[tuple[str, int]]]
    edges: dict[str, int]

    def __str__(self) -> str:
        lines = [f"papers: {self.papers}"]
        lines += [f"{t}: {n}" for t, n in self.counts.items()]
        lines += [f"edges {k}: {n}" for k, n in sorted(self.edges.items())]
        for t, items in self.top.items():
            if items:
                lines.append(f"top {t}: " + ", ".join(f"{name} ({n})" for name, n in items))
        return "\n".join(lines)


def graph_stats(graph: nx.MultiDiGraph, top: int = 10) -> Stats:
    kinds = Counter(d.get("kind") for _, d in graph.nodes(data=True))
    edges = Counter(d.get("kind") for _, _, d in graph.edges(data=True))
    best = {}
    for t in ENTITY_TYPES:
        nodes = [(d["label"], d.get("paper_count", 0)) for _, d in graph.nodes(data=True) if d.get("kind") == t]
        best[t] = sorted(nodes, key=lambda x: (-x[1], x[0]))[:top]
    return Stats(papers=kinds.get("Paper", 0), counts={t: kinds.get(t, 0) for t in ENTITY_TYPES},
                 top=best, edges=dict(edges))
