"""The triples of a built graph, in the vocabulary of VOCABULARY.md, as N-Triples lines.

Triples come out as canonical N-Triples text (one string per triple), never
as an rdflib ``Graph``: a build of 100,000 abstracts has millions of triples,
which an in-memory rdflib graph cannot hold cheaply.  They come in blocks
(:func:`paper_triples`, :func:`entity_triples`; see :mod:`kg.outputs`), which
``graph.nt`` and ``graph.ttl`` concatenate and the Oxigraph store loads.

:func:`description_triples` gives the graph's description of itself
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

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..graph import CorpusGraph
from ..ingest.metadata import safe_iri
from .vocab import FABIO, MLKG, RES, ROLE_PROPERTY


def _u(term) -> str:
    return f"<{term}>"


CLASS = {t: _u(MLKG[t]) for t in ("Model", "Dataset", "Technique", "Task", "Metric", "Repository")}
A = _u(RDF.type)
ROLE = {role: _u(prop) for role, prop in ROLE_PROPERTY.items()}
T = {name: _u(MLKG[name]) for name in (
    "Paper", "Mention", "Result", "InputFile", "mentions", "basedOn", "reportsResult", "model", "dataset",
    "metric", "value", "paper", "entity", "surfaceForm", "start", "end", "field", "role", "source",
    "evidence", "evidenceField", "evidenceStart", "evidenceEnd", "paperCount", "kgVersion", "papers", "entities", "sha256",
    "higherIsBetter")}

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_INTEGER = _u(XSD.integer)
_DECIMAL = _u(XSD.decimal)
_BOOLEAN = _u(XSD.boolean)


def literal(text: str) -> str:
    """A plain string literal in canonical N-Triples form."""
    return f'"{text.translate(_ESCAPES)}"'


def integer(n: int) -> str:
    return f'"{int(n)}"^^{_INTEGER}'


def boolean(value: bool) -> str:
    """An ``xsd:boolean`` in canonical form.

    >>> boolean(False)
    '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    """
    return f'"{"true" if value else "false"}"^^{_BOOLEAN}'


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


_GYEAR, _DATE = _u(XSD.gYear), _u(XSD.date)


def paper_triples(cg: CorpusGraph, node: str, base: str = str(RES)) -> list[str]:
    """The sorted triples whose subject belongs to one paper: the paper, its mentions, its results.

    Every triple belongs to exactly one paper, entity or the build description
    (its subject decides), so outputs can be written and updated block by block.
    """
    pid = node.split("/", 1)[1]
    p = cg.paper(pid)
    s = iri(node, base)
    out = [f"{s} {A} {T['Paper']} .",
           f"{s} {_u(DCTERMS.identifier)} {literal(p.record_id or pid)} .",
           f"{s} {_u(DCTERMS.title)} {literal(p.title.strip())} .",
           f"{s} {_u(DCTERMS.abstract)} {literal(p.abstract)} ."]
    if p.url and safe_iri(p.url):
        out.append(f"{s} {_u(RDFS.seeAlso)} <{p.url}> .")
    out.extend(_metadata_triples(s, p))
    out.extend(f"{s} {T['source']} {literal(str(src))} ." for src in p.sources)
    for target, d in cg.mention_edges(pid):
        entity = iri(target, base)
        m = iri(f"mention/{pid}-{d['field']}-{d['start']}-{d['end']}", base)
        out += [f"{m} {A} {T['Mention']} .", f"{m} {T['paper']} {s} .", f"{m} {T['entity']} {entity} .",
                f"{m} {T['surfaceForm']} {literal(d['surface'])} .", f"{m} {T['field']} {literal(d['field'])} .",
                f"{m} {T['start']} {integer(d['start'])} .", f"{m} {T['end']} {integer(d['end'])} .",
                f"{m} {T['role']} {literal(d['role'])} .", f"{s} {T['mentions']} {entity} ."]
        if d["role"] in ROLE:
            out.append(f"{s} {ROLE[d['role']]} {entity} .")
    for r in cg.results_of.get(pid, ()):
        rs = iri(r.id, base)
        out += [f"{s} {T['reportsResult']} {rs} .", f"{rs} {A} {T['Result']} .",
                f"{rs} {T['model']} {iri(r.model, base)} .", f"{rs} {T['metric']} {iri(r.metric, base)} .",
                f"{rs} {T['value']} {decimal(r.value)} ."]
        if r.dataset:
            out.append(f"{rs} {T['dataset']} {iri(r.dataset, base)} .")
        if r.evidence:
            out.append(f"{rs} {T['evidence']} {literal(r.evidence)} .")
        if r.evidence_field:
            out += [f"{rs} {T['evidenceField']} {literal(r.evidence_field)} .",
                    f"{rs} {T['evidenceStart']} {integer(r.evidence_start)} .",
                    f"{rs} {T['evidenceEnd']} {integer(r.evidence_end)} ."]
    return sorted(set(out))


def _metadata_triples(s: str, p) -> list[str]:
    """A paper's metadata from its input record: authors, year, date, venue, arXiv id and link."""
    out = [f"{s} {_u(DCTERMS.creator)} {literal(name)} ." for name in p.authors]
    if p.year is not None:
        out.append(f'{s} {_u(FABIO.hasPublicationYear)} "{p.year:04d}"^^{_GYEAR} .')
    if p.date:
        out.append(f'{s} {_u(DCTERMS.issued)} "{p.date}"^^{_DATE} .')
    if p.venue:
        out.append(f"{s} {_u(MLKG.venue)} {literal(p.venue)} .")
    if p.arxiv_id:
        out += [f"{s} {_u(MLKG.arxivId)} {literal(p.arxiv_id)} .",
                f"{s} {_u(OWL.sameAs)} <http://arxiv.org/abs/{p.arxiv_id}> ."]
    return out


def entity_triples(cg: CorpusGraph, eid: str, base: str = str(RES)) -> list[str]:
    """The sorted triples of one entity: its class, names, paper count, ``basedOn`` links and links out.

    ``owl:sameAs`` for each of its lexicon entry's links (Linked Papers With Code),
    ``mlkg:higherIsBetter`` for a metric whose direction is known.
    """
    e = cg.resolution.entities[eid]
    s = iri(eid, base)
    out = [f"{s} {A} {CLASS[e.type]} .", f"{s} {_u(RDFS.label)} {literal(e.name)} ."]
    out.extend(f"{s} {_u(SKOS.altLabel)} {literal(alias)} ." for alias in e.aliases)
    out.extend(f"{s} {_u(OWL.sameAs)} <{link}> ." for link in e.same_as if safe_iri(link))
    if e.type == "Metric" and e.higher_is_better is not None:
        out.append(f"{s} {T['higherIsBetter']} {boolean(e.higher_is_better)} .")
    out.append(f"{s} {T['paperCount']} {integer(cg.paper_count.get(eid, 0))} .")
    out.extend(f"{s} {_u(MLKG.curatedBy)} {iri(rule.id, base)} ." for rule in e.curated_by)
    out.extend(f"{s} {T['basedOn']} {iri(o, base)} ." for _paper, o in cg.based_on_of.get(eid, ()))
    return sorted(set(out))


@dataclass(frozen=True)
class BuildInfo:
    """What the graph says about its own making."""

    version: str
    created: str  # ISO 8601 date-time, UTC
    inputs: tuple[tuple[str, str], ...]  # (path, sha256)
    rules: tuple = ()  # the kg.curation.Rule objects of the build's curation file


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
    for rule in {r.id: r for r in info.rules}.values():
        r = iri(rule.id, base)
        yield f"{act} {_u(PROV.used)} {r} ."
        yield f"{r} {A} {_u(MLKG.CurationRule)} ."
        yield f"{r} {_u(RDFS.label)} {literal(rule.label)} ."
        yield f"{r} {T['source']} {literal(rule.source)} ."


def description_size(info: BuildInfo) -> int:
    return 9 + 4 * len(info.inputs) + 4 * len({r.id for r in info.rules})
