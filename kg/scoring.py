"""``kg.evaluate``: precision, recall and F1 of a built graph against gold records.

Gold records follow ``ANNOTATION.md``.  A paper is matched to its gold
record by title (whitespace-normalised, case-insensitive).  A predicted
entity matches a gold one when they share the type and any name or alias
(compared lower-case with non-alphanumerics removed, a leading
``http(s)://www.`` ignored); each gold entity matches at most one
prediction.  Reported: P/R/F1 per type, micro F1 over all typed entities,
per role, and for ``based_on`` pairs and ``results``.

>>> prf(3, 4, 5)
(0.75, 0.6, 0.667)
"""
from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .errors import InputError, InputWarning
from .extract.names import match_key
from .ingest import normalise_title
from .records import ENTITY_TYPES, ROLES, role_rank


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 3), round(r, 3), round(f, 3)


@dataclass
class Score:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp, self.pred, self.gold = self.tp + tp, self.pred + pred, self.gold + gold

    @property
    def figures(self) -> tuple[float, float, float]:
        return prf(self.tp, self.pred, self.gold)


@dataclass
class Evaluation:
    """Scores by row name ("Model", …, "micro", "role:proposes", "based_on", "results")."""

    scores: dict[str, Score] = field(default_factory=dict)
    papers: int = 0
    missing: list[str] = field(default_factory=list)

    def f1(self, row: str) -> float:
        return self.scores[row].figures[2]

    def as_dict(self) -> dict:
        return {row: dict(zip(("precision", "recall", "f1"), s.figures), tp=s.tp, pred=s.pred, gold=s.gold)
                for row, s in self.scores.items()}

    def table(self) -> str:
        lines = [f"{'':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}"]
        for row, s in self.scores.items():
            p, r, f = s.figures
            lines.append(f"{row:16} {p:6.3f} {r:6.3f} {f:6.3f} {s.tp:5d} {s.pred:5d} {s.gold:5d}")
        lines.append(f"papers matched: {self.papers}; missing from the graph: {len(self.missing)}")
        return "\n".join(lines)


def _keys(names) -> set[str]:
    return {k for k in (match_key(n) for n in names if n) if k}


def predictions(graph: nx.MultiDiGraph) -> dict[str, dict]:
    """Per normalised paper title: entities (type, keys, role), pairs, results."""
    out: dict[str, dict] = {}
    keys_of = {n: _keys([d.get("label", "")] + list(d.get("aliases", [])))
               for n, d in graph.nodes(data=True) if d.get("kind") in ENTITY_TYPES}
    for node, data in graph.nodes(data=True):
        if data.get("kind") != "Paper":
            continue
        roles: dict[str, str] = {}
        for _, ent, d in graph.out_edges(node, data=True):
            if d.get("kind") == "mentions":
                old = roles.get(ent)
                if old is None or role_rank(d["role"]) < role_rank(old):
                    roles[ent] = d["role"]
        entities = [(graph.nodes[e]["kind"], keys_of[e], r) for e, r in sorted(roles.items())]
        pairs = [(keys_of[u], keys_of[v]) for u, v, d in graph.edges(data=True)
                 if d.get("kind") == "based_on" and d.get("paper") == node]
        results = []
        for _, rnode, d in graph.out_edges(node, data=True):
            if d.get("kind") != "reports":
                continue
            parts = {d2["kind"]: keys_of[t] for _, t, d2 in graph.out_edges(rnode, data=True)}
            results.append((parts.get("model", set()), parts.get("dataset"), parts.get("metric", set()),
                            float(graph.nodes[rnode]["value"])))
        out[normalise_title(data["title"])] = {"entities": entities, "pairs": pairs, "results": results}
    return out


def _match(gold: list, pred: list, same) -> list[tuple[int, int]]:
    """A maximum one-to-one matching; returns (gold index, pred index) pairs.

    Maximum, not greedy, so the score does not depend on the order of the gold
    entities ("A aka B" and "B" against predictions A and B match both).

    >>> _match(["ab", "b"], ["b", "a"], lambda g, p: p in g)
    [(0, 1), (1, 0)]
    """
    edges = [(gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred) if same(g, p)]
    if not edges:
        return []
    b = nx.Graph()
    b.add_nodes_from((("g", gi) for gi in range(len(gold))), bipartite=0)
    b.add_nodes_from((("p", pi) for pi in range(len(pred))), bipartite=1)
    b.add_edges_from((("g", gi), ("p", pi)) for gi, pi in edges)
    top = [("g", gi) for gi in range(len(gold))]
    matching = nx.bipartite.hopcroft_karp_matching(b, top_nodes=top)
    return sorted((node[1], matching[node][1]) for node in top if node in matching)


def read_gold(path: str | os.PathLike) -> list[dict]:
    records = []
    text = Path(path).read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            rec["title"], rec["entities"]  # noqa: B018  (required keys)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            warnings.warn(InputWarning(f"{path}:{n}: not a gold record ({exc}), skipped"), stacklevel=2)
            continue
        records.append(rec)
    if not records:
        raise InputError(f"{path}: no gold records")
    return records


def evaluate_graph(gold: list[dict], graph: nx.MultiDiGraph) -> Evaluation:
    preds = predictions(graph)
    ev = Evaluation()
    rows = list(ENTITY_TYPES) + ["micro"] + [f"role:{r}" for r in ROLES] + ["based_on", "results"]
    ev.scores = {row: Score() for row in rows}
    for rec in gold:
        pred = preds.get(normalise_title(rec["title"]))
        if pred is None:
            ev.missing.append(rec["title"])
            pred = {"entities": [], "pairs": [], "results": []}
        else:
            ev.papers += 1
        g_ents = [(e["type"], _keys([e["name"], *e.get("aliases", [])]), e.get("role", "uses"))
                  for e in rec["entities"]]
        p_ents = pred["entities"]
        matched = _match(g_ents, p_ents, lambda g, p: g[0] == p[0] and bool(g[1] & p[1]))
        for t in ENTITY_TYPES:
            tp = sum(1 for gi, _ in matched if g_ents[gi][0] == t)
            ev.scores[t].add(tp, sum(1 for p in p_ents if p[0] == t), sum(1 for g in g_ents if g[0] == t))
        ev.scores["micro"].add(len(matched), len(p_ents), len(g_ents))
        for role in ROLES:
            tp = sum(1 for gi, pi in matched if g_ents[gi][2] == role and p_ents[pi][2] == role)
            ev.scores[f"role:{role}"].add(tp, sum(1 for p in p_ents if p[2] == role),
                                          sum(1 for g in g_ents if g[2] == role))
        g_pairs = [(_keys([a]), _keys([b])) for a, b in rec.get("based_on", [])]
        m = _match(g_pairs, pred["pairs"], lambda g, p: bool(g[0] & p[0]) and bool(g[1] & p[1]))
        ev.scores["based_on"].add(len(m), len(pred["pairs"]), len(g_pairs))
        g_res = [(_keys([r["model"]]), _keys([r["dataset"]]) if r.get("dataset") else None,
                  _keys([r["metric"]]), float(r["value"])) for r in rec.get("results", [])]

        def same_result(g, p) -> bool:
            dataset_ok = (g[1] is None and p[1] is None) or (g[1] is not None and p[1] is not None
                                                             and bool(g[1] & p[1]))
            return bool(g[0] & p[0]) and dataset_ok and bool(g[2] & p[2]) and abs(g[3] - p[3]) < 1e-6

        m = _match(g_res, pred["results"], same_result)
        ev.scores["results"].add(len(m), len(pred["results"]), len(g_res))
    return ev
