"""``kg.guard.uses_service`` over many spellings and traps, and a loopback canary that a
``SERVICE`` query sent through a running ``kg serve`` must never reach."""
from __future__ import annotations

import http.server
import json
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest

from kg.guard import has_service_token, uses_service

P = "PREFIX ex: <http://127.0.0.1/> PREFIX : <URL/> "  # URL: the canary's address
S = "<URL/sparql>"
FEDERATED = {  # name -> query; each one is a SERVICE query to a SPARQL parser
    "plain": f"SELECT * WHERE {{ SERVICE {S} {{ ?s ?p ?o }} }}",
    "lower": f"select * where {{ service {S} {{ ?s ?p ?o }} }}",
    "mixed-case": f"SELECT * WHERE {{ SeRvIcE {S} {{ ?s ?p ?o }} }}",
    "silent": f"SELECT * WHERE {{ SERVICE SILENT {S} {{ ?s ?p ?o }} }}",
    "no-spaces": f"SELECT*WHERE{{SERVICE{S}{{?s ?p ?o}}}}",
    "tabs-newlines": f"SELECT * WHERE {{\n\tSERVICE\n\t{S}\n{{ ?s ?p ?o }} }}",
    "comment-inside": f"SELECT * WHERE {{ SERVICE # where to\n {S} {{ ?s ?p ?o }} }}",
    "variable": "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "dollar-variable": f"SELECT * WHERE {{ VALUES $e {{ {S} }} SERVICE $e {{ ?s ?p ?o }} }}",
    "prefixed-name": P + "SELECT * WHERE { SERVICE :sparql { ?s ?p ?o } }",
    "glued-prefixed-name": P + "SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "relative-iri": "BASE <URL/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "after-dot": f"SELECT * WHERE {{ ?s ?p ?o .SERVICE{S}{{ ?a ?b ?c }} }}",
    "optional": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {S} {{ ?s ?p ?x }} }} }}",
    "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {S} {{ ?s ?p ?o }} }} }}",
    "minus": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {S} {{ ?s ?p ?o }} }} }}",
    "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {S} {{ ?s ?p ?o }} }} }}",
    "subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {S} {{ ?s ?p ?o }} }} }} }}",
    "filter-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {S} {{ ?s ?p ?o }} }} }}",
    "filter-not-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE {S} {{ ?s ?p ?o }} }} }}",
    "bind-exists": f"SELECT * WHERE {{ BIND(EXISTS {{ SERVICE {S} {{ ?s ?p ?o }} }} AS ?x) }}",
    "select-expression": f"SELECT (EXISTS {{ SERVICE {S} {{ ?s ?p ?o }} }} AS ?e) WHERE {{ }}",
    "order-by": f"SELECT * WHERE {{ ?s ?p ?o }} ORDER BY (EXISTS {{ SERVICE {S} {{ ?s ?p ?o }} }})",
    "ask": f"ASK {{ SERVICE {S} {{ ?s ?p ?o }} }}",
    "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {S} {{ ?s ?p ?o }} }}",
    "describe": f"DESCRIBE ?s WHERE {{ SERVICE {S} {{ ?s ?p ?o }} }}",
    # rdflib reads these differently from Oxigraph, which runs them: the token reading catches them
    "cr-ends-comment": f"SELECT * WHERE {{ ?s ?p ?o # note\r SERVICE {S} {{ ?a ?b ?c }}\n}}",
    "escaped-quotes": (f'SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ ?s ?p "\\u0022" }} SERVICE {S} '
                       f'{{ ?a ?b ?c }} OPTIONAL {{ ?s ?p "\\u0022" }} }}'),
    # rdflib rejects these (Oxigraph extensions): the strict token reading catches them
    "lateral": f"SELECT * WHERE {{ ?s ?p ?o LATERAL {{ SERVICE {S} {{ ?s ?p ?x }} }} }}",
    "lateral-glued": P + "SELECT * WHERE { ?s ?p ?o LATERAL { SERVICE:sparql { ?s ?p ?x } } }",
    "version": f"VERSION \"1.2\" SELECT * WHERE {{ SERVICE {S} {{ ?s ?p ?o }} }}",
    "unicode-escape": f"SELECT * WHERE {{ \\u0053ERVICE {S} {{ ?s ?p ?o }} }}",
}
# Oxigraph calls the canary for these (with --allow-service): the refusals above are not vacuous
REACHING = ["plain", "lower", "mixed-case", "silent", "no-spaces", "comment-inside", "prefixed-name",
            "glued-prefixed-name", "relative-iri", "optional", "union", "subquery", "ask", "construct",
            "cr-ends-comment", "escaped-quotes", "lateral", "version"]
TRAPS = [  # SERVICE in strings, comments, IRIs and names: valid queries that call nobody
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/> { ?a ?b ?c }" }',
    "SELECT * WHERE { ?s ?p '''it's\nSERVICE <http://127.0.0.1/> {}\n''' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1/> { ?a ?b ?c }",
    "# don't\nSELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1/> {} '''",
    "SELECT * WHERE { <http://x/SERVICE> <urn:service:sparql> ?o }",
    "SELECT ?service WHERE { ?service ?p $SERVICE }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:service ex:SERVICE, ex:a.service }",
    "PREFIX service: <http://x/> SELECT * WHERE { ?s service:p service: }",
    'SELECT * WHERE { ?s ?p "x"@en-service , _:service }',
    'PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p "x"^^ex:service FILTER(CONTAINS(?s, "SERVICE")) }',
    'SELECT * WHERE { ?s ?p ?o LATERAL { SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" } } }',
    "SELECT * WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("name", sorted(FEDERATED))
def test_every_spelling_is_federated(name):
    assert uses_service(FEDERATED[name].replace("URL", "http://127.0.0.1:9"))


@pytest.mark.parametrize("query", TRAPS)
def test_traps_are_not_federated(query):
    pyoxigraph.Store().query(query)  # a valid query, as a user might send it
    assert not uses_service(query)


def test_strict_token_reading_errs_on_refusing():
    assert has_service_token("PREFIX service: <http://x/> SELECT * { ?s service:p ?o }")
    assert not has_service_token("PREFIX service: <http://x/> SELECT * { ?s service:p ?o }", strict=False)
    # a CR or a \u escape makes the reading strict even when rdflib parses the text
    assert uses_service("PREFIX service: <http://x/>\r\nSELECT * { ?s service:p ?o }")
    assert not uses_service("PREFIX service: <http://x/>\nSELECT * { ?s service:p ?o }")


def test_help_and_readme_name_the_flag_and_its_risk():
    from click.testing import CliRunner

    from kg.cli import main

    serve = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "--allow-service" in serve and "server-side request forgery" in serve
    query = " ".join(CliRunner().invoke(main, ["query", "--help"]).output.split())
    assert "QUERY may be federated: its SERVICE clauses call the endpoints they name" in query
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "[--allow-service]" in next(ln for ln in readme.splitlines() if ln.startswith("kg serve "))
    assert "server-side request forgery" in readme


# --- through a running kg serve -------------------------------------------------------------

class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Canary.hits.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary():
    """``(url, hits)`` of a tiny HTTP server on the loopback that records every request."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", _Canary.hits
    server.shutdown()
    server.server_close()


def _serve(graph, *flags):
    """A ``kg serve`` process on a free port and its base URL (stop it with SIGINT)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--workers", "1",
                             "--graph", str(graph), *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    line = proc.stdout.readline()
    match = re.search(r"SPARQL endpoint (http://127\.0\.0\.1:\d+/)sparql", line)
    if not match:
        proc.kill()
        pytest.fail(line + proc.communicate()[1])
    return proc, match.group(1) + "sparql"


def _stop(proc):
    proc.send_signal(signal.SIGINT)
    try:
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _send(endpoint, query, how):
    """``(status, body)`` of a query sent by GET, form POST or a sparql-query body."""
    if how == "get":
        req = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}))
    elif how == "form":
        req = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        req = urllib.request.Request(endpoint, data=query.encode(),
                                     headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_kg_serve_never_reaches_the_canary(fixture_build, canary):
    url, hits = canary
    before = len(hits)
    proc, endpoint = _serve(fixture_build[1])
    try:
        for i, (name, query) in enumerate(sorted(FEDERATED.items())):
            status, body = _send(endpoint, query.replace("URL", url), ("get", "form", "body")[i % 3])
            assert status == 403, (name, status, body)
            assert "federated queries (SERVICE) are disabled" in body and "--allow-service" in body
        status, body = _send(endpoint, TRAPS[0], "get")  # SERVICE in a string: answered
        assert status == 200 and json.loads(body)["results"]["bindings"] == []
    finally:
        _stop(proc)
    assert len(hits) == before, hits[before:]


def test_allow_service_reaches_the_canary(fixture_build, canary):
    url, hits = canary
    proc, endpoint = _serve(fixture_build[1], "--allow-service")
    try:
        for name in REACHING:
            before = len(hits)
            status, body = _send(endpoint, FEDERATED[name].replace("URL", url), "get")
            assert status == 200, (name, status, body)
            assert len(hits) > before, name
    finally:
        _stop(proc)
