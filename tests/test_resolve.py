"""Resolution: mentions from all papers become one entity per real thing."""
from __future__ import annotations

import random

import pytest

from kg.extract.lexicon import Lexicon, default_lexicon
from kg.records import Mention
from kg.resolve import resolve, slug


def m(paper, surface, type_="Model", name="", aliases=(), field="abstract", start=0):
    return Mention(paper=paper, field=field, start=start, end=start + len(surface), surface=surface,
                   type=type_, name=name, aliases=tuple(aliases))


def entity_of(res, mention):
    return res.entity_of(mention.type, mention.canonical)


def one_entity(mentions, lexicon=None):
    res = resolve(mentions, lexicon)
    ids = {entity_of(res, x) for x in mentions}
    assert len(ids) == 1, (ids, res.entities)
    return res.entities[ids.pop()]


@pytest.mark.parametrize("lexicon", [None, default_lexicon()], ids=["no-lexicon", "lexicon"])
def test_case_hyphen_and_plural_variants_merge(lexicon):
    forms = ["Vision Transformer", "vision transformer", "Vision-Transformer", "Vision Transformers"]
    e = one_entity([m(f"p{i}", f) for i, f in enumerate(forms)], lexicon)
    assert e.type == "Model"
    assert set(forms) - {e.name} <= set(e.aliases)


def test_technique_plural_and_case_variants_merge():
    e = one_entity([m("p1", "Residual Connections", "Technique"), m("p2", "residual connection", "Technique"),
                    m("p3", "residual-connection", "Technique")])
    assert e.id.startswith("technique/")


@pytest.mark.parametrize("lexicon", [None, default_lexicon()], ids=["no-lexicon", "lexicon"])
def test_bert_sizes_are_bert(lexicon):
    e = one_entity([m("p1", "BERT-base"), m("p2", "BERT-large"), m("p3", "BERT")], lexicon)
    assert (e.id, e.name) == ("model/bert", "BERT")
    assert {"BERT-base", "BERT-large"} <= set(e.aliases)


def test_sizes_alone_resolve_to_the_family():
    e = one_entity([m("p1", "BERT-base"), m("p2", "BERT-large")])
    assert (e.id, e.name) == ("model/bert", "BERT")


@pytest.mark.parametrize("lexicon", [None, default_lexicon()], ids=["no-lexicon", "lexicon"])
def test_abbreviation_long_and_short_forms_merge_across_papers(lexicon):
    # p1 defines "Low-Rank Adaptation (LoRA)"; p2 and p3 only use one form each
    ms = [m("p1", "Low-Rank Adaptation", "Technique", aliases=["LoRA"]),
          m("p1", "LoRA", "Technique", name="Low-Rank Adaptation", start=21),
          m("p2", "LoRA", "Technique"),
          m("p3", "low-rank adaptation", "Technique")]
    e = one_entity(ms, lexicon)
    assert e.type == "Technique"
    assert {e.name, *e.aliases} >= {"Low-Rank Adaptation", "LoRA"}


def test_abbreviation_defined_in_a_later_paper_still_merges():
    ms = [m("a", "MoE", "Technique"),
          m("z", "Mixture of Experts", "Technique", aliases=["MoE"])]
    one_entity(ms)


@pytest.mark.parametrize("lexicon", [None, default_lexicon()], ids=["no-lexicon", "lexicon"])
def test_mt5_and_t5_stay_two_entities(lexicon):
    ms = [m("p1", "mT5"), m("p2", "T5"), m("p3", "mT5-base"), m("p4", "T5-large")]
    res = resolve(ms, lexicon)
    mt5, t5 = entity_of(res, ms[0]), entity_of(res, ms[1])
    assert mt5 != t5
    assert entity_of(res, ms[2]) == mt5
    assert entity_of(res, ms[3]) == t5
    assert res.entities[mt5].name == "mT5" and res.entities[t5].name == "T5"


def test_different_types_stay_apart():
    res = resolve([m("p1", "ImageNet", "Dataset"), m("p2", "ResNet", "Model")])
    assert len(res.entities) == 2


def test_repositories_keep_their_case_and_merge_on_url():
    ms = [m("p1", "https://github.com/Owner/Repo", "Repository", name="https://github.com/Owner/Repo"),
          m("p2", "github.com/Owner/Repo", "Repository", name="https://github.com/Owner/Repo")]
    e = one_entity(ms)
    assert e.name == "https://github.com/Owner/Repo"
    assert e.id == "repository/" + slug("https://github.com/Owner/Repo")


def _mentions():
    return [m("p1", "BERT-base"), m("p2", "BERT"), m("p3", "Vision Transformer", aliases=["ViT"]),
            m("p4", "ViT"), m("p5", "mT5"), m("p6", "T5"), m("p1", "GLUE", "Dataset", start=30),
            m("p2", "glue", "Dataset", start=12), m("p7", "LoRA", "Technique"),
            m("p8", "Low-Rank Adaptation", "Technique", aliases=["LoRA"]),
            m("p9", "accuracy", "Metric"), m("p9", "Accuracy", "Metric", start=40),
            m("p3", "image classification", "Task", start=50),
            m("p4", "Image Classification", "Task", start=60)]


@pytest.mark.parametrize("seed", range(5))
def test_ids_stable_under_input_order(seed):
    ms = _mentions()
    want = resolve(ms, default_lexicon())
    shuffled = ms[:]
    random.Random(seed).shuffle(shuffled)
    got = resolve(shuffled, default_lexicon())
    assert got.entities == want.entities
    assert got.index == want.index


def test_ids_are_type_and_slug_of_the_canonical_name():
    res = resolve(_mentions(), default_lexicon())
    for eid, e in res.entities.items():
        assert eid == f"{e.type.lower()}/{slug(e.name)}" or eid.startswith(f"{e.type.lower()}/{slug(e.name)}-")
    assert len(res.entities) == 8  # BERT, ViT, mT5, T5, GLUE, LoRA, accuracy, image classification


def test_every_mention_is_indexed():
    ms = _mentions()
    res = resolve(ms)
    for x in ms:
        assert entity_of(res, x) in res.entities


def test_resolving_in_two_processes_gives_the_same_entities(monkeypatch):
    """Each type is resolved on its own, so splitting the types over a forked child changes nothing."""
    from kg import resolve as resolve_module

    mentions = [Mention(f"p{i}", "abstract", 0, 4, surface, type_, name=name)
                for i, (surface, type_, name) in enumerate([
                    ("BERT", "Model", ""), ("BERT-base", "Model", "BERT"), ("ViT", "Model", "Vision Transformer"),
                    ("ImageNet", "Dataset", ""), ("ImageNet-1k", "Dataset", ""), ("accuracy", "Metric", ""),
                    ("BLEU", "Metric", ""), ("dropout", "Technique", ""), ("Dropout", "Technique", ""),
                    ("QA", "Task", "question answering"), ("BERT", "Technique", ""),
                    ("https://github.com/a/b", "Repository", "")])]
    one = resolve(mentions, default_lexicon())
    monkeypatch.setattr(resolve_module, "PARALLEL_AT", 1)
    splits = []
    real = resolve_module._split
    monkeypatch.setattr(resolve_module, "_split", lambda keys: splits.append((keys, real(keys))) or splits[-1][1])
    two = resolve(mentions, default_lexicon(), jobs=2)
    ((keys, child),) = splits
    types = {t for t, _ in keys}
    assert child and child < types  # really split: the child resolves these types, the parent the others
    assert two.entities == one.entities  # (their order differs: nothing reads it)
    assert two.index == one.index


LINKED = Lexicon.from_entries([
    {"type": "Technique", "name": "FooNorm", "aliases": ["Foo Normalization"],
     "same_as": ["https://linkedpaperswithcode.com/method/foonorm"]},
    {"type": "Metric", "name": "word error rate", "aliases": ["WER"], "higher_is_better": False},
    {"type": "Metric", "name": "BLEU", "aliases": [], "higher_is_better": True},
])


def test_entities_carry_their_lexicon_entrys_links_and_direction():
    ms = [m("p1", "Foo Normalization", "Technique"), m("p2", "FooNorm", "Technique"),
          m("p3", "WER", "Metric"), m("p4", "BLEU", "Metric"), m("p5", "SpeedScore", "Metric")]
    res = resolve(ms, LINKED)
    foo, wer, bleu, other = (res.entities[entity_of(res, x)] for x in (ms[0], ms[2], ms[3], ms[4]))
    assert (foo.name, foo.same_as, foo.higher_is_better) == (
        "FooNorm", ("https://linkedpaperswithcode.com/method/foonorm",), None)
    assert (wer.name, wer.higher_is_better, wer.same_as) == ("word error rate", False, ())
    assert bleu.higher_is_better is True
    assert (other.same_as, other.higher_is_better) == ((), None)  # not in the lexicon: unknown


def test_an_entity_of_another_type_gets_nothing_from_the_entry():
    res = resolve([m("p1", "FooNorm", "Model")], LINKED)  # the entry is a Technique
    (e,) = res.entities.values()
    assert (e.type, e.same_as, e.higher_is_better) == ("Model", (), None)
    assert resolve([m("p1", "FooNorm", "Technique")], None).entities["technique/foonorm"].same_as == ()
