"""The leaderboards of a dataset's site page: one table per metric, best first.

A dataset's results are the ``Result`` nodes with a ``dataset`` edge to it;
they are grouped by their ``metric`` entity and ranked by that metric's
``higher_is_better`` attribute: ``False`` ranks ascending, ``True`` or
unknown (missing, ``None``) descending, and an unknown direction is said so.
Each row links the model, the reporting paper and the paper's code: its
``has_code`` repositories, else its ``code_url``, whichever are ``http(s)``.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("dataset/d", kind="Dataset", label="D")
>>> g.add_node("metric/err", kind="Metric", label="error", higher_is_better=False)
>>> for i, v in enumerate([3.5, 1.0, 2.0]):
...     g.add_node(f"model/m{i}", kind="Model", label=f"M{i}")
...     g.add_node(f"paper/{i}", kind="Paper", label=f"P{i}")
...     g.add_node(f"result/{i}", kind="Result", value=v, metric="error", dataset="D")
...     _ = g.add_edge(f"paper/{i}", f"result/{i}", kind="reports")
...     for kind, node in [("model", f"model/m{i}"), ("metric", "metric/err"), ("dataset", "dataset/d")]:
...         _ = g.add_edge(f"result/{i}", node, kind=kind)
>>> link = lambda n: {"label": g.nodes[n]["label"], "href": None}
>>> [board], more = leaderboards(g, "dataset/d", link)
>>> board["direction"], [(r["rank"], r["value"], r["models"][0]["label"]) for r in board["rows"]]
('lower is better', [(1, '1', 'M1'), (2, '2', 'M2'), (3, '3.5', 'M0')])
"""
from __future__ import annotations

import math
from typing import Callable

import networkx as nx

from kg.views.lookup import label_of
from kg.views.style import safe_url, short_label

__all__ = ["leaderboards", "direction_of", "direction_text", "format_value", "MAX_ROWS", "MAX_BOARDS"]

MAX_ROWS = 100
"""Most rows in one leaderboard table (the rest are counted)."""
MAX_BOARDS = 30
"""Most leaderboard tables on one dataset page (the metrics with most results first)."""

Link = Callable[[str], dict]


def direction_of(graph: nx.MultiDiGraph, metric: str | None) -> bool | None:
    """The metric node's ``higher_is_better`` if it is a bool, else ``None`` (unknown)."""
    if metric is None or metric not in graph:
        return None
    value = graph._node[metric].get("higher_is_better")
    return value if isinstance(value, bool) else None


def direction_text(higher: bool | None) -> str:
    """How a leaderboard is ranked, in words.

    >>> [direction_text(x) for x in (True, False, None)]
    ['higher is better', 'lower is better', 'direction unknown']
    """
    return {True: "higher is better", False: "lower is better"}.get(higher, "direction unknown")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def format_value(value: float | None) -> str:
    """A result's value as shown: whole numbers without ``.0``, no float noise.

    >>> [format_value(v) for v in (88.9, 3.0, 0.1 + 0.2, 1234567.0, 2.5e-07, None)]
    ['88.9', '3', '0.3', '1234567', '2.5e-07', '—']
    """
    if value is None:
        return "—"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def _targets(graph: nx.MultiDiGraph, result: str, kind: str) -> list[str]:
    return [t for t, keyed in graph._succ[result].items()
            if any(d.get("kind") == kind for d in keyed.values())]


def _code_links(graph: nx.MultiDiGraph, paper: str) -> list[dict]:
    """A paper's code: its ``has_code`` repositories (http(s) only), else its ``code_url``."""
    urls: list[str] = []
    for repo, keyed in graph._succ[paper].items():
        if graph._node[repo].get("kind") != "Repository":
            continue
        if any(d.get("kind") == "mentions" and d.get("role") == "has_code" for d in keyed.values()):
            url = safe_url(label_of(graph, repo))
            if url and url not in urls:
                urls.append(url)
    if not urls:
        url = safe_url(graph._node[paper].get("code_url"))
        if url:
            urls.append(url)
    return [{"url": u, "text": short_label(u, 40)} for u in sorted(urls)]


def _rank(rows: list[dict], higher: bool | None) -> list[dict]:
    """``rows`` best first; equal values share a rank (1, 2, 2, 4); no value: unranked, last.

    >>> rows = [{"number": v, "order": str(i)} for i, v in enumerate([1.0, None, 3.0, 1.0])]
    >>> [(r["rank"], r["number"]) for r in _rank(rows, True)]
    [(1, 3.0), (2, 1.0), (2, 1.0), (None, None)]
    """
    sign = 1.0 if higher is False else -1.0
    rows = sorted(rows, key=lambda r: (r["number"] is None, sign * (r["number"] or 0.0), r["order"]))
    previous, rank = None, 0
    for i, row in enumerate(rows, 1):
        if row["number"] is None:
            row["rank"] = None
            continue
        if row["number"] != previous:
            previous, rank = row["number"], i
        row["rank"] = rank
    return rows


def _row(graph: nx.MultiDiGraph, result: str, link: Link, code: dict[str, list[dict]]) -> dict:
    number = _number(graph._node[result].get("value"))
    models = [link(m) for m in sorted(_targets(graph, result, "model"))]
    papers = sorted((p for p, keyed in graph._pred[result].items()
                     if graph._node[p].get("kind") == "Paper"
                     and any(d.get("kind") == "reports" for d in keyed.values())),
                    key=lambda p: (label_of(graph, p).casefold(), p))
    links: list[dict] = []
    for p in papers:
        if p not in code:
            code[p] = _code_links(graph, p)
        links += [c for c in code[p] if c not in links]
    order = " ".join(m["label"].casefold() for m in models) + "\0" + result
    return {"number": number, "value": format_value(number), "models": models,
            "papers": [link(p) for p in papers], "code": links, "order": order}


def leaderboards(graph: nx.MultiDiGraph, dataset: str, link: Link) -> tuple[list[dict], int]:
    """The leaderboard tables of ``dataset`` and how many more were left out.

    ``([], 0)`` if no result is reported on ``dataset``.
    ``link(node)`` makes the dict a template links with (``label``, ``href``).
    Each table: ``metric`` (a link; a bare label for a result without a metric
    node), ``higher`` (the direction: True/False/None), ``direction`` (in
    words), ``rows`` (``rank``, ``value``, ``models``, ``papers``, ``code``),
    ``more`` (rows not shown). Tables are ordered by their number of results,
    most first, then metric name; at most :data:`MAX_BOARDS`.
    """
    groups: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for result, keyed in graph._pred[dataset].items():
        if graph._node[result].get("kind") != "Result":
            continue
        if not any(d.get("kind") == "dataset" for d in keyed.values()):
            continue
        metrics = _targets(graph, result, "metric")
        key = min(metrics) if metrics else "\0" + str(graph._node[result].get("metric") or "")
        names[key] = label_of(graph, key) if metrics else key[1:] or "(no metric)"
        groups.setdefault(key, []).append(result)
    code: dict[str, list[dict]] = {}
    boards = []
    for key in sorted(groups, key=lambda k: (-len(groups[k]), names[k].casefold(), k))[:MAX_BOARDS]:
        metric = None if key.startswith("\0") else key
        higher = direction_of(graph, metric)
        rows = _rank([_row(graph, r, link, code) for r in groups[key]], higher)
        boards.append({"metric": link(metric) if metric else {"label": names[key], "href": None},
                       "higher": higher, "direction": direction_text(higher),
                       "rows": rows[:MAX_ROWS], "more": max(0, len(rows) - MAX_ROWS)})
    return boards, max(0, len(groups) - MAX_BOARDS)
