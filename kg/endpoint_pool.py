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

Fair scheduling: :mod:`kg.endpoint_scheduler` decides who gets a free worker; the pool adds spare
    workers while every worker is busy (rule 3 there).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .endpoint_scheduler import DEFAULT_QUEUE, Busy, Scheduler  # noqa: F401 - Busy: part of this module's API
from .errors import ServerError

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_MEMORY_MB = 1024
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
                 queue: int = DEFAULT_QUEUE, spare: int | None = None):
        self.graph = str(graph)
        self.workers = max(1, workers)
        self.spare = self.workers if spare is None else max(0, spare)
        self._starting = 0  # spare workers being started
        self.timeout = timeout if timeout and timeout > 0 else None
        self.max_memory = max_memory if max_memory and max_memory > 0 else None
        self.scheduler = Scheduler(queue)
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.triples = 0
        started = [self._spawn() for _ in range(self.workers)]
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
            short = len(self._all) + self._starting < self.workers
            self._starting += short
        w.kill()
        if short and not self._closed:  # a spare that ends is not replaced
            threading.Thread(target=self._replace, daemon=True, name="kg-sparql-respawn").start()

    def _replace(self) -> None:
        try:
            w = self._spawn()
        finally:
            with self._lock:
                self._starting -= 1
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

    def _add_spare(self) -> None:
        """Start one more worker if every worker is busy and the spares allow (see :meth:`run`)."""
        with self._lock:
            if self._closed or self.scheduler.idle() or self._starting \
                    or len(self._all) >= self.workers + self.spare:
                return
            self._starting += 1
        threading.Thread(target=self._replace, daemon=True, name="kg-sparql-spare").start()

    def _shed_spare(self) -> None:
        """Retire a free spare worker when nobody waits, so that spares live only while needed."""
        with self._lock:
            extra = len(self._all) > self.workers and not self.scheduler.waiting()
        w = self.scheduler.take_idle() if extra else None
        if w is not None:
            with self._lock:
                self._all.discard(w)
            w.kill()

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
        self._add_spare()
        try:
            w = self.scheduler.acquire(client, self.timeout)
        except Busy as busy:
            return ("error", busy.status, str(busy))
        reply, keep = ("error", 500, "query failed"), False
        try:
            reply, keep = self._ask(w, job)
        finally:
            self.scheduler.release(client, w if keep else None)
            self._shed_spare()
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
