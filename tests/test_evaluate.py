"""``kg.evaluate``: P/R/F1 of a hand-made graph against hand-made gold, counted by hand."""
from __future__ import annotations

import json

import networkx as nx
import pytest

from kg import api
from kg.errors import InputError, InputWarning
from kg.scoring import evaluate_graph, prf, read_gold
from kg.formats.networkx_formats import write_json


def paper(g, pid, title):
    g.add_node(f"paper/{pid}", kind="Paper", label=title, title=title, abstract="", url="",
               sources=[], paper_count=1)


def entity(g, nid, kind, label, aliases=()):
    g.add_node(nid, kind=kind, label=label, aliases=list(aliases), paper_count=1)


def mention(g, pid, nid, role):
    g.add_edge(f"paper/{pid}", nid, kind="mentions", role=role, field="abstract", start=0, end=1, surface="x")


def make_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    paper(g, "p1", "FooNet: Fast Nets")
    paper(g, "p2", "A Paper Nobody Annotated")
    entity(g, "model/foonet", "Model", "FooNet")
    entity(g, "model/bert", "Model", "BERT", ["BERT-base"])
    entity(g, "dataset/imagenet", "Dataset", "ImageNet", ["ILSVRC"])
    entity(g, "technique/dropout", "Technique", "dropout")
    entity(g, "metric/accuracy", "Metric", "accuracy")
    entity(g, "repository/github-com-acme-foonet", "Repository", "https://github.com/acme/foonet")
    mention(g, "p1", "model/foonet", "proposes")
    mention(g, "p1", "model/foonet", "uses")  # a weaker second mention: the strongest role counts
    mention(g, "p1", "model/bert", "uses")
    mention(g, "p1", "dataset/imagenet", "evaluates_on")
    mention(g, "p1", "technique/dropout", "uses")
    mention(g, "p1", "metric/accuracy", "uses")
    mention(g, "p1", "repository/github-com-acme-foonet", "has_code")
    mention(g, "p2", "model/bert", "uses")
    g.add_edge("model/foonet", "model/bert", kind="based_on", paper="paper/p1")
    g.add_node("result/r1", kind="Result", label="accuracy 81.5", value=81.5, metric="accuracy", dataset="ImageNet")
    g.add_edge("paper/p1", "result/r1", kind="reports")
    g.add_edge("result/r1", "model/foonet", kind="model")
    g.add_edge("result/r1", "metric/accuracy", kind="metric")
    g.add_edge("result/r1", "dataset/imagenet", kind="dataset")
    return g


GOLD = [
    {"id": "p1", "title": "  foonet:   FAST nets ",  # matched by normalised title
     "entities": [
         {"type": "Model", "name": "FooNet", "aliases": [], "role": "proposes"},
         {"type": "Model", "name": "bert-base", "aliases": [], "role": "uses"},        # pred alias
         {"type": "Dataset", "name": "Image Net", "aliases": ["ILSVRC"], "role": "uses"},  # role differs
         {"type": "Metric", "name": "Accuracy", "aliases": [], "role": "uses"},
         {"type": "Repository", "name": "http://www.github.com/acme/foonet", "aliases": [], "role": "has_code"},
         {"type": "Task", "name": "image classification", "aliases": [], "role": "uses"},  # missed
     ],
     "based_on": [["FooNet", "BERT"]],
     "results": [{"model": "FooNet", "dataset": "ImageNet", "metric": "accuracy", "value": 81.5},
                 {"model": "FooNet", "dataset": "ImageNet", "metric": "accuracy", "value": 80.0}]},
    {"id": "p9", "title": "Missing Paper",
     "entities": [{"type": "Model", "name": "X", "aliases": [], "role": "uses"},
                  {"type": "Dataset", "name": "Y", "aliases": [], "role": "evaluates_on"}]},
]

EXPECTED = {  # row: (tp, pred, gold, P, R, F1)
    "Model": (2, 2, 3, 1.0, 0.667, 0.8),
    "Dataset": (1, 1, 2, 1.0, 0.5, 0.667),
    "Technique": (0, 1, 0, 0.0, 0.0, 0.0),
    "Task": (0, 0, 1, 0.0, 0.0, 0.0),
    "Metric": (1, 1, 1, 1.0, 1.0, 1.0),
    "Repository": (1, 1, 1, 1.0, 1.0, 1.0),
    "micro": (5, 6, 8, 0.833, 0.625, 0.714),
    "role:proposes": (1, 1, 1, 1.0, 1.0, 1.0),
    "role:evaluates_on": (0, 1, 1, 0.0, 0.0, 0.0),
    "role:has_code": (1, 1, 1, 1.0, 1.0, 1.0),
    "role:uses": (2, 3, 5, 0.667, 0.4, 0.5),
    "based_on": (1, 1, 1, 1.0, 1.0, 1.0),
    "results": (1, 1, 2, 1.0, 0.5, 0.667),
}


def test_prf():
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert prf(1, 2, 4) == (0.5, 0.25, 0.333)
    assert prf(3, 3, 3) == (1.0, 1.0, 1.0)


def test_exact_figures():
    ev = evaluate_graph(GOLD, make_graph())
    assert ev.papers == 1 and ev.missing == ["Missing Paper"]
    got = {row: (s.tp, s.pred, s.gold, *s.figures) for row, s in ev.scores.items()}
    assert got == EXPECTED
    d = ev.as_dict()
    assert d["micro"] == {"precision": 0.833, "recall": 0.625, "f1": 0.714, "tp": 5, "pred": 6, "gold": 8}
    assert ev.f1("Model") == 0.8


def test_table_lists_every_row():
    table = evaluate_graph(GOLD, make_graph()).table()
    for row in EXPECTED:
        assert any(line.startswith(row) for line in table.splitlines()), row
    assert table.splitlines()[-1] == "papers matched: 1; missing from the graph: 1"


def test_aliases_match_both_ways():
    g = make_graph()
    gold = [{"title": "FooNet: Fast Nets", "entities": [
        {"type": "Model", "name": "Bidirectional Encoder", "aliases": ["BERT"], "role": "uses"},  # gold alias
        {"type": "Dataset", "name": "ilsvrc", "role": "evaluates_on"},                             # pred alias
    ]}]
    ev = evaluate_graph(gold, g)
    assert ev.scores["micro"].tp == 2
    assert ev.scores["role:evaluates_on"].tp == 1


def test_type_must_agree():
    gold = [{"title": "FooNet: Fast Nets", "entities": [{"type": "Technique", "name": "FooNet", "role": "proposes"}]}]
    ev = evaluate_graph(gold, make_graph())
    assert ev.scores["micro"].tp == 0 and ev.scores["Technique"].gold == 1


def test_each_gold_entity_matches_at_most_one_prediction():
    g = make_graph()
    entity(g, "model/bert-2", "Model", "Bert")  # a duplicate node the resolver failed to merge
    mention(g, "p1", "model/bert-2", "uses")
    gold = [{"title": "FooNet: Fast Nets", "entities": [{"type": "Model", "name": "BERT", "role": "uses"}]}]
    s = evaluate_graph(gold, g).scores["Model"]
    assert (s.tp, s.pred, s.gold) == (1, 3, 1)


def test_each_prediction_matches_at_most_one_gold_entity():
    gold = [{"title": "FooNet: Fast Nets", "entities": [
        {"type": "Model", "name": "BERT", "role": "uses"},
        {"type": "Model", "name": "BERT-base", "role": "uses"}]}]
    s = evaluate_graph(gold, make_graph()).scores["Model"]
    assert (s.tp, s.pred, s.gold) == (1, 2, 2)


def test_score_does_not_depend_on_gold_entity_order():
    """Gold A (aka B) and gold B; predictions A-node and B-node.  A maximum matching pairs both;
    a greedy first-fit that gives gold "A aka B" the B-node leaves gold B unmatched."""
    g = nx.MultiDiGraph()
    paper(g, "p", "P")
    entity(g, "model/a", "Model", "Bee")  # node ids order the predictions: the Bee node comes first
    entity(g, "model/b", "Model", "Ay")
    mention(g, "p", "model/a", "uses")
    mention(g, "p", "model/b", "uses")
    ents = [{"type": "Model", "name": "Ay", "aliases": ["Bee"], "role": "uses"},
            {"type": "Model", "name": "Bee", "role": "uses"}]
    forward = evaluate_graph([{"title": "P", "entities": ents}], g).scores["micro"].tp
    backward = evaluate_graph([{"title": "P", "entities": ents[::-1]}], g).scores["micro"].tp
    assert forward == backward == 2


def test_read_gold_skips_bad_lines(tmp_path, warned):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n\n{broken\n" + json.dumps({"title": "no entities"}) + "\n")
    with pytest.warns(InputWarning) as rec:
        gold = read_gold(path)
    assert len(gold) == 1
    warned(rec, path, 3)
    warned(rec, path, 4)


def test_read_gold_without_records_raises(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n")
    with pytest.raises(InputError):
        read_gold(path)


def test_api_evaluate_on_a_graph_dir(tmp_path):
    write_json(make_graph(), tmp_path / "graph.json")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in GOLD))
    ev = api.evaluate(gold, tmp_path)
    assert {row: (s.tp, s.pred, s.gold) for row, s in ev.scores.items()} == {
        row: v[:3] for row, v in EXPECTED.items()}
