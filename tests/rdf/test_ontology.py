"""The ontology, the SHACL shapes and the JSON-LD context in ``ontology/``.

The public vocabulary of ``shared/spec/VOCABULARY.md`` is hard-coded below:
it must never change spelling, so a rename in the ontology fails here.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, SH, SKOS

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "mlkg.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT = ONTOLOGY_DIR / "context.jsonld"

MLKG = Namespace("https://w3id.org/mlkg/ontology#")
RES = Namespace("https://w3id.org/mlkg/resource/")
MLS = Namespace("http://www.w3.org/ns/mls#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
# a plain Namespace: rdflib's XSD DefinedNamespace warns when pytest introspects it
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/mlkg/ontology")

ENTITY_CLASSES = [MLKG.Model, MLKG.Dataset, MLKG.Technique, MLKG.Task, MLKG.Metric, MLKG.Repository]

# Every term of VOCABULARY.md, as written there.
VOCABULARY_CLASSES = [MLKG.Paper, MLKG.Entity, *ENTITY_CLASSES, MLKG.Result, MLKG.Mention]
VOCABULARY_PROPERTIES = [
    DCTERMS.title, DCTERMS.abstract, RDFS.label, SKOS.altLabel,
    MLKG.mentions, MLKG.proposes, MLKG.evaluatesOn, MLKG.hasCode, MLKG.basedOn,
    MLKG.reportsResult, MLKG.model, MLKG.dataset, MLKG.metric, MLKG.value,
    MLKG.paper, MLKG.entity, MLKG.surfaceForm, MLKG.start, MLKG.end, MLKG.field,
]
# Terms the ontology adds for the graph (not in VOCABULARY.md, but used by kg).
EXTENSION_TERMS = [
    MLKG.role, MLKG.source, MLKG.evidence, MLKG.evidenceField, MLKG.evidenceStart, MLKG.evidenceEnd,
    MLKG.paperCount, MLKG.kgVersion,
    MLKG.papers, MLKG.entities, MLKG.sha256, MLKG.InputFile,
]

# Instance IRIs contain "/" (res:paper/…), which a Turtle prefixed name cannot
# hold unescaped, so the fixtures write them relative to @base.
PREFIXES = """\
@base <https://w3id.org/mlkg/resource/> .
@prefix mlkg:    <https://w3id.org/mlkg/ontology#> .
@prefix res:     <https://w3id.org/mlkg/resource/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix void:    <http://rdfs.org/ns/void#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

VALID = PREFIXES + """
<paper/p1> a mlkg:Paper ;
    dcterms:identifier "p1" ;
    dcterms:title "BudgetBERT: cheap BERT" ;
    dcterms:abstract "We propose BudgetBERT, based on BERT. It reaches 80.5 accuracy on GLUE." ;
    mlkg:source "seeds/000.txt:1" , "seeds/001.txt:7" ;
    rdfs:seeAlso <https://arxiv.org/abs/0000.00000> ;
    mlkg:mentions <model/budgetbert> , <model/bert> , <dataset/glue> , <metric/accuracy> ;
    mlkg:proposes <model/budgetbert> ;
    mlkg:evaluatesOn <dataset/glue> ;
    mlkg:reportsResult <result/r1> .

<model/budgetbert> a mlkg:Model ;
    rdfs:label "BudgetBERT" ;
    mlkg:paperCount 1 ;
    mlkg:basedOn <model/bert> .

<model/bert> a mlkg:Model ;
    rdfs:label "BERT" ;
    skos:altLabel "BERT-base" , "bert" ;
    mlkg:paperCount 1 .

<dataset/glue> a mlkg:Dataset ;
    rdfs:label "GLUE" ;
    mlkg:paperCount 1 .

<metric/accuracy> a mlkg:Metric ;
    rdfs:label "accuracy" .

<mention/p1-abstract-10-20> a mlkg:Mention ;
    mlkg:paper <paper/p1> ;
    mlkg:entity <model/budgetbert> ;
    mlkg:surfaceForm "BudgetBERT" ;
    mlkg:field "abstract" ;
    mlkg:start 10 ;
    mlkg:end 20 ;
    mlkg:role "proposes" .

<mention/p1-abstract-64-68> a mlkg:Mention ;
    mlkg:paper <paper/p1> ;
    mlkg:entity <dataset/glue> ;
    mlkg:surfaceForm "GLUE" ;
    mlkg:field "abstract" ;
    mlkg:start 64 ;
    mlkg:end 68 ;
    mlkg:role "evaluates_on" .

<result/r1> a mlkg:Result ;
    mlkg:model <model/budgetbert> ;
    mlkg:dataset <dataset/glue> ;
    mlkg:metric <metric/accuracy> ;
    mlkg:value 80.5 ;
    mlkg:evidence "It reaches 80.5 accuracy on GLUE." .

<build> a void:Dataset , prov:Entity ;
    mlkg:kgVersion "0.1.0" ;
    mlkg:papers 1 ;
    mlkg:entities 4 ;
    void:triples 60 ;
    dcterms:created "2025-01-01T00:00:00Z"^^xsd:dateTime ;
    prov:wasGeneratedBy <build/activity> .

<build/activity> a prov:Activity ;
    prov:used <input/seeds-000> .

<input/seeds-000> a mlkg:InputFile , prov:Entity ;
    rdfs:label "seeds/000.txt" ;
    mlkg:sha256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" .
"""

PAPER = RES["paper/p1"]
BERT = RES["model/bert"]
RESULT = RES["result/r1"]
MENTION = RES["mention/p1-abstract-10-20"]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def valid_graph() -> Graph:
    return Graph().parse(data=VALID, format="turtle")


def shacl(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = validate(data, shacl_graph=shapes, inference="none")
    return conforms, report, text


def violations(report: Graph) -> set[tuple]:
    """(focus node, result path) of every top-level validation result (not sh:detail)."""
    return {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath))
        for r in report.objects(None, SH.result)
    }


# ---------------------------------------------------------------------------
# the ontology
# ---------------------------------------------------------------------------

def test_ontology_parses_with_rdflib(ontology):
    assert len(ontology) > 100
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


def test_ontology_and_shapes_parse_strictly_with_pyoxigraph():
    for path in (ONTOLOGY, SHAPES):
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        assert triples, path


def test_ontology_metadata(ontology):
    o = ONTOLOGY_IRI
    assert ontology.value(o, OWL.versionIRI) == URIRef("https://w3id.org/mlkg/ontology/0.1.0")
    assert str(ontology.value(o, OWL.versionInfo)) == "0.1.0"
    assert ontology.value(o, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for p in (DCTERMS.title, DCTERMS.description, RDFS.label):
        assert ontology.value(o, p) is not None, p


@pytest.mark.parametrize("term", VOCABULARY_CLASSES + VOCABULARY_PROPERTIES + EXTENSION_TERMS,
                         ids=lambda t: t.n3().rsplit("/", 1)[-1])
def test_every_vocabulary_term_is_defined(ontology, term):
    assert set(ontology.objects(term, RDF.type)), f"{term} has no rdf:type"
    assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"


def test_mlkg_terms_have_comments_and_typing(ontology):
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for term in VOCABULARY_CLASSES + VOCABULARY_PROPERTIES + EXTENSION_TERMS:
        if not str(term).startswith(str(MLKG)):
            continue
        assert ontology.value(term, RDFS.comment) is not None, term
        assert set(ontology.objects(term, RDF.type)) & kinds, term
        if (term, RDF.type, OWL.Class) not in ontology:
            assert ontology.value(term, RDFS.domain) is not None, term
            assert ontology.value(term, RDFS.range) is not None, term


def test_no_external_term_is_redefined_with_a_domain(ontology):
    for p in (DCTERMS.title, DCTERMS.abstract, RDFS.label, SKOS.altLabel):
        assert ontology.value(p, RDFS.domain) is None


def test_hierarchy(ontology):
    for cls in ENTITY_CLASSES:
        assert (cls, RDFS.subClassOf, MLKG.Entity) in ontology
    for p in (MLKG.proposes, MLKG.evaluatesOn, MLKG.hasCode):
        assert (p, RDFS.subPropertyOf, MLKG.mentions) in ontology
    assert (MLKG.Paper, RDFS.subClassOf, SCHEMA.ScholarlyArticle) in ontology
    assert (MLKG.Dataset, RDFS.subClassOf, SCHEMA.Dataset) in ontology
    assert (MLKG.Dataset, RDFS.subClassOf, MLS.Dataset) in ontology
    assert (MLKG.Repository, RDFS.subClassOf, SCHEMA.SoftwareSourceCode) in ontology
    assert (MLKG.Model, RDFS.subClassOf, MLS.Model) in ontology
    assert (MLKG.Task, RDFS.subClassOf, MLS.Task) in ontology
    assert (MLKG.Metric, RDFS.subClassOf, MLS.EvaluationMeasure) in ontology
    assert (MLKG.InputFile, RDFS.subClassOf, PROV.Entity) in ontology


def test_property_kinds_and_ranges(ontology):
    assert (MLKG.value, RDF.type, OWL.DatatypeProperty) in ontology
    assert ontology.value(MLKG.value, RDFS.range) == XSD.decimal
    assert ontology.value(MLKG.start, RDFS.range) == XSD.integer
    assert ontology.value(MLKG.end, RDFS.range) == XSD.integer
    assert ontology.value(MLKG.evaluatesOn, RDFS.range) == MLKG.Dataset
    assert ontology.value(MLKG.hasCode, RDFS.range) == MLKG.Repository
    for p in (MLKG.mentions, MLKG.basedOn, MLKG.model, MLKG.paper, MLKG.entity):
        assert (p, RDF.type, OWL.ObjectProperty) in ontology
    union = ontology.value(ontology.value(MLKG.basedOn, RDFS.range), OWL.unionOf)
    assert set(Collection(ontology, union)) == {MLKG.Model, MLKG.Technique}


def test_sparql_over_data_plus_ontology_finds_entities_by_superclass(ontology):
    g = valid_graph() + ontology
    q = """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?e a/rdfs:subClassOf* mlkg:Entity }"""
    (n,) = next(iter(g.query(q, initNs={"mlkg": MLKG, "rdfs": RDFS})))
    assert int(n) == 4


def _owl_rl_errors(g: Graph) -> list[str]:
    import owlrl  # a dependency of pyshacl

    g = g + Graph()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    error = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
    return sorted(str(o) for o in g.objects(None, error))


def test_owl_rl_closure_is_consistent(ontology):
    assert _owl_rl_errors(valid_graph() + ontology) == []


def test_owl_rl_finds_an_entity_with_two_types(ontology):
    g = valid_graph() + ontology
    g.add((BERT, RDF.type, MLKG.Technique))
    errors = _owl_rl_errors(g)
    assert errors and "Disjoint classes" in errors[0]


# ---------------------------------------------------------------------------
# the shapes
# ---------------------------------------------------------------------------

def test_shapes_parse(shapes):
    assert set(shapes.subjects(RDF.type, SH.NodeShape))


def test_valid_graph_conforms(shapes):
    conforms, _, text = shacl(valid_graph(), shapes)
    assert conforms, text


def test_valid_graph_conforms_with_explicit_xsd_string(shapes):
    """Literals written as "…"^^xsd:string (as some serialisers do) are fine."""
    g = Graph()
    for s, p, o in valid_graph():
        if isinstance(o, Literal) and o.datatype is None and o.language is None:
            o = Literal(str(o), datatype=XSD.string)
        g.add((s, p, o))
    conforms, _, text = shacl(g, shapes)
    assert conforms, text


def test_valid_graph_conforms_with_ontology_and_rdfs_inference(shapes, ontology):
    conforms, _, text = validate(valid_graph(), shacl_graph=shapes, ont_graph=ontology,
                                 inference="rdfs")
    assert conforms, text


def _two_titles(g: Graph):
    g.add((PAPER, DCTERMS.title, Literal("Another title")))
    return PAPER, DCTERMS.title


def _no_label(g: Graph):
    g.remove((BERT, RDFS.label, None))
    return BERT, RDFS.label


def _double_value(g: Graph):
    g.set((RESULT, MLKG.value, Literal("80.5", datatype=XSD.double)))
    return RESULT, MLKG.value


def _string_value(g: Graph):
    g.set((RESULT, MLKG.value, Literal("80.5%")))
    return RESULT, MLKG.value


def _field_body(g: Graph):
    g.set((MENTION, MLKG.field, Literal("body")))
    return MENTION, MLKG.field


@pytest.mark.parametrize("breakage", [_two_titles, _no_label, _double_value, _string_value,
                                      _field_body], ids=lambda f: f.__name__.strip("_"))
def test_broken_graph_does_not_conform_and_names_the_property(shapes, breakage):
    g = valid_graph()
    focus, path = breakage(g)
    conforms, report, text = shacl(g, shapes)
    assert not conforms
    assert violations(report) == {(focus, path)}, text


def _more_broken():
    """Further violations: (name, change, expected (focus, path))."""
    glue, budget = RES["dataset/glue"], RES["model/budgetbert"]
    cases = []

    def based_on_a_dataset(g):
        g.add((budget, MLKG.basedOn, glue))
        return {(budget, MLKG.basedOn)}
    cases.append(based_on_a_dataset)

    def dataset_based_on_a_model(g):
        g.add((glue, MLKG.basedOn, BERT))
        return {(glue, None)}   # the subject shape of mlkg:basedOn (a node shape: no path)
    cases.append(dataset_based_on_a_model)

    def mentions_a_literal(g):
        g.add((PAPER, MLKG.mentions, Literal("BERT")))
        return {(PAPER, MLKG.mentions)}
    cases.append(mentions_a_literal)

    def evaluates_on_a_model(g):
        g.add((PAPER, MLKG.evaluatesOn, BERT))
        return {(PAPER, MLKG.evaluatesOn)}
    cases.append(evaluates_on_a_model)

    def proposes_without_mentions(g):
        g.remove((PAPER, MLKG.mentions, budget))
        return {(PAPER, MLKG.proposes), (MENTION, MLKG.mentions)}
    cases.append(proposes_without_mentions)

    def role_without_subproperty(g):
        g.remove((PAPER, MLKG.proposes, budget))
        return {(MENTION, MLKG.proposes)}
    cases.append(role_without_subproperty)

    def unknown_role(g):
        g.set((MENTION, MLKG.role, Literal("improves")))
        return {(MENTION, MLKG.role)}
    cases.append(unknown_role)

    def negative_start(g):
        g.set((MENTION, MLKG.start, Literal(-1)))
        return {(MENTION, MLKG.start)}
    cases.append(negative_start)

    def end_before_start(g):
        g.set((MENTION, MLKG.end, Literal(5)))
        return {(MENTION, MLKG.start)}
    cases.append(end_before_start)

    def entity_with_two_types(g):
        g.add((BERT, RDF.type, MLKG.Technique))
        return {(BERT, None)}
    cases.append(entity_with_two_types)

    def result_without_metric(g):
        g.remove((RESULT, MLKG.metric, None))
        return {(RESULT, MLKG.metric)}
    cases.append(result_without_metric)

    def result_metric_is_dataset(g):
        g.set((RESULT, MLKG.metric, glue))
        return {(RESULT, MLKG.metric)}
    cases.append(result_metric_is_dataset)

    def paper_without_identifier(g):
        g.remove((PAPER, DCTERMS.identifier, None))
        return {(PAPER, DCTERMS.identifier)}
    cases.append(paper_without_identifier)

    def bad_sha256(g):
        g.set((RES["input/seeds-000"], MLKG.sha256, Literal("abc")))
        return {(RES["input/seeds-000"], MLKG.sha256)}
    cases.append(bad_sha256)

    return cases


@pytest.mark.parametrize("breakage", _more_broken(), ids=lambda f: f.__name__)
def test_more_broken_graphs(shapes, breakage):
    g = valid_graph()
    expected = breakage(g)
    conforms, report, text = shacl(g, shapes)
    assert not conforms
    assert violations(report) == expected, text


def test_untyped_entity_reference_is_caught(shapes):
    """An entity typed only mlkg:Entity (no subclass) does not satisfy the shapes."""
    g = valid_graph()
    g.remove((BERT, RDF.type, MLKG.Model))
    g.add((BERT, RDF.type, MLKG.Entity))
    conforms, report, text = shacl(g, shapes)
    assert not conforms
    assert (PAPER, MLKG.mentions) in violations(report), text


# ---------------------------------------------------------------------------
# the JSON-LD context
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def context() -> dict:
    doc = json.loads(CONTEXT.read_text(encoding="utf-8"))
    assert doc["@context"]["@version"] == 1.1
    return doc["@context"]


def _plain_json_doc(context: dict) -> dict:
    return {
        "@context": context,
        "@graph": [
            {"id": "res:paper/p1", "type": "Paper", "identifier": "p1", "title": "T",
             "mentions": ["res:model/bert", "res:dataset/glue"], "evaluatesOn": ["res:dataset/glue"],
             "reportsResult": ["res:result/r1"]},
            {"id": "res:model/bert", "type": "Model", "label": "BERT", "aliases": ["bert"]},
            {"id": "res:dataset/glue", "type": "Dataset", "label": "GLUE"},
            {"id": "res:result/r1", "type": "Result", "model": "res:model/bert",
             "dataset": "res:dataset/glue", "metric": "res:metric/acc", "value": "80.5"},
            {"id": "res:mention/m", "type": "Mention", "paper": "res:paper/p1",
             "entity": "res:model/bert", "surfaceForm": "BERT", "field": "title",
             "start": 0, "end": 4, "role": "uses"},
            {"id": "res:build", "type": "void:Dataset", "papers": 1, "created": "2025-01-01T00:00:00Z"},
        ],
    }


EXPECTED_FROM_JSON = PREFIXES + """
<paper/p1> a mlkg:Paper ; dcterms:identifier "p1" ; dcterms:title "T" ;
    mlkg:mentions <model/bert> , <dataset/glue> ; mlkg:evaluatesOn <dataset/glue> ;
    mlkg:reportsResult <result/r1> .
<model/bert> a mlkg:Model ; rdfs:label "BERT" ; skos:altLabel "bert" .
<dataset/glue> a mlkg:Dataset ; rdfs:label "GLUE" .
<result/r1> a mlkg:Result ; mlkg:model <model/bert> ; mlkg:dataset <dataset/glue> ;
    mlkg:metric <metric/acc> ; mlkg:value "80.5"^^xsd:decimal .
<mention/m> a mlkg:Mention ; mlkg:paper <paper/p1> ; mlkg:entity <model/bert> ;
    mlkg:surfaceForm "BERT" ; mlkg:field "title" ; mlkg:start 0 ; mlkg:end 4 ; mlkg:role "uses" .
<build> a void:Dataset ; mlkg:papers 1 ; dcterms:created "2025-01-01T00:00:00Z"^^xsd:dateTime .
"""


JSONLD_WARNING = "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"  # inside rdflib


@pytest.mark.filterwarnings(JSONLD_WARNING)
def test_context_reads_plain_json_with_rdflib(context):
    doc = _plain_json_doc(context)
    g = Graph().parse(data=json.dumps(doc), format="json-ld")
    assert isomorphic(g, Graph().parse(data=EXPECTED_FROM_JSON, format="turtle"))


def test_context_reads_plain_json_with_pyoxigraph(context):
    doc = _plain_json_doc(context)
    got = {str(q) for q in ox.parse(json.dumps(doc), format=ox.RdfFormat.JSON_LD)}
    want = {str(t) for t in ox.parse(EXPECTED_FROM_JSON, format=ox.RdfFormat.TURTLE)}
    assert got == want


@pytest.mark.filterwarnings(JSONLD_WARNING)
def test_context_compacts_the_graph_to_short_keys(context):
    g = valid_graph()
    out = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = {str(g.namespace_manager.expand_curie(n["id"]) if n["id"].startswith("res:")
                 else n["id"]): n for n in out["@graph"]}
    paper = nodes[str(PAPER)]
    assert paper["type"] == "Paper"
    assert paper["title"] == "BudgetBERT: cheap BERT"
    assert paper["source"] == ["seeds/000.txt:1", "seeds/001.txt:7"]
    assert str(BERT) in paper["mentions"] or "res:model/bert" in paper["mentions"]
    bert = nodes[str(BERT)]
    assert bert["label"] == "BERT" and sorted(bert["aliases"]) == ["BERT-base", "bert"]
    assert bert["paperCount"] == 1
    result = nodes[str(RESULT)]
    assert result["model"].endswith("model/budgetbert")
    assert Decimal(result["value"]) == Decimal("80.5")   # decimals stay exact strings
    mention = nodes[str(MENTION)]
    assert (mention["field"], mention["role"]) == ("abstract", "proposes")
    assert (mention["start"], mention["end"]) == (10, 20)   # integers are native JSON numbers
    # and it round-trips
    back = Graph().parse(data=json.dumps(out), format="json-ld")
    assert isomorphic(back, g)


def test_context_covers_the_vocabulary(context):
    expanded = set()
    for key, val in context.items():
        iri = val["@id"] if isinstance(val, dict) else val
        if not isinstance(iri, str) or key.startswith("@"):
            continue
        prefix, _, local = iri.partition(":")
        if prefix in context and isinstance(context[prefix], str) and not local.startswith("//"):
            iri = context[prefix] + local
        expanded.add(URIRef(iri))
    missing = set(VOCABULARY_CLASSES + VOCABULARY_PROPERTIES + EXTENSION_TERMS) - expanded
    assert not missing
