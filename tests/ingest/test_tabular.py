"""JSON Lines and CSV readers: fields, line numbers, and skipped records."""
from __future__ import annotations

import warnings

import pytest

from kg.errors import InputWarning
from kg.ingest.tabular import parse_csv, parse_jsonl


def clean(reader, lines, file):
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        return list(reader(lines, file))


def test_jsonl_fields_and_lines():
    lines = ['{"id": 7, "title": " A Title ", "abstract": "An abstract.", "url": "https://x.org/a"}',
             "",
             '{"title": "B", "abstract": "Bee.", "code_url": "https://github.com/o/r"}']
    got = clean(parse_jsonl, lines, "f.jsonl")
    assert [(r.line, r.id, r.title, r.abstract, r.url, r.meta.code_url, r.file) for r in got] == [
        (1, "7", "A Title", "An abstract.", "https://x.org/a", "", "f.jsonl"),
        (3, None, "B", "Bee.", None, "https://github.com/o/r", "f.jsonl"),
    ]


def test_jsonl_malformed_line_warns_and_rest_is_read(warned):
    lines = ['{"title": "A", "abstract": "a."}', '{"title": "B", "abstract": ', '{"title": "C", "abstract": "c."}']
    with pytest.warns(InputWarning) as rec:
        got = list(parse_jsonl(lines, "f.jsonl"))
    assert [r.title for r in got] == ["A", "C"]
    warned(rec, "f.jsonl", 2, "malformed JSON")


def test_jsonl_record_missing_abstract_warns(warned):
    lines = ['{"title": "A"}', '{"title": "B", "abstract": "   "}', '[1, 2]', '{"title": "C", "abstract": "c."}']
    with pytest.warns(InputWarning) as rec:
        got = list(parse_jsonl(lines, "f.jsonl"))
    assert [r.title for r in got] == ["C"]
    warned(rec, "f.jsonl", 1, "abstract")
    warned(rec, "f.jsonl", 2, "abstract")
    warned(rec, "f.jsonl", 3, "JSON object")


def test_csv_fields_any_case_header_and_lines():
    lines = ["ID,Title,ABSTRACT,url", "1,A Title,An abstract.,https://x.org/a", "", '2,"B, quoted","Bee ""b"".",']
    got = clean(parse_csv, lines, "f.csv")
    assert [(r.line, r.id, r.title, r.abstract, r.url) for r in got] == [
        (2, "1", "A Title", "An abstract.", "https://x.org/a"),
        (4, "2", "B, quoted", 'Bee "b".', None),
    ]


def test_csv_without_abstract_column_warns_and_is_skipped(warned):
    with pytest.warns(InputWarning) as rec:
        got = list(parse_csv(["title,summary", "A,a."], "f.csv"))
    assert got == []
    warned(rec, "f.csv", 1, "abstract")


def test_csv_short_row_warns(warned):
    with pytest.warns(InputWarning) as rec:
        got = list(parse_csv(["title,abstract,url", "A,a.", "B,b.,"], "f.csv"))
    assert [r.title for r in got] == ["B"]
    warned(rec, "f.csv", 2, "fields")


def test_csv_multiline_field_source_is_the_line_the_record_starts_on():
    # Source.line is "the 1-based line it starts on" (kg.records.Source)
    lines = ["title,abstract", 'A,"first line', 'second line"', "B,b."]
    got = clean(parse_csv, lines, "f.csv")
    assert [(r.title, r.line) for r in got] == [("A", 2), ("B", 4)]


def test_jsonl_unpaired_surrogate_is_replaced_with_a_warning(warned, tmp_path):
    r"""``"\ud800"`` alone decodes to a lone surrogate, which no UTF-8 file can hold: it becomes U+FFFD."""
    lines = ['{"title": "A", "abstract": "a."}', '{"title": "B \\ud800 net", "abstract": "b \\udfff."}',
             '{"title": "C \\ud83d\\ude00", "abstract": "c."}']  # a real pair is one character, kept
    with pytest.warns(InputWarning) as rec:
        got = list(parse_jsonl(lines, "f.jsonl"))
    assert [r.title for r in got] == ["A", "B \ufffd net", "C \U0001F600"]
    assert got[1].abstract == "b \ufffd."
    warned(rec, "f.jsonl", 2, "unpaired surrogate escape in title, abstract")
    # and a build of such a file writes its outputs
    from kg import api

    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(InputWarning):
        summary = api.build([path], tmp_path / "out", site=False)
    assert summary.papers == 3
    assert "B \ufffd net" in (tmp_path / "out" / "graph.nt").read_text(encoding="utf-8")
