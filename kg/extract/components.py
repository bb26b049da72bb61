"""spaCy components of the extractor, registered as ``kg_*`` factories.

Each component only moves data between spaCy and the pure functions of
:mod:`kg.extract.candidates`, :mod:`kg.extract.abbreviations` and friends:

- ``kg_lexicon``: the lexicon's names through two ``PhraseMatcher``s
  (exact case and lower case) into ``doc.spans["kg_lexicon"]``;
- spaCy's own ``span_ruler`` (named ``kg_names``) with ``data/patterns.jsonl``
  finds name-shaped tokens ("ViPFormer", "kMaX-DeepLab", "GPT-3") into
  ``doc.spans["kg_names"]``;
- ``kg_entities``: abbreviations, typing, filtering into ``doc.spans["kg"]``
  (label = type, ``kb_id_`` = the name the paper resolves it to).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .abbreviations import find_abbreviations
from .candidates import (GENERIC_BASELINE, WEAK_METRICS, Candidate, choose, metric_is_reported, name_type, type_from_context)
from .lexicon import DATA, Lexicon, default_lexicon
from .names import head_type, match_key
from .repos import find_repositories
from .docview import SEPARATOR, doc_text, lower_words, sentence_bounds, title_length, token_view
from .finders import hyphen_modified_tasks, listed_before_data_noun, phrase_start, plain_word_names
from .shapes import CAP_OR_DIGIT_OR_HYPHEN, TITLE_WORD
from .pattern_tokens import PatternKeys
from .roles import proposes_here
from .titles import (generic_lead, recurrences, short_name_of, title_expansion, title_head,
                     title_head_as_short_name, title_lead)

def _stopnames() -> set[str]:
    path = DATA / "stopnames.txt"
    return {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


class LexiconMatcher:
    """Marks every lexicon name; longest match wins later, in ``choose``."""

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.lexicon = lexicon
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        by_matcher: dict[tuple[bool, str], list[str]] = {}
        for mid, form, case_sensitive in lexicon.patterns():
            by_matcher.setdefault((case_sensitive, mid), []).append(form)
        keys = PatternKeys(nlp)  # token ids, not Docs: no lexeme is made for the names' words
        for (case_sensitive, mid), forms in by_matcher.items():
            matcher = self.exact if case_sensitive else self.lower
            matcher.add(mid, [k for k in (keys(form, lower=not case_sensitive) for form in forms) if k])

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for matcher in (self.exact, self.lower):
            for match_id, start, end in matcher(doc):
                type_, name = doc.vocab.strings[match_id].split("|", 1)
                spans.append(Span(doc, start, end, label=type_, kb_id=name))
        doc.spans["kg_lexicon"] = spans
        return doc


@Language.factory("kg_lexicon", default_config={"lexicon": None, "generic": None})
def make_lexicon_matcher(nlp: Language, name: str, lexicon: str | None, generic: str | None):
    lex = Lexicon.load(lexicon, generic) if (lexicon or generic) else default_lexicon()
    return LexiconMatcher(nlp, lex)


@Language.factory("kg_entities", default_config={"lexicon": None, "generic": None})
def make_entity_decider(nlp: Language, name: str, lexicon: str | None, generic: str | None):
    lex = Lexicon.load(lexicon, generic) if (lexicon or generic) else default_lexicon()
    stop = _stopnames()

    def decide(doc: Doc) -> Doc:
        doc.spans["kg"] = [Span(doc, c.start, c.end, label=c.type, kb_id=c.name or "", span_id=c.source)
                           for c in decide_entities(doc, lex, stop)]
        return doc

    return decide


def _name_like(text: str) -> bool:
    """Does a short form look like a model's name (mixed case, digits), not an acronym?

    >>> _name_like("GateFormer"), _name_like("M2"), _name_like("NC")
    (True, True, False)
    """
    upper = sum(ch.isupper() for ch in text)
    return (upper >= 2 and any(ch.islower() for ch in text)) or any(ch.isdigit() for ch in text)


_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")
_PROPOSING = re.compile(r".*\b(propose|proposes|introduce|introduces|present|presents|develop|design|called|named|dubbed|termed)\b"
                        r"(\s+(the|a|an|our|new|novel))*\s*$")
_SIZE_WORDS = {"base", "large", "small", "tiny", "mini", "medium", "huge", "giant", "xl", "xxl"}
_SIZE_TOKEN = re.compile(r"^(\d+(\.\d+)?[BMKbmk]|[BLSTH]\d*(/\d+)?|\d{2,3}|v\d+)$")
"""A size, depth or checkpoint suffix after a hyphen: 7B, 1.4B, B, B1, L/16, 50, 121, v2."""


def _char_span(doc: Doc, start: int, end: int, mode: str = "expand") -> Span | None:
    return doc.char_span(start, end, alignment_mode=mode)


def generic_compound(surface: str, lex: Lexicon) -> bool:
    """Is a hyphenated name made only of generic family words ("RNN-Transformer", "CNN-GNN")?

    Joining two families names a hybrid family, not one model.

    >>> [generic_compound(s, default_lexicon()) for s in ("RNN-Transformer", "Transformer-XL", "RNN")]
    [True, False, False]
    """
    parts = [p for p in surface.split("-") if p.strip()]
    return len(parts) >= 2 and all(lex.is_generic(p.strip()) for p in parts)


_FAMILY_HEADS = {"transformers", "networks", "models", "llms", "lms", "nets", "architectures", "methods"}
"""A plural head makes a capitalised phrase a family ("Vision Transformers"), not one thing."""


def decide_entities(doc: Doc, lex: Lexicon, stop: set[str]) -> list[Candidate]:
    """The entity spans of a paper's doc (title + separator + abstract)."""
    words, starts = token_view(doc)
    lower = lower_words(doc)
    text = doc_text(doc)
    title_end = title_length(doc)
    cands = [Candidate(s.start, s.end, "lexicon", s.label_, s.kb_id_) for s in doc.spans["kg_lexicon"]]
    for s in doc.spans["kg_names"]:
        start, end = s.start, s.end
        if s.label_ == "PHRASE":  # "cross-layer attention": modifiers + a technique head
            start = phrase_start(doc, words, lower, s.start)
            if start is not None and not lex.is_generic(doc[start:s.end].text):
                # the ruler's heads are technique heads: "masked-token prediction" is a technique
                cands.append(Candidate(start, s.end, "PHRASE", "Technique"))
            continue
        if s.label_ == "DATANAME":  # "the XL-Sum dataset": the name before a data noun
            start = s.start
            while start > 0 and s.start - start < 5 and CAP_OR_DIGIT_OR_HYPHEN.match(words[start - 1]):
                start -= 1
            while start < s.start and (words[start] == "-" or lower[start] in STOP_WORDS or words[start].isdigit()
                                       or starts[start] == start and TITLE_WORD.match(words[start])
                                       and s.start - start > 1):
                start += 1
            name = doc[start:s.start].text
            if start < s.start and words[s.start - 1] != "-" and not lex.is_generic(name) \
                    and name.lower() not in stop:
                cands.append(Candidate(start, s.start, "DATANAME", "Dataset"))
            continue
        if s.label_ == "TITLED":  # "Swin Transformer", "Value Residual Learning" in running text
            if s.start_char < title_end or words[s.end - 1].endswith("s"):
                continue  # titles are all capitalised; a plural head names a family
            while start > 0 and s.start - start < 4 and TITLE_WORD.match(words[start - 1]):
                start -= 1
            while start < s.start and lower[start] in STOP_WORDS:
                start += 1  # sentence-initial words such as "The", "Our"
            if start < s.start and lower[start].endswith(("ing", "ed")):
                start += 1  # "Designing Transformer": a verb, not part of a name
            if starts[start] == start and end - start < 3 or end - start < 2:
                continue  # a capitalised first word says nothing
        surface = doc[start:end].text
        if surface.lower() in stop or lex.is_generic(surface) or generic_compound(surface, lex):
            continue
        if s.label_ == "WEAK" and starts[s.start] != s.start and s.start > 0 and words[s.start - 1] == "-":
            continue
        if s.label_ == "NAME" and len(s) > 1 and all(t.text == "-" or TITLE_WORD.match(t.text) for t in s):
            continue  # "Attention-Sink-Aware", "Outlier-Aware": capitalised words, not a name
        if s.label_ == "NAME" and _PLURAL_ACRONYM.match(surface) and lex.lookup(surface) is None:
            continue  # "MDPs", "GNNs", "CNNs": a plural acronym names a family
        cands.append(Candidate(start, end, s.label_))
    cands += hyphen_modified_tasks(doc, words, lower, cands)
    cands += plain_word_names(words, lower, stop, lex)
    cands += listed_before_data_noun(words, lower, stop, lex)
    # abbreviations: both forms become one entity, every other use of the short form too
    short_forms: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for abbr in find_abbreviations(text):
        long_span = _char_span(doc, abbr.long_start, abbr.long_end, "contract")
        short_span = _char_span(doc, abbr.short_start, abbr.short_end, "contract")
        if long_span is None or short_span is None or short_span.text.lower() in stop \
                or len(short_span) == 0 or len(long_span) == 0:
            continue
        entry = lex.lookup(short_span.text) or lex.lookup(long_span.text)
        if entry is not None:
            type_, name = entry.type, entry.name
        else:
            inner = [c for c in cands if c.source == "lexicon" and long_span.start <= c.start
                     and c.end <= long_span.end and c.end - c.start == long_span.end - long_span.start]
            type_ = (inner[0].type if inner else head_type(long_span.text)) or \
                type_from_context(words, long_span.start, long_span.end)
            if type_ is None and _name_like(short_span.text):
                type_ = type_from_context(words, short_span.start, short_span.end) or "Model"
            proposed = _PROPOSING.match(" ".join(lower[max(0, long_span.start - 3):long_span.start]))
            if type_ is None and proposed:
                # "we propose the hybrid adaptive integration (HAI)": a named contribution
                type_ = "Technique" if long_span.text.islower() else "Model"
            elif type_ == "Task" and proposed and not inner:
                type_ = "Technique"  # "we propose … Words Prediction (PROP)": a method named after its task
            if long_span[-1].lower_ in _FAMILY_HEADS:
                type_ = None  # "masked language models (MLMs)": a family
            name = long_span.text
        if type_ is None or lex.is_generic(long_span.text):
            continue
        source = "lexicon" if entry is not None else "abbreviation"  # a well-known name either way
        short_forms[tuple(words[short_span.start:short_span.end])] = (type_, name, source)
        cands.append(Candidate(long_span.start, long_span.end, source, type_, name))
    for form, (type_, name, source) in short_forms.items():  # every use of the short form ("ViD-GPT")
        n = len(form)
        for i in range(len(words) - n + 1):
            if words[i] == form[0] and tuple(words[i:i + n]) == form:
                cands.append(Candidate(i, i + n, source, type_, name))
    head = title_head(text[:title_end])
    if head is not None:
        span = _char_span(doc, *head)
        if span is not None and span.text.lower() not in stop and not lex.is_generic(span.text) \
                and span[-1].lower_ not in _FAMILY_HEADS:
            cands.append(Candidate(span.start, span.end, "title"))
            cands += [Candidate(i, i + len(span), "title") for i in recurrences(words, span.start, span.end)]
            cands += title_head_as_short_name(words, span.start, span.end, short_forms, cands)
    lead = title_lead(text[:title_end])
    lead_span = _char_span(doc, *lead) if lead is not None else None
    if lead_span is not None and lex.lookup(lead_span.text) is None and not generic_lead(lead_span.text, lex):
        name = short_name_of(lead_span.text, [c for c in cands if c.start > lead_span.end], doc)
        cands.append(Candidate(lead_span.start, lead_span.end, "title", "Model", name))
        cands += [Candidate(i, i + len(lead_span), "title", "Model", name)
                  for i in recurrences(words, lead_span.start, lead_span.end)]
    url_tokens = {t.i for r in find_repositories(text)
                  for t in (_char_span(doc, r.start, r.end) or [])}
    for i in range(1, len(words)):  # "the vanilla Transformer": the specific original model
        if words[i] in ("Transformer", "Transformers") and GENERIC_BASELINE.match(words[i - 1]):
            cands.append(Candidate(i, i + 1, "lexicon", "Model", "Transformer"))
    expansion = title_expansion(text[:title_end])
    if head is not None and expansion is not None:  # "GridFormer: Gridded Transformer for …"
        head_name = text[head[0]:head[1]]
        same = {expansion.lower()}
        cands = [replace(c, source="abbreviation", type="Model", name=head_name)
                 if doc[c.start:c.end].text.lower() in same or (c.name or "").lower() in same else c
                 for c in cands]
    lexical = {c.start: c for c in cands if c.source == "lexicon"}
    kept = []
    for c in choose(cands):
        if url_tokens & set(range(c.start, c.end)):
            continue
        if c.type == "Metric" and doc[c.start:c.end].text.lower() in WEAK_METRICS \
                and not metric_is_reported(words, c.start, c.end):
            continue
        c = _adopt_family(c, lexical, doc)
        if c.source == "title" and c.type in ("Metric", "Task") and lex.lookup(doc[c.start:c.end].text) is None \
                and any(ch.isupper() for t in doc[c.start:c.end] for ch in t.text[1:]):
            # "KDC-MAE: …" took MAE's type from inside; the title's own name is what the paper builds
            c = replace(c, type=_subtitle_type(doc, c) or "Model")
        c = _typed(c, doc, words, starts, lex)
        if c is not None:
            kept.append(_with_size(c, doc))
    return _one_type_per_name(kept, doc, words)


def _one_type_per_name(cands: list[Candidate], doc: Doc, words: list[str]) -> list[Candidate]:
    """An unseen name has one type in a paper: the one its contexts say most often.

    "StrideLoRA, a fine-tuning method" in one sentence and "StrideLoRA outperforms"
    in another are the same Technique.
    """
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        if c.source != "lexicon":
            groups.setdefault(match_key(c.name or doc[c.start:c.end].text), []).append(i)
    out = list(cands)
    for members in groups.values():
        if len({cands[i].type for i in members}) < 2:
            continue
        votes = Counter(t for i in members
                        if (t := type_from_context(words, cands[i].start, cands[i].end)))
        if not votes:  # the title's subtitle ("OctoQuant: … Weight Quantization"), then head words
            votes = Counter(t for i in members if cands[i].source == "title"
                            and (t := _subtitle_type(doc, cands[i])))
        if not votes:
            votes = Counter(head_type(doc[cands[i].start:cands[i].end].text) for i in members)
            votes.pop(None, None)
        if not votes:  # no cue anywhere: the abstract's mentions outvote the title's guess
            votes = Counter(cands[i].type for i in members if cands[i].source != "title")
        best = votes.most_common(1)[0][0] if votes else cands[members[0]].type
        for i in members:
            out[i] = replace(cands[i], type=best)
    return out


def _typed(c: Candidate, doc: Doc, words: list[str], starts: list[int], lex: Lexicon) -> Candidate | None:
    text = doc[c.start:c.end].text
    if c.type is not None:
        return c if not lex.is_generic(text) else None
    entry = lex.lookup(text)  # "GeLU" is the lexicon's GELU
    if entry is not None:
        return replace(c, type=entry.type, name=entry.name)
    if c.source == "WEAK":  # a bare acronym: only with a cue that it names something
        s0, s1 = sentence_bounds(starts, c.start)
        cue = type_from_context(words, c.start, c.end)
        if cue is None and not proposes_here(words[s0:s1], c.start - s0, c.end - s0, known=False):
            return None
        return replace(c, type=cue or "Model")
    if c.source == "TITLED":
        return replace(c, type=head_type(text) or "Model")
    if c.source == "title":  # "OctoQuant: Outlier-Aware 4-bit Weight Quantization"
        return replace(c, type=type_from_context(words, c.start, c.end) or head_type(text)
                       or _subtitle_type(doc, c) or "Model")
    return replace(c, type=name_type(text, words, c.start, c.end))


def _size_tail(doc: Doc, start: int, end: int) -> bool:
    """Are tokens ``[start, end)`` only "-" + size suffixes ("-7B", "-B-16")?"""
    i = start
    while i + 1 < end and doc[i].text == "-" and (doc[i + 1].lower_ in _SIZE_WORDS or
                                                  _SIZE_TOKEN.match(doc[i + 1].text)):
        i += 2
    return i == end and end > start


def _adopt_family(c: Candidate, lexical: dict[int, Candidate], doc: Doc) -> Candidate:
    """"LLaMA-7B" found as a name shape is the lexicon's LLaMA with a size suffix."""
    inner = lexical.get(c.start)
    if c.source != "lexicon" and inner is not None and inner.end < c.end and \
            _size_tail(doc, inner.end, c.end):
        return replace(c, source="lexicon", type=inner.type, name=inner.name)
    return c


def _subtitle_type(doc: Doc, c: Candidate) -> str | None:
    """The type the head noun of a title's subtitle implies ("…: 4-bit Weight Quantization")."""
    if c.end >= len(doc) or doc[c.end].text != ":":
        return None
    chunk = []
    for tok in doc[c.end + 1:c.end + 12]:
        if tok.lower_ in {"for", "with", "via", "in", "on", "of", "and", "to", "as", "by", "from", "over"} \
                or tok.text == "\n" or tok.is_space:
            break
        chunk.append(tok.text)
    if not chunk or chunk[-1].endswith("s"):
        return None  # "GLU Activations as …" describes, a singular process noun names
    t = head_type(" ".join(chunk))
    return t if t == "Technique" else None  # "X: … Sequence Modeling" says what X does, not what X is


def _with_size(c: Candidate, doc: Doc) -> Candidate:
    """Extend a model over a size suffix ("BERT" + "-base"); the name stays the family.

    A metric extends over its cutoff ("MRR" + "@10"), which is part of its name.
    """
    if c.type == "Metric" and c.end + 1 < len(doc) and doc[c.end].text == "@" and \
            (doc[c.end + 1].is_digit or doc[c.end + 1].lower_ == "k"):
        base = c.name or doc[c.start:c.end].text
        return replace(c, end=c.end + 2, name=f"{base}@{doc[c.end + 1].text}")
    if c.type != "Model":
        return c
    end = c.end
    while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ and \
            (doc[end + 1].lower_ in _SIZE_WORDS or _SIZE_TOKEN.match(doc[end + 1].text)):
        end += 2
    if end == c.end:
        return c
    name = c.name or doc[c.start:c.end].text
    return replace(c, end=end, name=name)


__all__ = ["SEPARATOR", "LexiconMatcher", "decide_entities", "doc_text", "sentence_bounds", "token_view"]
