"""A damaged cache costs one warning, never the build: the rebuild equals a cold build (issue 17, item 6).

Each of the three caches a build keeps beside its output (the extraction
cache ``.kg-cache.sqlite``, one entry of the parsed-input cache
``.kg-cache-inputs/`` and the mention tally ``.kg-cache-tally``) is damaged
in every way below after a build of the fixture corpus; the next build must
not raise, must warn once naming the damaged path, and must write the
``graph.nt`` a cold build writes.  A third build then finds the cache whole.
"""
from __future__ import annotations

import marshal
import os
import random
import shutil
import sqlite3
import warnings
from pathlib import Path

import pytest
from test_outputs import _without_created  # how a rebuild is compared with a cold build

from kg import api, tally
from kg.engine.cache import ExtractionCache, content_key
from kg.errors import CacheWarning
from kg.extract.lexicon import extractor_version
from kg.ingest import read_papers
from kg.ingest.cache import InputCache
from kg.records import extraction_to_tuple

CACHES = ("sqlite", "inputs", "tally")
KINDS = ("empty", "half", "flip", "random", "png", "json", "directory", "unreadable", "io-error", "old-format")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _build(corpus: Path, out: Path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api.build([corpus], out, html=False, site=False, **kwargs)
    return [w for w in caught if issubclass(w.category, CacheWarning)]


@pytest.fixture(scope="module")
def built(corpus_dir, tmp_path_factory):
    """A build of the fixture corpus with every cache, and the ``graph.nt`` of a cold build."""
    root = tmp_path_factory.mktemp("cache-corruption")
    assert _build(corpus_dir, root / "built") == []
    assert _build(corpus_dir, root / "built") == []  # a rebuild keeps the tally too
    _build(corpus_dir, root / "cold", cache=False)
    assert len(list((root / "built" / ".kg-cache-inputs").iterdir())) == 3  # the fixture files are old enough
    return root / "built", _without_created(root / "cold" / "graph.nt")


def _target(out: Path, cache: str, corpus: Path) -> Path:
    if cache == "sqlite":
        return out / ".kg-cache.sqlite"
    if cache == "tally":  # in the current generation's folder, or (before generations) in the output's
        return next(p.resolve() for p in (out / ".kg-current" / tally.TALLY_FILE, out / tally.TALLY_FILE)
                    if p.exists() or p.is_symlink())
    return InputCache(out / ".kg-cache-inputs")._entry(corpus / "more.jsonl")


def _keys(corpus: Path) -> list[str]:
    version = extractor_version()
    return [content_key(p, version) for p in read_papers([corpus])]


def _old_format(path: Path, cache: str, corpus: Path) -> bytes:
    """The file as kg wrote it before caches were checksummed (same data, the previous layout)."""
    if cache == "sqlite":
        reader = ExtractionCache(path)
        records = reader.get_many(_keys(corpus))
        reader.close()
        old = path.with_name("old.sqlite")
        db = sqlite3.connect(old)
        with db:
            db.execute("CREATE TABLE extraction_v2 (key TEXT PRIMARY KEY, record BLOB NOT NULL)")
            db.executemany("INSERT INTO extraction_v2 VALUES (?, ?)",
                           [(k, marshal.dumps(extraction_to_tuple(v))) for k, v in records.items()])
        db.close()
        data = old.read_bytes()
        old.unlink()
        return data
    if cache == "tally":
        counted, _missing = tally.load(path, _keys(corpus))
        pairs = list(counted.counts)
        return marshal.dumps({"format": tally._format(), "papers": _keys(corpus), "types": [t for t, _ in pairs],
                              "names": [n for _, n in pairs], "counts": [counted.counts[p] for p in pairs],
                              "forms": [tuple(counted.forms[p]) for p in pairs],
                              "keys": [counted.keys[n] for _, n in pairs]})
    source = corpus / "more.jsonl"
    cache_ = InputCache(path.parent, racy_seconds=0)
    stamp = cache_.stamp(source)
    rows, messages = cache_.get(source, stamp)
    return marshal.dumps((stamp, rows, messages))


def _middle_of_a_record(path: Path) -> int:
    """Where the middle byte of the longest stored extraction lies in the SQLite file."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (table,) = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    record = max((r for (r,) in db.execute(f"SELECT record FROM {table}")), key=len)
    db.close()
    at = path.read_bytes().find(record)
    assert at > 0
    return at + len(record) // 2


def _corrupt(path: Path, kind: str, cache: str, corpus: Path) -> None:
    data = path.read_bytes()
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "half":
        path.write_bytes(data[:len(data) // 2])
    elif kind == "flip":  # same size, same times: only a checksum can tell
        st = path.stat()
        at = _middle_of_a_record(path) if cache == "sqlite" else len(data) // 2
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:])
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif kind == "random":
        path.write_bytes(random.Random(17).randbytes(len(data)))
    elif kind == "png":
        path.write_bytes(PNG)
    elif kind == "json":
        path.write_bytes(b'{"papers": [], "format": 1}\n')
    elif kind == "directory":
        path.unlink()
        path.mkdir()
        (path / "file").write_bytes(b"x")
    elif kind == "unreadable":
        path.chmod(0)
    elif kind == "io-error":  # reading fails even for root: EIO (address 0 of this process is not mapped)
        path.unlink()
        path.symlink_to("/proc/self/mem")
    elif kind == "old-format":
        path.write_bytes(_old_format(path, cache, corpus))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cache", CACHES)
def test_a_damaged_cache_is_rebuilt_with_one_warning(built, corpus_dir, tmp_path, cache, kind):
    if kind == "unreadable" and os.geteuid() == 0:
        pytest.skip("running as root: chmod 0 does not stop root from reading the file")
    template, cold = built
    out = tmp_path / "out"
    shutil.copytree(template, out, symlinks=True)
    path = _target(out, cache, corpus_dir)
    _corrupt(path, kind, cache, corpus_dir)
    caught = _build(corpus_dir, out)
    assert [str(path) in str(w.message) for w in caught] == [True], [str(w.message) for w in caught]
    assert _without_created(out / "graph.nt") == cold
    assert _target(out, cache, corpus_dir).is_file() and _build(corpus_dir, out) == []  # whole again


def test_a_page_sqlite_finds_malformed_starts_the_cache_afresh(built, corpus_dir, tmp_path):
    """Damage the header check cannot see (a page of the table overwritten in place) is SQLite's error, then a miss."""
    template, cold = built
    out = tmp_path / "out"
    shutil.copytree(template, out, symlinks=True)
    path = out / ".kg-cache.sqlite"
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    db = sqlite3.connect(path)
    (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table'").fetchone()
    db.close()
    at = (root - 1) * page
    path.write_bytes(data[:at] + random.Random(3).randbytes(page) + data[at + page:])
    caught = _build(corpus_dir, out)
    assert len(caught) == 1 and f"{path}: database disk image is malformed" in str(caught[0].message), caught
    assert _without_created(out / "graph.nt") == cold
    assert _build(corpus_dir, out) == []
    again = ExtractionCache(path)
    assert len(again) == 5  # every paper stored afresh
    again.close()


def test_a_full_extraction_cache_is_a_warning_and_keeps_what_fitted(tmp_path):
    """SQLite's 'database or disk is full' (here: a page limit) while writing: one warning naming the file."""
    from kg.records import Extraction

    path = tmp_path / "c.sqlite"
    cache = ExtractionCache(path)
    cache.put_many({"small": Extraction("p")})
    pages = cache.db.execute("PRAGMA page_count").fetchone()[0]
    cache.db.execute(f"PRAGMA max_page_count = {pages}")
    big = {f"k{i}": Extraction("x" * 5000) for i in range(20)}
    with pytest.warns(CacheWarning, match=f"{path}: cannot be used .*full") as caught:
        cache.put_many(big)
        cache.put_many(big)  # no cache left this build: no second warning
    assert len(caught) == 1
    assert cache.get_many(["small"]) == {}  # disabled for the rest of the build
    cache.close()
    assert ExtractionCache(path).get_many(["small", "k0"]) == {"small": Extraction("p")}


def test_a_read_only_extraction_cache_is_a_warning(tmp_path):
    from kg.records import Extraction

    path = tmp_path / "c.sqlite"
    ExtractionCache(path).close()
    cache = ExtractionCache(path)
    cache.db.close()
    cache.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # as on a read-only disk (chmod: not as root)
    with pytest.warns(CacheWarning, match=f"{path}: cannot be used .*readonly"):
        cache.put_many({"k": Extraction("p")})
    assert path.is_file()  # left alone: not damaged, only not writable


def test_a_full_disk_while_writing_the_other_caches_is_one_warning_each(corpus_dir, tmp_path, monkeypatch):
    """No space for the parsed inputs or the tally: the build succeeds, and says which files were not kept."""
    import errno

    from kg import cachefile

    real = cachefile.atomic_write

    def full(path, *args, **kwargs):  # for these two caches only: the block index and store manifest are outputs
        if Path(path).name == tally.TALLY_FILE or ".kg-cache-inputs" in str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, *args, **kwargs)

    _build(corpus_dir, tmp_path / "out")  # a previous build, so that this one keeps a tally
    shutil.rmtree(tmp_path / "out" / ".kg-cache-inputs")
    monkeypatch.setattr(cachefile, "atomic_write", full)
    caught = [str(w.message) for w in _build(corpus_dir, tmp_path / "out")]
    assert len(caught) == 2, caught
    assert "/.kg-cache-inputs/" in caught[0] and "No space left on device" in caught[0]
    assert tally.TALLY_FILE in caught[1] and "No space left on device" in caught[1]
    assert (tmp_path / "out" / "graph.nt").is_file()


def _three_records(tmp_path: Path) -> tuple[Path, ExtractionCache]:
    """An extraction cache holding the records of papers "a", "b" and "c", and its path."""
    from kg.records import Extraction

    path = tmp_path / "c.sqlite"
    cache = ExtractionCache(path)
    cache.put_many({k: Extraction(k) for k in "abc"})
    return path, cache


def test_many_damaged_records_are_one_warning(tmp_path):
    from kg.engine.cache import TABLE

    path, cache = _three_records(tmp_path)
    with cache.db:
        cache.db.execute(f"UPDATE {TABLE} SET record = substr(record, 1, 16) || X'00' || substr(record, 18)")
    with pytest.warns(CacheWarning) as caught:
        assert cache.get_many("abcd") == {}
    assert [str(w.message) for w in caught] == [f"{path}: 3 damaged records (checksum mismatch); "
                                                "their papers are extracted again"]
    cache.close()


def test_a_key_that_is_not_text_starts_the_cache_afresh(tmp_path):
    """A key kg cannot have written (not UTF-8) means the file is not trustworthy: deleted, one warning."""
    from kg.engine.cache import TABLE
    from kg.records import Extraction

    path, cache = _three_records(tmp_path)
    with cache.db:
        cache.db.execute(f"UPDATE {TABLE} SET key = CAST(X'FFFE' AS TEXT) WHERE key = 'a'")
    cache.close()
    cache = ExtractionCache(path)
    with pytest.warns(CacheWarning, match=f"{path}: Could not decode .*started afresh") as caught:
        assert cache.present("abc") == set()
        cache.put_many({"b": Extraction("b")})
    assert len(caught) == 1
    assert cache.get_many("abc") == {"b": Extraction("b")}
    cache.close()
