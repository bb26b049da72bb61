"""Links out and metric direction: ``owl:sameAs`` to Linked Papers With Code and ``mlkg:higherIsBetter``,
from the lexicon through resolution to graph.json, the triples, the SHACL shapes and the graph exports."""
from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, XSD

from kg import api
from kg.errors import ValidationError
from kg.extract.lexicon import Lexicon
from kg.formats import FORMATS
from kg.graph import build_graph
from kg.rdf.triples import entity_triples
from kg.rdf.vocab import MLKG, RES
from kg.records import Extraction, Mention, Paper

LPWC_FOONORM = "https://linkedpaperswithcode.com/method/foonorm"
LEXICON = Lexicon.from_entries([
    {"type": "Technique", "name": "FooNorm", "aliases": ["Foo Normalization"], "same_as": [LPWC_FOONORM]},
    {"type": "Metric", "name": "word error rate", "aliases": ["WER"], "higher_is_better": False},
    {"type": "Metric", "name": "BLEU", "aliases": [], "higher_is_better": True},
])
PAPER = Paper("p1", "FooNorm for speech", "We add Foo Normalization: WER drops, BLEU rises, SpeedScore too.")


def _mention(surface: str, type_: str) -> Mention:
    start = PAPER.abstract.index(surface)
    return Mention("p1", "abstract", start, start + len(surface), surface, type_)


@pytest.fixture(scope="module")
def cg():
    ex = Extraction("p1", tuple(_mention(s, t) for s, t in [
        ("Foo Normalization", "Technique"), ("WER", "Metric"), ("BLEU", "Metric"), ("SpeedScore", "Metric")]))
    return build_graph([PAPER], [ex], LEXICON)


def test_graph_json_attributes(cg):
    g = cg.graph
    assert g.nodes["technique/foonorm"]["same_as"] == [LPWC_FOONORM]
    assert "higher_is_better" not in g.nodes["technique/foonorm"]  # not a metric
    assert g.nodes["metric/word-error-rate"]["higher_is_better"] is False
    assert g.nodes["metric/bleu"]["higher_is_better"] is True
    assert g.nodes["metric/speedscore"]["higher_is_better"] is None  # a metric the lexicon does not know
    assert not any("same_as" in g.nodes[n] for n in ("metric/bleu", "metric/speedscore", "paper/p1"))


def test_entity_triples(cg):
    foo = entity_triples(cg, "technique/foonorm")
    assert f"<{RES}technique/foonorm> <{OWL.sameAs}> <{LPWC_FOONORM}> ." in foo
    assert not [t for t in foo if str(MLKG.higherIsBetter) in t]
    wer = entity_triples(cg, "metric/word-error-rate")
    assert f'<{RES}metric/word-error-rate> <{MLKG.higherIsBetter}> "false"^^<{XSD.boolean}> .' in wer
    assert f'<{RES}metric/bleu> <{MLKG.higherIsBetter}> "true"^^<{XSD.boolean}> .' in entity_triples(cg, "metric/bleu")
    unknown = entity_triples(cg, "metric/speedscore")
    assert not [t for t in unknown if str(MLKG.higherIsBetter) in t or str(OWL.sameAs) in t]
    parsed = Graph().parse(data="\n".join(foo + wer), format="nt")
    assert parsed.value(URIRef(f"{RES}metric/word-error-rate"), MLKG.higherIsBetter) == Literal(False)


@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_graph_formats_keep_links_and_unknown_directions(tmp_path, cg, name):
    fmt = FORMATS[name]
    nodes = ("technique/foonorm", "metric/word-error-rate", "metric/speedscore")
    fmt.write(cg.graph.subgraph(nodes).copy(), tmp_path / f"g{fmt.suffix}")  # the entities only
    back = fmt.read(tmp_path / f"g{fmt.suffix}")
    for node in nodes:
        assert dict(back.nodes[node]) == cg.graph.nodes[node], node


def test_fixture_build_links_out_and_conforms(fixture_build):
    _, out = fixture_build
    g = Graph().parse(out / "graph.nt", format="nt")
    assert (URIRef(f"{RES}model/bert"), OWL.sameAs, URIRef("https://linkedpaperswithcode.com/method/bert")) in g
    metrics = set(g.subjects(None, MLKG.Metric))
    directions = dict(g.subject_objects(MLKG.higherIsBetter))
    assert metrics and set(directions) <= metrics
    assert directions[URIRef(f"{RES}metric/top-1-accuracy")] == Literal(True)
    assert api.validate(out).conforms


def test_shapes_check_links_and_directions(fixture_build, tmp_path):
    _, out = fixture_build
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    (broken / "graph.ttl").unlink(missing_ok=True)
    boolean = f"<{XSD.boolean}>"
    bad = [f'<{RES}model/bert> <{MLKG.higherIsBetter}> "true"^^{boolean} .',         # not a metric
           f'<{RES}metric/top-1-accuracy> <{MLKG.higherIsBetter}> "false"^^{boolean} .',  # a second value
           f'<{RES}model/t5> <{OWL.sameAs}> "https://linkedpaperswithcode.com/method/t5" .']  # not an IRI
    with (broken / "graph.nt").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(bad) + "\n")
    with pytest.raises(ValidationError) as info:
        api.validate(broken)
    found = {(v.focus, v.path) for v in info.value.report.results}
    assert found == {("res:model/bert", None), ("res:metric/top-1-accuracy", "mlkg:higherIsBetter"),
                     ("res:model/t5", "owl:sameAs")}
