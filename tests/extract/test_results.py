"""Reported results: only numbers stated as a model's score, each with its evidence offsets."""
from __future__ import annotations

import json

from kg import api
from kg.extract.pipeline import build_nlp, extract_paper
from kg.extract.relations import relative_or_bound
from kg.records import Paper

ABSTRACT = ("We propose FooNet, a network for segmentation. FooNet reaches 58.0% PQ on COCO. "
            "It needs 27% fewer parameters than BarNet and improves mIoU by 2.1 points.")


def _results(abstract: str):
    return extract_paper(build_nlp(), Paper(id="p", title="FooNet: Fast Segmentation", abstract=abstract)).results


def test_a_stated_score_is_a_result_with_its_sentence_offsets():
    (r,) = [r for r in _results(ABSTRACT) if r.metric == "PQ"]
    assert (r.model, r.dataset, r.value) == ("FooNet", "COCO", 58.0)
    assert r.evidence_field == "abstract"
    assert ABSTRACT[r.evidence_start:r.evidence_end] == r.evidence == "FooNet reaches 58.0% PQ on COCO."


def test_changes_and_bounds_are_never_values():
    values = {(r.metric, r.value) for r in _results(ABSTRACT)}
    assert ("parameters", 27.0) not in values and not any(v == 2.1 for _, v in values)
    assert _results("FooNet achieves over 94% accuracy on CIFAR-10.") == ()
    assert relative_or_bound("up to 3x faster".split(), 2)


def test_the_graph_carries_the_evidence_offsets(tmp_path):
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"id": "p1", "title": "FooNet: Fast Segmentation", "abstract": ABSTRACT}) + "\n",
                   encoding="utf-8")
    api.build([src], tmp_path / "out", html=False, site=False, cache=False)
    rows = api.query("SELECT ?field ?start ?end ?text WHERE { ?r a mlkg:Result ; mlkg:evidenceField ?field ; "
                     "mlkg:evidenceStart ?start ; mlkg:evidenceEnd ?end ; mlkg:evidence ?text }",
                     graph=tmp_path / "out").rows
    assert rows, "no result with evidence offsets"
    for field, start, end, text in rows:
        assert field == "abstract" and ABSTRACT[int(start):int(end)] == text
    api.validate(tmp_path / "out")  # the SHACL shapes accept the new terms
