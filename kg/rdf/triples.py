"""The triples of a built graph, in the vocabulary of VOCABULARY.md, as N-Triples lines.

Triples stream out as canonical N-Triples text (one string per triple), never
as an rdflib ``Graph``: a build of 100,000 abstracts has millions of triples,
which an in-memory rdflib graph cannot hold cheaply.  The lines are sorted
into ``graph.nt`` and bulk-loaded into Oxigraph, which writes the Turtle.

:func:`corpus_triples` covers papers, entities, mentions, ``basedOn`` pairs
and results; :func:`description_triples` the graph's description of itself
(``void:Dataset`` + ``prov:Activity``, input files with checksums, counts).
IRIs are stable: papers by title hash, entities by type and canonical name,
mentions by paper, field and offsets.

>>> literal('say "hi"\\n')
'"say \\\\"hi\\\\"\\\\n"'
>>> decimal(58.0), decimal(8.33)
('"58.0"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"8.33"^^<http://www.w3.org/2001/XMLSchema#decimal>')
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..graph import CorpusGraph
from .vocab import MLKG, RES, ROLE_PROPERTY


def _u(term) -> str:
    return f"<{term}>"


CLASS = {t: _u(MLKG[t]) for t in ("Model", "Dataset", "Technique", "Task", "Metric", "Repository")}
A = _u(RDF.type)
ROLE = {role: _u(prop) for role, prop in ROLE_PROPERTY.items()}
T = {name: _u(MLKG[name]) for name in (
    "Paper", "Mention", "Result", "InputFile", "mentions", "basedOn", "reportsResult", "model", "dataset",
    "metric", "value", "paper", "entity", "surfaceForm", "start", "end", "field", "role", "source",
    "evidence", "paperCount", "kgVersion", "papers", "entities", "sha256")}

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_INTEGER = _u(XSD.integer)
_DECIMAL = _u(XSD.decimal)


def literal(text: str) -> str:
    """A plain string literal in canonical N-Triples form."""
    return f'"{text.translate(_ESCAPES)}"'


def integer(n: int) -> str:
    return f'"{int(n)}"^^{_INTEGER}'


def decimal(value: float) -> str:
    """An ``xsd:decimal`` with no binary-float noise (58.0 stays 58.0)."""
    text = str(Decimal(repr(float(value))))
    if "E" in text or "e" in text:
        text = format(Decimal(repr(float(value))), "f")
    if "." not in text:
        text += ".0"
    return f'"{text}"^^{_DECIMAL}'


def iri(node_id: str, base: str = str(RES)) -> str:
    """The IRI of a graph node id (``model/bert`` → ``<…resource/model/bert>``)."""
    return f"<{base}{node_id}>"


def _safe_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and not any(ch in url for ch in ' <>"{}|\\^`\n\r\t')


def corpus_triples(cg: CorpusGraph, base: str = str(RES)) -> Iterator[str]:
    """Every triple (as an N-Triples line) of papers, entities, mentions, pairs and results."""
    g = cg.graph
    for p in cg.papers:
        s = iri(f"paper/{p.id}", base)
        yield f"{s} {A} {T['Paper']} ."
        yield f"{s} {_u(DCTERMS.identifier)} {literal(p.id)} ."
        yield f"{s} {_u(DCTERMS.title)} {literal(p.title.strip())} ."
        yield f"{s} {_u(DCTERMS.abstract)} {literal(p.abstract)} ."
        if p.url and _safe_url(p.url):
            yield f"{s} {_u(RDFS.seeAlso)} <{p.url}> ."
        for src in p.sources:
            yield f"{s} {T['source']} {literal(str(src))} ."
    for eid, e in sorted(cg.resolution.entities.items()):
        s = iri(eid, base)
        yield f"{s} {A} {CLASS[e.type]} ."
        yield f"{s} {_u(RDFS.label)} {literal(e.name)} ."
        for alias in e.aliases:
            yield f"{s} {_u(SKOS.altLabel)} {literal(alias)} ."
        yield f"{s} {T['paperCount']} {integer(g.nodes[eid]['paper_count'])} ."
    links: dict[tuple[str, str], set[str]] = {}
    for u, v, d in g.edges(data=True):
        if d["kind"] != "mentions":
            continue
        paper, entity = iri(u, base), iri(v, base)
        links.setdefault((u, v), set()).add(d["role"])
        m = iri(f"mention/{u.split('/', 1)[1]}-{d['field']}-{d['start']}-{d['end']}", base)
        yield f"{m} {A} {T['Mention']} ."
        yield f"{m} {T['paper']} {paper} ."
        yield f"{m} {T['entity']} {entity} ."
        yield f"{m} {T['surfaceForm']} {literal(d['surface'])} ."
        yield f"{m} {T['field']} {literal(d['field'])} ."
        yield f"{m} {T['start']} {integer(d['start'])} ."
        yield f"{m} {T['end']} {integer(d['end'])} ."
        yield f"{m} {T['role']} {literal(d['role'])} ."
    for (u, v), roles in links.items():
        yield f"{iri(u, base)} {T['mentions']} {iri(v, base)} ."
        for role in roles:
            if role in ROLE:
                yield f"{iri(u, base)} {ROLE[role]} {iri(v, base)} ."
    for _paper, s, o in cg.based_on:
        yield f"{iri(s, base)} {T['basedOn']} {iri(o, base)} ."
    for r in cg.results:
        s = iri(r.id, base)
        yield f"{iri(f'paper/{r.paper}', base)} {T['reportsResult']} {s} ."
        yield f"{s} {A} {T['Result']} ."
        yield f"{s} {T['model']} {iri(r.model, base)} ."
        yield f"{s} {T['metric']} {iri(r.metric, base)} ."
        if r.dataset:
            yield f"{s} {T['dataset']} {iri(r.dataset, base)} ."
        yield f"{s} {T['value']} {decimal(r.value)} ."
        if r.evidence:
            yield f"{s} {T['evidence']} {literal(r.evidence)} ."


@dataclass(frozen=True)
class BuildInfo:
    """What the graph says about its own making."""

    version: str
    created: str  # ISO 8601 date-time, UTC
    inputs: tuple[tuple[str, str], ...]  # (path, sha256)


CREATED = _u(DCTERMS.created)
"""The one predicate whose triple differs between two builds of the same input."""


def description_triples(cg: CorpusGraph, info: BuildInfo, n_triples: int,
                        base: str = str(RES)) -> Iterator[str]:
    """The ``void:Dataset``/``prov:Activity`` description of one build.

    ``n_triples`` counts the corpus triples plus these (see :func:`description_size`).
    """
    ds, act = iri("build", base), iri("build/activity", base)
    yield f"{ds} {A} {_u(VOID.Dataset)} ."
    yield f"{ds} {A} {_u(PROV.Entity)} ."
    yield f"{ds} {T['kgVersion']} {literal(info.version)} ."
    yield f'{ds} {CREATED} "{info.created}"^^{_u(XSD.dateTime)} .'
    yield f"{ds} {T['papers']} {integer(len(cg.papers))} ."
    yield f"{ds} {T['entities']} {integer(len(cg.resolution.entities))} ."
    yield f"{ds} {_u(VOID.triples)} {integer(n_triples)} ."
    yield f"{ds} {_u(PROV.wasGeneratedBy)} {act} ."
    yield f"{act} {A} {_u(PROV.Activity)} ."
    for path, sha in info.inputs:
        f = iri(f"input/{sha[:16]}", base)
        yield f"{act} {_u(PROV.used)} {f} ."
        yield f"{f} {A} {T['InputFile']} ."
        yield f"{f} {_u(RDFS.label)} {literal(path)} ."
        yield f"{f} {T['sha256']} {literal(sha)} ."


def description_size(info: BuildInfo) -> int:
    return 9 + 4 * len(info.inputs)


def build_triples(cg: CorpusGraph, info: BuildInfo, base: str = str(RES)) -> list[str]:
    """All N-Triples lines of a build, corpus and description, distinct and sorted."""
    lines = set(corpus_triples(cg, base))
    total = len(lines) + description_size(info)
    lines.update(description_triples(cg, info, total, base))
    return sorted(lines)
