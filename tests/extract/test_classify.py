"""The learned classifier: its model, selection, suggesters, the component, and training."""
from __future__ import annotations

import json

import pytest

from kg.extract import classify, suggest
from kg.extract.classify import LinearModel, described_as, select
from kg.extract.pipeline import build_nlp, extract_paper
from kg.records import Paper

LABELS = ["None", "Model", "Technique"]


class FakeSpan:
    def __init__(self, start, end, text, kb_id=""):
        self.start, self.end, self.text, self.kb_id_ = start, end, text, kb_id


def test_linear_model_batches_equal_single_scores():
    m = LinearModel(LABELS, {"a": [0.0, 1.0, -1.0], "b": [2.0, 0.0, 0.0]}, [0.1, 0.0, 0.0])
    batch = m.batch_probabilities([["a"], ["b", "a"], ["zzz"]]).tolist()
    assert [round(x, 6) for x in batch[1]] == [round(x, 6) for x in m.probabilities(["b", "a"])]
    assert m.predict(["a"]) == "Model" and m.predict(["b"]) == "None"
    assert LinearModel.from_dict(json.loads(json.dumps(m.to_dict()))).predict(["a"]) == "Model"


def test_select_keeps_the_most_confident_of_overlapping_spans():
    long_, short = FakeSpan(0, 3, "gated token mixer"), FakeSpan(1, 3, "token mixer")
    chosen = select([(short, [0.3, 0.1, 0.6]), (long_, [0.1, 0.1, 0.8])], LABELS)
    assert [(s.start, LABELS[k]) for s, k in chosen] == [(0, "Technique")]


def test_select_drops_spans_the_model_calls_no_entity_and_unifies_a_names_type():
    a, b, junk = FakeSpan(0, 1, "Zeta"), FakeSpan(5, 6, "Zeta"), FakeSpan(8, 9, "thing")
    chosen = select([(a, [0.1, 0.6, 0.3]), (b, [0.1, 0.2, 0.7]), (junk, [0.9, 0.05, 0.05])], LABELS)
    assert [(s.start, LABELS[k]) for s, k in chosen] == [(0, "Technique"), (5, "Technique")]


def test_threshold_trades_recall_for_precision():
    s = FakeSpan(0, 1, "Zeta")
    assert select([(s, [0.55, 0.45, 0.0])], LABELS) == []
    assert len(select([(s, [0.55, 0.45, 0.0])], LABELS, threshold=0.6)) == 1


def test_described_as_reads_the_apposition_head():
    assert described_as("Quill , a decoding strategy for LLMs".split(), 1) == "strategy"
    assert described_as("Quill is an optimizer".split(), 1) == "optimizer"


def test_suggesters_offer_lowercase_contributions_and_hyphenated_names():
    lower = "we introduce a gated token mixer and a calibration head .".split()
    stop = frozenset({"we", "a", "and", "."})
    cands = suggest.cue_candidates(lower, stop)
    assert (3, 6) in cands and (8, 10) in cands
    words = "Results on EPIC - Kitchens improve .".split()
    assert (2, 5) in suggest.name_candidates(words, [0] * len(words))


def test_the_shipped_model_loads_and_is_small():
    models = classify.load_models()
    assert models is not None and "None" in models.types.labels
    assert set(models.roles.labels) == {"uses", "proposes", "evaluates_on"}
    assert classify.MODEL_FILE.stat().st_size < 30 * 2**20


def test_component_types_an_unseen_name_from_its_context():
    nlp = build_nlp()
    ex = extract_paper(nlp, Paper(id="p", title="Sparse Updates for Adaptation",
                                  abstract="We propose ZetaTune, a fine-tuning method that updates few weights. "
                                           "ZetaTune matches full fine-tuning on GLUE."))
    found = {(m.type, m.name or m.surface, m.role) for m in ex.mentions}
    assert ("Technique", "ZetaTune", "proposes") in found
    assert ("Dataset", "GLUE", "evaluates_on") in found


def test_without_the_model_the_rules_decide(tmp_path):
    rules = build_nlp(classify=False)
    assert "kg_classify" not in rules.pipe_names
    assert "kg_classify" in build_nlp().pipe_names
    lexicon_only = build_nlp(classify=False, drop_sources=("NAME", "WEAK", "TITLED", "PHRASE", "DATANAME",
                                                           "abbreviation", "title"))
    ex = extract_paper(lexicon_only, Paper(id="p", title="x", abstract="We propose FooNet-7 on ImageNet."))
    assert {m.surface for m in ex.mentions} == {"ImageNet"}


def test_a_failing_paper_becomes_a_warning_and_the_rest_is_extracted():
    from spacy.language import Language

    from kg.errors import InputWarning
    from kg.extract.pipeline import extract

    @Language.component("kg_test_boom")
    def boom(doc):
        if "BOOM" in doc.text:
            raise ValueError("bad abstract")
        return doc

    nlp = build_nlp()
    nlp.add_pipe("kg_test_boom", first=True)
    papers = [Paper(id=str(i), title=t, abstract="We evaluate on ImageNet.") for i, t in enumerate("A BOOM C".split())]
    with pytest.warns(InputWarning, match="extraction failed for 'BOOM'"):
        out = list(extract(nlp, papers))
    assert [e.paper for e in out] == ["0", "1", "2"]
    assert [len(e.mentions) for e in out] == [1, 0, 1]


def test_an_overlong_abstract_is_a_warning_not_a_crash():
    from kg.errors import InputWarning
    from kg.extract.pipeline import MAX_CHARS, extract

    papers = [Paper(id="a", title="Huge", abstract="word " * (MAX_CHARS // 4)),
              Paper(id="b", title="Fine", abstract="We evaluate on ImageNet.")]
    with pytest.warns(InputWarning, match="extraction failed for 'Huge'.*over the limit"):
        out = list(extract(build_nlp(), papers))
    assert [(e.paper, len(e.mentions)) for e in out] == [("a", 0), ("b", 1)]
