"""Gzipped inputs of any supported format, and JSON arrays of papers."""
from __future__ import annotations

import gzip
import json

import pytest

from kg.errors import InputWarning
from kg.ingest import read_papers

PAPERS = [{"title": "FooNet", "abstract": "We propose FooNet."}, {"title": "BarNet", "abstract": "BarNet wins."}]


def test_a_gzipped_jsonl_reads_like_the_plain_file(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(p) + "\n" for p in PAPERS).encode()))
    papers = read_papers([path])
    assert sorted(p.title for p in papers) == ["BarNet", "FooNet"]
    assert {s.line for p in papers for s in p.sources} == {1, 2}


def test_a_json_array_a_wrapped_list_and_daily_papers_items(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(PAPERS))
    (tmp_path / "b.json").write_text(json.dumps({"papers": [{"title": "BazNet", "abstract": "BazNet."}]}))
    (tmp_path / "c.json").write_text(json.dumps([{"paper": {"title": "QuxNet", "summary": "QuxNet."}}]))
    assert sorted(p.title for p in read_papers([tmp_path])) == ["BarNet", "BazNet", "FooNet", "QuxNet"]


def test_bad_gzip_deep_json_and_bad_items_are_warnings(tmp_path):
    (tmp_path / "bad.jsonl.gz").write_bytes(b"not gzip at all")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "mixed.json").write_text(json.dumps([1, {"title": "OnlyTitle"}, PAPERS[0]]))
    with pytest.warns(InputWarning) as caught:
        papers = read_papers([tmp_path])
    messages = " | ".join(str(w.message) for w in caught)
    assert "bad.jsonl.gz:1: not a readable gzip file" in messages
    assert "deep.json:1: JSON nested too deeply" in messages
    assert "mixed.json:1: expected a JSON object" in messages and "mixed.json:2: record has no abstract" in messages
    assert [p.title for p in papers] == ["FooNet"]


def test_tsv_and_odd_folder_entries(tmp_path):
    import os

    (tmp_path / "a.tsv").write_text("title\tabstract\nFooNet\tWe propose FooNet.\n")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.warns(InputWarning) as caught:
        papers = read_papers([tmp_path])
    assert [p.title for p in papers] == ["FooNet"]
    messages = " | ".join(str(w.message) for w in caught)
    assert "sub: a folder, skipped" in messages and "pipe: not a regular file" in messages
    assert "loop: not a regular file" in messages
    with pytest.warns(InputWarning, match="not a regular file"):
        with pytest.raises(Exception):  # nothing else to read: no papers
            read_papers([tmp_path / "pipe"])
