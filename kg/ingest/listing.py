"""Reader for daily-papers listings: page text with titles and abstracts.

A listing is the text of a "Daily Papers" page saved as plain text: page
chrome ("Get trending papers in your email inbox!", "Subscribe", "Daily
Papers", "byAK and the research community", dates such as "Mar 14"), then
each paper as a title line followed by an abstract line, with or without
blank lines between them.  A title may be glued to the "Subscribe" button
text ("SubscribeViPFormer: …").

>>> text = "Subscribe\\n\\nMar 14\\n\\nViT: Images\\n\\nWe show that a pure transformer works.\\n"
>>> [(r.line, r.title) for r in parse_listing(text.splitlines(), "x.txt")]
[(5, 'ViT: Images')]
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator

from ..errors import InputWarning
from .record import RawRecord

_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
CHROME = re.compile(
    r"^(new|subscribe|daily papers|byak and the research community|"
    r"get trending papers.*|submit( a paper)?|" + _MONTH.lower() + r"\s+\d{1,2}(,?\s+\d{4})?|"
    r"\d{4}-\d{2}-\d{2})$",
    re.IGNORECASE,
)
"""Lines that are page chrome, never a title or an abstract."""

GLUED = re.compile(r"^Subscribe(?=[A-Z0-9])")
MAX_TITLE = 400


def clean_line(line: str) -> str:
    """Strip whitespace and a glued "Subscribe"; chrome lines become ``""``.

    >>> clean_line("SubscribeViPFormer: X")
    'ViPFormer: X'
    >>> clean_line("  byAK and the research community ")
    ''
    """
    line = GLUED.sub("", line.strip())
    return "" if CHROME.match(line) else line


def looks_like_title(line: str) -> bool:
    """A title is short and does not read like a sentence of prose."""
    return 0 < len(line) <= MAX_TITLE and line.count(". ") < 2


KINDS = {"JSON": "*.json or *.jsonl", "TSV": "*.tsv", "CSV": "*.csv"}


def misnamed(line: str) -> str | None:
    """The format a listing's first line shows the file is in instead (``JSON``, ``TSV``, ``CSV``), or ``None``.

    >>> misnamed("["), misnamed('{"title": "A"}'), misnamed("title\\tabstract"), misnamed("ViT: Images")
    ('JSON', 'JSON', 'TSV', None)
    """
    if line in ("[", "{") or line.startswith(('{"', "[{")):
        return "JSON"
    for kind, sep in (("TSV", "\t"), ("CSV", ",")):
        if {"title", "abstract"} <= {c.strip().strip('"').lower() for c in line.split(sep)}:
            return kind
    return None


def parse_listing(lines: Iterable[str | None], file: str) -> Iterator[RawRecord]:
    """Pair title and abstract lines; ``None`` marks an undecodable line.

    A line that cannot be paired (a lone title at the end, an abstract with no
    title, an undecodable line) is skipped with an :class:`InputWarning`
    naming the file and line.
    """
    content: list[tuple[int, str | None]] = []
    for number, line in enumerate(lines, start=1):
        if line is None:
            content.append((number, None))
            continue
        line = clean_line(line)
        if line:
            content.append((number, line))
    first = next((c for c in content if c[1] is not None), None)
    if first is not None and (kind := misnamed(first[1])):
        warnings.warn(InputWarning(f"{file}:{first[0]}: looks like {kind}, not a daily-papers listing; file "
                                   f"skipped (name it {KINDS[kind]})"), stacklevel=2)
        return
    i = 0
    while i < len(content):
        number, title = content[i]
        if title is None:  # an undecodable line (warned): its abstract goes with it
            nxt = content[i + 1][1] if i + 1 < len(content) else None
            i += 2 if nxt is not None and not looks_like_title(nxt) else 1
            continue
        nxt = content[i + 1] if i + 1 < len(content) else None
        if nxt is None or nxt[1] is None:
            warnings.warn(InputWarning(
                f"{file}:{number}: title without an abstract, skipped: {title[:60]!r}"), stacklevel=2)
            i += 2 if nxt is not None else 1
            continue
        if not looks_like_title(title) or len(nxt[1]) < len(title) // 2:
            warnings.warn(InputWarning(
                f"{file}:{number}: line does not start a paper (expected a title), skipped"),
                stacklevel=2)
            i += 1
            continue
        yield RawRecord(title=title, abstract=nxt[1], file=file, line=number)
        i += 2
