"""The typed networkx graph of papers, entities and results.

Nodes: ``paper/<id>`` (kind ``Paper``), ``<type>/<slug>`` (kind = entity
type), ``result/<hash>`` (kind ``Result``).  Edges of a ``MultiDiGraph``:
``mentions`` (paper → entity, one per mention, with role, field, offsets
and surface form), ``based_on`` (entity → entity, with the paper),
``reports`` (paper → result) and ``model``/``dataset``/``metric`` (result →
entity).  Attribute values are scalars or lists of strings.
"""
from .build import build_graph, result_id, CorpusGraph

__all__ = ["build_graph", "result_id", "CorpusGraph"]
