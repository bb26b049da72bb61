"""The typed networkx graph (see the kg.graph docstring for the documented shape)."""
from __future__ import annotations

from collections import defaultdict

import pytest

from kg import api
from kg.graph import build_graph, result_id
from kg.records import ENTITY_TYPES, ROLES, Extraction, Mention, Paper, Relation, Result

P1 = Paper("p1", "FooNet: Fast Nets", "We propose FooNet, built on BERT. FooNet gets 81.5 accuracy on ImageNet.",
           url="https://example.org/p1", sources=())
P2 = Paper("p2", "BERT Strikes Back", "We revisit BERT-base on GLUE and ImageNet.")


def mention(paper: Paper, field: str, surface: str, type_: str, role: str = "uses", nth: int = 0,
            name: str = "", aliases=()) -> Mention:
    text = paper.text(field)
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(paper.id, field, start, start + len(surface), surface, type_, role, name, tuple(aliases))


def corpus():
    ex1 = Extraction("p1", (
        mention(P1, "title", "FooNet", "Model", "proposes"),
        mention(P1, "abstract", "FooNet", "Model", "proposes"),
        mention(P1, "abstract", "BERT", "Model"),
        mention(P1, "abstract", "FooNet", "Model", "proposes", nth=1),
        mention(P1, "abstract", "accuracy", "Metric"),
        mention(P1, "abstract", "ImageNet", "Dataset", "evaluates_on"),
    ), (Relation("p1", "FooNet", "BERT"),),
        (Result("p1", "FooNet", "accuracy", 81.5, "ImageNet", "FooNet gets 81.5 accuracy on ImageNet."),))
    ex2 = Extraction("p2", (
        mention(P2, "title", "BERT", "Model"),
        mention(P2, "abstract", "BERT-base", "Model"),
        mention(P2, "abstract", "GLUE", "Dataset", "evaluates_on"),
        mention(P2, "abstract", "ImageNet", "Dataset", "evaluates_on"),
    ))
    return [P2, P1], [ex2, ex1]


@pytest.fixture
def cg():
    papers, extractions = corpus()
    return build_graph(papers, extractions)


def edges(g, kind):
    return [(u, v, d) for u, v, d in g.edges(data=True) if d["kind"] == kind]


def test_node_ids_and_kinds(cg):
    g = cg.graph
    kinds = {n: d["kind"] for n, d in g.nodes(data=True)}
    rid = result_id("p1", cg.extractions["p1"].results[0])
    assert kinds == {
        "paper/p1": "Paper", "paper/p2": "Paper",
        "model/foonet": "Model", "model/bert": "Model",
        "dataset/imagenet": "Dataset", "dataset/glue": "Dataset",
        "metric/accuracy": "Metric",
        rid: "Result",
    }


def test_paper_node_attributes(cg):
    d = cg.graph.nodes["paper/p1"]
    assert d["title"] == d["label"] == P1.title
    assert d["abstract"] == P1.abstract
    assert d["url"] == "https://example.org/p1"
    assert d["sources"] == [] and d["paper_count"] == 1
    assert cg.graph.nodes["paper/p2"]["url"] == ""


def test_entity_node_attributes(cg):
    d = cg.graph.nodes["model/bert"]
    assert d["label"] == "BERT"
    assert d["aliases"] == ["BERT-base"]


def test_paper_count_counts_distinct_papers(cg):
    g = cg.graph
    counts = {n: d["paper_count"] for n, d in g.nodes(data=True) if d["kind"] in ENTITY_TYPES}
    assert counts == {"model/foonet": 1, "model/bert": 2, "dataset/imagenet": 2, "dataset/glue": 1,
                      "metric/accuracy": 1}
    for n, c in counts.items():
        assert c == len({u for u, _, d in g.in_edges(n, data=True) if d["kind"] == "mentions"})


def test_one_mentions_edge_per_mention_with_its_evidence(cg):
    g = cg.graph
    ms = edges(g, "mentions")
    assert len(ms) == 10
    for u, v, d in ms:
        assert set(d) == {"kind", "role", "field", "start", "end", "surface"}
        assert g.nodes[u]["kind"] == "Paper" and g.nodes[v]["kind"] in ENTITY_TYPES
        assert d["role"] in ROLES and d["field"] in ("title", "abstract")
        assert g.nodes[u][d["field"]][d["start"]:d["end"]] == d["surface"]
    foonet = [d for u, v, d in ms if v == "model/foonet"]
    assert len(foonet) == 3 and {d["role"] for d in foonet} == {"proposes"}


def test_based_on_edges(cg):
    g = cg.graph
    assert [(u, v, d) for u, v, d in edges(g, "based_on")] == [
        ("model/foonet", "model/bert", {"kind": "based_on", "paper": "paper/p1"})]
    assert cg.based_on == [("p1", "model/foonet", "model/bert")]


def test_result_node_and_edges(cg):
    g = cg.graph
    (res,) = cg.results
    assert res.id.startswith("result/")
    d = g.nodes[res.id]
    assert d["value"] == 81.5 and d["metric"] == "accuracy" and d["dataset"] == "ImageNet"
    assert d["label"] == "accuracy 81.5"
    assert [(u, v) for u, v, _ in edges(g, "reports")] == [("paper/p1", res.id)]
    out = {d["kind"]: v for _, v, d in g.out_edges(res.id, data=True)}
    assert out == {"model": "model/foonet", "metric": "metric/accuracy", "dataset": "dataset/imagenet"}


def test_only_documented_edge_kinds(cg):
    assert {d["kind"] for _, _, d in cg.graph.edges(data=True)} == {
        "mentions", "based_on", "reports", "model", "metric", "dataset"}


def test_independent_of_input_order(cg):
    papers, extractions = corpus()
    again = build_graph(list(reversed(papers)), list(reversed(extractions))).graph
    assert sorted(again.nodes(data=True)) == sorted(cg.graph.nodes(data=True))
    key = lambda e: (e[0], e[1], sorted(e[2].items()))  # noqa: E731
    assert sorted(again.edges(data=True), key=key) == sorted(cg.graph.edges(data=True), key=key)


def test_result_endpoints_have_the_right_types_after_retyping():
    """A name typed Model in one paper but Dataset by the corpus vote must not be a result's model.

    Three papers call WikiText-103 a Dataset, one paper's extractor took it for a Model and
    reported a result for it: the result's ``model`` edge then points at ``dataset/wikitext-103``
    (SHACL: mlkg:model must be a Model or Technique).
    """
    ps = [Paper(f"d{i}", f"Paper {i}", "We evaluate on WikiText-103.") for i in range(3)]
    odd = Paper("m1", "Odd Paper", "WikiText-103 reaches 18.3 perplexity.")
    exs = [Extraction(p.id, (mention(p, "abstract", "WikiText-103", "Dataset", "evaluates_on"),)) for p in ps]
    exs.append(Extraction("m1", (mention(odd, "abstract", "WikiText-103", "Model"),
                                 mention(odd, "abstract", "perplexity", "Metric")),
                          results=(Result("m1", "WikiText-103", "perplexity", 18.3),)))
    g = build_graph(ps + [odd], exs).graph
    allowed = {"model": {"Model", "Technique"}, "metric": {"Metric"}, "dataset": {"Dataset"}}
    for u, v, d in g.edges(data=True):
        if d["kind"] in allowed:
            assert g.nodes[v]["kind"] in allowed[d["kind"]], (u, d["kind"], v)


def test_one_role_per_paper_and_entity():
    """ANNOTATION.md: every entity in a paper has exactly one role, the strongest.

    The extractor gives roles per in-paper name; when resolution merges two names of one
    paper ("EcoFormer" proposed, "Ecoformer" used), the paper's edges to the entity must still
    agree on the strongest role.
    """
    p = Paper("e1", "EcoFormer: Energy-Saving Attention", "We propose EcoFormer. Ecoformer is fast.")
    ex = Extraction("e1", (mention(p, "title", "EcoFormer", "Model", "proposes"),
                           mention(p, "abstract", "EcoFormer", "Model", "proposes"),
                           mention(p, "abstract", "Ecoformer", "Model", "uses")))
    g = build_graph([p], [ex]).graph
    roles = defaultdict(set)
    for u, v, d in edges(g, "mentions"):
        roles[(u, v)].add(d["role"])
    assert dict(roles) == {("paper/e1", "model/ecoformer"): {"proposes"}}


def test_attribute_values_are_scalars_or_string_lists(fixture_build):
    _, out = fixture_build
    g = api.load_graph(out)
    items = [d for _, d in g.nodes(data=True)] + [d for _, _, d in g.edges(data=True)]
    for d in items:
        for k, v in d.items():
            assert v is None or isinstance(v, (str, int, float, bool)) or (
                isinstance(v, list) and all(isinstance(x, str) for x in v)), (k, v)


def test_fixture_build_graph_shape(fixture_build):
    summary, out = fixture_build
    g = api.load_graph(out)
    kinds = defaultdict(int)
    for _, d in g.nodes(data=True):
        kinds[d["kind"]] += 1
    assert kinds["Paper"] == summary.papers == 5
    for t in ENTITY_TYPES:
        assert kinds[t] == summary.entities[t]
    assert g.nodes["model/bert"]["paper_count"] == 2  # BERT-base (FooNet) and BERT-large (LoRA)
    assert g.nodes["dataset/glue"]["paper_count"] == 2


def test_sketch_draws_the_same_overview_once_completed(fixture_build, tmp_path):
    """The overview of a sketch whose drawn papers are completed is the overview of the graph."""
    from kg.views import render_overview

    cg = fixture_build[0].corpus
    sketch, completed = cg.sketch(), []

    def complete(nodes):
        papers = [n for n in nodes if n.startswith("paper/")]
        completed.extend(papers)
        cg.complete_mentions(sketch, papers)

    a = render_overview(cg.graph, tmp_path / "a.html", max_nodes=8)
    b = render_overview(sketch, tmp_path / "b.html", max_nodes=8, complete=complete)
    assert a.read_bytes() == b.read_bytes()
    left = [p for p in sketch if p.startswith("paper/") and p not in completed]
    assert completed and left, "the cut should draw some papers and leave others"
    for _, _, data in sketch.out_edges(left, data=True):
        if data["kind"] == "mentions":
            assert set(data) == {"kind", "role"}
    cg.complete_mentions(sketch, left)
    assert list(sketch.nodes(data=True)) == list(cg.graph.nodes(data=True))
    assert list(sketch.edges(keys=True, data=True)) == list(cg.graph.edges(keys=True, data=True))
