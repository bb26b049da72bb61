"""``kg_classify``: a learned model decides what the rules only propose.

The rule components find candidate spans (lexicon names, name shapes, title
names, abbreviations, phrases).  This component scores every candidate with a
linear model trained on the annotated corpus (``data/annotations/``, see
:mod:`kg.extract.training`): it keeps or drops the span and gives it a type from
its words *and its context*, so an unseen name is typed by what the text says
about it.  A second linear model decides each entity's role (``proposes``,
``evaluates_on``, ``uses``) from the rule cues and the words around all its
mentions.  All feature functions are pure and shared by training and use.

>>> f = span_features("we propose FooNet , a network".split(), 2, 3, "NAME", "Model", "uses", 0)
>>> [x for x in f if x.startswith(("app=", "bw=", "first=", "ctx="))]
['first=foonet', 'bw=we', 'bw=propose', 'app=network', 'ctx=Model']
>>> shape("kMaX-DeepLab2")
'xXxX-XxX'
"""
from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from .docview import doc_text, lower_words, sentence_bounds, title_length, token_view
from .lexicon import DATA
from .linear import LinearModel
from .mention_roles import mention_role
from .candidates import type_from_context
from .names import head_type, match_key
from .suggest import suggestions
from .titles import title_head

TYPES = ("None", "Model", "Dataset", "Technique", "Task", "Metric")
ROLE_LABELS = ("uses", "proposes", "evaluates_on")
MODEL_FILE = DATA / "model" / "classifier.json"


@lru_cache(maxsize=1)
def clusters() -> dict[str, int]:
    """Word → cluster id, learned from the corpus (:mod:`kg.extract.clustering`); empty if absent."""
    path = DATA / "model" / "clusters.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=1 << 16)
def shape(text: str) -> str:
    """Character classes with repeats collapsed: "GPT-3" → "X-d", "LoRA" → "XxX"."""
    out = []
    for ch in text:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:8]


def span_features(words: list[str], start: int, end: int, source: str, rule_type: str,
                  cue: str, title_end: int, surface: str | None = None,
                  lower: list[str] | None = None) -> list[str]:
    """The features of one candidate span ``[start, end)`` of ``words`` (``lower``: them lower-cased)."""
    if lower is None:
        lower = [t.lower() for t in words]
    w = lower[start:end]
    surface = surface if surface is not None else " ".join(words[start:end])
    n = len(lower)
    f = ["bias", f"src={source}", f"rule={rule_type}", f"src_rule={source}|{rule_type}",
         f"first={w[0]}", f"last={w[-1]}", f"suf3={w[-1][-3:]}", f"len={min(end - start, 5)}",
         f"shape={shape(surface)}", f"cue={cue}", f"rule_cue={rule_type}|{cue}"]
    f += [f"w={t}" for t in w]
    p1 = lower[start - 1] if start > 0 else "<s>"
    p2 = lower[start - 2] if start > 1 else "<s>"
    n1 = lower[end] if end < n else "</s>"
    n2 = lower[end + 1] if end + 1 < n else "</s>"
    f += [f"p1={p1}", f"p2={p2}", f"n1={n1}", f"n2={n2}", f"p1n1={p1}|{n1}", f"p2p1={p2}|{p1}",
          f"n1n2={n1}|{n2}", f"last_n1={w[-1]}|{n1}"]
    f += [f"bw={t}" for t in lower[max(0, start - 4):start]]
    f += [f"fw={t}" for t in lower[end:end + 4]]
    if end <= title_end:
        f.append("in_title")
        if end < n and lower[end] == ":":  # "ZetaTune: efficient fine-tuning of …" says what it is
            f += [f"sub={t}" for t in lower[end + 1:min(end + 9, title_end)]]
    head = described_as(lower, end)
    if head:
        f.append(f"app={head}")
    cue_type = type_from_context(words, start, end)  # the rules' reading of the context, as evidence
    f += [f"ctx={cue_type}", f"head_type={head_type(surface)}", f"ctx_rule={cue_type}|{rule_type}"]
    c = clusters()
    f += [f"c_w={c[t]}" for t in w if t in c]
    f += [f"c_{k}={c[t]}" for k, t in (("first", w[0]), ("last", w[-1]), ("p1", p1), ("p2", p2),
                                        ("n1", n1), ("n2", n2), ("app", head)) if t in c]
    if surface.islower():
        f.append("lowercase")
    elif surface.isupper():
        f.append("uppercase")
    if _DIGIT.search(surface):
        f.append("digit")
    if _UPPER.search(surface, 1):
        f.append("inner_cap")
    return f


_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-Z]")


_DESCRIBING = {",", "(", "is", "are", "was", "as"}


def described_as(lower: list[str], end: int, window: int = 8) -> str | None:
    """The head word of the description right after a name ("X, a fine-tuning method …").

    >>> described_as("ZetaTune , a simple fine - tuning method for LLMs".split(), 1)
    'method'
    >>> described_as("ZetaTune outperforms".split(), 1) is None
    True
    """
    if end >= len(lower) or lower[end].lower() not in _DESCRIBING:
        return None
    i, stop = end + 1, min(len(lower), end + window)
    while i < stop and lower[i].lower() in STOP_WORDS:
        i += 1
    head = None
    while i < stop and (any(ch.isalnum() for ch in lower[i]) or lower[i] == "-") \
            and lower[i].lower() not in STOP_WORDS:
        if lower[i] != "-":
            head = lower[i].lower()
        i += 1
    return head


def role_features(type_: str, mentions: list[tuple[list[str], str, bool, str]],
                  known: bool) -> list[str]:
    """The features of one entity of a paper: its type and every mention's context.

    ``mentions`` holds per mention (the words of its sentence before it, the rule
    cue, whether it is in the title, its source).
    """
    c = clusters()
    f = ["bias", f"t={type_}", f"known={known}", f"t_known={type_}|{known}", f"nm={min(len(mentions), 4)}"]
    for before, cue, in_title, source in mentions:
        f += [f"cue={cue}", f"t_cue={type_}|{cue}", f"src={source}", f"t_src={type_}|{source}"]
        if in_title:
            f += ["in_title", f"t_title={type_}", f"title_cue={cue}"]
        f += [f"t_bw={type_}|{t}" for t in before[-5:]]
        f += [f"t_cbw={type_}|{c[t]}" for t in before[-5:] if t in c]
        f += [f"sw={t}" for t in before[:12]]
    return sorted(set(f))


@dataclass(frozen=True)
class Models:
    """What the classifier file holds: the type and role models and the learned head words."""

    types: LinearModel
    roles: LinearModel
    heads: frozenset[str] = frozenset()
    threshold: float = 0.5
    drop: frozenset[str] = frozenset()
    stop: frozenset[str] = frozenset(STOP_WORDS)


def load_models(path: str | Path | None = None) -> Models | None:
    """The models of the classifier file, or ``None`` when there is none."""
    path = Path(path) if path else MODEL_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Models(LinearModel.from_dict(data["type"]), LinearModel.from_dict(data["role"]),
                  frozenset(data.get("heads", ())), data["config"].get("threshold", 0.5),
                  frozenset(data["config"].get("drop_sources", ())))


def title_end_token(doc: Doc) -> int:
    """The index of the first token after the title (cached in ``doc.user_data``)."""
    cached = doc.user_data.get("kg_title_end")
    if cached is None:
        cached = doc.user_data["kg_title_end"] = bisect_left(doc_offsets(doc), title_length(doc))
    return cached


@dataclass(frozen=True)
class Cand:
    """A candidate span as plain values (a spaCy ``Span`` is made only for those kept).

    ``label_`` is the rules' type ("None" for a suggestion), ``id_`` its source,
    ``role`` the rules' role cue.
    """

    start: int
    end: int
    text: str
    label_: str
    id_: str
    kb_id_: str = ""
    role: str = "none"


def doc_span_features(doc: Doc, heads: frozenset[str] = frozenset(), stop: frozenset[str] = frozenset(),
                      drop: frozenset[str] = frozenset()) -> list[tuple[Cand, list[str]]]:
    """Every candidate with its features (training and use share this).

    The rules' spans (``doc.spans["kg"]``) first, then the suggestions of
    :mod:`kg.extract.suggest` that no rule span covers exactly.
    """
    words, _ = token_view(doc)
    lower = lower_words(doc)
    title_end = title_end_token(doc)
    text, idx = doc_text(doc), doc_offsets(doc)

    def surface(start: int, end: int) -> str:
        return text[idx[start]:idx[end - 1] + len(words[end - 1])]

    cands = [Cand(s.start, s.end, surface(s.start, s.end), s.label_, s.id_ or "", s.kb_id_, s._.kg_role)
             for s in doc.spans["kg"]]
    have = {(c.start, c.end) for c in cands}
    generic = _generic()
    for start, end, source in suggestions(doc, words, heads, stop):
        if (start, end) not in have and source not in drop:
            have.add((start, end))
            if not generic(surface(start, end)):  # "Transformer", "GNN-MLP": a family is never an entity (the guideline)
                cands.append(Cand(start, end, surface(start, end), "None", source))
    return [(c, span_features(words, c.start, c.end, c.id_, c.label_, c.role, title_end, c.text, lower))
            for c in cands]


def doc_offsets(doc: Doc) -> list[int]:
    """Each token's character offset, once per doc."""
    cached = doc.user_data.get("kg_idx")
    if cached is None:
        cached = doc.user_data["kg_idx"] = doc.to_array("IDX").tolist()
    return cached


@lru_cache(maxsize=1)
def _generic():
    """Is a surface a generic family (the lexicon's list from the guideline), alone or hyphen-joined?"""
    from .components import generic_compound
    from .lexicon import default_lexicon

    lex = default_lexicon()
    return lambda text: lex.is_generic(text) or generic_compound(text, lex)


def entity_key(s: Span | Cand) -> str:
    return match_key(s.kb_id_ or s.text)


def doc_role_features(doc: Doc, spans: list[Span]) -> dict[tuple[str, str], list[str]]:
    """Per (type, name key) of the kept ``spans``: the entity's role features."""
    words, starts = token_view(doc)
    title_end = title_end_token(doc)
    lower = lower_words(doc)
    groups: dict[tuple[str, str], list[Span]] = {}
    for s in spans:
        groups.setdefault((s.label_, entity_key(s)), []).append(s)
    out = {}
    for (type_, key), members in groups.items():
        ms = []
        for s in members:
            s0, _ = sentence_bounds(starts, s.start)
            ms.append((lower[s0:s.start], s._.kg_role, s.end <= title_end, s.id_ or ""))
        out[(type_, key)] = role_features(type_, ms, known=any(s.id_ == "lexicon" for s in members))
    return out


def select(scored: list[tuple[Cand, list[float]]], labels: list[str],
           threshold: float = 0.5) -> list[tuple[Cand, int]]:
    """Non-overlapping candidates the model keeps, most confident first, then one type per name.

    A candidate is kept when its probability of being no entity is below ``threshold``.
    """
    none = labels.index("None")
    order = sorted(((1.0 - p[none], k) for k, (_, p) in enumerate(scored) if p[none] < threshold),
                   reverse=True)
    taken: set[int] = set()
    chosen = []
    for _, k in order:
        s = scored[k][0]
        if taken.isdisjoint(range(s.start, s.end)):
            taken.update(range(s.start, s.end))
            chosen.append(k)
    votes: dict[str, list[float]] = {}
    for k in chosen:
        acc = votes.setdefault(entity_key(scored[k][0]), [0.0] * len(labels))
        for i, p in enumerate(scored[k][1]):
            if i != none:
                acc[i] += math.log(max(p, 1e-9))
    out = []
    for k in sorted(chosen, key=lambda k: scored[k][0].start):
        acc = votes[entity_key(scored[k][0])]
        acc[none] = -math.inf
        out.append((scored[k][0], acc.index(max(acc))))
    return out


LEXICON_DROP = 0.8
"""A lexicon match is dropped only when the model is this sure that it is no entity."""


def explicit_type(probs: list[float], labels: list[str], s: Cand, words: list[str]) -> list[float]:
    """Adjust the model's probabilities where the text or the lexicon is explicit.

    An unseen name that its context types ("X, a fine-tuning method") takes that
    type; the model still decides whether it is an entity.  A lexicon name is
    kept unless the model is sure it is none (:data:`LEXICON_DROP`), and typed by
    the model.  5-fold cross-validation over train + dev: forcing the lexicon's
    type as well cost 0.013 micro F1; keeping its matches cost nothing.

    >>> labels = ["None", "Model", "Technique"]
    >>> explicit_type([0.2, 0.5, 0.3], labels, Cand(0, 1, "Zeta", "None", "name"), ["Zeta", "wins"])  # no cue
    [0.2, 0.5, 0.3]
    >>> explicit_type([0.2, 0.5, 0.3], labels, Cand(0, 1, "Zeta", "None", "name"), "Zeta , a method".split())
    [0.2, 0.0, 0.8]
    """
    none = labels.index("None")
    if s.id_ == "lexicon":
        if probs[none] >= LEXICON_DROP:
            return probs
        rest = 1.0 - probs[none]
        return [0.0 if i == none else p / rest for i, p in enumerate(probs)]
    cue = type_from_context(words, s.start, s.end)
    if cue not in labels:
        return probs
    return [probs[none] if i == none else (1.0 - probs[none]) if lab == cue else 0.0
            for i, lab in enumerate(labels)]


def decide(doc: Doc, models: Models, drop: frozenset[str] = frozenset()) -> list[Span]:
    """The kept spans, typed and with roles; one type per name in a paper."""
    feats = doc_span_features(doc, models.heads, models.stop, drop)
    probs = models.types.batch_probabilities([f for _, f in feats]).tolist()
    words, _ = token_view(doc)
    scored = [(s, explicit_type(p, models.types.labels, s, words)) for (s, _), p in zip(feats, probs)]
    kept = []
    spans = list(doc.spans["kg"])
    title_len = title_length(doc)
    head = title_head(doc_text(doc)[:title_len])
    for s, label in select(scored, models.types.labels, models.threshold):
        t = Span(doc, s.start, s.end, label=models.types.labels[label], kb_id=s.kb_id_, span_id=s.id_)
        t._.kg_role = s.role if s.label_ != "None" else mention_role(doc, t, spans, title_len, head)
        kept.append(t)
    groups = doc_role_features(doc, kept)
    labels = models.roles.labels
    roles = {k: labels[max(range(len(labels)), key=p.__getitem__)]
             for k, p in zip(groups, models.roles.batch_probabilities(list(groups.values())).tolist())}
    for s in kept:
        s._.kg_role = roles[(s.label_, entity_key(s))]
    return kept


class Classifier:
    """Replaces ``doc.spans["kg"]`` by the spans the learned models keep, typed and with roles.

    ``drop_sources`` removes the candidates of some rule families first (the
    ablations of :mod:`kg.extract.training`); without models the rules' own
    decisions stand.
    """

    def __init__(self, name: str, models: Models | None, drop_sources: frozenset[str] = frozenset()):
        self.name, self.models = name, models
        self.drop = drop_sources | (models.drop if models is not None else frozenset())

    def __call__(self, doc: Doc) -> Doc:
        if self.drop:
            doc.spans["kg"] = [s for s in doc.spans["kg"] if s.id_ not in self.drop]
        if self.models is not None:
            doc.spans["kg"] = decide(doc, self.models, self.drop)
        return doc


@Language.factory("kg_classify", default_config={"model": None, "learned": True, "drop_sources": []})
def make_classifier(nlp: Language, name: str, model: str | None, learned: bool, drop_sources: list[str]):
    return Classifier(name, load_models(model) if learned else None, frozenset(drop_sources))
