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

from .build import GRAPH_ATTRS, CorpusGraph

JSON_SEP = ", "
"""Between two items of the node-link ``nodes`` or ``edges`` array (as ``json.dump`` writes)."""


def block_order(cg: CorpusGraph) -> list[str]:
    """Block ids in output order: papers by id, then entities by id."""
    return [f"paper/{p.id}" for p in cg.papers] + sorted(cg.resolution.entities)


def signature(cg: CorpusGraph, block: str) -> bytes:
    """A 16-byte hash of everything the block's outputs are made from.

    For a paper: the extractor version and the paper's text (which together
    determine its extraction), its metadata and sources, the entity id of each
    mention, and its results with their labels; for an entity: its
    attributes and ``based_on`` links.  Equal signatures mean equal bytes.
    ``marshal`` version 0 encodes equal values identically (later versions
    mark shared and interned objects).
    """
    h = hashlib.blake2b(digest_size=16)
    if block.startswith("paper/"):
        pid = block[6:]
        p = cg.paper(pid)
        for text in (cg.version, p.title, p.abstract):  # long texts straight into the hash
            h.update(text.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        results = [(r.id, r.model, cg.result_attrs(r), cg.result_edges(r)) for r in cg.results_of.get(pid, ())]
        meta = (p.url or "", p.arxiv_id, p.year, p.date, p.venue, p.authors, p.code_url, p.record_id)
        h.update(marshal.dumps((block, meta, [str(s) for s in p.sources], cg.entity_ids(pid), results), 0))
    else:
        h.update(marshal.dumps((block, cg.entity_attrs(block), cg.based_on_of.get(block, [])), 0))
    return h.digest()


def _keyed(source: str, edges: list[tuple[str, dict]]) -> list[dict]:
    """Node-link edge items in networkx's order: grouped by target (first seen first), keys 0, 1, …"""
    by_target: dict[str, list[dict]] = {}
    for target, attrs in edges:
        by_target.setdefault(target, []).append(attrs)
    return [{**attrs, "source": source, "target": target, "key": key}
            for target, group in by_target.items() for key, attrs in enumerate(group)]


def json_parts(cg: CorpusGraph, block: str) -> tuple[str, str]:
    """The block's items of the node-link ``edges`` and ``nodes`` arrays, joined by :data:`JSON_SEP`.

    Items are exactly what ``json.dump(nx.node_link_data(cg.graph, edges="edges"),
    ensure_ascii=False, sort_keys=True)`` writes for them, so the assembled
    file reads back with :func:`networkx.node_link_graph`.
    """
    if block.startswith("paper/"):
        pid = block[6:]
        results = cg.results_of.get(pid, ())
        nodes = [{**cg.paper_attrs(cg.paper(pid)), "id": block}]
        edges = _keyed(block, cg.mention_edges(pid) + [(r.id, {"kind": "reports"}) for r in results])
        for r in results:
            nodes.append({**cg.result_attrs(r), "id": r.id})
            edges += _keyed(r.id, cg.result_edges(r))
    else:
        nodes = [{**cg.entity_attrs(block), "id": block}]
        edges = _keyed(block, [(o, {"kind": "based_on", "paper": f"paper/{paper}"})
                               for paper, o in cg.based_on_of.get(block, ())])

    def dump(items: list[dict]) -> str:
        return JSON_SEP.join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items)

    return dump(edges), dump(nodes)


def json_frame(cg: CorpusGraph) -> tuple[str, str, str]:
    """The text of ``graph.json`` before the edges, between edges and nodes, and after the nodes."""
    graph = json.dumps(GRAPH_ATTRS, ensure_ascii=False, sort_keys=True)
    return '{"directed": true, "edges": [', f'], "graph": {graph}, "multigraph": true, "nodes": [', "]}"
