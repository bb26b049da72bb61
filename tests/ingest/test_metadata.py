"""Record metadata (id, links, year, venue, authors, code) from every input shape, into papers."""
from __future__ import annotations

import json
import warnings

import pytest

from kg.errors import InputWarning
from kg.ingest import read_papers
from kg.ingest.metadata import arxiv_id, metadata


def _papers(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        papers = read_papers([path])
    return papers, [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


def test_jsonl_metadata_lands_on_the_paper(tmp_path):
    rec = {"id": "p1", "title": "T", "abstract": "A.", "url": "https://arxiv.org/abs/2004.05150v2",
           "year": "2020", "venue": "ACL", "authors": ["Ada", "Bob"], "code_url": "github.com/o/r"}
    (p,), warned = _papers(tmp_path, "a.jsonl", json.dumps(rec) + "\n")
    assert warned == []
    assert (p.id, p.record_id, p.url, p.arxiv_id, p.year, p.venue, p.authors, p.code_url) == (
        "p1", "p1", "https://arxiv.org/abs/2004.05150v2", "2004.05150", 2020, "ACL", ("Ada", "Bob"), "github.com/o/r")


def test_papers_with_code_dump_fields(tmp_path):
    dump = [{"paper_url": "https://paperswithcode.com/paper/x", "arxiv_id": "1706.03762", "title": "T",
             "abstract": "A.", "url_abs": "http://arxiv.org/abs/1706.03762v5", "proceeding": "NeurIPS 2017",
             "authors": ["Ashish Vaswani", "Noam Shazeer"], "tasks": ["Translation"], "date": "2017-06-12",
             "methods": []}]
    (p,), warned = _papers(tmp_path, "pwc.json", json.dumps(dump))
    assert (p.arxiv_id, p.year, p.date, p.venue, p.authors) == (
        "1706.03762", 2017, "2017-06-12", "NeurIPS 2017", ("Ashish Vaswani", "Noam Shazeer"))
    assert p.url == "https://paperswithcode.com/paper/x"
    assert len(warned) == 1 and "'tasks'" in warned[0] and "'methods'" in warned[0]


def test_daily_papers_api_id_is_the_arxiv_id(tmp_path):
    api = [{"paper": {"id": "2401.01234", "title": "T", "summary": "A.", "authors": [{"name": "Ada"}],
                      "publishedAt": "2024-01-02T18:00:00.000Z"}, "numComments": 3}]
    (p,), _ = _papers(tmp_path, "daily.json", json.dumps(api))
    assert (p.id, p.arxiv_id, p.authors, p.date, p.year) == ("2401.01234", "2401.01234", ("Ada",), "2024-01-02", 2024)


def test_unknown_fields_warn_once_per_file_not_per_line(tmp_path):
    lines = "".join(json.dumps({"title": f"T{i}", "abstract": "A.", "stars": i}) + "\n" for i in range(50))
    papers, warned = _papers(tmp_path, "many.jsonl", lines)
    assert len(papers) == 50
    assert warned == [f"{tmp_path / 'many.jsonl'}:1: field 'stars' ignored "
                      "(kg reads id, title, abstract, url, arxiv_id, year, date, venue, authors, code_url)"]


def test_csv_metadata_columns_and_one_warning_for_the_rest(tmp_path):
    text = "Title,Abstract,Year,Venue,Authors,Code_URL,Notes\nT,A.,2021,ICML,A; B,https://github.com/o/r,x\n"
    (p,), warned = _papers(tmp_path, "a.csv", text)
    assert (p.year, p.venue, p.authors, p.code_url) == (2021, "ICML", ("A", "B"), "https://github.com/o/r")
    assert len(warned) == 1 and "'notes'" in warned[0] and ":1:" in warned[0]


def test_bad_url_and_non_repository_code_url_are_named_and_dropped(tmp_path):
    rec = {"title": "T", "abstract": "A.", "url": "https://ex ample.org/\u0001", "code_url": "https://example.org/page"}
    (p,), warned = _papers(tmp_path, "a.jsonl", json.dumps(rec) + "\n")
    assert p.url is None and p.code_url == ""
    assert [w.split(": ", 1)[1].split(" ")[0] for w in warned] == ["url", "code_url"]
    assert all(w.startswith(f"{tmp_path / 'a.jsonl'}:1: ") for w in warned)


def test_records_join_by_id_or_by_title(tmp_path):
    rows = [{"id": "x", "title": "Old title", "abstract": "Short."},
            {"id": "x", "title": "New title", "abstract": "A longer abstract."},
            {"title": "New title", "abstract": "Short.", "venue": "ICLR"},
            {"id": "b", "title": "Other", "abstract": "A."}, {"id": "a", "title": "other", "abstract": "A."}]
    papers, _ = _papers(tmp_path, "a.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    assert [(p.id, p.title, p.venue, len(p.sources)) for p in papers] == [
        ("a", "Other", "", 2), ("x", "New title", "ICLR", 3)]


@pytest.mark.parametrize("ident, expected", [
    ("arXiv:1706.03762", "arXiv%3A1706.03762"), ("a> <b", "a%3E%20%3Cb"), ("..", "%2E%2E"), ("ü/1", "%C3%BC%2F1")])
def test_record_ids_are_escaped_for_iris(tmp_path, ident, expected):
    (p,), _ = _papers(tmp_path, "a.jsonl", json.dumps({"id": ident, "title": "T", "abstract": "A."}) + "\n")
    assert (p.id, p.record_id) == (expected, ident)


def test_metadata_survives_odd_values():
    m = metadata({"id": 7, "year": "20201", "authors": {"x": 1}, "venue": ["list"], "date": "2020-13-45",
                  "url": 10**30})
    assert (m.id, m.year, m.authors, m.venue, m.date, m.url) == ("7", None, (), "", "", None)
    assert arxiv_id("https://arxiv.org/abs/2004.05150v2") == "2004.05150"
    assert arxiv_id("https://notarxiv.org/abs/2004.05150") == ""
