"""render_focus: a node's neighbourhood or one type, on the same page."""
from __future__ import annotations

import pytest

from kg.views import render_focus
from kg.views.focus import neighbourhood, resolve_kind, type_subgraph


def _ids(read_data, path):
    data = read_data(path.read_text(encoding="utf-8"))
    return data, {n["id"] for n in data["nodes"]}


def test_depth_one_contains_only_neighbours(tmp_path, graph, read_data):
    out = render_focus(graph, tmp_path / "f.html", node="model/roberta")
    data, ids = _ids(read_data, out)
    assert ids == {"model/roberta", "paper/p1", "paper/p3", "model/bert", "result/abc123"}
    assert data["meta"]["focus"] == "model/roberta"
    assert set(data["details"]) == ids
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    # references to nodes outside the view are marked as such
    bert = data["details"]["model/bert"]
    assert {p["id"]: p["shown"] for p in bert["papers"]}["paper/p2"] is False


def test_node_found_by_alias_and_depth_two(tmp_path, graph, read_data):
    out = render_focus(graph, tmp_path / "f.html", node="stanford question answering dataset",
                       depth=2)
    data, ids = _ids(read_data, out)
    assert data["meta"]["focus"] == "dataset/squad"
    # squad -> p1, p2, result -> everything p1/p2/result touch
    assert "model/roberta" in ids and "repository/github-com-pytorch-fairseq" in ids
    assert "paper/p3" not in ids
    assert "Dataset “SQuAD” and everything within 2 hops" in out.read_text(encoding="utf-8")


def test_depth_zero_is_just_the_node(tmp_path, graph, read_data):
    _, ids = _ids(read_data, render_focus(graph, tmp_path / "f.html", node="F1", depth=0))
    assert ids == {"metric/f1"}


def test_type_view_has_entities_and_their_papers(tmp_path, graph, read_data):
    out = render_focus(graph, tmp_path / "t.html", type="dataset")
    data, ids = _ids(read_data, out)
    assert ids == {"dataset/squad", "paper/p1", "paper/p2"}
    assert data["meta"]["focus"] is None
    _, ids = _ids(read_data, render_focus(graph, tmp_path / "m.html", type="Models"))
    assert ids == {"model/bert", "model/roberta", "paper/p1", "paper/p2", "paper/p3"}


def test_focus_page_is_self_contained(tmp_path, graph, page_tags):
    html = render_focus(graph, tmp_path / "f.html", node="BERT").read_text(encoding="utf-8")
    assert "new vis.Network(" in html
    for tag, attrs in page_tags(html):
        assert not (attrs.get("src") or attrs.get("href") or "").startswith(("http", "//"))


def test_focus_caps_nodes(tmp_path, large_graph, read_data):
    g = large_graph(n_entities=500, n_papers=400)
    hub = max((n for n in g if g.nodes[n]["kind"] != "Paper"),
              key=lambda n: g.nodes[n]["paper_count"])
    out = render_focus(g, tmp_path / "c.html", node=hub, depth=2, max_nodes=100)
    data, ids = _ids(read_data, out)
    assert len(ids) == 100 and hub in ids
    assert data["meta"]["omitted_nodes"] > 0 and data["meta"]["physics"] is False


def test_argument_errors(tmp_path, graph):
    with pytest.raises(ValueError):
        render_focus(graph, tmp_path / "x.html")
    with pytest.raises(ValueError):
        render_focus(graph, tmp_path / "x.html", node="BERT", type="Model")
    with pytest.raises(LookupError, match="no node named 'GPT-9'"):
        render_focus(graph, tmp_path / "x.html", node="GPT-9")
    with pytest.raises(LookupError, match="unknown type 'gizmo'"):
        render_focus(graph, tmp_path / "x.html", type="gizmo")
    with pytest.raises(ValueError):
        neighbourhood(graph, "model/bert", depth=-1)
    assert not (tmp_path / "x.html").exists()


def test_helpers(graph):
    assert resolve_kind("TASKS") == "Task"
    assert neighbourhood(graph, "metric/f1", depth=1)[0] == "metric/f1"
    assert type_subgraph(graph, "Result") == ["result/abc123", "paper/p1"]
