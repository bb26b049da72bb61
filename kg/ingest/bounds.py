"""What one input may cost: the bounds on files, lines, titles and abstracts, in one place.

Every reader gets its lines from :func:`read_lines` and every record passes
:func:`bounded`, so no input file can exhaust memory, hang the build or
hand the extractor a text it cannot analyse:

- a file that is not a regular file (a FIFO, a device such as
  ``/dev/zero``, a broken link or a link loop) is never opened for reading;
  one whose name is not UTF-8 is skipped (its name is shown with
  backslash escapes); one with NUL bytes near its start is binary;
- a line over :data:`MAX_LINE` bytes is skipped without being read into
  memory (JSON files, one document, are parsed whole); a file stops after
  :data:`MAX_FILE` bytes, decompressed;
- a title over :data:`MAX_TITLE` characters, or with no letter or digit,
  skips its record; an abstract over :data:`MAX_ABSTRACT` characters is cut;
- control characters in a title or abstract become spaces (offsets keep).

Each of these is an :class:`~kg.errors.InputWarning` naming file and line.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     kept = bounded(RawRecord("A\\x1bB", "x" * (MAX_ABSTRACT + 5), "f.jsonl", 3))
>>> kept.title, len(kept.abstract), [str(m.message) for m in w]  # doctest: +NORMALIZE_WHITESPACE
('A B', 100000, ['f.jsonl:3: control characters in the title replaced by spaces',
                 'f.jsonl:3: abstract of 100,005 characters cut to the first 100,000'])
"""
from __future__ import annotations

import gzip
import os
import stat
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import InputWarning
from .metadata import CONTROL, clean  # noqa: F401 - clean: part of this module's bounds
from .record import RawRecord

MAX_LINE = 4_000_000
"""Bytes a line of a line-based file (listing, JSON Lines, CSV, TSV) may have; a longer line is skipped."""

MAX_FILE = 1 << 32
"""Bytes (after decompression) read from one file; the rest is skipped with a warning, so a small
``.gz`` that expands without end (a "zip bomb") cannot exhaust memory."""

MAX_TITLE = 1_000
"""Characters a title may have; a record with a longer one is skipped (titles average 80)."""

MAX_ABSTRACT = 100_000
"""Characters of an abstract kept; a longer one is cut (abstracts average 1,300; spaCy refuses
texts over 1,000,000, and extraction time grows with the text)."""

BINARY_HEAD = 1_024
"""Bytes at the start of a file in which a NUL byte makes it binary (later NULs skip their line)."""

def display(path: str | os.PathLike) -> str:
    """A path as it can be printed: bytes that are not UTF-8 as backslash escapes.

    >>> display(os.fsdecode(b"bad-\\xff.txt"))
    'bad-\\\\xff.txt'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _warn(message: str) -> None:
    warnings.warn(InputWarning(message), stacklevel=3)


def readable(path: Path) -> bool:
    """Is ``path`` a regular file with a UTF-8 name, safe to open?  Warns (and is ``False``) if not.

    ``os.stat`` follows links (a link to a regular file is one), never opens
    the file: opening a FIFO would block.
    """
    name = display(path)
    if name != str(path):
        _warn(f"{name}: file name is not valid UTF-8, file skipped (rename it)")
        return False
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if os.path.islink(path):
            _warn(f"{name}: not a regular file (a broken link or a link loop: {exc.strerror}), skipped")
        else:
            _warn(f"{name}: cannot read ({exc.strerror or exc}), file skipped")
        return False
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
        _warn(f"{name}: not a regular file ({what}), skipped")
        return False
    return True


def read_lines(path: Path, bounded_lines: bool = True) -> list[str | None] | None:
    """The file's lines, ``None`` for a line that cannot be used (warned); ``None`` if the file cannot.

    A ``.gz`` file is decompressed as it is read.  With ``bounded_lines``, a
    line over :data:`MAX_LINE` bytes is skipped while it is read, never held
    whole.  A UTF-8 byte order mark is dropped; a UTF-16 one refuses the file.
    """
    if not readable(path):
        return None
    name = display(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # swapped for a FIFO since the stat: no blocking
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            _warn(f"{name}: not a regular file, skipped")
            return None
        with open(fd, "rb") as raw:
            if path.suffix.lower() == ".gz":
                with gzip.open(raw) as f:
                    return _lines(f, name, bounded_lines)
            return _lines(raw, name, bounded_lines)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        _warn(f"{name}:1: not a readable gzip file ({exc}), file skipped")
    except OSError as exc:
        _warn(f"{name}: cannot read ({exc.strerror or exc}), file skipped")
    return None


def _lines(f, name: str, bounded_lines: bool) -> list[str | None] | None:
    head = f.peek(BINARY_HEAD)[:BINARY_HEAD] if hasattr(f, "peek") else b""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        _warn(f"{name}:1: UTF-16 text, file skipped (save it as UTF-8)")
        return None
    if b"\x00" in head:
        _warn(f"{name}:1: binary file (NUL bytes), file skipped")
        return None
    lines: list[str | None] = []
    for number, raw in enumerate(_raw_lines(f, name, bounded_lines), start=1):
        if number == 1 and raw is not None and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        lines.append(None if raw is None else _decoded(raw, name, number))
    return lines


def _raw_lines(f, name: str, bounded_lines: bool) -> Iterator[bytes | None]:
    """The file's lines as bytes (split like ``bytes.splitlines``), ``None`` for one over the limit."""
    number = total = 0
    limit = MAX_LINE + 1 if bounded_lines else -1
    while True:
        chunk = f.readline(limit)
        if not chunk:
            return
        total += len(chunk)
        if total > MAX_FILE:
            _warn(f"{name}:{number + 1}: over {MAX_FILE:,} bytes read from this file, the rest skipped")
            return
        if bounded_lines and len(chunk) > MAX_LINE and not chunk.endswith(b"\n"):
            size = len(chunk)
            while chunk and not chunk.endswith(b"\n"):  # the rest of the line, a block at a time
                chunk = f.readline(1 << 20)
                size += len(chunk)
            number += 1
            size -= chunk.endswith(b"\n")
            _warn(f"{name}:{number}: line of {size:,} bytes, over the limit of {MAX_LINE:,}, line skipped")
            yield None
            continue
        for part in chunk.splitlines():  # a lone "\r" ends a line too
            number += 1
            yield part


def _decoded(raw: bytes, name: str, number: int) -> str | None:
    if b"\x00" in raw:
        _warn(f"{name}:{number}: NUL bytes, line skipped")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _warn(f"{name}:{number}: invalid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1}), line skipped")
        return None


def bounded(record: RawRecord) -> RawRecord | None:
    """``record`` within the bounds: controls made spaces, the abstract cut; ``None`` (warned) if unusable."""
    where = f"{record.file}:{record.line}"
    title, abstract = record.title, record.abstract
    if len(title) > MAX_TITLE:
        _warn(f"{where}: title of {len(title):,} characters, over the limit of {MAX_TITLE:,}, record skipped")
        return None
    for field, text in (("title", title), ("abstract", abstract)):
        if CONTROL.search(text):
            _warn(f"{where}: control characters in the {field} replaced by spaces")
    title, abstract = clean(title).strip(), clean(abstract)
    if not any(ch.isalnum() for ch in title):
        _warn(f"{where}: title {title[:40]!r} has no letter or digit, record skipped")
        return None
    if len(abstract) > MAX_ABSTRACT:
        _warn(f"{where}: abstract of {len(abstract):,} characters cut to the first {MAX_ABSTRACT:,}")
        abstract = abstract[:MAX_ABSTRACT]
    if (title, abstract) == (record.title, record.abstract):
        return record
    return replace(record, title=title, abstract=abstract)
