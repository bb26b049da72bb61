"""Checks on the shipped ML-entity lexicon (kg/extract/data/lexicon.jsonl) and its builder."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "kg" / "extract" / "data"
LEXICON = DATA / "lexicon.jsonl"
GENERIC = DATA / "generic.txt"
CURATED = DATA / "curated"
SCRIPT = REPO / "scripts" / "build_lexicon.py"
SOURCES = REPO.parent / "shared" / "lexicon-sources"
TYPES = {"Model", "Dataset", "Technique", "Task", "Metric"}
FIELDS = {"type", "name", "aliases", "source", "case_sensitive"}


def norm(s: str) -> str:
    s = s.lower().replace("+", "plus")
    return "".join(c for c in s if c.isalnum())


@pytest.fixture(scope="module")
def entries():
    with LEXICON.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def generic():
    out = set()
    for line in GENERIC.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(line)
    return out


def find(entries, typ, name):
    hits = [e for e in entries if e["type"] == typ and
            (norm(e["name"]) == norm(name) or any(norm(a) == norm(name) for a in e["aliases"]))]
    return hits


def test_lexicon_size(entries):
    assert len(entries) >= 2000


def test_fields_and_types(entries):
    for e in entries:
        assert set(e) == FIELDS, e
        assert e["type"] in TYPES, e
        assert isinstance(e["name"], str) and e["name"].strip() == e["name"] and e["name"]
        assert isinstance(e["aliases"], list) and all(isinstance(a, str) and a for a in e["aliases"])
        assert isinstance(e["source"], str) and e["source"]
        assert isinstance(e["case_sensitive"], bool)


def test_no_duplicate_type_and_normalised_name(entries):
    seen = {}
    for e in entries:
        key = (e["type"], norm(e["name"]))
        assert key not in seen, (e, seen.get(key))
        seen[key] = e


def test_sorted_by_type_and_name(entries):
    order = ["Model", "Dataset", "Technique", "Task", "Metric"]
    keys = [(order.index(e["type"]), e["name"].lower(), e["name"]) for e in entries]
    assert keys == sorted(keys)


def test_generic_file_is_lower_case_and_long_enough(generic):
    assert len(generic) >= 150
    assert all(g == g.lower() for g in generic)
    for must in ("large language models", "llms", "transformer", "cnn", "fine-tuning",
                 "pre-training", "our method", "downstream tasks", "performance"):
        assert must in generic


def test_no_generic_names_or_aliases(entries, generic):
    bad = [(e["type"], f) for e in entries for f in [e["name"]] + e["aliases"]
           if f.lower() in generic]
    assert not bad, bad[:20]


def test_curated_files_are_well_formed():
    files = {"models": "Model", "datasets": "Dataset", "techniques": "Technique",
             "tasks": "Task", "metrics": "Metric"}
    minimum = {"models": 700, "datasets": 400, "techniques": 300, "tasks": 200, "metrics": 80}
    for fname, typ in files.items():
        lines = (CURATED / f"{fname}.jsonl").read_text(encoding="utf-8").splitlines()
        recs = [json.loads(line) for line in lines if line.strip()]
        assert len(recs) >= minimum[fname], fname
        for r in recs:
            assert r["type"] == typ and r["source"] == "curated" and r["name"], r
            assert isinstance(r["aliases"], list)


@pytest.mark.parametrize("typ,name", [
    ("Model", "BERT"), ("Model", "GPT-3"), ("Model", "Vision Transformer"), ("Model", "LLaMA"),
    ("Model", "Swin Transformer"), ("Model", "LSTM"), ("Model", "U-Net"),
    ("Dataset", "ImageNet"), ("Dataset", "GLUE"), ("Dataset", "WikiText-103"),
    ("Dataset", "PTB"), ("Dataset", "Long Range Arena"), ("Dataset", "COCO"),
    ("Technique", "LoRA"), ("Technique", "RMSNorm"), ("Technique", "knowledge distillation"),
    ("Technique", "chain-of-thought prompting"), ("Technique", "dropout"),
    ("Task", "machine translation"), ("Task", "semantic segmentation"),
    ("Task", "named entity recognition"), ("Task", "time series forecasting"),
    ("Metric", "BLEU"), ("Metric", "perplexity"), ("Metric", "mIoU"), ("Metric", "FLOPs"),
])
def test_spot_checks(entries, typ, name):
    assert len(find(entries, typ, name)) == 1, (typ, name)


def test_layernorm_is_one_technique_with_alias_ln(entries):
    hits = find(entries, "Technique", "LayerNorm")
    assert len(hits) == 1
    assert hits == find(entries, "Technique", "Layer Normalization")
    assert "LN" in hits[0]["aliases"]
    assert hits[0]["case_sensitive"] is True


def test_vit_aliases_and_sizes_not_aliases(entries):
    vit = find(entries, "Model", "ViT")
    assert len(vit) == 1 and vit == find(entries, "Model", "Vision Transformer")
    bert = find(entries, "Model", "BERT")[0]
    assert not any(a.lower() in ("bert-base", "bert-large") for a in bert["aliases"])
    # mT5 and T5 are two entities
    assert find(entries, "Model", "mT5") != find(entries, "Model", "T5")


def test_generic_families_absent(entries):
    for g in ("Transformer", "CNN", "RNN", "MLP", "GNN", "LLMs", "fine-tuning", "pre-training",
              "convolution", "attention mechanism", "diffusion models"):
        assert not [e for e in entries if g.lower() in
                    [f.lower() for f in [e["name"]] + e["aliases"]]], g


def test_case_sensitive_flags(entries):
    def cs(typ, name):
        return find(entries, typ, name)[0]["case_sensitive"]
    assert cs("Dataset", "GLUE") is True
    assert cs("Model", "OPT") is True
    assert cs("Technique", "Lion") is True
    assert cs("Model", "SAM") is True
    assert cs("Technique", "contrastive learning") is False
    assert cs("Task", "semantic segmentation") is False


def test_sources_recorded(entries):
    allowed = {"curated", "pwc-methods-2022", "pwc-archive-tasks", "sota-extractor"}
    for e in entries:
        parts = e["source"].split(";")
        assert set(parts) <= allowed and len(parts) == len(set(parts)), e


def _run_build(out: Path) -> bytes:
    subprocess.run([sys.executable, str(SCRIPT), str(SOURCES), "--out", str(out), "--quiet"],
                   check=True, cwd=str(REPO))
    return out.read_bytes()


def test_build_is_deterministic_and_matches_shipped_file(tmp_path):
    if not SOURCES.is_dir():
        pytest.skip(f"raw lexicon sources not present at {SOURCES}")
    a = _run_build(tmp_path / "a.jsonl")
    b = _run_build(tmp_path / "b.jsonl")
    assert a == b
    assert a == LEXICON.read_bytes(), "lexicon.jsonl is stale: rerun scripts/build_lexicon.py"
