"""``kg_roles``: the rule cues for a paper's relation to each mention, as a spaCy component.

Each span of ``doc.spans["kg"]`` gets ``span._.kg_role``, the role its own
sentence (or the title) gives it: ``proposes`` ("we propose X", the title's
name), ``evaluates_on`` ("experiments on X") or ``uses``.  The learned
``kg_classify`` component reads these cues as features and may overrule them;
:func:`~kg.extract.pipeline.to_extraction` only copies the final role.
Record conversion thereby decides nothing.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .docview import char_bounds, doc_text, sentence_bounds, title_length, token_view
from .roles import coined_definition, enumerated_contribution, evaluates_here, proposes_here
from .titles import title_head, title_target

if not Span.has_extension("kg_role"):
    Span.set_extension("kg_role", default="uses")


def after_colon(words: list[str], i: int) -> int:
    """The first token after the last ":" before token ``i`` in the title (else 0).

    >>> after_colon("FooNet : Fast Nets for BarNet".split(), 5)
    2
    """
    return max((k + 1 for k in range(i) if words[k] == ":"), default=0)


def sentences_back(starts: list[int], s0: int, n: int) -> int:
    """The first token of the sentence ``n`` sentences before the one starting at ``s0``.

    >>> sentences_back([0, 0, 2, 2, 4, 4], 4, 1), sentences_back([0, 0, 2, 2, 4, 4], 4, 5)
    (2, 0)
    """
    for _ in range(n):
        if s0 == 0:
            break
        s0 = starts[s0 - 1]
    return s0


def sentence_text(doc: Doc, s0: int, s1: int) -> str:
    """The text of tokens ``[s0, s1)``, from the first token's offset to the last one's end."""
    first, last = char_bounds(doc, s0, s1)
    return doc_text(doc)[first:last]


def _title_role(s: Span, words: list[str], head, known: bool) -> str | None:
    """``proposes`` for the title's head name or an unseen name in the title, else ``None``."""
    if head and s.start_char == head[0] and s.end_char >= head[1] - 1:
        return "proposes"
    if s.label_ != "Dataset" and not known and s.id_ != "PHRASE" \
            and not title_target(words[after_colon(words, s.start):s.start]):
        return "proposes"  # an unseen name in the title: "MedTr Adapted BERT for …"
    return None


def mention_role(doc: Doc, s: Span, spans: list[Span], title_len: int, head) -> str:
    """The role the cues around one mention give it (``spans``: the doc's, or at least its sentence's)."""
    words, starts = token_view(doc)
    s0, s1 = sentence_bounds(starts, s.start)
    sw, rs, re_ = words[s0:s1], s.start - s0, s.end - s0
    known = s.id_ == "lexicon"  # found through the lexicon: a well-known name
    if s.label_ in ("Task", "Metric"):
        return "uses"  # a problem or a measure is studied or reported, not what the paper proposes
    if s.end_char <= title_len and (role := _title_role(s, words, head, known)):
        return role
    others = [(o.start - s0, o.end - s0) for o in spans if s0 <= o.start < s1 and o.start != s.start]
    if proposes_here(sw, rs, re_, known=known, others=others):
        return "proposes"
    if s.label_ != "Dataset" and not known and (
            enumerated_contribution(sw, rs, re_, words[sentences_back(starts, s0, 3):s0])
            or coined_definition(sw, rs, re_)):
        return "proposes"
    if s.label_ == "Dataset" and evaluates_here(
            sw, rs, sentence_text(doc, s0, s1),
            has_metric=any(o.label_ == "Metric" and s0 <= o.start < s1 for o in spans)):
        return "evaluates_on"
    return "uses"


@Language.factory("kg_roles")
def make_roles(nlp: Language, name: str):
    return RoleCues(name)


class RoleCues:
    """Sets ``span._.kg_role`` on every span of ``doc.spans["kg"]``.

    An exception goes to spaCy's error handler (``nlp.pipe`` wraps every call).
    """

    def __init__(self, name: str = "kg_roles"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        title_len = title_length(doc)
        head = title_head(doc_text(doc)[:title_len])
        spans = list(doc.spans["kg"])
        _, starts = token_view(doc)
        by_sentence: dict[int, list[Span]] = {}  # the spans a mention's cues look at: its sentence's
        for s in spans:
            by_sentence.setdefault(starts[s.start], []).append(s)
        for s in spans:
            s._.kg_role = mention_role(doc, s, by_sentence[starts[s.start]], title_len, head)
        return doc
