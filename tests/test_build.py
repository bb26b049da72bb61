"""``kg.build``: the output directory, the summary, and atomic writes."""
from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path

import pytest

from kg import api
from kg.errors import InputWarning, NoPapersError, OutputError


def test_outputs_exist(fixture_build):
    summary, out = fixture_build
    for name in ("graph.nt", "graph.ttl", "graph.json", "graph.html"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert all(p.exists() for p in summary.files)
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")


def test_summary_counts(fixture_build):
    summary, out = fixture_build
    assert summary.papers == 5
    assert list(summary.entities) == ["Model", "Dataset", "Technique", "Task", "Metric", "Repository"]
    assert summary.entities["Model"] >= 5 and summary.entities["Dataset"] >= 3
    assert summary.entities["Repository"] == 1
    nt_lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert summary.triples == len(nt_lines)
    text = str(summary)
    assert text.startswith("5 papers")
    assert f"{summary.triples} triples" in text and " s " in text and str(out) in text
    for t, n in summary.entities.items():
        assert f"{n} {t}" in text


def test_void_triples_count_matches_the_file(fixture_build):
    summary, out = fixture_build
    rows = api.query("SELECT ?n WHERE { ?d a void:Dataset ; void:triples ?n }", graph=out).rows
    assert rows == [[str(summary.triples)]]


def test_no_papers_raises(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    with pytest.warns(InputWarning), pytest.raises(NoPapersError):
        api.build([tmp_path / "in"], tmp_path / "out")


def test_package_functions_not_shadowed_by_submodules():
    """``kg.build``/``kg.query``/… are the functions of kg/__init__.py, and stay callable after
    every kg submodule is imported (a submodule of the same name would rebind the package
    attribute to the module: ``kg.query(...)`` -> ``TypeError: 'module' object is not callable``)."""
    import pkgutil

    import kg

    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        if info.name.startswith("kg.views") or info.name in ("kg.__main__",):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # optional extras (e.g. dask)
            continue
    pkg = sys.modules["kg"]
    for name in ("build", "query", "export", "view", "stats", "evaluate"):
        assert callable(getattr(pkg, name)), f"kg.{name} is {getattr(pkg, name)!r}"
    assert pkg.build is api.build and pkg.query is api.query


# --- atomic writes -------------------------------------------------------------------------


def _failing_atomic_write(real, target_name: str, after_writes: int = 1):
    """An atomic_write whose handle raises after some writes, for files named ``target_name``."""

    @contextlib.contextmanager
    def failing(path, *args, **kwargs):
        with real(path, *args, **kwargs) as handle:
            if getattr(path, "name", str(path).rsplit("/", 1)[-1]) != target_name:
                yield handle
                return

            class Handle:
                writes = 0

                def write(self, data):
                    Handle.writes += 1
                    if Handle.writes > after_writes:
                        raise OSError(28, "No space left on device (simulated)")
                    return handle.write(data)

                def writelines(self, lines):
                    for line in lines:
                        self.write(line)

                def __getattr__(self, name):
                    return getattr(handle, name)

            yield Handle()

    return failing


def _patch_atomic_write(monkeypatch, target_name: str):
    from kg import fsutil

    real = fsutil.atomic_write
    failing = _failing_atomic_write(real, target_name)
    for name, module in list(sys.modules.items()):
        if (name == "kg" or name.startswith("kg.")) and getattr(module, "atomic_write", None) is real:
            monkeypatch.setattr(module, "atomic_write", failing)


def _leftovers(directory):
    """Temporary files and folders in ``directory`` (the current generation and the lock are not)."""
    from kg import generations

    keep = generations.current(directory)
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")
                  if (keep is None or keep not in (p, *p.parents))
                  and (p.name.endswith(".tmp") or (p.name.startswith(".") and not p.name.startswith(".kg-cache")
                                                   and p.name not in (generations.CURRENT, generations.LOCK))))


@pytest.fixture
def previous(tmp_path, corpus_dir):
    """An output directory holding a build of a one-paper input."""
    src = tmp_path / "one.jsonl"
    src.write_text('{"title": "FooNet: Fast Nets", "abstract": "We propose FooNet, built on BERT."}\n')
    out = tmp_path / "out"
    api.build([src], out, html=False, site=False)
    return out, {n: (out / n).read_bytes() for n in ("graph.nt", "graph.ttl", "graph.json")}


def test_crash_while_writing_graph_nt_leaves_previous_file(monkeypatch, previous, corpus_dir):
    out, before = previous
    _patch_atomic_write(monkeypatch, "graph.nt")
    with pytest.raises(OutputError, match=r"out/\.kg-gen-\w+: No space left on device \(simulated\); the previous build is left"):
        api.build([corpus_dir], out, html=False, site=False)
    assert (out / "graph.nt").read_bytes() == before["graph.nt"]
    assert _leftovers(out) == []


def test_crash_while_writing_a_later_file_leaves_previous_output(monkeypatch, previous, corpus_dir):
    """build.py: "a crash leaves the previous output intact" — graph.nt and graph.ttl must not
    describe different builds after a crash in the middle of writing the outputs."""
    out, before = previous
    _patch_atomic_write(monkeypatch, "graph.json")
    with pytest.raises(OutputError, match=r"out/\.kg-gen-\w+: No space left on device \(simulated\)"):
        api.build([corpus_dir], out, html=False, site=False)
    assert (out / "graph.json").read_bytes() == before["graph.json"]
    assert _leftovers(out) == []
    assert (out / "graph.nt").read_bytes() == before["graph.nt"]
    assert (out / "graph.ttl").read_bytes() == before["graph.ttl"]


def test_successful_rebuild_replaces_outputs(previous, corpus_dir):
    out, before = previous
    summary = api.build([corpus_dir], out, html=False, site=False)
    assert summary.papers == 5
    assert (out / "graph.nt").read_bytes() != before["graph.nt"]
    assert _leftovers(out) == []


def test_build_without_inputs_outside_a_checkout_builds_the_shipped_seeds(tmp_path, monkeypatch):
    """``pip install kg`` then ``kg build`` in an empty folder: the seed listings ship with kg."""
    from kg import api
    from kg.builder import default_inputs

    monkeypatch.chdir(tmp_path)
    (shipped,) = default_inputs()
    assert Path(shipped).is_dir() and Path(shipped).name == "seeds"
    summary = api.build(output=tmp_path / "out", html=False, site=False, cache=False)
    assert summary.papers == 376
