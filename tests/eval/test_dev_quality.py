"""Extraction quality on the hand-annotated dev papers, guarded against regressions.

The graph of ``seeds/`` is built and scored with ``kg evaluate`` against
``tests/fixtures/dev_gold.jsonl`` (a copy of the project's dev gold set).  Each
figure must stay at or above its floor.  The floors are the figures measured
when this test was last updated, minus a small margin, and never below the
target of the extraction-quality issue: every row meets its target, and falling
below a target fails (see README, "Extraction quality").  Raise a floor whenever
the extractor improves.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import api

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "fixtures" / "dev_gold.jsonl"

TARGETS = {  # the table
    "Repository": 0.95, "Model": 0.80, "Dataset": 0.80, "Task": 0.70, "Metric": 0.70, "Technique": 0.60,
    "micro": 0.75, "role:proposes": 0.85, "based_on": 0.50, "results": 0.50,
}
FLOORS = {  # measured on branch extract-proposes minus 0.02, never below the target (Task: 0.703 measured)
    "Repository": 0.98, "Model": 0.88, "Dataset": 0.90, "Task": 0.70, "Metric": 0.74, "Technique": 0.76,
    "micro": 0.80, "role:proposes": 0.89, "based_on": 0.56, "results": 0.62,
}


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-graph")
    api.build([ROOT / "seeds"], out, html=False, site=False, cache=False)
    return api.evaluate(GOLD, graph=out)


@pytest.mark.parametrize("row", sorted(FLOORS))
def test_figure_does_not_regress(evaluation, row):
    assert evaluation.f1(row) >= FLOORS[row], evaluation.table()


def test_every_dev_paper_is_in_the_seeds_graph(evaluation):
    assert evaluation.papers == 40 and not evaluation.missing


def test_targets_met_are_guarded_at_the_target(evaluation):
    """Where a figure already meets the issue's target, falling below the target fails."""
    for row, target in TARGETS.items():
        if FLOORS[row] >= target:
            assert evaluation.f1(row) >= target, (row, evaluation.table())


def test_floors_are_not_below_targets():
    """Every row meets the issue's target now, so no floor may sit below its target."""
    assert all(FLOORS[row] >= target for row, target in TARGETS.items()), (FLOORS, TARGETS)
