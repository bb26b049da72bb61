"""``kg serve`` stays up and tight (issue 17 item 7): memory per query, fair share of the workers,
idle connections, nesting limits, and the flags that set them."""
from __future__ import annotations

import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from kg.cli import main
from kg.endpoint import make_app
from kg.endpoint_scheduler import Busy, Scheduler
from kg.errors import QueryTooDeepError
from kg.guard import MAX_CHAIN, MAX_NESTING, check_shape, query_shape

ROOT = Path(__file__).resolve().parents[1]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # |triples|^4 rows
GREEDY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"  # sorts |triples|^3 rows
FAST = "ASK { ?p a mlkg:Paper }"
P = "<https://w3id.org/mlkg/ontology#p>"


def deep_path(depth: int) -> str:
    """``SELECT * WHERE { ?s (<p>/(<p>/(…))) ?o }``, the path nested ``depth`` levels."""
    return "SELECT * WHERE { ?s " + f"({P}/" * depth + P + ")" * depth + " ?o }"


@pytest.fixture(scope="module")
def graph(fixture_build) -> Path:
    return fixture_build[1]


def _get(app, query: str, client: str = "127.0.0.1"):
    """``(status, headers, text)`` of ``GET /sparql?query=…`` from the address ``client``."""
    response = Client(app).get("/sparql", query_string={"query": query},
                               environ_base={"REMOTE_ADDR": client})
    return response.status_code, response.headers, response.get_data(as_text=True)


def _wait_for(predicate, timeout: float = 30.0) -> None:
    """Poll until ``predicate()`` holds (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


# --- the scheduler: who gets a free worker ---------------------------------------------------

def test_a_client_with_a_running_query_never_takes_the_last_free_worker():
    s = Scheduler(queue=8)
    for w in ("w1", "w2", "w3"):
        s.put(w)
    assert s.acquire("slow", 1) and s.acquire("slow", 1)  # two of three: one stays free
    with pytest.raises(Busy) as info:
        s.acquire("slow", 0.05)
    assert info.value.status == 503 and "busy" in str(info.value)
    assert s.acquire("other", 1) == "w1" and s.running("slow") == 2 and s.running() == 3


def test_a_free_worker_goes_to_the_client_with_fewest_running():
    s = Scheduler(queue=8)
    s.put("w1")
    s.put("w2")
    first = s.acquire("busy", 1)
    s.acquire("other", 1)  # both workers taken
    got: dict[str, str] = {}
    threads = [threading.Thread(target=lambda c=c: got.setdefault(c, s.acquire(c, 10))) for c in ("busy", "new")]
    threads[0].start()
    _wait_for(lambda: s.waiting("busy") == 1)  # "busy" asked first ...
    threads[1].start()
    _wait_for(lambda: s.waiting() == 2)
    s.release("other", "w2")  # ... but "new" has nothing running: it gets the free worker
    threads[1].join(10)
    assert got == {"new": "w2"} and s.waiting("busy") == 1
    s.release("busy", first)  # now "busy" has nothing running either
    threads[0].join(10)
    assert got == {"new": "w2", "busy": first}


def test_the_queue_is_bounded_and_one_client_holds_half_of_it():
    s = Scheduler(queue=4)
    outcomes: list = []

    def wait(client):
        try:
            outcomes.append(s.acquire(client, 3))
        except Busy as busy:
            outcomes.append(busy.status)

    waiters = [threading.Thread(target=wait, args=(c,)) for c in ("a", "a", "b", "c")]
    for t in waiters[:2]:
        t.start()
    _wait_for(lambda: s.waiting("a") == 2)
    with pytest.raises(Busy) as info:  # "a" has half the queue waiting
        s.acquire("a", 5)
    assert info.value.status == 429 and "your address" in str(info.value)
    for t in waiters[2:]:
        t.start()
    _wait_for(lambda: s.waiting() == 4)
    with pytest.raises(Busy) as info:
        s.acquire("d", 5)
    assert info.value.status == 503 and "overloaded" in str(info.value)
    s.put("w")  # one worker frees: one waiter leaves with it, the others time out
    for t in waiters:
        t.join(10)
    assert sorted(outcomes, key=str) == [503, 503, 503, "w"] and s.waiting() == 0 and s.running() == 1


# --- through the app -------------------------------------------------------------------------

def test_other_clients_are_answered_while_one_client_runs_two_slow_queries(graph):
    app = make_app(graph, timeout=4, workers=2)
    try:
        slow: list[int] = []
        threads = [threading.Thread(target=lambda: slow.append(_get(app, SLOW, "10.0.0.1")[0])) for _ in range(2)]
        for t in threads:
            t.start()
        sched = app.pool.scheduler
        _wait_for(lambda: sched.running("10.0.0.1") == 1 and sched.waiting("10.0.0.1") == 1)
        answers = [_get(app, FAST, f"10.0.1.{i}") for i in range(20)]
        assert [status for status, _, _ in answers] == [200] * 20
        assert all('"boolean":true' in text for _, _, text in answers)
        assert sched.running("10.0.0.1") == 1 and not slow  # all answered while the slow ones ran
        for t in threads:
            t.join(30)
        assert slow == [503, 503]  # the first at its time limit, the second waited for it
    finally:
        app.close()


def test_other_clients_are_answered_while_two_slow_clients_hold_both_workers(graph):
    """Two slow queries from two addresses take both default workers; a spare serves the rest, then goes."""
    app = make_app(graph, timeout=20, workers=2)
    try:
        slow: list[int] = []
        threads = [threading.Thread(target=lambda c=c: slow.append(_get(app, SLOW, c)[0]))
                   for c in ("10.0.0.1", "10.0.0.2")]
        for t in threads:
            t.start()
        sched = app.pool.scheduler
        _wait_for(lambda: sched.running() == 2)
        answers = [_get(app, FAST, f"10.0.1.{i}") for i in range(20)]
        assert [status for status, _, _ in answers] == [200] * 20
        assert sched.running() == 2 and not slow  # all answered while both slow ones ran
        for t in threads:
            t.join(30)
        assert slow == [503, 503]
        _wait_for(lambda: len(app.pool._all) == 2)  # the spare is gone once nobody waits
    finally:
        app.close()


def test_a_query_past_the_memory_limit_costs_only_its_worker(graph):
    app = make_app(graph, timeout=60, workers=1, max_memory=64)
    try:
        status, headers, text = _get(app, GREEDY)
        assert status == 503 and "exceeded the memory limit of 64 MiB" in text, text
        assert headers["Retry-After"]
        status, _, text = _get(app, FAST)  # a fresh worker replaced it
        assert status == 200 and '"boolean":true' in text
    finally:
        app.close()


def test_a_too_deep_query_is_400_and_the_worker_lives(graph):
    app = make_app(graph, workers=1)
    try:
        pid = next(iter(app.pool._all)).process.pid
        status, _, text = _get(app, deep_path(50_000))
        assert status == 400 and "query too deeply nested: 50001 levels" in text
        status, _, text = _get(app, "SELECT * WHERE { ?s ?p ?o " + "FILTER(true) " * 2000 + "}")
        assert status == 400 and "query too long a chain: 2002 operators" in text
        assert _get(app, FAST)[0] == 200 and next(iter(app.pool._all)).process.pid == pid
    finally:
        app.close()


def test_kg_query_refuses_a_too_deep_query_without_crashing(graph, tmp_path):
    rq = tmp_path / "deep.rq"
    rq.write_text(deep_path(50_000), encoding="utf-8")
    for extra in ([], ["--timeout", "0"]):  # in a worker, and in the kg process itself
        proc = subprocess.run([sys.executable, "-m", "kg", "query", str(rq), "--graph", str(graph), *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode == 1, (proc.returncode, proc.stderr)
        assert proc.stderr.startswith("Error: query too deeply nested: 50001 levels of brackets (the limit is 200)")


def test_idle_connections_are_closed_and_do_not_lock_others_out(graph):
    # The server may hold 160 files, so 200 idle sockets would use them all up for good.
    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (160, 160))
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--graph", str(graph),
                             "--workers", "1", "--idle-timeout", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                            preexec_fn=few_files)
    idle = []
    try:
        url = re.search(r"(http://\S+/)sparql", proc.stdout.readline()).group(1)
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        for _ in range(200):
            sock = socket.socket()
            sock.settimeout(0.2)
            try:
                sock.connect(("127.0.0.1", port))
            except OSError:  # the listen queue is full: the kernel keeps the connection pending
                pass
            idle.append(sock)
        start = time.monotonic()
        query = urllib.parse.urlencode({"query": FAST})
        with urllib.request.urlopen(f"{url}sparql?{query}", timeout=30) as response:
            assert response.status == 200
        assert time.monotonic() - start < 15
        idle[0].settimeout(10)
        assert idle[0].recv(1) == b""  # the server closed it
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
    finally:
        for sock in idle:
            sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- the nesting scan ------------------------------------------------------------------------

def test_query_shape_skips_strings_iris_and_comments():
    assert query_shape("SELECT * { ?s ?p '(((' . ?s ?p \"[[[\" . ?s <urn:x((> ?o } # ((((") == (1, 2)
    assert query_shape("ASK { ?s ?p '''a'' ((( ''' FILTER(!(?o || ?p)) }") == (3, 4)
    assert query_shape("ASK { ?s ex:a.b-c ?o . ?s ?p -1 }") == (1, 2)  # names are one token; "-1" counts
    assert query_shape(deep_path(MAX_NESTING - 1))[0] == MAX_NESTING


def test_check_shape_limits():
    check_shape(deep_path(MAX_NESTING - 1))
    with pytest.raises(QueryTooDeepError, match="201 levels"):
        check_shape(deep_path(MAX_NESTING))
    check_shape("ASK { " + " || ".join(["true"] * (MAX_CHAIN - 1)) + " }")
    with pytest.raises(QueryTooDeepError, match="use VALUES"):
        check_shape("ASK { " + " || ".join(["true"] * (MAX_CHAIN + 1)) + " }")


def test_queries_at_the_limits_do_not_crash_the_engine():
    """Just under both limits, mixed: Oxigraph parses and runs them (its stack holds)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    at_limits = [
        "SELECT * WHERE " + "{" * 199 + "?s ?p ?o " + " ".join(f"BIND(1 AS ?x{i})" for i in range(800)) + "}" * 199,
        "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 197 + " || ".join(["true"] * 995) + ")" * 197 + ") }",
        "SELECT * WHERE { BIND(" + "(" * 197 + " - ".join(["1"] * 995) + ")" * 197 + " AS ?x) }",
        "SELECT * WHERE { ?s ?p ?o " + " ".join(["MINUS { ?s ?p ?o }"] * 499) + " }",
        "SELECT * WHERE { ?s ?p " + "[ <urn:p> " * 199 + "?o" + " ]" * 199 + " }",
    ]
    for query in at_limits:
        check_shape(query)
        list(store.query(query))


def test_the_scan_is_linear_on_hostile_text():
    """Texts that make a backtracking scan quadratic (a minute and more at 1 MB) take well under that."""
    for text in ("'\\" * (1 << 19), "a." * (1 << 19), "a-" * (1 << 19), "'''" + "''a" * (1 << 18), "<a" * (1 << 19)):
        start = time.monotonic()
        query_shape(text)
        assert time.monotonic() - start < 20


# --- flags, --help and the README ------------------------------------------------------------

def test_serve_help_and_readme_show_the_limits():
    out = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "--max-memory MIB" in out and "[default: 1024; x>=0]" in out
    assert "--queue N" in out and "[default: 128; x>=1]" in out
    assert "--idle-timeout SECONDS" in out and "[default: 10.0; x>=0]" in out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in readme.splitlines() if ln.startswith("kg serve "))
    synopsis = dict(re.findall(r"\[(--[a-z-]+)(?: ([^\]]+))?\]", line.split("#")[0]))
    options = {p.opts[0]: p for p in main.commands["serve"].params
               if p.param_type_name == "option" and p.opts[0] != "--help"}
    assert set(synopsis) == set(options), (sorted(synopsis), sorted(options))
    for name in ("--max-memory", "--queue", "--idle-timeout", "--timeout", "--workers"):
        assert float(synopsis[name]) == options[name].default
    assert "exceeded the memory limit" in readme and "429" in readme
