"""``kg.query``: SPARQL over a built graph, on Oxigraph.

Queries may use the graph's prefixes (``mlkg:``, ``res:``, ``rdfs:``,
``skos:``, ``dcterms:``, ``prov:``, ``xsd:``, ``void:``, ``rdf:``) without
declaring them.  A query is SPARQL text, a path to a ``.rq`` file, or the
name of a shipped competency query (``kg/queries/NAME.rq``); ``bind`` gives its
parameters values, as RDF terms (see :mod:`kg.named_queries`).

Every query is bounded: ``max_results`` caps the rows (or triples) of an
answer, and more is :class:`~kg.errors.ResultLimitError`; ``timeout`` caps its
seconds, and a query still running then is :class:`~kg.errors.QueryTimeoutError`.
An Oxigraph query cannot be cancelled in-process (pyoxigraph has no timeout,
and signals are not checked while it evaluates), so a query with a time limit
runs in a fresh worker process that opens the store itself and is killed at
the deadline; the limit covers starting it, opening the store, evaluating and
collecting the answer.  ``0`` or ``None`` means no limit (and no worker).
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import pickle
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from .api import QUERY_MAX_RESULTS, QUERY_TIMEOUT
from .errors import KGError, QueryError, QueryTimeoutError, ResultLimitError
from .named_queries import QUERIES, named_queries, shipped_text, substitutions  # noqa: F401 (re-exported)

# kg.rdf (rdflib) is imported only where needed: the worker process stays lean.


def query_text(query: str) -> str:
    """SPARQL text from text, a ``.rq`` path or a shipped query name."""
    q = query.strip()
    if q.endswith(".rq") and "\n" not in q and (Path(q).is_file() or not any(c.isspace() for c in q)):
        return _read_query_file(Path(q))
    if q and all(ch.isalnum() or ch in "-_" for ch in q):
        text = shipped_text(q)
        if text is not None:
            return text
        raise QueryError(f"no query named {q!r}; `kg query --list` shows the shipped ones")
    return query


def _read_query_file(path: Path) -> str:
    """The text of a ``.rq`` file; a missing, unreadable or non-UTF-8 file is :class:`QueryError`."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"{path}: no such query file") from None
    except UnicodeDecodeError as exc:
        raise QueryError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                         f"{exc.start}); save the query file as UTF-8") from None
    except OSError as exc:
        raise QueryError(f"{path}: cannot read the query file: {exc.strerror or exc}") from None


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


def _prefixes() -> dict[str, str]:
    from .rdf.vocab import PREFIXES

    return {k: str(v) for k, v in PREFIXES.items()}


def _capped(items, max_results: int | None, what: str = "rows") -> list:
    """The items as a list; more than ``max_results`` of them is :class:`ResultLimitError`."""
    out = []
    for item in items:
        if max_results and len(out) >= max_results:
            raise ResultLimitError(f"the answer has more than {max_results} {what} (the limit); add a "
                                   "LIMIT to the query or raise max_results (--max-results)")
        out.append(item)
    return out


def run(store: pyoxigraph.Store, sparql: str, max_results: int | None = None,
        prefixes: dict[str, str] | None = None, bind: dict[str, object] | None = None,
        hide: list[str] | tuple[str, ...] = ()) -> QueryResult:
    """Run SPARQL text on a store, at most ``max_results`` rows; SPARQL errors become :class:`QueryError`.

    ``bind`` maps variable names to RDF terms, substituted by Oxigraph (never pasted into the
    text); the columns named in ``hide`` are left out of a SELECT answer.  A query nested or
    chained past :func:`kg.guard.check_shape`'s limits is :class:`~kg.errors.QueryTooDeepError`.
    """
    from .guard import check_shape

    check_shape(sparql)  # a query nested deeper would crash Oxigraph (a stack overflow), not fail
    subs = {pyoxigraph.Variable(k): v for k, v in (bind or {}).items()}
    try:
        answer = store.query(sparql, prefixes=_prefixes() if prefixes is None else prefixes,
                             substitutions=subs or None)
        if isinstance(answer, pyoxigraph.QueryBoolean):
            return QueryResult(["result"], [[str(bool(answer)).lower()]], boolean=bool(answer))
        if isinstance(answer, pyoxigraph.QuerySolutions):
            columns = [v.value for v in answer.variables if v.value not in hide]
            terms = [[sol[c] for c in columns] for sol in _capped(answer, max_results)]
            return QueryResult(columns, [[_value(t) for t in row] for row in terms], terms=terms)
        triples = _capped(answer, max_results, "triples")
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    except RuntimeError as exc:  # Oxigraph: a substituted variable missing from the SELECT clause
        if not subs:
            raise QueryError(f"query failed: {exc}") from exc
        raise QueryError(f"cannot bind a value: {exc}; Oxigraph binds only variables of the SELECT "
                         "clause") from exc
    except (OSError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from exc
    rows = [[str(t.subject), str(t.predicate), str(t.object)] for t in triples]
    return QueryResult(["subject", "predicate", "object"], rows, raw=triples)


def query(sparql: str, graph: str | os.PathLike = "output", *, timeout: float | None = QUERY_TIMEOUT,
          max_results: int | None = QUERY_MAX_RESULTS, bind=None) -> QueryResult:
    """Run a query (text, ``.rq`` file or shipped name) on the graph built in ``graph``.

    At most ``timeout`` seconds and ``max_results`` rows (or triples); ``0`` or ``None``: no limit.
    ``bind`` gives values to the query's parameters (see :mod:`kg.named_queries`).
    """
    if timeout is not None and not timeout >= 0:  # also NaN
        raise QueryError(f"timeout must be a number of seconds >= 0, not {timeout!r}")
    if max_results is not None and max_results < 0:
        raise QueryError(f"max_results must be >= 0, not {max_results!r}")
    text = query_text(sparql)
    values, hide = substitutions(text, bind, declared_only=shipped_text(sparql.strip()) == text)
    if not timeout or math.isinf(timeout):
        from .rdf.serialize import load_store

        return run(load_store(graph), text, max_results, bind=values, hide=hide)
    return _run_in_worker(graph, text, timeout, max_results, values, hide)


def _run_in_worker(graph: str | os.PathLike, text: str, timeout: float, max_results: int | None,
                   bind: dict | None = None, hide: list[str] | None = None) -> QueryResult:
    """Run a query in a fresh worker process, killed if it is still running after ``timeout`` seconds."""
    job = pickle.dumps({"graph": os.fspath(graph), "query": text, "max_results": max_results,
                        "prefixes": _prefixes(), "bind": bind or {}, "hide": hide or []})
    proc = subprocess.Popen([sys.executable, "-m", "kg.sparql"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        out, _ = proc.communicate(job, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise QueryTimeoutError(f"query stopped: it exceeded the time limit of {timeout:g} s; "
                                "simplify the query or raise timeout (--timeout)") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    try:
        status, value = pickle.loads(out)
    except Exception:  # noqa: BLE001 - no reply: the worker died
        raise QueryError(f"the query process died (exit code {proc.returncode}; out of memory?)") from None
    if status == "error":
        raise value
    return value


def _open_store(graph: str) -> pyoxigraph.Store:
    """``DIR/store`` read-only (without importing rdflib), else :func:`~kg.rdf.serialize.load_store`."""
    path = Path(graph) / "store"
    if path.is_dir():
        try:
            return pyoxigraph.Store.read_only(str(path))
        except OSError:
            pass
    from .rdf.serialize import load_store

    return load_store(graph)


def _worker_main() -> None:  # runs in the worker process
    """The worker: a pickled job on stdin; ``("ok", QueryResult)`` or ``("error", KGError)`` on stdout."""
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # anything printed goes to stderr, not into the reply
    job = pickle.load(sys.stdin.buffer)
    try:
        store = _open_store(job["graph"])
        reply = ("ok", run(store, job["query"], job["max_results"], job["prefixes"], job["bind"],
                           job["hide"]))
    except KGError as exc:
        reply = ("error", exc)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a QueryError
        reply = ("error", QueryError(f"query failed: {type(exc).__name__}: {exc}"))
    with os.fdopen(reply_fd, "wb") as out:
        pickle.dump(reply, out, protocol=pickle.HIGHEST_PROTOCOL)


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


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str, keep_lines: bool = True) -> str:
    r"""``text`` with control characters (ESC, CR, DEL, C1, …) as ``\uXXXX``: safe to print to a terminal.

    Newline and tab stay unless ``keep_lines`` is false.

    >>> escape_controls("a\x1b[2Jb\tc")
    'a\\u001b[2Jb\tc'
    """
    pattern = _CONTROLS_BUT_LINES if keep_lines else _CONTROLS
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def format_result(result: QueryResult, fmt: str = "table", *, terminal: bool = False) -> str:
    """Render as ``table``, ``csv``, ``tsv`` or ``json`` (SPARQL 1.1 results JSON).

    A table always shows control characters escaped; the other formats do with ``terminal``.
    """
    if fmt == "table":
        return _table(result)
    if fmt == "json":
        if result.boolean is not None:
            return json.dumps({"head": {}, "boolean": result.boolean})
        rows = result.terms if result.terms is not None else result.rows
        bindings = [{c: _binding(t) for c, t in zip(result.columns, row) if t is not None} for row in rows]
        text = json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1)
    elif fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        text = buf.getvalue().rstrip("\n")
    else:
        raise QueryError(f"unknown result format {fmt!r}")
    return escape_controls(text) if terminal else text


def _table(result: QueryResult) -> str:
    """Aligned columns, one line per row (cells flattened, escaped and cut to 80 characters)."""
    cells = [[escape_controls(("" if v is None else v).replace("\n", " "), keep_lines=False) for v in row]
             for row in result.rows]
    cells = [[v if len(v) <= 80 else v[:77] + "..." for v in row] for row in cells]
    columns = [escape_controls(c, keep_lines=False) for c in result.columns]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


if __name__ == "__main__":  # the worker of _run_in_worker: ``python -m kg.sparql``
    from kg.sparql import _worker_main as _main  # the module's own classes, so that the parent unpickles them

    _main()
