"""The ``kg`` command line, driven with click's CliRunner."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import main
from kg.formats import FORMATS

GOLD = Path(__file__).resolve().parent / "fixtures" / "gold.jsonl"
PAPERS = "SELECT ?t WHERE { ?p a mlkg:Paper ; dcterms:title ?t } ORDER BY ?t"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory, corpus_dir):
    """A graph built through the CLI (shared by the read-only commands)."""
    out = tmp_path_factory.mktemp("cli") / "out"
    result = CliRunner().invoke(main, ["build", str(corpus_dir), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    return out


def run(runner, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return runner.invoke(main, [str(a) for a in args])


def test_version(runner):
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"kg, version {__version__}"


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help(runner, command):
    args = ["--help"] if command is None else [command, "--help"]
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:")
    if command is None:
        for name in ("build", "query", "export", "view", "stats", "evaluate"):
            assert name in result.output


def test_build_prints_one_line_summary(runner, tmp_path, corpus_dir):
    out = tmp_path / "out"
    result = run(runner, "build", corpus_dir, "-o", out, "--no-progress")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    m = re.match(r"^5 papers(, \d+ from cache)?, (\d+) entities \((.*)\), (\d+) triples in [\d.]+ s → (.*)$", lines[0])
    assert m, lines[0]
    per_type = dict((t, int(n)) for n, t in (part.split(" ") for part in m.group(3).split(", ")))
    assert list(per_type) == ["Model", "Dataset", "Technique", "Task", "Metric", "Repository"]
    assert sum(per_type.values()) == int(m.group(2))
    assert int(m.group(4)) == len((out / "graph.nt").read_text(encoding="utf-8").splitlines())
    assert m.group(5) == str(out)
    assert result.stderr == ""


def test_build_timings_go_to_stderr_and_a_rebuild_reuses_blocks(runner, tmp_path, corpus_dir):
    out = tmp_path / "out"
    first = run(runner, "build", corpus_dir, "-o", out, "--no-progress", "--no-site", "--timings")
    assert first.exit_code == 0 and len(first.stdout.strip().splitlines()) == 1
    assert re.match(r"^stages: ingest [\d.]+ s, extract [\d.]+ s, .*; 0 blocks reused$", first.stderr.strip())
    again = run(runner, "build", corpus_dir, "-o", out, "--no-progress", "--no-site", "--timings")
    reused = int(re.search(r"; (\d+) blocks reused", again.stderr).group(1))
    assert reused > 0


def test_build_prints_warnings_with_file_and_line(runner, tmp_path, corpus_dir):
    src = tmp_path / "in"
    shutil.copytree(corpus_dir, src)
    (src / "bad.jsonl").write_text('{"title": "A: Title", "abstract": "a."}\n{oops\n', encoding="utf-8")
    result = run(runner, "build", src, "-o", tmp_path / "out", "--no-progress")
    assert result.exit_code == 0, result.output
    warnings_ = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert warnings_ == [line for line in result.stderr.splitlines() if line.strip()]
    assert any(line.startswith(f"Warning: {src / 'bad.jsonl'}:2: ") for line in warnings_), result.stderr
    assert result.stdout.startswith("6 papers")


def test_build_of_empty_dir_is_an_error(runner, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(runner, "build", empty, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.startswith("Error:"), result.output
    assert str(empty) in result.output


def test_build_of_dir_without_papers_is_an_error(runner, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "chrome.txt").write_text("Subscribe\n\nDaily Papers\n")
    result = run(runner, "build", d, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error:")
    assert "Traceback" not in result.output


def test_query_table(runner, graph_dir):
    result = run(runner, "query", PAPERS, "--graph", graph_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").splitlines()
    assert lines[0].strip() == "t" and set(lines[1]) == {"-"}
    assert lines[-1] == "(5 rows)"
    assert "FooNet: Fast Networks for Image Classification" in result.stdout


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_query_csv_tsv(runner, graph_dir, fmt, delimiter):
    result = run(runner, "query", "SELECT ?t ?id WHERE { ?p a mlkg:Paper ; dcterms:title ?t ; "
                 "dcterms:identifier ?id } ORDER BY ?t", "--graph", graph_dir, "--format", fmt)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=delimiter))
    assert rows[0] == ["t", "id"]
    assert len(rows) == 6
    assert ["Vision Transformers Need Registers"] == [r[0] for r in rows if r[0].startswith("Vision")]


def test_query_json(runner, graph_dir):
    result = run(runner, "query", PAPERS, "--graph", graph_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["t"]
    assert len(data["results"]["bindings"]) == 5
    assert all(b["t"]["type"] == "literal" for b in data["results"]["bindings"])


def test_query_json_types_iris_as_uris(runner, graph_dir):
    """SPARQL 1.1 Query Results JSON: an IRI binding has ``"type": "uri"``, not ``"literal"``."""
    result = run(runner, "query", "SELECT ?p WHERE { ?p a mlkg:Paper } LIMIT 1", "--graph", graph_dir,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    (binding,) = json.loads(result.stdout)["results"]["bindings"]
    assert binding["p"]["type"] == "uri", binding


def test_query_ask_json(runner, graph_dir):
    result = run(runner, "query", "ASK { ?p a mlkg:Paper }", "--graph", graph_dir, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["boolean"] is True


def test_query_shipped_name_and_file(runner, graph_dir, tmp_path):
    result = run(runner, "query", "top-datasets", "--graph", graph_dir, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "dataset,papers"
    assert "GLUE,2" in result.stdout.splitlines()
    rq = tmp_path / "count.rq"
    rq.write_text("SELECT (COUNT(?p) AS ?n) WHERE { ?p a mlkg:Paper }\n")
    result = run(runner, "query", rq, "--graph", graph_dir, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["n", "5"]


def test_query_list(runner):
    result = run(runner, "query", "--list")
    assert result.exit_code == 0
    queries = [line for line in result.stdout.splitlines() if line.strip() and not line.startswith(" ")]
    assert [line.split()[0] for line in queries] == sorted(
        ["based-on-longformer", "leaderboard", "models-on-dataset", "paper-evidence", "papers-on-glue",
         "repos-of-imagenet-models", "results-for-dataset", "top-datasets"])
    assert all(len(line.split(None, 1)) == 2 for line in result.stdout.splitlines())
    params = [line.split()[:3] for line in result.stdout.splitlines() if line.startswith("    ")]
    assert ["dataset", "=", '"GLUE"'] in params  # each parameter, indented under its query


def test_query_without_query_is_a_usage_error(runner):
    result = run(runner, "query")
    assert result.exit_code == 2


def test_query_missing_graph(runner, tmp_path):
    result = run(runner, "query", PAPERS, "--graph", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no built graph"), result.output


def test_query_malformed(runner, graph_dir):
    result = run(runner, "query", "SELECT ?x WHERE { ?x", "--graph", graph_dir)
    assert result.exit_code == 1
    assert result.output.startswith("Error: malformed query"), result.output
    assert "Traceback" not in result.output


def test_query_unknown_name(runner, graph_dir):
    result = run(runner, "query", "no-such-query", "--graph", graph_dir)
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "no-such-query" in result.output


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_each_format(runner, graph_dir, tmp_path, fmt):
    target = tmp_path / f"export{FORMATS[fmt].suffix}"
    result = run(runner, "export", "--format", fmt, "--graph", graph_dir, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert target.is_file() and target.stat().st_size > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own Dataset deprecations
        back = FORMATS[fmt].read(target)
    assert len(back) > 0


def test_export_unknown_format(runner, graph_dir):
    result = run(runner, "export", "--format", "docx", "--graph", graph_dir)
    assert result.exit_code == 2


def test_export_missing_graph(runner, tmp_path):
    result = run(runner, "export", "--format", "ttl", "--graph", tmp_path / "nowhere")
    assert result.exit_code == 1 and result.output.startswith("Error: no built graph")


def test_view(runner, graph_dir, tmp_path):
    target = tmp_path / "v.html"
    result = run(runner, "view", "--graph", graph_dir, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert "FooNet" in target.read_text(encoding="utf-8")
    focus = tmp_path / "bert.html"
    result = run(runner, "view", "--graph", graph_dir, "--entity", "BERT", "-o", focus)
    assert result.exit_code == 0, result.output
    assert focus.is_file()


def test_view_unknown_entity(runner, graph_dir, tmp_path):
    result = run(runner, "view", "--graph", graph_dir, "--entity", "NoSuchThingAtAll", "-o", tmp_path / "x.html")
    assert result.exit_code == 1
    assert result.output.startswith("Error:")


def test_stats(runner, graph_dir):
    result = run(runner, "stats", "--graph", graph_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "papers: 5"
    assert any(re.fullmatch(r"Model: \d+", line) for line in lines)
    assert any(line.startswith("top Model: ") and "BERT (2)" in line for line in lines)
    assert any(line.startswith("edges mentions: ") for line in lines)


def test_evaluate(runner, graph_dir):
    result = run(runner, "evaluate", GOLD, "--graph", graph_dir)
    assert result.exit_code == 0, result.output
    assert "papers matched: 1; missing from the graph: 0" in result.stdout
    result = run(runner, "evaluate", GOLD, "--graph", graph_dir, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["Repository"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1, "pred": 1, "gold": 1}
    assert data["results"]["tp"] == 1
    assert data["based_on"]["tp"] == 1
    assert data["micro"]["gold"] == 5


def test_evaluate_bad_gold(runner, graph_dir, tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text("not json\n")
    result = run(runner, "evaluate", bad, "--graph", graph_dir)
    assert result.exit_code == 1
    assert result.output.startswith(f"Warning: {bad}:1: ")
    assert result.output.splitlines()[-1].startswith("Error:")


def test_console_script_keeps_exit_codes_and_output(tmp_path, corpus_dir):
    """``python -m kg`` (``kg.cli.run``) ends with ``os._exit``: codes and messages must survive it."""
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus_dir), "-o", str(tmp_path / "out"),
                         "--no-site", "--no-progress"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("5 papers"), ok.stderr
    bad = subprocess.run([sys.executable, "-m", "kg", "build", str(tmp_path / "missing"), "-o", str(tmp_path / "o2")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "Error: no papers found" in bad.stderr
    usage = subprocess.run([sys.executable, "-m", "kg", "query", "--no-such-option"], capture_output=True, text=True)
    assert usage.returncode == 2 and "No such option" in usage.stderr


def test_console_script_leaves_the_build_to_the_quick_exit(tmp_path, corpus_dir, monkeypatch):
    """``run`` keeps the build's summary (and its corpus) referenced until ``os._exit``, so the
    command's return does not free it first."""
    import kg.cli
    from kg.builder import BuildSummary

    class Exited(Exception):
        pass

    def fake_exit(code):
        raise Exited(code)

    monkeypatch.setattr(kg.cli.os, "_exit", fake_exit)
    monkeypatch.setattr(kg.cli, "_LEFT_FOR_EXIT", [])
    monkeypatch.setattr(kg.cli, "_quick_exit", False)
    monkeypatch.setattr(sys, "argv", ["kg", "build", str(corpus_dir), "-o", str(tmp_path / "out"),
                                      "--no-site", "--no-progress"])
    with pytest.raises(Exited) as exited:
        kg.cli.run()
    assert exited.value.args == (0,)
    [summary] = kg.cli._LEFT_FOR_EXIT
    assert isinstance(summary, BuildSummary) and summary.corpus is not None and summary.papers == 5


def test_python_dash_m_kg_cli_runs_a_build(tmp_path):
    """``python -m kg.cli build`` ran ``main`` before ``run``'s globals existed (NameError: _quick_exit)."""
    import json
    import subprocess
    import sys

    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"title": "FooNet", "abstract": "We propose FooNet on ImageNet."}) + "\n")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(tmp_path / "out"),
                           "--no-site"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 papers" in done.stdout or "1 paper" in done.stdout


def test_repeated_warnings_are_summarised_per_file(tmp_path):
    """200,000 bad lines printed 24.7 MB of warnings; now the first few per file, then a count."""
    from click.testing import CliRunner

    from kg.cli import main

    src = tmp_path / "bad.jsonl"
    src.write_text("".join("not json\n" for _ in range(50)) + '{"title": "FooNet", "abstract": "We propose FooNet."}\n')
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out"), "--no-site"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(lines) == 6 and lines[-1] == f"Warning: {src}: 45 more warnings like these, not shown"


def test_a_cache_warning_is_one_line_and_the_command_ends(tmp_path):
    """A warning other than an input warning was shown inside the recorder, which recorded it again:
    the CLI looped for ever after the build. It must print one ``Warning:`` line and exit."""
    import subprocess
    import sys

    src, out = tmp_path / "p.jsonl", tmp_path / "out"
    src.write_text('{"title": "FooNet: Fast Nets", "abstract": "We propose FooNet, built on BERT."}\n')
    run = [sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "--no-site"]
    assert subprocess.run(run, capture_output=True, text=True, timeout=120).returncode == 0
    (out / ".kg-current" / ".kg-cache-blocks").write_bytes(b"damaged")
    with src.open("a") as handle:
        handle.write('{"title": "BarNet: Slow Nets", "abstract": "We propose BarNet."}\n')
    done = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if ".kg-cache-blocks" in line]
    assert len(lines) == 1 and lines[0].startswith("Warning: ") and "rendered afresh" in lines[0], done.stderr
