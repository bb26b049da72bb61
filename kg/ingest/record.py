"""The raw record every reader yields, before deduplication."""
from __future__ import annotations

from dataclasses import dataclass, field

from .metadata import Metadata


@dataclass(frozen=True)
class RawRecord:
    """One paper as one input file states it, with the line it starts on."""

    title: str
    abstract: str
    file: str
    line: int
    meta: Metadata = field(default_factory=Metadata)

    @property
    def url(self) -> str | None:
        return self.meta.url

    @property
    def id(self) -> str | None:
        return self.meta.id
