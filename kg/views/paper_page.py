"""Papers on the site: a paper page's data and metadata line, and the sentences quoted from papers.

:func:`paper_meta` reads the paper node's bibliographic attributes, each
optional (``authors`` list, ``year`` int or ``date`` text, ``venue``,
``arxiv_id``, ``code_url``, ``url``), so a graph without them renders as
before; only ``http(s)`` URLs (:func:`kg.views.style.safe_url`) become links.
:func:`sentence_spans` and :func:`segments` cut a paper's text into the
sentences quoted as evidence on entity pages and into the highlighted
mentions of the paper page; :func:`entity_evidence` quotes, on an entity's
page, the sentences that mention it.

>>> meta = paper_meta({"authors": ["A. Vaswani", "N. Shazeer"], "year": 2017,
...                    "venue": "NeurIPS", "arxiv_id": "1706.03762"})
>>> meta["authors"], meta["when"], meta["link"]["url"]
(['A. Vaswani', 'N. Shazeer'], '2017', 'https://arxiv.org/abs/1706.03762')
>>> paper_meta({"url": "", "authors": []})["shown"]
False
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from kg.views.details import _paper as paper_details
from kg.views.lookup import kind_of, label_of, role_key
from kg.views.style import KINDS, safe_url, short_label, style_for

if TYPE_CHECKING:  # pragma: no cover
    from kg.views.site import _Site

__all__ = ["sentence_spans", "clip", "Segment", "segments", "paper_meta", "paper_page",
           "entity_evidence", "MAX_AUTHORS", "MAX_EVIDENCE"]

MAX_AUTHORS = 12
"""Most authors named on a paper page (the rest are counted)."""
MAX_EVIDENCE = 60
"""Most evidence sentences listed on one entity page."""
_ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[A-Z0-9(\"'])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets of ``text`` (a simple rule-based split).

    >>> t = "We use BERT. It works! Really"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['We use BERT.', 'It works!', 'Really']
    """
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() + len(m.group().rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def clip(text: str, limit: int, left: bool) -> str:
    """``text`` cut to ``limit`` characters, from the left or the right, with an ellipsis.

    >>> clip("one two three", 5, left=True), clip("one two three", 5, left=False)
    ('…three', 'one t…')
    """
    if len(text) <= limit:
        return text
    return "…" + text[-limit:].lstrip() if left else text[:limit].rstrip() + "…"


@dataclass
class Segment:
    """A piece of text; ``mention`` set when it is a highlighted mention."""

    text: str
    mention: dict | None = None


def segments(text: str, mentions: Iterable[dict]) -> list[Segment]:
    """``text`` cut into plain and mention pieces (overlapping mentions skipped).

    >>> [(s.text, bool(s.mention)) for s in segments("a BERT b", [{"start": 2, "end": 6}])]
    [('a ', False), ('BERT', True), (' b', False)]
    """
    out, pos = [], 0
    for m in sorted(mentions, key=lambda m: (m["start"], -m["end"])):
        if m["start"] < pos or m["end"] > len(text) or m["start"] >= m["end"]:
            continue
        if m["start"] > pos:
            out.append(Segment(text[pos:m["start"]]))
        out.append(Segment(text[m["start"]:m["end"]], m))
        pos = m["end"]
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _quote(site: "_Site", paper: str, field: str, start: int, end: int) -> dict | None:
    """The sentence of ``paper``'s ``field`` around ``start:end``, cut in three."""
    text = str(site.g._node[paper].get(field) or "")
    if not (0 <= start < end <= len(text)):
        return None
    key = (paper, field)
    if key not in site._sentences:
        site._sentences[key] = sentence_spans(text)
    a, b = next(((a, b) for a, b in site._sentences[key] if a <= start < b), (0, len(text)))
    b = max(b, end)
    return {"before": clip(text[a:start].lstrip(), 160, left=True),
            "match": text[start:end],
            "after": clip(text[end:b], 160, left=False)}


def entity_evidence(site: "_Site", node: str) -> tuple[list[dict], int]:
    """The sentences of papers that mention ``node`` (one per paper, field and text), and how many more."""
    g = site.g
    items = []
    for paper, _, data in g.in_edges(node, data=True):
        if data.get("kind") != "mentions" or kind_of(g, paper) != "Paper":
            continue
        start, end, field = data.get("start"), data.get("end"), data.get("field")
        if not isinstance(start, int) or not isinstance(end, int) or field not in ("title", "abstract"):
            continue
        sent = _quote(site, paper, field, start, end)
        if sent is None:
            continue
        items.append(dict(sent, paper=site.link(paper), field=field,
                          role=str(data.get("role") or "uses"),
                          order=(role_key(str(data.get("role") or "uses")),
                                 label_of(g, paper).casefold(), field != "title", start)))
    items.sort(key=lambda e: e["order"])
    seen, out = set(), []
    for e in items:
        key = (e["paper"]["id"], e["field"], e["before"], e["match"], e["after"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out[:MAX_EVIDENCE], max(0, len(out) - MAX_EVIDENCE)


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _authors(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [name for name in map(_text, value) if name]


def paper_meta(attrs: dict) -> dict:
    """The metadata line of a paper page, from the paper node's attributes.

    ``link``: the paper's ``url``, else its arXiv page when ``arxiv_id`` is
    an arXiv identifier; ``arxiv``: the arXiv page too when ``url`` is
    another address; ``code``: ``code_url``. ``shown`` is False when there is
    nothing to show, so the page writes no empty line.

    >>> m = paper_meta({"url": "https://x.org/p", "arxiv_id": "2004.05150", "date": "2020-04-10",
    ...                 "code_url": "javascript:alert(1)", "authors": [f"A{i}" for i in range(14)]})
    >>> m["link"]["url"], m["arxiv"]["text"], m["when"], m["code"], m["more_authors"]
    ('https://x.org/p', 'arXiv:2004.05150', '2020-04-10', None, 2)
    """
    authors = _authors(attrs.get("authors"))
    year = attrs.get("year")
    when = str(year) if isinstance(year, int) and not isinstance(year, bool) else _text(attrs.get("date"))
    arxiv_id = _text(attrs.get("arxiv_id"))
    arxiv = None
    if _ARXIV_ID.fullmatch(arxiv_id):
        arxiv = {"url": f"https://arxiv.org/abs/{arxiv_id}", "text": f"arXiv:{arxiv_id}"}
    url = safe_url(attrs.get("url"))
    link = {"url": url, "text": url} if url else arxiv
    code = safe_url(attrs.get("code_url"))
    meta = {"authors": authors[:MAX_AUTHORS], "more_authors": max(0, len(authors) - MAX_AUTHORS),
            "when": when, "venue": _text(attrs.get("venue")), "link": link,
            "arxiv": arxiv if arxiv and link is not arxiv and arxiv["url"] != url else None,
            "code": {"url": code, "text": short_label(code, 50)} if code else None}
    meta["shown"] = bool(authors or when or meta["venue"])
    return meta


def _paper_nodes(site: "_Site", paper: str) -> list[str]:
    """The nodes of a paper page's graph: the paper, its neighbours, its results' entities."""
    g = site.g
    chosen: dict[str, None] = {paper: None}
    for n in g.successors(paper):
        chosen.setdefault(n, None)
    for n in list(chosen):
        if g._node[n].get("kind") == "Result":
            for m in g.successors(n):
                chosen.setdefault(m, None)
    return list(chosen)[: site.max_graph_nodes]


def paper_page(site: "_Site", node: str) -> dict:
    """The template data of the paper ``node``'s page on ``site``."""
    d = paper_details(site.g, node, shown=())
    for m in d["mentions"]:
        m["href"] = site.paths.href(m["entity"])
        m["colour"] = style_for(m["kind"]).colour
        m["role"] = re.sub(r"[^a-z_]", "", str(m["role"]).lower()) or "uses"
    by_field = {f: [m for m in d["mentions"] if m["field"] == f] for f in ("title", "abstract")}
    entities: dict[str, list[dict]] = {}
    for e in d["entities"]:
        entities.setdefault(e["kind"], []).append(site._ref(e))
    grouped = [(k, entities[k]) for k in KINDS if k in entities]
    grouped += [(k, v) for k, v in entities.items() if k not in KINDS]
    results = []
    for r in d["results"]:
        item = site._ref(r)
        item["facts"] = site.result_facts(r["id"])
        results.append(item)
    return {
        "node": node, "title": d["title"], "abstract": d["abstract"],
        "title_segments": segments(d["title"], by_field["title"]),
        "abstract_segments": segments(d["abstract"], by_field["abstract"]),
        "bad_url": "" if d["url"] else d["url_text"], "meta": paper_meta(site.g._node[node]), "sources": d["sources"],
        "entities": grouped, "entity_count": len(d["entities"]), "results": results,
        "graph": site.graph_data(_paper_nodes(site, node), node),
    }
