"""The public functions behind every CLI command (``kg.build``, ``kg.query``, …).

Imports are deferred so that ``import kg`` and ``kg --help`` stay fast; each
function is one call of the module that does the work.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_GRAPH = "output"
QUERY_TIMEOUT = 30.0
"""Seconds a ``kg query`` may run by default."""
QUERY_MAX_RESULTS = 100_000
"""Rows (or triples) a ``kg query`` answer may have by default."""


def build(inputs=None, output="output", *, progress: bool = False, html: bool = True,
          site: bool = True, jobs: int = 1, engine: str = "local", scheduler: str | None = None,
          cache: bool = True, curation: str | os.PathLike | None = None):
    """Build the graph of ``inputs`` (files or directories; default: ``seeds/`` here, else the shipped
    listings) into ``output``; see :mod:`kg.builder`.

    ``curation``: a curation file (default: ``curation.toml`` beside ``output``, if any; see :mod:`kg.curation`).
    """
    from .builder import build as _build

    return _build(inputs, output, progress=progress, html=html, site=site, jobs=jobs, engine=engine,
                  scheduler=scheduler, cache=cache, curation=curation)


def curate(kind: str, names, *, type: str | None = None, to: str | None = None,
           file: str | os.PathLike = "curation.toml"):
    """Append one curation rule (``merge``, ``rename``, ``retype``, ``reject`` or ``split``) to ``file``.

    Returns the :class:`~kg.curation.Rule` as written; a bad rule raises
    :class:`~kg.errors.CurationError` and leaves the file as it was.
    """
    from .curation import append

    return append(file, kind, list(names), type, to)


def query(sparql: str, graph: str | os.PathLike = DEFAULT_GRAPH, *,
          timeout: float | None = QUERY_TIMEOUT, max_results: int | None = QUERY_MAX_RESULTS,
          bind: dict | None = None):
    """Run SPARQL (text, ``.rq`` file or shipped query name) on a built graph; see :mod:`kg.sparql`.

    Bounded by ``timeout`` seconds and ``max_results`` rows (``0`` or ``None``: no limit); going
    past either raises :class:`~kg.errors.QueryTimeoutError` or :class:`~kg.errors.ResultLimitError`.
    ``bind`` gives the query's parameters values, bound as RDF terms (``{"dataset": "COCO"}``;
    see :mod:`kg.named_queries`); a name the query does not declare is
    :class:`~kg.errors.UnknownParameterError`.
    """
    from .sparql import query as _query

    return _query(sparql, graph, timeout=timeout, max_results=max_results, bind=bind)


def leaderboard(dataset: str, metric: str | None = None, graph: str | os.PathLike = DEFAULT_GRAPH, *,
                timeout: float | None = QUERY_TIMEOUT, max_results: int | None = QUERY_MAX_RESULTS):
    """The ``leaderboard`` query's tables for ``dataset``: of ``metric``, or one per metric reported.

    Returns a :class:`~kg.ranking.Leaderboard` (empty, with a ``note``, when nothing is reported);
    a dataset not in the graph is :class:`~kg.errors.LookupFailed`.  See :mod:`kg.ranking`.
    """
    from .ranking import leaderboard as _leaderboard

    return _leaderboard(dataset, metric, graph, timeout=timeout, max_results=max_results)


def load_graph(graph: str | os.PathLike = DEFAULT_GRAPH):
    """The networkx graph of a build (``DIR/graph.json``)."""
    from .errors import GraphNotFoundError
    from .formats.networkx_formats import read_json

    path = Path(graph)
    if path.is_dir():
        path = path / "graph.json"
    if not path.is_file():
        raise GraphNotFoundError(f"no built graph at {path} (run `kg build` first)")
    return read_json(path)


def export(fmt: str, graph: str | os.PathLike = DEFAULT_GRAPH, output: str | os.PathLike | None = None) -> Path:
    """Write the built graph in format ``fmt`` (see :data:`kg.formats.FORMATS`); returns the path."""
    from .formats import get_format
    from .rdf.serialize import load_rdflib

    f = get_format(fmt)
    source = load_rdflib(graph) if f.kind == "rdf" else load_graph(graph)
    # default: DIR/exports/graph.EXT, never the build's own graph.nt or graph.json
    out = Path(output) if output else Path(graph if Path(graph).is_dir() else ".") / "exports" / f"graph{f.suffix}"
    f.write(source, out)
    return out


def view(graph: str | os.PathLike = DEFAULT_GRAPH, output: str | os.PathLike | None = None, *,
         entity: str | None = None, paper: str | None = None, type: str | None = None,
         depth: int = 1, screenshot: str | os.PathLike | None = None) -> Path:
    """Render the overview, or a focused view of one entity, paper or type; returns the page.

    With ``screenshot``, also saves a PNG of the rendered page (headless Chromium).
    """
    from .errors import KGError, LookupFailed
    from .views import find_node, render_focus, render_overview

    g = load_graph(graph)
    base = Path(graph) if Path(graph).is_dir() else Path(".")
    if entity or paper:
        try:
            node = find_node(g, entity or paper)
        except LookupError as exc:
            raise LookupFailed(str(exc.args[0] if exc.args else exc)) from None
        out = Path(output) if output else base / f"view-{node.replace('/', '-')}.html"
        page = render_focus(g, out, node=node, depth=depth)
    elif type:
        out = Path(output) if output else base / f"view-{type.lower()}.html"
        try:
            page = render_focus(g, out, type=type)
        except LookupError as exc:
            raise LookupFailed(str(exc.args[0] if exc.args else exc)) from None
    else:
        page = render_overview(g, Path(output) if output else base / "graph.html", title="kg: graph overview")
    if screenshot:
        from .views import screenshot as _shot

        try:
            _shot(page, screenshot)
        except RuntimeError as exc:
            raise KGError(str(exc)) from None
    return page


def site(graph: str | os.PathLike = DEFAULT_GRAPH, output: str | os.PathLike | None = None) -> Path:
    """Write the browsable static site (index, one page per entity and paper); returns index.html."""
    from .views import render_site

    base = Path(output) if output else (Path(graph) if Path(graph).is_dir() else Path("."))
    return render_site(load_graph(graph), base)


def stats(graph: str | os.PathLike = DEFAULT_GRAPH, top: int = 10):
    """Counts per type and the most-mentioned entities; see :mod:`kg.summary`."""
    from .summary import graph_stats

    return graph_stats(load_graph(graph), top=top)


def evaluate(gold: str | os.PathLike, graph: str | os.PathLike = DEFAULT_GRAPH):
    """Score the built graph against gold records; see :mod:`kg.scoring`."""
    from .scoring import evaluate_graph, read_gold

    return evaluate_graph(read_gold(gold), load_graph(graph))


def validate(graph: str | os.PathLike = DEFAULT_GRAPH, *, limit: int = 20):
    """Check the built graph against ``ontology/shapes.ttl`` (pySHACL); see :mod:`kg.shacl`.

    Returns the :class:`~kg.shacl.ValidationReport` when the graph conforms; raises
    :class:`~kg.errors.ValidationError` (its ``report`` attached) with the grouped
    violations, at most ``limit`` groups, when it does not.
    """
    from .errors import ValidationError
    from .shacl import validate_graph

    report = validate_graph(graph)
    if not report.conforms:
        raise ValidationError(report.text(limit), report)
    return report


def serve(graph: str | os.PathLike = DEFAULT_GRAPH, host: str = "127.0.0.1", port: int = 7878, *,
          timeout: float | None = 30.0, max_results: int | None = 100_000, workers: int = 2,
          on_start=None, allow_service: bool = False, max_memory: int | None = 1024, queue: int = 128,
          idle_timeout: float | None = 10.0) -> None:
    """Serve a read-only SPARQL endpoint (``/sparql``) and the HTML view (``/``) until Ctrl-C.

    ``on_start(server)`` is called once the server listens (``server.url``); see :mod:`kg.endpoint`.
    Federated (SERVICE) queries are refused (403) unless ``allow_service``: with it, anyone who can
    reach the endpoint can make it send requests to any address its network reaches.
    ``max_memory`` (MiB a query may use beyond the graph), ``queue`` (requests waiting for a worker)
    and ``idle_timeout`` (seconds before a silent connection is closed) bound the rest.
    """
    from .endpoint import run_server

    run_server(graph, host, port, timeout=timeout, max_results=max_results, workers=workers,
               on_start=on_start, allow_service=allow_service, max_memory=max_memory, queue=queue,
               idle_timeout=idle_timeout)
