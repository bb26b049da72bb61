"""How each kind of node looks: colour, shape, size, hover text, legend.

Everything visual that depends on the *type* of a node lives here, so the
legend drawn in the page and the nodes drawn on the canvas cannot disagree.

>>> style_for("Model").shape
'dot'
>>> style_for("no such kind").colour == FALLBACK.colour
True
>>> tooltip("BERT", "Model", 3)
'BERT\\nModel · 3 papers'
>>> tooltip("Longformer", "Paper", 1)
'Longformer\\nPaper · 1 paper'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from kg.records import ENTITY_TYPES

__all__ = [
    "KINDS", "ENTITY_KINDS", "Style", "STYLES", "FALLBACK", "style_for",
    "node_size", "tooltip", "short_label", "safe_url", "legend",
    "edge_colour", "label_font",
]

ENTITY_KINDS: tuple[str, ...] = tuple(ENTITY_TYPES)
"""The entity kinds, in display order (from :mod:`kg.records`)."""

KINDS: tuple[str, ...] = ("Paper", *ENTITY_KINDS, "Result")
"""Every node kind the views know, in legend order."""


@dataclass(frozen=True)
class Style:
    """The look of one node kind; ``glyph`` is the legend's text symbol."""

    colour: str
    shape: str
    glyph: str


# Colour-blind-friendly palette (Okabe–Ito plus greys), one shape per kind so
# kinds stay distinguishable without colour as well.
STYLES: dict[str, Style] = {
    "Paper": Style("#8c8c8c", "square", "■"),
    "Model": Style("#0072B2", "dot", "●"),
    "Dataset": Style("#E69F00", "diamond", "◆"),
    "Technique": Style("#009E73", "triangle", "▲"),
    "Task": Style("#CC79A7", "star", "★"),
    "Metric": Style("#D55E00", "triangleDown", "▼"),
    "Repository": Style("#56B4E9", "hexagon", "⬢"),
    "Result": Style("#6a3d9a", "dot", "•"),
}
FALLBACK = Style("#bbbbbb", "dot", "●")

EDGE_COLOURS: dict[str, str] = {
    "mentions": "#b8b8b8",
    "based_on": "#D55E00",
    "reports": "#9e86c8",
}
RESULT_EDGE_COLOUR = "#c9b8e3"

MIN_SIZE, MAX_SIZE = 8.0, 40.0
PAPER_SIZE, RESULT_SIZE = 9.0, 7.0


def style_for(kind: str) -> Style:
    """The :class:`Style` of ``kind``, or :data:`FALLBACK` for unknown kinds."""
    return STYLES.get(kind, FALLBACK)


def edge_colour(kind: str) -> str:
    """Colour of a visual edge whose first underlying edge has ``kind``.

    >>> edge_colour("based_on")
    '#D55E00'
    >>> edge_colour("model") == RESULT_EDGE_COLOUR
    True
    """
    return EDGE_COLOURS.get(kind, RESULT_EDGE_COLOUR)


def node_size(kind: str, paper_count: int) -> float:
    """Pixel size: entities grow with the log of how many papers mention them.

    >>> node_size("Model", 1) < node_size("Model", 10) <= MAX_SIZE
    True
    >>> node_size("Paper", 50) == PAPER_SIZE
    True
    """
    if kind == "Paper":
        return PAPER_SIZE
    if kind == "Result":
        return RESULT_SIZE
    count = max(int(paper_count or 0), 0)
    return round(min(MAX_SIZE, MIN_SIZE + 7.0 * math.log2(1 + count)), 1)


def _papers(n: int) -> str:
    return f"{n} paper" if n == 1 else f"{n} papers"


def tooltip(name: str, kind: str, paper_count: int) -> str:
    """Hover text, plain text: ``"name\\ntype · N papers"``."""
    return f"{name}\n{kind} · {_papers(int(paper_count or 0))}"


def short_label(text: str, limit: int = 40) -> str:
    """A canvas label: URLs lose their scheme, long text is cut with an ellipsis.

    >>> short_label("https://github.com/allenai/longformer")
    'github.com/allenai/longformer'
    >>> short_label("x" * 50, limit=10)
    'xxxxxxxxx…'
    """
    text = " ".join(str(text or "").split())
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme):].rstrip("/")
            break
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_url(url: object) -> str | None:
    """``url`` if it is an absolute ``http:``/``https:`` URL with a host, else None.

    Only what this returns may ever become an ``href`` in a page.

    >>> safe_url("https://arxiv.org/abs/2004.05150")
    'https://arxiv.org/abs/2004.05150'
    >>> safe_url("javascript:alert(1)") is None
    True
    >>> safe_url(" HTTP://example.org") is None
    True
    >>> safe_url("https:///nohost") is None
    True
    """
    if not isinstance(url, str) or url != url.strip() or not url:
        return None
    if any(ord(c) < 0x21 or c in "<>\"'`\\" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def legend(kind_counts: dict[str, int]) -> list[dict]:
    """Legend rows for the kinds present, in :data:`KINDS` order then others.

    >>> [r["kind"] for r in legend({"Result": 1, "Model": 2, "Alien": 1})]
    ['Model', 'Result', 'Alien']
    >>> legend({"Model": 2})[0]["shape"]
    'dot'
    """
    order = [k for k in KINDS if k in kind_counts]
    order += sorted(k for k in kind_counts if k not in KINDS)
    rows = []
    for kind in order:
        s = style_for(kind)
        rows.append({"kind": kind, "colour": s.colour, "shape": s.shape,
                     "glyph": s.glyph, "count": int(kind_counts[kind]),
                     "entity": kind in ENTITY_KINDS})
    return rows


def count_kinds(kinds: Iterable[str]) -> dict[str, int]:
    """How many times each kind occurs.

    >>> count_kinds(["Paper", "Model", "Paper"])
    {'Paper': 2, 'Model': 1}
    """
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    return counts


def label_font(kind: str, count: int) -> dict | None:
    """Font of a node's label on a hub-first overview: hubs big, papers small.

    vis-network skips labels drawn smaller than 5 px, so at overview zoom
    only the labels of much-mentioned entities show; papers' appear when
    zoomed in.

    >>> label_font("Paper", 1)["size"] < label_font("Model", 1)["size"] < label_font("Model", 50)["size"]
    True
    """
    if kind == "Paper":
        return {"size": 9, "color": "#666"}
    if kind == "Result":
        return {"size": 9, "color": "#6a3d9a"}
    size = min(40, 12 + 4.5 * math.log2(1 + max(int(count or 0), 0)))
    return {"size": round(size, 1), "strokeWidth": 3, "strokeColor": "#ffffff"}
