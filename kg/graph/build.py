"""Build the networkx graph from papers, extractions and their resolution.

>>> from kg.records import Paper, Mention, Extraction
>>> p = Paper("p1", "FooNet", "We propose FooNet.")
>>> ex = Extraction("p1", (Mention("p1", "title", 0, 6, "FooNet", "Model", "proposes"),))
>>> g = build_graph([p], [ex]).graph
>>> sorted(g.nodes), [d["role"] for _, _, d in g.edges(data=True)]
(['model/foonet', 'paper/p1'], ['proposes'])
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from ..extract.lexicon import Lexicon
from ..records import Extraction, Paper, Result, role_rank
from ..resolve import Resolution, resolve


def result_id(paper: str, r: Result) -> str:
    """A stable id for one reported number."""
    text = "|".join([paper, r.model, r.metric, r.dataset or "", repr(float(r.value))])
    return "result/" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class ResolvedResult:
    id: str
    paper: str
    model: str
    metric: str
    dataset: str | None
    value: float
    evidence: str


@dataclass
class CorpusGraph:
    """Everything the outputs read: papers, extractions, resolution and the graph."""

    papers: list[Paper]
    extractions: list[Extraction]
    resolution: Resolution
    graph: nx.MultiDiGraph
    based_on: list[tuple[str, str, str]]  # (paper, subject entity, object entity)
    results: list[ResolvedResult]


def build_graph(papers: Iterable[Paper], extractions: Iterable[Extraction],
                lexicon: Lexicon | None = None) -> CorpusGraph:
    """Resolve the mentions of all papers and assemble the typed graph."""
    papers = sorted(papers, key=lambda p: p.id)
    extractions = sorted(extractions, key=lambda e: e.paper)
    mentions = [m for ex in extractions for m in ex.mentions]
    res = resolve(mentions, lexicon)
    g = nx.MultiDiGraph(name="kg")
    for p in papers:
        g.add_node(f"paper/{p.id}", kind="Paper", label=p.title, title=p.title, abstract=p.abstract,
                   url=p.url or "", sources=[str(s) for s in p.sources], paper_count=1)
    for e in sorted(res.entities.values(), key=lambda e: e.id):
        g.add_node(e.id, kind=e.type, label=e.name, aliases=list(e.aliases), paper_count=0)
    papers_of: dict[str, set[str]] = {}
    role_of: dict[tuple[str, str], str] = {}  # one role per paper and entity: the strongest
    for m in mentions:
        key = (m.paper, res.entity_of(m.paper, m.type, m.canonical))
        if key not in role_of or role_rank(m.role) < role_rank(role_of[key]):
            role_of[key] = m.role
    for m in sorted(mentions, key=lambda m: (m.paper, m.field, m.start, m.end, m.type)):
        eid = res.entity_of(m.paper, m.type, m.canonical)
        g.add_edge(f"paper/{m.paper}", eid, kind="mentions", role=role_of[(m.paper, eid)], field=m.field,
                   start=m.start, end=m.end, surface=m.surface)
        papers_of.setdefault(eid, set()).add(m.paper)
    for eid, ps in papers_of.items():
        g.nodes[eid]["paper_count"] = len(ps)
    pairs = []
    for ex in extractions:
        for r in ex.relations:
            s = res.lookup(ex.paper, r.subject, ("Model", "Technique"))
            o = res.lookup(ex.paper, r.object, ("Model", "Technique"))
            if s and o and s != o:
                pairs.append((ex.paper, s, o))
    pairs = sorted(set(pairs))
    for paper, s, o in pairs:
        g.add_edge(s, o, kind="based_on", paper=f"paper/{paper}")
    results = []
    for ex in extractions:
        for r in ex.results:
            model = res.lookup(ex.paper, r.model, ("Model", "Technique"))
            metric = res.lookup(ex.paper, r.metric, ("Metric",))
            dataset = res.lookup(ex.paper, r.dataset, ("Dataset",)) if r.dataset else None
            if not model or not metric:
                continue
            rid = result_id(ex.paper, r)
            results.append(ResolvedResult(rid, ex.paper, model, metric, dataset, r.value, r.evidence))
    results = sorted({r.id: r for r in results}.values(), key=lambda r: r.id)
    for r in results:
        label = f"{g.nodes[r.metric]['label']} {r.value:g}"
        g.add_node(r.id, kind="Result", label=label, value=r.value,
                   metric=g.nodes[r.metric]["label"],
                   dataset=g.nodes[r.dataset]["label"] if r.dataset else "")
        g.add_edge(f"paper/{r.paper}", r.id, kind="reports")
        g.add_edge(r.id, r.model, kind="model")
        g.add_edge(r.id, r.metric, kind="metric")
        if r.dataset:
            g.add_edge(r.id, r.dataset, kind="dataset")
    return CorpusGraph(papers, extractions, res, g, pairs, results)
