"""``kg serve``: the read-only SPARQL 1.1 Protocol endpoint, queried with a real client (SPARQLWrapper)."""
from __future__ import annotations

import csv
import io
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg import api
from kg.errors import GraphNotFoundError, ServerError
from kg.endpoint import is_update, make_app, make_server

MLKG = "https://w3id.org/mlkg/ontology#"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # |triples|^4 rows


@pytest.fixture(scope="module")
def graph(fixture_build) -> Path:
    return fixture_build[1]


@pytest.fixture(scope="module")
def server(graph):
    with make_server(make_app(graph, timeout=20, max_results=1000), port=0).start() as srv:
        yield srv


@pytest.fixture
def client(server):
    return SPARQLWrapper(server.url + "sparql")


def _http(url, data=None, headers=None, method=None):
    """``(status, headers, body)`` of one request, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8")


def test_select_json_matches_kg_query(client, graph):
    client.setQuery((Path(api.__file__).parent / "queries" / "top-datasets.rq").read_text())
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert answer["head"]["vars"] == ["dataset", "papers"]
    rows = [[b["dataset"]["value"], b["papers"]["value"]] for b in answer["results"]["bindings"]]
    expected = api.query("top-datasets", graph)
    assert rows == expected.rows and rows
    assert answer["results"]["bindings"][0]["papers"]["datatype"].endswith("#integer")


def test_predeclared_prefixes_and_post(client, graph):
    q = "SELECT ?t WHERE { ?p a mlkg:Paper ; dcterms:title ?t } ORDER BY ?t"
    expected = [r[0] for r in api.query(q, graph).rows]
    for method, request in ((POST, None), (POST, POSTDIRECTLY)):
        client.setMethod(method)
        if request:
            client.setRequestMethod(request)
        client.setQuery(q)
        client.setReturnFormat(JSON)
        titles = [b["t"]["value"] for b in client.query().convert()["results"]["bindings"]]
        assert titles == expected and len(titles) == 5


def test_select_csv_and_tsv(client, server, graph):
    q = "SELECT ?e ?label WHERE { ?e a mlkg:Dataset ; rdfs:label ?label } ORDER BY ?label"
    client.setQuery(q)
    client.setReturnFormat(CSV)
    text = client.query().convert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["e", "label"]
    assert rows[1:] == [list(r) for r in api.query(q, graph).rows]
    status, headers, body = _http(server.url + "sparql?" + urllib.parse.urlencode({"query": q}),
                                  headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    lines = body.splitlines()
    assert lines[0] == "?e\t?label" and lines[1].startswith("<https://w3id.org/mlkg/resource/dataset/")
    assert len(lines) == len(rows)


def test_ask(client):
    client.setQuery("ASK { ?p a mlkg:Paper }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("ASK { ?p a mlkg:NoSuchClass }")
    assert client.query().convert()["boolean"] is False


def test_construct_turtle(client, graph):
    client.setQuery("CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a mlkg:Paper ; dcterms:title ?t }")
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    g = Graph().parse(data=data, format="turtle")
    assert len(g) == 5
    assert b"@prefix dcterms:" in data
    titles = sorted(str(o) for o in g.objects())
    assert titles == sorted(r[0] for r in api.query(
        "SELECT ?t WHERE { ?p a mlkg:Paper ; dcterms:title ?t }", graph).rows)


def test_construct_ntriples_and_406(server):
    q = urllib.parse.urlencode({"query": "DESCRIBE ?p WHERE { ?p a mlkg:Paper } LIMIT 1"})
    status, headers, body = _http(f"{server.url}sparql?{q}", headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) > 3
    status, _, body = _http(f"{server.url}sparql?{q}", headers={"Accept": "text/csv"})
    assert status == 406 and "text/turtle" in body


@pytest.mark.parametrize("how", ["update-param", "sparql-update-body", "update-as-query"])
def test_updates_are_refused(client, server, how):
    update = f"INSERT DATA {{ <urn:x> a <{MLKG}Paper> }}"
    if how == "update-param":  # SPARQLWrapper sends updates as a form POST with update=
        client.setQuery(update)
        client.setMethod(POST)
        with pytest.raises(urllib.error.HTTPError) as info:
            client.query()
        status, body = info.value.code, info.value.read().decode()
    elif how == "sparql-update-body":
        status, _, body = _http(server.url + "sparql", data=update.encode(), method="POST",
                                headers={"Content-Type": "application/sparql-update"})
    else:
        status, _, body = _http(server.url + "sparql?" + urllib.parse.urlencode({"query": update}))
    assert status == 403
    assert "SPARQL Update is not allowed: this endpoint is read-only" in body
    # and nothing changed
    client.resetQuery()
    client.setMethod("GET")
    client.setQuery("ASK { <urn:x> ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is False


def test_is_update():
    assert is_update("PREFIX ex: <http://x#a> # comment\n  insert data { ex:a ex:b ex:c }")
    assert is_update("DELETE WHERE { ?s ?p ?o }") and is_update("LOAD <http://x>")
    assert not is_update("SELECT * WHERE { ?s ?p 'INSERT' }")
    assert not is_update("# DELETE\nPREFIX delete: <http://x/> SELECT * { ?s delete:p ?o }")
    assert not is_update('ASK { ?s ?p """\nDELETE""" }')


def test_malformed_query_is_400_with_the_parser_message(client):
    client.setQuery("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    assert "malformed query: error at 1:" in str(info.value)


def test_missing_query_unknown_path_and_method(server):
    assert _http(server.url + "sparql")[0] == 400
    assert _http(server.url + "nothing")[0] == 404
    status, headers, _ = _http(server.url + "sparql", method="PUT", data=b"x")
    assert status == 405 and "GET" in headers["Allow"]
    status, _, body = _http(server.url + "sparql", data=b"query=x", method="POST",
                            headers={"Content-Type": "text/plain"})
    assert status == 415 and "application/sparql-query" in body


def test_html_view(server, graph):
    status, headers, body = _http(server.url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body == (graph / "graph.html").read_text(encoding="utf-8")
    # the page's own policy (inline scripts by hash only) comes as a header too
    csp = headers["Content-Security-Policy"]
    assert csp.endswith("; frame-ancestors 'none'") and csp[:-len("; frame-ancestors 'none'")] in body
    assert "'sha256-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_result_size_is_capped(graph):
    with make_server(make_app(graph, max_results=3, workers=1), port=0).start() as srv:
        q = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
        status, headers, body = _http(f"{srv.url}sparql?{q}")
        assert status == 200 and headers["KG-Truncated"] == "3"
        assert len(json.loads(body)["results"]["bindings"]) == 3
        q = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s a mlkg:Repository }"})
        status, headers, body = _http(f"{srv.url}sparql?{q}")
        assert status == 200 and "KG-Truncated" not in headers
        q = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        status, headers, body = _http(f"{srv.url}sparql?{q}", headers={"Accept": "application/n-triples"})
        assert headers["KG-Truncated"] == "3" and len(body.strip().splitlines()) == 3


def test_slow_query_times_out_and_the_endpoint_recovers(graph):
    with make_server(make_app(graph, timeout=1, workers=1), port=0).start() as srv:
        sparql = SPARQLWrapper(srv.url + "sparql", returnFormat=JSON)
        sparql.setQuery(SLOW)
        start = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as info:
            sparql.query()
        assert time.monotonic() - start < 10
        assert info.value.code == 503
        assert "exceeded the time limit of 1 s" in info.value.read().decode()
        # the stuck worker was killed and replaced: the next query is answered
        sparql.setQuery("ASK { ?p a mlkg:Paper }")
        assert sparql.query().convert()["boolean"] is True


def test_errors_at_start(graph, tmp_path, server):
    with pytest.raises(GraphNotFoundError):
        make_app(tmp_path / "none")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "graph.nt").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(ServerError, match="does not parse"):
        make_app(bad, workers=1)
    app = make_app(graph, workers=1)
    try:
        with pytest.raises(ServerError, match=f"cannot listen on 127.0.0.1:{server.port}"):
            make_server(app, port=server.port)
    finally:
        app.close()


def test_cli_serves_until_interrupted(graph):
    # A shell starts background jobs with SIGINT ignored, and a child inherits that (Python then
    # installs no KeyboardInterrupt handler): give the server the default, as a terminal would.
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--graph", str(graph)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = proc.stdout.readline()
        match = re.search(r"SPARQL endpoint (http://127\.0\.0\.1:\d+/)sparql", line)
        assert match, line + proc.stderr.read()
        url = match.group(1)
        q = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        status, _, body = _http(f"{url}sparql?{q}")
        assert status == 200
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 100
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_reports_a_missing_graph(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["serve", "--graph", str(tmp_path / "none"), "--port", "0"])
    assert result.exit_code == 1 and "Error: no built graph" in result.output
