"""Graph formats over the networkx graph: GraphML, GEXF, node-link JSON, CSV edge list.

GraphML and GEXF hold only scalar attributes, so list attributes (aliases,
sources, same_as) are written as JSON arrays and read back as lists, and a
metric's ``higher_is_better`` (true, false or null: neither format has a null)
as JSON text too.
"""
from __future__ import annotations

import csv
import io
import json

import networkx as nx

from ..fsutil import atomic_write
from .registry import Format, register

LIST_ATTRS = ("aliases", "sources", "same_as", "authors", "curated_by")
JSON_ATTRS = (*LIST_ATTRS, "higher_is_better")
"""Node attributes written as JSON text in GraphML and GEXF."""


def _flatten(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    g = graph.copy()
    for _, data in g.nodes(data=True):
        for key in JSON_ATTRS:
            if key in data:
                value = data[key]
                data[key] = json.dumps(list(value) if key in LIST_ATTRS else value, ensure_ascii=False)
    g.graph = {k: v for k, v in g.graph.items() if isinstance(v, (str, int, float, bool))}
    return g


def _unflatten(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    for _, data in graph.nodes(data=True):
        for key in JSON_ATTRS:
            if isinstance(data.get(key), str):
                data[key] = json.loads(data[key])
    return graph


def _write_graphml(graph, path) -> None:
    buf = io.BytesIO()
    nx.write_graphml(_flatten(graph), buf, encoding="utf-8")
    with atomic_write(path, "wb") as handle:
        handle.write(buf.getvalue())


def _read_graphml(path) -> nx.MultiDiGraph:
    g = nx.read_graphml(path, force_multigraph=True)
    return _unflatten(nx.MultiDiGraph(g))


def _write_gexf(graph, path) -> None:
    buf = io.BytesIO()
    nx.write_gexf(_flatten(graph), buf, encoding="utf-8")
    with atomic_write(path, "wb") as handle:
        handle.write(buf.getvalue())


def _read_gexf(path) -> nx.MultiDiGraph:
    g = nx.read_gexf(path)
    out = nx.MultiDiGraph(g)
    for _, data in out.nodes(data=True):
        data.pop("label", None) if data.get("label") is None else None
    for u, v, k, data in out.edges(keys=True, data=True):
        data.pop("id", None)
    return _unflatten(out)


def write_json(graph, path) -> None:
    data = nx.node_link_data(graph, edges="edges")
    with atomic_write(path) as handle:
        json.dump(data, handle, ensure_ascii=False, sort_keys=True)


def read_json(path) -> nx.MultiDiGraph:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")


EDGE_COLUMNS = ("source", "target", "kind", "role", "field", "start", "end", "surface", "paper")


def _write_csv(graph, path) -> None:
    with atomic_write(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(EDGE_COLUMNS)
        for u, v, data in graph.edges(data=True):
            row = {"source": u, "target": v, **data}
            writer.writerow(["" if row.get(c) is None else row.get(c, "") for c in EDGE_COLUMNS])


def _read_csv(path) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            attrs = {k: row[k] for k in EDGE_COLUMNS[2:] if row.get(k) not in (None, "")}
            for k in ("start", "end"):
                if k in attrs:
                    attrs[k] = int(attrs[k])
            g.add_edge(row["source"], row["target"], **attrs)
    return g


register(Format("graphml", "graph", ".graphml", _write_graphml, _read_graphml, "GraphML"))
register(Format("gexf", "graph", ".gexf", _write_gexf, _read_gexf, "GEXF (Gephi)"))
register(Format("json", "graph", ".json", write_json, read_json, "networkx node-link JSON"))
register(Format("csv", "graph", ".csv", _write_csv, _read_csv,
                "CSV edge list (source, target, kind, role, field, start, end, surface, paper)"))
