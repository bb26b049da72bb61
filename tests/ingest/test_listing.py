"""Daily-papers listings: page chrome is skipped, titles pair with abstracts."""
from __future__ import annotations

import warnings

import pytest

from kg.errors import InputWarning
from kg.ingest.listing import clean_line, parse_listing

PAGE = """\
new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Mar 14

SubscribeFooNet: Fast Networks

We propose FooNet, a fast network for images.
   
\t
BarNet: Slow Networks
We propose BarNet, which is slow but accurate.
Mar 15
Sep 3, 2024
Baz: A Third Paper

  Baz is a model with a leading-space abstract line.  
"""


def records(text: str, file: str = "page.txt"):
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # a clean page warns about nothing
        return list(parse_listing(text.splitlines(), file))


def test_chrome_lines_are_skipped_and_titles_pair_with_abstracts():
    got = [(r.line, r.title, r.abstract) for r in records(PAGE)]
    assert got == [
        (13, "FooNet: Fast Networks", "We propose FooNet, a fast network for images."),
        (18, "BarNet: Slow Networks", "We propose BarNet, which is slow but accurate."),
        (22, "Baz: A Third Paper", "Baz is a model with a leading-space abstract line."),
    ]


def test_records_name_their_file():
    assert {r.file for r in records(PAGE, "dir/x.txt")} == {"dir/x.txt"}


@pytest.mark.parametrize("line", [
    "Get trending papers in your email inbox!",
    "Subscribe",
    "  Subscribe  ",
    "Daily Papers",
    "byAK and the research community",
    "Mar 14",
    "Sept 3",
    "Dec 31, 2023",
    "new",
    "",
    "   \t ",
])
def test_chrome_and_blank_lines_clean_to_nothing(line):
    assert clean_line(line) == ""


def test_title_glued_to_subscribe_is_unglued():
    assert clean_line("SubscribeViPFormer: Efficient Vision") == "ViPFormer: Efficient Vision"
    # a title that merely starts with the word keeps it
    assert clean_line("Subscribers Matter: A Study") == "Subscribers Matter: A Study"


def test_lone_title_at_end_warns_with_file_and_line(warned):
    text = "FooNet: Fast\nWe propose FooNet, fast.\n\nOrphan Title\n"
    with pytest.warns(InputWarning) as rec:
        got = list(parse_listing(text.splitlines(), "f.txt"))
    assert [r.title for r in got] == ["FooNet: Fast"]
    warned(rec, "f.txt", 4, "title without an abstract")


def test_none_lines_are_undecodable_and_skipped():
    # None stands for a line that was not UTF-8 (reported by the reader)
    lines = ["A: Title", None, "B: Title", "B abstract is here, long enough."]
    with pytest.warns(InputWarning):
        got = list(parse_listing(lines, "f.txt"))
    assert [(r.line, r.title) for r in got] == [(3, "B: Title")]
