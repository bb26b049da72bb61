"""Entity candidates of one document and the decisions about them.

Pure functions over token lists and candidate records: choose among
overlapping candidates, type unseen names from their context, reject
generic phrases.  The spaCy component in :mod:`kg.extract.pipeline` feeds
them and keeps no logic of its own.

>>> words = "results on the Foo dataset".split()
>>> type_from_context(words, 3, 4)
'Dataset'
>>> type_from_context("we train FooNet , a new network".split(), 2, 3)
'Model'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.lang.en.stop_words import STOP_WORDS

from .names import HEADS, head_type

SOURCES = {"lexicon": 4, "abbreviation": 3, "title": 2.5, "NAME": 2, "DATANAME": 2, "TITLED": 1, "PHRASE": 1,
           "WEAK": 0}
"""How much a candidate's source is trusted, strongest highest."""


@dataclass(frozen=True)
class Candidate:
    """A span of tokens ``[start, end)`` that may be an entity."""

    start: int
    end: int
    source: str
    type: str | None = None
    name: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


def choose(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: longest first, then the most trusted source.

    A longer unseen name that contains a lexicon entry takes that entry's type
    when it has none of its own ("Peri-LN" is a Technique because LN is).

    >>> c = choose([Candidate(0, 1, "lexicon", "Technique", "LayerNorm"), Candidate(0, 3, "NAME")])
    >>> [(x.start, x.end, x.type) for x in c]
    [(0, 3, 'Technique')]
    """
    order = sorted(candidates, key=lambda c: (-c.length, -SOURCES.get(c.source, 0), c.start))
    lexicon_at: dict[int, list[tuple[int, Candidate]]] = {}  # lexicon candidates by first token, with their rank
    for rank, c in enumerate(candidates):
        if c.source == "lexicon":
            lexicon_at.setdefault(c.start, []).append((rank, c))
    taken: set[int] = set()
    kept: list[Candidate] = []
    for cand in order:
        span = set(range(cand.start, cand.end))
        if span & taken:
            continue
        if cand.type is None:
            inner = [c for _, c in sorted((rc for i in span for rc in lexicon_at.get(i, ())), key=lambda rc: rc[0])
                     if c.end <= cand.end and c is not cand]
            if inner:
                cand = replace(cand, type=max(inner, key=lambda c: c.length).type)
        kept.append(cand)
        taken |= span
    return sorted(kept, key=lambda c: c.start)


_NEXT_CUES = {
    "dataset": "Dataset", "datasets": "Dataset", "benchmark": "Dataset", "benchmarks": "Dataset",
    "corpus": "Dataset", "suite": "Dataset", "challenge": "Dataset", "leaderboard": "Dataset",
    "val": "Dataset", "validation": "Dataset", "test": "Dataset", "split": "Dataset",
    "score": "Metric", "scores": "Metric", "metric": "Metric",
    "model": "Model", "models": "Model", "network": "Model", "architecture": "Model",
    "backbone": "Model", "encoder": "Model", "agent": "Model", "family": "Model",
    "method": "Technique", "algorithm": "Technique", "technique": "Technique",
    "optimizer": "Technique", "loss": "Technique", "mechanism": "Technique",
    "module": "Technique", "layer": "Technique", "strategy": "Technique", "scheme": "Technique",
    "prompting": "Technique", "regularization": "Technique", "attention": "Technique",
}
_APPOSITION = {w: t for t, ws in HEADS.items() for w in ws}
_APPOSITION.update({"framework": "Model", "system": "Model", "approach": "Technique",
                    "procedure": "Technique", "recipe": "Technique", "paradigm": "Technique",
                    "toolkit": "Model", "library": "Model", "llm": "Model", "vlm": "Model"})
_STOP_APPOSITION = {".", ";", "(", ")", ","}
_APPOSITION_END = {"for", "of", "that", "which", "to", "with", "in", "on", "by", "from", "trained",
                   "designed", "built", "where", "whose", "and", "using", "via", "at"}


def type_from_context(words: list[str], start: int, end: int) -> str | None:
    """The type the words around an unseen name imply, or ``None``.

    Looks at the next word ("X dataset", "X score"), then at an apposition
    ("X, a simple optimizer for …"), then at "on X" after an evaluation verb.
    """
    nxt = words[end].lower() if end < len(words) else ""
    if nxt in _NEXT_CUES:
        return _NEXT_CUES[nxt]
    if start >= 2 and words[start - 1] in {",", ":"} and words[start - 2].lower() in _NEXT_CUES \
            and not words[start - 2].lower().endswith("s") and (end >= len(words) or words[end] in {",", ".", ";", "("}):
        return _NEXT_CUES[words[start - 2].lower()]  # "a new NER dataset, GONERD, to …"
    after_list = _past_list(words, end)  # "the X, Y and Z benchmarks": the cue after the list
    if after_list != end and after_list < len(words) and words[after_list].lower() in _NEXT_CUES:
        return _NEXT_CUES[words[after_list].lower()]
    if nxt == "(" and ")" in words[end:end + 6]:  # "X (oBERT), an … method": skip the parenthesis
        end = words.index(")", end) + 1
    if end < len(words) and words[end] in {",", "(", ":"} and end + 1 < len(words) \
            and words[end + 1].lower() in {"a", "an", "the", "which", "our"}:
        # "X, a mask-classification model for …": the head is the last noun before "for"
        found = None
        window = words[end + 2:end + 12]
        for k, w in enumerate(window):
            if w.lower() in {"and", "or"} and found is None and k > 0 and _describes(window[k - 1]):
                continue  # "X, an efficient and accurate pruning method": two adjectives, one head
            if w in _STOP_APPOSITION or w.lower() in _APPOSITION_END:
                break
            if k + 1 < len(window) and window[k + 1] == "-":
                continue  # "retrieval-based model": the first half of a compound modifies
            t = _APPOSITION.get(w.lower()) or _APPOSITION.get(w.lower().rstrip("s"))
            if t and w.lower() not in {"learning", "training"}:
                found = t
        return found
    return None


def _describes(word: str) -> bool:
    """Is ``word`` an adjective-like describing word ("simple", "accurate", "training-free")?

    >>> [_describes(w) for w in ("simple", "accurate", "training-free", "model", "BERT")]
    [True, True, True, False, False]
    """
    w = word.lower()
    if not word.islower() or w in _APPOSITION or w.rstrip("s") in _APPOSITION:
        return False
    return w in _DESCRIBING or "-" in w or w.endswith(_ADJECTIVE_ENDINGS)


_DESCRIBING = {"simple", "new", "novel", "fast", "efficient", "accurate", "effective", "general", "robust",
               "lightweight", "flexible", "powerful", "strong", "principled", "practical", "unified",
               "generic", "modular", "compact", "small", "large", "cheap", "easy", "stable", "exact"}
_ADJECTIVE_ENDINGS = ("ive", "able", "ible", "al", "ic", "ous", "ful", "less", "ent", "ant", "ed", "ary")


_PARTS = {"tasks", "games", "environments", "splits", "subsets", "portions", "part", "parts", "levels"}
_EVAL_CUES = re.compile(r"experiment|evaluat|benchmark|result|achiev|outperform|accura|compar|"
                        r"state-of-the-art|sota|score|surpass|improv|perform|test", re.I)


_NAMEISH = re.compile(r"^([A-Z0-9][\w.@/+-]*|[a-z]+[A-Z0-9][\w.@/+-]*|-)$")


MAX_LIST = 20
"""Names a coordinated list is followed for: every name of a list looks past its end, so a list
of thousands of names would cost quadratic time; past this many, no cue after the list counts."""


def _past_list(words: list[str], end: int) -> int:
    """Index after a coordinated list of names that starts at ``end`` (", Y and Z"), at most
    :data:`MAX_LIST` names on.

    >>> _past_list("X , Y and Z benchmarks".split(), 1), _past_list(("X" + " , Y" * 60).split(), 1)
    (5, 41)
    """
    i = end
    for _ in range(MAX_LIST):
        if not (i + 1 < len(words) and words[i] in {",", "and", "or", "&"}):
            break
        j = i + 1
        if words[j] in {"and", "or"}:
            j += 1
        k = j
        while k < len(words) and _NAMEISH.match(words[k]) and k - j < 4:
            k += 1
        if k == j:
            break
        i = k
    return i


_NOT_DATA_AFTER = {"built", "based", "relies", "rely", "relying", "depends", "depend", "focus", "focuses",
                   "focusing", "runs", "run", "running", "deployed", "operates", "builds", "build",
                   "improves", "improve", "draws", "draw", "comment", "comments", "works", "work",
                   "rests", "hinges", "conditioned", "conditioning", "fine-tuned", "finetuned"}


def dataset_by_position(words: list[str], start: int) -> bool:
    """An unseen name right after "on"/"across" (not "built on", "based on") is data.

    >>> dataset_by_position("evaluated on SNEMI3D".split(), 2), dataset_by_position("built on FooNet".split(), 2)
    (True, False)
    """
    i = start - 1
    while i >= 0 and (words[i] in {",", "and", "or", "the"} or _NAMEISH.match(words[i])) and start - i < 8:
        if words[i].lower() in {"on", "across"}:
            break
        i -= 1
    if i >= 0 and words[i].lower() == "of":  # "on the Swahili portions of X", "on 39 years of X"
        j = i - 1
        while j >= 0 and i - j <= 5 and (words[j].isalpha() or words[j].isdigit()) \
                and words[j].lower() not in {"on", "across"}:
            j -= 1
        i = j
    if i < 0 or words[i].lower() not in {"on", "across"}:
        return False
    return i == 0 or words[i - 1].lower() not in _NOT_DATA_AFTER


def evaluation_sentence(text: str) -> bool:
    """Does the sentence report experiments? ("Experiments on X show …")"""
    return bool(_EVAL_CUES.search(text))


def after_on(words: list[str], start: int, window: int = 6) -> bool:
    """Is the span inside an "on/across/over …" phrase (a list after "on" counts)?"""
    for i in range(start - 1, max(0, start - window) - 1, -1):
        w = words[i]
        lw = w.lower()
        if lw in {"on", "across", "over", "using", "including", "in", "datasets", "benchmarks"}:
            return True
        if lw == "of" and i > 0 and words[i - 1].lower() in _PARTS:
            return True  # "18 of the 20 tasks of the DeepMind Control Suite"
        if lw in {".", ";", "with", "by", "than", "to", "for", "from", "outperform", "outperforms"}:
            return False
    return False


def name_type(surface: str, words: list[str], start: int, end: int, default: str = "Model") -> str:
    """Type of an unseen name: context first, then its head word, then ``default``."""
    return type_from_context(words, start, end) or head_type(surface) or \
        ("Dataset" if dataset_by_position(words, start) else default)


WEAK_METRICS = {"parameters", "parameter", "params", "model size", "memory", "memory footprint",
                "memory usage", "size", "compute", "training compute", "cost", "time", "runtime",
                "speed", "efficiency", "inference time", "inference speed", "training time"}
"""Cost words that are Metrics only where a value is stated or they are what is measured."""

_MEASURE_CUES = {"reduce", "reduces", "reduced", "reducing", "reduction", "fewer", "less", "lower",
                 "saves", "save", "saving", "savings", "number", "count", "cut", "cuts", "decrease",
                 "decreases", "measured", "higher", "faster", "improves", "improved", "speeds"}
_NUMBER_TOKEN = re.compile(r"^\d+(\.\d+)?(%|x|×)?$")


def metric_is_reported(words: list[str], start: int, end: int) -> bool:
    """Is a cost word used as a measured quantity ("reduces parameters by 40%")?

    >>> metric_is_reported("we reduce the parameters by 40 %".split(), 3, 4)
    True
    >>> metric_is_reported("a model with 7B parameters".split(), 4, 5)
    False
    """
    before = [w.lower() for w in words[max(0, start - 3):start]]
    after = words[end:end + 4]
    if any(w in _MEASURE_CUES for w in before):
        return True
    return any(_NUMBER_TOKEN.match(w) for w in after) and any(w in {"%", "x", "×", "by"} or
                                                           w.endswith(("%", "x")) for w in after)


GENERIC_BASELINE = re.compile(r"^(vanilla|original|standard|canonical)$", re.I)
"""Adjectives that make "Transformer" mean the specific original model."""


NOT_MODIFIERS = {
    "novel", "new", "proposed", "existing", "standard", "simple", "effective", "improved", "various",
    "different", "large", "small", "better", "fast", "faster", "additional", "traditional",
    "conventional", "popular", "common", "typical", "general", "overall", "full", "vanilla", "original",
    "several", "many", "multiple", "single", "efficient", "previous", "prior", "current", "recent",
    "modern", "powerful", "strong", "robust", "accurate", "scalable", "practical", "further",
    "extensive", "comprehensive", "successful", "significant", "specific", "particular", "same",
    "other", "such", "naive", "direct", "joint", "final", "initial", "whole",
    "entire", "good", "high", "low", "higher", "lower", "downstream", "subsequent", "appropriate",
    "careful", "costly", "expensive", "heavy", "lightweight", "best", "state-of-the-art",
    "sota", "task", "tasks", "model", "models", "method", "methods", "data", "based", "level",
    "image-level", "token-level", "quadratic", "linear", "exact", "approximate", "fine", "coarse",
    "real-world", "real", "world", "human", "automatic", "automated", "neural", "deep",
    # verbs and function words that stand before a noun in abstracts
    "introduce", "introduced", "introduces", "propose", "proposes", "present", "presents",
    "called", "named", "termed", "dubbed", "like", "unlike", "via", "improve", "improves", "discover",
    "discovers", "use", "uses", "used", "apply", "applies", "applied", "enable", "enables", "achieve",
    "achieves", "perform", "performs", "require", "requires", "adopt", "adopts", "leverage",
    "leverages", "employ", "employs", "combine", "combines", "study", "studies", "show", "shows",
    "place", "places", "replace", "replaces", "without", "diverse", "optimal", "cheap",
    "future", "past", "next", "their", "its", "global", "local-global", "more",
}
"""Words that do not make a technique or task phrase specific ("efficient attention")."""


def is_modifier(word: str) -> bool:
    """Can ``word`` premodify a technique/task head in a named phrase?

    >>> [is_modifier(w) for w in ("cross-layer", "clipped", "novel", "using", "the", "multi-label")]
    [True, True, False, False, False, True]
    >>> is_modifier("introduced")
    False
    """
    w = word.lower()
    if w == "-":
        return True
    if w in NOT_MODIFIERS or len(w) < 3 or not w[0].isalpha():
        return False
    if w.endswith("ing") and "-" not in w:
        return False
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")) and "-" not in w:
        return False  # "approximates", "mitigates": a verb (or a plural), not a modifier
    return w not in STOP_WORDS and not w.endswith("ly")
