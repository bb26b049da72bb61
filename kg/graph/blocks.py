"""The graph cut into blocks: one per paper, one per entity.

A paper's block holds the paper node, its mention and ``reports`` edges and
its result nodes with their edges; an entity's block holds the entity node and
its ``based_on`` edges.  Every node and edge (and every RDF triple, whose
subject decides its block) belongs to exactly one block, so each output file
is the concatenation of its blocks' parts, in :func:`block_order`.

A block's :func:`signature` hashes everything its outputs are made from, so a
rebuild can copy the bytes of every block whose signature did not change from
the previous build's files and render only the others (see
:mod:`kg.outputs`).

>>> from kg.records import Paper, Mention, Extraction
>>> from kg.graph import build_graph
>>> cg = build_graph([Paper("p1", "FooNet", "We propose FooNet.")],
...                  [Extraction("p1", (Mention("p1", "title", 0, 6, "FooNet", "Model", "proposes"),))])
>>> block_order(cg)
['paper/p1', 'model/foonet']
>>> print(json_parts(cg, "model/foonet")[1])
{"aliases": [], "id": "model/foonet", "kind": "Model", "label": "FooNet", "paper_count": 1}
"""
from __future__ import annotations

import hashlib
import json
import marshal

from .build import CorpusGraph

JSON_SEP = ", "
"""Between two items of the node-link ``nodes`` or ``edges`` array (as ``json.dump`` writes)."""


def block_order(cg: CorpusGraph) -> list[str]:
    """Block ids in output order: papers by id, then entities by id."""
    return [f"paper/{p.id}" for p in cg.papers] + sorted(cg.resolution.entities)


def _members(cg: CorpusGraph, block: str) -> list[str]:
    """The nodes of a block: a paper and its results, or one entity."""
    if block.startswith("paper/"):
        return [block] + [r.id for r in cg.results_of.get(block.split("/", 1)[1], ())]
    return [block]


def signature(cg: CorpusGraph, block: str) -> bytes:
    """A 16-byte hash of every node attribute and outgoing edge of the block's nodes.

    The RDF and JSON of a block are functions of exactly these (entity
    labels reach a paper's block through its results' attributes), so equal
    signatures mean equal bytes.  ``marshal`` version 0 encodes equal values
    identically (later versions mark shared and interned objects).
    """
    node, succ = cg.graph._node, cg.graph._succ
    h = hashlib.blake2b(digest_size=16)
    for n in _members(cg, block):
        attrs = node[n]
        for key in _TEXTS:  # long texts straight into the hash, not through marshal
            if key in attrs:
                h.update(attrs[key].encode("utf-8", "surrogatepass"))
                h.update(b"\0")
        rest = [(k, v) for k, v in attrs.items() if k not in _TEXTS]
        h.update(marshal.dumps((n, rest, succ[n]), 0))
    return h.digest()


_TEXTS = ("title", "abstract")


def json_parts(cg: CorpusGraph, block: str) -> tuple[str, str]:
    """The block's items of the node-link ``edges`` and ``nodes`` arrays, joined by :data:`JSON_SEP`.

    Items are exactly what ``json.dump(nx.node_link_data(g, edges="edges"),
    ensure_ascii=False, sort_keys=True)`` writes for them, so the assembled
    file reads back with :func:`networkx.node_link_graph`.
    """
    node, succ = cg.graph._node, cg.graph._succ
    edges, nodes = [], []
    for n in _members(cg, block):
        nodes.append(json.dumps({**node[n], "id": n}, ensure_ascii=False, sort_keys=True))
        for target, keyed in succ[n].items():
            for key, attrs in keyed.items():
                edges.append(json.dumps({**attrs, "source": n, "target": target, "key": key},
                                        ensure_ascii=False, sort_keys=True))
    return JSON_SEP.join(edges), JSON_SEP.join(nodes)


def json_frame(cg: CorpusGraph) -> tuple[str, str, str]:
    """The text of ``graph.json`` before the edges, between edges and nodes, and after the nodes."""
    graph = json.dumps(cg.graph.graph, ensure_ascii=False, sort_keys=True)
    return '{"directed": true, "edges": [', f'], "graph": {graph}, "multigraph": true, "nodes": [', "]}"
