"""Hostile inputs never cost a build (issue 17): each case beside a good file is read or skipped
with a warning naming it, extraction of what was read finishes and fails for no paper, and one
build over every case at once succeeds with a graph that parses.

The cases are written by :mod:`hostile` (tests/faults/hostile.py), never committed.  A case that
hangs fails after :data:`LIMIT` seconds (SIGALRM; pytest-timeout is not installed).
"""
from __future__ import annotations

import contextlib
import dataclasses
import shutil
import signal
import sys
import warnings
from pathlib import Path

import pyoxigraph
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402

from kg import api  # noqa: E402
from kg.engine.run import extract_chunk  # noqa: E402  (the per-paper extraction every engine runs)
from kg.errors import WARNINGS_PER_FILE, InputWarning, summarise_warnings  # noqa: E402
from kg.ingest import read_papers  # noqa: E402
from kg.ingest.bounds import display  # noqa: E402

LIMIT = 20
"""Seconds one case may take (reading and extracting); the slowest takes about one."""

GOOD_TITLES = {p["title"] for p in hostile.GOOD}


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail, rather than hang, past ``seconds``."""
    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """``(cases by name, good file, folder of every case)``."""
    root = tmp_path_factory.mktemp("hostile")
    cases = hostile.write_cases(root / "cases")
    good = hostile.write_good(root / "good")
    yield {c.name: c for c in cases}, good, root / "cases"
    shutil.rmtree(root, ignore_errors=True)


def _read(inputs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        papers = read_papers(inputs)
        extractions, messages, failed = extract_chunk(papers)
    others = [w for w in caught if not issubclass(w.category, InputWarning)]
    return papers, extractions, failed, [str(w.message) for w in caught if issubclass(w.category, InputWarning)] \
        + messages, others


@pytest.mark.parametrize("name", hostile.names())
def test_a_hostile_input_beside_a_good_file(name, written, tmp_path):
    cases, good, _ = written
    case = cases[name]
    target = case.path
    if case.in_folder:  # the entry alone in a folder of its own
        folder = tmp_path / "in"
        folder.mkdir()
        target = hostile.maker(name)(folder)
        given = folder
    else:
        given = case.path
    with deadline(LIMIT):
        papers, extractions, failed, messages, others = _read([given, good])
    titles = {p.title for p in papers}
    assert GOOD_TITLES <= titles
    assert [e.paper for e in extractions] == [p.id for p in papers] and failed == []
    shown = display(target)
    from_case = {p.title for p in papers if any(display(s.file) == shown or s.file == str(target)
                                                for s in p.sources)}
    assert from_case == set(case.titles), (case.outcome, messages[:5])
    if case.warning is not None:
        prefix = f"{shown}:{case.line}:" if case.line else f"{shown}:"
        assert any(m.startswith(prefix) and case.warning in m for m in messages), messages[:5]
    assert not [m for m in messages if "extraction failed" in m]
    assert not others, [str(w.message) for w in others]
    summary = summarise_warnings(messages)
    assert len(summary) <= 3 * (WARNINGS_PER_FILE + 1) and sum(map(len, summary)) < 10_000


def test_many_bad_lines_are_summarised(written):
    cases, good, _ = written
    case = cases["bad_lines_200000"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_papers([case.path, good])
    messages = [str(w.message) for w in caught]
    assert len(messages) > 200_000
    summary = summarise_warnings(messages)
    assert len(summary) == WARNINGS_PER_FILE + 1  # the first few, then how many more (200,000 lines, "no papers")
    assert summary[-1] == f"{case.path}: 199996 more warnings like these, not shown"
    assert sum(map(len, summary)) < 2_000


def test_one_build_over_every_case_succeeds(written, tmp_path):
    cases, good, folder = written
    shutil.copy(good, folder / "good.jsonl")
    with deadline(120), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        summary = api.build([folder], tmp_path / "out", html=False, site=False, cache=False)
    messages = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    assert summary is not None
    store = pyoxigraph.Store()
    with open(tmp_path / "out" / "graph.nt", "rb") as f:
        store.load(f, format=pyoxigraph.RdfFormat.N_TRIPLES)
    titles = {q.object.value for q in store.quads_for_pattern(
        None, pyoxigraph.NamedNode("http://purl.org/dc/terms/title"), None)}
    assert GOOD_TITLES <= titles
    read = {t for c in cases.values() if not c.in_folder for t in c.titles}
    assert read <= titles, sorted(read - titles)[:5]
    for c in cases.values():  # every skipped entry of the folder is named
        if c.outcome == "skipped" and c.path.parent == folder:
            assert any(m.startswith(display(c.path) + ":") for m in messages), c.name
    assert not [m for m in messages if "extraction failed" in m]


def _papers(n: int):
    from kg.records import Paper, Source

    return [Paper(id=f"p{i}", title=f"Paper {i}: FooNet{i}", abstract=f"We propose FooNet{i}, built on BERT.",
                  sources=(Source("f.jsonl", i + 1),)) for i in range(n)]


def test_an_error_in_one_paper_costs_only_that_paper(monkeypatch):
    """A component that raises for one paper, or a tokenizer that does: the others are extracted."""
    from kg.engine import run
    from kg.extract import pipeline

    nlp = run._nlp()
    papers = _papers(5)
    make_doc = nlp.make_doc

    def breaking(text):
        if "FooNet2," in text:
            raise RuntimeError("tokenizer broke")
        return make_doc(text)

    monkeypatch.setattr(nlp, "make_doc", breaking)
    failed: list[int] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = list(pipeline.extract(nlp, papers, batch_size=2, failures=failed))
    assert [e.paper for e in out] == [p.id for p in papers] and failed == [2]
    assert all(e.mentions for i, e in enumerate(out) if i != 2)
    assert any(str(w.message).startswith("f.jsonl:3: extraction failed for 'Paper 2: FooNet2'") for w in caught)
    with pytest.raises(KeyboardInterrupt):  # an interrupt is never a paper's failure
        def interrupted(text):
            raise KeyboardInterrupt
        monkeypatch.setattr(nlp, "make_doc", interrupted)
        list(pipeline.extract(nlp, papers[:1]))


def test_a_workers_warnings_reach_the_build_and_failures_are_not_cached(tmp_path):
    from kg.engine import ExtractionCache, extract_all
    from kg.extract.pipeline import MAX_CHARS

    papers = _papers(3)
    papers[1] = dataclasses.replace(papers[1], abstract="x " * MAX_CHARS)
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, fresh = extract_all(papers, jobs=2, cache=cache)
    assert fresh == 3 and [bool(e.mentions) for e in out] == [True, False, True]
    assert any(str(w.message).startswith("f.jsonl:2: extraction failed") for w in caught)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, fresh = extract_all(papers, jobs=1, cache=cache)
    assert fresh == 1 and any("f.jsonl:2: extraction failed" in str(w.message) for w in caught)
    cache.close()


def test_a_file_that_expands_without_end_is_cut(tmp_path, monkeypatch):
    """A small ``.gz`` of endless lines (a "zip bomb"): read up to MAX_FILE bytes, then one warning."""
    import gzip

    from kg.ingest import bounds

    monkeypatch.setattr(bounds, "MAX_FILE", 50_000)
    line = b'{"title": "BombNet %d", "abstract": "We propose BombNet."}\n'
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"".join(line % i for i in range(20_000))))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        papers = read_papers([bomb])
    assert 0 < len(papers) < 1_000
    assert any("bomb.jsonl.gz" in str(w.message) and "over 50,000 bytes read from this file, the rest skipped"
               in str(w.message) for w in caught)
