"""Candidate finders: named things that no lexicon entry or name shape catches.

Each takes the doc's words (and lower-cased words) and returns
:class:`~kg.extract.candidates.Candidate` records for
:func:`kg.extract.components.decide_entities` to choose among.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from .candidates import Candidate, is_modifier
from .lexicon import Lexicon
from .shapes import LOWER_OR_HYPHEN, TITLE_WORD


_INTRODUCING = {"propose", "proposes", "introduce", "introduces", "present", "presents", "call", "name",
                "dub", "term", "called", "named", "dubbed", "termed"}


_AUXILIARIES = {"has", "have", "had", "was", "were", "is", "are", "been", "be", "being", "get", "gets"}


def _verb_after_auxiliary(lower: list[str], i: int) -> bool:
    """"has received wide attention": a participle after an auxiliary is a verb, not a modifier."""
    return i > 0 and lower[i - 1] in _AUXILIARIES and lower[i].endswith(("ed", "en"))


_PLAIN_WORDS = {"real", "world", "large", "scale", "small", "well", "known", "high", "low", "quality",
                "resource", "open", "source", "fine", "grained", "long", "short", "term", "multi", "cross",
                "domain", "out", "of", "in", "publicly", "available", "widely", "used", "synthetic", "public",
                "private", "standard", "popular", "diverse", "challenging", "natural", "noisy", "clean",
                "labeled", "labelled", "unlabeled", "medical", "clinical", "image", "text", "video", "audio",
                "speech", "graph", "tabular", "multilingual", "english", "benchmark", "downstream", "other",
                "several", "many", "various", "different", "new", "existing", "classic", "classical",
                "common", "commonly", "state", "the", "art", "web", "crawled", "curated", "human", "annotated"}
"""Ordinary words: a list item made only of them ("real-world") is a description, not a name."""
_DATA_NOUNS = {"dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora"}
_NAME_ITEM = re.compile(r"^([A-Z][\w]*|[a-z]+[A-Z0-9][\w]*|[a-z0-9]+|-)$")


def listed_before_data_noun(words: list[str], lower: list[str], stop: set[str], lex: Lexicon) -> list[Candidate]:
    """"the Wikipedia, Reddit and tgbl-comment datasets": every item of the list is a dataset.

    Items must look like names (a capital, a digit or a hyphenated code), so
    "the training and test datasets" gives nothing.
    """
    out = []
    for i, w in enumerate(lower):
        if w not in _DATA_NOUNS or i < 3 or words[i - 1] in {",", "and", "or"}:
            continue
        items, j, end = [], i - 1, i
        while j >= 0 and len(items) < 8:
            if words[j] in {",", "and", "or"}:
                if end - j > 1:
                    items.append((j + 1, end))
                end = j
            elif not _NAME_ITEM.match(words[j]) or lower[j] in {"the", "on", "of", "in", "from", "for", "all"}:
                break
            j -= 1
        if end - j > 1:
            items.append((j + 1, end))
        if len(items) < 2:
            continue  # a single name before the noun is the DATANAME pattern's job
        first = min(items)
        if j < 0 or words[j] in {".", ";", ":"}:
            items.remove(first)  # "Furthermore, X and Y datasets": the list starts after the adverb
        for a, b in items:
            while a < b and (lower[a] == words[a] and "-" not in words[a:b] or lower[a] in stop):
                a += 1  # "standard Enwik8": a lower-case adjective is not part of the name
            if a == b or all(w in _PLAIN_WORDS or w == "-" for w in lower[a:b]):
                continue  # "synthetic and real-world datasets": describing words, not names
            text = " ".join(words[a:b]).replace(" - ", "-")
            looks = any(ch.isupper() or ch.isdigit() for ch in text) or "-" in words[a:b]
            if looks and lower[a] not in stop and not lex.is_generic(text) and b - a <= 4:
                out.append(Candidate(a, b, "DATANAME", "Dataset"))
    return out


def phrase_start(doc: Doc, words: list[str], lower: list[str], head: int) -> int | None:
    """First token of the modifiers before a technique head ("gated" in "… and gated attention").

    Walks left over up to five modifier words (hyphen-joined words count as one
    modifier, a spaced dash ends the phrase); ``None`` when there is no modifier
    or the phrase would start inside a hyphenated word ("few-shot").
    """
    start = head
    while start > 0 and head - start < 5:
        w = words[start - 1]
        if w == "-":
            if doc[start - 1].whitespace_ or doc[start - 2].whitespace_ if start >= 2 else True:
                break  # " - " is a dash between clauses, not a hyphen
        elif not (LOWER_OR_HYPHEN.match(w) and is_modifier(w) and not _verb_after_auxiliary(lower, start - 1)):
            break
        start -= 1
    while start < head and words[start] == "-":
        start += 1
    if start == head or (start > 0 and words[start - 1] == "-" and not doc[start - 1].whitespace_
                         and not doc[start - 2].whitespace_):
        return None
    return start


def hyphen_modified_tasks(doc: Doc, words: list[str], lower: list[str], cands: list[Candidate]) -> list[Candidate]:
    """A hyphenated modifier makes a known task specific: "multi-label text classification",
    "long-term time series forecasting".  (Bare heads such as "classification" are left alone:
    "node-level prediction" or "one-step generation" measured as more noise than signal.)"""
    tasks = {c.end: c for c in cands if c.source == "lexicon" and c.type == "Task"}
    out = []
    for end in range(1, len(words) + 1):
        head = tasks.get(end)
        if head is None or head.start < 3 or words[head.start - 2] != "-":
            continue
        start = head.start
        a, b = start - 3, start - 1
        if not (lower[a].isalpha() and lower[b].isalpha() and words[a].islower() and words[b].islower()):
            continue
        if doc[a].whitespace_ or doc[start - 2].whitespace_:
            continue  # "low - cost" with spaces is not one word
        out.append(Candidate(a, end, "PHRASE", "Task", None))
    return out


def plain_word_names(words: list[str], lower: list[str], stop: set[str], lex: Lexicon) -> list[Candidate]:
    """A capitalised plain word introduced as a name: "We propose Ripple, a sequence model".

    Every other use of the same word in the paper (the title's "Ripple: …" too) is a
    candidate as well; its type is decided later from context.
    """
    names = set()
    for i in range(1, len(words) - 2):
        if lower[i - 1] in _INTRODUCING and words[i + 1] == "," and lower[i + 2] in {"a", "an"} \
                and TITLE_WORD.match(words[i]) and lower[i] not in stop and not lex.is_generic(words[i]) \
                and lex.lookup(words[i]) is None:
            names.add(words[i])
    if not names:
        return []
    return [Candidate(i, i + 1, "NAME") for i, w in enumerate(words) if w in names]
