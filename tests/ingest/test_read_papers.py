"""``read_papers``: files and directories in, deduplicated papers out.

Every unusable input is skipped with an InputWarning that names the file AND
the line, and the rest is still read; no paper at all is a NoPapersError.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from kg.errors import InputWarning, NoPapersError
from kg.ingest import paper_id, read_papers
from kg.records import Source

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

LISTING = """\
Subscribe

FooNet: Fast Networks

We propose FooNet, a fast network.

BarNet: Slow Networks

We propose BarNet, a slow network.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def quiet_read(inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        return read_papers(inputs)


def test_seeds_give_376_papers_from_477_listings():
    papers = quiet_read([SEEDS])
    assert len(papers) == 376
    assert sum(len(p.sources) for p in papers) == 477
    assert len({p.id for p in papers}) == 376
    assert papers == sorted(papers, key=lambda p: p.id)
    assert all(p.title and p.abstract for p in papers)


def test_seed_sources_point_at_title_lines():
    for paper in quiet_read([SEEDS])[:40]:
        for src in paper.sources:
            line = Path(src.file).read_text(encoding="utf-8").splitlines()[src.line - 1]
            assert " ".join(line.split()).casefold().endswith(paper.title.casefold())


def test_dedup_across_files_keeps_every_source(tmp_path):
    a = write(tmp_path / "a.txt", LISTING)
    b = write(tmp_path / "b.jsonl",
              '{"title": "x", "abstract": "y"}\n'
              '{"title": "  FOONET:  fast networks ", "abstract": "We propose FooNet, a fast network; longer."}\n')
    c = write(tmp_path / "c.csv", "title,abstract\nBarNet: Slow Networks,Short.\n")
    papers = quiet_read([a, b, c])
    by_id = {p.id: p for p in papers}
    assert len(papers) == 3
    foo = by_id[paper_id("FooNet: Fast Networks")]
    assert foo.sources == (Source(str(a), 3), Source(str(b), 2))
    assert foo.abstract == "We propose FooNet, a fast network; longer."  # the longest abstract wins
    bar = by_id[paper_id("BarNet: Slow Networks")]
    assert bar.sources == (Source(str(a), 7), Source(str(c), 2))
    assert bar.abstract == "We propose BarNet, a slow network."


def test_same_paper_twice_in_one_file_keeps_both_lines(tmp_path):
    a = write(tmp_path / "a.txt", LISTING + "\nFooNet: Fast Networks\nWe propose FooNet, a fast network.\n")
    foo = {p.title: p for p in quiet_read([a])}["FooNet: Fast Networks"]
    assert [s.line for s in foo.sources] == [3, 11]


def test_result_independent_of_input_order(tmp_path, corpus_dir):
    files = sorted(corpus_dir.iterdir())
    forward = quiet_read(files)
    assert quiet_read(list(reversed(files))) == forward
    assert quiet_read([corpus_dir]) == forward


def test_directory_expands_to_its_files_and_skips_hidden(tmp_path):
    write(tmp_path / "d" / "a.txt", LISTING)
    write(tmp_path / "d" / ".hidden.jsonl", '{"title": "Hidden", "abstract": "h"}\n')
    assert {p.title for p in quiet_read([tmp_path / "d"])} == {"FooNet: Fast Networks", "BarNet: Slow Networks"}


# --- bad input: a warning naming file and line, and the rest still builds ------------------


@pytest.fixture
def good(tmp_path) -> Path:
    return write(tmp_path / "good.txt", LISTING)


def titles(papers):
    return sorted(p.title for p in papers)


GOOD_TITLES = ["BarNet: Slow Networks", "FooNet: Fast Networks"]


def test_empty_file_warns(tmp_path, good, warned):
    empty = write(tmp_path / "empty.txt", "")
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([empty, good])
    assert titles(papers) == GOOD_TITLES
    warned(rec, empty, 1)


def test_binary_file_warns(tmp_path, good, warned):
    binary = write(tmp_path / "blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([binary, good])
    assert titles(papers) == GOOD_TITLES
    warned(rec, binary, 1, "binary")


def test_invalid_utf8_line_warns_and_the_rest_of_the_file_is_read(tmp_path, warned):
    bad = write(tmp_path / "bad.txt",
                LISTING.encode("utf-8") + b"\nBad \xff\xfe Title\nIts abstract is fine.\n")
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([bad])
    assert titles(papers) == GOOD_TITLES
    warned(rec, bad, 11, "UTF-8")


def test_invalid_utf8_in_jsonl_warns_with_line(tmp_path, warned):
    bad = write(tmp_path / "bad.jsonl",
                b'{"title": "A: Title", "abstract": "a."}\n'
                b'{"title": "B \xc3\x28", "abstract": "b."}\n'
                b'{"title": "C: Title", "abstract": "c."}\n')
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([bad])
    assert titles(papers) == ["A: Title", "C: Title"]
    warned(rec, bad, 2, "UTF-8")


def test_invalid_utf8_line_is_reported_once(tmp_path, input_warnings):
    """One bad line, one warning (the CLI prints each as a ``Warning:`` line)."""
    bad = write(tmp_path / "bad.jsonl",
                b'{"title": "A: Title", "abstract": "a."}\n{"title": "B \xff", "abstract": "b."}\n')
    with pytest.warns(InputWarning) as rec:
        read_papers([bad])
    assert len([m for m in input_warnings(rec) if f"{bad}:2" in m]) == 1, input_warnings(rec)


def test_malformed_jsonl_line_warns(tmp_path, good, warned):
    bad = write(tmp_path / "bad.jsonl", '{"title": "A: Title", "abstract": "a."}\n{not json}\n')
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([bad, good])
    assert titles(papers) == ["A: Title"] + GOOD_TITLES
    warned(rec, bad, 2, "JSON")


def test_jsonl_record_missing_abstract_warns(tmp_path, good, warned):
    bad = write(tmp_path / "bad.jsonl", '{"title": "No Abstract Here"}\n')
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([bad, good])
    assert titles(papers) == GOOD_TITLES
    warned(rec, bad, 1, "abstract")


def test_csv_without_abstract_column_warns(tmp_path, good, warned):
    bad = write(tmp_path / "bad.csv", "title,summary\nA: Title,Some summary.\n")
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([bad, good])
    assert titles(papers) == GOOD_TITLES
    warned(rec, bad, 1, "abstract")


def test_directory_with_no_papers_raises_naming_the_input(tmp_path):
    d = tmp_path / "nothing-here"
    write(d / "empty.txt", "")
    write(d / "chrome.txt", "Subscribe\n\nDaily Papers\n\nMar 14\n")
    with pytest.warns(InputWarning), pytest.raises(NoPapersError) as exc:
        read_papers([d])
    assert str(d) in str(exc.value)


def test_empty_directory_raises_naming_the_input(tmp_path):
    d = tmp_path / "void"
    d.mkdir()
    with pytest.raises(NoPapersError) as exc:
        read_papers([d])
    assert str(d) in str(exc.value) and "empty directory" in str(exc.value)


def test_empty_directory_beside_papers_warns(tmp_path, good):
    d = tmp_path / "void"
    d.mkdir()
    with pytest.warns(InputWarning, match="directory has no files"):
        papers = read_papers([d, good])
    assert papers


def test_missing_file_warns_and_the_rest_is_read(tmp_path, good, input_warnings):
    missing = tmp_path / "missing.txt"
    with pytest.warns(InputWarning) as rec:
        papers = read_papers([missing, good])
    assert titles(papers) == GOOD_TITLES
    assert any(str(missing) in m for m in input_warnings(rec))
