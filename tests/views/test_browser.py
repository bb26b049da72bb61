"""The pages in a real headless Chromium, offline (file://), via Playwright.

Needs ``pip install playwright`` (no ``playwright install``: the system
Chromium is used) and a Chromium binary at ``/usr/bin/chromium`` or at
``$KG_CHROMIUM``. Locally the module is skipped without them; under CI
(``CI`` set) a missing browser is a failure, never a silent skip. Select or deselect with
``-m browser`` / ``-m "not browser"``.

The page's Content-Security-Policy forbids string eval, so waits use
selectors (``body[data-ready]``) rather than ``wait_for_function``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
if os.environ.get("CI"):
    from playwright import sync_api  # CI installs both: a missing one must fail

    assert Path(CHROMIUM).exists(), f"CI must provide Chromium at {CHROMIUM} (see .ci/run)"
else:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

from kg.views import render_focus, render_overview, render_site  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
READY = 'body[data-ready="1"]'


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page plus everything it logged, requested or tried to pop up."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(
            f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: Path, timeout: float = 60_000):
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector(READY, state="attached", timeout=timeout)
        return self

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def node_point(self, node_id: str) -> tuple[float, float]:
        """Viewport coordinates of a node's centre."""
        return tuple(self.js("""id => {
            const p = kg.network.getPositions([id])[id];
            const d = kg.network.canvasToDOM(p);
            const r = document.getElementById('kg-network').getBoundingClientRect();
            return [r.left + d.x, r.top + d.y];
        }""", node_id))

    def assert_clean(self):
        assert self.errors == []
        assert [u for u in self.requests if not u.startswith("file://")] == []
        assert self.dialogs == []


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    w = Watched(page)
    yield w
    context.close()


def _drawn_pixels(w: Watched) -> int:
    return w.js("""() => {
        const c = document.querySelector('#kg-network canvas');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
        return n;
    }""")


def test_overview_draws_searches_and_clicks(tmp_path, watched, graph):
    w = watched.open(render_overview(graph, tmp_path / "g.html"))
    assert w.js("kg.nodes.length") == graph.number_of_nodes()
    assert w.js("kg.edges.length") == len({frozenset(e) for e in graph.edges()})
    assert w.js("kg.network.physics.physicsEnabled") is False     # stopped after stabilising
    assert _drawn_pixels(w) > 1000

    # search by alias, press Enter
    w.page.fill("#kg-search", "stanford question answering dataset")
    w.page.press("#kg-search", "Enter")
    assert w.js("kg.network.getSelectedNodes()") == ["dataset/squad"]
    assert w.page.text_content("#kg-details h2") == "SQuAD"
    w.page.fill("#kg-search", "no such thing")
    w.page.press("#kg-search", "Enter")
    assert "No node matches" in w.page.text_content("#kg-status")

    # click a node on the canvas
    w.js("kg.network.fit({animation: false})")
    x, y = w.node_point("paper/p1")
    w.page.mouse.click(x, y)
    details = w.page.locator("#kg-details")
    assert details.get_attribute("data-node") == "paper/p1"
    assert "RoBERTa: A Robustly Optimized BERT" in details.locator("h2").text_content()
    marks = details.locator("mark.kg-mention")
    assert marks.count() == 8
    assert details.locator(".kg-abstract mark").first.text_content() == "RoBERTa"
    assert details.locator("a").first.get_attribute("href") == "https://arxiv.org/abs/1907.11692"

    # clicking a highlighted mention opens the entity
    details.locator(".kg-abstract mark", has_text="SQuAD").click()
    assert details.get_attribute("data-node") == "dataset/squad"
    w.assert_clean()


def test_filters(tmp_path, watched, graph):
    w = watched.open(render_overview(graph, tmp_path / "g.html"))
    total = graph.number_of_nodes()
    w.page.uncheck('input[data-kind="Model"]')
    assert w.js("kg.view.getIds().length") == total - 2
    w.page.check('input[data-kind="Model"]')
    w.page.fill("#kg-min-papers", "3")
    assert sorted(w.js("kg.view.getIds()")) == ["model/bert", "paper/p1", "paper/p2",
                                                 "paper/p3", "result/abc123"]
    assert w.page.text_content("#kg-visible") == f"5 of {total} nodes visible"
    # searching for a filtered-out node reveals it
    w.page.fill("#kg-search", "F1 score")
    w.page.press("#kg-search", "Enter")
    assert "metric/f1" in w.js("kg.view.getIds()")
    assert w.page.input_value("#kg-min-papers") == "1"
    w.assert_clean()


def test_tooltip_is_plain_text(tmp_path, watched, hostile_graph, hostile):
    w = watched.open(render_overview(hostile_graph, tmp_path / "h.html"))
    w.js("kg.network.fit({animation: false})")
    x, y = w.node_point("paper/p3")
    w.page.mouse.move(x, y)
    tip = w.page.wait_for_selector("div.vis-tooltip", state="visible")
    assert tip.text_content().startswith(hostile["title"])
    # innerText turns "\n" into <br>; nothing else may become an element
    assert tip.evaluate("t => Array.from(t.querySelectorAll('*')).map(e => e.tagName)") == ["BR"]
    w.assert_clean()


@pytest.mark.parametrize("view", ["overview", "focus"])
def test_hostile_input_fires_no_dialog(tmp_path, watched, hostile_graph, hostile, view):
    if view == "overview":
        path = render_overview(hostile_graph, tmp_path / "h.html",
                               title="<script>alert(1)</script>")
    else:
        path = render_focus(hostile_graph, tmp_path / "h.html", node="paper/p3")
    w = watched.open(path)
    w.js("kg.select('paper/p3')")
    w.page.wait_for_timeout(200)
    details = w.page.locator("#kg-details")
    assert details.locator("h2").text_content() == hostile["title"]
    assert details.locator(".kg-abstract").text_content() == hostile["abstract"]
    assert "javascript:alert(1)" in details.text_content()
    assert w.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert w.js("""Array.from(document.querySelectorAll('a[href]'))
                   .filter(a => !/^https?:/.test(a.href)).length""") == 0
    assert w.js("document.querySelectorAll('script').length") == 3
    w.js("kg.network.fit({animation: false})")
    w.page.mouse.click(*w.node_point("paper/p3"))
    w.page.wait_for_timeout(200)
    assert w.page.title() in ("<script>alert(1)</script>", "kg: " + hostile["title"])
    w.assert_clean()


def test_focus_page_opens_on_its_node(tmp_path, watched, graph):
    w = watched.open(render_focus(graph, tmp_path / "f.html", node="roberta"))
    assert w.js("kg.nodes.length") == 5
    assert w.js("kg.network.getSelectedNodes()") == ["model/roberta"]
    assert w.page.locator("#kg-details").get_attribute("data-node") == "model/roberta"
    w.assert_clean()


def test_large_page_is_static_and_complete(tmp_path, watched, large_graph):
    g = large_graph(n_entities=5000, n_papers=1500)
    w = watched.open(render_overview(g, tmp_path / "big.html"), timeout=30_000)
    shown = w.js("kg.data.meta.shown_nodes")
    assert 0 < shown <= 2000
    assert w.js("kg.nodes.length") == shown
    # opens hub-first: papers hidden, only the most-mentioned entities
    initial = w.js("kg.data.meta.initial")
    assert initial["hidden_kinds"] == ["Paper", "Result"]
    assert not w.page.is_checked('input[data-kind="Paper"]')
    assert w.page.input_value("#kg-min-papers") == str(initial["min_papers"])
    hubs = w.js("kg.view.getIds().length")
    assert 0 < hubs <= 120
    assert "most-mentioned" in w.page.text_content("#kg-note")
    # ticking papers and clearing the minimum shows every node, each placed
    w.page.check('input[data-kind="Paper"]')
    w.page.fill("#kg-min-papers", "0")
    assert w.js("kg.view.getIds().length") == shown
    assert w.js("Object.keys(kg.network.getPositions()).length") == shown
    assert w.js("kg.network.physics.physicsEnabled") is False
    assert _drawn_pixels(w) > 1000
    assert "omitted" in w.page.text_content("#kg-stats")
    w.assert_clean()


def test_site_index_and_entity_page(tmp_path, watched, graph):
    index = render_site(graph, tmp_path)
    w = watched.open(index)
    rows = w.page.locator("tr[data-search]")
    assert rows.count() == 6 + 3
    # search by alias filters the tables; empty groups hide
    w.page.fill("#site-q", "stanford question")
    visible = w.page.locator("tr[data-search]:visible")
    assert visible.count() == 1 and visible.locator("a").text_content() == "SQuAD"
    assert "1 match" in w.page.text_content("#site-status")
    w.page.fill("#site-q", "")
    w.page.select_option("#site-sort", "name")
    first = w.page.locator('#type-model tbody tr a').first.text_content()
    assert first == "BERT"
    # follow a link to an entity page: drawn, focused, no console errors
    w.page.click('a[href="entity/model-roberta.html"]')
    w.page.wait_for_selector('body[data-ready="1"]', state="attached", timeout=30_000)
    assert w.page.url.endswith("/site/entity/model-roberta.html")
    assert w.js("kg.network.getSelectedNodes()") == ["model/roberta"]
    assert w.js("kg.network.physics.physicsEnabled") is False
    assert _drawn_pixels_of(w, "#kg-graph") > 1000
    # clicking a paper node opens the paper page
    w.js("kg.network.fit({animation: false})")
    p = w.js("""() => { const p = kg.network.getPositions(['paper/p1'])['paper/p1'];
                  const d = kg.network.canvasToDOM(p);
                  const r = document.getElementById('kg-graph').getBoundingClientRect();
                  return [r.left + d.x, r.top + d.y]; }""")
    w.page.mouse.click(*p)
    w.page.wait_for_url("**/site/paper/p1.html")
    w.page.wait_for_selector('body[data-ready="1"]', state="attached", timeout=30_000)
    assert w.page.locator("a.mention").count() == 8
    w.assert_clean()


def test_site_hostile_paper_page(tmp_path, watched, hostile_graph, hostile):
    root = render_site(hostile_graph, tmp_path).parent
    w = watched.open(root / "paper" / "p3.html")
    assert w.page.text_content("#paper-title") == hostile["title"]
    assert w.page.text_content(".abstract") == hostile["abstract"]
    assert w.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert w.js("""Array.from(document.querySelectorAll('a[href]'))
                   .filter(a => !/^(https?|file):/.test(a.href)).length""") == 0
    w.assert_clean()


def test_screenshot(tmp_path, graph):
    # its own Playwright instance cannot share this process with the fixture's:
    # run it the way `kg view --screenshot` will, in a fresh interpreter
    import subprocess
    import sys
    page = render_overview(graph, tmp_path / "g.html")
    png = tmp_path / "shot" / "g.png"
    code = ("import sys; from kg.views import screenshot; "
            "print(screenshot(sys.argv[1], sys.argv[2], width=800, height=600))")
    out = subprocess.run([sys.executable, "-c", code, str(page), str(png)], check=True,
                         capture_output=True, text=True, env={**os.environ, "KG_CHROMIUM": CHROMIUM})
    assert out.stdout.strip() == str(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    import struct
    assert struct.unpack(">II", data[16:24]) == (800, 600)


def _drawn_pixels_of(w: Watched, selector: str) -> int:
    return w.js("""sel => {
        const c = document.querySelector(sel + ' canvas');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
        return n;
    }""", selector)


CSP_PAPERS = [
    {"id": "p1", "title": "<script>alert(1)</script> Longformer: The Long-Document Transformer",
     "abstract": "We present Longformer, which builds on RoBERTa, evaluated on WikiHop."},
    {"id": "p2", "title": "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
     "abstract": "We present RoBERTa, a replication of BERT pretraining, evaluated on SQuAD."},
]


@pytest.fixture(scope="module")
def csp_build(tmp_path_factory):
    """The output folder of a real two-paper ``kg build`` (one title with a script)."""
    from kg import api
    base = tmp_path_factory.mktemp("csp-build")
    src = base / "papers.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in CSP_PAPERS), encoding="utf-8")
    api.build([str(src)], base / "out")
    return base / "out"


def _script_src(w: Watched) -> list[str]:
    csp = w.js("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    return next(d.split()[1:] for d in csp.split(";") if d.split()[:1] == ["script-src"])


def test_built_pages_run_under_their_csp(watched, csp_build):
    # the overview: two inline scripts allowed by hash, nothing else
    w = watched.open(csp_build / "graph.html")
    src = _script_src(w)
    assert len(src) == 2 and all(s.startswith("'sha256-") for s in src)
    assert w.js("kg.nodes.length") > 0 and _drawn_pixels(w) > 1000
    w.assert_clean()                    # no console error, so no CSP violation
    # a site page: scripts as files only
    w.open(csp_build / "site" / "paper" / "p1.html")
    assert _script_src(w) == ["'self'"]
    assert w.page.text_content("#paper-title").startswith("<script>alert(1)</script>")
    assert w.js("kg.network.getSelectedNodes()") == ["paper/p1"]
    assert _drawn_pixels_of(w, "#kg-graph") > 1000
    w.assert_clean()


@pytest.mark.parametrize("page", ["graph.html", "site/paper/p1.html"])
def test_csp_refuses_a_foreign_inline_script(watched, csp_build, page):
    path = csp_build / page
    tampered = path.with_name("tampered-" + path.name)
    html = path.read_text(encoding="utf-8")
    tampered.write_text(html.replace(
        "</body>", '<script>document.body.dataset.injected = "1"</script>\n</body>'),
        encoding="utf-8")
    w = watched.open(tampered)          # kg's own scripts still run: the page gets ready
    assert w.js("document.body.dataset.injected") is None
    assert w.js("kg.network.getSelectedNodes !== undefined")
    assert any("Content Security Policy" in e for e in w.errors), w.errors
    tampered.unlink()
