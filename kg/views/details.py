"""The details panel's data: what the page shows when a node is clicked.

Each payload is plain JSON-able data; the page builds the panel from it with
DOM calls and ``textContent`` only. URLs are passed through
:func:`kg.views.style.safe_url`: a payload's ``url``/``href`` keys hold
either an ``http(s)`` URL or ``None``, never anything else, and the raw text
is kept separately for display as text.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("paper/1", kind="Paper", label="T", title="T", abstract="We use BERT.",
...            url="javascript:alert(1)", sources=["a.txt:3"])
>>> g.add_node("model/bert", kind="Model", label="BERT", aliases=[], paper_count=1)
>>> _ = g.add_edge("paper/1", "model/bert", kind="mentions", role="uses",
...                field="abstract", start=7, end=11, surface="BERT")
>>> d = details_for(g, "paper/1", shown={"paper/1", "model/bert"})
>>> d["url"] is None, d["url_text"]
(True, 'javascript:alert(1)')
>>> d["mentions"][0]["start"], d["mentions"][0]["entity"]
(7, 'model/bert')
>>> details_for(g, "model/bert", shown={"model/bert"})["papers"][0]["roles"]
['uses']
"""
from __future__ import annotations

import heapq
import math
from typing import Collection

import networkx as nx

from kg.views.lookup import kind_of, label_of, paper_count, papers_of, role_key
from kg.views.style import safe_url

__all__ = ["details_for", "all_details"]

MAX_LIST = 200
"""Longest list (papers, results, ...) put in one payload."""


def _ref(graph: nx.MultiDiGraph, node: str, shown: Collection[str]) -> dict:
    """A link to another node: id, name, kind, and whether it is in the page."""
    return {"id": node, "label": label_of(graph, node),
            "kind": kind_of(graph, node), "shown": node in shown}


def _number(value: object) -> float | None:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _cap(items: list, limit: int = MAX_LIST) -> tuple[list, int]:
    return items[:limit], max(0, len(items) - limit)


def _paper(graph: nx.MultiDiGraph, node: str, shown: Collection[str]) -> dict:
    attrs = graph._node[node]
    texts = {"title": _text(attrs.get("title") or attrs.get("label")),
             "abstract": _text(attrs.get("abstract"))}
    mentions, entities = [], {}
    for _, ent, data in graph.out_edges(node, data=True):
        if data.get("kind") != "mentions":
            continue
        role = _text(data.get("role") or "uses")
        entities.setdefault(ent, set()).add(role)
        field = data.get("field")
        start, end = data.get("start"), data.get("end")
        if field not in texts or not isinstance(start, int) or not isinstance(end, int):
            continue
        if not 0 <= start < end <= len(texts[field]):
            continue
        mentions.append({"field": field, "start": start, "end": end,
                         "entity": ent, "label": label_of(graph, ent),
                         "kind": kind_of(graph, ent), "role": role,
                         "shown": ent in shown})
    mentions.sort(key=lambda m: (m["field"], m["start"], -m["end"]))
    ents = [dict(_ref(graph, e, shown), roles=sorted(r, key=role_key))
            for e, r in entities.items()]
    ents.sort(key=lambda e: (role_key(e["roles"][0]), e["kind"], e["label"].casefold()))
    results = [_ref(graph, r, shown) for _, r, d in graph.out_edges(node, data=True)
               if d.get("kind") == "reports"]
    url = _text(attrs.get("url"))
    return {"kind": "Paper", "title": texts["title"], "abstract": texts["abstract"],
            "url": safe_url(url), "url_text": url,
            "sources": [_text(s) for s in attrs.get("sources") or ()],
            "mentions": mentions, "entities": ents,
            "results": sorted(results, key=lambda r: r["label"])}


def _results_of(graph: nx.MultiDiGraph, node: str, shown: Collection[str]) -> list[dict]:
    out = []
    nodes = graph._node
    for res, keyed in graph._pred[node].items():  # papers are most of a hub's neighbours: skip them first
        if nodes[res].get("kind") != "Result":
            continue
        for data in keyed.values():
            ref = _ref(graph, res, shown)
            ref["as"] = _text(data.get("kind"))
            ref["papers"] = [_ref(graph, p, shown) for p in graph._pred[res] if kind_of(graph, p) == "Paper"]
            out.append(ref)
    out.sort(key=lambda r: r["label"].casefold())
    return out


def _repositories_of(graph: nx.MultiDiGraph, node: str, papers: dict[str, list[str]],
                     shown: Collection[str]) -> list[dict]:
    """Repositories linked (``has_code``) by papers that propose ``node``."""
    repos: dict[str, dict] = {}
    for paper, roles in papers.items():
        if "proposes" not in roles:
            continue
        if len(repos) >= MAX_LIST:
            break
        for _, repo, data in graph.out_edges(paper, data=True):
            if (data.get("kind") == "mentions" and repo != node
                    and kind_of(graph, repo) == "Repository"):
                ref = _ref(graph, repo, shown)
                ref["href"] = safe_url(ref["label"])
                repos[repo] = ref
    return sorted(repos.values(), key=lambda r: r["label"])


def _best_papers(graph: nx.MultiDiGraph, papers: dict[str, list[str]], limit: int = MAX_LIST,
                 folded: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """``sorted(papers.items(), key=(strongest role, casefolded label))[:limit]``.

    Papers are grouped by strongest role, and each group's best are taken by a
    heap keyed with ``folded`` (paper → casefolded label; computed here if not
    given): a hub has tens of thousands of papers, mostly of one role.

    >>> g = nx.MultiDiGraph()
    >>> for pid, title in [("p1", "b"), ("p2", "A"), ("p3", "c"), ("p4", "a")]:
    ...     g.add_node(pid, kind="Paper", label=title)
    >>> roles = {"p1": ["uses"], "p2": ["uses"], "p3": ["proposes"], "p4": ["uses"]}
    >>> [p for p, _ in _best_papers(g, roles, 3)]
    ['p3', 'p2', 'p4']
    """
    if folded is None:
        folded = {p: label_of(graph, p).casefold() for p in papers}
    by_role: dict[str, list[str]] = {}
    for paper, roles in papers.items():
        group = by_role.get(roles[0])
        if group is None:
            by_role[roles[0]] = [paper]
        else:
            group.append(paper)
    best: list[str] = []
    for role in sorted(by_role, key=role_key):
        if len(best) >= limit:
            break
        best += heapq.nsmallest(limit - len(best), by_role[role], key=folded.__getitem__)  # stable on ties
    return [(p, papers[p]) for p in best]


def _folded_labels(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Every paper's casefolded label (what entity payloads sort their papers by)."""
    return {n: label_of(graph, n).casefold() for n, attrs in graph._node.items() if attrs.get("kind") == "Paper"}


def _entity(graph: nx.MultiDiGraph, node: str, shown: Collection[str], folded: dict[str, str] | None = None) -> dict:
    attrs = graph._node[node]
    kind = kind_of(graph, node)
    papers = papers_of(graph, node)
    best = _best_papers(graph, papers, folded=folded)
    plist = [dict(_ref(graph, p, shown), roles=roles) for p, roles in best]
    more_papers = max(0, len(papers) - MAX_LIST)
    based_on, used_by = {}, {}
    for _, other, data in graph.out_edges(node, data=True):
        if data.get("kind") == "based_on":
            based_on[other] = _ref(graph, other, shown)
    for other, _, data in graph.in_edges(node, data=True):
        if data.get("kind") == "based_on":
            used_by[other] = _ref(graph, other, shown)
    label = label_of(graph, node)
    results, more_results = _cap(_results_of(graph, node, shown))
    return {"kind": kind, "label": label,
            "aliases": [_text(a) for a in attrs.get("aliases") or () if _text(a) != label],
            "paper_count": paper_count(graph, node),
            "href": safe_url(label) if kind == "Repository" else None,
            "papers": plist, "more_papers": more_papers,
            "based_on": sorted(based_on.values(), key=lambda r: r["label"]),
            "used_by": sorted(used_by.values(), key=lambda r: r["label"]),
            "repositories": _repositories_of(graph, node, papers, shown),
            "results": results, "more_results": more_results}


def _result(graph: nx.MultiDiGraph, node: str, shown: Collection[str]) -> dict:
    attrs = graph._node[node]
    links = {"model": [], "dataset": [], "metric": []}
    for _, other, data in graph.out_edges(node, data=True):
        if data.get("kind") in links:
            links[data["kind"]].append(_ref(graph, other, shown))
    papers = [_ref(graph, p, shown) for p in graph.predecessors(node)
              if kind_of(graph, p) == "Paper"]
    return {"kind": "Result", "label": label_of(graph, node),
            "value": _number(attrs.get("value")),
            "metric": _text(attrs.get("metric")), "dataset": _text(attrs.get("dataset")),
            "links": links, "papers": sorted(papers, key=lambda p: p["label"])}


def details_for(graph: nx.MultiDiGraph, node: str, shown: Collection[str],
                folded: dict[str, str] | None = None) -> dict:
    """The details payload of ``node``; ``shown`` is the set of nodes in the page.

    ``folded``: papers' casefolded labels, when payloads for many nodes are made.
    """
    kind = kind_of(graph, node)
    if kind == "Paper":
        return _paper(graph, node, shown)
    if kind == "Result":
        return _result(graph, node, shown)
    return _entity(graph, node, shown, folded)


def all_details(graph: nx.MultiDiGraph, nodes: Collection[str]) -> dict[str, dict]:
    """Payloads for every node in ``nodes`` (which is also the ``shown`` set)."""
    shown = nodes if isinstance(nodes, (set, frozenset)) else set(nodes)
    folded = _folded_labels(graph)
    return {n: details_for(graph, n, shown, folded) for n in nodes}
