"""A researcher's records with ids and metadata: joined back by id in the graph, valid RDF, code as has_code."""
from __future__ import annotations

import json
import warnings

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from kg import api
from kg.errors import InputWarning
from kg.rdf.vocab import FABIO, MLKG, RES

RECORDS = [
    {"id": "p1", "title": "Longformer: The Long-Document Transformer",
     "abstract": "We present Longformer, a model for long documents, and evaluate it on WikiHop.",
     "url": "https://arxiv.org/abs/2004.05150v2", "year": 2020, "venue": "arXiv",
     "authors": ["Iz Beltagy", "Arman Cohan"], "code_url": "https://github.com/allenai/longformer"},
    {"id": "odd> <id\"", "title": "A paper with a hostile id", "abstract": "We fine-tune BERT on GLUE.",
     "date": "2019-05-24", "url": "https://exa mple.org/\u0001"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("meta")
    path = folder / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # the bad url, named in tests/ingest
        api.build([path], folder / "out", site=False)
    return folder / "out", Graph().parse(folder / "out" / "graph.nt", format="nt")


def test_papers_are_found_by_their_record_id(built):
    _, g = built
    p1 = RES["paper/p1"]
    assert (p1, DCTERMS.identifier, Literal("p1")) in g
    odd = next(g.subjects(DCTERMS.identifier, Literal('odd> <id"')))
    assert str(odd) == str(RES) + "paper/odd%3E%20%3Cid%22"


def test_metadata_triples(built):
    _, g = built
    p1 = RES["paper/p1"]
    assert set(g.objects(p1, DCTERMS.creator)) == {Literal("Iz Beltagy"), Literal("Arman Cohan")}
    assert g.value(p1, FABIO.hasPublicationYear) == Literal("2020", datatype=XSD.gYear)
    assert g.value(p1, MLKG.venue) == Literal("arXiv")
    assert g.value(p1, MLKG.arxivId) == Literal("2004.05150")
    assert (p1, OWL.sameAs, URIRef("http://arxiv.org/abs/2004.05150")) in g
    odd = next(g.subjects(DCTERMS.identifier, Literal('odd> <id"')))
    assert g.value(odd, DCTERMS.issued) == Literal("2019-05-24", datatype=XSD.date)
    assert g.value(odd, FABIO.hasPublicationYear) == Literal("2019", datatype=XSD.gYear)


def test_code_url_is_a_has_code_repository(built):
    _, g = built
    repo = RES["repository/github-com-allenai-longformer"]
    assert (RES["paper/p1"], MLKG.hasCode, repo) in g
    mention = next(g.subjects(MLKG.entity, repo))
    assert str(g.value(mention, MLKG.field)) == "code_url"


def test_graph_conforms_and_queries_join_by_id(built):
    out, _ = built
    api.validate(out)
    rows = api.query('SELECT ?t WHERE { ?p dcterms:identifier "p1" ; dcterms:title ?t }', out).rows
    assert [list(r) for r in rows] == [["Longformer: The Long-Document Transformer"]]


def test_graph_json_keeps_the_metadata(built):
    out, _ = built
    attrs = api.load_graph(out).nodes["paper/p1"]
    assert (attrs["year"], attrs["venue"], attrs["authors"], attrs["arxiv_id"], attrs["record_id"]) == (
        "2020", "arXiv", ["Iz Beltagy", "Arman Cohan"], "2004.05150", "p1")
