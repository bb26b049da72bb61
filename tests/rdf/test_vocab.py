"""The vocabulary in code (``kg.rdf.vocab.MLKG``) against ``ontology/mlkg.ttl``."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.rdf.vocab import MLKG, PREFIXES, ROLE_PROPERTY

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "mlkg.ttl"
NS = str(MLKG._NS)


@pytest.fixture(scope="module")
def defined() -> set[URIRef]:
    """mlkg terms the ontology defines: typed and labelled subjects in the mlkg namespace."""
    g = Graph().parse(ONTOLOGY, format="turtle")
    typed = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(NS)}
    return {s for s in typed if (s, RDFS.label, None) in g}


def code_terms() -> set[URIRef]:
    names = [n for n in MLKG.__annotations__ if not n.startswith("_")]
    assert names, "MLKG declares no terms"
    return {URIRef(NS + n) for n in names}


def test_every_code_term_is_defined_in_the_ontology(defined):
    assert code_terms() - defined == set()


def test_code_terms_resolve_to_their_iri():
    for term in code_terms():
        assert getattr(MLKG, term[len(NS):]) == term


def test_unknown_term_raises():
    with pytest.raises(AttributeError):
        MLKG.notATerm  # noqa: B018
    with pytest.raises(AttributeError):
        MLKG.evaluateOn  # noqa: B018  (a typo of evaluatesOn)


def test_role_properties_and_prefixes():
    assert ROLE_PROPERTY == {"proposes": MLKG.proposes, "evaluates_on": MLKG.evaluatesOn,
                             "has_code": MLKG.hasCode}
    assert str(PREFIXES["mlkg"]) == "https://w3id.org/mlkg/ontology#"
    assert str(PREFIXES["res"]) == "https://w3id.org/mlkg/resource/"


def test_every_mlkg_term_in_a_built_graph_is_defined(fixture_build, defined):
    _, out = fixture_build
    g = Graph().parse(out / "graph.nt", format="nt")
    used = set()
    for triple in g:
        for term in triple:
            if isinstance(term, Literal) and term.datatype is not None:
                term = term.datatype
            if isinstance(term, URIRef) and str(term).startswith(NS):
                used.add(term)
    assert used, "the fixture graph uses no mlkg term"
    assert used - defined == set()
    # and the graph uses the vocabulary's core terms
    assert {MLKG.Paper, MLKG.Mention, MLKG.mentions, MLKG.proposes, MLKG.evaluatesOn, MLKG.hasCode,
            MLKG.basedOn, MLKG.reportsResult, MLKG.value} <= used
