"""Rebuilds copy unchanged blocks from the previous files, and still equal a cold build."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import api, builder
from kg.errors import CacheWarning
from kg.outputs import INDEX, read_index

CREATED = (b"/dc/terms/created>", b"dcterms:created ")  # the one triple that differs between builds
EXTRA = ('{"title": "FooNet: A Tiny Network", "abstract": "We propose FooNet, built on ResNet-50, '
         'which reaches 80.1% top-1 accuracy on ImageNet. Code: https://github.com/foo/foonet"}\n')


def _without_created(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if not any(c in line for c in CREATED)]


def _store(out: Path) -> set[str]:
    store = ox.Store.read_only(str(out / "store"))
    return {str(q) for q in store if "/dc/terms/created" not in str(q.predicate)}


def _assert_same(a: Path, b: Path) -> None:
    for name in ("graph.nt", "graph.ttl"):
        assert _without_created(a / name) == _without_created(b / name), name
    assert (a / "graph.json").read_bytes() == (b / "graph.json").read_bytes()
    assert (a / "graph.html").read_bytes() == (b / "graph.html").read_bytes()
    assert _store(a) == _store(b)


@pytest.fixture(scope="module")
def corpus(two_listings) -> Path:
    return two_listings


@pytest.fixture
def extra(tmp_path) -> Path:
    path = tmp_path / "extra.jsonl"
    path.write_text(EXTRA, encoding="utf-8")
    return path


def test_adding_a_paper_reuses_blocks_and_equals_a_cold_build(corpus, extra, tmp_path):
    out = tmp_path / "out"
    first = api.build([corpus], out, site=False)
    assert first.reused == 0
    grown = api.build([corpus, extra], out, site=False)
    assert 0 < grown.reused < first.papers + sum(first.entities.values())
    cold = api.build([corpus, extra], tmp_path / "cold", site=False, cache=False)
    assert cold.reused == 0
    _assert_same(out, tmp_path / "cold")


def test_removing_a_paper_equals_a_cold_build(corpus, extra, tmp_path):
    out = tmp_path / "out"
    api.build([corpus, extra], out, site=False)
    shrunk = api.build([corpus], out, site=False)
    assert shrunk.reused > 0
    api.build([corpus], tmp_path / "cold", site=False, cache=False)
    _assert_same(out, tmp_path / "cold")


def test_an_unchanged_rebuild_renders_nothing_but_the_description(corpus, tmp_path):
    out = tmp_path / "out"
    first = api.build([corpus], out, html=False, site=False)
    before = _without_created(out / "graph.nt")
    again = api.build([corpus], out, html=False, site=False)
    assert again.reused == first.papers + sum(first.entities.values())
    assert _without_created(out / "graph.nt") == before


def test_an_edited_output_file_is_not_trusted(corpus, extra, tmp_path):
    out = tmp_path / "out"
    api.build([corpus], out, html=False, site=False)
    with open(out / "graph.nt", "ab") as handle:
        handle.write(b"# edited by hand\n")
    with pytest.warns(CacheWarning, match="graph.nt changed since the build that wrote it"):
        assert read_index(out / ".kg-current") is None
    again = api.build([corpus, extra], out, html=False, site=False)
    assert again.reused == 0
    api.build([corpus, extra], tmp_path / "cold", html=False, site=False, cache=False)
    assert _without_created(out / "graph.nt") == _without_created(tmp_path / "cold" / "graph.nt")


def test_a_corrupt_index_is_ignored(corpus, tmp_path):
    out = tmp_path / "out"
    api.build([corpus], out, html=False, site=False)
    (out / ".kg-current" / INDEX).write_bytes(b"not an index")
    with pytest.warns(CacheWarning, match=r"\.kg-cache-blocks: not a cache file of this kg"):
        assert api.build([corpus], out, html=False, site=False).reused == 0


def test_overview_drawn_in_a_child_process_is_the_same(corpus, tmp_path, monkeypatch):
    api.build([corpus], tmp_path / "inline", site=False, cache=False)
    monkeypatch.setattr(builder, "FORK_OVERVIEW_AT", 0)
    api.build([corpus], tmp_path / "forked", site=False, cache=False)
    assert (tmp_path / "inline" / "graph.html").read_bytes() == (tmp_path / "forked" / "graph.html").read_bytes()


def test_a_failing_overview_child_fails_the_build_and_keeps_the_old_output(corpus, tmp_path, monkeypatch):
    from kg.errors import KGError

    out = tmp_path / "out"
    api.build([corpus], out, site=False)
    before = (out / "graph.nt").read_bytes()

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(builder, "FORK_OVERVIEW_AT", 0)
    monkeypatch.setattr(builder, "_overview", broken)
    with pytest.raises(KGError, match="drawing graph.html failed"):
        api.build([corpus], out, site=False)
    assert (out / "graph.nt").read_bytes() == before
