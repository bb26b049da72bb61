"""Ingest: read papers from listing text, JSON Lines or CSV; deduplicate.

:func:`read_papers` is the stage's entry point: it takes files and
directories and returns one :class:`~kg.records.Paper` per distinct paper,
each remembering every file and line it was listed at.  Unusable input is
skipped with an :class:`~kg.errors.InputWarning` naming file and line; an
input with no paper at all raises :class:`~kg.errors.NoPapersError`.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import stat
import warnings
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputWarning, NoPapersError
from ..records import Paper, Source
from .cache import InputCache, Row
from .listing import parse_listing
from .record import RawRecord
from .tabular import parse_csv, parse_json, parse_jsonl, parse_tsv

__all__ = ["read_papers", "read_records", "paper_id", "input_files", "RawRecord"]

READERS = {".jsonl": parse_jsonl, ".ndjson": parse_jsonl, ".csv": parse_csv, ".tsv": parse_tsv,
           ".json": parse_json}
"""Readers by file suffix (a ``.gz`` file by the suffix before it); any other file is read as a
daily-papers listing."""


def normalise_title(title: str) -> str:
    """The key papers are deduplicated on.

    >>> normalise_title("  Attention   Is All You Need ")
    'attention is all you need'
    """
    return " ".join(title.split()).casefold()


def paper_id(title: str) -> str:
    """A stable id from the normalised title (same paper, same id, anywhere).

    >>> paper_id("Attention is all you need") == paper_id("ATTENTION IS  ALL YOU NEED")
    True
    """
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:16]


def input_files(inputs: Iterable[str | os.PathLike], empty: list[Path] | None = None) -> list[Path]:
    """Expand directories (every non-hidden file in them, sorted); empty ones go to ``empty``."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            found = [p for p in entries if _regular(p)]
            for p in entries:
                if p not in found:
                    what = ("a folder, skipped (folders are read one level deep)" if p.is_dir() else
                            "not a regular file (a FIFO, device or broken link), skipped")
                    warnings.warn(InputWarning(f"{p}: {what}"), stacklevel=2)
            if not found and empty is not None:
                empty.append(path)
            files.extend(found)
        elif path.exists() and not _regular(path):  # a FIFO or device would block or never end
            warnings.warn(InputWarning(f"{path}: not a regular file (a FIFO or device), skipped"), stacklevel=2)
        else:
            files.append(path)
    return files


def _regular(path: Path) -> bool:
    """Is ``path`` a regular file (a symlink to one counts), safe to read whole?"""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:  # a broken link or a loop
        return False


def _decoded_lines(path: Path) -> list[str | None] | None:
    """The file's lines, ``None`` for a line that is not UTF-8; ``None`` if unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        warnings.warn(InputWarning(f"{path}: cannot read ({exc.strerror or exc}), file skipped"),
                      stacklevel=3)
        return None
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            warnings.warn(InputWarning(f"{path}:1: not a readable gzip file ({exc}), file skipped"), stacklevel=3)
            return None
    if b"\x00" in data[:8192]:
        warnings.warn(InputWarning(f"{path}:1: binary file (NUL bytes), file skipped"), stacklevel=3)
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[str | None] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            warnings.warn(InputWarning(
                f"{path}:{number}: invalid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1}), "
                "line skipped"), stacklevel=3)
            lines.append(None)
    return lines


def read_records(path: Path) -> Iterator[RawRecord]:
    """Every usable record of one file, in file order."""
    lines = _decoded_lines(path)
    if lines is None:
        return
    suffix = (Path(path.stem) if path.suffix.lower() == ".gz" else path).suffix.lower()
    reader = READERS.get(suffix, parse_listing)
    count = 0
    for record in reader(lines, str(path)):
        count += 1
        yield record
    if count == 0:
        warnings.warn(InputWarning(f"{path}:1: no papers found in file"), stacklevel=2)


def merge(records: Iterable[RawRecord]) -> list[Paper]:
    """One paper per normalised title, whatever the order of the records.

    The longest abstract wins (ties: the smaller text), and every source is
    kept, sorted, so the result does not depend on input order.
    """
    return merge_rows(_row(r) for r in records)


def _row(r: RawRecord) -> Row:
    return (paper_id(r.title), r.title, r.abstract, r.file, r.line, r.url)


def merge_rows(rows: Iterable[Row]) -> list[Paper]:
    """:func:`merge` over rows ``(paper id, title, abstract, file, line, url)``."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        group = groups.get(row[0])
        if group is None:
            groups[row[0]] = [row]
        else:
            group.append(row)
    papers = []
    for pid, group in groups.items():
        if len(group) == 1:  # nearly every paper: half the time of the general case on 100,000 rows
            _, title, abstract, file, line, url = group[0]
            papers.append(Paper(id=pid, title=title.strip(), abstract=abstract, url=url or None,
                                sources=(Source(file, line),)))
            continue
        best = min(group, key=lambda r: (-len(r[2]), r[2], r[1]))
        url = min((r[5] for r in group if r[5]), default=None)
        sources = tuple(sorted({Source(r[3], r[4]) for r in group}, key=lambda s: (s.file, s.line)))
        papers.append(Paper(id=pid, title=best[1].strip(), abstract=best[2], url=url, sources=sources))
    papers.sort(key=lambda p: p.id)
    return papers


def _file_rows(path: Path, cache: InputCache | None) -> list[Row]:
    """The rows of one file: from ``cache`` if it is unchanged since (re-raising its warnings)."""
    if cache is not None:
        stamp = cache.stamp(path)  # before reading: an edit meanwhile changes it
        hit = cache.get(path, stamp)
        if hit is not None:
            rows, messages = hit
            for message in messages:
                warnings.warn(InputWarning(message), stacklevel=3)
            return rows
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = [_row(r) for r in read_records(path)]
    for w in caught:  # raised again outside, where the caller's filters apply
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if cache is not None:
        cache.put(path, stamp, rows, [str(w.message) for w in caught if issubclass(w.category, InputWarning)])
    return rows


def read_papers(inputs: Iterable[str | os.PathLike] = ("seeds",), *,
                cache: str | os.PathLike | InputCache | None = None) -> list[Paper]:
    """Read every input and return the distinct papers, sorted by id.

    With ``cache`` (a folder, or an :class:`~kg.ingest.cache.InputCache`),
    each file's parsed rows are kept there and reused while the file is
    unchanged.
    Raises :class:`NoPapersError` when nothing usable was found.
    """
    inputs = list(inputs)
    empty: list[Path] = []
    files = input_files(inputs, empty)
    store = cache if isinstance(cache, InputCache) or cache is None else InputCache(cache)
    papers = merge_rows(row for path in files for row in _file_rows(path, store))
    if store is not None:
        store.prune()
    if not papers:
        names = ", ".join(str(i) for i in inputs) or "(no inputs)"
        why = f" (empty director{'ies' if len(empty) > 1 else 'y'}: {', '.join(map(str, empty))})" if empty else ""
        raise NoPapersError(f"no papers found in {names}{why}")
    for path in empty:
        warnings.warn(InputWarning(f"{path}: directory has no files"), stacklevel=2)
    return papers
