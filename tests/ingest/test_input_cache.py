"""The input cache: an unchanged file's parsed rows are reused, with its warnings; a changed one is read again."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from kg.errors import InputWarning
from kg.ingest import read_papers
from kg.ingest.cache import InputCache

GOOD = '{"title": "FooNet", "abstract": "We propose FooNet."}\n'
BAD = "{not json\n"
OLD = 1_000_000_000  # a modification time far in the past (racy files are not kept)


def write_old(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (OLD, OLD))
    return path


def read(inputs, cache, racy_seconds=0.0):
    """read_papers, and its warnings; a test file's ctime is always recent, hence ``racy_seconds``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        papers = read_papers(inputs, cache=InputCache(cache, racy_seconds) if cache else None)
    return papers, [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


def test_a_cached_read_equals_a_fresh_one_and_repeats_its_warnings(tmp_path):
    f = write_old(tmp_path / "a.jsonl", GOOD + BAD + GOOD.replace("Foo", "Bar"))
    fresh, fresh_warnings = read([f], None)
    first, first_warnings = read([f], tmp_path / "cache")
    assert len(list((tmp_path / "cache").iterdir())) == 1
    again, again_warnings = read([f], tmp_path / "cache")
    assert first == again == fresh
    assert sorted(p.title for p in again) == ["BarNet", "FooNet"]
    assert again_warnings == first_warnings == fresh_warnings
    assert any(f"{f}:2: malformed JSON" in w for w in again_warnings)


def test_the_cached_rows_are_what_is_read(tmp_path, monkeypatch):
    f = write_old(tmp_path / "a.jsonl", GOOD)
    read([f], tmp_path / "cache")
    import kg.ingest as ingest

    monkeypatch.setattr(ingest, "read_records", lambda path: pytest.fail("parsed again"))
    papers, _ = read([f], tmp_path / "cache")
    assert [p.title for p in papers] == ["FooNet"]


def test_a_changed_file_is_read_again(tmp_path):
    f = write_old(tmp_path / "a.jsonl", GOOD)
    read([f], tmp_path / "cache")
    f.write_text(GOOD.replace("FooNet.", "BazNet."), encoding="utf-8")  # same size
    os.utime(f, (OLD + 1, OLD + 1))
    papers, _ = read([f], tmp_path / "cache")
    assert papers[0].abstract == "We propose BazNet."


def test_a_file_changed_just_before_it_was_read_is_not_kept(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text(GOOD, encoding="utf-8")
    read([f], tmp_path / "cache", racy_seconds=2.0)
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_entries_of_files_no_longer_read_are_removed(tmp_path):
    a = write_old(tmp_path / "a.jsonl", GOOD)
    b = write_old(tmp_path / "b.jsonl", GOOD.replace("Foo", "Bar"))
    read([a, b], tmp_path / "cache")
    assert len(list((tmp_path / "cache").iterdir())) == 2
    read([a], tmp_path / "cache")
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_a_corrupt_entry_is_read_again(tmp_path):
    f = write_old(tmp_path / "a.jsonl", GOOD)
    read([f], tmp_path / "cache")
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(b"\x00garbage")
    papers, _ = read([f], tmp_path / "cache")
    assert [p.title for p in papers] == ["FooNet"]
