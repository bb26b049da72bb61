"""Every export format round-trips: RDF formats to an isomorphic graph, graph formats to
equal node and edge sets with their attributes (CSV: edges only)."""
from __future__ import annotations

import warnings

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from kg.rdf.vocab import MLKG
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg import api
from kg.formats import FORMATS, get_format
from kg.formats.rdf_formats import ONTOLOGY_GRAPH, source_graph
from kg.errors import FormatError
from kg.rdf.serialize import load_rdflib


@pytest.fixture(scope="module")
def built(fixture_build):
    _, out = fixture_build
    return out


def triples_of(obj) -> Graph:
    """A plain Graph of every data triple, whatever named graph (N-Quads, TriG) holds it.

    The ontology's own graph and the labels of the source graphs are not data of the build.
    """
    g = Graph()
    if hasattr(obj, "quads"):
        for s, p, o, c in obj.quads((None, None, None, None)):
            name = getattr(c, "identifier", c)
            if name == ONTOLOGY_GRAPH or s == name:
                continue
            g.add((s, p, o))
    else:
        for t in obj:
            g.add(t)
    return g


def nodes(g):
    return {n: dict(d) for n, d in g.nodes(data=True)}


def edges(g):
    return sorted((u, v, sorted(d.items())) for u, v, d in g.edges(data=True))


def test_registry_kinds():
    assert {f.kind for f in FORMATS.values()} == {"rdf", "graph"}
    assert {"ttl", "nt", "jsonld", "xml", "nq", "trig", "graphml", "gexf", "json", "csv"} <= set(FORMATS)
    with pytest.raises(FormatError):
        get_format("docx")


@pytest.mark.parametrize("name", sorted(n for n, f in FORMATS.items() if f.kind == "rdf"))
def test_rdf_format_round_trips(tmp_path, built, name):
    fmt = FORMATS[name]
    original = load_rdflib(built)
    path = tmp_path / f"graph{fmt.suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own Dataset deprecations
        fmt.write(original, path)
        back = triples_of(fmt.read(path))
    assert len(back) == len(original)
    if not isomorphic(original, back):
        _, only_original, only_back = graph_diff(to_isomorphic(original), to_isomorphic(back))
        pytest.fail(f"{name}: lost {sorted(only_original)[:3]}, gained {sorted(only_back)[:3]}")


@pytest.mark.parametrize("name", sorted(n for n, f in FORMATS.items() if f.kind == "graph" and n != "csv"))
def test_graph_format_round_trips(tmp_path, built, name):
    fmt = FORMATS[name]
    original = api.load_graph(built)
    path = tmp_path / f"graph{fmt.suffix}"
    fmt.write(original, path)
    back = fmt.read(path)
    assert nodes(back) == nodes(original)
    assert edges(back) == edges(original)


def test_csv_round_trips_edges(tmp_path, built):
    fmt = FORMATS["csv"]
    original = api.load_graph(built)
    path = tmp_path / "graph.csv"
    fmt.write(original, path)
    back = fmt.read(path)
    assert edges(back) == edges(original)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_export_writes_the_default_path(tmp_path, built, name):
    import shutil

    graph = tmp_path / "g"
    shutil.copytree(built, graph)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        path = api.export(name, graph)
    assert path == graph / "exports" / f"graph{FORMATS[name].suffix}"  # never the build's own files
    assert path.is_file() and path.stat().st_size > 0
    assert (graph / "graph.nt").read_bytes() == (built / "graph.nt").read_bytes()


@pytest.mark.parametrize("name", ["nq", "trig"])
def test_quads_have_a_graph_per_source_and_the_ontology(tmp_path, built, name):
    fmt = FORMATS[name]
    original = load_rdflib(built)
    path = tmp_path / f"graph{fmt.suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        fmt.write(original, path)
        ds = fmt.read(path)
    names = {getattr(c, "identifier", c) for _, _, _, c in ds.quads((None, None, None, None))}
    sources = {str(o).rsplit(":", 1)[0] for o in original.objects(None, MLKG.source)}
    assert ONTOLOGY_GRAPH in names
    assert {source_graph(s) for s in sources} <= names and len(sources) >= 2
    onto = ds.graph(ONTOLOGY_GRAPH)
    assert (MLKG.Paper, RDF.type, OWL.Class) in onto
