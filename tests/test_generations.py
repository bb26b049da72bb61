"""A build publishes as one atomic step: kill it anywhere and the folder shows one whole build.

The sweep kills a rebuild (SIGKILL, so no ``finally`` runs) just before each of
its renames, links, syncs and folder removals, then checks that every name in
the folder shows one and the same build, the previous or the new, and that the
next build equals a cold one and leaves nothing behind.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import api, generations
from kg.errors import BuildLockedError

PAPERS_A = [{"title": f"Net{i}: Fast Networks", "abstract": f"We propose Net{i}, a network trained on ImageNet "
                                                            f"with LoRA. Net{i} reaches {60 + i}.1% accuracy."}
            for i in range(4)]
PAPERS_B = PAPERS_A[:3] + [{"title": f"Grid{i}: Slow Networks", "abstract": f"We introduce Grid{i}, evaluated on "
                                                                           f"COCO against BERT."} for i in range(3)]
COMPARED = ("graph.nt", "graph.ttl", "graph.json", "graph.html", "site/index.html")


def _write(path: Path, papers: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def _fingerprint(out: Path) -> dict[str, bytes]:
    """The build's files, without the one line that differs between two builds of one input (its time)."""
    prints = {}
    for name in COMPARED:
        path = out / name
        data = path.read_bytes() if path.exists() else b""
        prints[name] = b"\n".join(line for line in data.split(b"\n")
                                  if b"/terms/created>" not in line and b"dcterms:created" not in line)
    return prints


def _store_size(out: Path) -> int:
    return len(ox.Store.read_only(str(out / "store")))


def _consistent(out: Path) -> Path:
    """The one generation every published name of ``out`` shows (asserting there is one)."""
    gen = generations.current(out)
    assert gen is not None
    for name in generations.PUBLISHED:
        link = out / name
        assert link.is_symlink(), name
        if link.exists():
            assert link.resolve().parent == gen, name
    lines = [x for x in (out / "graph.nt").read_bytes().split(b"\n") if x]
    assert _store_size(out) == len(lines)  # the store and graph.nt of one build
    return gen


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen-inputs")
    return _write(d / "a.jsonl", PAPERS_A), _write(d / "b.jsonl", PAPERS_B), d


def test_publish_switches_every_name_at_once_and_tidies(tmp_path):
    out = tmp_path / "out"
    with generations.locked(out):
        first = generations.new_generation(out)
        (first / "graph.nt").write_text("one\n")
        generations.publish(first, out)
        second = generations.new_generation(out)
        (second / "graph.nt").write_text("two\n")
        (out / ".kg-build-x1").mkdir()  # left by a killed build of an older kg
        assert (out / "graph.nt").read_text() == "one\n"
        generations.publish(second, out)
    assert (out / "graph.nt").read_text() == "two\n"
    assert not first.exists() and not (out / ".kg-build-x1").exists()
    assert oct(second.stat().st_mode & 0o777) != oct(0o700)  # readable like any folder


def test_a_second_build_on_a_locked_folder_stops_with_a_clear_error(tmp_path, inputs):
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path / "out"
    with generations.locked(out):
        with pytest.raises(BuildLockedError, match="another kg build"):
            api.build([inputs[0]], out, html=False, site=False)
        result = CliRunner().invoke(main, ["build", str(inputs[0]), "-o", str(out), "--no-site"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {out}: another kg build (pid {os.getpid()})")
    assert api.build([inputs[0]], out, html=False, site=False).papers == 4  # free again


def test_a_folder_of_an_older_kg_is_adopted_and_reused(tmp_path, inputs):
    out = tmp_path / "out"
    api.build([inputs[0]], out, html=False, site=False)
    gen = generations.current(out)
    for name in os.listdir(gen):  # the old layout: everything in the folder itself
        os.unlink(out / name) if (out / name).is_symlink() else None
        os.replace(gen / name, out / name)
    os.unlink(out / generations.CURRENT)
    os.rmdir(gen)
    old = _fingerprint(out)
    summary = api.build([inputs[0]], out, html=False, site=False)
    assert summary.reused > 0  # the adopted files were reused block by block
    assert _fingerprint(out) == old
    _consistent(out)


def test_a_build_without_site_leaves_no_stale_site(tmp_path, inputs):
    out = tmp_path / "out"
    api.build([inputs[0]], out, html=False)
    assert (out / "site" / "index.html").is_file()
    api.build([inputs[1]], out, html=False, site=False)
    assert not (out / "site").exists() and (out / "site").is_symlink()  # absent, never stale


RUNNER = r"""
import os, signal, shutil, sys
from kg import api, generations

src, out, phase, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
calls = {"build": 0, "publish": 0, "rmtree": 0}
where = ["build"]


def wrap(fn):
    def inner(*args, **kwargs):
        calls[where[0]] += 1
        if where[0] == phase and calls[phase] == n:
            os.kill(os.getpid(), signal.SIGKILL)  # no finally, no atexit: as kill -9 or a power cut
        return fn(*args, **kwargs)
    return inner


def publishing(real):
    def inner(*args, **kwargs):
        where[0] = "publish"
        return real(*args, **kwargs)
    return inner


for name in ("replace", "rename", "symlink", "link", "unlink", "sync", "rmdir"):
    setattr(os, name, wrap(getattr(os, name)))


def removing(real):
    def inner(*args, **kwargs):
        outer, where[0] = where[0], "rmtree" if where[0] == "publish" else where[0]
        try:
            return real(*args, **kwargs)  # the files of a folder being removed count apart
        finally:
            where[0] = outer
    return inner


shutil.rmtree = wrap(removing(shutil.rmtree))
generations.publish = publishing(generations.publish)
api.build([src], out, progress=False)
print(calls["build"], calls["publish"])  # steps of the build and of publishing
"""


def _kill_run(src: Path, out: Path, phase: str, n: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUNNER, str(src), str(out), phase, str(n)],
                          capture_output=True, text=True, timeout=300)


def test_a_kill_at_any_step_leaves_one_whole_build(tmp_path, inputs):
    a, b, _ = inputs
    src = tmp_path / "papers.jsonl"
    refs = {}
    for name, content in (("a", a), ("b", b)):  # cold builds of the same input path
        shutil.copy(content, src)
        api.build([src], tmp_path / f"ref-{name}")
        refs[name] = _fingerprint(tmp_path / f"ref-{name}")
    shutil.copy(a, src)
    api.build([src], tmp_path / "template")  # the previous build, over which every kill happens
    shutil.copy(b, src)
    shutil.copytree(tmp_path / "template", tmp_path / "count", symlinks=True)
    counted = _kill_run(src, tmp_path / "count", "none", 0)  # how many steps a rebuild takes
    assert counted.returncode == 0, counted.stderr[-3000:]
    before, publishing = map(int, counted.stdout.split())
    assert publishing >= 3
    # every step of publishing, and the first and last step of the build before it
    # and half-way through removing the previous generation
    points = [("build", 1), ("build", before)] + [("publish", k) for k in range(1, publishing + 1)] + [
        ("rmtree", 5)]
    runs = []
    for phase, n in points:
        out = tmp_path / f"k-{phase}-{n}"
        shutil.copytree(tmp_path / "template", out, symlinks=True)
        proc = _kill_run(src, out, phase, n)
        assert proc.returncode == -9, (phase, n, proc.returncode, proc.stderr[-3000:])
        runs.append(out)
    outcomes = set()
    for out in runs:
        run = out.name
        _consistent(out)
        shown = _fingerprint(out)
        assert shown in (refs["a"], refs["b"]), run  # the previous build or the new one, never a mix
        outcomes.add("new" if shown == refs["b"] else "old")
        api.build([src], out)  # the next build completes it
        assert _fingerprint(out) == refs["b"], run
        assert not [p.name for p in out.iterdir() if p.name.startswith(generations.LEFTOVERS)
                    and p.resolve() != generations.current(out)], run
    assert outcomes == {"old", "new"}
