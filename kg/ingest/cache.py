"""Parsed input files kept between builds, so an unchanged file is not parsed again.

A rebuild of 100,000 papers with 1,000 added reads 100,000 records it read
last time: loading the parsed rows back costs a small fraction of decoding,
JSON parsing and hashing titles again.  Each input file gets one entry (a
``marshal``-ed tuple) in a folder beside the build output, stamped with the
file's absolute path, size, modification and change times, inode and
device, and with a hash of the reading code; any difference re-parses the
file.  A file changed in the two seconds before it was read is not stored:
a second edit within the file system's clock tick could keep every stamp.
The warnings a file raised when parsed (bad lines, skipped records) are
stored with it and raised again on every read, so a cached read reports
what a fresh one does.

The stamps cannot tell an entry changed in place, so each entry starts with
a header and a checksum of its contents (:mod:`kg.cachefile`): a damaged,
foreign or older-format entry is deleted and its file parsed afresh, with
one :class:`~kg.errors.CacheWarning` per build naming the first such entry;
an entry that cannot be written (full or read-only disk) is one warning too.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> f = d / "papers.jsonl"
>>> _ = f.write_text('{"title": "A", "abstract": "B"}\\n')
>>> cache = InputCache(d / "cache")
>>> cache.get(f, cache.stamp(f)) is None
True
>>> cache.put(f, cache.stamp(f), [("id", "A", "B", str(f), 1, None)], [])  # just written: not kept
>>> cache.get(f, cache.stamp(f)) is None
True
>>> cache = InputCache(d / "cache", racy_seconds=0)  # (only for this example)
>>> cache.put(f, cache.stamp(f), [("id", "A", "B", str(f), 1, None)], [])
>>> rows, messages = cache.get(f, cache.stamp(f))
>>> rows[0][:3], messages
(('id', 'A', 'B'), [])
>>> _ = f.write_text('{"title": "A", "abstract": "Changed"}\\n')  # parsed afresh
>>> cache.get(f, cache.stamp(f)) is None
True
"""
from __future__ import annotations

import functools
import hashlib
import marshal
import os
import time
from pathlib import Path

from .. import cachefile

MAGIC = b"kg input cache 2\n"
"""Starts every entry: names the cache and its format (format 1 had no header and no checksum)."""

Row = tuple  # (title hash, title, abstract, file, line, metadata tuple): one record, as merge() reads it


@functools.lru_cache(maxsize=1)
def reader_version() -> str:
    """A hash of the code that turns a file into rows: changed readers never reuse old rows."""
    from .. import __version__

    h = hashlib.sha256(__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()


class InputCache:
    """Rows and warning messages per input file, in one folder (created on first write)."""

    def __init__(self, folder: str | os.PathLike, racy_seconds: float = 2.0):
        self.folder = Path(folder)
        self.racy_ns = int(racy_seconds * 1e9)  # files changed this recently before their stamp are not kept
        self.used: set[str] = set()  # entries read or written by this build
        self.warned = cachefile.Once()
        self.writable = True  # until a write fails: then one warning, and no more tries

    @staticmethod
    def stamp(path: str | os.PathLike) -> tuple | None:
        """What must not change for the file's rows to be reused; ``None`` if it cannot be stat'ed."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (os.path.abspath(path), str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                st.st_dev, reader_version())

    def _entry(self, path: str | os.PathLike) -> Path:
        key = f"{os.path.abspath(path)}\0{path}".encode("utf-8", "surrogatepass")
        return self.folder / (hashlib.sha1(key).hexdigest() + ".marshal")

    def get(self, path: str | os.PathLike, stamp: tuple | None) -> tuple[list[Row], list[str]] | None:
        """The rows and warning messages stored for ``path``, if they were stored under ``stamp``."""
        if stamp is None:
            return None
        entry = self._entry(path)
        body, why = cachefile.read(entry, MAGIC)
        if body is None:
            if why is not None:
                self._damaged(entry, why)
            return None
        try:
            stored, rows, messages = marshal.loads(body)
        except (ValueError, EOFError, TypeError):  # whole, but not readable by this Python
            self._damaged(entry, "not readable by this Python")
            return None
        if stored != stamp:
            return None
        self.used.add(entry.name)
        return rows, messages

    def put(self, path: str | os.PathLike, stamp: tuple | None, rows: list[Row], messages: list[str]) -> None:
        """Store ``path``'s rows under ``stamp`` (taken before the file was read)."""
        if not self.writable or stamp is None or time.time_ns() - max(stamp[3], stamp[4]) < self.racy_ns:
            return
        entry = self._entry(path)
        why = cachefile.write(entry, MAGIC, marshal.dumps((stamp, rows, messages)))
        if why is not None:
            self.writable = False
            self.warned("write", entry, why, "parsed input files are not kept for the next build")
            return
        self.used.add(entry.name)

    def _damaged(self, entry: Path, why: str) -> None:
        cachefile.discard(entry)
        self.warned("read", entry, why, "its input file is parsed again")

    def prune(self) -> None:
        """Remove entries of files this build did not read (renamed, deleted or no longer an input)."""
        try:
            stale = [p for p in self.folder.iterdir() if p.name not in self.used]
        except OSError:
            return
        for p in stale:
            try:
                p.unlink()
            except OSError:
                pass
