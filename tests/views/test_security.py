"""Hostile text in the graph must stay data: no markup, no script, no links."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from kg.views import render_focus, render_overview
from kg.views.page import script_json
from kg.views.style import safe_url


@pytest.fixture(params=["overview", "focus"])
def html(request, tmp_path, hostile_graph):
    if request.param == "overview":
        out = render_overview(hostile_graph, tmp_path / "h.html",
                              title="<script>alert(1)</script>")
    else:
        out = render_focus(hostile_graph, tmp_path / "h.html", node="paper/p3")
    return out.read_text(encoding="utf-8")


def test_script_breakout_absent(html):
    assert "</script><script>alert(1)" not in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "<!-- &" not in html


def test_only_expected_script_elements(html, page_tags):
    scripts = [attrs for tag, attrs in page_tags(html) if tag == "script"]
    assert len(scripts) == 3
    assert [t for t, _ in page_tags(html) if t in ("img", "iframe", "object", "embed")] == []
    # no element carries an event-handler attribute
    assert not any(k.startswith("on") for _, attrs in page_tags(html) for k in attrs)


def test_hostile_strings_round_trip_as_data(html, read_data, hostile):
    data = read_data(html)
    p3 = data["details"]["paper/p3"]
    assert p3["title"] == hostile["title"]
    assert p3["abstract"] == hostile["abstract"]
    node = next(n for n in data["nodes"] if n["id"] == "paper/p3")
    assert node["title"].startswith(hostile["title"])


def test_javascript_url_never_becomes_href(html, read_data, hostile):
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.I)
    p3 = read_data(html)["details"]["paper/p3"]
    assert p3["url"] is None                    # what the page may link to
    assert p3["url_text"] == hostile["url"]     # shown as text only
    # the only places the script sets an href go through safeHref()
    app = resources.files("kg.views").joinpath("templates/app.js").read_text()
    assert app.count(".href =") == 1 and "var href = safeHref(url);" in app


def test_page_script_never_uses_html_sinks():
    app = resources.files("kg.views").joinpath("templates/app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "setAttribute(\"href"):
        assert sink not in app


def test_page_title_is_escaped(tmp_path, hostile_graph):
    html = render_overview(hostile_graph, tmp_path / "t.html",
                           title="<script>alert(1)</script>").read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


def test_script_json_escapes():
    out = script_json({"a": "</script>\u2028\u2029&<>"})
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out
    assert r"\u003c/script\u003e\u2028\u2029\u0026" in out


def test_script_json_rejects_nan():
    with pytest.raises(ValueError):
        script_json({"v": float("nan")})


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                 " javascript:alert(1)", "data:text/html,<b>",
                                 "vbscript:x", "//evil.example/x", "file:///etc/passwd",
                                 "https://exa\nmple.org", 'https://x.org/"onmouseover=1',
                                 "", None, 42])
def test_safe_url_rejects(url):
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["http://example.org", "https://github.com/a/b?x=1#y"])
def test_safe_url_accepts(url):
    assert safe_url(url) == url


def test_non_finite_result_value_is_dropped(tmp_path, graph, read_data):
    graph.nodes["result/abc123"]["value"] = float("inf")
    html = render_overview(graph, tmp_path / "n.html").read_text(encoding="utf-8")
    assert read_data(html)["details"]["result/abc123"]["value"] is None
