"""The resolved corpus, and the networkx graph built from it on demand.

:func:`build_graph` resolves the mentions of all papers (:mod:`kg.resolve`)
and keeps, per paper, what its outputs need: entity ids, results,
``based_on`` pairs and paper counts.  The files of a build are written from
these records block by block (:mod:`kg.graph.blocks`); the networkx graph
(:attr:`CorpusGraph.graph`) is assembled only when something asks for it:
the views, the site, the exports.  A rebuild that reuses most blocks so
never builds the graph in the process that writes the files.

>>> from kg.records import Paper, Mention, Extraction
>>> p = Paper("p1", "FooNet", "We propose FooNet.")
>>> ex = Extraction("p1", (Mention("p1", "title", 0, 6, "FooNet", "Model", "proposes"),))
>>> g = build_graph([p], [ex]).graph
>>> sorted(g.nodes), [d["role"] for _, _, d in g.edges(data=True)]
(['model/foonet', 'paper/p1'], ['proposes'])
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

import networkx as nx

from ..curation import Curation
from ..extract.lexicon import Lexicon
from ..records import ROLES, Extraction, Mention, Paper, Result
from ..resolve import Resolution, resolve
from ..tally import Tally


GRAPH_ATTRS = {"name": "kg"}
"""The networkx graph's own attributes (``graph.json`` writes them too)."""


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
    evidence_field: str = ""
    evidence_start: int = -1
    evidence_end: int = -1


@dataclass
class CorpusGraph:
    """Everything the outputs read: papers, extractions, their resolution, and the graph on demand."""

    papers: list[Paper]  # sorted by id
    extractions: dict[str, Extraction]  # by paper id
    resolution: Resolution
    based_on: list[tuple[str, str, str]]  # (paper, subject entity, object entity), sorted
    results: list[ResolvedResult]  # sorted by id
    results_of: dict[str, list[ResolvedResult]] = field(default_factory=dict)  # by paper id
    based_on_of: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # subject → (paper, object)
    paper_count: dict[str, int] = field(default_factory=dict)  # entity id → papers mentioning it
    version: str = ""  # the extractor's: with a paper's text, it determines the paper's extraction
    eids: dict[str, list[str]] = field(default_factory=dict)  # paper id → entity id of each mention

    @cached_property
    def _papers_by_id(self) -> dict[str, Paper]:
        return {p.id: p for p in self.papers}

    def paper(self, pid: str) -> Paper:
        return self._papers_by_id[pid]

    def _ordered_mentions(self, paper: str) -> tuple[list[tuple[Mention, str]], dict[str, str]]:
        """A paper's (mention, entity id) pairs in text order, and the strongest role per entity."""
        ex = self.extractions.get(paper)
        if ex is None:
            return [], {}
        eids = self.entity_ids(paper)
        entities = self.resolution.entities
        role_of: dict[str, str] = {}
        for m, eid in zip(ex.mentions, eids):
            if eid is None:  # a name a curation rule rejected
                continue
            role = m.role
            if role in _TYPED_ROLE and entities[eid].type != _TYPED_ROLE[role]:
                role = "uses"  # a name written as a dataset, typed otherwise corpus-wide (or by curation)
            held = role_of.get(eid)
            if held is None or _RANK[role] < _RANK[held]:
                role_of[eid] = role
        mentions = ex.mentions
        keys = list(map(_TEXT_ORDER, mentions))
        return [(mentions[i], eids[i]) for i in sorted(range(len(keys)), key=keys.__getitem__)
                if eids[i] is not None], role_of

    def mention_edges(self, paper: str) -> list[tuple[str, dict]]:
        """``(entity id, edge attributes)`` of a paper's mentions, in text order.

        Each mention carries the strongest role the paper gives its entity.
        """
        ordered, role_of = self._ordered_mentions(paper)
        return [(eid, {"kind": "mentions", "role": role_of[eid], "field": m.field, "start": m.start,
                       "end": m.end, "surface": m.surface}) for m, eid in ordered]

    def entity_ids(self, paper: str) -> list[str]:
        """The entity id of each of a paper's mentions, in extraction order."""
        return self.eids.get(paper, [])

    @staticmethod
    def paper_attrs(p: Paper) -> dict:
        return {"kind": "Paper", "label": p.title, "title": p.title, "abstract": p.abstract, "url": p.url or "",
                "sources": [str(s) for s in p.sources], "paper_count": 1, "record_id": p.record_id,
                "arxiv_id": p.arxiv_id, "year": "" if p.year is None else str(p.year), "date": p.date,
                "venue": p.venue, "authors": list(p.authors), "code_url": p.code_url}

    def entity_attrs(self, eid: str) -> dict:
        """A node's attributes; ``higher_is_better`` on metrics (None: unknown), ``same_as`` when it links out.

        The two are left out elsewhere, so the nodes (and block signatures) of other entities stay as they were.
        """
        e = self.resolution.entities[eid]
        attrs = {"kind": e.type, "label": e.name, "aliases": list(e.aliases),
                 "paper_count": self.paper_count.get(eid, 0)}
        if e.type == "Metric":
            attrs["higher_is_better"] = e.higher_is_better
        if e.same_as:
            attrs["same_as"] = list(e.same_as)
        if e.curated_by:
            attrs["curated_by"] = [f"{rule.source}: {rule.label}" for rule in e.curated_by]
        return attrs

    def result_attrs(self, r: ResolvedResult) -> dict:
        names = self.resolution.entities
        metric = names[r.metric].name
        return {"kind": "Result", "label": f"{metric} {r.value:g}", "value": r.value, "metric": metric,
                "dataset": names[r.dataset].name if r.dataset else ""}

    @staticmethod
    def result_edges(r: ResolvedResult) -> list[tuple[str, dict]]:
        edges = [(r.model, {"kind": "model"}), (r.metric, {"kind": "metric"})]
        if r.dataset:
            edges.append((r.dataset, {"kind": "dataset"}))
        return edges

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The typed networkx graph (see :mod:`kg.graph`), assembled on first use."""
        return self._networkx(sketch=False)

    def sketch(self) -> nx.MultiDiGraph:
        """:attr:`graph` with each mention edge's attributes cut to ``kind`` and ``role``.

        The overview of a big graph reads where a mention is written only for
        the papers it draws: it builds this cheaper graph (one shared dict per
        role instead of a dict per mention), chooses its nodes, and completes
        those papers with :meth:`complete_mentions`.  Nodes, edges, keys and
        their order are those of :attr:`graph`.
        """
        return self._networkx(sketch=True)

    def complete_mentions(self, graph: nx.MultiDiGraph, papers: Iterable[str]) -> None:
        """Give the mention edges of ``papers`` (node ids) in a :meth:`sketch` their full attributes."""
        succ = graph._succ
        for node in papers:
            keys: Counter = Counter()
            for eid, attrs in self.mention_edges(node[len("paper/"):]):
                succ[node][eid][keys[eid]] = attrs  # the same dict as _pred[eid][node]
                keys[eid] += 1

    def _networkx(self, sketch: bool) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph(**GRAPH_ATTRS)
        b = _Builder(g)
        for p in self.papers:
            b.add_node(f"paper/{p.id}", self.paper_attrs(p))
        for eid in sorted(self.resolution.entities):
            b.add_node(eid, self.entity_attrs(eid))
        shared = {role: {"kind": "mentions", "role": role} for role in _RANK}
        for p in self.papers:
            node = f"paper/{p.id}"
            if sketch:
                ordered, role_of = self._ordered_mentions(p.id)
                for _m, eid in ordered:
                    b.add_edge(node, eid, shared[role_of[eid]])
            else:
                for eid, attrs in self.mention_edges(p.id):
                    b.add_edge(node, eid, attrs)
        for s in sorted(self.based_on_of):
            for paper, o in self.based_on_of[s]:
                b.add_edge(s, o, {"kind": "based_on", "paper": f"paper/{paper}"})
        for r in self.results:
            b.add_node(r.id, self.result_attrs(r))
            b.add_edge(f"paper/{r.paper}", r.id, {"kind": "reports"})
            for target, attrs in self.result_edges(r):
                b.add_edge(r.id, target, attrs)
        return g


_RANK = {role: i for i, role in enumerate(ROLES)}
_TYPED_ROLE = {"evaluates_on": "Dataset", "has_code": "Repository"}
"""Roles that only an entity of one type can have (VOCABULARY.md: ``evaluatesOn`` a Dataset)."""


_TEXT_ORDER = attrgetter("field", "start", "end", "type")
"""A mention's place in its paper (sorting by it through C-level keys is twice as fast as a Python key)."""


class _Builder:
    """Fills a ``MultiDiGraph``'s adjacency dicts directly.

    ``add_node``/``add_edge`` check and copy their arguments on every call;
    here every node is new and added before its edges, so plain dict
    assignments do (about 4 times faster on a million edges).  Keys follow
    networkx's rule: 0, 1, … per (source, target) pair, in insertion order.
    """

    def __init__(self, graph: nx.MultiDiGraph):
        self.node, self.succ, self.pred = graph._node, graph._succ, graph._pred

    def add_node(self, n: str, attrs: dict) -> None:
        self.node[n] = attrs
        self.succ[n] = {}
        self.pred[n] = {}

    def add_edge(self, u: str, v: str, attrs: dict) -> None:
        keyed = self.succ[u].get(v)
        if keyed is None:
            keyed = self.succ[u][v] = self.pred[v][u] = {}
        keyed[len(keyed)] = attrs


@dataclass(frozen=True)
class Resolved:
    """The first step of :func:`build_graph`: papers by id, their extractions, and the resolution."""

    papers: list[Paper]  # sorted by id
    extractions: dict[str, Extraction]  # by paper id, in id order
    resolution: Resolution
    tally: Tally  # of all mentions


def resolve_corpus(papers: Iterable[Paper], extractions: Iterable[Extraction], lexicon: Lexicon | None = None,
                   *, jobs: int = 1, tally: Tally | None = None, curation: Curation | None = None) -> Resolved:
    """Sort papers and extractions by paper id and resolve all mentions (see :func:`kg.resolve.resolve`).

    ``jobs`` > 1 lets resolution use a second process; ``tally`` is the
    :class:`~kg.tally.Tally` of the extractions' mentions if the caller has it;
    ``curation`` the user's rules (:mod:`kg.curation`).
    """
    papers = sorted(papers, key=lambda p: p.id)
    by_paper = {ex.paper: ex for ex in sorted(extractions, key=lambda e: e.paper)}
    if tally is None:
        tally = Tally.of(m for ex in by_paper.values() for m in ex.mentions)
    res = resolve((), lexicon, jobs=jobs, tally=tally, curation=curation)
    return Resolved(papers, by_paper, res, tally)


def assemble(resolved: Resolved, version: str = "") -> CorpusGraph:
    """The second step of :func:`build_graph`: entity ids, paper counts, ``based_on`` pairs and results.

    A pure function of ``resolved``: a forked process can run it alongside the parent
    (the build draws its overview so, see :mod:`kg.builder`).
    """
    papers, by_paper, res = resolved.papers, resolved.extractions, resolved.resolution
    index = res.index
    eids: dict[str, list[str]] = {}
    distinct: list[str] = []  # each paper's entities once: counted in one go (Counter.update per paper is slower)
    for pid, ex in by_paper.items():
        ids = eids[pid] = [index.get((m.type, m.name or m.surface)) for m in ex.mentions]
        distinct.extend(set(ids) - {None})
    paper_count = Counter(distinct)
    pairs = []
    results = []
    for ex in by_paper.values():
        if not ex.relations and not ex.results:
            continue
        names = res.names_in(ex.mentions)
        for r in ex.relations:
            s = res.lookup(names, r.subject, ("Model", "Technique"))
            o = res.lookup(names, r.object, ("Model", "Technique"))
            if s and o and s != o:
                pairs.append((ex.paper, s, o))
        for r in ex.results:
            model = res.lookup(names, r.model, ("Model", "Technique"))
            metric = res.lookup(names, r.metric, ("Metric",))
            dataset = res.lookup(names, r.dataset, ("Dataset",)) if r.dataset else None
            if model and metric:
                results.append(ResolvedResult(result_id(ex.paper, r), ex.paper, model, metric, dataset, r.value,
                                              r.evidence, r.evidence_field, r.evidence_start, r.evidence_end))
    pairs = sorted(set(pairs))
    based_on_of: dict[str, list[tuple[str, str]]] = {}
    for paper, s, o in pairs:
        based_on_of.setdefault(s, []).append((paper, o))
    for s in based_on_of:
        based_on_of[s].sort(key=lambda po: (po[1], po[0]))
    results = sorted({r.id: r for r in results}.values(), key=lambda r: r.id)
    results_of: dict[str, list[ResolvedResult]] = {}
    for r in results:
        results_of.setdefault(r.paper, []).append(r)
    return CorpusGraph(papers, by_paper, res, pairs, results, results_of, based_on_of, dict(paper_count), version,
                       eids)


def build_graph(papers: Iterable[Paper], extractions: Iterable[Extraction],
                lexicon: Lexicon | None = None, version: str = "", *, jobs: int = 1,
                curation: Curation | None = None) -> CorpusGraph:
    """Resolve the mentions of all papers and gather what the outputs need.

    :func:`resolve_corpus`, then :func:`assemble`; ``jobs`` > 1 lets resolution
    use a second process (see :func:`kg.resolve.resolve`); ``curation``: the user's rules.
    """
    return assemble(resolve_corpus(papers, extractions, lexicon, jobs=jobs, curation=curation), version)
