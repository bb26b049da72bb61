"""Readers for JSON Lines and CSV files of papers.

JSON Lines: one object a line, ``{"id"?, "title", "abstract", "url"?}``.
CSV: a header with ``title`` and ``abstract`` columns (any case), optional
``id`` and ``url``.  A malformed line or row is skipped with an
:class:`~kg.errors.InputWarning` naming file and line; a CSV without the
required columns is skipped whole.
"""
from __future__ import annotations

import csv
import json
import re
import warnings
from collections.abc import Iterable, Iterator

from ..errors import InputWarning
from .record import RawRecord


def _warn(file: str, line: int, what: str) -> None:
    warnings.warn(InputWarning(f"{file}:{line}: {what}"), stacklevel=3)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


_SURROGATE = re.compile("[\ud800-\udfff]")
"""A JSON ``\\ud800``-style escape without its pair decodes to a lone surrogate, which no
UTF-8 output can hold."""


def _unpaired(obj: dict, file: str, line: int) -> dict:
    """``obj`` with lone surrogates in its strings replaced by U+FFFD (warned once per line).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     clean = _unpaired({"title": "A" + chr(0xD800) + "B", "n": 1}, "f.jsonl", 3)
    >>> clean["title"] == "A\N{REPLACEMENT CHARACTER}B", str(w[0].message)
    (True, 'f.jsonl:3: unpaired surrogate escape in title, replaced by U+FFFD')
    """
    bad = [k for k, v in obj.items() if isinstance(v, str) and _SURROGATE.search(v)]
    if not bad:
        return obj
    _warn(file, line, f"unpaired surrogate escape in {', '.join(bad)}, replaced by U+FFFD")
    return {k: _SURROGATE.sub("\ufffd", v) if k in bad else v for k, v in obj.items()}


def _record(obj: dict, file: str, line: int) -> RawRecord | None:
    title, abstract = _text(obj.get("title")), _text(obj.get("abstract"))
    missing = [k for k, v in (("title", title), ("abstract", abstract)) if not v]
    if missing:
        _warn(file, line, f"record has no {' or '.join(missing)}, skipped")
        return None
    url = _text(obj.get("url")) or _text(obj.get("code_url")) or None
    ident = obj.get("id")
    return RawRecord(title=title, abstract=abstract, file=file, line=line, url=url,
                     id=str(ident) if ident not in (None, "") else None)


def parse_jsonl(lines: Iterable[str | None], file: str) -> Iterator[RawRecord]:
    """Records from JSON Lines; ``None`` marks an undecodable line.

    >>> [r.title for r in parse_jsonl(['{"title": "A", "abstract": "B"}', ''], "f")]
    ['A']
    """
    for number, line in enumerate(lines, start=1):
        if line is None:  # already reported by the decoder
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            _warn(file, number, f"malformed JSON ({exc.msg} at column {exc.colno}), line skipped")
            continue
        if not isinstance(obj, dict):
            _warn(file, number, "expected a JSON object, line skipped")
            continue
        record = _record(_unpaired(obj, file, number), file, number)
        if record is not None:
            yield record


def parse_csv(lines: list[str | None], file: str) -> Iterator[RawRecord]:
    """Records from a CSV with ``title`` and ``abstract`` columns.

    >>> [r.line for r in parse_csv(["title,abstract", "A,B", "C,D"], "f.csv")]
    [2, 3]
    """
    bad = {n for n, line in enumerate(lines, start=1) if line is None}  # reported by the decoder
    text = [line if line is not None else "" for line in lines]
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [c for c in ("title", "abstract") if c not in columns]
    if missing:
        _warn(file, 1, f"CSV header has no {' or '.join(repr(c) for c in missing)} column, file skipped")
        return
    line = 1
    try:
        for row in reader:
            first, line = line + 1, reader.line_num  # a quoted field may span lines
            if bad & set(range(first, line + 1)) or not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                _warn(file, first, f"row has {len(row)} fields, header has {len(header)}, row skipped")
                continue
            record = _record({k: row[i] for k, i in columns.items()}, file, first)
            if record is not None:
                yield record
    except csv.Error as exc:
        _warn(file, line + 1, f"malformed CSV ({exc}), rest of file skipped")
