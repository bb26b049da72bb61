"""Leaderboards: the shipped ``leaderboard`` query, ``kg.leaderboard`` and ``kg leaderboard``.

The ranking cases run on a hand-written N-Triples graph (one dataset, three metrics: higher
is better, lower is better, direction unknown); the end-to-end case builds three papers.
"""
from __future__ import annotations

import csv
import io
import warnings

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import LookupFailed
from kg.ranking import Leaderboard

RES, MLKG = "https://w3id.org/mlkg/resource/", "https://w3id.org/mlkg/ontology#"
LABEL, ALT = "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel"
TYPE, TITLE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://purl.org/dc/terms/title"
BOOL, DEC = "http://www.w3.org/2001/XMLSchema#boolean", "http://www.w3.org/2001/XMLSchema#decimal"
# (result, paper, model, metric, value); r5 repeats r1's model, paper and value
RESULTS = [("r1", "p1", "m1", "acc", "80.5"), ("r2", "p2", "m2", "acc", "91"), ("r3", "p3", "m3", "acc", "85.25"),
           ("r4", "p1", "m1", "err", "4.5"), ("r5", "p1", "m1", "acc", "80.5"), ("r6", "p2", "m2", "err", "2.0"),
           ("r7", "p3", "m3", "f1", "0.7"), ("r8", "p2", "m2", "f1", "0.9")]


def _triples() -> list[str]:
    def node(kind, key, label, *alts):
        out = [f"<{RES}{kind}/{key}> <{TYPE}> <{MLKG}{kind.title()}> .", f'<{RES}{kind}/{key}> <{LABEL}> "{label}" .']
        return out + [f'<{RES}{kind}/{key}> <{ALT}> "{alt}" .' for alt in alts]

    lines = node("dataset", "dsx", "DataSet-X", "dsx") + node("dataset", "empty", "Empty Set")
    lines += node("metric", "acc", "accuracy", "acc") + node("metric", "err", "error rate") + node("metric", "f1", "F1")
    lines += [f'<{RES}metric/acc> <{MLKG}higherIsBetter> "true"^^<{BOOL}> .',
              f'<{RES}metric/err> <{MLKG}higherIsBetter> "false"^^<{BOOL}> .']
    for i in (1, 2, 3):
        lines += node("model", f"m{i}", f"Model{i}")
        lines += [f"<{RES}paper/p{i}> <{TYPE}> <{MLKG}Paper> .", f'<{RES}paper/p{i}> <{TITLE}> "Paper {i}" .']
    for url in ("https://github.com/a/one", "https://github.com/a/two"):
        lines += [f"<{RES}paper/p1> <{MLKG}hasCode> <{RES}repo/{url[-3:]}> .",
                  f'<{RES}repo/{url[-3:]}> <{LABEL}> "{url}" .']
    for r, paper, model, metric, value in RESULTS:
        s = f"<{RES}result/{r}>"
        lines += [f"<{RES}paper/{paper}> <{MLKG}reportsResult> {s} .", f"{s} <{TYPE}> <{MLKG}Result> .",
                  f"{s} <{MLKG}model> <{RES}model/{model}> .", f"{s} <{MLKG}metric> <{RES}metric/{metric}> .",
                  f'{s} <{MLKG}value> "{value}"^^<{DEC}> .', f"{s} <{MLKG}dataset> <{RES}dataset/dsx> ."]
    return lines


@pytest.fixture(scope="module")
def boards(tmp_path_factory):
    path = tmp_path_factory.mktemp("boards") / "graph.nt"
    path.write_text("\n".join(_triples()) + "\n", encoding="utf-8")
    return path


def cli(*args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return CliRunner().invoke(main, [str(a) for a in args])


# --- the shipped query ---------------------------------------------------------------------------

def test_higher_is_better_ranks_highest_first_one_row_per_model_paper_and_value(boards):
    result = kg.query("leaderboard", graph=boards, bind={"dataset": "dataset-x", "metric": "ACC"})
    assert result.columns == ["model", "value", "paper", "code"]
    assert [row[:3] for row in result.rows] == [["Model2", "91", "Paper 2"], ["Model3", "85.25", "Paper 3"],
                                                ["Model1", "80.5", "Paper 1"]]
    assert result.rows[2][3].split() == ["https://github.com/a/one", "https://github.com/a/two"]
    assert result.rows[0][3] is None  # no code: an empty cell


def test_lower_is_better_ranks_lowest_first_and_unknown_highest_first(boards):
    err = kg.query("leaderboard", graph=boards, bind={"dataset": "dsx", "metric": "error rate"})
    assert [(m, v) for m, v, *_ in err.rows] == [("Model2", "2"), ("Model1", "4.5")]
    f1 = kg.query("leaderboard", graph=boards, bind={"dataset": "dsx", "metric": "f1"})
    assert [(m, v) for m, v, *_ in f1.rows] == [("Model2", "0.9"), ("Model3", "0.7")]


def test_models_on_dataset_counts_papers(tmp_path):
    nt = tmp_path / "graph.nt"
    lines = [f"<{RES}dataset/d> <{TYPE}> <{MLKG}Dataset> .", f'<{RES}dataset/d> <{LABEL}> "D" .']
    for i, (paper, model, proposes) in enumerate([("p1", "a", True), ("p2", "a", False), ("p2", "b", True)]):
        lines += [f"<{RES}model/{model}> <{TYPE}> <{MLKG}Model> .", f'<{RES}model/{model}> <{LABEL}> "{model.upper()}" .',
                  f"<{RES}paper/{paper}> <{MLKG}evaluatesOn> <{RES}dataset/d> .",
                  f"<{RES}paper/{paper}> <{MLKG}mentions> <{RES}model/{model}> ."]
        if proposes:
            lines.append(f"<{RES}paper/{paper}> <{MLKG}proposes> <{RES}model/{model}> .")
    lines.append(f"<{RES}paper/p3> <{MLKG}mentions> <{RES}model/b> .")  # does not evaluate on D
    nt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = kg.query("models-on-dataset", graph=nt, bind={"dataset": "d"})
    assert result.columns == ["model", "papers", "proposing"]
    assert result.rows == [["A", "2", "1"], ["B", "1", "1"]]


# --- kg.leaderboard -----------------------------------------------------------------------------

def test_one_board_per_metric_sorted_by_name_with_its_direction(boards):
    board = kg.leaderboard("DSX", graph=boards)
    assert board.dataset == "DataSet-X" and board.note == ""
    assert [(b.metric, b.higher_is_better) for b in board.boards] == [("accuracy", True), ("error rate", False),
                                                                       ("F1", None)]
    text = board.format("table")
    assert "DataSet-X: accuracy (higher is better)" in text and "error rate (lower is better)" in text
    assert "F1 (direction unknown: highest first)" in text
    rows = list(csv.reader(io.StringIO(board.format("csv"))))
    assert rows[0] == ["metric", "model", "value", "paper", "code"] and len(rows) == 1 + 3 + 2 + 2


def test_one_metric_by_alias(boards):
    board = kg.leaderboard("dataset-x", metric="Acc", graph=boards)
    assert [b.metric for b in board.boards] == ["accuracy"] and len(board.boards[0].result) == 3


def test_no_results_is_a_note_and_an_unknown_dataset_an_error(boards):
    empty = kg.leaderboard("empty set", graph=boards)
    assert isinstance(empty, Leaderboard) and empty.boards == []
    assert str(empty) == "No results are reported on Empty Set in this graph."
    other = kg.leaderboard("dsx", metric="BLEU", graph=boards)
    assert other.boards == [] and other.note.endswith("the metrics reported there: accuracy, error rate, F1")
    with pytest.raises(LookupFailed, match="no dataset named 'Nowhere'"):
        kg.leaderboard("Nowhere", graph=boards)


def test_cli_leaderboard(boards):
    result = cli("leaderboard", "dsx", "--metric", "error rate", "--graph", boards)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "DataSet-X: error rate (lower is better)" and lines[1].split() == ["model", "value", "paper",
                                                                                          "code"]
    assert lines[3].startswith("Model2") and lines[-1] == "(2 rows)"
    missing = cli("leaderboard", "Nowhere", "--graph", boards)
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: no dataset named 'Nowhere'")
    assert cli("leaderboard", "empty set", "--graph", boards).stdout.startswith("No results are reported")


def test_leaderboard_of_a_built_graph(tmp_path):
    src = tmp_path / "papers.jsonl"
    src.write_text(
        '{"id": "p1", "title": "FooNet: Fast Image Classification", "abstract": "We propose FooNet. FooNet '
        'achieves 81.5% top-1 accuracy on ImageNet. Code is available at https://github.com/foo/foonet."}\n'
        '{"id": "p2", "title": "BarNet: Faster Image Classification", "abstract": "We introduce BarNet. '
        'BarNet achieves 83.2% top-1 accuracy on ImageNet."}\n'
        '{"id": "p3", "title": "BazFormer: Language Understanding", "abstract": "We present BazFormer, '
        'which we evaluate on the GLUE benchmark."}\n', encoding="utf-8")
    out = tmp_path / "out"
    kg.build([str(src)], out, html=False, site=False)
    result = cli("leaderboard", "imagenet", "--metric", "top-1 accuracy", "--graph", out, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["model"], r["value"]) for r in rows] == [("BarNet", "83.2"), ("FooNet", "81.5")]
    assert rows[1]["code"] == "https://github.com/foo/foonet" and rows[0]["code"] == ""
    assert "FooNet: Fast Image Classification" == rows[1]["paper"]
    assert cli("leaderboard", "GLUE", "--graph", out).stdout.strip() == "No results are reported on GLUE in this graph."
