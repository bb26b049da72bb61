"""Query parameters: ``# param:`` lines, ``kg query NAME --bind KEY=VALUE``, ``kg.query(bind=)``, ``--list``.

Most cases run on a five-triple N-Triples file; the shipped queries' defaults are checked
against the seeds in ``tests/rdf/test_competency.py``.
"""
from __future__ import annotations

import json
import warnings

import pyoxigraph
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import QueryError, UnknownParameterError
from kg.named_queries import catalogue_text, parse_params, query_catalogue, substitutions, to_term

RES, MLKG = "https://w3id.org/mlkg/resource/", "https://w3id.org/mlkg/ontology#"
LABEL, ALT = "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HOSTILE = ['x" } ?s ?p ?o {', "COCO\" . } UNION { ?s ?p ?o", "a\nb } #", "<bad iri>x", "\\u0022 }"]
NAMED = """# Datasets by name.
# param: dataset ?wanted = "coco" — a dataset's name or alias, any case
SELECT ?label ?wanted WHERE {
  ?d a mlkg:Dataset ; rdfs:label ?label ; rdfs:label|skos:altLabel ?n .
  FILTER(LCASE(STR(?n)) = LCASE(STR(?wanted)))
}"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A graph file with two datasets, COCO (alias MS-COCO) and GLUE."""
    path = tmp_path_factory.mktemp("params") / "graph.nt"
    lines = [f"<{RES}dataset/coco> <{TYPE}> <{MLKG}Dataset> .", f'<{RES}dataset/coco> <{LABEL}> "COCO" .',
             f'<{RES}dataset/coco> <{ALT}> "MS-COCO" .', f"<{RES}dataset/glue> <{TYPE}> <{MLKG}Dataset> .",
             f'<{RES}dataset/glue> <{LABEL}> "GLUE" .']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(*args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return CliRunner().invoke(main, [str(a) for a in args])


# --- declarations ----------------------------------------------------------------------------

def test_parse_params_reads_name_variable_default_and_description():
    text = ('# param: dataset = "ImageNet" — the name\n# param: model ?base = "A \\"B\\"" -- quoted\n'
            "# param: node = <https://example.org/n>\nSELECT * {}")
    (d, m, n) = parse_params(text)
    assert (d.name, d.variable, d.default, d.description) == ("dataset", "dataset", pyoxigraph.Literal("ImageNet"),
                                                             "the name")
    assert (m.name, m.variable, m.default.value, m.description) == ("model", "base", 'A "B"', "quoted")
    assert n.default == pyoxigraph.NamedNode("https://example.org/n") and n.description == ""
    assert str(d) == 'dataset = "ImageNet"'


@pytest.mark.parametrize("line", ["# param: dataset ImageNet", "# param: 1x = \"a\"", "# param: d = 'a'",
                                  '# param: d = "a\\q"'])
def test_a_param_line_that_does_not_parse_is_an_error(line):
    with pytest.raises(QueryError, match="cannot read the parameter line"):
        parse_params(line + "\nSELECT * {}")


def test_every_shipped_query_declares_readable_params():
    catalogue = query_catalogue()
    assert {p.name for p in catalogue["leaderboard"][1]} == {"dataset", "metric"}
    assert [p.name for p in catalogue["results-for-dataset"][1]] == ["dataset"]
    assert catalogue["top-datasets"][1] == []
    for name, (about, params) in catalogue.items():
        assert about and all(p.description for p in params), name


# --- values ------------------------------------------------------------------------------------

def test_values_bind_as_literals_and_iris():
    assert to_term("COCO") == pyoxigraph.Literal("COCO")
    assert to_term("<https://w3id.org/x>") == pyoxigraph.NamedNode("https://w3id.org/x")
    assert to_term("<>") == pyoxigraph.Literal("<>")
    with pytest.raises(QueryError, match="not an IRI"):
        to_term("<not an iri>")


def test_substitutions_defaults_overrides_and_hidden_columns():
    assert substitutions(NAMED) == ({"wanted": pyoxigraph.Literal("coco")}, ["wanted"])
    assert substitutions(NAMED, {"dataset": "GLUE"})[0] == {"wanted": pyoxigraph.Literal("GLUE")}
    assert substitutions("SELECT ?x {}", {"x": "1"}) == ({"x": pyoxigraph.Literal("1")}, [])


def test_an_unknown_key_is_an_error_listing_the_parameters():
    with pytest.raises(UnknownParameterError, match=r"no parameter 'wanted'; its parameters: dataset = \"coco\""):
        substitutions(NAMED, {"wanted": "GLUE"})
    with pytest.raises(UnknownParameterError, match="no parameters"):
        substitutions("SELECT ?x {}", {"x": "1"}, declared_only=True)
    with pytest.raises(UnknownParameterError, match="not a SPARQL variable name"):
        substitutions("SELECT ?x {}", {"x y": "1"})
    assert issubclass(UnknownParameterError, QueryError)


# --- running -----------------------------------------------------------------------------------

@pytest.mark.parametrize("timeout", [0, 10])  # in this process, and in a worker
def test_a_declared_query_matches_by_name_or_alias_in_any_case(tiny, timeout):
    assert kg.query(NAMED, graph=tiny, timeout=timeout).rows == [["COCO"]]
    result = kg.query(NAMED, graph=tiny, timeout=timeout, bind={"dataset": "ms-coco"})
    assert result.columns == ["label"] and result.rows == [["COCO"]]
    assert kg.query(NAMED, graph=tiny, timeout=timeout, bind={"dataset": "Glue"}).rows == [["GLUE"]]


@pytest.mark.parametrize("timeout", [0, 10])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_do_not_change_the_query(tiny, timeout, value):
    assert kg.query(NAMED, graph=tiny, timeout=timeout, bind={"dataset": value}).rows == []
    raw = "SELECT ?d ?x WHERE { ?d rdfs:label ?x }"
    assert kg.query(raw, graph=tiny, timeout=timeout, bind={"x": value}).rows == []


def test_bind_on_raw_sparql_binds_the_variable(tiny):
    raw = "SELECT ?d ?name WHERE { ?d rdfs:label|skos:altLabel ?name }"
    result = kg.query(raw, graph=tiny, bind={"name": "MS-COCO"})
    assert result.columns == ["d", "name"] and result.rows == [[f"{RES}dataset/coco", "MS-COCO"]]
    iri = f"<{RES}dataset/glue>"
    assert kg.query(raw, graph=tiny, bind={"d": iri}).rows == [[f"{RES}dataset/glue", "GLUE"]]
    assert kg.query("ASK { ?d rdfs:label ?l }", graph=tiny, bind={"l": "GLUE"}).boolean is True


def test_binding_a_variable_the_query_does_not_select_is_an_error(tiny):
    with pytest.raises(QueryError, match=r"cannot bind a value: .*\?l.*SELECT clause"):
        kg.query("SELECT ?d WHERE { ?d rdfs:label ?l }", graph=tiny, bind={"l": "GLUE"})


def test_a_shipped_query_with_a_bound_dataset(tiny):
    assert kg.query("papers-on-glue", graph=tiny, bind={"dataset": "COCO"}).columns == ["title", "proposed"]
    with pytest.raises(UnknownParameterError, match=r"its parameters: dataset = \"GLUE\""):
        kg.query("papers-on-glue", graph=tiny, bind={"datset": "COCO"})
    with pytest.raises(UnknownParameterError, match="no parameters"):
        kg.query("top-datasets", graph=tiny, bind={"dataset": "COCO"})


# --- the CLI -----------------------------------------------------------------------------------

def test_cli_list_shows_each_parameter_with_its_default():
    result = cli("query", "--list")
    assert result.exit_code == 0 and result.stdout.strip() == catalogue_text()
    lines = result.stdout.splitlines()
    at = lines.index(next(ln for ln in lines if ln.startswith("leaderboard ")))
    assert lines[at + 1].split()[:3] == ["dataset", "=", '"ImageNet-1K"']
    assert lines[at + 2].split()[:2] == ["metric", "="] and "name or alias" in lines[at + 2]


def test_cli_bind_is_repeatable_and_binds_literals(tiny):
    raw = "SELECT ?d ?x ?y WHERE { ?d rdfs:label ?x . ?d skos:altLabel ?y }"
    result = cli("query", raw, "--graph", tiny, "--bind", "x=COCO", "--bind", "y=MS-COCO", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["results"]["bindings"]
    assert row["d"]["value"] == f"{RES}dataset/coco" and row["y"] == {"type": "literal", "value": "MS-COCO"}
    hostile = cli("query", NAMED, "--graph", tiny, "--bind", f"dataset={HOSTILE[0]}", "--format", "csv")
    assert hostile.exit_code == 0 and hostile.stdout.strip() == "label"


def test_cli_bind_errors(tiny):
    result = cli("query", "papers-on-glue", "--graph", tiny, "--bind", "data=COCO")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the query has no parameter 'data'; its parameters: dataset")
    malformed = cli("query", "papers-on-glue", "--graph", tiny, "--bind", "COCO")
    assert malformed.exit_code == 2 and "KEY=VALUE" in malformed.stderr
