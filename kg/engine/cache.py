"""An SQLite cache of extraction results, kept beside the build output.

Keys are a hash of the extractor's version (code and data files) and the
paper's title and abstract, so a changed paper or a changed lexicon or rule
misses the cache, and an unchanged paper is never extracted twice.

>>> import tempfile, os
>>> from kg.records import Extraction
>>> c = ExtractionCache(os.path.join(tempfile.mkdtemp(), "c.sqlite"))
>>> c.put_many({"k": Extraction("p")}); c.get_many(["k", "missing"])
{'k': Extraction(paper='p', mentions=(), relations=(), results=())}
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
from collections.abc import Iterable

from .memory import paused_gc
from ..records import Extraction, Paper, extraction_from_tuple, extraction_to_tuple

TABLE = "extraction_v2"
"""Records are ``marshal``-ed tuples (:func:`kg.records.extraction_to_tuple`); an older
cache file's JSON table is left alone and its papers are extracted again."""


def content_key(paper: Paper, version: str) -> str:
    """The cache key of a paper's extraction under extractor ``version``."""
    h = hashlib.sha256()
    for part in (version, paper.id, paper.title, paper.abstract, paper.code_url):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class ExtractionCache:
    """Extraction records by key in one SQLite file (created on first use)."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, record BLOB NOT NULL)")

    def get_many(self, keys: Iterable[str]) -> dict[str, Extraction]:
        keys = list(keys)
        if len(keys) >= 1000:  # one scan beats hundreds of IN (...) lookups
            wanted = set(keys)
            rows = (row for row in self.db.execute(f"SELECT key, record FROM {TABLE}") if row[0] in wanted)
        else:
            rows = (row for i in range(0, len(keys), 500) for row in self.db.execute(
                f"SELECT key, record FROM {TABLE} WHERE key IN ({','.join('?' * len(keys[i:i + 500]))})",
                keys[i:i + 500]))
        found: dict[str, Extraction] = {}
        with paused_gc():
            for key, record in rows:
                try:
                    found[key] = extraction_from_tuple(marshal.loads(record))
                except (ValueError, EOFError, TypeError):
                    continue  # written by another Python version: extract again
        return found

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have a record (without decoding any)."""
        wanted = set(keys)
        return {key for (key,) in self.db.execute(f"SELECT key FROM {TABLE}") if key in wanted}

    def put_many(self, items: dict[str, Extraction]) -> None:
        with self.db:
            self.db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?)",
                                [(k, marshal.dumps(extraction_to_tuple(v))) for k, v in items.items()])

    def __len__(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0]

    def close(self) -> None:
        self.db.close()
