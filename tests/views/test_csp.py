"""Every page kg writes runs only the scripts kg put there (issue 17, item 7).

One small real build (``kg.api.build`` of two papers, one titled with a
``<script>``), then every kind of page it writes — the overview, a focused
view, the site index, an entity page and the paper pages — is checked:
its Content-Security-Policy allows no inline script but by hash, and each
executable inline ``<script>`` on the page is listed by the SHA-256 of its
exact text. The hashes here are computed independently of kg.views.page.
"""
from __future__ import annotations

import base64
import hashlib
import json
from html.parser import HTMLParser

import pytest

from kg import api
from kg.views.page import inline_script_hashes, page_csp, with_script_hashes

INJECTED = "<script>alert(1)</script>"
PAPERS = [
    {"id": "p1", "title": f"{INJECTED} Longformer: The Long-Document Transformer",
     "abstract": "We present Longformer, which builds on RoBERTa, and evaluate it on "
                 "WikiHop and TriviaQA."},
    {"id": "p2", "title": "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
     "abstract": "We present RoBERTa, a replication of BERT pretraining, evaluated on "
                 "GLUE and SQuAD."},
]


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    """``{name: html}`` for every kind of page of a two-paper build."""
    base = tmp_path_factory.mktemp("csp")
    src = base / "papers.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    out = base / "out"
    api.build([str(src)], out)
    focus = api.view(out, base / "focus.html", entity="RoBERTa")
    site = out / "site"
    pages = {"overview": out / "graph.html", "focus": focus, "index": site / "index.html",
             "entity": site / "entity" / "model-roberta.html"}
    pages.update({f"paper {p.stem}": p for p in sorted((site / "paper").glob("*.html"))})
    assert len(pages) == 6, sorted(pages)
    return {name: path.read_text(encoding="utf-8") for name, path in pages.items()}


class Scripts(HTMLParser):
    """The CSP meta content and every ``<script>`` (attributes, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.csp: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(attrs["content"])
        elif tag == "script":
            self._open = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def parse(html: str) -> Scripts:
    p = Scripts()
    p.feed(html)
    p.close()
    return p


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in filter(None, (s.strip() for s in csp.split(";"))):
        name, *values = part.split()
        out[name] = values
    return out


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def executable(scripts):
    return [(a, t) for a, t in scripts if "src" not in a and a.get("type") != "application/json"]


@pytest.mark.parametrize("name", ["overview", "focus", "index", "entity", "paper p1", "paper p2"])
def test_csp_allows_only_our_scripts(small_build, name):
    page = parse(small_build[name])
    assert len(page.csp) == 1
    policy = directives(page.csp[0])
    assert policy["default-src"] == ["'none'"]
    script_src = policy["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert all(s == "'self'" or s.startswith("'sha256-") for s in script_src), script_src
    inline = executable(page.scripts)
    # every inline script is listed by its hash, and nothing else is
    assert {s for s in script_src if s.startswith("'sha256-")} == {sha256_source(t) for _, t in inline}
    for attrs, text in page.scripts:
        if "src" in attrs:                       # local files only, relative to the page
            assert text == "" and "//" not in attrs["src"] and ":" not in attrs["src"]


def test_which_pages_inline_what(small_build):
    counts = {name: len(executable(parse(html).scripts)) for name, html in small_build.items()}
    # the self-contained overview and focused view inline vis-network and the page script;
    # site pages inline nothing and load ../static/*.js
    assert counts == {"overview": 2, "focus": 2, "index": 0, "entity": 0,
                      "paper p1": 0, "paper p2": 0}
    for name in ("overview", "focus"):
        assert "'self'" not in directives(parse(small_build[name]).csp[0])["script-src"]


def test_injected_script_in_title_stays_escaped(small_build):
    for name, html in small_build.items():
        assert INJECTED not in html, name
        for _, text in executable(parse(html).scripts):
            assert "alert(1)" not in text, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Longformer" in small_build["paper p1"]
    data = [t for a, t in parse(small_build["overview"]).scripts if a.get("type") == "application/json"]
    assert len(data) == 1 and INJECTED in json.loads(data[0])["details"]["paper/p1"]["title"]


def test_hashes_follow_the_final_text():
    page = ('<meta http-equiv="Content-Security-Policy" content="script-src \'kg-script-hashes\'">'
            "<title>'kg-script-hashes'</title><script>a()</script><script>a()</script>"
            '<script src="x.js"></script><script type="application/json">{"a":1}</script>')
    out = with_script_hashes(page)
    assert out.count(sha256_source("a()")) == 1            # listed once, in the meta only
    assert "<title>'kg-script-hashes'</title>" in out        # only the slot in <head> is filled
    assert inline_script_hashes(out.replace("a()", "b()")) == [sha256_source("b()")] * 2
    with pytest.raises(ValueError):
        with_script_hashes("<script>a()</script>")


def test_no_inline_script_means_none():
    page = '<meta http-equiv="Content-Security-Policy" content="script-src \'kg-script-hashes\'">'
    assert "script-src 'none'" in with_script_hashes(page)


def test_header_policy_is_the_page_policy(small_build):
    html = small_build["overview"]
    header = page_csp(html.encode("utf-8"))
    assert header == parse(html).csp[0] + "; frame-ancestors 'none'"
    assert page_csp(b"<html></html>") == "frame-ancestors 'none'"
