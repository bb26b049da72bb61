"""Training the classifier on a tiny annotated fixture (scikit-learn, the ``train`` extra)."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("sklearn", reason="scikit-learn is the train extra; `pip install -e .[test]` has it")

from kg.extract import training  # noqa: E402
from kg.extract.classify import load_models  # noqa: E402
from kg.extract.pipeline import build_nlp  # noqa: E402

RECORDS = [
    {"id": "a1", "title": "FooNet: Fast Nets", "abstract": "We propose FooNet, a network for image classification. "
     "FooNet beats ResNet on ImageNet.",
     "entities": [{"type": "Model", "name": "FooNet", "aliases": [], "role": "proposes",
                   "mentions": [{"field": "title", "start": 0, "end": 6, "text": "FooNet"}]},
                  {"type": "Task", "name": "image classification", "aliases": [], "role": "uses",
                   "mentions": [{"field": "abstract", "start": 37, "end": 57, "text": "image classification"}]},
                  {"type": "Model", "name": "ResNet", "aliases": [], "role": "uses", "mentions": []},
                  {"type": "Dataset", "name": "ImageNet", "aliases": [], "role": "evaluates_on", "mentions": []}],
     "based_on": [], "results": []},
    {"id": "a2", "title": "Better Segmentation", "abstract": "We study semantic segmentation with BarNet, "
     "a model trained on COCO. Results on the QuuxSeg corpus improve.",
     "entities": [{"type": "Task", "name": "semantic segmentation", "aliases": [], "role": "uses",
                   "mentions": [{"field": "abstract", "start": 9, "end": 30, "text": "semantic segmentation"}]},
                  {"type": "Model", "name": "BarNet", "aliases": [], "role": "uses", "mentions": []},
                  {"type": "Dataset", "name": "COCO", "aliases": [], "role": "uses", "mentions": []},
                  {"type": "Dataset", "name": "QuuxSeg", "aliases": [], "role": "evaluates_on", "mentions": []}],
     "based_on": [], "results": []},
]


def test_gold_index_and_heads():
    index = training.gold_index(RECORDS[0])
    assert index["foonet"] == ("Model", "proposes") and index["imagenet"] == ("Dataset", "evaluates_on")
    assert "classification" in training.learn_heads(RECORDS, min_count=1)


def test_examples_label_candidates_by_gold_names():
    type_ex, role_ex = training.examples(build_nlp(classify=False), RECORDS, frozenset({"classification"}))
    labels = {label for _, label in type_ex}
    assert {"Model", "Dataset", "None"} <= labels
    assert any(label == "proposes" for _, label in role_ex)


def test_train_writes_a_model_the_component_loads(tmp_path, monkeypatch):
    for name in ("t.jsonl", "d.jsonl"):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    monkeypatch.setattr(training, "ANNOTATIONS", tmp_path)
    out = tmp_path / "model.json"
    report = training.train({**training.CONFIG, "train": ["t.jsonl"], "max_iter": 200}, out)
    assert report["papers"] == 2 and out.is_file()
    models = load_models(out)
    assert "None" in models.types.labels
    nlp = build_nlp(model=str(out))
    assert "kg_classify" in nlp.pipe_names


def test_cross_validation_scores_every_paper_once(tmp_path, monkeypatch):
    for name in ("t.jsonl", "d.jsonl"):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    monkeypatch.setattr(training, "ANNOTATIONS", tmp_path)
    rules, model = training.cross_validate(2, {**training.CONFIG, "train": ["t.jsonl"], "dev": "d.jsonl",
                                               "max_iter": 200})
    assert rules.papers == model.papers == 4  # 2 train + 2 dev records, each held out once
    assert rules.scores["micro"].gold == model.scores["micro"].gold > 0
