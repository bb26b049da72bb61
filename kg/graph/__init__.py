"""The typed networkx graph of papers, entities and results.

Nodes: ``paper/<id>`` (kind ``Paper``), ``<type>/<slug>`` (kind = entity
type), ``result/<hash>`` (kind ``Result``).  Edges of a ``MultiDiGraph``:
``mentions`` (paper → entity, one per mention, with role, field, offsets
and surface form), ``based_on`` (entity → entity, with the paper),
``reports`` (paper → result) and ``model``/``dataset``/``metric`` (result →
entity).  Attribute values are scalars, None or lists of strings.
Entity nodes have ``label``, ``aliases`` and ``paper_count``; metric nodes
``higher_is_better`` (True, False or None: unknown), and entities that link
out ``same_as`` (IRIs of the same thing in Linked Papers With Code).
"""
from .build import build_graph, result_id, CorpusGraph

__all__ = ["build_graph", "result_id", "CorpusGraph"]
