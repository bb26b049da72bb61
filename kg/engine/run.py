"""Extraction engines: one process, a local process pool, or Dask tasks."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from ..errors import KGError
from ..records import Extraction, Paper
from .memory import frozen_gc, paused_gc, quiet_child

ENGINES = ("local", "dask")

_NLP = None  # one pipeline per worker process, built on first use


def _nlp():
    global _NLP
    if _NLP is None:
        from ..extract.pipeline import build_nlp

        _NLP = build_nlp()
    return _NLP


Chunk = tuple[list[Extraction], list[str], list[int]]
"""What a worker returns for a batch: its extractions, the warnings they raised, the failed ones' indices."""


def extract_chunk(papers: list[Paper]) -> Chunk:
    """Extract a batch of papers in this process (the unit of work of every engine).

    The :class:`~kg.errors.InputWarning` messages are returned, not shown: a
    worker's warnings would never reach the build's report (the caller raises
    them again, :func:`_reported`).  Failed papers are not cached, so the next
    build tries (and reports) them again.
    """
    import warnings

    from ..errors import InputWarning
    from ..extract.pipeline import extract

    failed: list[int] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        out = list(extract(_nlp(), papers, batch_size=min(256, max(1, len(papers))), failures=failed))
    return out, [str(w.message) for w in caught if issubclass(w.category, InputWarning)], failed


def _reported(chunk: Chunk) -> tuple[list[Extraction], set[int]]:
    """A worker's extractions and failed indices, its warnings raised here."""
    import warnings

    from ..errors import InputWarning

    extractions, messages, failed = chunk
    for message in messages:
        warnings.warn(InputWarning(message), stacklevel=3)
    return extractions, set(failed)


def _chunks(papers: list[Paper], size: int) -> list[list[Paper]]:
    return [papers[i:i + size] for i in range(0, len(papers), size)]


MIN_PER_WORKER = 1_000
"""Papers worth a worker process of their own: each imports spaCy and builds its pipeline first."""


def _context():
    import multiprocessing as mp

    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


class Workers:
    """Worker processes started ahead of need, building their pipeline meanwhile."""

    def __init__(self, size: int):
        self.size = size
        with frozen_gc():
            self.pool = _context().Pool(processes=size, initializer=_warm)

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


def start_workers(jobs: int) -> Workers:
    """``jobs`` worker processes that build their pipeline at once.

    Started before the inputs are read, the workers' pipeline building
    (with the spaCy import) overlaps reading them; pass them to :func:`extract_all`
    and ``close()`` them afterwards.  :func:`extract_all` uses them only if
    there are enough for its papers (see :data:`MIN_PER_WORKER`).
    """
    return Workers(jobs)


def _warm() -> None:
    """Build this worker's pipeline now; a failure is left for the first task to raise (an
    initializer that raises makes the pool restart the worker for ever)."""
    quiet_child()
    try:
        _nlp()
    except Exception:  # noqa: BLE001 - reported by extract_chunk
        pass


def _wanted(jobs: int, papers: int) -> int:
    return min(jobs, max(1, papers // MIN_PER_WORKER))


def _local(chunks: list[list[Paper]], jobs: int, pool=None) -> Iterator[Chunk]:
    """Results per chunk, in order; with ``jobs`` > 1 the pool starts (and works) at once.

    A few papers get fewer workers than ``jobs``, but still a process of
    their own, so that this process reads the cache meanwhile.  A given
    ``pool`` is used as it is, and left to its owner.
    """
    if pool is None and (jobs <= 1 or not chunks):
        return (extract_chunk(chunk) for chunk in chunks)
    own = pool is None
    if own:
        pool = _context().Pool(processes=_wanted(jobs, sum(map(len, chunks))), initializer=quiet_child)
    results = pool.imap(extract_chunk, chunks)

    def drain() -> Iterator[Chunk]:
        try:
            yield from results
        finally:
            if own:
                pool.terminate()
                pool.join()

    return drain()


def _dask(chunks: list[list[Paper]], jobs: int, scheduler: str | None) -> Iterator[Chunk]:
    """Results per chunk, in order, from Dask tasks submitted at once."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise KGError("the dask engine needs dask.distributed: pip install 'kg[dask]'") from exc
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise KGError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    futures = client.map(extract_chunk, chunks, pure=False)

    def drain() -> Iterator[Chunk]:
        try:
            for future in futures:  # in submission order, so the output order is stable
                yield future.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return drain()


SAVE_EVERY = 2_000
"""Extractions written to the cache at a time while a build runs: a build killed outright (``kill -9``,
a power cut) loses at most these; an interrupted one (Ctrl-C, SIGTERM, an error) loses none."""


class _Saver:
    """New extractions on their way into the cache, written every :data:`SAVE_EVERY` and at the end.

    A failed extraction is never cached, so the next build tries (and reports) it again.
    """

    def __init__(self, cache):
        self.cache = cache
        self.pending: dict[str, Extraction] = {}

    def add(self, key: str, extraction: Extraction, failed: bool = False) -> None:
        if self.cache is not None and not failed:
            self.pending[key] = extraction
            if len(self.pending) >= SAVE_EVERY:
                self.flush()

    def flush(self) -> None:
        if self.cache is not None and self.pending:
            self.cache.put_many(self.pending)
            self.pending = {}


def extract_all(papers: list[Paper], *, jobs: int = 1, engine: str = "local", scheduler: str | None = None,
                cache=None, chunk_size: int = 256, progress: Callable[[int], None] | None = None,
                workers: Workers | None = None, keys: list[str] | None = None) -> tuple[list[Extraction], int]:
    """One extraction per paper (in order) and how many were extracted anew (not cached).

    ``workers``: from :func:`start_workers` (local engine only); too few for the
    papers to extract, they are left idle and a bigger pool is started.
    ``keys``: the papers' :func:`~kg.engine.cache.content_key` if the caller has them.
    """
    from ..extract.lexicon import extractor_version
    from .cache import content_key

    if engine not in ENGINES:
        raise KGError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if keys is None:
        version = extractor_version()
        keys = [content_key(p, version) for p in papers]
    # Extract the misses first, while this process is small: forked workers then share
    # little memory with it, and a collection in a worker copies few pages.
    present = cache.present(keys) if cache is not None else set()
    missing = [(p, k) for p, k in zip(papers, keys) if k not in present]
    todo = [p for p, _ in missing]
    if progress and present:
        progress(len(papers) - len(todo))
    chunk_size = max(16, min(chunk_size, len(todo) // max(1, 4 * jobs) or 16))
    chunks = _chunks(todo, chunk_size)
    pool = workers.pool if workers is not None and workers.size >= _wanted(jobs, len(todo)) else None
    with frozen_gc():
        runs = _dask(chunks, jobs, scheduler) if engine == "dask" else _local(chunks, jobs, pool)
    # Decoding the cache makes about a million objects; were the collector on, its full
    # collection would run while the workers' last results wait.
    in_process = engine == "local" and pool is None and jobs <= 1 and bool(chunks)  # spaCy Docs: keep it on
    fresh: dict[str, Extraction] = {}
    saver = _Saver(cache)
    try:
        with contextlib.nullcontext() if in_process else paused_gc():
            cached = cache.get_many(present) if present else {}  # while the workers extract
            done = (k for _, k in missing)  # the keys of the papers the workers return, in order
            for chunk in runs:
                batch, bad = _reported(chunk)
                for i, ex in enumerate(batch):
                    key = next(done)
                    fresh[key] = ex
                    saver.add(key, ex, failed=i in bad)
                if progress:
                    progress(len(batch))
    except BaseException:  # Ctrl-C, SIGTERM, a failure: what was extracted is kept for the next build
        saver.flush()
        raise
    finally:
        runs.close()  # stops the workers if anything failed
    saver.flush()
    everything = {**cached, **fresh}
    unreadable = [(p, k) for p, k in zip(papers, keys) if k not in everything]  # e.g. from another Python
    if unreadable:
        batch, bad = _reported(extract_chunk([p for p, _ in unreadable]))
        again = dict(zip((k for _, k in unreadable), batch))
        cache.put_many({k: v for i, (k, v) in enumerate(again.items()) if i not in bad})
        everything.update(again)
    return [everything[k] for k in keys], len(todo) + len(unreadable)
