"""Readers for JSON Lines, JSON and CSV files of papers.

JSON Lines: one object a line, ``{"title", "abstract"}`` plus any of the
metadata :mod:`kg.ingest.metadata` reads (``id``, ``url``, ``arxiv_id``,
``year``/``date``, ``venue``, ``authors``, ``code_url``).
JSON: an array of such objects, or an object holding one (see :func:`parse_json`).
CSV/TSV: a header with ``title`` and ``abstract`` columns (any case), the
metadata as further columns.  A malformed line or row is skipped with an
:class:`~kg.errors.InputWarning` naming file and line; a CSV without the
required columns is skipped whole; fields kg does not read are named in one
warning per file.
"""
from __future__ import annotations

import csv
import json
import re
import warnings
from dataclasses import replace
from collections.abc import Iterable, Iterator

from ..errors import InputWarning
from ..extract.repos import normalise_repository
from .bounds import MAX_LINE
from .metadata import metadata, safe_iri, unknown_fields
from .record import RawRecord

if csv.field_size_limit() < MAX_LINE:  # a CSV field may be as long as a line may be (default: 131,072)
    csv.field_size_limit(MAX_LINE)


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


def _record(obj: dict, file: str, line: int, arxiv_ids: bool = False) -> RawRecord | None:
    title, abstract = _text(obj.get("title")), _text(obj.get("abstract"))
    missing = [k for k, v in (("title", title), ("abstract", abstract)) if not v]
    if missing:
        _warn(file, line, f"record has no {' or '.join(missing)}, skipped")
        return None
    meta = metadata(obj, arxiv_ids)
    if meta.url and not safe_iri(meta.url):
        _warn(file, line, f"url {meta.url[:80]!r} is not a valid http(s) IRI, ignored")
        meta = replace(meta, url=None)
    if meta.code_url and normalise_repository(meta.code_url) is None:
        _warn(file, line, f"code_url {meta.code_url[:80]!r} is not a code repository URL (GitHub, GitLab, …), ignored")
        meta = replace(meta, code_url="")
    return RawRecord(title=title, abstract=abstract, file=file, line=line, meta=meta)


class _Ignored:
    """The field names of a file's records that kg does not read: named in one warning per file."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}  # field name → first line it was seen on

    def add(self, obj: dict, line: int) -> None:
        for name in unknown_fields(obj):
            self.names.setdefault(name, line)

    def report(self, file: str) -> None:
        if self.names:
            names = sorted(self.names, key=self.names.__getitem__)
            shown = ", ".join(repr(n[:40]) for n in names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            _warn(file, self.names[names[0]], f"field{'s' if len(names) > 1 else ''} {shown} ignored "
                                              f"(kg reads {', '.join(READ_FIELDS)})")


READ_FIELDS = ("id", "title", "abstract", "url", "arxiv_id", "year", "date", "venue", "authors", "code_url")
"""The fields named in the warning about ignored ones (their other spellings: :data:`metadata.KNOWN`)."""


def parse_jsonl(lines: Iterable[str | None], file: str) -> Iterator[RawRecord]:
    """Records from JSON Lines; ``None`` marks an undecodable line.

    >>> [r.title for r in parse_jsonl(['{"title": "A", "abstract": "B"}', ''], "f")]
    ['A']
    """
    ignored = _Ignored()
    for number, line in enumerate(lines, start=1):
        if line is None:  # already reported by the decoder
            continue
        if not line.strip():
            continue
        obj = _loads(line, file, number, "line")
        if obj is None:
            continue
        if not isinstance(obj, dict):
            _warn(file, number, "expected a JSON object, line skipped")
            continue
        ignored.add(obj, number)
        record = _guarded(obj, file, number)
        if record is not None:
            yield record
    ignored.report(file)


MAX_DIGITS = 100
"""Digits a JSON integer may have; a longer one reads as ``null`` (Python refuses to convert past 4,300
digits, and no field kg reads is a number that long)."""


def _int(text: str) -> int | None:
    """A JSON integer, ``None`` if over :data:`MAX_DIGITS` digits.

    >>> _int("2020"), _int("9" * 5000)
    (2020, None)
    """
    return int(text) if len(text) <= MAX_DIGITS else None


def _loads(text: str, file: str, line: int, what: str) -> object:
    """``text`` parsed as JSON, ``None`` (warned: the ``what`` is skipped) if it is not JSON kg can read."""
    try:
        return json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        _warn(file, line + exc.lineno - 1, f"malformed JSON ({exc.msg} at column {exc.colno}), {what} skipped")
    except RecursionError:
        _warn(file, line, f"JSON nested too deeply, {what} skipped")
    except ValueError as exc:  # a number Python will not convert
        _warn(file, line, f"unreadable JSON ({str(exc)[:100]}), {what} skipped")
    return None


def _guarded(obj: dict, file: str, line: int, arxiv_ids: bool = False) -> RawRecord | None:
    """:func:`_record` of ``obj``; an error reading it is a warning naming file, line and title."""
    try:
        return _record(_unpaired(obj, file, line), file, line, arxiv_ids)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001  (one odd record never costs the file)
        title = obj.get("title")
        _warn(file, line, f"cannot read record {str(title)[:60]!r} ({type(exc).__name__}: {str(exc)[:100]}), "
                          "record skipped")
        return None


def parse_json(lines: Iterable[str | None], file: str) -> Iterator[RawRecord]:
    """Records from a JSON array of papers, or an object holding one.

    A Papers with Code dump (``[{"title", "abstract", …}]``) and the Hugging
    Face daily-papers API (``[{"paper": {"title", "summary", …}}]``) both read.
    A record's number in warnings is its position in the array.

    >>> [r.title for r in parse_json(['[{"paper": {"title": "A", "summary": "B"}}]'], "f.json")]
    ['A']
    """
    lines = list(lines)
    text = "\n".join(line for line in lines if line is not None)
    if _json_lines(text):  # JSON Lines named .json
        yield from parse_jsonl(lines, file)
        return
    data = _loads(text, file, 1, "file")
    if data is None:
        return
    items = _paper_list(data)
    if items is None:
        _warn(file, 1, "no list of papers in this JSON, file skipped")
        return
    ignored = _Ignored()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            _warn(file, number, "expected a JSON object, record skipped")
            continue
        daily = isinstance(item.get("paper"), dict)  # the daily-papers API: its paper.id is the arXiv id
        obj = {**item, **item["paper"]} if daily else item
        if not obj.get("abstract") and isinstance(obj.get("summary"), str):
            obj = {**obj, "abstract": obj["summary"]}
        ignored.add(obj, number)
        record = _guarded(obj, file, number, arxiv_ids=daily)
        if record is not None:
            yield record
    ignored.report(file)


def _json_lines(text: str) -> bool:
    """Is ``text`` JSON Lines (several objects, one a line) rather than one JSON document?

    >>> _json_lines('{"a": 1}\\n{"a": 2}\\n'), _json_lines('[{"a": 1},\\n {"a": 2}]'), _json_lines('{"a": 1}')
    (True, False, False)
    """
    first, _, rest = text.lstrip().partition("\n")
    if not first.startswith("{") or not rest.strip():
        return False
    try:
        return isinstance(json.loads(first, parse_int=_int), dict)
    except (ValueError, RecursionError):
        return False


def _paper_list(data: object) -> list | None:
    """The list of papers a JSON document holds: itself, or the one list of objects in it."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    for key in ("papers", "results", "data", "items", "records"):
        if isinstance(data.get(key), list):
            return data[key]
    lists = [v for v in data.values() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v[:10])]
    return lists[0] if len(lists) == 1 else None


def parse_tsv(lines: list[str | None], file: str) -> Iterator[RawRecord]:
    r"""Records from a tab-separated file with ``title`` and ``abstract`` columns.

    >>> [r.title for r in parse_tsv(["title\tabstract", "A\tB"], "f.tsv")]
    ['A']
    """
    return parse_csv(lines, file, delimiter="\t")


def parse_csv(lines: list[str | None], file: str, delimiter: str = ",") -> Iterator[RawRecord]:
    """Records from a CSV with ``title`` and ``abstract`` columns.

    >>> [r.line for r in parse_csv(["title,abstract", "A,B", "C,D"], "f.csv")]
    [2, 3]
    """
    bad = {n for n, line in enumerate(lines, start=1) if line is None}  # reported by the decoder
    text = [line if line is not None else "" for line in lines]
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [c for c in ("title", "abstract") if c not in columns]
    if missing:
        kind = "TSV" if delimiter == "\t" else "CSV"
        _warn(file, 1, f"{kind} header has no {' or '.join(repr(c) for c in missing)} column, file skipped")
        return
    ignored = _Ignored()
    ignored.add(columns, 1)
    ignored.report(file)
    line = 1
    try:
        for row in reader:
            first, line = line + 1, reader.line_num  # a quoted field may span lines
            if bad & set(range(first, line + 1)) or not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                _warn(file, first, f"row has {len(row)} fields, header has {len(header)}, row skipped")
                continue
            record = _guarded({k: row[i] for k, i in columns.items()}, file, first)
            if record is not None:
                yield record
    except csv.Error as exc:
        _warn(file, line + 1, f"malformed CSV ({exc}), rest of file skipped")
