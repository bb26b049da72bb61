"""RDF formats: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (rdflib)."""
from __future__ import annotations

import json

from rdflib import Dataset, Graph

from ..fsutil import atomic_write
from ..rdf.ontology import ontology_file
from ..rdf.serialize import write_ntriples
from ..rdf.vocab import PREFIXES
from .registry import Format, register


def _rdflib_pair(name: str, rdflib_name: str, suffix: str, description: str) -> Format:
    def write(graph: Graph, path) -> None:
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        data = graph.serialize(format=rdflib_name, encoding="utf-8")
        with atomic_write(path, "wb") as handle:
            handle.write(data)

    def read(path) -> Graph:
        g = Graph()
        g.parse(str(path), format=rdflib_name)
        return g

    return register(Format(name, "rdf", suffix, write, read, description))


_rdflib_pair("ttl", "turtle", ".ttl", "Turtle")
_rdflib_pair("xml", "xml", ".rdf", "RDF/XML")


def _write_nt(graph: Graph, path) -> None:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    write_ntriples(sorted({line for line in text.splitlines() if line.strip()}), path)


def _read_nt(path) -> Graph:
    g = Graph()
    g.parse(str(path), format="nt")
    return g


register(Format("nt", "rdf", ".nt", _write_nt, _read_nt, "N-Triples, sorted (byte-stable)"))


def context() -> dict:
    """The JSON-LD context of ``ontology/context.jsonld``."""
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))


def _write_jsonld(graph: Graph, path) -> None:
    ctx = context()["@context"]
    data = graph.serialize(format="json-ld", context=ctx, auto_compact=True, encoding="utf-8")
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def _read_jsonld(path) -> Graph:
    g = Graph()
    g.parse(str(path), format="json-ld")
    return g


register(Format("jsonld", "rdf", ".jsonld", _write_jsonld, _read_jsonld,
                "JSON-LD compacted with the kg context (reads as plain JSON)"))


def _quad_pair(name: str, rdflib_name: str, suffix: str) -> Format:
    def write(graph: Graph, path) -> None:
        ds = Dataset()
        target = ds.graph(graph.identifier) if not isinstance(graph, Dataset) else None
        if target is None:
            ds = graph
        else:
            for t in graph:
                target.add(t)
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True)
        with atomic_write(path, "wb") as handle:
            handle.write(ds.serialize(format=rdflib_name, encoding="utf-8"))

    def read(path) -> Dataset:
        ds = Dataset()
        ds.parse(str(path), format=rdflib_name)
        return ds

    return register(Format(name, "rdf", suffix, write, read, f"{name} (named graphs)"))


_quad_pair("nq", "nquads", ".nq")
_quad_pair("trig", "trig", ".trig")
