"""Dataset leaderboards and paper metadata on the static site (kg.views.leaderboard, kg.views.paper_page)."""
from __future__ import annotations

import re

import networkx as nx
import pytest

from kg.views import render_site
from kg.views.leaderboard import MAX_ROWS, leaderboards
from kg.views.paper_page import paper_meta

HOSTILE_MODEL = '<script>alert("m")</script>'
HOSTILE_PAPER = '"><img src=x onerror=alert(2)>'


def _result(g, rid, paper, model, value, metric="metric/err", dataset="dataset/d"):
    g.add_node(rid, kind="Result", label=f"x {value}", value=value, metric="x", dataset="D")
    g.add_edge(paper, rid, kind="reports")
    g.add_edge(rid, model, kind="model")
    g.add_edge(rid, dataset, kind="dataset")
    if metric:
        g.add_edge(rid, metric, kind="metric")


def _graph(higher):
    """Dataset D, one metric of direction ``higher``, three papers each proposing one model."""
    g = nx.MultiDiGraph()
    g.add_node("dataset/d", kind="Dataset", label="D", aliases=[], paper_count=3)
    g.add_node("metric/err", kind="Metric", label="error", aliases=[], paper_count=3)
    if higher is not None:
        g.nodes["metric/err"]["higher_is_better"] = higher
    for i, (model, value) in enumerate([("Alpha", 2.5), ("Beta", 0.5), ("Gamma", 7.0)]):
        g.add_node(f"paper/p{i}", kind="Paper", label=f"Paper {model}", title=f"Paper {model}",
                   abstract="", url="", sources=[], paper_count=1)
        g.add_node(f"model/{model.lower()}", kind="Model", label=model, aliases=[], paper_count=1)
        _result(g, f"result/r{i}", f"paper/p{i}", f"model/{model.lower()}", value)
    g.add_node("repository/r", kind="Repository", label="https://github.com/o/beta", paper_count=1)
    g.add_edge("paper/p1", "repository/r", kind="mentions", role="has_code")
    return g


def _rows(html: str) -> list[tuple[str, str, str, str]]:
    """(rank, model, value, paper) of each leaderboard row of a page."""
    return re.findall(r'<tr><td class="num">(\d*)</td><td><a href="[^"]*">([^<]*)</a></td>'
                      r'<td class="num">([^<]*)</td><td><a href="[^"]*">([^<]*)</a></td>', html)


def _page(tmp_path, g, page):
    return (render_site(g, tmp_path).parent / page).read_text(encoding="utf-8")


@pytest.mark.parametrize("higher, order, caption", [
    (False, ["Beta", "Alpha", "Gamma"], "lower is better"),
    (True, ["Gamma", "Alpha", "Beta"], "higher is better"),
    (None, ["Gamma", "Alpha", "Beta"], "direction unknown"),
])
def test_dataset_page_ranks_by_the_metric_direction(tmp_path, higher, order, caption):
    html = _page(tmp_path, _graph(higher), "entity/dataset-d.html")
    rows = _rows(html)
    assert [r[1] for r in rows] == order
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert dict((r[1], r[2]) for r in rows) == {"Alpha": "2.5", "Beta": "0.5", "Gamma": "7"}
    assert dict((r[1], r[3]) for r in rows)["Beta"] == "Paper Beta"
    cap = re.search(r"<caption>(.*?)</caption>", html).group(1)
    assert ">error</a>" in cap and caption in cap
    # the code column links the paper's repository, only on Beta's row
    beta = re.search(r"<tr><td[^>]*>\d*</td><td><a [^>]*>Beta</a>.*?</tr>", html).group(0)
    assert 'href="https://github.com/o/beta"' in beta
    assert html.count('href="https://github.com/o/beta"') == 1
    # the old small results table is gone from the dataset page
    assert '<section id="results">' not in html


def test_ties_share_a_rank_and_tables_are_one_per_metric(tmp_path):
    g = _graph(True)
    g.add_node("metric/acc", kind="Metric", label="accuracy", higher_is_better=True, paper_count=1)
    _result(g, "result/a1", "paper/p0", "model/alpha", 90, metric="metric/acc")
    _result(g, "result/a2", "paper/p1", "model/beta", 90, metric="metric/acc")
    boards, more = leaderboards(g, "dataset/d", lambda n: {"label": g.nodes[n]["label"], "href": None})
    assert more == 0
    assert [b["metric"]["label"] for b in boards] == ["error", "accuracy"]   # most results first
    assert [(r["rank"], r["models"][0]["label"]) for r in boards[1]["rows"]] == [(1, "Alpha"), (1, "Beta")]
    html = _page(tmp_path, g, "entity/dataset-d.html")
    assert html.count("<table class=\"results leaderboard\">") == 2
    assert "Leaderboards (2 metrics)" in html


def test_long_leaderboard_is_capped(tmp_path):
    g = _graph(True)
    for i in range(MAX_ROWS + 5):
        _result(g, f"result/x{i}", "paper/p0", "model/alpha", float(i))
    boards, _ = leaderboards(g, "dataset/d", lambda n: {"label": n, "href": None})
    assert len(boards[0]["rows"]) == MAX_ROWS and boards[0]["more"] == 8
    assert boards[0]["rows"][0]["value"] == str(MAX_ROWS + 4)


def test_hostile_model_and_paper_names_are_escaped(tmp_path, page_tags):
    g = _graph(False)
    g.nodes["model/beta"]["label"] = HOSTILE_MODEL
    g.nodes["paper/p1"].update(label=HOSTILE_PAPER, title=HOSTILE_PAPER, authors=[HOSTILE_MODEL],
                               venue=HOSTILE_PAPER, arxiv_id="1234.5678\"><x", code_url="javascript:alert(3)")
    g.nodes["repository/r"]["label"] = "javascript:alert(4)"
    root = render_site(g, tmp_path).parent
    html = (root / "entity" / "dataset-d.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;m&#34;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    for page in root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img" not in text, page
        for tag, attrs in page_tags(text):
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
            assert not (attrs.get("href") or "").lower().startswith("javascript:"), (page, attrs)
    paper = (root / "paper" / "p1.html").read_text(encoding="utf-8")
    assert "arxiv.org" not in paper                        # not an arXiv id: no link made of it


def test_paper_metadata_line_when_present(tmp_path, graph, page_tags):
    graph.nodes["paper/p1"].update(authors=["Yinhan Liu", "Myle Ott"], year=2019, date="2019-07-26",
                                   venue="arXiv preprint", arxiv_id="1907.11692",
                                   code_url="https://github.com/pytorch/fairseq")
    graph.nodes["paper/p2"].update(url="", arxiv_id="1810.04805", date="2018-10-11", year=None)
    root = render_site(graph, tmp_path).parent
    p1 = (root / "paper" / "p1.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="meta">Yinhan Liu, Myle Ott · 2019 · arXiv preprint</p>', p1)
    hrefs = [a["href"] for t, a in page_tags(p1) if t == "a" and a.get("href", "").startswith("http")]
    assert "https://arxiv.org/abs/1907.11692" in hrefs and "https://github.com/pytorch/fairseq" in hrefs
    assert hrefs.count("https://arxiv.org/abs/1907.11692") == 1     # url is the arXiv page: one link
    p2 = (root / "paper" / "p2.html").read_text(encoding="utf-8")
    assert '<p class="meta">2018-10-11</p>' in p2                   # no year: the date
    assert 'href="https://arxiv.org/abs/1810.04805"' in p2          # no url: the arXiv page


def test_paper_metadata_absent_cleanly(tmp_path, graph):
    root = render_site(graph, tmp_path).parent
    p3 = (root / "paper" / "p3.html").read_text(encoding="utf-8")   # no url, no metadata
    assert 'class="meta"' not in p3 and 'class="links"' not in p3 and "code:" not in p3
    assert "Link (not a web address)" not in p3
    p1 = (root / "paper" / "p1.html").read_text(encoding="utf-8")
    assert 'class="meta"' not in p1 and 'href="https://arxiv.org/abs/1907.11692"' in p1
    assert paper_meta({})["shown"] is False and paper_meta({})["link"] is None


def test_entity_page_links_out_and_metric_direction(tmp_path, graph):
    graph.nodes["model/roberta"]["same_as"] = ["https://linkedpaperswithcode.com/method/roberta",
                                              "javascript:alert(1)"]
    graph.nodes["metric/f1"]["higher_is_better"] = True
    root = render_site(graph, tmp_path).parent
    roberta = (root / "entity" / "model-roberta.html").read_text(encoding="utf-8")
    assert "Same as:" in roberta and 'href="https://linkedpaperswithcode.com/method/roberta"' in roberta
    assert "javascript:alert" not in roberta
    assert "Same as:" not in (root / "entity" / "model-bert.html").read_text(encoding="utf-8")
    f1 = (root / "entity" / "metric-f1.html").read_text(encoding="utf-8")
    assert "Ranked: higher is better." in f1
    squad = (root / "entity" / "dataset-squad.html").read_text(encoding="utf-8")
    assert "higher is better</span></caption>" in squad and ">RoBERTa</a>" in squad
