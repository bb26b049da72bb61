"""Reading a spaCy ``Doc`` cheaply: words, sentence starts and text from arrays.

``Doc.text`` and ``Span.sent`` rebuild their answer from ``Token`` objects on
every access, which dominated the extractor's profile; these functions read
the doc's arrays once and cache the result in ``doc.user_data``.
"""
from __future__ import annotations

from spacy.tokens import Doc

SEPARATOR = "\n\n"
"""Between title and abstract in the text of a paper's ``Doc``."""


_SENTENCE_END = {".", "!", "?", SEPARATOR}


MAX_SENTENCE = 200
"""Tokens a sentence may have; a longer run without a sentence end is cut into sentences this
long.  The rules look around each name within its sentence, so a sentence of thousands of names
("we propose A1, A2, …") would cost time quadratic in its length; the longest sentence in the
seeds has 114 tokens."""


def sentence_starts(words: list[str], limit: int = MAX_SENTENCE) -> list[int]:
    """Per token, the index of the first token of its sentence.

    A sentence ends after ".", "!" or "?" (and the title ends at the separator
    before the abstract), or after ``limit`` tokens; computed from the words alone, which is
    several times cheaper than spaCy's sentencizer over ``Token`` objects.

    >>> sentence_starts(["We", "win", ".", "It", "works", "!"])
    [0, 0, 0, 3, 3, 3]
    >>> sentence_starts(["a", "b", "c", "d", "e"], limit=2)
    [0, 0, 2, 2, 4]
    """
    starts, first = [], 0
    for i, w in enumerate(words):
        if i > 0 and words[i - 1] in _SENTENCE_END or i - first >= limit:
            first = i
        starts.append(first)
    return starts


def token_view(doc: Doc) -> tuple[list[str], list[int]]:
    """The doc's words and, per token, the index of its sentence's first token.

    Computed once per doc from arrays (no ``Token`` objects, slow in bulk) and
    cached in ``doc.user_data`` with the doc's text.
    """
    cached = doc.user_data.get("kg_view")
    if cached is None:
        strings = doc.vocab.strings
        words = [strings[o] for o in doc.to_array("ORTH").tolist()]
        spaces = doc.to_array("SPACY").tolist()
        doc.user_data["kg_text"] = "".join(w + " " if sp else w for w, sp in zip(words, spaces))
        for i, w in enumerate(words):  # a spaced "-" separates clauses like "—"; a hyphen joins words
            if w == "-" and (spaces[i] or (i > 0 and spaces[i - 1])):
                words[i] = "—"
        cached = doc.user_data["kg_view"] = (words, sentence_starts(words))
    return cached


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per doc from arrays (spaCy rebuilds it from tokens on every access)."""
    if "kg_text" not in doc.user_data:
        token_view(doc)
    return doc.user_data["kg_text"]


def lower_words(doc: Doc) -> list[str]:
    """The doc's words lower-cased, once per doc (the rules and the classifier both read them)."""
    cached = doc.user_data.get("kg_lower")
    if cached is None:
        cached = doc.user_data["kg_lower"] = [w.lower() for w in token_view(doc)[0]]
    return cached


def title_length(doc: Doc) -> int:
    """Characters of the title: the text before the separator (all of it without one)."""
    text = doc_text(doc)
    cut = text.find(SEPARATOR)
    return len(text) if cut < 0 else cut


def char_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The characters ``[first, last)`` of tokens ``[start, end)``, without trailing space."""
    words, _ = token_view(doc)
    return doc[start].idx, doc[end - 1].idx + len(words[end - 1])


def sentence_bounds(starts: list[int], i: int) -> tuple[int, int]:
    """``[start, end)`` token range of the sentence holding token ``i``."""
    start, end = starts[i], i
    while end < len(starts) and starts[end] == start:
        end += 1
    return start, end
