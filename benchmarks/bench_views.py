"""How big and how fast the HTML views are, on the seeds graph and at 100,000 papers.

Run from the repository root (after ``kg build``, or it builds seeds/ itself)::

    python benchmarks/bench_views.py [--papers 100000] [--seeds-graph output] [--keep DIR]

For each graph it renders the overview with the default ``max_nodes`` and
prints: nodes/edges of the graph, nodes shown, page size, Python render time,
and open-to-interactive time in headless Chromium (navigation start →
``<body data-ready="1">``, measured in the page; median of 3 opens, each in
a fresh context). For the seeds graph it also writes the static site and
times opening its index and its biggest entity page.

The 100k graph is synthetic (networkx only, no text extraction): papers
mention ~7 entities each, drawn from a Zipf-like (power-law) popularity over
entity types in the seeds' proportions; a realistic share of ``proposes`` /
``evaluates_on`` roles, ``based_on`` links and results; titles and
abstracts of realistic length. Targets: seeds interactive within 3 s, the
100k overview within 10 s.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.views import render_overview  # noqa: E402
from kg.views.shot import open_browser, time_to_ready  # noqa: E402
from kg.views.site import render_site  # noqa: E402

KIND_SHARE = {"Model": 0.47, "Technique": 0.19, "Task": 0.13, "Dataset": 0.09,
              "Metric": 0.04, "Repository": 0.08}
WORDS = ("efficient scalable robust sparse adaptive neural transformer attention "
         "learning model data training vision language graph diffusion contrastive "
         "self-supervised benchmark generalization retrieval reasoning multimodal "
         "optimization representation inference pretraining fine-tuning").split()


def _text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words)).capitalize()


def synthetic_graph(n_papers: int, seed: int = 7) -> nx.MultiDiGraph:
    """Papers and entities with a power-law of mentions, in kg.graph's shape."""
    rng = random.Random(seed)
    n_entities = int(n_papers * 2.9)        # seeds: 1081 entities for 376 papers
    g = nx.MultiDiGraph()
    kinds, weights = zip(*KIND_SHARE.items())
    ents = []
    for i in range(n_entities):
        kind = rng.choices(kinds, weights)[0]
        nid = f"{kind.lower()}/e{i}"
        label = (f"https://github.com/org{i}/repo{i}" if kind == "Repository"
                 else f"{rng.choice(WORDS).title()}-{i}")
        g.add_node(nid, kind=kind, label=label, aliases=[label.lower()] if i % 3 == 0 else [],
                   paper_count=0)
        ents.append(nid)
    roles = ("uses", "uses", "uses", "uses", "evaluates_on", "proposes")
    for p in range(n_papers):
        pid = f"paper/{p:08x}"
        g.add_node(pid, kind="Paper", label=_text(rng, 10), title=_text(rng, 10),
                   abstract=_text(rng, 160) + ".", url=f"https://arxiv.org/abs/{2000 + p % 999}.{p:05d}",
                   sources=[f"synthetic.jsonl:{p + 1}"], paper_count=1)
        k = max(1, min(25, int(rng.lognormvariate(1.8, 0.5))))
        chosen = set()
        while len(chosen) < k:
            # Zipf-like popularity: entity rank ~ Pareto
            chosen.add(ents[min(int(rng.paretovariate(0.9)) - 1, n_entities - 1)]
                       if rng.random() < 0.8 else rng.choice(ents))
        for e in chosen:
            g.add_edge(pid, e, kind="mentions", role=rng.choice(roles), field="abstract",
                       start=0, end=4, surface="Xxxx")
        if rng.random() < 0.15:
            rid = f"result/{p:08x}"
            g.add_node(rid, kind="Result", label=f"accuracy {rng.uniform(50, 99):.1f}",
                       value=round(rng.uniform(50, 99), 1), metric="accuracy", dataset="")
            g.add_edge(pid, rid, kind="reports")
            g.add_edge(rid, rng.choice(list(chosen)), kind="model")
        if rng.random() < 0.1 and len(chosen) > 1:
            a, b = rng.sample(sorted(chosen), 2)
            g.add_edge(a, b, kind="based_on", paper=pid)
    for e in ents:
        g.nodes[e]["paper_count"] = len({p for p in g.predecessors(e)
                                         if g.nodes[p].get("kind") == "Paper"})
    g.remove_nodes_from([e for e in ents if g.nodes[e]["paper_count"] == 0])
    return g


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB"


def _open_times(browser, page: Path, runs: int = 3) -> str:
    results = [time_to_ready(browser, page) for _ in range(runs)]
    errors = sorted({e for r in results for e in r["errors"]})
    ready = statistics.median(r["ready_ms"] for r in results)
    wall = statistics.median(r["wall_ms"] for r in results)
    out = f"{ready / 1000:.2f} s (wall {wall / 1000:.2f} s)"
    return out + (f"  CONSOLE ERRORS: {errors}" if errors else "")


def bench_overview(name: str, graph: nx.MultiDiGraph, out: Path, browser) -> None:
    t0 = time.perf_counter()
    page = render_overview(graph, out / f"{name}.html", title=f"kg: {name}")
    render = time.perf_counter() - t0
    import json
    import re
    meta = json.loads(re.search(r'<script id="kg-data" type="application/json">(.*?)</script>',
                                page.read_text(encoding="utf-8"), re.S).group(1))["meta"]
    print(f"[{name}] graph {graph.number_of_nodes():,} nodes / {graph.number_of_edges():,} edges; "
          f"page shows {meta['shown_nodes']:,} nodes, {meta['shown_edges']:,} links")
    print(f"[{name}] overview page {_mb(page)}, render {render:.2f} s, "
          f"open-to-interactive {_open_times(browser, page)}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--seeds-graph", default=None, help="a built graph dir (default: build seeds/ to a temp dir)")
    ap.add_argument("--keep", default=None, help="write pages here instead of a temp dir")
    args = ap.parse_args(argv)

    from kg.api import load_graph

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        if args.seeds_graph:
            seeds = load_graph(args.seeds_graph)
        else:
            import kg
            t0 = time.perf_counter()
            kg.build([str(ROOT / "seeds")], str(out / "seeds-build"), html=False)
            print(f"[seeds] kg build {time.perf_counter() - t0:.1f} s")
            seeds = load_graph(out / "seeds-build")

        with open_browser() as browser:
            bench_overview("seeds", seeds, out, browser)
            t0 = time.perf_counter()
            index = render_site(seeds, out)
            site_s = time.perf_counter() - t0
            files = list(index.parent.rglob("*"))
            size = sum(f.stat().st_size for f in files if f.is_file())
            print(f"[seeds] site: {sum(1 for f in files if f.suffix == '.html'):,} pages, "
                  f"{size / 1e6:.1f} MB in {site_s:.2f} s")
            print(f"[seeds] site index.html {_mb(index)}, open-to-interactive {_open_times(browser, index)}")
            biggest = max((n for n, d in seeds.nodes(data=True) if d.get("kind") not in ("Paper", "Result")),
                          key=lambda n: seeds.nodes[n].get("paper_count", 0))
            from kg.views.site import SitePaths
            entity_page = index.parent / SitePaths(seeds).pages[biggest]
            print(f"[seeds] site entity page of {biggest} ({seeds.nodes[biggest].get('paper_count')} papers) "
                  f"{_mb(entity_page)}, open-to-interactive {_open_times(browser, entity_page)}")

            t0 = time.perf_counter()
            big = synthetic_graph(args.papers)
            print(f"[{args.papers:,} papers] synthetic graph built in {time.perf_counter() - t0:.1f} s")
            bench_overview(f"{args.papers // 1000}k", big, out, browser)


if __name__ == "__main__":
    main()
