"""Write and read the graph's RDF: N-Triples (sorted), Turtle, and an Oxigraph store.

N-Triples lines are written in canonical form and sorted, so the same input
gives a byte-identical file.  Queries run on Oxigraph (pyoxigraph), which
stays fast as the graph grows; rdflib remains the Python API.

>>> from rdflib import URIRef, Literal
>>> nt_line((URIRef("http://x/a"), URIRef("http://x/p"), Literal('say "hi"\\n')))
'<http://x/a> <http://x/p> "say \\\\"hi\\\\"\\\\n" .'
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import FormatError, GraphNotFoundError
from ..fsutil import atomic_write
from .vocab import PREFIXES

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _term(t) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    if isinstance(t, Literal):
        text = "".join(_ESCAPES.get(ch, ch) for ch in str(t))
        if t.language:
            return f'"{text}"@{t.language}'
        if t.datatype and t.datatype != XSD.string:
            return f'"{text}"^^<{t.datatype}>'
        return f'"{text}"'
    raise TypeError(f"not an RDF term: {t!r}")


def nt_line(triple) -> str:
    s, p, o = triple
    return f"{_term(s)} {_term(p)} {_term(o)} ."


def write_ntriples(triples: Iterable, path: str | os.PathLike) -> int:
    """Sorted canonical N-Triples; returns the number of distinct triples."""
    lines = sorted({nt_line(t) for t in triples})
    with atomic_write(path) as handle:
        for line in lines:
            handle.write(line + "\n")
    return len(lines)


def to_rdflib(triples: Iterable) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for t in triples:
        g.add(t)
    return g


def write_rdflib(triples: Iterable, path: str | os.PathLike, fmt: str) -> None:
    """Serialise with rdflib (Turtle, JSON-LD, RDF/XML, …), atomically."""
    data = to_rdflib(triples).serialize(format=fmt, encoding="utf-8")
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def graph_file(graph: str | os.PathLike) -> Path:
    """The N-Triples file of a built graph: ``DIR/graph.nt`` or the file itself."""
    path = Path(graph)
    if path.is_dir():
        path = path / "graph.nt"
    if not path.is_file():
        raise GraphNotFoundError(f"no built graph at {path} (run `kg build` first)")
    return path


def load_store(graph: str | os.PathLike) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding a built graph (N-Triples or Turtle)."""
    path = graph_file(graph)
    fmt = pyoxigraph.RdfFormat.TURTLE if path.suffix == ".ttl" else pyoxigraph.RdfFormat.N_TRIPLES
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise FormatError(f"{path}: does not parse: {exc}") from exc
    return store


def load_rdflib(graph: str | os.PathLike) -> Graph:
    path = graph_file(graph)
    g = Graph()
    g.parse(path, format="turtle" if path.suffix == ".ttl" else "nt")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g
