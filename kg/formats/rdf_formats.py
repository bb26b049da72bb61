"""RDF formats: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (rdflib)."""
from __future__ import annotations

import json

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from ..fsutil import atomic_write
from ..rdf.ontology import ontology_file
from ..rdf.serialize import write_ntriples
from ..rdf.vocab import MLKG, PREFIXES, RES
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


ONTOLOGY_GRAPH = URIRef(str(RES) + "graph/ontology")


def source_graph(source_file: str) -> URIRef:
    """The named graph of one input file (from a paper's ``mlkg:source`` "FILE:LINE")."""
    import hashlib

    return URIRef(f"{RES}graph/source/{hashlib.sha1(source_file.encode('utf-8')).hexdigest()[:16]}")


def partition(graph: Graph) -> Dataset:
    """A Dataset: one named graph per input source, the ontology in its own, the rest default.

    A source's graph holds its papers' triples and their mentions and results (a
    paper listed in two files is in both); entities, ``basedOn`` pairs and the
    build description, shared by all sources, stay in the default graph.
    """
    ds = Dataset()
    sources: dict = {}
    for paper, src in graph.subject_objects(MLKG.source):
        sources.setdefault(paper, set()).add(source_graph(str(src).rsplit(":", 1)[0]))
    owner: dict = {}
    for m, paper in graph.subject_objects(MLKG.paper):
        owner[m] = paper
    for paper, r in graph.subject_objects(MLKG.reportsResult):
        owner[r] = paper
    for name in {str(src).rsplit(":", 1)[0] for src in graph.objects(None, MLKG.source)}:
        ds.graph(source_graph(name)).add((source_graph(name), RDFS.label, Literal(name)))
    default = ds.default_context
    for s, p, o in graph:
        targets = sources.get(owner.get(s, s))
        if targets:
            for iri in targets:
                ds.graph(iri).add((s, p, o))
        else:
            default.add((s, p, o))
    onto = ds.graph(ONTOLOGY_GRAPH)
    onto.parse(str(ontology_file("mlkg.ttl")), format="turtle")
    return ds


def _quad_pair(name: str, rdflib_name: str, suffix: str) -> Format:
    def write(graph: Graph, path) -> None:
        ds = graph if isinstance(graph, Dataset) else partition(graph)
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True)
        with atomic_write(path, "wb") as handle:
            handle.write(ds.serialize(format=rdflib_name, encoding="utf-8"))

    def read(path) -> Dataset:
        ds = Dataset()
        ds.parse(str(path), format=rdflib_name)
        return ds

    return register(Format(name, "rdf", suffix, write, read,
                           f"{name}: a named graph per input source, the ontology in its own"))


_quad_pair("nq", "nquads", ".nq")
_quad_pair("trig", "trig", ".trig")
