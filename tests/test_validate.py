"""``kg validate``: pySHACL with ontology/shapes.ttl over a built graph."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg import api
from kg.cli import main
from kg.errors import GraphNotFoundError, ValidationError
from kg.rdf.ontology import ontology_file
from kg.shacl import PreparedQueryGraph, validate_graph

ROOT = Path(__file__).resolve().parents[1]
MLKG = "https://w3id.org/mlkg/ontology#"
RES = "https://w3id.org/mlkg/resource/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@pytest.fixture(scope="module")
def seeds_graph(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("validate") / "seeds"
    api.build([str(ROOT / "seeds")], out, html=False, site=False)
    return out


def test_seeds_graph_conforms(seeds_graph):
    report = api.validate(seeds_graph)
    assert report.conforms and report.results == []
    assert report.triples > 10_000
    assert "conforms to shapes.ttl" in str(report)
    result = CliRunner().invoke(main, ["validate", "--graph", str(seeds_graph)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def _break(src: Path, dst: Path) -> dict:
    """Copy the graph of ``src`` to ``dst`` with known violations; returns what was broken."""
    shutil.copytree(src, dst)
    nt = dst / "graph.nt"
    lines = nt.read_text(encoding="utf-8").splitlines()
    papers = sorted({ln.split()[0] for ln in lines if ln.endswith(f"{RDF_TYPE} <{MLKG}Paper> .")})
    untitled = papers[0]
    lines = [ln for ln in lines if not (ln.startswith(untitled + " ") and "<http://purl.org/dc/terms/title>" in ln)]
    ghost = f"<{RES}model/not-mentioned>"
    lines += [f"{papers[1]} <{MLKG}proposes> {ghost} .",
              f'{ghost} {RDF_TYPE} <{MLKG}Model> .',
              f'{ghost} <http://www.w3.org/2000/01/rdf-schema#label> "Ghost" .']
    nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (dst / "graph.ttl").unlink(missing_ok=True)
    return {"untitled": untitled, "proposer": papers[1], "ghost": ghost}


def _short(iri: str) -> str:
    return "res:" + iri.strip("<>")[len(RES):]


def test_broken_graph_reports_the_violations(fixture_build, tmp_path):
    _, out = fixture_build
    broken = _break(out, tmp_path / "broken")
    with pytest.raises(ValidationError) as info:
        api.validate(tmp_path / "broken")
    report = info.value.report
    assert not report.conforms
    text = str(info.value)
    assert "does not conform to shapes.ttl: 2 results (2 Violation) in 2 groups" in text
    # focus node, path and message of each violation
    title = [v for v in report.results if v.path == "dcterms:title"]
    assert [v.focus for v in title] == [_short(broken["untitled"])]
    assert "exactly one non-empty dcterms:title" in title[0].message
    ghost = [v for v in report.results if v.path == "mlkg:proposes"]
    assert [(v.focus, v.value) for v in ghost] == [(_short(broken["proposer"]), _short(broken["ghost"]))]
    assert "is not also asserted with mlkg:mentions" in ghost[0].message
    for v in report.results:
        assert f"[Violation] {v.path}: {v.message}  (1×)" in text
        assert v.focus in text

    result = CliRunner().invoke(main, ["validate", "--graph", str(tmp_path / "broken")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "does not conform" in result.output
    assert _short(broken["proposer"]) in result.output


def test_groups_are_counted_and_limited(fixture_build, tmp_path):
    _, out = fixture_build
    shutil.copytree(out, tmp_path / "g")
    nt = tmp_path / "g" / "graph.nt"
    lines = nt.read_text(encoding="utf-8").splitlines()
    lines = [ln for ln in lines if "<http://purl.org/dc/terms/title>" not in ln]  # every paper
    lines.append(f'<{RES}x> {RDF_TYPE} <{MLKG}Task> .')  # an entity without a label
    nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate_graph(tmp_path / "g")
    papers = sum(1 for ln in lines if ln.endswith(f"{RDF_TYPE} <{MLKG}Paper> ."))
    (key, biggest), *_ = report.groups()
    assert key[1] == "dcterms:title" and len(biggest) == papers > 3
    text = report.text(limit=1, examples=2)
    assert f"({papers}×)" in text and f"… and {papers - 2} more" in text
    assert "… and 1 more groups (1 results)" in text
    assert "res:x" not in text


def test_prepared_queries_give_pyshacls_answers(fixture_build, tmp_path):
    """The query-caching data graph changes speed only: same results as a plain rdflib Graph."""
    from pyshacl import validate

    _, out = fixture_build
    _break(out, tmp_path / "b")
    shapes = Graph().parse(ontology_file("shapes.ttl"))
    reports = []
    for cls in (Graph, PreparedQueryGraph):
        g = cls()
        g.parse(tmp_path / "b" / "graph.nt", format="nt")
        conforms, report, text = validate(g, shacl_graph=shapes, inference="none")
        reports.append((conforms, text.count("Constraint Violation"), sorted(text.splitlines())))
    assert reports[0] == reports[1]
    assert reports[0][0] is False


def test_turtle_file_and_missing_graph(fixture_build, tmp_path):
    _, out = fixture_build
    assert api.validate(out / "graph.ttl").conforms
    with pytest.raises(GraphNotFoundError, match="kg build"):
        api.validate(tmp_path / "nothing")
    result = CliRunner().invoke(main, ["validate", "--graph", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "Error: no built graph" in result.output
