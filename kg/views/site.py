"""A browsable static site of a kg graph: an index, one page per entity and paper.

:func:`render_site` writes ``DIR/site/``::

    site/index.html               entities grouped by type (search, sort), papers
    site/entity/<slug>.html       one per entity: type, aliases, links out, papers
                                  with roles, repositories, results (a dataset's
                                  as leaderboards, see kg.views.leaderboard),
                                  evidence, related, graph
    site/paper/<slug>.html        one per paper: title, metadata and links (see
                                  kg.views.paper_page), abstract with mentions
                                  highlighted, entities, results, graph
    site/static/                  vis-network.min.js/.css, site.js, site.css

Plain files: open ``index.html`` in a browser, no server and no network. The
pages are rendered by Jinja2 with autoescaping; only ``http(s)`` URLs (see
:func:`kg.views.style.safe_url`) and our own relative page paths ever become
an ``href``; the small graph on each page is JSON in a non-executed
``<script type="application/json">`` element (see
:func:`kg.views.page.script_json`), drawn by ``static/site.js``. Scripts are
referenced relatively (``../static/…``), never inlined and never remote; the
pages' Content-Security-Policy allows no inline script at all.

The site is built in a temporary folder next to ``site/`` and swapped in at
the end, so readers never see half a site.

>>> import networkx as nx, tempfile, pathlib
>>> g = nx.MultiDiGraph()
>>> g.add_node("paper/1", kind="Paper", label="P", title="P", abstract="We use BERT.",
...            url="", sources=[], paper_count=1)
>>> g.add_node("model/bert", kind="Model", label="BERT", aliases=[], paper_count=1)
>>> _ = g.add_edge("paper/1", "model/bert", kind="mentions", role="uses",
...                field="abstract", start=7, end=11, surface="BERT")
>>> with tempfile.TemporaryDirectory() as d:
...     index = render_site(g, d)
...     names = sorted(p.relative_to(index.parent).as_posix()
...                    for p in index.parent.rglob("*.html"))
>>> names
['entity/model-bert.html', 'index.html', 'paper/1.html']
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import zlib
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

import networkx as nx
from markupsafe import Markup

from kg.views.details import _entity as entity_details
from kg.views.leaderboard import direction_of, direction_text, leaderboards
from kg.views.lookup import is_entity, kind_of, label_of, names_of, paper_count, role_key
from kg.views.network import collapse_edges
from kg.views.page import VIS_DIR, _environment, script_json
from kg.views.paper_page import entity_evidence, paper_page
from kg.views.style import (ENTITY_KINDS, legend, node_size, safe_url, short_label,
                            style_for, tooltip, count_kinds)

__all__ = ["render_site", "slug_for", "SitePaths", "MAX_GRAPH_NODES"]

MAX_GRAPH_NODES = 120
"""Most nodes drawn in one page's focused graph."""
MAX_RELATED = 12
"""Co-mentioned entities listed (and drawn) on an entity page."""
_SLUG_MAX = 100
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
PAGE_RE = re.compile(r"^(?:\.\./)?(?:entity|paper)/[A-Za-z0-9._-]+\.html$")
"""Every internal href the site writes matches this (so does site.js's check)."""


def slug_for(node: str) -> str:
    """A safe file stem for a node id: ``model/bert`` → ``model-bert``.

    Only ASCII letters, digits, ``.``, ``_`` and ``-``; never empty, never
    starting with a dot, at most ~110 characters (long ids keep a hash).

    >>> slug_for("model/bert")
    'model-bert'
    >>> slug_for("../../etc/passwd")
    'etc-passwd'
    >>> slug_for("task/ünïcode name")
    'task-n-code-name'
    >>> slug_for("///")
    'node'
    """
    slug = _SAFE.sub("-", str(node)).strip("-.")
    slug = re.sub(r"-{2,}", "-", slug).lstrip(".")
    if len(slug) > _SLUG_MAX:
        slug = f"{slug[:_SLUG_MAX].rstrip('-.')}-{zlib.crc32(str(node).encode()):08x}"
    return slug or "node"


class SitePaths:
    """Node id → page path relative to the site root (unique, case-insensitively)."""

    def __init__(self, graph: nx.MultiDiGraph):
        self.pages: dict[str, str] = {}
        used: set[str] = set()
        for node in graph:
            kind = kind_of(graph, node)
            if kind == "Paper":
                folder, stem = "paper", slug_for(node.split("/", 1)[-1])
            elif is_entity(graph, node):
                folder, stem = "entity", slug_for(node)
            else:
                continue
            name, k = stem, 1
            while f"{folder}/{name}".casefold() in used:
                k += 1
                name = f"{stem}-{k}"
            used.add(f"{folder}/{name}".casefold())
            self.pages[node] = f"{folder}/{name}.html"

    def href(self, node: str, from_root: bool = False) -> str | None:
        """Relative link to ``node``'s page from a page one level down (or the root)."""
        page = self.pages.get(node)
        if page is None:
            return None
        return page if from_root else "../" + page


def _links_out(same_as: object) -> list[str]:
    """An entity's ``same_as`` IRIs that may be links (``http(s)`` only).

    >>> _links_out(["https://linkedpaperswithcode.com/method/dropout", "javascript:x"])
    ['https://linkedpaperswithcode.com/method/dropout']
    """
    items = [same_as] if isinstance(same_as, str) else same_as if isinstance(same_as, (list, tuple)) else ()
    return [u for u in map(safe_url, items) if u]


# ---- page data ----------------------------------------------------------------

class _Site:
    def __init__(self, graph: nx.MultiDiGraph, title: str, max_graph_nodes: int):
        self.g = graph
        self.title = title
        self.max_graph_nodes = max_graph_nodes
        self.paths = SitePaths(graph)
        self._sentences: dict[tuple[str, str], list[tuple[int, int]]] = {}

    # links
    def link(self, node: str, from_root: bool = False) -> dict:
        g = self.g
        return {"id": node, "label": label_of(g, node), "kind": kind_of(g, node),
                "href": self.paths.href(node, from_root), "colour": style_for(kind_of(g, node)).colour,
                "glyph": style_for(kind_of(g, node)).glyph}

    def _ref(self, ref: dict) -> dict:
        """A details-payload reference (id, label, kind) turned into a link."""
        out = self.link(ref["id"])
        for key in ("roles", "as"):
            if key in ref:
                out[key] = ref[key]
        return out

    def related(self, node: str) -> list[dict]:
        """Entities most often mentioned by the same papers as ``node``."""
        g = self.g
        counts: Counter = Counter()
        for paper in {p for p, _, d in g.in_edges(node, data=True) if d.get("kind") == "mentions"}:
            for other in set(g.successors(paper)):
                if other != node and is_entity(g, other):
                    counts[other] += 1
        top = sorted(counts, key=lambda n: (-counts[n], -paper_count(g, n), n))[:MAX_RELATED]
        return [dict(self.link(n), shared=counts[n]) for n in top]

    # focused graphs
    def entity_nodes(self, node: str, related: list[dict]) -> list[str]:
        g = self.g
        papers = {}
        for p, _, d in g.in_edges(node, data=True):
            if d.get("kind") == "mentions" and kind_of(g, p) == "Paper":
                k = role_key(str(d.get("role") or "uses"))
                papers[p] = min(papers.get(p, k), k)
        budget = self.max_graph_nodes
        chosen: dict[str, None] = {node: None}
        others = [n for n in nx.all_neighbors(g, node) if n not in papers and n != node]
        for n in sorted(set(others), key=lambda n: (kind_of(g, n) == "Result", n)):
            chosen.setdefault(n, None)
        for r in related:
            chosen.setdefault(r["id"], None)
        ranked = sorted(papers, key=lambda p: (papers[p], -g.out_degree(p), p))
        for p in ranked:
            if len(chosen) >= budget:
                break
            chosen.setdefault(p, None)
        return list(chosen)[:budget]

    def graph_data(self, nodes: list[str], focus: str) -> dict:
        g = self.g
        vis_nodes = []
        for n in nodes:
            kind = kind_of(g, n) or "Node"
            style = style_for(kind)
            count = paper_count(g, n)
            page = self.paths.href(n)
            if page is None and kind == "Result":
                page = next((self.paths.href(p) for p in g.predecessors(n)
                             if self.paths.href(p)), None)
            item = {"id": n, "label": short_label(label_of(g, n), 32) or n,
                    "shape": style.shape, "color": style.colour,
                    "size": node_size(kind, count) * (1.4 if n == focus else 1.0),
                    "title": tooltip(label_of(g, n), kind, count), "kind": kind,
                    "page": page if page and PAGE_RE.match(page) else None}
            if n == focus:
                item["font"] = {"size": 18, "face": "sans-serif", "bold": True}
                item["borderWidth"] = 3
            elif kind == "Paper":
                item["font"] = {"size": 10, "color": "#555"}
            vis_nodes.append(item)
        edges = []
        for e in collapse_edges(g, nodes):
            edges.append({k: e[k] for k in ("from", "to", "title", "color", "width", "arrows")
                          if k in e} | ({"dashes": True} if e.get("dashes") else {}))
        counts = count_kinds(kind_of(g, n) or "Node" for n in nodes)
        return {"focus": focus, "nodes": vis_nodes, "edges": edges, "legend": legend(counts)}

    def result_facts(self, result: str) -> list[tuple[str, list[dict]]]:
        """``[("model", [links]), ("dataset", …), ("metric", …)]`` of a result."""
        links: dict[str, dict[str, dict]] = {"model": {}, "dataset": {}, "metric": {}}
        for _, other, e in self.g.out_edges(result, data=True):
            if e.get("kind") in links:
                links[e["kind"]][other] = self.link(other)
        return [(k, list(v.values())) for k, v in links.items() if v]

    # pages
    def entity_page(self, node: str) -> dict:
        g = self.g
        d = entity_details(g, node, shown=())
        papers = [self._ref(p) for p in d["papers"]]
        related = self.related(node)
        evidence, more_evidence = entity_evidence(self, node)
        boards, more_boards = leaderboards(g, node, self.link)
        shown = [r for r in d["results"] if r["as"] != "dataset"]  # the rest are in the leaderboards
        results = []
        for r in shown:
            item = self._ref(r)
            item["papers"] = [self._ref(p) for p in r["papers"]]
            item["facts"] = self.result_facts(r["id"])
            results.append(item)
        repos = []
        for r in d["repositories"]:
            item = self._ref(r)
            item["url"] = r["href"]
            repos.append(item)
        return {
            "node": node, "kind": d["kind"], "label": d["label"], "aliases": d["aliases"],
            "paper_count": d["paper_count"], "url": d["href"],
            "colour": style_for(d["kind"]).colour, "glyph": style_for(d["kind"]).glyph,
            "papers": papers, "more_papers": d["more_papers"],
            "based_on": [self._ref(r) for r in d["based_on"]],
            "used_by": [self._ref(r) for r in d["used_by"]],
            "repositories": repos, "results": results,
            "more_results": d["more_results"] if len(shown) == len(d["results"]) else 0,
            "leaderboards": boards, "more_leaderboards": more_boards,
            "direction": direction_text(direction_of(g, node)) if d["kind"] == "Metric" else "",
            "same_as": _links_out(g._node[node].get("same_as")),
            "evidence": evidence, "more_evidence": more_evidence, "related": related,
            "graph": self.graph_data(self.entity_nodes(node, related), node),
        }

    def index_page(self) -> dict:
        g = self.g
        groups: dict[str, list[dict]] = {}
        for n in g:
            if not is_entity(g, n):
                continue
            kind = kind_of(g, n)
            names = names_of(g, n)
            groups.setdefault(kind, []).append({
                "href": self.paths.href(n, from_root=True), "label": label_of(g, n),
                "aliases": [a for a in names if a != label_of(g, n) and a != n][:8],
                "search": "\n".join(" ".join(x.split()).casefold() for x in names),
                "count": paper_count(g, n)})
        order = [k for k in ENTITY_KINDS if k in groups] + sorted(k for k in groups if k not in ENTITY_KINDS)
        types = []
        for k in order:
            rows = sorted(groups[k], key=lambda r: (-r["count"], r["label"].casefold()))
            s = style_for(k)
            types.append({"kind": k, "anchor": slug_for(k.lower()), "rows": rows,
                          "colour": s.colour, "glyph": s.glyph})
        papers = [n for n in g if kind_of(g, n) == "Paper"]
        paper_rows = sorted(({"href": self.paths.href(p, from_root=True),
                              "label": label_of(g, p),
                              "search": " ".join(label_of(g, p).split()).casefold(),
                              "count": sum(1 for e in set(g.successors(p)) if is_entity(g, e))}
                             for p in papers), key=lambda r: r["label"].casefold())
        return {"types": types, "papers": paper_rows,
                "entity_count": sum(len(t["rows"]) for t in types)}


# ---- writing ----------------------------------------------------------------

@lru_cache(maxsize=1)
def _static_files() -> dict[str, bytes]:
    vis = resources.files("pyvis").joinpath(VIS_DIR)
    own = resources.files("kg.views").joinpath("templates")
    return {"vis-network.min.js": vis.joinpath("vis-network.min.js").read_bytes(),
            "vis-network.min.css": vis.joinpath("vis-network.css").read_bytes(),
            "site.js": own.joinpath("site.js").read_bytes(),
            "site.css": own.joinpath("site.css").read_bytes()}


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def render_site(graph: nx.MultiDiGraph, directory: str | os.PathLike, *,
                title: str = "kg: knowledge graph", max_graph_nodes: int = MAX_GRAPH_NODES) -> Path:
    """Write the browsable site of ``graph`` to ``directory/site/``; returns its ``index.html``.

    Any previous ``site/`` is replaced as a whole once the new one is
    complete. Every entity gets ``entity/<slug>.html`` and every paper
    ``paper/<slug>.html`` (see :func:`slug_for`; :class:`SitePaths` keeps
    them unique); results appear on the pages of their entities and papers.
    """
    if max_graph_nodes < 1:
        raise ValueError(f"max_graph_nodes must be at least 1, got {max_graph_nodes}")
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    target = root / "site"
    site = _Site(graph, title, max_graph_nodes)
    env = _environment()
    t_entity = env.get_template("site_entity.html.j2")
    t_paper = env.get_template("site_paper.html.j2")
    t_index = env.get_template("site_index.html.j2")
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".site."))
    try:
        for sub in ("entity", "paper", "static"):
            (tmp / sub).mkdir()
        for name, content in _static_files().items():
            (tmp / "static" / name).write_bytes(content)
        common = {"site_title": title, "root": "../"}
        for node, page in site.paths.pages.items():
            if page.startswith("entity/"):
                data = site.entity_page(node)
                html = t_entity.render(page=data, graph_json=Markup(script_json(data["graph"])), **common)
            else:
                data = paper_page(site, node)
                html = t_paper.render(page=data, graph_json=Markup(script_json(data["graph"])), **common)
            _write(tmp / page, html)
        index = site.index_page()
        _write(tmp / "index.html", t_index.render(page=index, site_title=title, root="",
                                                   stats={"papers": len(index["papers"]),
                                                          "entities": index["entity_count"]}))
        for p in [tmp, *tmp.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=root, prefix=".site.old."))
            os.replace(target, old / "site")
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target / "index.html"
