"""Candidate spans beyond the rules' own, for the learned classifier to judge.

The rules keep only what their cues support; the classifier can do better
only on spans it is shown.  These suggesters are deliberately generous and
pure (words in, token ranges out); :mod:`kg.extract.classify` scores them.

- :func:`phrase_candidates`: lower-case phrases ending in a head word learned
  from the training split ("rank-based contrastive learning");
- :func:`name_candidates`: hyphen-joined names with a capital or digit
  ("EPIC-Kitchens", "SWE-Agent") and runs of capitalised words
  ("Dual Capsule Attention Mask Network");
- :func:`cue_candidates`: what a proposing verb introduces ("we introduce a
  gated token mixer and a contrastive calibration head");
- the raw matches of the lexicon and the name-shape ruler that the rules dropped.
"""
from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc

RAW_NAME_LABELS = ("NAME", "WEAK", "TITLED")


def phrase_candidates(lower: list[str], heads: frozenset[str], stop: frozenset[str],
                      max_words: int = 5) -> list[tuple[int, int]]:
    """Token ranges ending in a learned head word, over runs of content words.

    ``heads`` are the words that end gold Technique, Task and Metric names in
    the training split (see :func:`kg.extract.training.learn_heads`); a run stops
    at a stop word or punctuation, a hyphen joins words.

    >>> phrase_candidates("we use rank - based contrastive learning .".split(),
    ...                   frozenset({"learning"}), frozenset({"we", "use"}))
    [(6, 7), (5, 7), (4, 7), (2, 7)]
    """
    out = []
    for i, w in enumerate(lower):
        if w not in heads:
            continue
        words, j = 1, i
        out.append((i, i + 1))
        while j > 0 and words < max_words:
            prev = lower[j - 1]
            if prev == "-" and j > 1 and _content(lower[j - 2], stop):
                j -= 2
            elif _content(prev, stop):
                j -= 1
            else:
                break
            words += 1
            out.append((j, i + 1))
    return out


def _content(word: str, stop: frozenset[str]) -> bool:
    return word not in stop and any(ch.isalnum() for ch in word)


def _named(word: str) -> bool:
    return any(ch.isupper() or ch.isdigit() for ch in word)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and any(ch.isalpha() for ch in word)


def name_candidates(words: list[str], starts: list[int], max_words: int = 6) -> list[tuple[int, int]]:
    """Hyphen-joined names with a capital or digit, and runs of capitalised words.

    A run that opens a sentence is also offered without its first word ("The",
    "Our", a verb).

    >>> name_candidates("We use EPIC - Kitchens and Dual Capsule Attention Network .".split(), [0] * 10)
    [(2, 5), (6, 10)]
    """
    out, i, n = [], 0, len(words)
    while i < n:  # hyphen compounds: "EPIC - Kitchens", "SWE - Agent", "Bio_ClinicalBERT - v2"
        j = i + 1
        while j + 1 < n and words[j] == "-" and any(ch.isalnum() for ch in words[j + 1]) \
                and any(ch.isalnum() for ch in words[j - 1]):
            j += 2
        if j - i >= 3 and any(_named(w) for w in words[i:j]):
            out.append((i, j))
        i = j
    i = 0
    while i < n:  # capitalised runs
        if not _capitalised(words[i]):
            i += 1
            continue
        j = i
        while j < n and (_capitalised(words[j]) or (words[j] == "-" and j + 1 < n and j > i)):
            j += 1
        while j > i and words[j - 1] == "-":
            j -= 1
        if 2 <= j - i <= max_words:
            out.append((i, j))
            if starts[i] == i and j - i >= 3:
                out.append((i + 1, j))
        i = max(j, i + 1)
    return list(dict.fromkeys(out))


_PROPOSING = ("propos", "introduc", "present", "develop", "design", "devis", "formulat", "call",
              "nam", "dub", "term", "build", "construct", "creat")


def cue_candidates(lower: list[str], stop: frozenset[str], max_words: int = 6,
                   items: int = 3) -> list[tuple[int, int]]:
    """The phrases a proposing verb introduces, and their shorter tails.

    "we introduce a gated token mixer and a contrastive calibration head":
    each coordinated item after the verb, up to ``items`` of them, and every
    tail of it (a leading adjective is often not part of the name).

    >>> cue_candidates("we introduce a gated mixer and a calibration head .".split(),
    ...                frozenset({"we", "a", "and"}))
    [(3, 5), (4, 5), (7, 9), (8, 9)]
    """
    out = []
    for i, w in enumerate(lower):
        if not w.startswith(_PROPOSING):
            continue
        j, found = i + 1, 0
        while j < len(lower) and found < items:
            while j < len(lower) and lower[j] in stop and lower[j] not in (".", ";"):
                j += 1
            k = j
            while k < len(lower) and k - j < max_words * 2 and (
                    _content(lower[k], stop) or (lower[k] == "-" and k > j)):
                k += 1
            while k > j and lower[k - 1] == "-":
                k -= 1
            if k == j:
                break
            out += [(a, k) for a in range(j, k) if lower[a] != "-" and (k - a) <= max_words * 2]
            found += 1
            if k >= len(lower) or lower[k] not in (",", "and", "or"):
                break
            j = k + 1
    return out


def suggestions(doc: Doc, words: list[str], heads: frozenset[str],
                stop: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """Every suggested ``(start, end, source)`` of a paper's doc."""
    from .docview import token_view

    _, starts = token_view(doc)
    for s in doc.spans.get("kg_lexicon", ()):
        yield s.start, s.end, "raw_lexicon"
    for s in doc.spans.get("kg_names", ()):
        if s.label_ in RAW_NAME_LABELS:
            yield s.start, s.end, f"raw_{s.label_}"
    for start, end in name_candidates(words, starts):
        yield start, end, "name"
    lower = [w.lower() for w in words]
    for start, end in cue_candidates(lower, stop):
        yield start, end, "cue"
    if heads:
        for start, end in phrase_candidates(lower, heads, stop):
            yield start, end, "phrase"
