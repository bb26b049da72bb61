"""The raw record every reader yields, before deduplication."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawRecord:
    """One paper as one input file states it, with the line it starts on."""

    title: str
    abstract: str
    file: str
    line: int
    url: str | None = None
    id: str | None = None
