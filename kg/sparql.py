"""``kg.query``: SPARQL over a built graph, on Oxigraph.

Queries may use the graph's prefixes (``mlkg:``, ``res:``, ``rdfs:``,
``skos:``, ``dcterms:``, ``prov:``, ``xsd:``, ``void:``, ``rdf:``) without
declaring them.  A query is SPARQL text, a path to a ``.rq`` file, or the
name of a shipped competency query (``kg/queries/NAME.rq``).
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph

from .errors import QueryError
from .rdf.serialize import load_store
from .rdf.vocab import PREFIXES

QUERIES = resources.files("kg") / "queries"


def named_queries() -> dict[str, str]:
    """The shipped competency queries by name, with their first comment line."""
    out = {}
    for f in sorted(QUERIES.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".rq"):
            first = f.read_text(encoding="utf-8").splitlines()[0]
            out[f.name[:-3]] = first.lstrip("# ").strip()
    return out


def query_text(query: str) -> str:
    """SPARQL text from text, a ``.rq`` path or a shipped query name."""
    q = query.strip()
    if q.endswith(".rq") and "\n" not in q and Path(q).is_file():
        return Path(q).read_text(encoding="utf-8")
    if q and all(ch.isalnum() or ch in "-_" for ch in q):
        f = QUERIES / f"{q}.rq"
        if f.is_file():
            return f.read_text(encoding="utf-8")
        raise QueryError(f"no query named {q!r}; `kg query --list` shows the shipped ones")
    return query


@dataclass
class QueryResult:
    """Rows of a SELECT (``columns``, ``rows`` of strings), a boolean, or triples."""

    columns: list[str]
    rows: list[list[str | None]]
    boolean: bool | None = None
    raw: object = None
    terms: list[list[object]] | None = None  # the RDF terms behind ``rows`` (for typed JSON)

    def __len__(self) -> int:
        return len(self.rows)


def _value(term) -> str | None:
    if term is None:
        return None
    return term.value if hasattr(term, "value") else str(term)


def run(store: pyoxigraph.Store, sparql: str) -> QueryResult:
    """Run SPARQL text on a store; SPARQL errors become :class:`QueryError`."""
    try:
        answer = store.query(sparql, prefixes={k: str(v) for k, v in PREFIXES.items()})
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return QueryResult(["result"], [[str(bool(answer)).lower()]], boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        columns = [v.value for v in answer.variables]
        terms = [[sol[c] for c in columns] for sol in answer]
        return QueryResult(columns, [[_value(t) for t in row] for row in terms], terms=terms)
    triples = list(answer)
    rows = [[str(t.subject), str(t.predicate), str(t.object)] for t in triples]
    return QueryResult(["subject", "predicate", "object"], rows, raw=triples)


def query(sparql: str, graph: str | os.PathLike = "output") -> QueryResult:
    """Run a query (text, ``.rq`` file or shipped name) on the graph built in ``graph``."""
    return run(load_store(graph), query_text(sparql))


def _binding(term) -> dict:
    """A term as SPARQL 1.1 Query Results JSON (uri, bnode or typed/tagged literal)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render as ``table``, ``csv``, ``tsv`` or ``json`` (SPARQL 1.1 results JSON)."""
    if fmt == "json":
        if result.boolean is not None:
            return json.dumps({"head": {}, "boolean": result.boolean})
        rows = result.terms if result.terms is not None else result.rows
        bindings = [{c: _binding(t) for c, t in zip(result.columns, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        return buf.getvalue().rstrip("\n")
    if fmt != "table":
        raise QueryError(f"unknown result format {fmt!r}")
    cells = [[("" if v is None else v).replace("\n", " ") for v in row] for row in result.rows]
    cells = [[v if len(v) <= 80 else v[:77] + "..." for v in row] for row in cells]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(result.columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)
