"""The lexicon's names as phrase-matcher keys, from a shipped tokenization when it is current.

A ``PhraseMatcher`` pattern is a sequence of token attribute ids (the hash of
each token's text, or of its lower-cased text).  Getting them by tokenizing
17,000 lexicon names creates a lexeme per new word: much of the time every
worker process spends building its pipeline.  The tokens of those
names depend only on the tokenizer rules (:mod:`kg.extract.tokenizer`) and
spaCy's version, so ``data/pattern_tokens.json`` keeps them, stamped with
both; hashing the stored tokens is far cheaper.

The file is a cache, never the truth: a stale stamp, a missing file or a name
it does not hold (a lexicon passed by the user, an entry added since) falls
back to the tokenizer, so the keys are always those the tokenizer gives.
Regenerate it after changing the lexicon or the tokenizer rules with::

    python -m kg.extract.pattern_tokens

>>> import spacy
>>> from .tokenizer import adapt_tokenizer
>>> nlp = spacy.blank("en"); adapt_tokenizer(nlp)
>>> keys = PatternKeys(nlp, stored={})
>>> keys("ResNet-50", lower=False) == tuple(t.orth for t in nlp("ResNet-50"))
True
>>> keys("ResNet-50", lower=True) == tuple(t.lower for t in nlp("ResNet-50"))
True
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from spacy.language import Language
from spacy.strings import get_string_id

from .lexicon import DATA, default_lexicon
from .tokenizer import adapt_tokenizer, pattern_tokenizer

TOKENS_FILE = "pattern_tokens.json"


def tokenizer_stamp() -> dict[str, str]:
    """What the tokens of a text depend on: spaCy's version and kg's tokenizer rules."""
    import spacy

    rules = hashlib.sha256((Path(__file__).parent / "tokenizer.py").read_bytes()).hexdigest()[:16]
    return {"spacy": spacy.__version__, "rules": rules}


def read_file(path=None) -> dict:
    """The file's contents as stored (``{}`` if it is missing or unreadable)."""
    source = Path(path) if path is not None else DATA / TOKENS_FILE
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("tokens"), dict) else {}


def load_tokens(path=None) -> dict[str, list[str]]:
    """The stored tokens by name, or ``{}`` if the file is missing, unreadable or stale.

    Made by another spaCy version, the file is not used: its default rules may split differently.
    """
    data = read_file(path)
    return data["tokens"] if data and data.get("tokenizer") == tokenizer_stamp() else {}


class PatternKeys:
    """``keys(name, lower)``: the attribute ids of a name's tokens (ORTH, or LOWER if ``lower``)."""

    def __init__(self, nlp: Language, stored: dict[str, list[str]] | None = None):
        self.nlp = nlp
        self.stored = load_tokens() if stored is None else stored
        self._tokenizer = None

    def tokens(self, name: str) -> list[str]:
        words = self.stored.get(name)
        if isinstance(words, list):
            return words
        if self._tokenizer is None:  # only for names the file does not hold
            self._tokenizer = pattern_tokenizer(self.nlp)
        return [t.text for t in self._tokenizer(name)]

    def __call__(self, name: str, lower: bool) -> tuple[int, ...]:
        words = self.tokens(name)
        return tuple(get_string_id(w.lower() if lower else w) for w in words)


def write_tokens(path=None) -> Path:
    """Tokenize every name of the packaged lexicon's patterns and store them (see the module docs)."""
    import spacy

    nlp = spacy.blank("en")
    adapt_tokenizer(nlp)
    tokenizer = pattern_tokenizer(nlp)
    names = sorted({form for _mid, form, _cs in default_lexicon().patterns()})
    tokens = {name: [t.text for t in doc] for name, doc in zip(names, tokenizer.pipe(names))}
    target = Path(path) if path is not None else Path(__file__).parent / "data" / TOKENS_FILE
    lines = [f"{json.dumps(n, ensure_ascii=False)}: {json.dumps(tokens[n], ensure_ascii=False)}" for n in names]
    head = json.dumps({"tokenizer": tokenizer_stamp()}, sort_keys=True)[:-1]  # one name a line: a readable diff
    target.write_text(head + ', "tokens": {\n' + ",\n".join(lines) + "\n}}\n", encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    print(f"wrote {write_tokens()}")
