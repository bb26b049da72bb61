"""The annotated corpus: offsets that hold, a fixed split, and the raw files it is assembled from."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANN = ROOT / "data" / "annotations"
SPLITS = ("train", "dev", "lockbox")
TYPES = {"Model", "Dataset", "Technique", "Task", "Metric", "Repository"}
ROLES = {"proposes", "evaluates_on", "has_code", "uses"}


def _tool():
    spec = importlib.util.spec_from_file_location("annotations", ROOT / "scripts" / "annotations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _records(split: str) -> list[dict]:
    return [json.loads(line) for line in (ANN / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="module")
def records() -> dict[str, list[dict]]:
    return {split: _records(split) for split in SPLITS}


def test_at_least_300_papers_in_three_splits(records):
    ids = [r["id"] for split in SPLITS for r in records[split]]
    assert len(ids) >= 300 and len(set(ids)) == len(ids)
    assert all(len(records[split]) >= 40 for split in SPLITS)


def test_split_follows_the_id_rule(records):
    tool = _tool()
    for split in SPLITS:
        assert all(r["split"] == split == tool.split_of(r["id"]) for r in records[split])


def test_every_mention_is_the_text_at_its_offsets(records):
    bad = []
    for split in SPLITS:
        for r in records[split]:
            for e in r["entities"]:
                if not e["mentions"]:
                    bad.append((r["id"], e["name"], "no mention"))
                for m in e["mentions"]:
                    if r[m["field"]][m["start"]:m["end"]] != m["text"]:
                        bad.append((r["id"], e["name"], m))
    assert not bad, bad[:10]


def test_types_roles_and_pairs_are_valid(records):
    bad = []
    for split in SPLITS:
        for r in records[split]:
            names = {n for e in r["entities"] for n in (e["name"], *e["aliases"])}
            bad += [(r["id"], e["name"]) for e in r["entities"] if e["type"] not in TYPES or e["role"] not in ROLES]
            bad += [(r["id"], p) for p in r["based_on"] if not set(p) <= names]
            bad += [(r["id"], x) for x in r["results"] if not isinstance(x["value"], (int, float))]
    assert not bad, bad[:10]


def test_no_mentions_overlap_within_a_paper(records):
    for split in SPLITS:
        for r in records[split]:
            spans = sorted((m["field"], m["start"], m["end"]) for e in r["entities"] for m in e["mentions"])
            for a, b in zip(spans, spans[1:]):
                assert a[0] != b[0] or a[2] <= b[1], (r["id"], a, b)


def test_assembled_files_are_what_the_raw_files_give(records):
    """The committed splits are exactly ``scripts/annotations.py assemble`` over ``raw/`` and the pool."""
    tool = _tool()
    if not tool.POOL.is_file():
        pytest.skip(f"the annotation pool is not next to this clone ({tool.POOL})")
    pool = tool._pool()
    raw = {rec["id"]: rec for path in sorted((ANN / "raw").glob("*.jsonl")) for rec in tool._read(path)}
    for split in SPLITS:
        for r in records[split]:
            assert tool.with_offsets(raw[r["id"]], pool[r["id"]]) == r


def test_find_mentions_longest_form_first_at_word_boundaries():
    tool = _tool()
    taken: set[int] = set()
    found = tool.find_mentions("VQA-v2 and VQA; BERT-base", ["VQA-v2"], taken)
    found += tool.find_mentions("VQA-v2 and VQA; BERT-base", ["VQA"], taken)
    assert [(m["start"], m["end"]) for m in found] == [(0, 6), (11, 14)]
