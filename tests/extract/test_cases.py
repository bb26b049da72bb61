"""Hand-written extraction cases (tests/extract/cases.jsonl) run through the real pipeline.

Each line of ``cases.jsonl`` is one paper (title + abstract) and what the
annotation guideline (shared/spec/ANNOTATION.md) says the extractor must and
must not find in it:

* ``expect``: entities that must be found with that type (and, when given,
  that role).  An expected entity is found when some mention has the same type
  and its canonical name, surface or one of its aliases equals the expected name
  after lower-casing and dropping every non-alphanumeric character.  The role is
  the strongest role over all mentions of the matching entity.
* ``absent``: phrases that must not become entities of any type: no mention's
  surface or canonical name may equal the phrase (same normalisation).
* ``based_on`` (optional): ``[subject, object]`` pairs that must be among the
  relations, names matched by the same rule.
* ``results`` (optional): results that must be found; ``dataset`` may be null,
  in which case the found result must have no dataset; values within 1e-6.
* ``known_failure`` (optional): what the default pipeline (rules + learned
  classifier) gets wrong in this case today; the case is a strict xfail.

A *negative case* is one whose ``expect`` is empty: its point is ``absent``.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from kg.extract.pipeline import build_nlp, extract_paper
from kg.records import ENTITY_TYPES, ROLES, Extraction, Paper, role_rank

CASES_FILE = Path(__file__).with_name("cases.jsonl")
CASE_KEYS = {"id", "title", "abstract", "expect", "absent", "based_on", "results", "note", "known_failure"}
RESULT_KEYS = {"model", "dataset", "metric", "value"}


def load_cases() -> list[dict]:
    cases = []
    with CASES_FILE.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                case = json.loads(line)
                case["_line"] = n
                cases.append(case)
    return cases


CASES = load_cases()


def norm(s: str | None) -> str:
    """Lower-cased, with every non-alphanumeric character removed."""
    return "".join(c for c in (s or "").lower() if c.isalnum())


# ------------------------------------------------------------------ file-level checks


def test_case_file_size_and_share_of_negative_cases():
    negatives = [c["id"] for c in CASES if not c.get("expect") and c.get("absent")]
    assert len(CASES) >= 40, f"only {len(CASES)} cases in {CASES_FILE.name}"
    assert len(negatives) * 4 >= len(CASES), (
        f"{len(negatives)} negative cases (empty expect, non-empty absent) of {len(CASES)}: "
        f"fewer than 25%")


def test_case_file_is_well_formed():
    ids = [c.get("id") for c in CASES]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate case ids: {dupes}"
    problems = []
    for c in CASES:
        where = f"line {c['_line']} ({c.get('id')})"
        extra = set(c) - CASE_KEYS - {"_line"}
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        for key in ("id", "title", "abstract", "note"):
            if not isinstance(c.get(key), str) or not c[key].strip():
                problems.append(f"{where}: missing or empty {key!r}")
        if not isinstance(c.get("expect"), list) or not isinstance(c.get("absent", []), list):
            problems.append(f"{where}: 'expect' and 'absent' must be lists")
            continue
        if not c["expect"] and not c.get("absent"):
            problems.append(f"{where}: neither expect nor absent: checks nothing")
        for e in c["expect"]:
            if e.get("type") not in ENTITY_TYPES:
                problems.append(f"{where}: bad type in {e}")
            if not norm(e.get("name")):
                problems.append(f"{where}: bad name in {e}")
            if "role" in e and e["role"] not in ROLES:
                problems.append(f"{where}: bad role in {e}")
        for phrase in c.get("absent", []):
            if not norm(phrase):
                problems.append(f"{where}: absent phrase {phrase!r} is empty after normalisation")
        for pair in c.get("based_on", []):
            if not (isinstance(pair, list) and len(pair) == 2 and all(norm(x) for x in pair)):
                problems.append(f"{where}: bad based_on pair {pair!r}")
        for r in c.get("results", []):
            if set(r) != RESULT_KEYS or not isinstance(r["value"], (int, float)):
                problems.append(f"{where}: bad result {r!r}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ per-case checks


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


class Found:
    """The extractor's output for one paper, grouped by entity (type, canonical name)."""

    def __init__(self, ex: Extraction):
        self.ex = ex
        self.names: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.roles: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.surfaces: dict[tuple[str, str], set[str]] = defaultdict(set)
        for m in ex.mentions:
            key = (m.type, m.canonical)
            self.names[key].update(norm(x) for x in (m.canonical, m.surface, *m.aliases))
            self.roles[key].add(m.role)
            self.surfaces[key].add(m.surface)

    def entities(self, type_: str, name: str) -> list[tuple[str, str]]:
        n = norm(name)
        return [key for key, names in self.names.items() if key[0] == type_ and n in names]

    def name_matches(self, found_name: str | None, expected: str | None) -> bool:
        """A name in a relation/result matches when equal, or when it is the canonical
        name of an entity one of whose surfaces/aliases equals the expected name."""
        if expected is None or found_name is None:
            return expected is None and found_name is None
        if norm(found_name) == norm(expected):
            return True
        return any(key[1] == found_name and norm(expected) in names
                   for key, names in self.names.items())

    def dump(self) -> str:
        lines = ["  entities found (type | canonical | role | surfaces):"]
        for key in sorted(self.names):
            role = min(self.roles[key], key=role_rank)
            lines.append(f"    {key[0]:<10} | {key[1]} | {role} | {sorted(self.surfaces[key])}")
        if not self.names:
            lines.append("    (none)")
        lines.append("  based_on found: "
                     + (", ".join(f"({r.subject} -> {r.object})" for r in self.ex.relations) or "(none)"))
        lines.append("  results found: "
                     + (", ".join(f"({r.model}, {r.dataset}, {r.metric}, {r.value})"
                                  for r in self.ex.results) or "(none)"))
        return "\n".join(lines)


def check_case(case: dict, ex: Extraction) -> list[str]:
    found = Found(ex)
    failures = []
    for e in case["expect"]:
        keys = found.entities(e["type"], e["name"])
        if not keys:
            other = [k for k, names in found.names.items() if norm(e["name"]) in names]
            hint = f" (found as {other})" if other else ""
            failures.append(f"missing {e['type']} {e['name']!r}{hint}")
            continue
        if "role" in e:
            roles = set().union(*(found.roles[k] for k in keys))
            role = min(roles, key=role_rank)
            if role != e["role"]:
                failures.append(f"{e['type']} {e['name']!r}: role {role!r}, expected {e['role']!r} "
                                f"(entity {keys})")
    for phrase in case.get("absent", []):
        n = norm(phrase)
        hits = sorted({(m.type, m.surface, m.canonical) for m in ex.mentions
                       if norm(m.surface) == n or norm(m.canonical) == n})
        if hits:
            failures.append(f"absent phrase {phrase!r} became an entity: {hits}")
    for subj, obj in case.get("based_on", []):
        if not any(found.name_matches(r.subject, subj) and found.name_matches(r.object, obj)
                   for r in ex.relations):
            failures.append(f"missing based_on ({subj} -> {obj})")
    for want in case.get("results", []):
        if not any(found.name_matches(r.model, want["model"])
                   and found.name_matches(r.dataset, want["dataset"])
                   and found.name_matches(r.metric, want["metric"])
                   and abs(r.value - want["value"]) <= 1e-6
                   for r in ex.results):
            failures.append("missing result ({model}, {dataset}, {metric}, {value})".format(**want))
    return failures


def _param(case: dict):
    """A case the default pipeline is known to fail is a strict xfail: its reason is shown in
    every run, and the day it passes the run fails until the mark is removed."""
    if case.get("known_failure"):
        return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=case["known_failure"]))
    return case


def test_known_failures_stay_few():
    """At most a fifth of the cases may be known failures of the default pipeline."""
    known = [c["id"] for c in CASES if c.get("known_failure")]
    assert len(known) * 5 <= len(CASES), known


@pytest.mark.parametrize("case", [_param(c) for c in CASES], ids=[c["id"] for c in CASES])
def test_extraction_case(nlp, case):
    paper = Paper(id=case["id"], title=case["title"], abstract=case["abstract"])
    ex = extract_paper(nlp, paper)
    failures = check_case(case, ex)
    assert not failures, (
        f"case {case['id']} (cases.jsonl line {case['_line']}): {case['note']}\n"
        + "\n".join(f"  - {f}" for f in failures) + "\n" + Found(ex).dump())
