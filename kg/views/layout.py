"""Node positions computed in Python for pages too big for in-browser physics.

Force-directed layout in the browser is fine for a few hundred nodes but
stalls for thousands, and networkx's ``spring_layout`` needs scipy above
500 nodes and is quadratic. So big pages get this linear-time layout:

* entities sit in one angular sector per type, on a sunflower (golden-angle)
  spiral, most-mentioned nearest the centre — even density, no overlaps;
* each paper sits near the entity it is most about (the one it proposes,
  else the rarest it mentions), pulled a quarter of the way towards the
  others and jittered deterministically so papers do not stack;
* results sit next to the paper reporting them; anything unplaced goes on
  an outer ring.

It is deterministic: the same graph gives the same picture.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("model/a", kind="Model", paper_count=2)
>>> g.add_node("task/b", kind="Task", paper_count=1)
>>> g.add_node("paper/1", kind="Paper")
>>> _ = g.add_edge("paper/1", "model/a", kind="mentions")
>>> pos = sector_layout(g, list(g))
>>> sorted(pos) == sorted(g)
True
>>> pos == sector_layout(g, list(g))
True
"""
from __future__ import annotations

import math
import zlib
from typing import Sequence

import networkx as nx

from kg.views.lookup import is_entity, kind_of, paper_count, role_key
from kg.views.lookup import label_of
from kg.views.style import KINDS, label_font, node_size, short_label

__all__ = ["sector_layout", "map_layout", "co_mentions", "GOLDEN_ANGLE"]

GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
SPACING = 90.0
"""Roughly the distance between neighbouring entities, in canvas pixels."""


def _jitter(node: str, scale: float) -> tuple[float, float]:
    """A deterministic pseudo-random offset of length < ``scale`` for ``node``."""
    h = zlib.crc32(node.encode("utf-8"))
    angle = (h & 0xFFFF) / 0xFFFF * 2 * math.pi
    radius = scale * (0.35 + 0.65 * ((h >> 16) & 0xFFFF) / 0xFFFF)
    return radius * math.cos(angle), radius * math.sin(angle)


def _entity_positions(graph: nx.MultiDiGraph, entities: list[str],
                      spacing: float) -> dict[str, tuple[float, float]]:
    by_kind: dict[str, list[str]] = {}
    for n in entities:
        by_kind.setdefault(kind_of(graph, n), []).append(n)
    order = [k for k in KINDS if k in by_kind] + sorted(k for k in by_kind if k not in KINDS)
    total = len(entities)
    pos: dict[str, tuple[float, float]] = {}
    start = 0.0
    for kind in order:
        members = sorted(by_kind[kind], key=lambda n: (-paper_count(graph, n), n))
        width = 2 * math.pi * len(members) / total
        # Area of the sector up to radius r is width*r²/2; one spacing² per node.
        for k, node in enumerate(members):
            r = spacing * math.sqrt(2 * (k + 0.5) / width) if width else 0.0
            frac = (k * GOLDEN_ANGLE / (2 * math.pi)) % 1.0
            theta = start + width * (0.05 + 0.9 * frac)
            pos[node] = (r * math.cos(theta), r * math.sin(theta))
        start += width
    return pos


def sector_layout(graph: nx.MultiDiGraph, nodes: Sequence[str],
                  spacing: float = SPACING) -> dict[str, tuple[float, float]]:
    """Positions ``{node: (x, y)}`` for ``nodes``, in O(nodes + edges) time."""
    entities = [n for n in nodes if is_entity(graph, n)]
    pos = _entity_positions(graph, entities, spacing) if entities else {}
    extent = max((math.hypot(x, y) for x, y in pos.values()), default=0.0)

    # papers near the entity they are most about, results beside their paper
    pos.update(_place_papers_and_results(graph, nodes, pos, spacing, pull=0.25))

    rest = [n for n in nodes if n not in pos]
    ring = max(extent + 2 * spacing, spacing * math.sqrt(len(rest) / math.pi) * 2)
    for k, node in enumerate(rest):
        theta = k * GOLDEN_ANGLE
        r = ring + spacing * (k % 3)
        pos[node] = (r * math.cos(theta), r * math.sin(theta))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


CORE_SIZE = 120
"""How many of the most-mentioned entities anchor :func:`map_layout`."""


def co_mentions(graph: nx.MultiDiGraph, nodes: Sequence[str],
                among: Sequence[str] | None = None) -> dict[tuple[str, str], int]:
    """How many papers (of ``nodes``' papers) mention each pair of entities of ``among``.

    Pairs are ``(a, b)`` with ``a < b``. Linear in the mentions, quadratic
    only in the number of ``among`` entities one paper mentions.

    >>> g = nx.MultiDiGraph()
    >>> for n in ("model/a", "task/b"):
    ...     g.add_node(n, kind=n.split("/")[0].title(), paper_count=1)
    >>> g.add_node("paper/1", kind="Paper")
    >>> _ = g.add_edge("paper/1", "model/a", kind="mentions")
    >>> _ = g.add_edge("paper/1", "task/b", kind="mentions")
    >>> co_mentions(g, list(g))
    {('model/a', 'task/b'): 1}
    """
    keep = set(among) if among is not None else {n for n in nodes if is_entity(graph, n)}
    attrs, pred = graph._node, graph._pred  # plain dicts: the views are slow per lookup
    mentioned: dict[str, list[str]] = {}  # paper → the entities of ``keep`` it mentions, sorted
    for ent in sorted(keep):
        if ent in attrs:
            for paper in pred[ent]:
                if attrs[paper].get("kind") == "Paper":
                    ents = mentioned.get(paper)
                    if ents is None:
                        mentioned[paper] = [ent]
                    else:
                        ents.append(ent)
    pairs: dict[tuple[str, str], int] = {}
    for ents in mentioned.values():
        for i, a in enumerate(ents):
            for b in ents[i + 1:]:
                pairs[(a, b)] = pairs.get((a, b), 0) + 1
    return pairs


def association(graph: nx.MultiDiGraph, a: str, b: str, shared: int) -> float:
    """Cosine of two entities' paper sets, given ``shared`` papers.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", paper_count=4); g.add_node("b", paper_count=1)
    >>> association(g, "a", "b", 1)
    0.5
    """
    return shared / math.sqrt(max(1, paper_count(graph, a)) * max(1, paper_count(graph, b)))


def hub_entities(graph: nx.MultiDiGraph, entities: Sequence[str], limit: int) -> list[str]:
    """The entities with at least *t* papers, for the smallest *t* giving at most ``limit``.

    A whole paper-count level is in or out, so a "minimum papers = t" filter
    shows exactly these (if even the top level is too big, the top ``limit``).

    >>> g = nx.MultiDiGraph()
    >>> for i, c in enumerate([5, 3, 3, 1]):
    ...     g.add_node(f"model/{i}", kind="Model", paper_count=c)
    >>> hub_entities(g, list(g), 2)
    ['model/0']
    >>> hub_entities(g, list(g), 3)
    ['model/0', 'model/1', 'model/2']
    """
    ranked = sorted(entities, key=lambda n: (-paper_count(graph, n), n))
    if len(ranked) <= limit:
        return ranked
    cut = paper_count(graph, ranked[limit])      # the first level that does not fit
    hubs = [n for n in ranked if paper_count(graph, n) > cut]
    return hubs or ranked[:limit]


def _box(graph: nx.MultiDiGraph, node: str) -> tuple[float, float]:
    """Half width and half height (canvas units) of a node with its label below."""
    kind, count = kind_of(graph, node), paper_count(graph, node)
    size = node_size(kind, count)
    font = label_font(kind, count)["size"]
    text = len(short_label(label_of(graph, node)))
    return max(size, 0.3 * font * text) + 4, size + 0.6 * font + 4


def spread_labels(graph: nx.MultiDiGraph, pos: dict[str, tuple[float, float]],
                  rounds: int = 80) -> dict[str, tuple[float, float]]:
    """Nudge nodes apart until their label boxes no longer overlap (or ``rounds`` pass).

    Each round pushes every overlapping pair apart along the axis where they
    overlap least. Quadratic in ``len(pos)``: meant for the ~100 hubs.
    """
    names = sorted(pos)
    xy = {n: list(pos[n]) for n in names}
    box = {n: _box(graph, n) for n in names}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(names):
            ax, ay = xy[a]
            aw, ah = box[a]
            for b in names[i + 1:]:
                bx, by = xy[b]
                bw, bh = box[b]
                dx, dy = bx - ax, by - ay
                ox, oy = aw + bw - abs(dx), ah + bh - abs(dy)
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox < oy:
                    step = ox / 2 + 0.5
                    sx = step if dx > 0 or (dx == 0 and a < b) else -step
                    xy[a][0] -= sx
                    xy[b][0] += sx
                else:
                    step = oy / 2 + 0.5
                    sy = step if dy > 0 or (dy == 0 and a < b) else -step
                    xy[a][1] -= sy
                    xy[b][1] += sy
                ax, ay = xy[a]
        if not moved:
            break
    return {n: (xy[n][0], xy[n][1]) for n in names}


def map_layout(graph: nx.MultiDiGraph, nodes: Sequence[str], spacing: float = SPACING,
               core_size: int = CORE_SIZE) -> tuple[dict[str, tuple[float, float]], list[str],
                                                    dict[tuple[str, str], int]]:
    """Positions for a big overview that read as a map of topics.

    The ``core_size`` most-mentioned entities are placed by a force layout of
    their co-mention graph (entities that share papers end up close); every
    other entity goes near the papers-weighted centre of the core entities it
    shares papers with (a little further out, jittered), papers near the
    entity they are most about (as in :func:`sector_layout`), results next to
    their paper. Deterministic. Returns ``(positions, core, pairs)``: ``pairs`` are
    the core's :func:`co_mentions` (the page draws them too).
    """
    entities = [n for n in nodes if is_entity(graph, n)]
    core = hub_entities(graph, entities, core_size)
    pairs = co_mentions(graph, nodes, core)
    if len(core) < 3:
        return sector_layout(graph, nodes, spacing), core, pairs
    h = nx.Graph()
    h.add_nodes_from(core)
    for (a, b), w in pairs.items():
        # cosine, not raw counts: hubs such as "accuracy" share papers with
        # everything and would otherwise pull every topic into one knot
        h.add_edge(a, b, weight=association(graph, a, b, w))
    scale = spacing * math.sqrt(len(core)) * 1.1
    raw = nx.spring_layout(h, weight="weight", seed=7, iterations=200, k=2.2 / math.sqrt(len(core)))
    pos: dict[str, tuple[float, float]] = {n: (float(x) * scale, float(y) * scale) for n, (x, y) in raw.items()}
    pos = spread_labels(graph, pos)

    core_set = set(core)
    rest = [n for n in entities if n not in core_set]
    pred, succ = graph._pred, graph._succ
    for ent in rest:
        weights: dict[str, int] = {}
        for paper in pred[ent]:
            for other in succ[paper]:
                if other in core_set:
                    weights[other] = weights.get(other, 0) + 1
        jx, jy = _jitter(ent, spacing * 1.2)
        if weights:
            total = sum(weights.values())
            cx = sum(pos[e][0] * w for e, w in weights.items()) / total
            cy = sum(pos[e][1] * w for e, w in weights.items()) / total
            norm = math.hypot(cx, cy) or 1.0
            push = spacing * 0.6
            pos[ent] = (cx + cx / norm * push + jx, cy + cy / norm * push + jy)
    # papers near their entities, results next to their paper, the rest on a ring
    others = [n for n in nodes if n not in pos]
    sub = _place_papers_and_results(graph, others, pos, spacing)
    pos.update(sub)
    extent = max((math.hypot(x, y) for x, y in pos.values()), default=0.0)
    left = [n for n in nodes if n not in pos]
    ring = extent + 2 * spacing
    for k, node in enumerate(left):
        theta = k * GOLDEN_ANGLE
        r = ring + spacing * (k % 5) * 0.6
        pos[node] = (r * math.cos(theta), r * math.sin(theta))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}, core, pairs


def _place_papers_and_results(graph: nx.MultiDiGraph, nodes: Sequence[str],
                              pos: dict[str, tuple[float, float]],
                              spacing: float, pull: float = 0.3) -> dict[str, tuple[float, float]]:
    """Each paper near the entity it is most about (proposes it, or the rarest one it
    mentions), pulled by ``pull`` towards the others; each result beside its paper."""
    out: dict[str, tuple[float, float]] = {}
    for paper in nodes:
        if kind_of(graph, paper) != "Paper":
            continue
        roles: dict[str, tuple] = {}
        for _, ent, data in graph.out_edges(paper, data=True):
            if ent in pos:
                key = (role_key(str(data.get("role") or "uses")), paper_count(graph, ent), ent)
                roles[ent] = min(roles.get(ent, key), key)
        if not roles:
            continue
        anchor = pos[min(roles, key=roles.__getitem__)]
        cx = sum(pos[e][0] for e in roles) / len(roles)
        cy = sum(pos[e][1] for e in roles) / len(roles)
        jx, jy = _jitter(paper, spacing * 0.8)
        out[paper] = ((1 - pull) * anchor[0] + pull * cx + jx, (1 - pull) * anchor[1] + pull * cy + jy)
    for node in nodes:
        if kind_of(graph, node) != "Result":
            continue
        anchors = [out.get(p) or pos.get(p) for p in graph.predecessors(node)]
        anchors = [a for a in anchors if a]
        if anchors:
            jx, jy = _jitter(node, spacing * 0.5)
            out[node] = (anchors[0][0] + jx, anchors[0][1] + jy)
    return out
