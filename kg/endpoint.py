"""``kg.serve`` (module ``kg.endpoint``): a read-only SPARQL 1.1 Protocol endpoint over a built graph, and its HTML view.

* ``GET /sparql?query=…``, ``POST /sparql`` with a form-encoded ``query=…`` or an
  ``application/sparql-query`` body (SPARQL 1.1 Protocol, section 2.1);
  ``default-graph-uri`` / ``named-graph-uri`` are passed to the engine.
* Results by content negotiation (``Accept``): for SELECT and ASK,
  ``application/sparql-results+json`` (the default), ``application/sparql-results+xml``,
  ``text/csv`` and ``text/tab-separated-values``; for CONSTRUCT and DESCRIBE,
  ``text/turtle`` (the default), ``application/n-triples``, ``application/rdf+xml``
  and ``application/ld+json``.  Nothing acceptable: 406.
* The prefixes of ``kg query`` (``mlkg:``, ``res:``, ``rdfs:``, …) are predeclared.
* Read-only: SPARQL Update (a POST with ``update=``, an ``application/sparql-update``
  body, or update text sent as a query) is refused with **403** and a message.
* A malformed query is **400** with the parser's message.
* Federated queries (``SERVICE``, however spelt: :func:`kg.guard.uses_service`) are refused with
  **403** and a message, unless ``allow_service``: the endpoint never calls an address for a client.
* Time limit (``timeout``, default 30 s): each query runs in a worker *process* that
  holds its own copy of the graph in an in-memory Oxigraph store.  A query still
  running at the deadline gets **503** ("exceeded the time limit"); its worker is
  killed (an Oxigraph query cannot be cancelled from another thread) and a fresh one
  is started, which reloads the graph.  The limit covers evaluating and serialising
  the answer.  While every worker is busy a request waits for one, up to the same
  limit, then gets 503 too.  Memory is one graph copy per worker (``workers``, default 2).
* Memory limit (``max_memory``, default 1024 MiB per query beyond the loaded graph): a query
  past it gets **503** ("exceeded the memory limit") and only its worker is replaced.
* Fair share (:mod:`kg.endpoint_pool`, which describes the design): the last free worker is kept
  for a client (address) with nothing running, so a client's slow queries wait for each other
  instead of taking every worker; requests wait in a bounded queue (``queue``, default 128; full:
  **503**; one client may hold half of it, more: **429**, both with ``Retry-After``).
* Nesting limits (:func:`kg.guard.check_shape`): a query nesting brackets deeper than 200 levels or
  chaining more than 1,000 operators and clauses would crash the engine, and is refused with **400**.
* Idle connections (``idle_timeout``, default 10 s): a connection silent that long is closed, so
  idle sockets cannot use up the server's connections.
* Size limit (``max_results``, default 100,000): a SELECT answer is cut after that
  many rows and a CONSTRUCT/DESCRIBE answer after that many triples; a cut answer
  is a normal 200 response whose ``KG-Truncated`` header holds the limit.
* ``GET /`` serves the build's HTML overview (``DIR/graph.html``), with the page's own
  Content-Security-Policy also as a header (plus ``frame-ancestors 'none'``).

The app is a WSGI application (:func:`make_app`); :func:`make_server` puts it on
Werkzeug's threaded server without blocking (``.start()`` serves from a thread),
and :func:`run_server` serves until Ctrl-C.  The server binds 127.0.0.1 unless
told otherwise; to expose the endpoint, run ``make_app(...)`` under a production
WSGI server instead.
"""
from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

from .endpoint_pool import (DEFAULT_MAX_MEMORY_MB, DEFAULT_QUEUE, DEFAULT_TIMEOUT, DEFAULT_WORKERS, MiB,
                            QueryPool)
from .errors import GraphNotFoundError, QueryTooDeepError, ServerError
from .guard import SERVICE_REFUSED, check_shape, is_update, uses_service  # noqa: F401 - is_update: API
from .rdf.serialize import graph_file
from .rdf.vocab import PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_MAX_RESULTS = 100_000
DEFAULT_IDLE_TIMEOUT = 10.0
MAX_QUERY_BYTES = 1 << 20

# media type -> pyoxigraph format name, default first
RESULTS_MEDIA = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_MEDIA = {
    "text/turtle": "TURTLE",
    "application/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
}
_RESULTS_TYPE = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
                 "CSV": "text/csv", "TSV": "text/tab-separated-values"}
_GRAPH_TYPE = {"TURTLE": "text/turtle", "N_TRIPLES": "application/n-triples",
               "RDF_XML": "application/rdf+xml", "JSON_LD": "application/ld+json"}

# ---------------------------------------------------------------------------
# Worker processes: each holds the graph and answers one query at a time.
# ---------------------------------------------------------------------------

def _refused(job: dict) -> tuple | None:
    """``("error", status, text)`` for a query the endpoint will not run, else None (run here: under the time limit)."""
    try:
        check_shape(job["query"])  # first: deeper would crash the engine (and rdflib's parse in uses_service)
    except QueryTooDeepError as exc:
        return ("error", 400, str(exc))
    if not job.get("allow_service") and uses_service(job["query"]):
        return ("error", 403, SERVICE_REFUSED)
    return None


def _answer(store: pyoxigraph.Store, job: dict) -> tuple:
    """Run one query; ``("ok", media_type, body, truncated_at | None)`` or ``("error", status, text)``."""
    refused = _refused(job)
    if refused:
        return refused
    kwargs = {}
    if job.get("default_graph"):
        kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job["default_graph"]]
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job["named_graphs"]]
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    try:
        answer = store.query(job["query"], prefixes=prefixes, **kwargs)
    except SyntaxError as exc:
        return ("error", 400, f"malformed query: {exc}")
    except ValueError as exc:  # e.g. a bad graph IRI
        return ("error", 400, f"bad request: {exc}")
    limit = job["max_results"]
    try:
        if isinstance(answer, pyoxigraph.QueryBoolean):
            fmt = job["results_format"]
            if fmt is None:
                return ("error", 406, _not_acceptable("ASK", RESULTS_MEDIA))
            body = answer.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt))
            return ("ok", _RESULTS_TYPE[fmt], body, None)
        if isinstance(answer, pyoxigraph.QuerySolutions):
            fmt = job["results_format"]
            if fmt is None:
                return ("error", 406, _not_acceptable("SELECT", RESULTS_MEDIA))
            names = [v.value for v in answer.variables]
            lines, truncated = ["\t".join(f"?{n}" for n in names)], None
            for i, solution in enumerate(answer):
                if limit is not None and i >= limit:
                    truncated = limit
                    break
                lines.append("\t".join("" if solution[n] is None else str(solution[n]) for n in names))
            # Serialise the (possibly cut) rows with Oxigraph's own writers: TSV holds every term exactly.
            rows = pyoxigraph.parse_query_results("\n".join(lines) + "\n",
                                                  format=pyoxigraph.QueryResultsFormat.TSV)
            body = rows.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt))
            return ("ok", _RESULTS_TYPE[fmt], body, truncated)
        fmt = job["graph_format"]
        if fmt is None:
            return ("error", 406, _not_acceptable("CONSTRUCT/DESCRIBE", GRAPH_MEDIA))
        triples, truncated = [], None
        for i, triple in enumerate(answer):
            if limit is not None and i >= limit:
                truncated = limit
                break
            triples.append(triple)
        rdf_format = getattr(pyoxigraph.RdfFormat, fmt)
        if rdf_format in (pyoxigraph.RdfFormat.TURTLE,):
            body = pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes)
        else:
            body = pyoxigraph.serialize(triples, format=rdf_format)
        return ("ok", _GRAPH_TYPE[fmt], body, truncated)
    except SyntaxError as exc:
        return ("error", 400, f"query failed: {exc}")
    except (OSError, ValueError) as exc:
        return ("error", 500, f"query failed: {exc}")


def _not_acceptable(kind: str, media: dict) -> str:
    return f"no acceptable format for a {kind} answer; Accept one of: {', '.join(media)}"


# ---------------------------------------------------------------------------
# The WSGI application
# ---------------------------------------------------------------------------

class SparqlApp:
    """The WSGI app: ``/sparql`` (SPARQL 1.1 Protocol, read-only) and ``/`` (the HTML view)."""

    def __init__(self, graph: str | os.PathLike = "output", *, timeout: float | None = DEFAULT_TIMEOUT,
                 max_results: int | None = DEFAULT_MAX_RESULTS, workers: int = DEFAULT_WORKERS,
                 allow_service: bool = False, max_memory: int | None = DEFAULT_MAX_MEMORY_MB,
                 queue: int = DEFAULT_QUEUE):
        from werkzeug.routing import Map, Rule

        self.graph_file = graph_file(graph)
        base = Path(graph)
        self.html = (base if base.is_dir() else base.parent) / "graph.html"
        self.timeout = timeout
        self.max_results = max_results if max_results and max_results > 0 else None
        self.allow_service = allow_service
        self.pool = QueryPool(self.graph_file, workers=workers, timeout=timeout,
                              max_memory=(max_memory or 0) * MiB, queue=queue)
        self.urls = Map([Rule("/", endpoint="view"), Rule("/graph.html", endpoint="view"),
                         Rule("/sparql", endpoint="sparql")])

    # --- helpers --------------------------------------------------------------
    @staticmethod
    def _text(status: int, message: str, **headers):
        from werkzeug.wrappers import Response

        response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
        response.headers.update(headers)
        return response

    def _query_params(self, request):
        """``(query, update, default_graphs, named_graphs)`` of a protocol request, or a Response."""
        args = request.args
        if request.method == "GET":
            return (args.get("query"), args.get("update"), args.getlist("default-graph-uri"),
                    args.getlist("named-graph-uri"))
        mime = request.mimetype
        if mime == "application/sparql-update":
            return (None, request.get_data(as_text=True), [], [])
        if mime == "application/sparql-query":
            return (request.get_data(as_text=True), None, args.getlist("default-graph-uri"),
                    args.getlist("named-graph-uri"))
        if mime in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = request.form
            return (form.get("query"), form.get("update") or form.get("using-graph-uri"),
                    form.getlist("default-graph-uri") or args.getlist("default-graph-uri"),
                    form.getlist("named-graph-uri") or args.getlist("named-graph-uri"))
        return self._text(415, f"unsupported content type {mime or '(none)'} for POST; send "
                               "application/x-www-form-urlencoded (query=…) or application/sparql-query")

    # --- endpoints ------------------------------------------------------------
    def view(self, request):
        from werkzeug.wrappers import Response

        if not self.html.is_file():
            return self._text(404, f"no HTML view at {self.html} (run `kg build` or `kg view`); "
                                   "the SPARQL endpoint is at /sparql")
        from .views.page import page_csp

        body = self.html.read_bytes()
        return Response(body, mimetype="text/html",
                        headers={"Content-Security-Policy": page_csp(body)})

    def sparql(self, request):
        from werkzeug.http import parse_accept_header
        from werkzeug.datastructures import MIMEAccept

        if request.method not in ("GET", "POST"):
            return self._text(405, "use GET or POST", Allow="GET, POST")
        params = self._query_params(request)
        if not isinstance(params, tuple):
            return params
        query, update, default_graph, named_graphs = params
        if update is not None or (query is not None and is_update(query)):
            return self._text(403, "SPARQL Update is not allowed: this endpoint is read-only "
                                   "(rebuild the graph with `kg build` to change it)")
        if not query or not query.strip():
            return self._text(400, "missing query: send ?query=… (GET), query=… (form POST) or an "
                                   "application/sparql-query body")
        accept = parse_accept_header(request.headers.get("Accept") or "*/*", MIMEAccept)
        job = {"query": query, "default_graph": default_graph, "named_graphs": named_graphs,
               "results_format": RESULTS_MEDIA.get(accept.best_match(list(RESULTS_MEDIA)) or ""),
               "graph_format": GRAPH_MEDIA.get(accept.best_match(list(GRAPH_MEDIA)) or ""),
               "max_results": self.max_results, "allow_service": self.allow_service}
        reply = self.pool.run(job, client=request.remote_addr or "-")
        if reply[0] == "error":
            _, status, message = reply
            return self._text(status, message, **({"Retry-After": "5"} if status in (429, 503) else {}))
        from werkzeug.wrappers import Response

        _, media_type, body, truncated = reply
        charset = "; charset=utf-8" if not media_type.endswith("+xml") else ""
        response = Response(body, status=200, content_type=media_type + charset)
        response.headers["Vary"] = "Accept"
        if truncated is not None:
            response.headers["KG-Truncated"] = str(truncated)
        return response

    # --- WSGI -----------------------------------------------------------------
    def __call__(self, environ, start_response):
        from werkzeug.exceptions import HTTPException
        from werkzeug.wrappers import Request

        request = Request(environ)
        request.max_content_length = MAX_QUERY_BYTES
        request.max_form_memory_size = MAX_QUERY_BYTES
        adapter = self.urls.bind_to_environ(environ)
        try:
            endpoint, _ = adapter.match()
            response = getattr(self, endpoint)(request)
        except HTTPException as exc:
            response = self._text(exc.code or 500, f"{exc.name}: {exc.description}")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response(environ, start_response)

    def close(self) -> None:
        self.pool.close()


def make_app(graph: str | os.PathLike = "output", *, timeout: float | None = DEFAULT_TIMEOUT,
             max_results: int | None = DEFAULT_MAX_RESULTS, workers: int = DEFAULT_WORKERS,
             allow_service: bool = False, max_memory: int | None = DEFAULT_MAX_MEMORY_MB,
             queue: int = DEFAULT_QUEUE) -> SparqlApp:
    """The WSGI app over the graph built in ``graph``; starts its query workers (call ``close()``).

    ``allow_service``: run federated queries, calling any address a client names (a risk).
    ``max_memory``: MiB each query may use beyond the loaded graph (0 or None: no cap);
    ``queue``: requests that may wait for a worker (see :mod:`kg.endpoint_pool`)."""
    if not Path(graph).exists():
        raise GraphNotFoundError(f"no built graph at {graph} (run `kg build` first)")
    return SparqlApp(graph, timeout=timeout, max_results=max_results, workers=workers,
                     allow_service=allow_service, max_memory=max_memory, queue=queue)


class Server:
    """A bound (not yet serving) HTTP server for a :class:`SparqlApp`."""

    def __init__(self, app: SparqlApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT):
        from werkzeug.serving import WSGIRequestHandler, make_server as _make_server

        class Handler(WSGIRequestHandler):
            timeout = idle_timeout or None  # a connection silent this long is closed (socket timeout)

        self.app = app
        # Bind here, so that a port in use is a ServerError (Werkzeug would print and exit).
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        try:
            self._server = _make_server(host, port, app, threaded=True, fd=sock.fileno(),
                                        request_handler=Handler)
        finally:
            sock.close()  # the server holds its own duplicate
        self.host, self.port = host, self._server.port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> "Server":
        """Serve from a background thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name="kg-sparql-server")
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving, close the socket and stop the query workers."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
        self._server.server_close()
        self.app.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


def make_server(app: SparqlApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT) -> Server:
    """Bind ``app`` to ``host:port`` (``port=0``: a free port) without serving yet.

    ``idle_timeout``: seconds a connection may stay silent (idle, or sending or reading too slowly)
    before it is closed; 0 or None: never."""
    return Server(app, host, port, idle_timeout)


def _raise_open_files_limit() -> None:
    """Let this process open as many files as its hard limit allows: each connection holds one."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or hard > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 1 << 20), hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not Unix, or not allowed
        pass


def run_server(graph: str | os.PathLike = "output", host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
               timeout: float | None = DEFAULT_TIMEOUT, max_results: int | None = DEFAULT_MAX_RESULTS,
               workers: int = DEFAULT_WORKERS, on_start: Callable[[Server], None] | None = None,
               allow_service: bool = False, max_memory: int | None = DEFAULT_MAX_MEMORY_MB,
               queue: int = DEFAULT_QUEUE, idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT) -> None:
    """Serve the graph until Ctrl-C; ``on_start(server)`` is called once it listens."""
    _raise_open_files_limit()
    app = make_app(graph, timeout=timeout, max_results=max_results, workers=workers,
                   allow_service=allow_service, max_memory=max_memory, queue=queue)
    try:
        server = make_server(app, host, port, idle_timeout=idle_timeout)
    except ServerError:
        app.close()
        raise
    try:
        if on_start:
            on_start(server)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
