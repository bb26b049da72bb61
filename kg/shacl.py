"""``kg.validate`` (module ``kg.shacl``): check a built graph against the SHACL shapes of ``ontology/shapes.ttl``.

pySHACL does the checking (no inference: the shapes need none).  The report
lists every result with its focus node, path, value and message, grouped by
(severity, path, message) and counted, IRIs shortened with the graph's
prefixes.

pySHACL runs a shape's SPARQL constraint once per focus node and hands rdflib
the query *text* each time, which rdflib parses again: on the seeds graph
(~9,000 mentions) that is ~9,000 parses and two minutes.  The data graph here
is a :class:`PreparedQueryGraph`, which parses each distinct query text once
and reuses the prepared query (rdflib's documented ``prepareQuery`` route),
bringing the seeds graph to a few seconds.  Results are the same.
"""
from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.processor import prepareQuery

from .errors import FormatError, GraphNotFoundError
from .rdf.ontology import ontology_file
from .rdf.vocab import PREFIXES


class PreparedQueryGraph(Graph):
    """An rdflib ``Graph`` whose ``query`` parses each distinct SPARQL text only once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepared: dict = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if isinstance(query_object, str) and processor == "sparql":
            ns = dict(self.namespaces()) if initNs is None else dict(initNs)
            base = kwargs.get("base")
            key = (query_object, tuple(sorted((k, str(v)) for k, v in ns.items())), base)
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = self._prepared[key] = prepareQuery(query_object, initNs=ns, base=base)
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result (terms shortened with the graph's prefixes)."""

    severity: str          # "Violation", "Warning" or "Info"
    focus: str
    path: str | None
    value: str | None
    message: str
    component: str         # e.g. "MinCountConstraintComponent"
    shape: str | None = None


@dataclass
class ValidationReport:
    """The outcome of :func:`validate_graph`; ``str()`` is the readable report."""

    graph: Path
    shapes: Path
    conforms: bool
    triples: int
    seconds: float
    results: list[Violation] = field(default_factory=list)

    def counts(self) -> Counter:
        """Results per severity."""
        return Counter(v.severity for v in self.results)

    def groups(self) -> list[tuple[tuple[str, str | None, str], list[Violation]]]:
        """Results grouped by (severity, path, message), largest group first."""
        by_key: dict = defaultdict(list)
        for v in self.results:
            by_key[(v.severity, v.path, v.message)].append(v)
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        return sorted(by_key.items(), key=lambda kv: (order.get(kv[0][0], 3), -len(kv[1]), kv[0][1] or "",
                                                       kv[0][2]))

    def summary(self) -> str:
        if self.conforms:
            return (f"{self.graph} conforms to {self.shapes.name} "
                    f"({self.triples} triples, {self.seconds:.1f} s)")
        counts = ", ".join(f"{n} {sev}" for sev, n in sorted(self.counts().items()))
        groups = len(self.groups())
        return (f"{self.graph} does not conform to {self.shapes.name}: {len(self.results)} "
                f"result{'s' if len(self.results) != 1 else ''} ({counts}) in {groups} "
                f"group{'s' if groups != 1 else ''}")

    def text(self, limit: int = 20, examples: int = 3) -> str:
        """The summary line, then up to ``limit`` groups with ``examples`` focus nodes each."""
        lines = [self.summary()]
        groups = self.groups()
        for (severity, path, message), results in groups[:limit]:
            lines.append(f"  [{severity}] {path or '(node)'}: {message}  ({len(results)}×)")
            for v in results[:examples]:
                value = f"  value {v.value}" if v.value is not None and v.value != v.focus else ""
                lines.append(f"      {v.focus}{value}")
            if len(results) > examples:
                lines.append(f"      … and {len(results) - examples} more")
        if len(groups) > limit:
            rest = sum(len(r) for _, r in groups[limit:])
            lines.append(f"  … and {len(groups) - limit} more groups ({rest} results)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def _short(term) -> str:
    if term is None:
        return None
    if isinstance(term, URIRef):
        iri = str(term)
        best = max(((p, str(ns)) for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
                   key=lambda pn: len(pn[1]), default=None)
        if best and all(ch.isalnum() or ch in "-_./" for ch in iri[len(best[1]):]):
            return f"{best[0]}:{iri[len(best[1]):]}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = str(term)
        text = text if len(text) <= 60 else text[:57] + "..."
        if term.datatype:
            return f'"{text}"^^{_short(URIRef(term.datatype))}'
        return f'"{text}"@{term.language}' if term.language else f'"{text}"'
    if isinstance(term, BNode):
        return "[]"
    return str(term)


def _path(report: Graph, node) -> str | None:
    """A result path: an IRI, or a readable form of a SHACL property path."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return _short(node)
    inverse = report.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{_path(report, inverse)}"
    for pred, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = report.value(node, pred)
        if inner is not None:
            return f"({_path(report, inner)}){suffix}"
    alternatives = report.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(report, p) for p in report.items(alternatives)) + ")"
    items = list(report.items(node))
    if items:
        return "/".join(_path(report, p) for p in items)
    return "[]"


def _local(term) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _results(report: Graph) -> list[Violation]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in report.objects(r, SH.resultMessage))
        component = report.value(r, SH.sourceConstraintComponent)
        shape = report.value(r, SH.sourceShape)
        out.append(Violation(
            severity=_local(report.value(r, SH.resultSeverity) or SH.Violation),
            focus=_short(report.value(r, SH.focusNode)),
            path=_path(report, report.value(r, SH.resultPath)),
            value=_short(report.value(r, SH.value)),
            message=messages[0] if messages else _local(component),
            component=_local(component) if component is not None else "",
            shape=_short(shape) if isinstance(shape, URIRef) else None,
        ))
    return sorted(out, key=lambda v: (v.severity, v.path or "", v.message, v.focus, v.value or ""))


def graph_path(graph: str | os.PathLike) -> Path:
    """The RDF file of a built graph: ``DIR/graph.nt`` (else ``DIR/graph.ttl``), or the file itself."""
    path = Path(graph)
    if path.is_dir():
        for name in ("graph.nt", "graph.ttl"):
            if (path / name).is_file():
                return path / name
        path = path / "graph.nt"
    if not path.is_file():
        raise GraphNotFoundError(f"no built graph at {path} (run `kg build` first)")
    return path


def validate_graph(graph: str | os.PathLike = "output",
                   shapes: str | os.PathLike | None = None) -> ValidationReport:
    """Validate the graph built in ``graph`` (a directory, ``graph.nt`` or ``graph.ttl``)."""
    from pyshacl import validate as shacl_validate

    path = graph_path(graph)
    shapes_path = Path(shapes) if shapes else ontology_file("shapes.ttl")
    data = PreparedQueryGraph()
    try:
        data.parse(path, format="turtle" if path.suffix == ".ttl" else "nt")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise FormatError(f"{path}: does not parse: {exc}") from exc
    shape_graph = Graph().parse(shapes_path, format="turtle")
    start = time.perf_counter()
    conforms, report, _ = shacl_validate(data, shacl_graph=shape_graph, inference="none",
                                         abort_on_first=False, allow_warnings=False)
    return ValidationReport(graph=path, shapes=shapes_path, conforms=bool(conforms),
                            triples=len(data), seconds=time.perf_counter() - start,
                            results=_results(report))
