"""The graph's vocabulary in code: one place, checked against ``ontology/``.

``MLKG`` is an rdflib ``DefinedNamespace`` with ``_fail = True``: a typo such
as ``MLKG.evaluateOn`` raises instead of minting a term nobody defined.
The test ``tests/rdf/test_vocab.py`` checks every term here is defined in
``ontology/mlkg.ttl``.

>>> str(MLKG.basedOn)
'https://w3id.org/mlkg/ontology#basedOn'
>>> MLKG.evaluateOn
Traceback (most recent call last):
...
AttributeError: term 'evaluateOn' not in namespace 'https://w3id.org/mlkg/ontology#'
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

RES = Namespace("https://w3id.org/mlkg/resource/")
"""Default base of instance IRIs."""
FABIO = Namespace("http://purl.org/spar/fabio/")
"""FaBiO, for ``fabio:hasPublicationYear``."""


class MLKG(DefinedNamespace):
    """Terms of ``https://w3id.org/mlkg/ontology#`` (VOCABULARY.md plus extensions)."""

    _NS = Namespace("https://w3id.org/mlkg/ontology#")
    _fail = True

    # classes
    Paper: URIRef
    Entity: URIRef
    Model: URIRef
    Dataset: URIRef
    Technique: URIRef
    Task: URIRef
    Metric: URIRef
    Repository: URIRef
    Result: URIRef
    Mention: URIRef
    InputFile: URIRef
    CurationRule: URIRef
    # properties of VOCABULARY.md
    mentions: URIRef
    proposes: URIRef
    evaluatesOn: URIRef
    hasCode: URIRef
    basedOn: URIRef
    reportsResult: URIRef
    model: URIRef
    dataset: URIRef
    metric: URIRef
    value: URIRef
    paper: URIRef
    entity: URIRef
    surfaceForm: URIRef
    start: URIRef
    end: URIRef
    field: URIRef
    # extensions
    role: URIRef
    source: URIRef
    evidence: URIRef
    evidenceField: URIRef
    evidenceStart: URIRef
    evidenceEnd: URIRef
    paperCount: URIRef
    kgVersion: URIRef
    papers: URIRef
    entities: URIRef
    sha256: URIRef
    arxivId: URIRef
    venue: URIRef
    higherIsBetter: URIRef
    curatedBy: URIRef


ROLE_PROPERTY = {"proposes": MLKG.proposes, "evaluates_on": MLKG.evaluatesOn, "has_code": MLKG.hasCode}
"""The sub-property of ``mlkg:mentions`` each role asserts as well."""

PREFIXES = {"mlkg": MLKG._NS, "fabio": FABIO, "owl": OWL, "res": RES, "rdfs": RDFS, "skos": SKOS, "dcterms": DCTERMS,
            "prov": PROV, "xsd": XSD, "void": VOID, "rdf": RDF}

__all__ = ["MLKG", "RES", "FABIO", "ROLE_PROPERTY", "PREFIXES"]
