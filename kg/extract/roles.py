"""Roles of a paper towards its entities, from the words around each mention.

``proposes`` ("we propose X", "X, a new …", "called X"; the title's cues are
in :mod:`kg.extract.titles`), ``evaluates_on`` (a dataset
after "on" in a sentence that reports experiments), ``has_code`` (a
repository), else ``uses``.  Every entity takes the strongest role any of its
mentions supports.

>>> w = "In this paper , we propose FooNet , which builds on BERT .".split()
>>> proposes_here(w, 6, 7, known=False), proposes_here(w, 11, 12, known=True)
(True, False)
"""
from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from .candidates import after_on, evaluation_sentence
from .names import HEADS

_PROPOSE_VERBS = re.compile(
    r"^(propose[sd]?|introduce[sd]?|present(s|ed)?|develop(s|ed)?|design(s|ed)?|devise[sd]?|"
    r"build|create[sd]?|release[sd]?|contribute[sd]?|offer(s|ed)?|put|unveil(s|ed)?|establish(es|ed)?|"
    r"discover(s|ed)?|construct(s|ed)?|formulate[sd]?|derive[sd]?)$",
    re.I)
_NAMING = {"called", "named", "dubbed", "termed", "coined", "namely", "call", "name", "dub", "term", "denote",
           "denoted"}
_NEW = {"novel", "new", "simple", "first", "proposed", "our", "efficient", "lightweight", "general",
        "unified", "scalable", "generic", "powerful", "effective"}
_OTHER_RELATION = {"on", "from", "than", "over", "using", "with", "upon", "to", "against", "like", "for",
                   "as", "by", "into", "beyond", "unlike", "via", "of",
                   # verbs of use: "a new architecture, which uses X", "… leveraging X"
                   "use", "uses", "used", "utilizes", "utilizing", "leverages", "leveraging", "employs",
                   "employing", "exploits", "exploiting", "adopts", "adopting", "applies", "applying",
                   "incorporates", "incorporating", "extends", "extending", "replaces", "replacing"}
_COMPARISON = re.compile(r"^(outperform\w*|surpass\w*|than|compar\w*|versus|vs\.?|beat\w*|over)$", re.I)
_SUBJECTS = {"we", "paper", "work", "study", "article", "this", "our", "here"}
_OTHERS_WORK = {"prior", "previous", "existing", "recent", "related", "other", "earlier", "many", "some", "most",
                "several", "researchers", "authors", "they"}
_APPOSED = {"algorithm", "method", "model", "framework", "architecture", "network", "optimizer",
            "technique", "approach", "system", "benchmark", "dataset", "agent", "transformer",
            "module", "mechanism", "strategy", "scheme", "family", "variant", "suite", "corpus"}


def proposes_here(words: list[str], start: int, end: int, *, known: bool,
                  others: list[tuple[int, int]] = ()) -> bool:
    """Does the sentence ``words`` present the name at ``[start, end)`` as new?

    ``known`` names (from the lexicon) need a tight cue ("called BERT",
    "we introduce BERT"); unseen names also count after a proposing verb whose
    subject is the paper, when they are the first thing named after it (or
    in a list with it) and no preposition ("built on", "than") intervenes.
    ``others`` are the token ranges of the sentence's other entities.

    >>> w = "we propose FooNet and BarLoss that use weight pruning".split()
    >>> [proposes_here(w, i, i + 1, known=False, others=[(2, 3), (4, 5)]) for i in (2, 4)]
    [True, True]
    >>> proposes_here(w, 7, 9, known=False, others=[(2, 3), (4, 5)])
    False
    """
    if modifies_next(words, end):
        return False  # "a LoRA-based method", "a training-free scheme": X is used, not proposed
    before = [w.lower() for w in words[max(0, start - 3):start]]
    compared = any(_COMPARISON.match(w) for w in words[:start])
    if (any(w in _NAMING for w in before[-2:]) or before[-2:] == ["refer", "to"]
            or before[-3:-1] == ["refer", "to"] or named_long_form(words, start)) \
            and not compared and not so_called(words, start):
        return True
    if before and (before[-1] == "our" or before[-2:] in (["the", "proposed"], ["our", "proposed"])):
        return not known  # "our FooNet" is ours; "our FFN-free approach" uses a known thing
    after = [w.lower() for w in words[end:end + 4]]
    if len(after) >= 2 and after[0] in {",", ":", "("} and not introductory(words, start) and (
            after[1] in _NEW or (after[1] in {"a", "an", "which"} and len(after) > 2 and after[2] in _NEW)):
        return True
    verb_at = None
    for i in range(start - 1, -1, -1):
        if _PROPOSE_VERBS.match(words[i]) and not verb_as_noun(words, i):
            if cited_participle(words, i) or passive(words, i) or words[i + 1].lower() == "that":
                return False
            # the paper as subject, just before the verb or earlier in the sentence
            # ("we combine A with B, and propose C")
            near = {w.lower() for w in words[max(0, i - 4):i]}
            if near & _OTHERS_WORK and "we" not in near:
                return False  # "Prior work proposes X", "Recent studies introduce X"
            if near & _SUBJECTS or "we" in (w.lower() for w in words[:i]):
                verb_at = i
            break
    if verb_at is None:
        return False
    if start >= 2 and words[start - 1] == "," and words[start - 2].lower() in _APPOSED:
        return True  # "we discover … an optimization algorithm, Lion"
    if known:  # "we introduce BERT"; not "we propose a novel graph convolution operator", "… design of ViT"
        between = _free_words(words, verb_at + 1, start)
        return start - verb_at <= 3 and not between & ({"a", "an", "in", "of", "at"} | _OTHER_RELATION)
    if premodifier(words, verb_at, start, end):
        return False  # "we construct a recursive search space": the name describes another noun
    colon = max((i for i in range(verb_at + 1, start) if words[i] in {":", "—", "–"}), default=None)
    if colon is not None:  # "we propose two modifications: clipped softmax and gated attention"
        verb_at = colon
    earlier = [(s, e) for s, e in others if verb_at < s and e <= start]
    if earlier:
        last_end = max(e for _, e in earlier)
        if any(w.lower() not in {",", "and", "or"} for w in words[last_end:start]):
            return False  # something else was named first: this one is not the contribution
    if words[start - 1] == "(" and any(ch.isupper() for ch in words[start][1:]) \
            and any(ch.islower() or ch.isdigit() for ch in words[start]):
        return True  # "we propose a Transformer with gated keys (GKFormer)"; not "… bandits (MAB)"
    between = _free_words(words, verb_at + 1, start)
    return not between & _OTHER_RELATION


def _free_words(words: list[str], a: int, b: int) -> set[str]:
    """Lower-cased words of ``[a, b)`` that are not parts of a hyphenated compound.

    >>> sorted(_free_words("a probability - of - rare class of X".split(), 0, 8))
    ['a', 'class', 'of']
    """
    return {words[k].lower() for k in range(a, b)
            if words[k] != "-" and not (k > 0 and words[k - 1] == "-")
            and not (k + 1 < len(words) and words[k + 1] == "-")}


_INTRODUCING_PHRASE = _OTHER_RELATION | {"in", "of", "at", "under", "within", "across", "through", "during",
                                         "after", "before", "given", "despite", "contrary", "designed",
                                         "compared", "based", "inspired", "motivated", "built", "combined"}


def introductory(words: list[str], start: int) -> bool:
    """Does the name stand in a phrase that opens its clause ("On adversarial MDPs, our …")?

    The clause (from the sentence start or the last comma) must begin with a
    preposition or a participle ("With X, …", "Compared with X, …").

    Then the comma after it ends that phrase; what follows is not an apposition to it.

    >>> introductory("On adversarial MDPs , our method".split(), 2)
    True
    >>> introductory("In this paper , we present FooNet , a model".split(), 6)
    False
    """
    i = start
    while i > 0 and words[i - 1] not in {",", ";", ":"}:
        i -= 1
    while i < start and words[i].lower() in {"and", "but", "then", "moreover", "furthermore", "finally"}:
        i += 1  # "…, and compared with X, …"
    return i < start and words[i].lower() in _INTRODUCING_PHRASE


_MODIFYING = {"based", "driven", "inspired", "guided", "free", "style", "like", "powered", "assisted",
              "aided", "augmented", "enhanced", "conditioned", "informed", "specific", "agnostic"}


def modifies_next(words: list[str], end: int) -> bool:
    """Does a combining word after the name make it a modifier ("X-based", "X-free", "X-like")?

    >>> modifies_next("a LoRA - based adapter".split(), 2), modifies_next("FooNet , a model".split(), 1)
    (True, False)
    >>> modifies_next("we create FooNet based on BERT".split(), 3)
    False
    """
    hyphen = end < len(words) and words[end] == "-"
    i = end + 1 if hyphen else end
    if i >= len(words) or words[i].lower() not in _MODIFYING:
        return False
    # "X based on Y" (no hyphen, then a preposition) describes X; "X based algorithm" uses X
    return hyphen or i + 1 >= len(words) or words[i + 1].lower() not in {"on", "upon", "by", "from", "with", "in"}


_NOUN_BEFORE = {"a", "an", "the", "this", "that", "its", "their", "our", "whose", "of", "alternative", "new",
                "novel", "original", "simple", "careful", "overall", "architecture", "architectural", "model",
                "network", "backbone", "system", "experimental", "present"}


def verb_as_noun(words: list[str], i: int) -> bool:
    """Is the proposing verb at ``i`` a noun or adjective here ("the backbone design of X", "the present work")?

    >>> verb_as_noun("an alternative design approach".split(), 2), verb_as_noun("we design FooNet".split(), 1)
    (True, False)
    >>> verb_as_noun("our proposed FooNet".split(), 1)
    False
    """
    return i > 0 and not words[i].lower().endswith("ed") and words[i - 1].lower() in _NOUN_BEFORE


def named_long_form(words: list[str], start: int) -> bool:
    """Is the name the short form of a capitalised name given after a naming word?

    >>> named_long_form("a pipeline named Adaptive Sparse Trainer ( AST )".split(), 7)
    True
    >>> named_long_form("we use Adaptive Sparse Trainer ( AST )".split(), 6)
    False
    """
    if start < 3 or words[start - 1] != "(":
        return False
    i = start - 2
    while i >= 0 and (words[i] == "-" or words[i][:1].isupper()) and start - i < 8:
        i -= 1
    return i < start - 2 and i >= 0 and words[i].lower() in _NAMING


def so_called(words: list[str], start: int) -> bool:
    """"the so-called X": a naming word that cites an existing name.

    >>> so_called("the so - called Performer".split(), 4), so_called("a model called FooNet".split(), 3)
    (True, False)
    """
    return start >= 3 and words[start - 1].lower() == "called" and words[start - 3].lower() == "so"


_CITING_ADVERBS = {"newly", "recently", "previously", "originally", "widely", "commonly", "popularly",
                   "already", "earlier", "lately", "initially"}


def cited_participle(words: list[str], i: int) -> bool:
    """Is the proposing verb at ``i`` a participle describing someone else's work?

    "the recently proposed X", "the newly introduced X mechanism": an adverb of time
    or currency before a past participle names prior work, not the paper's own.

    >>> cited_participle("with the newly introduced focal mechanism".split(), 3)
    True
    >>> cited_participle("we first introduce FooNet".split(), 2)
    False
    >>> cited_participle("the recently - proposed FooNet".split(), 3)
    True
    """
    before = i - 2 if i > 1 and words[i - 1] == "-" else i - 1  # "the recently-introduced X"
    return before >= 0 and words[i].lower().endswith("ed") and words[before].lower() in _CITING_ADVERBS


_COUNTS = {"two", "three", "four", "five", "both", "several", "multiple", "pair"}
_ORDINALS = {"one", "first", "second", "third", "fourth", "other", "former", "latter", "last", "final",
             "another"}


def enumerated_contribution(words: list[str], start: int, end: int, prior: list[str]) -> bool:
    """Is the name at ``[start, end)`` one item of contributions the paper counted just before?

    "We introduce two techniques. One, X, … The other, Y, …": the sentence opens
    with an ordinal ("One", "The second", "The other method") and a comma, the name
    stands right after it as an apposition, and one of the ``prior`` sentences has
    the paper propose a counted number of things.

    >>> prior = "We also propose two new decoding methods .".split()
    >>> w = "The first , lookahead sampling , reranks beams .".split()
    >>> enumerated_contribution(w, 3, 5, prior), enumerated_contribution(w, 3, 5, [])
    (True, False)
    >>> enumerated_contribution("One , BERT , was used .".split(), 2, 3, "We study two models .".split())
    False
    """
    opener = [w.lower() for w in words[:start]]
    if opener[:1] in (["the"], ["our"]):
        opener = opener[1:]
    if not 2 <= len(opener) <= 4 or opener[0] not in _ORDINALS or opener[-1] != "," \
            or any(not w.isalpha() for w in opener[1:-1]):
        return False  # "One, X," / "The second, X," / "Our second new method, X,"
    if end >= len(words) or words[end] not in {",", "(", ":"}:
        return False
    for i, w in enumerate(prior):
        if _PROPOSE_VERBS.match(w) and not cited_participle(prior, i) and \
                "we" in (x.lower() for x in prior[max(0, i - 3):i]) and \
                any(x.lower() in _COUNTS for x in prior[i + 1:i + 3]):
            return True
    return False


_DETERMINERS = {"a", "an", "the", "this", "these", "two", "three", "four", "several", "multiple"}
_CONTRIBUTION_HEADS = set().union(*HEADS.values()) | {
    "approach", "technique", "framework", "system", "pipeline", "design", "paradigm", "procedure", "recipe",
    "policy", "objective", "term", "terms", "regularizer", "block", "head", "variant", "family", "component",
    "formulation", "criterion", "protocol", "toolkit", "library", "suite", "task", "setting", "problem"}


def premodifier(words: list[str], verb_at: int, start: int, end: int) -> bool:
    """Is the name at ``[start, end)`` a modifier of the noun after it, in a described proposal?

    "we construct a recursive search space", "we propose a dynamic DAG discovery
    algorithm": after an article the name is followed by a common noun that is not
    a head of contributions ("scheme", "method", "network"), so it only describes.

    >>> w = "we construct a recursive search space".split()
    >>> premodifier(w, 1, 3, 5), premodifier("we propose a shifted window scheme".split(), 1, 3, 5)
    (True, False)
    >>> premodifier("we use a FooSparse self - attention mechanism".split(), 1, 3, 4)
    False
    """
    if end >= len(words) or not {w.lower() for w in words[verb_at + 1:start]} & _DETERMINERS:
        return False
    k = end
    while k + 2 < len(words) and words[k + 1] == "-":
        k += 2  # "a ProbSparse self-attention mechanism": the compound's last part is the noun
    nxt = words[k]
    return nxt.isalpha() and nxt.islower() and nxt not in STOP_WORDS and nxt not in _CONTRIBUTION_HEADS \
        and nxt.rstrip("s") not in _CONTRIBUTION_HEADS and not nxt.endswith(("ing", "ed", "ly"))


_BE = {"is", "are", "was", "were", "be", "been", "being"}


def passive(words: list[str], i: int) -> bool:
    """Is the proposing verb at ``i`` a passive participle ("can be established for X")?

    What follows a passive verb is not its object, so it is not what the paper proposes.

    >>> passive("which can be similarly established for the X interval".split(), 4)
    True
    >>> passive("we then established FooNet".split(), 2)
    False
    """
    if not words[i].lower().endswith("ed"):
        return False
    return any(w.lower() in _BE for w in words[max(0, i - 2):i])


_CITING = re.compile(r"^(e\.g\.?|i\.e\.?|such|like|including|baselines?|existing|prior|previous|popular|"
                     r"standard|vanilla|original|recent|well-known|widely)$", re.I)


def coined_definition(words: list[str], start: int, end: int) -> bool:
    """Is the name a coined short name defined in parentheses ("… with a shared gate (SGNet)")?

    A mixed-case short name that the paper defines for an unseen long form is a name
    it coins, unless the sentence cites or compares ("such as", "outperforms", "existing").

    >>> coined_definition("one variant is the network with shared gates ( SGNet )".split(), 9, 10)
    True
    >>> coined_definition("it outperforms the Graph Mixer ( GraphMix )".split(), 6, 7)
    False
    >>> coined_definition("data from single-cell RNA sequencing ( scRNA-seq )".split(), 5, 6)
    False
    """
    if start == 0 or end >= len(words) or words[start - 1] != "(" or words[end] != ")":
        return False
    short = "".join(words[start:end])
    if len(short) > 16 or any(part.islower() for part in short.split("-")):
        return False  # coined names are short and capitalised in every part ("scRNA-seq" is a term)
    if len(short) > 1 and short[-1] == "s" and short[-2].isupper():
        short = short[:-1]  # "(MDPs)" is a plural acronym
    if not (sum(ch.isupper() for ch in short) >= 2 and sum(ch.islower() for ch in short) >= 2):
        return False
    return not any(_COMPARISON.match(w) or _CITING.match(w) or w.lower() in _CITING_ADVERBS for w in words[:start])


_REPORTED_NUMBER = re.compile(r"\d+(\.\d+)?\s?(%|x\b|×|points?\b|pp\b)|\b\d+\.\d+\b")


def evaluates_here(words: list[str], start: int, sentence: str, has_metric: bool = False) -> bool:
    """A dataset mention in an "experiments on X" context, or with numbers reported.

    >>> evaluates_here("GateNet improves GLUE performance by 2.3 %".split(), 2,
    ...                "GateNet improves GLUE performance by 2.3%")
    True
    """
    if after_on(words, start, window=3):
        return True  # "on X", "On X, …", "across X and Y"
    if evaluation_sentence(sentence) and words[start - 2:start] == ["from", "the"]:
        return True  # "we compare … on languages from the XL-Sum dataset"
    if not (has_metric or evaluation_sentence(sentence)):
        return False  # a sentence that names a metric or reports experiments
    return after_on(words, start, window=12) or bool(_REPORTED_NUMBER.search(sentence))


def strongest(roles: list[str]) -> str:
    """The strongest of several roles (``proposes`` > ``evaluates_on`` > ``has_code`` > ``uses``).

    >>> strongest(["uses", "evaluates_on"])
    'evaluates_on'
    """
    from ..records import role_rank

    return min(roles, key=role_rank) if roles else "uses"
