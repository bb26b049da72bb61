"""Running extraction at scale: cache, process pool, Dask.

:func:`extract_all` is the stage's entry point for builds: it looks every
paper up in the extraction cache (keyed by content and extractor version),
extracts only the misses — in this process, in a pool of ``jobs`` worker
processes, or as Dask tasks — and returns one record per paper, in order.
Workers return plain records (never spaCy ``Doc``s), so shipping results
between processes is cheap and the result is identical whatever the engine.
"""
from .cache import ExtractionCache, content_key
from .memory import paused_gc
from .run import ENGINES, extract_all

__all__ = ["extract_all", "ExtractionCache", "content_key", "ENGINES", "paused_gc"]
