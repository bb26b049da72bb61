"""render_overview: the page is written, self-contained and carries the graph."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from kg.views import render_overview
from kg.views.network import collapse_edges


@pytest.fixture
def page(tmp_path, graph):
    out = render_overview(graph, tmp_path / "out" / "graph.html", title="Test graph")
    return out, out.read_text(encoding="utf-8")


def test_writes_file_and_returns_path(page, tmp_path):
    out, html = page
    assert out == tmp_path / "out" / "graph.html"
    assert out.is_file() and html.startswith("<!DOCTYPE html>")
    # atomic write leaves no temp file behind
    assert [p.name for p in out.parent.iterdir()] == ["graph.html"]


def test_overwrites_existing_file(tmp_path, graph):
    target = tmp_path / "graph.html"
    target.write_text("old")
    render_overview(graph, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(list(tmp_path.iterdir())) == 1


def test_vis_network_is_inlined(page):
    _, html = page
    base = resources.files("pyvis").joinpath("templates/lib/vis-9.1.2")
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    assert js[:2000] in html and js[-2000:] in html
    assert css[:500] in html
    assert "new vis.Network(" in html


def test_no_external_resources(page, page_tags):
    _, html = page
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    for tag, attrs in page_tags(html):
        for name in ("src", "href", "data", "action", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
        assert tag != "link" and tag != "iframe"
    scripts = [a for t, a in page_tags(html) if t == "script"]
    assert len(scripts) == 3 and all("src" not in a for a in scripts)


def test_every_node_and_collapsed_edges_embedded(page, graph, read_data):
    _, html = page
    data = read_data(html)
    assert {n["id"] for n in data["nodes"]} == set(graph.nodes)
    assert set(data["details"]) == set(graph.nodes)
    for node_id in graph.nodes:
        assert f'"{node_id}"' in html
    pairs = {frozenset((e["from"], e["to"])) for e in data["edges"]}
    assert len(pairs) == len(data["edges"])           # one visual edge per pair
    assert pairs == {frozenset((u, v)) for u, v in graph.edges()}
    p1_bert = next(e for e in data["edges"]
                   if {e["from"], e["to"]} == {"paper/p1", "model/bert"})
    assert p1_bert["count"] == 2 and "mentions ×2: uses ×2" in p1_bert["title"]
    based = next(e for e in data["edges"] if e["kinds"] == ["based_on"])
    assert based["arrows"] == "to" and p1_bert["arrows"] == "" and "based on" in based["title"]


def test_node_style_and_plain_tooltip(page, read_data):
    data = read_data(page[1])
    nodes = {n["id"]: n for n in data["nodes"]}
    bert = nodes["model/bert"]
    assert bert["title"] == "BERT\nModel · 3 papers"
    assert bert["kind"] == "Model" and bert["paper_count"] == 3
    assert bert["shape"] != nodes["dataset/squad"]["shape"]
    assert bert["color"] != nodes["dataset/squad"]["color"]
    assert bert["size"] > nodes["metric/f1"]["size"]
    assert "Bert-base" in bert["names"]
    assert nodes["paper/p1"]["title"].endswith("\nPaper · 1 paper")
    assert nodes["repository/github-com-pytorch-fairseq"]["label"] == "github.com/pytorch/fairseq"


def test_small_graph_uses_physics_then_stops(page, read_data):
    _, html = page
    data = read_data(html)
    assert data["meta"]["physics"] is True
    assert data["options"]["physics"]["enabled"] is True
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert all("x" not in n for n in data["nodes"])
    assert "stabilizationIterationsDone" in html and "physics: { enabled: false }" in html
    assert data["meta"]["omitted_nodes"] == 0 and 'id="kg-omitted"' not in html


def test_legend_filters_search_and_details_present(page, read_data):
    _, html = page
    data = read_data(html)
    kinds = [row["kind"] for row in data["legend"]]
    assert kinds == ["Paper", "Model", "Dataset", "Task", "Metric", "Repository", "Result"]
    assert {r["kind"]: r["count"] for r in data["legend"]}["Model"] == 2
    for element in ('id="kg-legend"', 'id="kg-search"', 'id="kg-min-papers"',
                    'id="kg-details"', 'id="kg-names"'):
        assert element in html
    assert "<title>Test graph</title>" in html


def test_details_payloads(page, read_data):
    details = read_data(page[1])["details"]
    p1 = details["paper/p1"]
    assert p1["url"] == "https://arxiv.org/abs/1907.11692"
    assert p1["sources"] == ["papers.txt:1"]
    for m in p1["mentions"]:
        text = p1[m["field"]]
        assert text[m["start"]:m["end"]] in ("RoBERTa", "BERT", "F1", "SQuAD",
                                             "question answering",
                                             "https://github.com/pytorch/fairseq")
    assert [r["id"] for r in p1["results"]] == ["result/abc123"]
    bert = details["model/bert"]
    assert bert["aliases"] == ["Bert-base", "bert-large"]
    assert [(p["id"], p["roles"]) for p in bert["papers"]][0] == ("paper/p2", ["proposes"])
    assert {p["id"] for p in bert["papers"]} == {"paper/p1", "paper/p2", "paper/p3"}
    assert [r["id"] for r in bert["used_by"]] == ["model/roberta"]
    roberta = details["model/roberta"]
    assert [r["id"] for r in roberta["based_on"]] == ["model/bert"]
    assert [r["href"] for r in roberta["repositories"]] == ["https://github.com/pytorch/fairseq"]
    assert [r["label"] for r in roberta["results"]] == ["F1 88.9"]
    repo = details["repository/github-com-pytorch-fairseq"]
    assert repo["href"] == "https://github.com/pytorch/fairseq"
    result = details["result/abc123"]
    assert result["value"] == 88.9 and result["links"]["dataset"][0]["id"] == "dataset/squad"


def test_offsets_are_code_points_across_astral_chars(page, read_data):
    # The page slices with Array.from (code points), like Python does.
    p3 = read_data(page[1])["details"]["paper/p3"]
    assert "𝔹" in p3["abstract"]
    bert = next(m for m in p3["mentions"] if m["entity"] == "model/bert")
    assert p3["abstract"][bert["start"]:bert["end"]] == "BERT"
    assert "Array.from(text" in page[1]


def test_collapse_edges_ignores_nodes_outside_selection(graph):
    edges = collapse_edges(graph, ["paper/p1", "model/bert"])
    assert len(edges) == 1 and edges[0]["count"] == 2


def test_empty_graph(tmp_path, read_data):
    import networkx as nx
    out = render_overview(nx.MultiDiGraph(), tmp_path / "empty.html")
    data = read_data(out.read_text(encoding="utf-8"))
    assert data["nodes"] == [] and data["edges"] == []


def test_bad_max_nodes(tmp_path, graph):
    with pytest.raises(ValueError):
        render_overview(graph, tmp_path / "x.html", max_nodes=0)


def test_entity_order_ranks_like_the_lookup_helpers():
    """The fast ranking reads attributes directly; it must agree with ``paper_count``/``is_entity``
    on every kind of node: float and missing counts, papers, results, kind-less nodes."""
    import networkx as nx

    from kg.views.lookup import is_entity, paper_count
    from kg.views.overview import _entity_order

    g = nx.MultiDiGraph()
    g.add_node("model/a", kind="Model", paper_count=2)
    g.add_node("model/b", kind="Model", paper_count=2.0)
    g.add_node("task/c", kind="Task")  # no count: its papers are counted
    g.add_node("task/d", kind="Task", paper_count=True)  # a bool is not a count either
    g.add_node("paper/1", kind="Paper")
    g.add_node("paper/2", kind="Paper")
    g.add_node("result/r", kind="Result")
    g.add_node("loose")
    for paper, ent in [("paper/1", "task/c"), ("paper/2", "task/c"), ("paper/1", "model/a"),
                       ("paper/2", "task/d"), ("paper/1", "task/c")]:
        g.add_edge(paper, ent, kind="mentions", role="uses")
    expected = sorted((n for n in g if is_entity(g, n)),
                      key=lambda n: (-paper_count(g, n), -len(g._pred[n]) - len(g._succ[n]), n))
    assert _entity_order(g, list(g)) == expected == ["task/c", "model/a", "model/b", "task/d"]
