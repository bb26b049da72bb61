"""Export formats, looked up by name in one registry.

Every format is a write/read pair; ``kg export --format`` takes its choices
from :data:`FORMATS`.  RDF formats work on an rdflib ``Graph``; the others on
the networkx ``MultiDiGraph``.

>>> sorted(FORMATS)[:4]
['csv', 'gexf', 'graphml', 'json']
>>> get_format("ttl").kind
'rdf'
"""
from __future__ import annotations

from .registry import FORMATS, Format, get_format
from . import networkx_formats, rdf_formats  # noqa: F401  (register)

__all__ = ["FORMATS", "Format", "get_format"]
