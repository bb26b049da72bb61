"""The tokenizer rules kg adds to spaCy's blank English tokenizer.

Both the texts and the lexicon's names go through the same rules, so a name
splits the same way wherever it is written.
"""
from __future__ import annotations

import re

import spacy
from spacy.language import Language


GLUED_WORDS = ("we", "the", "our", "and", "for", "with", "from", "called", "named", "dubbed", "termed",
               "propose", "proposes", "introduce", "introduces", "present", "presents")
"""Lower-case words that a lost space in the source glues to the next name ("introduceGraphGPT")."""
GLUED = [rf"(?<=^{w})(?=[A-Z])" for w in GLUED_WORDS]


def adapt_tokenizer(nlp: Language) -> None:
    """Tokenizer rules for ML names; offsets stay exact.

    - a size or version suffix splits off ("LLaMA-7B" → LLaMA - 7B, "ResNet-50"), so the
      family matches the lexicon and the suffix can be folded;
    - "1M", "5B", "1K" stay whole (spaCy's unit rule would split "1M" into 1 + M);
    - a sentence-final period splits off "ImageNet-1K.";
    - LaTeX commands split off words ("MobileNetV2\\times");
    - "@k" splits off a metric ("MRR@10" → MRR @ 10), so the metric matches and keeps its cutoff;
    - a function word or proposing verb glued to a name by a lost space splits off
      ("introduceFooNet" → introduce FooNet).

    >>> nlp = spacy.blank("en"); adapt_tokenizer(nlp)
    >>> [t.text for t in nlp("on AeroDepth-1M, LAION-5B and ImageNet-1K.")]
    ['on', 'AeroDepth', '-', '1M', ',', 'LAION', '-', '5B', 'and', 'ImageNet', '-', '1K', '.']
    >>> [t.text for t in nlp("We introduceFooNet, theBest of fortran.")]
    ['We', 'introduce', 'FooNet', ',', 'the', 'Best', 'of', 'fortran', '.']
    """
    infixes = list(nlp.Defaults.infixes) + [r"\\(?=[a-zA-Z])", r"(?<=[A-Za-z])-(?=[0-9])",
                                            r"(?<=[A-Za-z0-9])@(?=[0-9kK])"] + GLUED
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    suffixes = [sfx.replace("|T|G|M|K|", "|") if "km²" in sfx else sfx for sfx in nlp.Defaults.suffixes]
    suffixes.append(r"(?<=[0-9][A-Z])\.")
    suffixes.append(r"(?<=-[A-Za-z0-9])\.")  # "… in ROUGE-L." ends the sentence
    nlp.tokenizer.suffix_search = TailSearch(spacy.util.compile_suffix_regex(suffixes)).search


class TailSearch:
    """A suffix regex searched in the end of a long string only: linear tokenizing of any word.

    spaCy strips a word's suffixes one at a time and searches the whole
    remaining word for each, so a word of 20,000 nested parentheses took
    minutes.  Suffixes are short (every rule but ``\\.\\.+`` has a fixed
    length), so the last :data:`WINDOW` characters decide, unless the match
    reaches the window's first :data:`MARGIN` characters (a longer run of
    dots, or a look-behind that needs what came before): then the whole
    string is searched, as spaCy would.  ``pattern`` keeps the tokenizer
    serialisable (spaCy saves ``suffix_search.__self__.pattern``).

    >>> search = TailSearch(re.compile(r"(?:\\)|\\.\\.+)$")).search
    >>> word = "(" * 5000 + "x" + ")" * 5000
    >>> len(search(word).group()), len(search("x" + "." * 500).group()), search("x" * 500)
    (1, 500, None)
    """

    WINDOW = 40
    MARGIN = 16

    def __init__(self, regex: re.Pattern):
        self.regex = regex
        self.pattern = regex.pattern

    def search(self, text: str):
        if len(text) <= self.WINDOW:
            return self.regex.search(text)
        match = self.regex.search(text, len(text) - self.WINDOW)
        if match is not None and match.start() - (len(text) - self.WINDOW) < self.MARGIN:
            return self.regex.search(text)
        return match


def pattern_tokenizer(nlp: Language):
    """A second tokenizer with the same rules and vocabulary, for lexicon and pattern texts.

    Tokenizing thousands of lexicon names with the pipeline's own tokenizer
    made it three times slower on every text afterwards (measured: 4,900 → 1,450
    abstracts/s); a separate tokenizer sharing the vocabulary keeps it fast.
    """
    other = spacy.blank(nlp.lang, vocab=nlp.vocab)
    adapt_tokenizer(other)
    return other.tokenizer
