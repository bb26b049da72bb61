"""Pausing Python's cyclic garbage collector around bulk work.

A build holds millions of small, long-lived objects (mentions, graph
attributes, N-Triples lines) and makes almost no reference cycles.  Each
full collection walks every one of them, so with the collector on, reading
cached extractions takes several times as long.  Reference
counting still frees everything as usual; only cycles wait until the end.
Extraction itself (spaCy ``Doc``s) runs with the collector on, and worker
processes are never forked while it is paused.

>>> import gc
>>> with paused_gc():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""
from __future__ import annotations

import contextlib
import gc
import marshal
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nesting is fine)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def frozen_gc() -> Iterator[None]:
    """Move every object made so far out of the collector's reach while processes are forked.

    A child's collections then never touch (and copy, page by page) the
    memory it shares with its parent.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def quiet_child() -> None:
    """In a worker or forked child: leave Ctrl-C to the parent, which stops it, and die quietly then.

    SIGTERM is reset to its default: a parent's handler, inherited through fork, would raise in
    the child and print a traceback when the parent stops it.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _child(fn: Callable[..., object], args: tuple, conn) -> None:
    quiet_child()
    conn.send_bytes(marshal.dumps(fn(*args)))
    conn.close()


class Forked:
    """``fn(*args)`` run in a forked child process, for work that overlaps the parent's.

    The child shares the parent's memory copy-on-write (objects are frozen out
    of the collector first, so it copies few pages).  :meth:`wait` returns
    ``fn``'s result (which must be ``marshal``-able) once the child is done,
    and raises :class:`~kg.errors.KGError` if it failed.  Where ``fork`` is
    unavailable, ``fn`` runs at once, in this process.

    ``fn`` must not open an Oxigraph store: RocksDB's background threads do
    not survive ``fork``, and a child of a process that had opened one waits
    for them forever (seen in the test suite).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x")
    >>> job = Forked(os.mkdir, path)
    >>> job.wait(); os.path.isdir(path)
    True
    >>> Forked(sorted, {3, 1, 2}).wait()
    [1, 2, 3]
    """

    def __init__(self, fn: Callable[..., object], *args: object, what: str = "background work"):
        import multiprocessing as mp

        self.what = what
        self.process = None
        self.result = None
        if "fork" not in mp.get_all_start_methods():
            self.result = fn(*args)
            return
        context = mp.get_context("fork")
        self.conn, child_end = context.Pipe(duplex=False)
        with frozen_gc():
            self.process = context.Process(target=_child, args=(fn, args, child_end), daemon=True)
            self.process.start()
        child_end.close()

    def wait(self):
        if self.process is None:
            return self.result
        try:
            data = self.conn.recv_bytes()  # before joining: a big result fills the pipe first
        except EOFError:
            data = None
        finally:
            self.conn.close()
        self.process.join()
        code, self.process = self.process.exitcode, None
        if code != 0 or data is None:
            from ..errors import KGError

            raise KGError(f"{self.what} failed in its worker process (exit code {code}; see the message above)")
        return marshal.loads(data)

    def cancel(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join()
            self.process = None
            self.conn.close()
