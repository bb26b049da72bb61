"""render_site: a static, offline, safe site with one page per entity and paper."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.views import render_site
from kg.views.site import PAGE_RE, SitePaths, slug_for

ENTITIES = ["model/roberta", "model/bert", "dataset/squad", "task/question-answering",
            "metric/f1", "repository/github-com-pytorch-fairseq"]


@pytest.fixture
def site(tmp_path, graph):
    index = render_site(graph, tmp_path / "out")
    return index, index.parent


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _graph_json(html: str) -> dict:
    m = re.search(r'<script id="kg-graph-data" type="application/json">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_layout_of_the_site(site, tmp_path):
    index, root = site
    assert index == tmp_path / "out" / "site" / "index.html"
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert names == sorted(
        ["index.html", "paper/p1.html", "paper/p2.html", "paper/p3.html",
         "static/site.css", "static/site.js", "static/vis-network.min.css",
         "static/vis-network.min.js"] + [f"entity/{e.replace('/', '-')}.html" for e in ENTITIES])
    # nothing left behind by the swap
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["site"]


def test_rerender_replaces_the_site(tmp_path, graph):
    render_site(graph, tmp_path)
    (tmp_path / "site" / "entity" / "stale.html").write_text("old")
    render_site(graph, tmp_path)
    assert not (tmp_path / "site" / "entity" / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_index_lists_every_entity_and_paper(site, graph, page_tags):
    index, root = site
    html = _html(index)
    hrefs = {a.get("href") for t, a in page_tags(html) if t == "a"}
    for e in ENTITIES:
        assert f"entity/{e.replace('/', '-')}.html" in hrefs
        assert (root / f"entity/{e.replace('/', '-')}.html").is_file()
    for p in ("p1", "p2", "p3"):
        assert f"paper/{p}.html" in hrefs
    assert 'id="site-q"' in html and 'id="site-sort"' in html
    # searchable by alias, rows carry their paper counts (most first)
    assert 'data-search="squad\nstanford question answering dataset\ndataset/squad"' in html
    models = re.findall(r'data-count="(\d+)"><td><a href="entity/model-', html)
    assert models == ["3", "2"]


def test_entity_page_lists_its_papers_with_roles(site):
    _, root = site
    html = _html(root / "entity" / "model-bert.html")
    assert "<h1" in html and ">BERT</h1>" in html
    assert "Bert-base, bert-large" in html
    papers = re.findall(r'<li><a href="\.\./paper/(p\d)\.html">[^<]*</a> <span class="roles">— ([^<]*)</span>', html)
    assert papers[0] == ("p2", "proposes")
    assert sorted(papers) == [("p1", "uses"), ("p2", "proposes"), ("p3", "uses")]
    assert 'href="../entity/model-roberta.html"' in html          # basis of
    assert "<mark>BERT</mark>" in html                             # evidence sentences
    data = _graph_json(html)
    assert data["focus"] == "model/bert"
    assert {"model/bert", "paper/p1", "paper/p2", "paper/p3"} <= {n["id"] for n in data["nodes"]}
    assert all(n["page"] is None or PAGE_RE.match(n["page"]) for n in data["nodes"])


def test_entity_page_repositories_and_results(site):
    _, root = site
    html = _html(root / "entity" / "model-roberta.html")
    assert 'href="https://github.com/pytorch/fairseq"' in html
    assert "F1 88.9" in html and 'href="../entity/dataset-squad.html"' in html


def test_paper_page_highlights_mentions(site):
    _, root = site
    html = _html(root / "paper" / "p1.html")
    assert 'href="https://arxiv.org/abs/1907.11692"' in html
    marks = re.findall(r'<a class="mention role-(\w+)" href="\.\./entity/([\w.-]+)\.html"[^>]*>([^<]*)</a>', html)
    assert ("proposes", "model-roberta", "RoBERTa") in marks
    assert ("evaluates_on", "dataset-squad", "SQuAD") in marks
    assert len(marks) == 8
    assert _graph_json(html)["focus"] == "paper/p1"


def _all_pages(root: Path):
    return sorted(root.rglob("*.html"))


def test_hostile_input_is_escaped_everywhere(tmp_path, hostile_graph, hostile, page_tags):
    index = render_site(hostile_graph, tmp_path, title="<script>alert(1)</script>")
    root = index.parent
    paper = _html(root / "paper" / "p3.html")
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in paper
    assert "javascript:alert(1)" in paper                    # shown as text only
    for page in _all_pages(root):
        html = _html(page)
        assert "<script>alert(1)" not in html and "<img" not in html
        assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.I)
        for tag, attrs in page_tags(html):
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
            assert tag not in ("img", "iframe", "object", "embed")
            if tag == "a" and "href" in attrs:
                href = attrs["href"]
                assert (href.startswith(("https://", "http://")) or PAGE_RE.match(href)
                        or re.match(r"^(\.\./)?index\.html(#[\w-]+)?$", href)
                        or re.match(r"^#[\w-]+$", href)), (page, href)
    data = _graph_json(paper)
    assert next(n for n in data["nodes"] if n["id"] == "paper/p3")["title"].startswith(hostile["title"])


def test_no_remote_or_inline_scripts(site, page_tags):
    _, root = site
    for page in _all_pages(root):
        html = _html(page)
        assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
        for tag, attrs in page_tags(html):
            for name in ("src", "href"):
                value = (attrs.get(name) or "").strip().lower()
                if tag in ("script", "link"):
                    assert value == "" or re.match(r"^(\.\./)?static/[\w.-]+$", value), (page, tag, attrs)
            if tag == "script":   # our files, or data that never runs
                assert "src" in attrs or attrs.get("type") == "application/json"
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
        assert "script-src 'self';" in csp            # no inline script may run


def test_static_assets_written_once(site):
    _, root = site
    js = root / "static" / "vis-network.min.js"
    assert js.stat().st_size > 300_000
    for page in _all_pages(root):
        assert page.stat().st_size < 300_000


@pytest.mark.parametrize("node,expected", [
    ("model/bert", "model-bert"), ("../../x", "x"), ("a/b c?d", "a-b-c-d"),
    ("CON", "CON"), ("", "node"), ("x" * 300, None)])
def test_slugs_are_safe(node, expected):
    slug = slug_for(node)
    assert re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", slug)
    assert len(slug) <= 120
    if expected:
        assert slug == expected


def test_slug_collisions_get_distinct_pages():
    import networkx as nx
    g = nx.MultiDiGraph()
    for n in ("model/a b", "model/a-b", "model/A-B"):
        g.add_node(n, kind="Model", label=n, paper_count=1)
    pages = SitePaths(g).pages
    assert len({p.casefold() for p in pages.values()}) == 3


def test_bad_max_graph_nodes(tmp_path, graph):
    with pytest.raises(ValueError):
        render_site(graph, tmp_path, max_graph_nodes=0)
