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
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

from .errors import GraphNotFoundError, ServerError
from .guard import SERVICE_REFUSED, is_update, uses_service  # noqa: F401 - is_update: kg.endpoint's API
from .rdf.serialize import graph_file, load_store
from .rdf.vocab import PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESULTS = 100_000
DEFAULT_WORKERS = 2
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

def _answer(store: pyoxigraph.Store, job: dict) -> tuple:
    """Run one query; ``("ok", media_type, body, truncated_at | None)`` or ``("error", status, text)``."""
    if not job.get("allow_service") and uses_service(job["query"]):  # here: under the time limit
        return ("error", 403, SERVICE_REFUSED)
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


def _worker_main() -> None:  # pragma: no cover - runs in a child process
    """A query worker: ``python -c "import kg.endpoint; kg.endpoint._worker_main()" GRAPH``.

    Jobs come in on stdin and replies go out on the original stdout, both as
    pickled messages (``multiprocessing.connection`` framing); anything printed
    goes to stderr.
    """
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    jobs, replies = Connection(0, writable=False), Connection(reply_fd, readable=False)
    try:
        store = load_store(sys.argv[1])
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        replies.send(("failed", str(exc)))
        return
    replies.send(("ready", len(store)))
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = _answer(store, job)
        except Exception as exc:  # noqa: BLE001
            reply = ("error", 500, f"query failed: {type(exc).__name__}: {exc}")
        replies.send(reply)


class _Worker:
    """A worker process (a fresh interpreter: no fork beside threads, no re-import of ``__main__``)."""

    def __init__(self, graph: str):
        from multiprocessing.connection import Connection

        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])  # so a checkout without install works too
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import kg.endpoint; kg.endpoint._worker_main()", graph],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True)
        self.jobs = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.replies = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()

    def wait_ready(self) -> int:
        try:
            status, detail = self.replies.recv()
        except (EOFError, OSError):
            raise ServerError("a query worker died while loading the graph") from None
        if status != "ready":
            raise ServerError(f"a query worker could not load the graph: {detail}")
        return detail

    def send(self, job) -> None:
        self.jobs.send(job)

    def poll(self, timeout) -> bool:
        return self.replies.poll(timeout)

    def recv(self):
        return self.replies.recv()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self.jobs.close()
        self.replies.close()


class QueryPool:
    """Worker processes that each hold the graph; :meth:`run` answers a job within ``timeout``."""

    def __init__(self, graph: str | os.PathLike, workers: int = DEFAULT_WORKERS,
                 timeout: float | None = DEFAULT_TIMEOUT):
        self.graph = str(graph)
        self.timeout = timeout if timeout and timeout > 0 else None
        self._idle: queue.Queue = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.triples = 0
        started = [self._spawn() for _ in range(max(1, workers))]
        try:
            for w in started:
                self.triples = w.wait_ready()
                self._idle.put(w)
        except ServerError:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        w = _Worker(self.graph)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.kill()
        if not self._closed:
            threading.Thread(target=self._replace, daemon=True, name="kg-sparql-respawn").start()

    def _replace(self) -> None:
        w = self._spawn()
        try:
            w.wait_ready()
        except ServerError:
            with self._lock:
                self._all.discard(w)
            w.kill()
            return
        if self._closed:
            w.kill()
        else:
            self._idle.put(w)

    def run(self, job: dict) -> tuple:
        """``("ok", media_type, body, truncated_at)`` or ``("error", status, message)``."""
        limit = f"{self.timeout:g} s" if self.timeout else None
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return ("error", 503, f"all query workers are busy; try again (waited {limit})")
        try:
            w.send(job)
            if not w.poll(self.timeout):
                self._retire(w)
                return ("error", 503, f"query stopped: it exceeded the time limit of {limit}")
            reply = w.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(w)
            return ("error", 500, "the query worker died while answering (out of memory?)")
        self._idle.put(w)
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()


# ---------------------------------------------------------------------------
# The WSGI application
# ---------------------------------------------------------------------------

class SparqlApp:
    """The WSGI app: ``/sparql`` (SPARQL 1.1 Protocol, read-only) and ``/`` (the HTML view)."""

    def __init__(self, graph: str | os.PathLike = "output", *, timeout: float | None = DEFAULT_TIMEOUT,
                 max_results: int | None = DEFAULT_MAX_RESULTS, workers: int = DEFAULT_WORKERS,
                 allow_service: bool = False):
        from werkzeug.routing import Map, Rule

        self.graph_file = graph_file(graph)
        base = Path(graph)
        self.html = (base if base.is_dir() else base.parent) / "graph.html"
        self.timeout = timeout
        self.max_results = max_results if max_results and max_results > 0 else None
        self.allow_service = allow_service
        self.pool = QueryPool(self.graph_file, workers=workers, timeout=timeout)
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
        reply = self.pool.run(job)
        if reply[0] == "error":
            _, status, message = reply
            return self._text(status, message, **({"Retry-After": "5"} if status == 503 else {}))
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
             allow_service: bool = False) -> SparqlApp:
    """The WSGI app over the graph built in ``graph``; starts its query workers (call ``close()``).

    ``allow_service``: run federated queries, calling any address a client names (a risk)."""
    if not Path(graph).exists():
        raise GraphNotFoundError(f"no built graph at {graph} (run `kg build` first)")
    return SparqlApp(graph, timeout=timeout, max_results=max_results, workers=workers,
                     allow_service=allow_service)


class Server:
    """A bound (not yet serving) HTTP server for a :class:`SparqlApp`."""

    def __init__(self, app: SparqlApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
        from werkzeug.serving import make_server as _make_server

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
            self._server = _make_server(host, port, app, threaded=True, fd=sock.fileno())
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


def make_server(app: SparqlApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Server:
    """Bind ``app`` to ``host:port`` (``port=0``: a free port) without serving yet."""
    return Server(app, host, port)


def run_server(graph: str | os.PathLike = "output", host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
               timeout: float | None = DEFAULT_TIMEOUT, max_results: int | None = DEFAULT_MAX_RESULTS,
               workers: int = DEFAULT_WORKERS, on_start: Callable[[Server], None] | None = None,
               allow_service: bool = False) -> None:
    """Serve the graph until Ctrl-C; ``on_start(server)`` is called once it listens."""
    app = make_app(graph, timeout=timeout, max_results=max_results, workers=workers,
                   allow_service=allow_service)
    try:
        server = make_server(app, host, port)
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
