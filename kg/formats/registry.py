"""The registry of export formats: name → :class:`Format`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import FormatError


@dataclass(frozen=True)
class Format:
    name: str
    kind: str  # "rdf" (rdflib Graph) or "graph" (networkx MultiDiGraph)
    suffix: str
    write: Callable  # write(obj, path) -> None, atomically
    read: Callable  # read(path) -> obj
    description: str = ""


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; choose from {', '.join(sorted(FORMATS))}") from None
