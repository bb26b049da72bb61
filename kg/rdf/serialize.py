"""Read a built graph's RDF (the store, N-Triples, Turtle); write sorted N-Triples.

A build writes ``graph.nt``, ``graph.ttl`` and ``store/`` block by block
(:mod:`kg.outputs`); this module opens them: :func:`load_store` (Oxigraph,
read-only), :func:`load_rdflib` (rdflib, for small graphs and exports).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from ..errors import FormatError, GraphNotFoundError
from ..fsutil import atomic_write
from .vocab import PREFIXES


def write_ntriples(lines: Iterable[str], path: str | os.PathLike) -> int:
    """Write N-Triples lines (distinct, sorted) atomically; returns how many."""
    lines = sorted(set(lines)) if not isinstance(lines, list) else lines
    with atomic_write(path) as handle:
        handle.writelines(line + "\n" for line in lines)
    return len(lines)


def graph_file(graph: str | os.PathLike) -> Path:
    """The N-Triples file of a built graph: ``DIR/graph.nt`` or the file itself."""
    path = Path(graph)
    if path.is_dir():
        path = path / "graph.nt"
    if not path.is_file():
        raise GraphNotFoundError(f"no built graph at {path} (run `kg build` first)")
    return path


def load_store(graph: str | os.PathLike) -> pyoxigraph.Store:
    """An Oxigraph store of a built graph: ``DIR/store`` if built, else loaded from the file."""
    path = Path(graph)
    if path.is_dir() and (path / "store").is_dir():
        try:
            return pyoxigraph.Store.read_only(str(path / "store"))
        except OSError:
            pass  # fall back to loading the N-Triples
    path = graph_file(graph)
    fmt = pyoxigraph.RdfFormat.TURTLE if path.suffix == ".ttl" else pyoxigraph.RdfFormat.N_TRIPLES
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise FormatError(f"{path}: does not parse: {exc}") from exc
    return store


def load_rdflib(graph: str | os.PathLike) -> Graph:
    """The built graph as an rdflib ``Graph`` (for exports and notebooks on small graphs)."""
    path = graph_file(graph)
    g = Graph()
    g.parse(path, format="turtle" if path.suffix == ".ttl" else "nt")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g
