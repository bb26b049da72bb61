"""Parallel, cached and distributed extraction give the same graph as a plain build."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg import api



def _nt(out: Path) -> list[str]:
    """graph.nt without the build-time triple (the one line allowed to differ)."""
    return [line for line in (out / "graph.nt").read_text().splitlines() if "/dc/terms/created>" not in line]


@pytest.fixture(scope="module")
def corpus(two_listings) -> Path:
    return two_listings


@pytest.fixture(scope="module")
def plain(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plain")
    api.build([corpus], out, html=False, site=False, jobs=1, cache=False)
    return out


def test_jobs_give_byte_identical_ntriples(corpus, plain, tmp_path):
    summary = api.build([corpus], tmp_path, html=False, site=False, jobs=2, cache=False)
    assert summary.extracted == summary.papers
    assert _nt(tmp_path) == _nt(plain)


def test_cache_reextracts_only_new_papers_and_equals_a_cold_build(corpus, plain, tmp_path):
    first = api.build([corpus], tmp_path, html=False, site=False)
    assert first.extracted == first.papers
    again = api.build([corpus], tmp_path, html=False, site=False)
    assert again.extracted == 0  # everything from the cache
    assert _nt(tmp_path) == _nt(plain)
    extra = tmp_path / "more.jsonl"
    extra.write_text('{"title": "FooNet: A Tiny Network", "abstract": "We propose FooNet, a network '
                     'that reaches 80.1% top-1 accuracy on ImageNet."}\n')
    grown = api.build([corpus, extra], tmp_path, html=False, site=False)
    assert grown.extracted == 1 and grown.papers == first.papers + 1
    cold = tmp_path / "cold"
    api.build([corpus, extra], cold, html=False, site=False, cache=False)
    assert _nt(tmp_path) == _nt(cold)


def test_changed_extractor_version_misses_the_cache(corpus, tmp_path, monkeypatch):
    api.build([corpus], tmp_path, html=False, site=False)
    from kg.extract import lexicon

    monkeypatch.setattr(lexicon, "EXTRACTOR_VERSION", lexicon.EXTRACTOR_VERSION + "-changed")
    again = api.build([corpus], tmp_path, html=False, site=False)
    assert again.extracted == again.papers


def test_dask_local_cluster_gives_the_same_graph(corpus, plain, tmp_path):
    if not os.environ.get("CI"):  # CI installs the dask extra: a missing one must fail there
        pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    summary = api.build([corpus], tmp_path, html=False, site=False, jobs=2, engine="dask", cache=False)
    assert summary.extracted == summary.papers
    assert _nt(tmp_path) == _nt(plain)


def test_unknown_engine_is_an_error(corpus, tmp_path):
    from kg.errors import KGError

    with pytest.raises(KGError, match="unknown engine"):
        api.build([corpus], tmp_path, html=False, site=False, engine="spark", cache=False)


def test_unreadable_cache_records_are_extracted_again(corpus, plain, tmp_path):
    import sqlite3

    from kg.engine.cache import TABLE

    first = api.build([corpus], tmp_path, html=False, site=False)
    db = sqlite3.connect(tmp_path / ".kg-cache.sqlite")
    with db:
        db.execute(f"UPDATE {TABLE} SET record = X'00'")  # as if written by another Python
    db.close()
    again = api.build([corpus], tmp_path, html=False, site=False)
    assert again.extracted == first.papers
    assert _nt(tmp_path) == _nt(plain)


def test_too_few_prestarted_workers_are_replaced_by_a_full_pool(corpus, plain, tmp_path, monkeypatch):
    """With a cache, one worker is prestarted; when most papers miss it, a pool of --jobs takes over."""
    from kg.engine import run
    from kg.extract import lexicon

    api.build([corpus], tmp_path, html=False, site=False, jobs=2)
    monkeypatch.setattr(lexicon, "EXTRACTOR_VERSION", lexicon.EXTRACTOR_VERSION + "-changed")  # all miss
    monkeypatch.setattr(run, "MIN_PER_WORKER", 1)
    sizes = []
    real = run._context

    def spy():
        ctx = real()
        pool = ctx.Pool

        class Context:
            def Pool(self, processes, **kw):  # noqa: N802 - multiprocessing's name
                sizes.append(processes)
                return pool(processes=processes, **kw)
        return Context()

    monkeypatch.setattr(run, "_context", spy)
    again = api.build([corpus], tmp_path, html=False, site=False, jobs=2)
    assert sizes == [1, 2]  # the prestarted one, then the pool that did the work
    assert again.extracted == again.papers
    assert _nt(tmp_path) == _nt(plain)
