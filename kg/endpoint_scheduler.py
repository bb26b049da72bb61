"""Who gets a free query worker of ``kg serve`` (:mod:`kg.endpoint_pool`), fairly between clients.

Fair scheduling (:class:`Scheduler`): who gets a free worker
    A request waits for a worker up to the time limit, in one bounded queue (``queue``, default 128
    requests; full: 503 with ``Retry-After``).  Clients are told apart by their address.  Three rules
    keep a few slow clients from taking every worker from the rest (the third is the pool's):

    1. *The last free worker is kept for a client with nothing running.*  A client whose query is
       running may start another only while at least two workers are free.  With the default two
       workers, a client runs one query at a time (its second waits for its first) and the other
       worker stays free for everyone else; with ``n`` workers, one client holds at most ``n - 1``.
       So however slow one client's queries are, other clients' queries get a worker at once.
    2. *Fewest running first.*  A free worker goes to the waiting request whose client has the
       fewest queries running, first come first served among equals, so a client that sends
       many requests at once does not push the others back.  One client may hold at most half
       the queue (more: 429 with ``Retry-After``), so it cannot fill it for the rest.
    3. *Spare workers while every worker is busy.*  A request that finds no free worker starts
       one more (up to ``spare`` beyond ``workers``, as many as ``workers`` by default), which
       loads the graph and serves whoever waits; a spare is retired as soon as it is free and
       nobody waits.  So two slow clients on the default two workers still leave workers for the
       rest, at the cost of one more copy of the graph in memory per spare.

    What this cannot do: as many slow clients as there are workers and spares (four, by default)
    still hold every worker until their time limit.  Behind a proxy every request has the
    proxy's address, and the rules then see one client.

>>> s = Scheduler(queue=4)
>>> for w in ("w1", "w2"):
...     s.put(w)
>>> s.acquire("slow", timeout=1)        # the slow client's first query runs
'w2'
>>> s.acquire("slow", timeout=0.01)     # its second waits for its first: w1 is the last free one
Traceback (most recent call last):
...
kg.endpoint_scheduler.Busy: all query workers are busy; try again (waited 0.01 s)
>>> s.acquire("other", timeout=1)       # another client gets it at once
'w1'
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

DEFAULT_QUEUE = 128


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

    def idle(self) -> int:
        """Free workers."""
        with self._cond:
            return len(self._idle)

    def take_idle(self):
        """Remove and return a free worker (to retire a spare one), or None."""
        with self._cond:
            return self._idle.pop() if self._idle else None

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
