"""Every query is bounded: ``kg query --timeout/--max-results`` and ``kg.query(timeout=, max_results=)``.

Also: a ``.rq`` file that is not UTF-8 is an ``Error:`` naming it, and values print to a
terminal with their control characters escaped.  The seeds are built once for the module
(a cartesian product over them runs far past any limit); the control-character cases use a
three-triple N-Triples file.
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import (GraphNotFoundError, KGError, QueryError, QueryLimitError, QueryTimeoutError,
                       ResultLimitError)
from kg.sparql import QueryResult, escape_controls, format_result

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
BLOCKING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # no row before it is done
PAPERS = "SELECT ?t WHERE { ?p a mlkg:Paper ; dcterms:title ?t } ORDER BY ?t"
TITLE = "Evil\x1b[2J\x1b[31mTitle\rX\x9b1m\x7f"
MARGIN = 8.0  # seconds allowed past a time limit (worker start, kill, a slow shared machine)


@pytest.fixture(scope="module")
def seeds_graph(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bounds-seeds") / "out"
    kg.build([str(SEEDS)], out, html=False, site=False)
    return out


@pytest.fixture(scope="module")
def evil_graph(tmp_path_factory) -> Path:
    """A tiny graph file: one paper whose title holds ESC, CR, C1 CSI and DEL."""
    path = tmp_path_factory.mktemp("bounds-evil") / "graph.nt"
    paper = "<https://w3id.org/mlkg/resource/paper/evil>"
    title = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04X}", TITLE)
    path.write_text(f"{paper} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                    f"<https://w3id.org/mlkg/ontology#Paper> .\n"
                    f'{paper} <http://purl.org/dc/terms/title> "{title}" .\n', encoding="utf-8")
    return path


def cli(*args, color=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return CliRunner().invoke(main, [str(a) for a in args], color=color)


def _workers() -> list[int]:
    """Live query worker processes that are children of this process (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"_worker_main" in cmdline and " Z " not in stat[stat.rfind(")"):]:
            found.append(int(entry.name))
    return found


# --- the time limit ------------------------------------------------------------------------

def test_cli_cartesian_is_stopped_at_its_time_limit(seeds_graph):
    start = time.monotonic()
    result = cli("query", CARTESIAN, "--graph", seeds_graph, "--timeout", 2, "--max-results", 0)
    elapsed = time.monotonic() - start
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: query stopped: it exceeded the time limit of 2 s"), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert 2 <= elapsed < 2 + MARGIN


def test_a_query_that_blocks_before_its_first_row_is_stopped_too(seeds_graph):
    start = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="time limit of 1.5 s"):
        kg.query(BLOCKING, graph=seeds_graph, timeout=1.5, max_results=0)
    assert time.monotonic() - start < 1.5 + MARGIN


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_the_stopped_worker_is_killed_and_reaped(seeds_graph):
    assert _workers() == []
    with pytest.raises(QueryTimeoutError):
        kg.query(BLOCKING, graph=seeds_graph, timeout=1, max_results=0)
    assert _workers() == []


def test_the_error_classes():
    assert issubclass(QueryTimeoutError, QueryLimitError) and issubclass(ResultLimitError, QueryLimitError)
    assert issubclass(QueryLimitError, QueryError) and issubclass(QueryError, KGError)


# --- the row cap ---------------------------------------------------------------------------

def test_cli_cartesian_is_refused_at_its_row_cap(seeds_graph):
    result = cli("query", CARTESIAN, "--graph", seeds_graph, "--max-results", 1000)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the answer has more than 1000 rows"), result.stderr
    assert result.stdout == ""


def test_cli_cartesian_with_the_defaults_ends_with_an_error(seeds_graph):
    start = time.monotonic()
    result = cli("query", CARTESIAN, "--graph", seeds_graph)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: "), result.stderr
    assert re.search(r"more than 100000 rows|time limit of 30 s", result.stderr)
    assert time.monotonic() - start < 30 + MARGIN


@pytest.mark.parametrize("timeout", [0, None, 20])  # in this process, and in a worker
def test_api_row_cap(seeds_graph, timeout):
    with pytest.raises(ResultLimitError, match="more than 10 rows"):
        kg.query(CARTESIAN, graph=seeds_graph, timeout=timeout, max_results=10)
    exactly = kg.query(CARTESIAN + " LIMIT 10", graph=seeds_graph, timeout=timeout, max_results=10)
    assert len(exactly) == 10 and len(exactly.terms) == 10
    with pytest.raises(ResultLimitError, match="more than 5 triples"):
        kg.query("CONSTRUCT WHERE { ?s a mlkg:Paper }", graph=seeds_graph, timeout=timeout, max_results=5)
    assert kg.query("ASK { ?p a mlkg:Paper }", graph=seeds_graph, timeout=timeout, max_results=1).boolean


def test_answers_are_the_same_in_a_worker_and_in_process(seeds_graph):
    bounded = kg.query("top-datasets", graph=seeds_graph)
    unbounded = kg.query("top-datasets", graph=seeds_graph, timeout=0, max_results=0)
    assert bounded.columns == unbounded.columns and bounded.rows == unbounded.rows
    assert bounded.terms == unbounded.terms and len(bounded) == 20
    triples = kg.query("CONSTRUCT WHERE { ?s a mlkg:Dataset } LIMIT 3", graph=seeds_graph)
    assert len(triples) == 3 and all(str(t.predicate).endswith("#type>") for t in triples.raw)


def test_errors_come_back_from_the_worker(seeds_graph, tmp_path):
    with pytest.raises(QueryError, match="malformed query"):
        kg.query("SELECT ?x WHERE { ?x", graph=seeds_graph, timeout=10)
    with pytest.raises(GraphNotFoundError, match="no built graph"):
        kg.query(PAPERS, graph=tmp_path / "nowhere", timeout=10)


@pytest.mark.parametrize("kwargs", [{"timeout": -1}, {"timeout": math.nan}, {"max_results": -5}])
def test_api_bad_bounds(seeds_graph, kwargs):
    with pytest.raises(QueryError):
        kg.query(PAPERS, graph=seeds_graph, **kwargs)


@pytest.mark.parametrize("option", ["--timeout", "--max-results"])
def test_cli_negative_bound_is_a_usage_error(seeds_graph, option):
    assert cli("query", PAPERS, "--graph", seeds_graph, option, -1).exit_code == 2


# --- --help and the README -----------------------------------------------------------------

def test_help_shows_the_bounds_and_their_defaults():
    out = " ".join(cli("query", "--help").stdout.split())
    assert "--timeout SECONDS" in out and "[default: 30.0; x>=0]" in out
    assert "--max-results N" in out and "[default: 100000; x>=0]" in out


def test_readme_synopsis_matches_help():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in readme.splitlines() if ln.startswith("kg query QUERY "))
    synopsis = dict(re.findall(r"\[(--[a-z-]+)(?: ([^\]]+))?\]", line.split("#")[0]))
    command = main.commands["query"]
    options = {p.opts[0]: p for p in command.params if p.param_type_name == "option"
               and p.opts[0] not in ("--list", "--help")}
    assert set(synopsis) == set(options), (synopsis, sorted(options))
    for name in ("--timeout", "--max-results"):
        assert float(synopsis[name]) == options[name].default
    assert "kg query --list" in readme


# --- query files ---------------------------------------------------------------------------

def test_non_utf8_query_file_is_an_error_naming_it(seeds_graph, tmp_path):
    rq = tmp_path / "latin1.rq"
    rq.write_bytes('SELECT ?x WHERE { BIND("café" AS ?x) }\n'.encode("latin-1"))
    result = cli("query", rq, "--graph", seeds_graph)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {rq}: not UTF-8"), result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(QueryError, match="not UTF-8"):
        kg.query(str(rq), graph=seeds_graph)


def test_missing_query_file_is_an_error_naming_it(seeds_graph, tmp_path):
    result = cli("query", tmp_path / "gone.rq", "--graph", seeds_graph)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'gone.rq'}: no such query file"), result.stderr


def test_query_file_with_a_space_in_its_path(seeds_graph, tmp_path):
    rq = tmp_path / "my queries" / "papers.rq"
    rq.parent.mkdir()
    rq.write_text("ASK { ?p a mlkg:Paper }\n", encoding="utf-8")
    assert kg.query(str(rq), graph=seeds_graph).boolean is True


# --- control characters --------------------------------------------------------------------

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_table_escapes_control_characters(evil_graph):
    result = cli("query", PAPERS, "--graph", evil_graph, color=True)  # color: click strips nothing
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.stdout), repr(result.stdout)
    assert "Evil\\u001b[2J\\u001b[31mTitle\\u000dX\\u009b1m\\u007f" in result.stdout


def test_csv_to_a_pipe_keeps_the_value(evil_graph):
    result = cli("query", PAPERS, "--graph", evil_graph, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert TITLE in result.stdout  # not escaped, nor stripped by click


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_output_to_a_terminal_is_escaped(evil_graph, fmt):
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "kg", "query", PAPERS, "--graph", str(evil_graph),
                               "--format", fmt], stdout=follower, stderr=subprocess.PIPE,
                              cwd=ROOT, timeout=120)
        os.close(follower)
        follower = None
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    out = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Evil" in out and "\\u001b[2J" in out
    assert not RAW.search(out), repr(out)


def test_format_result_terminal_escaping():
    result = QueryResult(["t"], [[TITLE]])
    for fmt in ("csv", "tsv", "json"):
        assert TITLE in format_result(result, fmt) or fmt == "json"
        assert not RAW.search(format_result(result, fmt, terminal=True))
    assert json.loads(format_result(result, "json", terminal=True)) == json.loads(format_result(result, "json"))
    assert escape_controls("a\tb\nc\x1b") == "a\tb\nc\\u001b"
    assert escape_controls("a\tb\nc", keep_lines=False) == "a\\u0009b\\u000ac"

