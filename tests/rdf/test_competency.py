"""The competency questions of VOCABULARY.md, answered by the shipped queries on the seeds.

The seeds are built once for the module; every query in ``kg/queries/*.rq`` must give a
non-empty, sensible answer, and the seeds graph must conform to ``ontology/shapes.ttl``.
"""
from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph

import kg
from kg.sparql import named_queries

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SHAPES = ROOT / "ontology" / "shapes.ttl"


@pytest.fixture(scope="module")
def seeds_graph(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds-build") / "out"
    summary = kg.build([str(SEEDS)], out, html=False, site=False)
    assert summary.papers == 376
    return out


def q(name, graph):
    return kg.query(name, graph=graph)


def test_every_shipped_query_is_covered():
    assert set(named_queries()) == {"based-on-longformer", "leaderboard", "models-on-dataset", "paper-evidence",
                                    "papers-on-glue", "repos-of-imagenet-models", "results-for-dataset",
                                    "top-datasets"}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_shipped_query_answers(seeds_graph, name):
    result = q(name, seeds_graph)
    assert result.columns
    assert len(result) > 0, f"{name} gave no rows on the seeds"


def test_top_datasets(seeds_graph):
    r = q("top-datasets", seeds_graph)
    assert r.columns == ["dataset", "papers"]
    assert 0 < len(r) <= 20
    counts = [int(n) for _, n in r.rows]
    assert counts == sorted(counts, reverse=True)
    names = [d for d, _ in r.rows]
    assert len(set(names)) == len(names)
    assert "ImageNet" in names and "GLUE" in names
    assert r.rows[0][0] == "ImageNet"


def test_paper_count_is_the_number_of_mentioning_papers(seeds_graph):
    """top-datasets reads mlkg:paperCount; it must equal COUNT(DISTINCT ?paper) over mlkg:mentions."""
    stored = dict(q("SELECT ?d ?n WHERE { ?d a mlkg:Dataset ; mlkg:paperCount ?n }", seeds_graph).rows)
    counted = dict(q("SELECT ?d (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d a mlkg:Dataset . ?p mlkg:mentions ?d } "
                     "GROUP BY ?d", seeds_graph).rows)
    assert stored and stored == counted


def test_papers_on_glue(seeds_graph):
    r = q("papers-on-glue", seeds_graph)
    assert r.columns == ["title", "proposed"]
    assert len(r) >= 3
    electra = [p for t, p in r.rows if t.startswith("ELECTRA:")]
    assert electra and "ELECTRA" in (electra[0] or "")


def test_repos_of_imagenet_models(seeds_graph):
    r = q("repos-of-imagenet-models", seeds_graph)
    assert r.columns == ["repo", "model", "title"]
    assert len(r) > 0
    for repo, model, title in r.rows:
        assert repo.startswith("https://github.com/"), repo
        assert repo.count("/") == 4 and not repo.endswith((".git", "/", ".")), repo
        assert model and title


def test_based_on_longformer_on_seeds(seeds_graph):
    models = [m for (m,) in q("based-on-longformer", seeds_graph).rows]
    assert "BudgetLongformer" in models
    assert "Longformer" not in models


def test_based_on_longformer_is_transitive(tmp_path):
    """A basedOn B basedOn Longformer: both A and B are found; C (unrelated) is not."""
    res, mlkg = "https://w3id.org/mlkg/resource/", "https://w3id.org/mlkg/ontology#"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    lines = []
    for node, name in (("a", "ModelA"), ("b", "ModelB"), ("c", "ModelC"), ("lf", "Longformer")):
        lines.append(f'<{res}model/{node}> <{label}> "{name}" .')
        lines.append(f"<{res}model/{node}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{mlkg}Model> .")
    lines.append(f"<{res}model/a> <{mlkg}basedOn> <{res}model/b> .")
    lines.append(f"<{res}model/b> <{mlkg}basedOn> <{res}model/lf> .")
    lines.append(f"<{res}model/c> <{mlkg}basedOn> <{res}model/a> .")
    (tmp_path / "graph.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [m for (m,) in q("based-on-longformer", tmp_path).rows] == ["ModelA", "ModelB", "ModelC"]
    (tmp_path / "graph.nt").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert [m for (m,) in q("based-on-longformer", tmp_path / "graph.nt").rows] == ["ModelA", "ModelB"]


def test_results_for_dataset(seeds_graph):
    r = q("results-for-dataset", seeds_graph)
    assert r.columns == ["model", "metric", "value", "dataset"]
    assert len(r) > 0
    for model, metric, value, dataset in r.rows:
        assert dataset.lower().startswith("imagenet")
        Decimal(value)  # a number
        assert model and metric


def test_results_for_a_bound_dataset(seeds_graph):
    r = kg.query("results-for-dataset", graph=seeds_graph, bind={"dataset": "COCO"})
    assert r.columns == ["model", "metric", "value", "dataset"]
    assert r.rows and all(dataset.lower().startswith("coco") for *_, dataset in r.rows)
    assert kg.query("results-for-dataset", graph=seeds_graph, bind={"dataset": "no such set"}).rows == []


def test_papers_on_a_bound_dataset_by_alias_in_any_case(seeds_graph):
    by_alias = kg.query("papers-on-glue", graph=seeds_graph,
                        bind={"dataset": "general language understanding EVALUATION"})
    assert by_alias.rows == q("papers-on-glue", seeds_graph).rows


def test_leaderboard(seeds_graph):
    r = q("leaderboard", seeds_graph)
    assert r.columns == ["model", "value", "paper", "code"]
    values = [Decimal(v) for _, v, _, _ in r.rows]
    assert len(values) >= 3 and values == sorted(values, reverse=True)  # top-1 accuracy: higher is better
    assert len({(m, v, p) for m, v, p, _ in r.rows}) == len(r.rows)
    assert any(code and code.startswith("https://github.com/") for *_, code in r.rows)


def test_models_on_dataset(seeds_graph):
    r = q("models-on-dataset", seeds_graph)
    assert r.columns == ["model", "papers", "proposing"]
    counts = [(int(n), int(p)) for _, n, p in r.rows]
    assert counts == sorted(counts, reverse=True) and all(0 <= p <= n for n, p in counts)
    assert "ViT" in [m for m, _, _ in r.rows]


def test_paper_evidence(seeds_graph):
    r = q("paper-evidence", seeds_graph)
    assert r.columns == ["entity", "type", "role", "field", "start", "end", "surface"]
    types = {"Model", "Dataset", "Technique", "Task", "Metric", "Repository"}
    for entity, type_, role, field, start, end, surface in r.rows:
        assert type_ in types and role in ("proposes", "evaluates_on", "has_code", "uses")
        assert field in ("title", "abstract") and int(end) - int(start) == len(surface)
    assert ["ELECTRA", "Model", "proposes"] in [row[:3] for row in r.rows]
    assert ("GLUE", "Dataset", "evaluates_on") in {tuple(row[:3]) for row in r.rows}


@pytest.fixture
def fast_rdflib_sparql(monkeypatch):
    """pySHACL re-parses each SPARQL constraint once per focus node (~8,900 parses on the
    seeds, minutes of pyparsing).  Cache the parsed and translated query by its text; the
    evaluation itself is unchanged."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    @functools.lru_cache(maxsize=None)
    def prepared(text, base, ns):
        return translateQuery(parseQuery(text), base, dict(ns))

    original = processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            strOrQuery = prepared(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    monkeypatch.setattr(processor.SPARQLProcessor, "query", query)


def test_seeds_graph_conforms_to_the_shapes(seeds_graph, fast_rdflib_sparql):
    from pyshacl import validate

    data = Graph().parse(seeds_graph / "graph.ttl", format="turtle")
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none")
    if not conforms:
        print(text)
    assert conforms, text[:4000]
