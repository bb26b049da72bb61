"""Token shapes of ML names, as spaCy lexeme flags for the ``kg_names`` span ruler.

``data/patterns.jsonl`` writes token shapes by name (``{"_shape": "NAME_SHAPE"}``);
:func:`shape_patterns` turns each name into a lexeme flag registered with
``Vocab.add_flag``.  A flag is computed once per distinct word and cached in
the vocabulary, so matching costs a bit test per token instead of a regular
expression per token and pattern (measured: the span ruler went from the
slowest stage of extraction to one of the cheapest).

>>> import spacy
>>> nlp = spacy.blank("en")
>>> pats = shape_patterns(nlp.vocab, [{"label": "NAME", "pattern": [{"_shape": "NAME_SHAPE"}]}])
>>> from spacy.matcher import Matcher
>>> m = Matcher(nlp.vocab, validate=False); m.add("N", [pats[0]["pattern"]])
>>> doc = nlp("We compare ViPFormer, BERT and T5 on WMT14 with Neuroformer.")
>>> [doc[s:e].text for _, s, e in m(doc)]
['ViPFormer', 'WMT14', 'Neuroformer']
"""
from __future__ import annotations

import re

SHAPES: dict[str, str] = {
    # a name by its look: two capitals and a lower-case letter (ViPFormer, kMaX, LLaMA),
    # letters with a digit (T5, GPT-3, WMT14, PCQM4Mv2), or a -former/-Net/-BERT family word
    "NAME_SHAPE": r"^(?:(?=(?:[^A-Z]*[A-Z]){2})(?=.*[a-z])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*"
                  r"|(?=.*[A-Z])(?=(?:.*[A-Za-z]){2})[A-Za-z][A-Za-z0-9]*[0-9][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
                  r"|[A-Z][a-z]{2,}(?:former|Former|net|Net|BERT|GPT|GAN|ViT|Mamba|Diff|LM|Llama|CLIP|SAM|DETR))$",
    # a part of a hyphenated name (Focal-UNet, kMaX-DeepLab, ViD-GPT)
    "NAME_PART": r"^(?:[A-Z][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*|[0-9]+[A-Za-z]*)$",
    "TITLE_WORD": r"^[A-Z][a-z]+$",
    "ACRONYM": r"^[A-Z][A-Z0-9]{1,9}$",
    # the head of a capitalised name in running text (Swin Transformer, Value Residual Learning)
    "TITLED_HEAD": r"^(?:Transformer|Network|Net|Attention|Normalization|Model|Machine|Encoder|Decoder"
                   r"|Autoencoder|Mixer|Memory|Law|Distillation|Optimizer|Prompting|Diffusion|Former"
                   r"|Convolution|Learning|Search|Optimization|Regularization|Pruning|Quantization|Sampling"
                   r"|Decoding|Filter|Module|Block|Layer|Loss|Tuning|Alignment|Embedding|Encoding|Pooling"
                   r"|Routing)s?$",
    "TWO_CAPS": r"^[A-Z][A-Za-z]*[A-Z][A-Za-z]*$",
    "NUMBER_CODE": r"^[0-9]+(?:\.[0-9]+)?[A-Za-z]?$",
}
"""Shape name → regular expression over a token's text."""

TITLE_WORD = re.compile(SHAPES["TITLE_WORD"])
"""A capitalised word ("Swin"), also tested in code when walking left from a head."""
LOWER_OR_HYPHEN = re.compile(r"^(?:[a-z][a-z0-9]*|-)$")
"""A lower-case word or a hyphen: the modifiers before a technique head."""
CAP_OR_DIGIT_OR_HYPHEN = re.compile(r"^(?:[A-Z0-9][A-Za-z0-9]*|-)$")
"""A capitalised or numeric word or a hyphen: the parts of a name before "dataset"."""

def shape_flags(vocab) -> dict[str, int]:
    """Register every shape as a new lexeme flag of ``vocab``; returns name → flag id.

    Call it once per vocabulary (``build_nlp`` does): each call takes new flag bits.
    """
    flags = {}
    for name, pattern in SHAPES.items():
        regex = re.compile(pattern)
        flags[name] = vocab.add_flag(lambda text, regex=regex: regex.match(text) is not None)
    return flags


def shape_patterns(vocab, patterns: list[dict]) -> list[dict]:
    """Span-ruler patterns with every ``{"_shape": NAME}`` replaced by a new lexeme flag of ``vocab``."""
    flags = shape_flags(vocab)
    out = []
    for p in patterns:
        tokens = []
        for token in p["pattern"]:
            token = dict(token)
            name = token.pop("_shape", None)
            if name is not None:
                token[flags[name]] = True
            tokens.append(token)
        out.append({**p, "pattern": tokens})
    return out
