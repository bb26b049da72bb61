"""Time the competency queries (kg/queries/*.rq) on rdflib's in-memory store and on Oxigraph.

    python benchmarks/bench_query.py [--graph output] [--triples 1000000] [--rdflib-timeout 120]

Two graphs: the built graph (``DIR/graph.nt``, e.g. of seeds/) and a synthetic one of about
``--triples`` triples made by replicating the built graph's triples: copy *i* appends ``-ci``
to every ``res:`` IRI and blank-node label; vocabulary terms and literals stay as they are
(no text is invented, so every label occurs once per copy).  For each graph and engine the
table shows the load time (parsing N-Triples into the store) and each query's time, with the
answer's row count (the full answer is materialised).  rdflib queries run in a forked child
and are stopped after ``--rdflib-timeout`` seconds (shown as ``>N s``).
"""
from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import re
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
from rdflib import Graph
from rdflib import Literal as RdflibLiteral
from rdflib import Variable as RdflibVariable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.named_queries import substitutions  # noqa: E402
from kg.rdf.serialize import graph_file  # noqa: E402
from kg.rdf.vocab import PREFIXES, RES  # noqa: E402

QUERIES = ROOT / "kg" / "queries"
_RES_IRI = re.compile("<(" + re.escape(str(RES)) + r"[^>]*)>")
_BNODE = re.compile(r"_:(\S+)")


def synthesize(source: Path, target: Path, triples: int) -> int:
    """Write ``target`` with copies of ``source``'s N-Triples, renamed per copy; returns its triple count."""
    lines = [ln for ln in source.read_text(encoding="utf-8").splitlines() if ln.strip()]
    copies = max(1, math.ceil(triples / len(lines)))
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for i in range(copies):
            for ln in lines:
                if i:
                    # IRIs and blank nodes sit outside the literal, which is always the last term;
                    # split it off so that text inside a literal is never touched.
                    head, sep, lit = ln.partition(' "')
                    head = _RES_IRI.sub(lambda m: f"<{m.group(1)}-c{i}>", head)
                    head = _BNODE.sub(lambda m: f"_:{m.group(1)}c{i}", head)
                    ln = head + sep + lit
                out.write(ln + "\n")
                count += 1
    return count


def load_rdflib(path: Path) -> tuple[Graph, float]:
    start = time.perf_counter()
    g = Graph()
    g.parse(path, format="nt")
    return g, time.perf_counter() - start


def load_oxigraph(path: Path) -> tuple[pyoxigraph.Store, float]:
    start = time.perf_counter()
    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store, time.perf_counter() - start


def run_oxigraph(store: pyoxigraph.Store, text: str) -> tuple[float, int]:
    start = time.perf_counter()
    defaults = {pyoxigraph.Variable(k): v for k, v in substitutions(text)[0].items()}  # the parameters'
    answer = store.query(text, prefixes={k: str(v) for k, v in PREFIXES.items()}, substitutions=defaults or None)
    rows = 1 if isinstance(answer, pyoxigraph.QueryBoolean) else sum(1 for _ in answer)
    return time.perf_counter() - start, rows


_RDFLIB_GRAPH: Graph | None = None  # the graph a forked child queries


def _rdflib_child(text: str, conn) -> None:
    start = time.perf_counter()
    try:
        defaults = {RdflibVariable(k): RdflibLiteral(v.value) for k, v in substitutions(text)[0].items()}
        result = _RDFLIB_GRAPH.query(text, initNs={k: v for k, v in PREFIXES.items()}, initBindings=defaults)
        rows = len(list(result))
    except Exception as exc:  # noqa: BLE001 - an engine failure is a benchmark result
        conn.send((f"error: {type(exc).__name__}", None))
        return
    conn.send((time.perf_counter() - start, rows))


def run_rdflib(graph: Graph, text: str, timeout: float) -> tuple[float | None, int | None]:
    """Run in a forked child (the graph is shared copy-on-write) so a slow query can be stopped."""
    global _RDFLIB_GRAPH
    _RDFLIB_GRAPH = graph
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_rdflib_child, args=(text, child))
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
            return parent.recv()
        return None, None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()


def bench(path: Path, queries: dict[str, str], rdflib_timeout: float) -> dict:
    out = {}
    g, out["rdflib load"] = load_rdflib(path)
    out["triples"] = len(g)
    g.query("ASK { ?s ?p ?o }").askAnswer  # warm up: imports and parser set-up stay out of the timings
    out["rdflib"] = {name: run_rdflib(g, text, rdflib_timeout) for name, text in queries.items()}
    del g
    gc.collect()
    store, out["oxigraph load"] = load_oxigraph(path)
    store.query("ASK { ?s ?p ?o }")
    out["oxigraph"] = {name: run_oxigraph(store, text) for name, text in queries.items()}
    del store
    return out


def _secs(value: float | str | None, timeout: float) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return f">{timeout:g} s"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def table(results: list[tuple[str, dict]], queries: list[str], timeout: float) -> str:
    head1 = ["", *[f"{label} ({r['triples']:,} triples)" for label, r in results]]
    cols = ["query", *(c for _ in results for c in ("rdflib", "Oxigraph", "rows"))]
    rows = [["load (N-Triples)", *(c for _, r in results for c in
                                   (_secs(r["rdflib load"], timeout), _secs(r["oxigraph load"], timeout), ""))]]
    for q in queries:
        row = [q]
        for _, r in results:
            (rt, rn), (ot, on) = r["rdflib"][q], r["oxigraph"][q]
            rows_text = str(on) if rn is None or rn == on else f"{on} (rdflib {rn})"
            row += [_secs(rt, timeout), _secs(ot, timeout), rows_text]
        rows.append(row)
    widths = [max(len(str(x[i])) for x in [cols, *rows]) for i in range(len(cols))]
    group = sum(widths[1:4]) + 4
    lines = ["  ".join([" " * widths[0], *(h.ljust(group) for h in head1[1:])]).rstrip()]
    lines.append("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", default="output", help="a built graph (directory or graph.nt)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0,
                        help="seconds after which an rdflib query is stopped")
    args = parser.parse_args(argv)
    source = graph_file(args.graph)
    queries = {f.stem: f.read_text(encoding="utf-8") for f in sorted(QUERIES.glob("*.rq"))}
    print(f"benchmarking the built graph {source} ...", file=sys.stderr, flush=True)
    results = [("built graph", bench(source, queries, args.rdflib_timeout))]
    if args.triples:
        with tempfile.TemporaryDirectory() as tmp:
            synthetic = Path(tmp) / "synthetic.nt"
            start = time.perf_counter()
            n = synthesize(source, synthetic, args.triples)
            print(f"benchmarking a synthetic graph of {n:,} triples (written in "
                  f"{time.perf_counter() - start:.1f} s) ...", file=sys.stderr, flush=True)
            results.append(("synthetic", bench(synthetic, queries, args.rdflib_timeout)))
    print(table(results, list(queries), args.rdflib_timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
