"""The shipped tokenization of the lexicon's names (kg/extract/data/pattern_tokens.json)."""
from __future__ import annotations

import json

import pytest
import spacy
from spacy.attrs import LOWER, ORTH

from kg.extract import pattern_tokens
from kg.extract.lexicon import default_lexicon
from kg.extract.pattern_tokens import PatternKeys, load_tokens, read_file, tokenizer_stamp, write_tokens
from kg.extract.pipeline import build_nlp
from kg.extract.tokenizer import adapt_tokenizer, pattern_tokenizer


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    adapt_tokenizer(nlp)
    return nlp


def test_shipped_file_is_current_and_complete(nlp):
    """Regenerate with ``python -m kg.extract.pattern_tokens`` when this fails.

    Another spaCy version than the file's is allowed (the file is then not used,
    see ``load_tokens``), but the tokens must still be what the tokenizer gives.
    """
    data = read_file()
    assert data, "pattern_tokens.json is missing"
    assert data["tokenizer"]["rules"] == tokenizer_stamp()["rules"], "tokenizer.py changed since the file was made"
    stored = data["tokens"]
    names = sorted({form for _mid, form, _cs in default_lexicon().patterns()})
    assert set(names) <= set(stored)
    tokenizer = pattern_tokenizer(nlp)
    assert {n: stored[n] for n in names} == {n: [t.text for t in doc] for n, doc in zip(names, tokenizer.pipe(names))}


def test_keys_are_the_token_ids_a_matcher_takes_from_docs(nlp):
    keys = PatternKeys(nlp)
    tokenizer = pattern_tokenizer(nlp)
    for name in ["LLaMA-7B", "ImageNet-1K", "Vision Transformers", "MRR@10", "(IA)3", "e.g. BERT"]:
        doc = tokenizer(name)
        assert keys(name, lower=False) == tuple(int(x) for x in doc.to_array([ORTH]))
        assert keys(name, lower=True) == tuple(int(x) for x in doc.to_array([LOWER]))


def test_names_missing_from_the_file_are_tokenized(nlp):
    keys = PatternKeys(nlp, stored={"ResNet-50": ["wrong"]})
    assert keys.tokens("ResNet-50") == ["wrong"]  # the file is trusted when it holds the name
    assert keys.tokens("FooNet-3") == ["FooNet", "-", "3"]


def test_stale_missing_or_corrupt_file_is_ignored(tmp_path):
    path = tmp_path / "t.json"
    for stamp in ("old", {**tokenizer_stamp(), "spacy": "2.0"}, {**tokenizer_stamp(), "rules": "0"}):
        path.write_text(json.dumps({"tokenizer": stamp, "tokens": {"A": ["A"]}}), encoding="utf-8")
        assert load_tokens(path) == {}
    path.write_text(json.dumps({"tokenizer": tokenizer_stamp(), "tokens": {"A": ["A"]}}), encoding="utf-8")
    assert load_tokens(path) == {"A": ["A"]}
    path.write_text("{not json", encoding="utf-8")
    assert load_tokens(path) == {}
    assert load_tokens(tmp_path / "absent.json") == {}


def test_regeneration_round_trips(tmp_path):
    path = write_tokens(tmp_path / "t.json")
    assert read_file(path) == read_file()


def test_pipeline_matches_the_same_without_the_file(monkeypatch):
    text = "We fine-tune ViT-B/16 and LLaMA-7B on ImageNet-1K and SQuAD v2.0, reporting top-1 accuracy."
    with_file = build_nlp()
    monkeypatch.setattr(pattern_tokens, "load_tokens", lambda path=None: {})
    without = build_nlp()
    docs = [nlp(text) for nlp in (with_file, without)]
    spans = [[(s.start, s.end, s.label_, s.kb_id_) for s in doc.spans["kg_lexicon"]] for doc in docs]
    assert spans[0] == spans[1] and spans[0]
