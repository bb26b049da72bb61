"""Extraction engines: one process, a local process pool, or Dask tasks."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ..errors import KGError
from ..records import Extraction, Paper

ENGINES = ("local", "dask")

_NLP = None  # one pipeline per worker process, built on first use


def _nlp():
    global _NLP
    if _NLP is None:
        from ..extract.pipeline import build_nlp

        _NLP = build_nlp()
    return _NLP


def extract_chunk(papers: list[Paper]) -> list[Extraction]:
    """Extract a batch of papers in this process (the unit of work of every engine)."""
    from ..extract.pipeline import extract

    return list(extract(_nlp(), papers, batch_size=min(256, max(1, len(papers)))))


def _chunks(papers: list[Paper], size: int) -> list[list[Paper]]:
    return [papers[i:i + size] for i in range(0, len(papers), size)]


def _local(chunks: list[list[Paper]], jobs: int) -> Iterator[list[Extraction]]:
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield extract_chunk(chunk)
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(processes=jobs) as pool:
        yield from pool.imap(extract_chunk, chunks)


def _dask(chunks: list[list[Paper]], jobs: int, scheduler: str | None) -> Iterator[list[Extraction]]:
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
    try:
        futures = client.map(extract_chunk, chunks, pure=False)
        for future in futures:  # in submission order, so the output order is stable
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def extract_all(papers: list[Paper], *, jobs: int = 1, engine: str = "local", scheduler: str | None = None,
                cache=None, chunk_size: int = 256,
                progress: Callable[[int], None] | None = None) -> tuple[list[Extraction], int]:
    """One extraction per paper (in order) and how many were extracted anew (not cached)."""
    from ..extract.pipeline import extractor_version
    from .cache import content_key

    if engine not in ENGINES:
        raise KGError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    version = extractor_version()
    keys = [content_key(p, version) for p in papers]
    cached = cache.get_many(keys) if cache is not None else {}
    todo = [p for p, k in zip(papers, keys) if k not in cached]
    if progress and cached:
        progress(len(papers) - len(todo))
    chunk_size = max(16, min(chunk_size, len(todo) // max(1, 4 * jobs) or 16))
    chunks = _chunks(todo, chunk_size)
    runs = _dask(chunks, jobs, scheduler) if engine == "dask" else _local(chunks, jobs)
    fresh: dict[str, Extraction] = {}
    done = iter(todo)
    for batch in runs:
        for ex in batch:
            paper = next(done)
            fresh[content_key(paper, version)] = ex
        if progress:
            progress(len(batch))
    if cache is not None and fresh:
        cache.put_many(fresh)
    everything = {**cached, **fresh}
    return [everything[k] for k in keys], len(todo)
