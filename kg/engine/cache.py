"""An SQLite cache of extraction results, kept beside the build output.

Keys are a hash of the extractor's version (code and data files) and the
paper's title and abstract, so a changed paper or a changed lexicon or rule
misses the cache, and an unchanged paper is never extracted twice.

The cache is a hint, never the truth.  The file is marked as kg's (SQLite's
``application_id`` and ``user_version``) and its header checked against its
size before use; each record starts with a checksum of its key and payload.
A file that is not such a cache (truncated, another program's, an older
kg's, unreadable, a folder) or that SQLite finds malformed is deleted and
started afresh, a record whose checksum does not match is extracted again,
and a cache that cannot be written (full or read-only disk) is left alone:
each is one :class:`~kg.errors.CacheWarning` naming the file, and the build
goes on to the graph a build without cache makes.

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

from .. import cachefile
from .memory import paused_gc
from ..records import Extraction, Paper, extraction_from_tuple, extraction_to_tuple

TABLE = "extraction_v3"
"""Records are a checksum (:func:`checksum`) then a ``marshal``-ed tuple (:func:`kg.records.extraction_to_tuple`)."""
APPLICATION_ID = 0x6B674543  # "kgEC": SQLite's header field for the program a file belongs to
FORMAT = 3  # user_version: format 2 (table extraction_v2) had no checksums and no marks
SUM = 16  # bytes of checksum before each record's payload
RECORD = "CAST(record AS BLOB)"  # a record damaged into text is a bad row, not a decoding error
CORRUPT = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB: start afresh; other errors (busy, full, …) leave the file alone


def content_key(paper: Paper, version: str) -> str:
    """The cache key of a paper's extraction under extractor ``version``."""
    h = hashlib.sha256()
    for part in (version, paper.id, paper.title, paper.abstract, paper.code_url):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def checksum(key: str, payload: bytes) -> bytes:
    """What a record of ``key`` starts with: a SHA-256 prefix of the key and the payload.

    >>> checksum("k", b"x") != checksum("k", b"y") != checksum("j", b"x")
    True
    """
    return hashlib.sha256(key.encode() + b"\0" + payload).digest()[:SUM]


def damage(path: str) -> str | None:
    """Why the file at ``path`` is not a whole extraction cache of this format, from its header; ``None`` if it is.

    Without a journal beside it, an SQLite file is as long as its header says
    (page size times page count), so a truncation shows without reading the pages.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "c.sqlite")
    >>> damage(path) is None  # none yet: made afresh
    True
    >>> _ = open(path, "wb").write(b'{"a": 1}')
    >>> damage(path)
    'not an SQLite database'
    """
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "a folder where the cache file should be"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not header:
        return "empty (truncated)"
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return "not an SQLite database"
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID or int.from_bytes(header[60:64], "big") != FORMAT:
        return "not an extraction cache of this kg (an older format, or another program's database)"
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(header[28:32], "big")
    journal = any(os.path.exists(path + suffix) for suffix in ("-journal", "-wal"))
    if not journal and header[24:28] == header[92:96] and (size < page * pages or size % page):
        return "truncated"
    return None


class ExtractionCache:
    """Extraction records by key in one SQLite file (created on first use); damage costs a warning, not the build."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.warned = cachefile.Once()
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self.db: sqlite3.Connection | None = None  # None: no cache this build (it could not be opened)
        why = damage(self.path)
        if why is not None:
            self._afresh(why)
            return
        try:
            self.db = self._connect()
        except sqlite3.Error as exc:
            self._failed(exc, writing=False)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:  # a new, empty file
                with db:
                    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    db.execute(f"PRAGMA user_version = {FORMAT}")
                    db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, record BLOB NOT NULL)")
            db.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _afresh(self, why: str) -> None:
        """Warn, delete the damaged file (and its journal), and start an empty cache; none if that fails too."""
        self.warned("read", self.path, why, "deleted and started afresh (its papers are extracted again)")
        if self.db is not None:
            self.db.close()
            self.db = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            cachefile.discard(self.path + suffix)
        try:
            self.db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self.warned("write", self.path, f"cannot be made ({exc})", "this build keeps no extraction cache")

    def _failed(self, exc: sqlite3.Error, writing: bool) -> None:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in CORRUPT or any(
                words in str(exc) for words in ("malformed", "no such table", "Could not decode")):
            self._afresh(str(exc))
            return
        self.warned("write" if writing else "read", self.path, f"cannot be used ({exc})",
                    "this build keeps no extraction cache")
        if self.db is not None:
            self.db.close()
            self.db = None

    def _rows(self, keys: list[str]):
        if len(keys) >= 1000:  # one scan beats hundreds of IN (...) lookups
            wanted = set(keys)
            return (row for row in self.db.execute(f"SELECT key, {RECORD} FROM {TABLE}") if row[0] in wanted)
        return (row for i in range(0, len(keys), 500) for row in self.db.execute(
            f"SELECT key, {RECORD} FROM {TABLE} WHERE key IN ({','.join('?' * len(keys[i:i + 500]))})",
            keys[i:i + 500]))

    def get_many(self, keys: Iterable[str]) -> dict[str, Extraction]:
        """The records of those ``keys`` that are stored and whole (a damaged one is a miss, and a warning)."""
        if self.db is None:
            return {}
        found: dict[str, Extraction] = {}
        bad = 0
        try:
            with paused_gc():
                for key, record in self._rows(list(keys)):
                    try:
                        payload = record[SUM:]
                        if record[:SUM] != checksum(key, payload):
                            raise ValueError("checksum mismatch")
                        found[key] = extraction_from_tuple(marshal.loads(payload))
                    except (ValueError, EOFError, TypeError):
                        bad += 1  # damaged, or written by another Python: extract again
        except sqlite3.Error as exc:
            self._failed(exc, writing=False)
            return {}
        if bad:
            self.warned("records", self.path, f"{bad} damaged record{'s' if bad > 1 else ''} (checksum mismatch)",
                        "their papers are extracted again")
        return found

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have a record (without decoding any)."""
        if self.db is None:
            return set()
        wanted = set(keys)
        try:
            return {key for (key,) in self.db.execute(f"SELECT key FROM {TABLE}") if key in wanted}
        except sqlite3.Error as exc:
            self._failed(exc, writing=False)
            return set()

    def put_many(self, items: dict[str, Extraction]) -> None:
        """Store ``items``; a cache that cannot take them is a warning (the build does not need it)."""
        rows = []
        for k, v in items.items():
            payload = marshal.dumps(extraction_to_tuple(v))
            rows.append((k, checksum(k, payload) + payload))
        for _attempt in range(2):  # once more in a fresh file if this one turns out corrupt
            if self.db is None:
                return
            try:
                with self.db:
                    self.db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?)", rows)
                return
            except sqlite3.Error as exc:
                self._failed(exc, writing=True)

    def __len__(self) -> int:
        if self.db is None:
            return 0
        try:
            return self.db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0]
        except sqlite3.Error as exc:
            self._failed(exc, writing=False)
            return 0

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
