"""The triples of a built graph, in the vocabulary of VOCABULARY.md.

:func:`corpus_triples` streams rdflib-term triples from a
:class:`~kg.graph.CorpusGraph`; :func:`build_triples` adds the graph's
description of itself (``void:Dataset`` + ``prov:Activity``, input files
with checksums, counts).  IRIs are stable: papers by title hash, entities by
type and canonical name, mentions by paper, field and offsets.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..graph import CorpusGraph
from .vocab import MLKG, RES, ROLE_PROPERTY

CLASS = {"Model": MLKG.Model, "Dataset": MLKG.Dataset, "Technique": MLKG.Technique,
         "Task": MLKG.Task, "Metric": MLKG.Metric, "Repository": MLKG.Repository}

Triple = tuple[URIRef, URIRef, object]


def iri(node_id: str, base: str = str(RES)) -> URIRef:
    """The IRI of a graph node id (``model/bert`` → ``res:model/bert``)."""
    return URIRef(base + node_id)


def decimal(value: float) -> Literal:
    """An ``xsd:decimal`` literal with no binary-float noise.

    >>> decimal(58.0), decimal(8.33)
    (rdflib.term.Literal('58.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal')), rdflib.term.Literal('8.33', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal')))
    """
    return Literal(Decimal(repr(float(value))), datatype=XSD.decimal)


def corpus_triples(cg: CorpusGraph, base: str = str(RES)) -> Iterator[Triple]:
    """Every triple of papers, entities, mentions, based_on pairs and results."""
    g = cg.graph
    for p in cg.papers:
        s = iri(f"paper/{p.id}", base)
        yield s, RDF.type, MLKG.Paper
        yield s, DCTERMS.identifier, Literal(p.id)
        yield s, DCTERMS.title, Literal(p.title.strip())
        yield s, DCTERMS.abstract, Literal(p.abstract)
        if p.url and p.url.startswith(("http://", "https://")):
            yield s, RDFS.seeAlso, URIRef(p.url)
        for src in p.sources:
            yield s, MLKG.source, Literal(str(src))
    for eid, e in sorted(cg.resolution.entities.items()):
        s = iri(eid, base)
        yield s, RDF.type, CLASS[e.type]
        yield s, RDFS.label, Literal(e.name)
        for alias in e.aliases:
            yield s, SKOS.altLabel, Literal(alias)
        yield s, MLKG.paperCount, Literal(g.nodes[eid]["paper_count"])
    links: dict[tuple[str, str], set[str]] = {}
    for u, v, d in g.edges(data=True):
        if d["kind"] != "mentions":
            continue
        paper, entity = iri(u, base), iri(v, base)
        links.setdefault((u, v), set()).add(d["role"])
        m = iri(f"mention/{u.split('/', 1)[1]}-{d['field']}-{d['start']}-{d['end']}", base)
        yield m, RDF.type, MLKG.Mention
        yield m, MLKG.paper, paper
        yield m, MLKG.entity, entity
        yield m, MLKG.surfaceForm, Literal(d["surface"])
        yield m, MLKG.field, Literal(d["field"])
        yield m, MLKG.start, Literal(d["start"])
        yield m, MLKG.end, Literal(d["end"])
        yield m, MLKG.role, Literal(d["role"])
    for (u, v), roles in sorted(links.items()):
        yield iri(u, base), MLKG.mentions, iri(v, base)
        for role in roles:
            if role in ROLE_PROPERTY:
                yield iri(u, base), ROLE_PROPERTY[role], iri(v, base)
    for _paper, s, o in cg.based_on:
        yield iri(s, base), MLKG.basedOn, iri(o, base)
    for r in cg.results:
        s = iri(r.id, base)
        yield iri(f"paper/{r.paper}", base), MLKG.reportsResult, s
        yield s, RDF.type, MLKG.Result
        yield s, MLKG.model, iri(r.model, base)
        yield s, MLKG.metric, iri(r.metric, base)
        if r.dataset:
            yield s, MLKG.dataset, iri(r.dataset, base)
        yield s, MLKG.value, decimal(r.value)
        if r.evidence:
            yield s, MLKG.evidence, Literal(r.evidence)


@dataclass(frozen=True)
class BuildInfo:
    """What the graph says about its own making."""

    version: str
    created: str  # ISO 8601 date-time, UTC
    inputs: tuple[tuple[str, str], ...]  # (path, sha256)


def description_triples(cg: CorpusGraph, info: BuildInfo, n_triples: int,
                        base: str = str(RES)) -> Iterator[Triple]:
    """The ``void:Dataset``/``prov:Activity`` description of one build.

    ``n_triples`` counts the corpus triples plus these (see :func:`build_triples`).
    """
    ds, act = iri("build", base), iri("build/activity", base)
    yield ds, RDF.type, VOID.Dataset
    yield ds, RDF.type, PROV.Entity
    yield ds, MLKG.kgVersion, Literal(info.version)
    yield ds, DCTERMS.created, Literal(info.created, datatype=XSD.dateTime)
    yield ds, MLKG.papers, Literal(len(cg.papers))
    yield ds, MLKG.entities, Literal(len(cg.resolution.entities))
    yield ds, VOID.triples, Literal(n_triples)
    yield ds, PROV.wasGeneratedBy, act
    yield act, RDF.type, PROV.Activity
    for path, sha in info.inputs:
        f = iri(f"input/{sha[:16]}", base)
        yield act, PROV.used, f
        yield f, RDF.type, MLKG.InputFile
        yield f, RDFS.label, Literal(path)
        yield f, MLKG.sha256, Literal(sha)


def description_size(info: BuildInfo) -> int:
    return 9 + 4 * len(info.inputs)


def build_triples(cg: CorpusGraph, info: BuildInfo, base: str = str(RES)) -> list[Triple]:
    """All triples of a build, corpus and description, deduplicated."""
    corpus = list(dict.fromkeys(corpus_triples(cg, base)))
    total = len(corpus) + description_size(info)
    return corpus + list(description_triples(cg, info, total, base))
