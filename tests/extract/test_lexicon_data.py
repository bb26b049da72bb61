"""Checks on the shipped ML-entity lexicon (kg/extract/data/lexicon.jsonl) and its builder."""
from __future__ import annotations

import gzip
import importlib.util
import json
import re
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
OPTIONAL_FIELDS = {"higher_is_better", "same_as"}  # metrics; entries that link out
LPWC_METHOD = re.compile(r"https://linkedpaperswithcode\.com/method/[A-Za-z0-9][A-Za-z0-9._~-]*")


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
        assert FIELDS <= set(e) <= FIELDS | OPTIONAL_FIELDS, e
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
            # every curated metric states its direction, hand-decided; other types never do
            assert isinstance(r.get("higher_is_better"), bool) if typ == "Metric" else "higher_is_better" not in r, r


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


def test_every_metric_has_a_direction(entries):
    metrics = [e for e in entries if e["type"] == "Metric"]
    assert len(metrics) >= 200
    assert [e["name"] for e in metrics if not isinstance(e.get("higher_is_better"), bool)] == []
    assert not [e for e in entries if e["type"] != "Metric" and "higher_is_better" in e]
    direction = {e["name"]: e["higher_is_better"] for e in metrics}
    for name in ("WER", "perplexity", "FID", "MAE", "RMSE", "latency", "parameters", "FLOPs", "top-1 error",
                 "CER"):
        assert direction[name] is False, name
    for name in ("accuracy", "F1", "BLEU", "BLEU-4", "mAP", "mIoU", "ROUGE-L", "Micro Precision"):
        assert direction[name] is True, name


def test_same_as_links_are_lpwc_methods_of_pwc_entries(entries):
    linked = [e for e in entries if "same_as" in e]
    assert len(linked) >= 1000
    for e in linked:
        assert e["same_as"] and all(LPWC_METHOD.fullmatch(iri) for iri in e["same_as"]), e
        assert "pwc-methods-2022" in e["source"].split(";") and e["type"] in ("Model", "Technique"), e
    # tasks and datasets: their sources carry no Papers with Code slug, so no links
    assert not [e for e in entries if e["type"] in ("Task", "Dataset", "Metric") and "same_as" in e]
    bert = find(entries, "Model", "BERT")[0]
    assert bert["same_as"] == ["https://linkedpaperswithcode.com/method/bert"]
    assert "same_as" not in find(entries, "Technique", "LoRA")[0]  # not in the 2022 methods export


def test_same_as_slugs_are_the_sources_urls(entries):
    path = SOURCES / "pwc-methods-2022.json.gz"
    if not path.is_file():
        pytest.skip(f"raw lexicon sources not present at {SOURCES}")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        slugs = {m["url"].rsplit("/", 1)[1] for m in json.load(fh) if m.get("url")}
    used = {iri.rsplit("/", 1)[1] for e in entries for iri in e.get("same_as", ())}
    assert used and used <= slugs, sorted(used - slugs)[:10]


def _builder():
    spec = importlib.util.spec_from_file_location("build_lexicon_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _methods_file(tmp_path, methods) -> str:
    path = tmp_path / "methods.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump([{"full_name": None, "collections": [], "num_papers": 12, **m} for m in methods], fh)
    return str(path)


def test_builder_links_a_method_by_the_slug_of_its_url(tmp_path):
    bl = _builder()
    lex = bl.Lexicon(set())
    bl.load_pwc_methods(lex, _methods_file(tmp_path, [
        {"url": "https://paperswithcode.com/method/foonet-v2", "name": "FooNet", "full_name": "Foo Network",
         "collections": [{"collection": "Image Models"}]},
        {"url": None, "name": "BarNorm", "full_name": "Bar Normalization"},
    ]))
    recs = {r["name"]: r for r in lex.finish()}
    assert recs["FooNet"]["type"] == "Model"
    assert recs["FooNet"]["same_as"] == ["https://linkedpaperswithcode.com/method/foonet-v2"]  # the url's slug
    assert "same_as" not in recs["BarNorm"]  # no url: no link, nothing guessed from the name


def test_builder_links_only_the_method_named_as_the_entry(tmp_path):
    bl = _builder()
    lex = bl.Lexicon(set())
    lex.add_curated({"type": "Technique", "name": "FooPool", "aliases": ["Soft FooPool"]})
    lex.add_curated({"type": "Technique", "name": "Luong attention",
                     "aliases": ["dot-product attention", "multiplicative attention"]})
    bl.load_pwc_methods(lex, _methods_file(tmp_path, [
        {"url": f"https://paperswithcode.com/method/{slug}", "name": name} for slug, name in [
            ("foopool", "FooPool"), ("soft-foopool", "Soft FooPool"),
            ("dot-product-attention", "Dot-Product Attention"), ("multiplicative-attention", "Multiplicative Attention")]
    ]))
    recs = {r["name"]: r for r in lex.finish()}
    assert recs["FooPool"]["same_as"] == ["https://linkedpaperswithcode.com/method/foopool"]
    assert "same_as" not in recs["Luong attention"]  # two distinct methods, neither named so: ambiguous
    assert lex.dropped[("pwc-methods-2022", "same_as-ambiguous")] == 1


def test_builder_metric_directions(tmp_path):
    bl = _builder()
    lex = bl.Lexicon(set())
    lex.add_curated({"type": "Metric", "name": "Brier score", "aliases": [], "higher_is_better": False})
    lex.add_raw("Metric", "Top-1 Error", "sota-extractor")
    lex.add_raw("Metric", "BLEU-2", "sota-extractor")
    lex.add_raw("Metric", "SI-SNR", "sota-extractor")  # the rule cannot tell
    recs = {r["name"]: r["higher_is_better"] for r in lex.finish()}
    assert recs == {"Brier score": False, "Top-1 Error": False, "BLEU-2": True, "SI-SNR": None}
    assert lex.direction_paths == {"curated": 1, "name rule": 2, "unknown": 1}


def test_builder_doctests():
    import doctest

    result = doctest.testmod(_builder())
    assert result.attempted >= 3 and result.failed == 0
