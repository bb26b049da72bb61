"""What a paper's title says about its contribution, and how its name meets the abstract's.

The name before the colon ("ELECTRA: …") is the paper's own unless the head is a
phrase or a label ("Less is More: …", "Open Problem: …"); an unseen name elsewhere
in the title is proposed unless it is the target of the work ("… for X").

>>> title_head("ELECTRA: Pre-training Text Encoders as Discriminators")
(0, 7)
>>> title_head("Mind the Gap: Domain Shift in Speech") is None
True
>>> title_head("Vision Mamba: A Comprehensive Survey of State Space Vision Models") is None
True
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from .abbreviations import best_long_form
from .candidates import Candidate
from .lexicon import Lexicon
from .names import head_type, match_key

_TITLE_LABELS = {"survey", "review", "position", "tutorial", "note", "editorial", "open problem", "open problems",
                 "live demonstration", "demonstration", "demo", "viewpoint", "perspective", "commentary",
                 "erratum", "corrigendum", "correction", "correction to", "retraction", "reply", "rejoinder",
                 "comment", "discussion", "keynote", "extended abstract", "technical report", "case study",
                 "overview", "preface", "foreword", "opinion"}
"""Heads that label the kind of paper ("Open Problem: …"), not a contribution."""
_CLAUSE_WORDS = {"is", "are", "was", "were", "be", "the", "your", "you", "we", "our", "my", "it", "its", "not",
                 "do", "does", "did", "can", "should", "what", "how", "why", "when", "where", "than"}
_GERUND_EXCEPTIONS = {"string", "king", "bring", "ring", "spring", "thing", "wing", "sing"}


_SURVEY = re.compile(r"^\s*(an?\s+|the\s+)?([\w-]+\s+){0,3}(survey|review|overview|tutorial|primer)"
                     r"(\s+(of|on|and|for|in|with|from)\b|\s*[!.,:;?]|\s*$)", re.I)
"""A subtitle that says the paper surveys the head's topic ("X: A Comprehensive Survey")."""
_ADVERB = re.compile(r"(ally|ively|ently|ously|antly|edly|ingly|ably|ibly)$")


def phrase_not_name(words: list[str]) -> bool:
    """Do a title's words before the colon make a phrase ("Less is More", "Rethinking X"), not a name?

    A clause word inside ("is", "the", "your"), a function word at the end ("Correction to"),
    or a gerund or "Towards"/"Beyond" first ("Revisiting ResNets") say it describes.

    >>> [phrase_not_name(h.split()) for h in ("Mind the Gap", "Revisiting ResNets", "Towards Robustness",
    ...                                       "Tree of Thoughts", "ELECTRA", "Swin Transformer")]
    [True, True, True, False, False, False]
    >>> phrase_not_name("Probing Vision Encoders".split()), phrase_not_name("Warping Layer".split())
    (True, False)
    >>> phrase_not_name("Scale Efficiently".split())
    True
    """
    lower = [w.lower() for w in words]
    if not lower:
        return False
    if any(w in _CLAUSE_WORDS for w in lower[1:]) or lower[0] in _CLAUSE_WORDS - {"the", "our"}:
        return True
    if any(_ADVERB.search(w) for w in lower):
        return True  # "Scale Efficiently", "Provably Robust"
    if len(lower) > 1 and lower[-1] in {"to", "of", "for", "and", "with", "in", "on", "from", "by", "at"}:
        return True
    if lower[0] in {"towards", "toward", "beyond", "on", "from", "rethinking", "revisiting"}:
        return True
    first = words[0]
    if not (len(lower) > 1 and first[1:].islower() and lower[0].endswith("ing")
            and lower[0] not in _GERUND_EXCEPTIONS):
        return False
    # a gerund first is a verb ("Probing GNN Explainers") unless it modifies a singular
    # head noun of a model or technique ("Warping Layer")
    return lower[-1].endswith("s") or lower[-1] in {"learning", "training"} \
        or head_type(" ".join(words)) not in ("Model", "Technique")


_TITLE_TARGET = {"for", "of", "using", "on", "beyond", "from", "to", "against", "than", "versus", "vs", "vs.",
                 "in", "into", "at", "about", "under"}


def title_target(before: list[str]) -> bool:
    """Is a name in a title the target of what precedes it ("… for CoralNet", "Extending X")?

    ``before`` are the title's words before the name.  Walking left over a list of
    names ("Using Mask R-CNN and X"), a preposition or a capitalised gerund decides.

    >>> title_target("A New Engine for".split()), title_target("Robust Unlearning with".split())
    (True, False)
    >>> title_target("Using Mask R-CNN and".split()), title_target([])
    (True, False)
    """
    for w in reversed(before):
        lw = w.lower()
        if lw in _TITLE_TARGET:
            return True
        if w[:1].isupper() and w[1:].islower() and lw.endswith("ing") and lw not in _GERUND_EXCEPTIONS:
            return True  # "Extending X", "Diagnosing X"
        if lw in {"and", ",", "&", "or", "-"} or w[:1].isupper() or w[:1].isdigit():
            continue  # a list of names, or capitalised title words
        return False  # "with X", "via X": the paper's own means
    return False


_MODEL_HEADS = {"transformer", "network", "net", "encoder", "decoder", "autoencoder", "architecture", "mixer"}
_LEAD_END = {"for", "with", "via", "in", "on", "to", "through", "from", "by", "and", "as", "under", "without",
             "at", "of", "is", "are"}


def title_lead(title: str) -> tuple[int, int] | None:
    """Character range of a model's name opening a title without a colon, if any.

    "Sparse Mixture Transformer", "Dense Memory Network for …": two to four
    capitalised words that end in a singular model head and stop at a link word.

    >>> title_lead("Depth-Adaptive Transformer for Speech")
    (0, 26)
    >>> [title_lead(t) for t in ("Learning Spectral Transform Network on Surfaces", "A Hierarchical Model",
    ...                          "Vision Transformers for Dense Prediction")]
    [None, None, None]
    """
    if ":" in title or "?" in title:
        return None
    words = title.split()
    start = 1 if words and words[0].lower() in {"a", "an", "the"} else 0
    lead = []
    for w in words[start:]:
        if w.lower() in _LEAD_END:
            break
        lead.append(w)
    if not 2 <= len(lead) <= 4 or not all(w[:1].isupper() or w[:1].isdigit() for w in lead):
        return None
    last = lead[-1].lower()
    if not (last in _MODEL_HEADS or last.endswith(("former", "net"))) or lead[0].lower().endswith("ing") \
            or phrase_not_name(lead):
        return None
    begin = title.index(lead[0]) if start == 0 else title.index(lead[0], len(words[0]))
    return begin, title.index(lead[-1], begin) + len(lead[-1])


def title_head(title: str) -> tuple[int, int] | None:
    """Character range of the name before the colon in a title, if short.

    >>> title_head("ELECTRA: Pre-training Text Encoders as Discriminators")
    (0, 7)
    >>> title_head("Scaling Laws vs Model Architectures: How does Bias Influence?") is None
    True
    """
    if ":" not in title:
        return None
    head = title.split(":", 1)[0]
    stripped = head.strip()
    if not stripped or len(stripped.split()) > 3 or not any(ch.isupper() for ch in stripped):
        return None
    if stripped.lower() in _TITLE_LABELS or phrase_not_name(stripped.split()) or _SURVEY.match(title.split(":", 1)[1]):
        return None  # "Less is More: …", "Open Problem: …", "GPT: A Comprehensive Review of …"
    if re.search(r"\s(and|or|vs\.?|versus|&)\s|,", stripped, re.I):
        return None  # "ELECTRA and GPT-4o: …" names two things, not one contribution
    start = head.index(stripped)
    return start, start + len(stripped)


_LINK_WORDS = {"for", "with", "via", "in", "on", "of", "and", "to", "as", "by", "from", "at", "towards"}


def title_expansion(title: str) -> str | None:
    """The long name after the colon that spells out the title's name.

    >>> title_expansion("GridFormer: Gridded Transformer for Weather Forecasting")
    'Gridded Transformer'
    >>> title_expansion("BARTok: Tokenizers as Compressors") is None
    True
    >>> title_expansion("FastNet: Vision Networks at Phone Speed") is None
    True
    """
    if title_head(title) is None:
        return None
    words = []
    for w in title.split(":", 1)[1].split():
        if w.lower() in _LINK_WORDS or not w[:1].isupper():
            break
        words.append(w.strip(",;"))
    if len(words) >= 2 and words[-1].lower().rstrip("s") in {"transformer", "network", "model", "net"}:
        expansion = " ".join(words)
        head = title.split(":", 1)[0].strip()
        if best_long_form(head, expansion) is not None:  # the name is made of the words' letters
            return expansion
    return None


# ---------------------------------------------- the title's name among the abstract's candidates


_TITLE_HEAD_WORDS = {"transformer", "network", "net", "model", "framework", "architecture"}


def title_head_as_short_name(words: list[str], start: int, end: int, short_forms: dict,
                              cands: list[Candidate]) -> list[Candidate]:
    """"FooNet Transformer: …" where the abstract calls it "FooNet": the title's name is that entity.

    The title adds a head word ("Transformer", "Framework") to the name the abstract
    uses on its own (a defined short form, or a name-shaped word): one entity, not two.
    """
    core = tuple(words[start:end - 1])
    if end - start < 2 or words[end - 1].lower() not in _TITLE_HEAD_WORDS:
        return []
    if core in short_forms:
        type_, name, source = short_forms[core]
        return [Candidate(start, end, source, type_, name)]
    if any(c.source == "NAME" and c.start >= end and tuple(words[c.start:c.end]) == core for c in cands):
        return [Candidate(start, end, "abbreviation", None, " ".join(core).replace(" - ", "-"))]
    return []


def short_name_of(long_name: str, cands: list[Candidate], doc: Doc) -> str | None:
    """The abstract's short name for a title's long name ("GRHT" for "Gated Recurrent
    Hierarchical Transformer"): a name-shaped candidate whose letters spell the whole long name."""
    for c in cands:  # the abstract defines the long name itself: "… Transformer (SUT)"
        if c.source in ("abbreviation", "lexicon") and c.name and match_key(c.name) == match_key(long_name):
            return c.name
    for c in cands:
        surface = doc[c.start:c.end].text
        if c.source in ("NAME", "WEAK") and len(surface) >= 3 and best_long_form(surface, long_name) == 0 \
                and capitals_are_initials(surface, long_name):
            return surface
    return None


def capitals_are_initials(short: str, long_name: str) -> bool:
    """Is every capital of ``short`` the initial of a word of ``long_name``?

    >>> capitals_are_initials("GRHT", "Gated Recurrent Hierarchical Transformer")
    True
    >>> capitals_are_initials("mIoU", "Multi-Scale High-Resolution Vision Transformer")
    False
    """
    initials = {w[0].upper() for w in re.split(r"[\s-]+", long_name) if w}
    return all(ch in initials for ch in short if ch.isupper())


def generic_lead(text: str, lex: Lexicon) -> bool:
    """Is a title's leading model phrase a generic family with modifiers ("Dynamic Neural Network")?"""
    words = text.split()
    return any(lex.is_generic(" ".join(words[i:])) for i in range(len(words) - 1)) \
        or lex.is_generic(" ".join(words[:-1])) or any(lex.is_generic(" ".join(words[i:-1]))
                                                      for i in range(1, len(words) - 2))


def recurrences(words: list[str], start: int, end: int) -> list[int]:
    """Where the words ``[start, end)`` occur again after ``end`` (the title's name in the abstract).

    >>> recurrences("D - CPT Law : fits \\n\\n we fit the D - CPT Law .".split(), 0, 4)
    [9]
    """
    form, n = words[start:end], end - start
    return [i for i in range(end, len(words) - n + 1) if words[i] == form[0] and words[i:i + n] == form]
