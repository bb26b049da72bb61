"""Ingest: read papers from listing text, JSON Lines or CSV; deduplicate.

:func:`read_papers` is the stage's entry point: it takes files and
directories and returns one :class:`~kg.records.Paper` per distinct paper,
each remembering every file and line it was listed at.  Unusable input is
skipped with an :class:`~kg.errors.InputWarning` naming file and line; an
input with no paper at all raises :class:`~kg.errors.NoPapersError`.
"""
from __future__ import annotations

import hashlib
import os
import warnings
from urllib.parse import quote
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputWarning, NoPapersError
from ..records import Paper, Source
from .bounds import bounded, display, read_lines, readable
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


def paper_id(title: str, ident: str | None = None) -> str:
    """A stable id: the record's own ``ident`` (escaped) if it has one, else a hash of the title.

    >>> paper_id("Attention is all you need") == paper_id("ATTENTION IS  ALL YOU NEED")
    True
    >>> paper_id("Any", "arXiv:1706.03762"), paper_id("Any", "p 1/2")
    ('arXiv%3A1706.03762', 'p%201%2F2')
    """
    if ident is not None:
        return escape_id(ident)
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:16]


MAX_ID = 100
"""Characters of an escaped record id kept in paper IRIs; a longer one is cut and a hash appended."""


def escape_id(ident: str) -> str:
    """A record id as an IRI path segment: percent-encoded, never ``.``/``..``, bounded in length.

    >>> escape_id("ablin2019aistats-stochastic"), escape_id(".."), escape_id("x" * 200)[-17:]
    ('ablin2019aistats-stochastic', '%2E%2E', '-94218caae9904e93')
    """
    text = quote(ident, safe="-_.~")
    if set(text) <= {"."}:
        text = text.replace(".", "%2E")
    if len(text) > MAX_ID:
        text = f"{text[:MAX_ID].rstrip('%')}-{hashlib.sha1(ident.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"
    return text


def input_files(inputs: Iterable[str | os.PathLike], empty: list[Path] | None = None) -> list[Path]:
    """Expand directories (every non-hidden file in them, sorted); empty ones go to ``empty``.

    What cannot be read is left out with an :class:`InputWarning` naming it
    (:func:`~kg.ingest.bounds.readable`): a subfolder, a FIFO, a device, a
    broken link or a link loop, a name that is not UTF-8.
    """
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            found = []
            for p in entries:
                if p.is_dir():
                    warnings.warn(InputWarning(f"{display(p)}: a folder, skipped (folders are read one level "
                                               "deep)"), stacklevel=2)
                elif readable(p):
                    found.append(p)
            if not found and empty is not None:
                empty.append(path)
            files.extend(found)
        elif not path.exists() and not path.is_symlink():
            files.append(path)  # reported when read
        elif readable(path):
            files.append(path)
    return files


SUFFIXES = (".txt", ".md", ".text", "")
"""Suffixes of daily-papers listings; a file with another unknown suffix is read as one, with a warning."""


def read_records(path: Path) -> Iterator[RawRecord]:
    """Every usable record of one file, in file order, each within :mod:`~kg.ingest.bounds`.

    An error while reading a record is a warning naming file and line; the
    rest of the file is read when the reader can go on.
    """
    suffix = (Path(path.stem) if path.suffix.lower() == ".gz" else path).suffix.lower()
    lines = read_lines(path, bounded_lines=suffix != ".json")
    if lines is None:
        return
    name = display(path)
    reader = READERS.get(suffix)
    if reader is None:
        reader = parse_listing
        if suffix not in SUFFIXES:
            warnings.warn(InputWarning(f"{name}:1: unknown kind of input ({suffix}), read as a daily-papers "
                                       f"listing (kg reads {', '.join(sorted(READERS))} and text listings)"),
                          stacklevel=2)
    count, line = 0, 1
    try:
        for record in reader(lines, name):
            line = record.line
            record = bounded(record)
            if record is not None:
                count += 1
                yield record
    except Exception as exc:  # noqa: BLE001  (a reader's bug or an input it did not foresee: the file is reported)
        warnings.warn(InputWarning(f"{name}:{line}: cannot read past this record ({type(exc).__name__}: "
                                   f"{str(exc)[:200]}), rest of file skipped"), stacklevel=2)
    if count == 0:
        warnings.warn(InputWarning(f"{name}:1: no papers found in file"), stacklevel=2)


def merge(records: Iterable[RawRecord]) -> list[Paper]:
    """One paper per normalised title, whatever the order of the records.

    The longest abstract wins (ties: the smaller text), and every source is
    kept, sorted, so the result does not depend on input order.
    """
    return merge_rows(_row(r) for r in records)


def _row(r: RawRecord) -> Row:
    m = r.meta
    return (paper_id(r.title), r.title, r.abstract, r.file, r.line,
            (m.id, m.url, m.arxiv_id, m.year, m.date, m.venue, m.authors, m.code_url))


_META = ("url", "arxiv_id", "year", "date", "venue", "authors", "code_url")
"""The :class:`Paper` fields of a row's metadata tuple after its id, in order."""


def merge_rows(rows: Iterable[Row]) -> list[Paper]:
    """:func:`merge` over rows ``(title hash, title, abstract, file, line, metadata)``.

    Rows are one paper when they share a normalised title or a record id.
    """
    groups = _grouped(rows)
    papers = []
    for group in groups:
        if len(group) == 1:  # nearly every paper
            _, title, abstract, file, line, meta = group[0]
            papers.append(_paper(group[0][0], meta, title, abstract, (Source(file, line),), (meta,)))
            continue
        group.sort(key=lambda r: (-len(r[2]), r[2], r[1], r[3], r[4]))  # the best text first
        best = group[0]
        ids = sorted(r[5][0] for r in group if r[5][0] is not None)
        sources = tuple(sorted({Source(r[3], r[4]) for r in group}, key=lambda s: (s.file, s.line)))
        papers.append(_paper(best[0], (ids[0] if ids else None,), best[1], best[2], sources, [r[5] for r in group]))
    papers.sort(key=lambda p: p.id)
    return papers


def _grouped(rows: Iterable[Row]) -> list[list[Row]]:
    """Rows grouped by title hash, groups that share a record id joined."""
    by_title: dict[str, list[Row]] = {}
    for row in rows:
        group = by_title.get(row[0])
        if group is None:
            by_title[row[0]] = [row]
        else:
            group.append(row)
    owner: dict[str, list[Row]] = {}  # record id → its group
    groups: list[list[Row]] = []
    for group in by_title.values():
        ids = {r[5][0] for r in group if r[5][0] is not None}
        joined = [owner[i] for i in ids if i in owner]
        if joined:
            target = joined[0]
            for other in joined[1:]:
                if other is not target and other:
                    target.extend(other)
                    other.clear()
            target.extend(group)
            for r in target:
                if r[5][0] is not None:
                    owner[r[5][0]] = target
        else:
            groups.append(group)
            for i in ids:
                owner[i] = group
    return [g for g in groups if g]


def _paper(title_hash: str, ident: tuple, title: str, abstract: str, sources: tuple, metas) -> Paper:
    """A paper from its best row and every row's metadata (each field: the first row that has it)."""
    pid = paper_id(title, ident[0]) if ident[0] is not None else title_hash
    values = {}
    for i, name in enumerate(_META, start=1):
        values[name] = next((m[i] for m in metas if m[i]), None if name in ("url", "year") else
                            () if name == "authors" else "")
    return Paper(id=pid, title=title.strip(), abstract=abstract, sources=sources, record_id=ident[0] or "",
                 **values)


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
