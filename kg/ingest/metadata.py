"""A record's metadata beyond title and abstract: id, links, date, venue, authors, code.

Input records name these fields in many ways: a Papers with Code
``papers-with-abstracts`` dump writes ``paper_url``, ``url_abs``,
``proceeding`` and ``date``; the Hugging Face daily-papers API writes
``paper.id`` (the arXiv id), ``authors`` as ``[{"name": …}]`` and
``publishedAt``; the ML Anthology corpus writes ``year``, ``venue`` and
``code_url``.  :func:`metadata` reads any of them into one :class:`Metadata`;
:data:`KNOWN` lists every field name kg reads, so a reader can name the
others (once per file) as ignored.

>>> m = metadata({"id": "p1", "url": "https://arxiv.org/abs/2004.05150v2", "year": "2020",
...               "authors": "Iz Beltagy, Matthew E. Peters and Arman Cohan"})
>>> m.id, m.arxiv_id, m.year, m.authors
('p1', '2004.05150', 2020, ('Iz Beltagy', 'Matthew E. Peters', 'Arman Cohan'))
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from pyoxigraph import NamedNode

URL_FIELDS = ("url", "paper_url", "url_abs", "link", "pdf_url", "url_pdf")
DATE_FIELDS = ("date", "published", "publishedAt", "published_at", "publication_date")
VENUE_FIELDS = ("venue", "proceeding", "conference", "journal", "booktitle")
CODE_FIELDS = ("code_url", "repo_url", "github", "code")
KNOWN = frozenset(("id", "title", "abstract", "summary", "paper", "arxiv_id", "year", "authors",
                   *URL_FIELDS, *DATE_FIELDS, *VENUE_FIELDS, *CODE_FIELDS))
"""Every field name a record may have that kg reads."""

MAX_FIELD = 2_000
"""Characters a metadata value may have; a longer one is cut (a title or abstract is not metadata)."""

_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})$")
_ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
                        r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?$", re.I)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


_IRI = re.compile(r"^https?://(?:[A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})+(?:[/?#][^\x00-\x20<>\"{}|\\^`\x7f-\x9f]*)?$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters (C0 but tab, newline and carriage return; DEL; C1) and Unicode line separators:
they would reach a terminal raw (ESC sequences) or break lines."""


def clean(text: str) -> str:
    """``text`` with control characters as spaces (same length).

    >>> clean("a\\x1b[0mb\\x00")
    'a [0mb '
    """
    return CONTROL.sub(" ", text) if CONTROL.search(text) else text


def safe_iri(url: str) -> bool:
    """Can ``url`` stand as an IRI in N-Triples and Turtle?  An http(s) URL with a plain host, no
    space, control character, DEL, ``<>"{}|\\^``` or broken percent escape, and an IRI by RFC 3987
    as the store reads it (one ``#``, a numeric port, no U+FFFD).

    >>> safe_iri("https://arxiv.org/abs/2004.05150"), safe_iri("https://x.org/a b"), safe_iri("https://[x/a")
    (True, False, False)
    >>> safe_iri("https://x.org/%zz"), safe_iri("https://x.org/\x7f"), safe_iri("javascript:alert(1)")
    (False, False, False)
    >>> safe_iri("https://x.org/a#b#c"), safe_iri("https://x.org:abc/"), safe_iri("https://x.org/论文")
    (False, False, True)
    """
    if len(url) > 2_000 or not _IRI.match(url) or _BAD_ESCAPE.search(url):
        return False
    try:
        NamedNode(url)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Metadata:
    """What a record says about a paper besides its text (empty values when it says nothing)."""

    id: str | None = None
    url: str | None = None
    arxiv_id: str = ""
    year: int | None = None
    date: str = ""
    venue: str = ""
    authors: tuple[str, ...] = ()
    code_url: str = ""


def _string(value: object, limit: int = MAX_FIELD) -> str:
    """A scalar field as text (numbers too), cut at ``limit`` characters; anything else as ``""``."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return str(value) if abs(value) < 10**20 else ""
    return " ".join(clean(value[:limit + 1]).split())[:limit] if isinstance(value, str) else ""  # no raw ESC


def _first(obj: dict, names: tuple[str, ...], limit: int = MAX_FIELD) -> str:
    for name in names:
        text = _string(obj.get(name), limit)
        if text:
            return text
    return ""


def arxiv_id(value: str) -> str:
    """The arXiv id (no version) in an id or an arXiv URL, or ``""``.

    >>> arxiv_id("2401.01234v3"), arxiv_id("http://arxiv.org/pdf/hep-th/9901001v1.pdf"), arxiv_id("p1")
    ('2401.01234', 'hep-th/9901001', '')
    """
    value = value.strip()
    m = _ARXIV_URL.match(value)
    if m:
        return m.group(1)
    value = re.sub(r"^arxiv:", "", value, flags=re.I)
    value = re.sub(r"v\d+$", "", value)
    return value if _ARXIV_ID.match(value) else ""


def authors(value: object) -> tuple[str, ...]:
    """Author names from a list (of names or ``{"name": …}``) or from one string.

    >>> authors([{"name": "A. Turing"}, "G. Hopper"]), authors("A; B"), authors("A, B and C")
    (('A. Turing', 'G. Hopper'), ('A', 'B'), ('A', 'B', 'C'))
    """
    if isinstance(value, list):
        names = [_string(v.get("name")) if isinstance(v, dict) else _string(v) for v in value[:1000]]
    elif isinstance(value, str):
        parts = value.split(";") if ";" in value else re.split(r",|\band\b", value)
        names = [_string(p) for p in parts]
    else:
        return ()
    return tuple(n for n in names if n)


def _real_date(year: int, month: int, day: int) -> bool:
    """Is this a day of the calendar (an ``xsd:date`` must be)?

    >>> _real_date(2020, 2, 29), _real_date(2021, 2, 29), _real_date(2020, 13, 1)
    (True, False, False)
    """
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _year_and_date(obj: dict) -> tuple[int | None, str]:
    date = _first(obj, DATE_FIELDS)
    m = _DATE.match(date)
    date = m.group(0) if m and _real_date(*map(int, m.groups())) else ""
    year = _YEAR.match(_string(obj.get("year")))
    if year:
        return int(year.group(1)), date
    return (int(date[:4]) if date else None), date


def metadata(obj: dict, arxiv_ids: bool = False) -> Metadata:
    """The :class:`Metadata` of one JSON object or CSV row (field names as in :data:`KNOWN`).

    ``arxiv_ids``: the record's ``id`` is an arXiv id when it looks like one
    (the daily-papers API's ``paper.id``).
    """
    ident = _string(obj.get("id")) or None
    url = _first(obj, URL_FIELDS, limit=2 * MAX_FIELD) or None  # not cut to a valid IRI: too long is refused
    arxiv = arxiv_id(_string(obj.get("arxiv_id")))
    if not arxiv and url:
        arxiv = arxiv_id(url)
    if not arxiv and arxiv_ids and ident:
        arxiv = arxiv_id(ident)
    year, date = _year_and_date(obj)
    return Metadata(id=ident, url=url, arxiv_id=arxiv, year=year, date=date, venue=_first(obj, VENUE_FIELDS),
                    authors=authors(obj.get("authors")), code_url=_first(obj, CODE_FIELDS))


def unknown_fields(obj: dict) -> set[str]:
    """The field names of ``obj`` that kg does not read.

    >>> sorted(unknown_fields({"title": "T", "abstract": "A", "upvotes": 3, "tasks": []}))
    ['tasks', 'upvotes']
    """
    return {str(k) for k in obj if k not in KNOWN}
