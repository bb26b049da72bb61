"""Shared fixtures: the tiny fixture corpus, one build of it, and helpers.

The fixture corpus (``tests/fixtures/corpus``) is three files, one of each
input kind, five distinct papers (one listed twice).  ``fixture_build`` builds
it once per session; tests that need their own build call ``kg.api.build``.

The library functions are called through :mod:`kg.api` (``kg.build`` and ``kg.query`` are
the same functions: see ``tests/test_build.py::test_package_functions_not_shadowed_by_submodules``).
"""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from kg.errors import InputWarning

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = FIXTURES / "corpus"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The fixture corpus directory (read-only: copy it before changing it)."""
    return CORPUS


@pytest.fixture(scope="session")
def two_listings(tmp_path_factory) -> Path:
    """A directory with the first two seed listings (a few dozen real papers)."""
    d = tmp_path_factory.mktemp("two-listings")
    for name in sorted(p.name for p in SEEDS.iterdir())[:2]:
        shutil.copy(SEEDS / name, d / name)
    return d


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the fixture corpus."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory):
    """``(summary, output_dir)`` of one build of the fixture corpus (with HTML)."""
    from kg import api

    out = tmp_path_factory.mktemp("fixture-build") / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # the fixture corpus is clean
        summary = api.build([str(CORPUS)], out)
    return summary, out


def _input_warnings(record) -> list[str]:
    """Messages of the InputWarnings in a ``pytest.warns``/``catch_warnings`` record."""
    return [str(w.message) for w in record if issubclass(w.category, InputWarning)]


def _assert_warned(record, file, line: int, *words: str) -> str:
    """Some InputWarning names ``FILE:LINE`` (and contains every word); returns it."""
    where = f"{file}:{line}"
    messages = _input_warnings(record)
    hits = [m for m in messages if where in m and all(w.lower() in m.lower() for w in words)]
    assert hits, f"no warning naming {where} with {words}; got {messages}"
    return hits[0]


@pytest.fixture(scope="session")
def warned():
    """``warned(record, file, line, *words)``: assert an InputWarning names FILE:LINE."""
    return _assert_warned


@pytest.fixture(scope="session")
def input_warnings():
    """``input_warnings(record)``: the InputWarning messages of a warnings record."""
    return _input_warnings
