"""Fixture graphs for the kg.views tests, built by hand in kg.graph's shape."""
from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: needs Playwright and a Chromium binary (headless, offline)")


HOSTILE_TITLE = '"><img src=x onerror=alert(1)>'
HOSTILE_ABSTRACT = ("We use BERT. </script><script>alert(1)</script> "
                    "<!-- & \u2028 \u2029 --> ]]> {{ 7*7 }}")
HOSTILE_URL = "javascript:alert(1)"


def _paper(g, pid, title, abstract, url="", line=1):
    g.add_node(f"paper/{pid}", kind="Paper", label=title, title=title,
               abstract=abstract, url=url, sources=[f"papers.txt:{line}"],
               paper_count=1)


def _entity(g, nid, kind, label, aliases=(), papers=1):
    g.add_node(nid, kind=kind, label=label, aliases=list(aliases), paper_count=papers)


def _mention(g, pid, nid, role, field, surface):
    text = g.nodes[f"paper/{pid}"][field]
    start = re.search(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text).start()
    g.add_edge(f"paper/{pid}", nid, kind="mentions", role=role, field=field,
               start=start, end=start + len(surface), surface=surface)


def build_graph(hostile: bool = False) -> nx.MultiDiGraph:
    """3 papers, 6 entities, one result, one based_on (and parallel mentions)."""
    g = nx.MultiDiGraph()
    _paper(g, "p1", "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
           "We present RoBERTa, a replication of BERT pretraining. RoBERTa "
           "reaches 88.9 F1 on SQuAD for question answering. Code: "
           "https://github.com/pytorch/fairseq", url="https://arxiv.org/abs/1907.11692", line=1)
    _paper(g, "p2", "BERT: Pre-training of Deep Bidirectional Transformers",
           "We introduce BERT, evaluated on SQuAD and other tasks.",
           url="https://arxiv.org/abs/1810.04805", line=5)
    if hostile:
        _paper(g, "p3", HOSTILE_TITLE, HOSTILE_ABSTRACT, url=HOSTILE_URL, line=9)
    else:
        _paper(g, "p3", "Longformer: The Long-Document Transformer",
               "Longformer builds on RoBERTa; we use BERT 𝔹 tokens too.", url="", line=9)
    _entity(g, "model/roberta", "Model", "RoBERTa", ["Robustly optimized BERT"], papers=2)
    _entity(g, "model/bert", "Model", "BERT", ["Bert-base", "bert-large"], papers=3)
    _entity(g, "dataset/squad", "Dataset", "SQuAD", ["Stanford Question Answering Dataset"], papers=2)
    _entity(g, "task/question-answering", "Task", "question answering", ["QA"], papers=1)
    _entity(g, "metric/f1", "Metric", "F1", ["F1 score"], papers=1)
    _entity(g, "repository/github-com-pytorch-fairseq", "Repository",
            "https://github.com/pytorch/fairseq", [], papers=1)

    _mention(g, "p1", "model/roberta", "proposes", "title", "RoBERTa")
    _mention(g, "p1", "model/roberta", "proposes", "abstract", "RoBERTa")
    _mention(g, "p1", "model/bert", "uses", "title", "BERT")
    _mention(g, "p1", "model/bert", "uses", "abstract", "BERT")
    _mention(g, "p1", "metric/f1", "uses", "abstract", "F1")
    _mention(g, "p1", "dataset/squad", "evaluates_on", "abstract", "SQuAD")
    _mention(g, "p1", "task/question-answering", "uses", "abstract", "question answering")
    _mention(g, "p1", "repository/github-com-pytorch-fairseq", "has_code", "abstract",
             "https://github.com/pytorch/fairseq")
    _mention(g, "p2", "model/bert", "proposes", "title", "BERT")
    _mention(g, "p2", "model/bert", "proposes", "abstract", "BERT")
    _mention(g, "p2", "dataset/squad", "evaluates_on", "abstract", "SQuAD")
    if hostile:
        _mention(g, "p3", "model/bert", "uses", "abstract", "BERT")
    else:
        _mention(g, "p3", "model/roberta", "uses", "abstract", "RoBERTa")
        _mention(g, "p3", "model/bert", "uses", "abstract", "BERT")
    g.add_edge("model/roberta", "model/bert", kind="based_on", paper="paper/p1")

    g.add_node("result/abc123", kind="Result", label="F1 88.9", value=88.9,
               metric="F1", dataset="SQuAD")
    g.add_edge("paper/p1", "result/abc123", kind="reports")
    g.add_edge("result/abc123", "model/roberta", kind="model")
    g.add_edge("result/abc123", "dataset/squad", kind="dataset")
    g.add_edge("result/abc123", "metric/f1", kind="metric")
    return g


def build_large(n_entities: int = 5000, n_papers: int = 1500, seed: int = 1) -> nx.MultiDiGraph:
    """A synthetic graph with many entities; paper_count is made consistent."""
    rng = random.Random(seed)
    kinds = ["Model", "Dataset", "Technique", "Task", "Metric"]
    g = nx.MultiDiGraph()
    ents = [f"{kinds[i % 5].lower()}/e{i}" for i in range(n_entities)]
    for i, e in enumerate(ents):
        g.add_node(e, kind=kinds[i % 5], label=f"Entity {i}", aliases=[f"E{i}"], paper_count=0)
    for p in range(n_papers):
        title = f"Paper {p}"
        _paper(g, f"x{p}", title, "An abstract.", line=p + 1)
        # Zipf-ish: low ids are popular.
        for e in {ents[min(int(rng.paretovariate(0.6)) - 1, n_entities - 1)] for _ in range(6)} | \
                {rng.choice(ents)}:
            g.add_edge(f"paper/x{p}", e, kind="mentions", role="uses",
                       field="title", start=0, end=5, surface="Paper")
    for e in ents:
        g.nodes[e]["paper_count"] = len(set(g.predecessors(e)))
    return g


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph()


@pytest.fixture
def hostile_graph() -> nx.MultiDiGraph:
    return build_graph(hostile=True)


def embedded_data(html: str) -> dict:
    """The JSON the page embeds in <script id="kg-data">."""
    m = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no kg-data script element"
    return json.loads(m.group(1))


class TagCollector(HTMLParser):
    """Every start tag with its attributes (script/style bodies are skipped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


@pytest.fixture
def large_graph():
    """Factory: ``large_graph(n_entities=..., n_papers=...)``."""
    return build_large


@pytest.fixture
def read_data():
    """``read_data(html)`` → the embedded JSON payload."""
    return embedded_data


@pytest.fixture
def page_tags():
    """``page_tags(html)`` → [(tag, attrs), ...] for every start tag."""
    return tags_of


@pytest.fixture
def hostile():
    """The hostile strings planted by ``hostile_graph``."""
    return {"title": HOSTILE_TITLE, "abstract": HOSTILE_ABSTRACT, "url": HOSTILE_URL}
