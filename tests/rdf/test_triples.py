"""The RDF of a build: evidence offsets, sub-property assertions, datatypes, strict
parsing, and byte-stable output."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, XSD

from kg import api
from kg.rdf.vocab import MLKG

CREATED = "<http://purl.org/dc/terms/created>"


@pytest.fixture(scope="module")
def rdf(fixture_build) -> Graph:
    _, out = fixture_build
    return Graph().parse(out / "graph.nt", format="nt")


def test_mention_surface_form_is_the_text_slice(rdf):
    mentions = list(rdf.subjects(RDF.type, MLKG.Mention))
    assert len(mentions) > 10
    for m in mentions:
        paper = rdf.value(m, MLKG.paper)
        field = str(rdf.value(m, MLKG.field))
        start, end = rdf.value(m, MLKG.start), rdf.value(m, MLKG.end)
        assert start.datatype == XSD.integer and end.datatype == XSD.integer
        prop = {"title": DCTERMS.title, "abstract": DCTERMS.abstract}[field]
        text = str(rdf.value(paper, prop))
        assert text[int(start):int(end)] == str(rdf.value(m, MLKG.surfaceForm)), m
        # the mention's entity is linked from its paper
        assert (paper, MLKG.mentions, rdf.value(m, MLKG.entity)) in rdf


def test_role_properties_are_also_mentions(rdf):
    seen = 0
    for prop in (MLKG.proposes, MLKG.evaluatesOn, MLKG.hasCode):
        pairs = list(rdf.subject_objects(prop))
        assert pairs, f"fixture graph has no {prop}"
        for s, o in pairs:
            seen += 1
            assert (s, MLKG.mentions, o) in rdf, (s, prop, o)
    assert seen >= 3


def test_role_properties_match_mention_roles(rdf):
    prop = {"proposes": MLKG.proposes, "evaluates_on": MLKG.evaluatesOn, "has_code": MLKG.hasCode}
    for m in rdf.subjects(RDF.type, MLKG.Mention):
        role = str(rdf.value(m, MLKG.role))
        if role in prop:
            assert (rdf.value(m, MLKG.paper), prop[role], rdf.value(m, MLKG.entity)) in rdf


def test_result_values_are_decimals(rdf):
    values = list(rdf.objects(None, MLKG.value))
    assert values
    for v in values:
        assert isinstance(v, Literal) and v.datatype == XSD.decimal, v
    assert Literal("81.5", datatype=XSD.decimal) in values


def test_counts_and_offsets_are_integers(rdf):
    for prop in (MLKG.start, MLKG.end, MLKG.paperCount):
        for v in rdf.objects(None, prop):
            assert v.datatype == XSD.integer


@pytest.mark.parametrize("name, fmt", [("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.ttl", ox.RdfFormat.TURTLE)])
def test_outputs_parse_strictly_in_oxigraph(fixture_build, name, fmt):
    summary, out = fixture_build
    triples = list(ox.parse(path=str(out / name), format=fmt))
    assert len(triples) == summary.triples


def test_nt_and_ttl_hold_the_same_graph(fixture_build):
    from rdflib.compare import isomorphic

    _, out = fixture_build
    assert isomorphic(Graph().parse(out / "graph.nt", format="nt"), Graph().parse(out / "graph.ttl"))


def _without_created(path: Path) -> list[bytes]:
    lines = path.read_bytes().splitlines(keepends=True)
    return [line for line in lines if b"dcterms:created" not in line and CREATED.encode() not in line]


def test_builds_are_byte_identical_except_created(tmp_path, corpus_dir):
    files = sorted(corpus_dir.iterdir())
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    api.build([str(f) for f in files], a, html=False, site=False)
    api.build([str(f) for f in files], b, html=False, site=False)
    api.build([str(f) for f in reversed(files)], c, html=False, site=False)
    base_nt = a / "graph.nt"
    created = [line for line in base_nt.read_bytes().splitlines() if CREATED.encode() in line]
    assert len(created) == 1
    for other in (b, c):
        assert _without_created(other / "graph.nt") == _without_created(base_nt), other
        assert _without_created(other / "graph.ttl") == _without_created(a / "graph.ttl"), other
        assert len(_without_created(other / "graph.ttl")) == len((a / "graph.ttl").read_bytes().splitlines()) - 1


def test_nt_is_distinct_and_grouped_by_subject(fixture_build):
    """Lines are distinct, and each subject's lines are consecutive and sorted (one block each)."""
    _, out = fixture_build
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))
    runs: dict[str, list[str]] = {}
    previous = None
    for line in lines:
        subject = line.split(" ", 1)[0]
        if subject != previous:
            assert subject not in runs, f"{subject} appears in two places"
            runs[subject] = []
        runs[subject].append(line)
        previous = subject
    assert all(run == sorted(run) for run in runs.values())


def test_awkward_text_round_trips(tmp_path):
    """Quotes, backslashes, tabs and non-ASCII in titles and abstracts survive both files."""
    title = 'Quote "Net" \\ Backslash: Ünïcödé 𝔹 Nets'  # (titles are whitespace-normalised)
    abstract = 'We propose QuoteNet, a "model" with a \\ and a\ttab; see 𝔹.'
    src = tmp_path / "in" / "p.jsonl"
    src.parent.mkdir()
    src.write_text('{"title": %s, "abstract": %s}\n' % (_json(title), _json(abstract)), encoding="utf-8")
    out = tmp_path / "out"
    api.build([src], out, html=False, site=False)
    for name, fmt in (("graph.nt", "nt"), ("graph.ttl", "turtle")):
        g = Graph().parse(out / name, format=fmt)
        assert set(map(str, g.objects(None, DCTERMS.title))) == {title}
        assert set(map(str, g.objects(None, DCTERMS.abstract))) == {abstract}
    ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)


def test_paper_url_that_is_not_an_iri_does_not_break_the_build(tmp_path):
    """A JSONL/CSV ``url`` with a space or ``<>`` must not crash the build or the RDF files."""
    src = tmp_path / "in" / "p.jsonl"
    src.parent.mkdir()
    src.write_text('{"title": "FooNet: Fast Nets", "abstract": "We propose FooNet, built on BERT.", '
                   '"url": "https://example.org/a b<c>"}\n', encoding="utf-8")
    out = tmp_path / "out"
    api.build([src], out, html=False, site=False)
    list(ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES))
    list(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))


def _json(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def test_copied_output_still_queries(tmp_path, fixture_build):
    """The graph directory is self-contained (queries read graph.nt only)."""
    _, out = fixture_build
    dst = tmp_path / "copy"
    shutil.copytree(out, dst)
    assert len(api.query("SELECT ?p WHERE { ?p a mlkg:Paper }", graph=dst)) == 5
