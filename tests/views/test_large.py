"""Big graphs: cut to max_nodes, positions from Python, physics off."""
from __future__ import annotations

import pytest

from kg.views import render_overview
from kg.views.layout import sector_layout
from kg.views.overview import select_overview


@pytest.fixture
def big_graph(large_graph):
    return large_graph(n_entities=5000, n_papers=1500)


def test_large_graph_is_cut_and_static(tmp_path, big_graph, read_data):
    out = render_overview(big_graph, tmp_path / "big.html")
    html = out.read_text(encoding="utf-8")
    data = read_data(html)
    meta = data["meta"]
    assert big_graph.number_of_nodes() == 6500
    assert len(data["nodes"]) <= 2000 and meta["shown_nodes"] == len(data["nodes"])
    assert meta["omitted_nodes"] == 6500 - len(data["nodes"]) > 0
    assert meta["physics"] is False
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["edges"]["smooth"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert 'id="kg-omitted"' in html and f"{meta['omitted_nodes']} of 6500 nodes omitted" in html
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])


def test_cut_keeps_most_mentioned_entities(big_graph):
    kept = select_overview(big_graph, 500)
    assert len(kept) == 500 and len(set(kept)) == 500
    ents = [n for n in big_graph if big_graph.nodes[n]["kind"] != "Paper"]
    top = max(ents, key=lambda n: big_graph.nodes[n]["paper_count"])
    assert kept[0] == top
    kept_counts = [big_graph.nodes[n]["paper_count"] for n in kept
                   if big_graph.nodes[n]["kind"] != "Paper"]
    dropped = [big_graph.nodes[n]["paper_count"] for n in ents if n not in set(kept)]
    assert min(kept_counts) >= max(dropped)


def test_small_max_nodes(tmp_path, big_graph, read_data):
    html = render_overview(big_graph, tmp_path / "s.html", max_nodes=50).read_text(encoding="utf-8")
    data = read_data(html)
    assert len(data["nodes"]) == 50 and data["meta"]["physics"] is False


def test_medium_graph_over_physics_limit_uses_python_layout(tmp_path, large_graph, read_data):
    g = large_graph(n_entities=900, n_papers=300)
    assert 1000 < g.number_of_nodes() <= 2000
    data = read_data(render_overview(g, tmp_path / "m.html").read_text(encoding="utf-8"))
    assert data["meta"]["omitted_nodes"] == 0
    assert data["meta"]["physics"] is False and all("x" in n for n in data["nodes"])


def test_sector_layout_is_deterministic_and_spread(big_graph):
    nodes = select_overview(big_graph, 2000)
    pos = sector_layout(big_graph, nodes)
    assert set(pos) == set(nodes) and pos == sector_layout(big_graph, nodes)
    distinct = {(round(x), round(y)) for x, y in pos.values()}
    assert len(distinct) > 0.95 * len(nodes)
