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
import json
import os
import sqlite3
from collections.abc import Iterable

from ..records import Extraction, Paper, extraction_from_dict, extraction_to_dict


def content_key(paper: Paper, version: str) -> str:
    """The cache key of a paper's extraction under extractor ``version``."""
    h = hashlib.sha256()
    for part in (version, paper.id, paper.title, paper.abstract):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class ExtractionCache:
    """Extraction records by key in one SQLite file (created on first use)."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("CREATE TABLE IF NOT EXISTS extraction (key TEXT PRIMARY KEY, record TEXT NOT NULL)")

    def get_many(self, keys: Iterable[str]) -> dict[str, Extraction]:
        keys = list(keys)
        found: dict[str, Extraction] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.db.execute(
                f"SELECT key, record FROM extraction WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for key, record in rows:
                found[key] = extraction_from_dict(json.loads(record))
        return found

    def put_many(self, items: dict[str, Extraction]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO extraction VALUES (?, ?)",
                                [(k, json.dumps(extraction_to_dict(v), ensure_ascii=False))
                                 for k, v in items.items()])

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM extraction").fetchone()[0]

    def close(self) -> None:
        self.db.close()
