"""Ctrl-C and SIGTERM during ``kg build``: one line, exit 130 or 143, no worker traceback, no temp folder."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest


def _inputs(path, n=3000):
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"title": f"Model{i}Net: Fast Networks {i}",
                                  "abstract": f"We propose Model{i}Net, a network trained on ImageNet with "
                                              f"LoRA. Model{i}Net reaches {50 + i % 40}.1% accuracy on COCO."}) + "\n")


def _staging(out) -> list:
    """Generation folders in ``out`` that are not the current one (a build's staging folder, or a leftover)."""
    from kg import generations

    return [p for p in out.iterdir() if p.name.startswith(generations.LEFTOVERS)
            and p.resolve() != generations.current(out)]


@pytest.mark.parametrize("sig, code, name", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_an_interrupted_build_ends_cleanly(tmp_path, sig, code, name):
    from kg import api

    src, out, first = tmp_path / "papers.jsonl", tmp_path / "out", tmp_path / "first.jsonl"
    _inputs(first, 5)
    api.build([first], out, html=False, site=False)
    before = (out / "graph.nt").read_bytes()
    _inputs(src)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "--jobs", "2",
                             "--no-site", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.time() + 60
    while not (_staging(out) or _cached(out) > 5) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)  # until the build is under way: it saved extractions, or writes its new generation
    assert proc.poll() is None, "the build ended before it could be interrupted"
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # as a terminal does: the whole process group
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and err.strip() == f"Interrupted ({name}): the previous output is left as it was"
    assert not _staging(out)
    assert (out / "graph.nt").read_bytes() == before  # the previous build, untouched


def _cached(out) -> int:
    """Extractions in the build's cache so far (0 while it cannot be read)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{out / '.kg-cache.sqlite'}?mode=ro", uri=True, timeout=0.1) as db:
            return sum(db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for (name,) in
                       db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    except sqlite3.Error:
        return 0


def test_papers_extracted_before_ctrl_c_are_kept_in_the_cache(tmp_path):
    from kg import api

    src, out = tmp_path / "papers.jsonl", tmp_path / "out"
    _inputs(src, 6000)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "--jobs", "2",
                             "--no-site", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.time() + 60
    while not (out / ".kg-cache.sqlite").exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    while _cached(out) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)  # until the workers have returned their first chunks (slow on a loaded machine)
    assert proc.poll() is None, "the build ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    kept = _cached(out)
    assert kept > 0, "nothing extracted before the interrupt was kept"  # (extraction may have ended by then)
    again = api.build([src], out, html=False, site=False)
    assert again.extracted == again.papers - kept  # no paper kept in the cache is extracted again


def test_a_build_killed_outright_keeps_what_it_had_saved(tmp_path):
    """``kill -9`` runs no handler: the cache still holds every batch saved before it (SAVE_EVERY at a time)."""
    from kg import api
    from kg.engine.run import SAVE_EVERY

    src, out = tmp_path / "papers.jsonl", tmp_path / "out"
    _inputs(src, 3 * SAVE_EVERY)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "--jobs", "2",
                             "--no-site", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 120
    while _cached(out) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    kept = _cached(out)
    assert kept >= SAVE_EVERY
    again = api.build([src], out, html=False, site=False)
    assert again.extracted == again.papers - kept
