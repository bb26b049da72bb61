"""Annotation tooling: add character offsets to hand-written gold records, check, split, agree.

Annotators write records in the JSONL format of ``../shared/spec/ANNOTATION.md``
(``id``, ``title``, ``entities``, ``based_on``, ``results``) into
``data/annotations/raw/*.jsonl``.  Every way an entity is written in the title or
abstract must be its ``name`` or one of its ``aliases``, spelled exactly as in the
text.  This script then locates every occurrence of those forms (case-sensitive,
at word boundaries, longest form first, no overlaps) and writes the full records,
with the paper's text and each entity's ``mentions`` (field, start, end, text).

    python scripts/annotations.py offsets data/annotations/raw/001-050.jsonl   # check one slice
    python scripts/annotations.py assemble       # raw/*.jsonl -> data/annotations/{train,dev,lockbox}.jsonl
    python scripts/annotations.py agree A.jsonl B.jsonl   # micro F1 between two annotators

The split is a fixed rule on the paper id (a sha1 prefix): ``int(id, 16) % 20``
0-13 train, 14-16 dev, 17-19 lockbox.

>>> split_of("43abb6e644") in ("train", "dev", "lockbox")
True
>>> [(m["start"], m["end"]) for m in find_mentions("BERT and RoBERTa beat BERT-base.", ["BERT"], set())]
[(0, 4), (22, 26)]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POOL = ROOT.parent / "shared" / "annotate" / "pool.jsonl"
OUT = ROOT / "data" / "annotations"
TYPES = ("Model", "Dataset", "Technique", "Task", "Metric", "Repository")
ROLES = ("proposes", "evaluates_on", "has_code", "uses")
GUIDELINE = "ANNOTATION.md of ../shared/spec as of 2026-12-04 (roles: proposes > evaluates_on > has_code > uses)"


def split_of(paper_id: str) -> str:
    r = int(paper_id, 16) % 20
    return "train" if r < 14 else "dev" if r < 17 else "lockbox"


def find_mentions(text: str, forms: list[str], taken: set[int], field: str = "abstract") -> list[dict]:
    """Every non-overlapping occurrence of any form, at word boundaries, longest form first."""
    found = []
    for form in sorted({f for f in forms if f}, key=len, reverse=True):
        pattern = (r"(?<![A-Za-z0-9])" if form[0].isalnum() else "") + re.escape(form) \
            + (r"(?![A-Za-z0-9])" if form[-1].isalnum() else "")
        for m in re.finditer(pattern, text):
            span = set(range(m.start(), m.end()))
            if span & taken:
                continue
            taken |= span
            found.append({"field": field, "start": m.start(), "end": m.end(), "text": m.group(0)})
    return sorted(found, key=lambda m: m["start"])


def check_record(rec: dict, paper: dict) -> list[str]:
    """Problems with one record (empty when it is well-formed)."""
    problems = []
    names = set()
    for e in rec.get("entities", []):
        if e.get("type") not in TYPES:
            problems.append(f"bad type {e.get('type')!r} for {e.get('name')!r}")
        if e.get("role") not in ROLES:
            problems.append(f"bad role {e.get('role')!r} for {e.get('name')!r}")
        if not e.get("mentions"):
            problems.append(f"{e.get('name')!r}: no form of it occurs in the text (add the exact surface form as an alias)")
        names |= {e["name"], *e.get("aliases", [])}
    for pair in rec.get("based_on", []):
        if len(pair) != 2 or not all(p in names for p in pair):
            problems.append(f"based_on {pair!r} names an entity not in the record")
    for r in rec.get("results", []):
        if not {"model", "dataset", "metric", "value"} <= set(r):
            problems.append(f"result {r!r} lacks a key")
        elif not isinstance(r["value"], (int, float)):
            problems.append(f"result {r!r}: value is not a number")
    if rec.get("title") != paper["title"]:
        problems.append("title differs from the pool's")
    return problems


def with_offsets(rec: dict, paper: dict) -> dict:
    """The record with each entity's mentions: all forms of all entities, longest first."""
    taken = {"title": set(), "abstract": set()}
    ents = rec.get("entities", [])
    found: dict[int, list[dict]] = {i: [] for i in range(len(ents))}
    forms = sorted(((f, i) for i, e in enumerate(ents) for f in {e["name"], *e.get("aliases", [])} if f),
                   key=lambda x: -len(x[0]))
    for form, i in forms:
        for field in ("title", "abstract"):
            found[i] += find_mentions(paper[field], [form], taken[field], field)
    out = [{**{k: e[k] for k in ("type", "name", "role") if k in e}, "aliases": e.get("aliases", []),
            "mentions": sorted(found[i], key=lambda m: (m["field"] != "title", m["start"]))}
           for i, e in enumerate(ents)]
    return {"id": paper["id"], "title": paper["title"], "abstract": paper["abstract"],
            "venue": paper.get("venue"), "year": paper.get("year"), "source": paper.get("source"),
            "split": split_of(paper["id"]), "entities": out,
            "based_on": rec.get("based_on", []), "results": rec.get("results", [])}


def _pool() -> dict[str, dict]:
    return {p["id"]: p for p in map(json.loads, POOL.read_text(encoding="utf-8").splitlines())}


def _read(path: Path) -> list[dict]:
    recs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError as exc:
                sys.exit(f"{path}:{n}: {exc}")
    return recs


def offsets(paths: list[str]) -> int:
    pool, bad = _pool(), 0
    for path in map(Path, paths):
        for n, rec in enumerate(_read(path), 1):
            paper = pool.get(rec.get("id"))
            if paper is None:
                print(f"{path}:{n}: id {rec.get('id')!r} not in the pool")
                bad += 1
                continue
            for p in check_record(with_offsets(rec, paper), paper):
                print(f"{path}:{n} ({rec['id']}): {p}")
                bad += 1
    print(f"{bad} problem(s)")
    return 1 if bad else 0


def assemble() -> int:
    pool, order = _pool(), {pid: i for i, pid in enumerate(_pool())}
    recs = {}
    for path in sorted((OUT / "raw").glob("*.jsonl")):
        for rec in _read(path):
            recs[rec["id"]] = with_offsets(rec, pool[rec["id"]])
    for split in ("train", "dev", "lockbox"):
        rows = sorted((r for r in recs.values() if r["split"] == split), key=lambda r: order[r["id"]])
        (OUT / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                            encoding="utf-8")
        print(f"{split}: {len(rows)} papers, {sum(len(r['entities']) for r in rows)} entities")
    return 0


def agree(a: str, b: str) -> int:
    """Micro F1 of B against A with kg evaluate's matching (type + any shared name key)."""
    sys.path.insert(0, str(ROOT))
    from kg.scoring import _keys, _match, prf  # noqa: PLC0415
    ra, rb = {r["id"]: r for r in _read(Path(a))}, {r["id"]: r for r in _read(Path(b))}
    common = sorted(set(ra) & set(rb))
    tp = na = nb = 0
    per_type: dict[str, list[int]] = {}
    for pid in common:
        ga = [(e["type"], _keys([e["name"], *e.get("aliases", [])])) for e in ra[pid]["entities"]]
        gb = [(e["type"], _keys([e["name"], *e.get("aliases", [])])) for e in rb[pid]["entities"]]
        m = _match(ga, gb, lambda x, y: x[0] == y[0] and bool(x[1] & y[1]))
        tp, na, nb = tp + len(m), na + len(ga), nb + len(gb)
        for t in TYPES:
            row = per_type.setdefault(t, [0, 0, 0])
            row[0] += sum(1 for gi, _ in m if ga[gi][0] == t)
            row[1] += sum(1 for x in gb if x[0] == t)
            row[2] += sum(1 for x in ga if x[0] == t)
    print(f"papers in both: {len(common)}; entities A {na}, B {nb}, agreed {tp}")
    print("micro P/R/F1 (B vs A):", prf(tp, nb, na))
    for t, (t_tp, t_b, t_a) in per_type.items():
        print(f"  {t:10} F1 {prf(t_tp, t_b, t_a)[2]:.3f}  (A {t_a}, B {t_b})")
    return 0


if __name__ == "__main__":
    cmd, *args = sys.argv[1:] or ["help"]
    if cmd == "offsets":
        sys.exit(offsets(args))
    if cmd == "assemble":
        sys.exit(assemble())
    if cmd == "agree":
        sys.exit(agree(*args))
    print(__doc__)
