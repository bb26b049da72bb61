"""A damaged previous build is never copied into the next one (issue 17, item 6: outputs and store).

A rebuild reuses the previous build's files block by block and checkpoints its
store; each is damaged below in one way after a build of the fixture corpus
(a byte flipped with size and modification time kept, truncation, deletion,
foreign bytes, a broken link).  The next build must not raise, must warn
where it found damage (a :class:`~kg.errors.CacheWarning` naming the path),
and must publish exactly what a cold build publishes, store included.
"""
from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_outputs import _without_created  # how a rebuild is compared with a cold build

from kg import api, generations
from kg.errors import CacheWarning
from kg.outputs import INDEX
from kg.store import MANIFEST

EXTRA = '{"title": "FooNet: A Tiny Network", "abstract": "We propose FooNet, built on ResNet-50, on ImageNet."}\n'


def _flip(path: Path) -> None:
    """Change one byte in the middle of ``path``, keeping its size and modification time."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _largest(folder: Path, suffix: str) -> Path:
    return max(folder.glob(f"*{suffix}"), key=lambda p: p.stat().st_size)


def _gen(out: Path) -> Path:
    return generations.current(out)


DAMAGE = {  # kind: (what to do to the output folder, whether the next build must warn)
    "graph.nt: one byte flipped": (lambda out: _flip(_gen(out) / "graph.nt"), True),
    "graph.ttl: truncated": (lambda out: os.truncate(_gen(out) / "graph.ttl", 100), True),
    "graph.json: deleted": (lambda out: os.unlink(_gen(out) / "graph.json"), True),
    "graph.nt: replaced by a real file": (lambda out: (os.unlink(out / "graph.nt"),
                                                       (out / "graph.nt").write_bytes(b"junk\n")), True),
    "block index: one byte flipped": (lambda out: _flip(_gen(out) / INDEX), True),
    "block index: foreign bytes": (lambda out: (_gen(out) / INDEX).write_bytes(os.urandom(300)), True),
    "store: one byte of the largest table flipped": (lambda out: _flip(_largest(_gen(out) / "store", ".sst")),
                                                     True),
    "store: a table deleted": (lambda out: os.unlink(_largest(_gen(out) / "store", ".sst")), True),
    "store: MANIFEST garbled": (lambda out: next((_gen(out) / "store").glob("MANIFEST-*")).write_bytes(b"x"), True),
    "store: its manifest deleted": (lambda out: os.unlink(_gen(out) / MANIFEST), True),
    "store: deleted": (lambda out: shutil.rmtree(_gen(out) / "store"), False),
    "current generation deleted": (lambda out: shutil.rmtree(_gen(out)), False),
    ".kg-current replaced by a file": (lambda out: (os.unlink(out / ".kg-current"),
                                                     (out / ".kg-current").write_text("x")), False),
}


def _build(inputs: list[Path], out: Path, **kwargs) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api.build(inputs, out, html=False, site=False, **kwargs)
    return [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]


def _published(out: Path) -> tuple:
    store = ox.Store.read_only(str(out / "store"))
    triples = sorted(str(q) for q in store if "/dc/terms/created" not in str(q.predicate))
    return _without_created(out / "graph.nt"), _without_created(out / "graph.ttl"), \
        (out / "graph.json").read_bytes(), triples


@pytest.fixture(scope="module")
def cold(two_listings, tmp_path_factory):
    """The inputs (the fixture listings plus one new paper) and what a cold build of them publishes."""
    root = tmp_path_factory.mktemp("output-corruption")
    extra = root / "extra.jsonl"
    extra.write_text(EXTRA, encoding="utf-8")
    _build([two_listings, extra], root / "cold", cache=False)
    return [two_listings, extra], _published(root / "cold")


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_previous_build_is_rebuilt_not_copied(kind, cold, tmp_path):
    inputs, expected = cold
    out = tmp_path / "out"
    assert _build(inputs[:1], out) == []
    damage, warns = DAMAGE[kind]
    damage(out)
    messages = _build(inputs, out)  # adds a paper: a rebuild that would reuse blocks and patch the store
    if warns:
        assert messages, f"{kind}: no warning"
        assert all(str(out) in m for m in messages), messages
    assert _published(out) == expected, kind
    assert _build(inputs, out) == []  # and the build after that finds everything whole
