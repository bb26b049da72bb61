"""``kg leaderboard DATASET [--metric M]``: the shipped ``leaderboard`` query, one table per metric.

Without a metric, the metrics reported on the dataset are found by a query and the
``leaderboard`` query runs once for each of them (sorted by name).  A dataset the
graph does not have at all (no ``mlkg:Dataset`` with that name or alias, any case)
is :class:`~kg.errors.LookupFailed`; a dataset with no results, or no results for
the metric asked for, is a :class:`Leaderboard` without tables whose ``note`` says so.

>>> board = Leaderboard("COCO", [], note="No results are reported on COCO.")
>>> board.format("table")
'No results are reported on COCO.'
>>> board.format("csv")
'metric,model,value,paper,code'
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import pyoxigraph

from .api import QUERY_MAX_RESULTS, QUERY_TIMEOUT
from .errors import LookupFailed
from .sparql import QueryResult, format_result, query

# Both project the parameter (?dataset): Oxigraph substitutes only SELECTed variables.
DATASET = """# param: dataset = ""
SELECT DISTINCT ?label ?dataset WHERE {
  ?d a mlkg:Dataset ; rdfs:label ?label ; rdfs:label|skos:altLabel ?name .
  FILTER(LCASE(STR(?name)) = LCASE(STR(?dataset)))
} ORDER BY ?label"""
METRICS = """# param: dataset = ""
SELECT ?metric ?higher (GROUP_CONCAT(DISTINCT LCASE(STR(?alias)); separator="\\n") AS ?names) ?dataset
WHERE {
  ?d a mlkg:Dataset ; rdfs:label|skos:altLabel ?name .
  FILTER(LCASE(STR(?name)) = LCASE(STR(?dataset)))
  ?r a mlkg:Result ; mlkg:dataset ?d ; mlkg:metric ?x .
  ?x rdfs:label ?metric ; rdfs:label|skos:altLabel ?alias .
  OPTIONAL { ?x mlkg:higherIsBetter ?higher }
} GROUP BY ?metric ?higher ?dataset ORDER BY LCASE(?metric) ?metric"""
COLUMNS = ["model", "value", "paper", "code"]


@dataclass
class Board:
    """One metric's table: its name, direction (``None``: unknown) and ranked rows."""

    metric: str
    higher_is_better: bool | None
    result: QueryResult

    def heading(self) -> str:
        """``top-1 accuracy (higher is better)``, or ``(direction unknown: highest first)``."""
        if self.higher_is_better is None:
            return f"{self.metric} (direction unknown: highest first)"
        return f"{self.metric} ({'higher' if self.higher_is_better else 'lower'} is better)"


@dataclass
class Leaderboard:
    """A dataset's leaderboards (``boards``, one per metric), or a ``note`` why there are none."""

    dataset: str
    boards: list[Board] = field(default_factory=list)
    note: str = ""

    def combined(self) -> QueryResult:
        """Every board's rows in one table with a leading ``metric`` column (for CSV, TSV, JSON)."""
        rows, terms = [], []
        for board in self.boards:
            rows += [[board.metric, *row] for row in board.result.rows]
            terms += [[pyoxigraph.Literal(board.metric), *row] for row in board.result.terms or []]
        return QueryResult(["metric", *COLUMNS], rows, terms=terms)

    def format(self, fmt: str = "table", *, terminal: bool = False) -> str:
        """Tables under a heading per metric (``table``), else the :meth:`combined` rows."""
        if fmt != "table":
            return format_result(self.combined(), fmt, terminal=terminal)
        if not self.boards:
            return self.note
        parts = [f"{self.dataset}: {board.heading()}\n{format_result(board.result)}" for board in self.boards]
        return "\n\n".join(parts + ([self.note] if self.note else []))

    def __str__(self) -> str:
        return self.format()


def leaderboard(dataset: str, metric: str | None = None, graph: str | os.PathLike = "output", *,
                timeout: float | None = QUERY_TIMEOUT,
                max_results: int | None = QUERY_MAX_RESULTS) -> Leaderboard:
    """The leaderboards of ``dataset`` (name or alias, any case): of ``metric``, or of each metric."""
    bounds = {"timeout": timeout, "max_results": max_results}
    found = query(DATASET, graph, bind={"dataset": dataset}, **bounds)
    if not found.rows:
        raise LookupFailed(f"no dataset named {dataset!r} in the graph (a name or alias, any case); "
                           "`kg query top-datasets` lists the most-mentioned ones")
    name = ", ".join(label for (label,) in found.rows)
    metrics = query(METRICS, graph, bind={"dataset": dataset}, **bounds).rows
    if not metrics:
        return Leaderboard(name, note=f"No results are reported on {name} in this graph.")
    directions = {m: {"true": True, "1": True, "false": False, "0": False}.get(h) for m, h, _ in metrics}
    wanted = dict.fromkeys(m for m, _, names in metrics if metric is None or metric.lower() in names.split("\n"))
    boards = [Board(m, directions[m], query("leaderboard", graph, bind={"dataset": dataset, "metric": m},
                                            **bounds)) for m in wanted]
    note = ""
    if metric is not None and not boards:
        note = (f"No results for the metric {metric!r} on {name}; the metrics reported there: "
                + ", ".join(directions))
    return Leaderboard(name, boards, note)
