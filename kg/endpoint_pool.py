"""The query workers of ``kg serve`` (:mod:`kg.endpoint`): their processes, their bounds, who gets one when.

Workers
    Each worker is a fresh interpreter that loads the graph into an in-memory Oxigraph store and
    answers one query at a time (:func:`kg.endpoint._answer`).  A query still running at the time
    limit gets 503 and its worker is killed (an Oxigraph query cannot be cancelled from another
    thread); a fresh worker, which reloads the graph, takes its place.

Memory bound (``max_memory``, default 1024 MiB, ``kg serve --max-memory``)
    Once it has loaded the graph, a worker caps its own address space (``RLIMIT_AS``) at what it
    uses then plus ``max_memory``: the graph is paid for once, each query may use ``max_memory``
    more.  An allocation past the cap ends the query, never the server: Oxigraph (Rust) aborts its
    process, Python raises ``MemoryError``; either way the client gets 503 "exceeded the memory
    limit" and a fresh worker replaces the old one.  Without ``/proc`` (not Linux) there is no cap.

Fair scheduling (:class:`Scheduler`): who gets a free worker
    A request waits for a worker up to the time limit, in one bounded queue (``queue``, default 128
    requests; full: 503 with ``Retry-After``).  Clients are told apart by their address.  Two rules
    keep a few slow clients from taking every worker from the rest:

    1. *The last free worker is kept for a client with nothing running.*  A client whose query is
       running may start another only while at least two workers are free.  With the default two
       workers, a client runs one query at a time (its second waits for its first) and the other
       worker stays free for everyone else; with ``n`` workers, one client holds at most ``n - 1``.
       So however slow one client's queries are, other clients' queries get a worker at once.
    2. *Fewest running first.*  A free worker goes to the waiting request whose client has the
       fewest queries running, first come first served among equals, so a client that sends
       many requests at once does not push the others back.  One client may hold at most half
       the queue (more: 429 with ``Retry-After``), so it cannot fill it for the rest.

    What this cannot do: as many slow clients as there are workers (two, by default) still hold
    every worker until their time limit; more workers (``--workers``) raise that number.  Behind a
    proxy every request has the proxy's address, and the rules then see one client.

>>> s = Scheduler(queue=4)
>>> for w in ("w1", "w2"):
...     s.put(w)
>>> s.acquire("slow", timeout=1)        # the slow client's first query runs
'w2'
>>> s.acquire("slow", timeout=0.01)     # its second waits for its first: w1 is the last free one
Traceback (most recent call last):
...
kg.endpoint_pool.Busy: all query workers are busy; try again (waited 0.01 s)
>>> s.acquire("other", timeout=1)       # another client gets it at once
'w1'
"""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from .errors import ServerError

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_MEMORY_MB = 1024
DEFAULT_QUEUE = 128
MiB = 1 << 20


def memory_message(max_memory: int | None) -> str:
    """The 503 text of a query stopped at the memory limit (``max_memory`` in bytes)."""
    limit = f" of {max_memory // MiB} MiB" if max_memory else ""
    return (f"query stopped: it exceeded the memory limit{limit} per query; add a LIMIT or avoid sorting "
            "or grouping a large cross product (or start kg serve with a higher --max-memory)")


# ---------------------------------------------------------------------------
# A worker process
# ---------------------------------------------------------------------------

def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux ``/proc``), or None."""
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return None


def limit_memory(headroom: int | None) -> int | None:
    """Cap this process's address space at its current size plus ``headroom`` bytes; the cap, or None."""
    import resource

    size = _address_space()
    if not headroom or size is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + headroom
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap


def _worker_main() -> None:  # pragma: no cover - runs in a child process
    """A query worker: ``python -c "import kg.endpoint_pool as p; p._worker_main()" GRAPH MAX_MEMORY``.

    Jobs come in on stdin and replies go out on the original stdout, both as pickled messages
    (``multiprocessing.connection`` framing); anything printed goes to stderr.  A ``MemoryError``
    is replied as ``("oom", message)`` and ends the worker.
    """
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    jobs, replies = Connection(0, writable=False), Connection(reply_fd, readable=False)
    try:
        _serve_jobs(jobs, replies, sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    except (BrokenPipeError, ConnectionError):  # the server is gone (it stopped while we started)
        pass


def _serve_jobs(jobs, replies, graph: str, max_memory: int) -> None:  # pragma: no cover - in the child
    """Load the graph, cap the memory, then answer jobs until the server closes the pipe."""
    from .endpoint import _answer
    from .rdf.serialize import load_store

    try:
        store = load_store(graph)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        replies.send(("failed", str(exc)))
        return
    limit_memory(max_memory)
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
            replies.send(reply)  # pickles first, then writes: a MemoryError leaves the pipe clean
        except MemoryError:
            reply = None  # free what the answer held
            replies.send(("oom", memory_message(max_memory)))
            return
        except Exception as exc:  # noqa: BLE001
            replies.send(("error", 500, f"query failed: {type(exc).__name__}: {exc}"))


class _Worker:
    """A worker process (a fresh interpreter: no fork beside threads, no re-import of ``__main__``)."""

    def __init__(self, graph: str, max_memory: int | None = None):
        from multiprocessing.connection import Connection

        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])  # so a checkout without install works too
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import kg.endpoint_pool as p; p._worker_main()", graph,
             str(max_memory or 0)],
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

    def exit_code(self, wait: float = 5) -> int | None:
        """The process's exit code (negative: the signal that ended it), waiting up to ``wait`` s."""
        try:
            return self.process.wait(wait)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.exit_code()
        self.jobs.close()
        self.replies.close()


# ---------------------------------------------------------------------------
# Who gets a free worker
# ---------------------------------------------------------------------------

class Busy(Exception):
    """No worker for this request: ``status`` (503 or 429) and the message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Scheduler:
    """Free workers, and requests waiting for one, handed out fairly between clients (see the module doc)."""

    def __init__(self, queue: int = DEFAULT_QUEUE):
        self.queue = max(1, queue)
        self.per_client = max(1, self.queue // 2)
        self._cond = threading.Condition()
        self._idle: list = []
        self._running: Counter = Counter()
        self._waiting: list[tuple[int, str]] = []
        self._seq = itertools.count()

    def put(self, worker) -> None:
        """A worker is free (new, or done with its query without a client: see :meth:`release`)."""
        with self._cond:
            self._idle.append(worker)
            self._cond.notify_all()

    def running(self, client: str | None = None) -> int:
        """Queries running (of ``client``, or of all clients)."""
        with self._cond:
            return self._running[client] if client is not None else sum(self._running.values())

    def waiting(self, client: str | None = None) -> int:
        """Requests waiting for a worker (of ``client``, or of all clients)."""
        with self._cond:
            return sum(1 for _, c in self._waiting if client is None or c == client)

    def _next(self) -> tuple[int, str] | None:
        """The waiting request to serve now: rule 1 decides who may, rule 2 who goes first."""
        best = None
        for ticket in self._waiting:
            held = self._running[ticket[1]]
            if held and len(self._idle) < 2:
                continue
            if best is None or held < self._running[best[1]]:
                best = ticket
        return best if self._idle else None

    def acquire(self, client: str, timeout: float | None):
        """A free worker for ``client``, waiting up to ``timeout`` seconds; else :class:`Busy`."""
        with self._cond:
            if len(self._waiting) >= self.queue:
                raise Busy(503, f"the endpoint is overloaded: {len(self._waiting)} requests are waiting "
                                "(the limit); try again")
            if sum(1 for _, c in self._waiting if c == client) >= self.per_client:
                raise Busy(429, f"too many requests from your address are waiting ({self.per_client}, "
                                "the limit); wait for their answers")
            ticket = (next(self._seq), client)
            self._waiting.append(ticket)
            deadline = None if not timeout else time.monotonic() + timeout
            try:
                while self._next() != ticket:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise Busy(503, f"all query workers are busy; try again (waited {timeout:g} s)")
                    self._cond.wait(remaining)
                self._running[client] += 1
                return self._idle.pop()
            finally:
                self._waiting.remove(ticket)
                self._cond.notify_all()

    def release(self, client: str, worker=None) -> None:
        """``client``'s query is over; ``worker`` is free again (None: it was retired)."""
        with self._cond:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            if worker is not None:
                self._idle.append(worker)
            self._cond.notify_all()


# ---------------------------------------------------------------------------
# The pool
# ---------------------------------------------------------------------------

class QueryPool:
    """Worker processes that each hold the graph; :meth:`run` answers a job within ``timeout``.

    ``max_memory``: bytes each query may use beyond the loaded graph (None or 0: no cap);
    ``queue``: requests that may wait for a worker (see :class:`Scheduler`).
    """

    def __init__(self, graph: str | os.PathLike, workers: int = DEFAULT_WORKERS,
                 timeout: float | None = DEFAULT_TIMEOUT, max_memory: int | None = DEFAULT_MAX_MEMORY_MB * MiB,
                 queue: int = DEFAULT_QUEUE):
        self.graph = str(graph)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.max_memory = max_memory if max_memory and max_memory > 0 else None
        self.scheduler = Scheduler(queue)
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.triples = 0
        started = [self._spawn() for _ in range(max(1, workers))]
        try:
            for w in started:
                self.triples = w.wait_ready()
                self.scheduler.put(w)
        except ServerError:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        w = _Worker(self.graph, self.max_memory)
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
            self.scheduler.put(w)

    def _died(self, w: _Worker) -> tuple:
        """The answer for a worker that died while answering: out of memory (503) or a crash (500)."""
        code = w.exit_code()
        self._retire(w)
        if code in (-signal.SIGABRT, -signal.SIGKILL):  # Rust aborts on a failed allocation; the OOM killer
            return ("error", 503, memory_message(self.max_memory))
        return ("error", 500, f"the query worker crashed while answering (exit code {code}); "
                              "a fresh one has been started")

    def run(self, job: dict, client: str = "-") -> tuple:
        """``("ok", media_type, body, truncated_at)`` or ``("error", status, message)``, for ``client``."""
        try:
            w = self.scheduler.acquire(client, self.timeout)
        except Busy as busy:
            return ("error", busy.status, str(busy))
        reply, keep = ("error", 500, "query failed"), False
        try:
            reply, keep = self._ask(w, job)
        finally:
            self.scheduler.release(client, w if keep else None)
        return reply

    def _ask(self, w: _Worker, job: dict) -> tuple[tuple, bool]:
        """The worker's reply to the job, and whether the worker may answer another."""
        try:
            w.send(job)
            if not w.poll(self.timeout):
                self._retire(w)
                return ("error", 503, f"query stopped: it exceeded the time limit of {self.timeout:g} s"), False
            reply = w.recv()
        except (EOFError, OSError):
            return self._died(w), False
        except Exception as exc:  # noqa: BLE001 - e.g. a job that does not pickle: never lose the worker
            self._retire(w)
            return ("error", 500, f"query failed: {type(exc).__name__}: {exc}"), False
        if reply[0] == "oom":
            self._retire(w)
            return ("error", 503, reply[1]), False
        return reply, True

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
