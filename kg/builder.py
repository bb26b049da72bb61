"""``kg.build``: inputs in, a built graph directory out.

Stages: ingest → extract → resolve → RDF, JSON and HTML.  Every output is
written into a new generation folder inside the output directory, which
becomes current in one atomic step only when all of them exist
(:mod:`kg.generations`), so a crash at any moment leaves either the previous
build or the new one.  The folder is locked while a build runs.

Files written to the output directory:

- ``graph.nt`` (N-Triples, each subject's triples together) and ``graph.ttl``
  (Turtle): the RDF graph; ``store/``: an Oxigraph database of it;
- ``graph.json``: the networkx graph as node-link JSON (for export and views);
- ``graph.html``: the interactive overview (offline, self-contained);
- ``site/``: a browsable static site, one page per entity and per paper (``site=True``);
- ``.kg-cache.sqlite``, ``.kg-cache-blocks``, ``.kg-cache-tally`` and
  ``.kg-cache-inputs/``: what the next build reuses (extractions; the
  signature and place of every block of the files, see :mod:`kg.outputs`; the
  tally of all mentions, see :mod:`kg.tally`; each input file's parsed rows,
  see :mod:`kg.ingest.cache`).  The block index and tally live in the
  generation whose files they describe; the other two in the folder itself.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from . import curation as curated
from . import generations, tally
from .engine import ExtractionCache, content_key, extract_all, paused_gc
from .engine.memory import Forked
from .engine.run import start_workers
from .errors import InputWarning, OutputError
from .extract.lexicon import default_lexicon, extractor_version
from .fsutil import Syncing, sha256_file
from .graph import CorpusGraph
from .graph.build import Resolved, assemble, resolve_corpus
from .ingest import input_files, read_papers
from .outputs import FILES, write_outputs
from .store import update_store
from .rdf.triples import BuildInfo
from .records import ENTITY_TYPES
from .tally import Tally

DEFAULT_INPUTS = ("seeds",)


def default_inputs() -> list[str]:
    """``seeds/`` in the working folder when there is one, else the listings shipped with kg.

    So that ``pip install kg`` then ``kg build`` anywhere builds the seeds: the
    package maps the top-level ``seeds/`` folder as ``kg.seeds`` (``setup.cfg``),
    and a checkout's own ``seeds/`` serves an editable install.
    """
    if Path("seeds").exists():
        return list(DEFAULT_INPUTS)
    here = Path(__file__).resolve().parent
    for shipped in (here / "seeds", here.parent / "seeds"):  # installed as kg.seeds; a checkout
        if shipped.is_dir():
            return [str(shipped)]
    return list(DEFAULT_INPUTS)
DEFAULT_OUTPUT = "output"
CACHE_FILE = ".kg-cache.sqlite"
INPUT_CACHE = ".kg-cache-inputs"


@dataclass
class BuildSummary:
    """What a build produced; ``str()`` is the one-line summary the CLI prints."""

    output: Path
    papers: int
    entities: dict[str, int]
    triples: int
    seconds: float
    extracted: int = 0
    reused: int = 0  # output blocks copied from the previous build (see kg.outputs)
    files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    corpus: CorpusGraph | None = field(default=None, repr=False)

    def __str__(self) -> str:
        per_type = ", ".join(f"{n} {t}" for t, n in self.entities.items())
        cached = f", {self.papers - self.extracted} from cache" if self.extracted < self.papers else ""
        return (f"{self.papers} papers{cached}, {sum(self.entities.values())} entities ({per_type}), "
                f"{self.triples} triples in {self.seconds:.1f} s → {self.output}")


class _Stopwatch:
    """Seconds per stage (``lap`` ends one) and in all."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name], self.last = now - self.last, now

    def total(self) -> float:
        return time.perf_counter() - self.start


class _Progress:
    """A tqdm bar (papers/s, ETA) when enabled; nothing otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="paper", desc="extract", leave=False, smoothing=0.1)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def input_checksums(inputs: Iterable[str | os.PathLike]) -> tuple[tuple[str, str], ...]:
    """``(path, sha256)`` of every input file, one per distinct content, sorted."""
    shas: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # read_papers has reported the files it skipped
        files = sorted({str(p) for p in input_files(inputs) if p.is_file()})
    for f in files:
        try:
            shas.setdefault(sha256_file(f), f)
        except OSError:
            continue
    return tuple(sorted((path, sha) for sha, path in shas.items()))


def build(inputs: Iterable[str | os.PathLike] | None = None, output: str | os.PathLike = DEFAULT_OUTPUT,
          *, progress: bool = False, html: bool = True, site: bool = True, jobs: int = 1,
          engine: str = "local", scheduler: str | None = None, cache: bool = True,
          curation: str | os.PathLike | None = None) -> BuildSummary:
    """Build the graph of ``inputs`` (default: :func:`default_inputs`) into the directory ``output``.

    ``jobs`` worker processes (or Dask tasks with ``engine="dask"``, on the
    cluster at ``scheduler`` or a local one) run the extraction; with
    ``cache``, results are kept in ``output/.kg-cache.sqlite`` keyed by paper
    content and extractor version, so a rebuild extracts only new or changed
    papers.  Raises :class:`~kg.errors.NoPapersError` when the inputs hold no
    paper; skipped files and lines are reported as :class:`~kg.errors.InputWarning`.
    ``curation``: a curation file (default: ``curation.toml`` beside ``output``, if there is
    one), applied at resolution (:mod:`kg.curation`).
    """
    clock = _Stopwatch()
    inputs = list(inputs or ()) or default_inputs()
    out = Path(output)
    rules = curated.find(out, curation)  # a bad rule stops the build before any work
    with generations.locked(out):
        generations.adopt(out)  # a folder of an older kg, or one `kg site` rewrote
        generations.tidy(out)  # what killed builds left
        return _build(inputs, out, clock, rules, progress=progress, html=html, site=site, jobs=jobs,
                      engine=engine, scheduler=scheduler, cache=cache)


def _build(inputs: list, out: Path, clock: _Stopwatch, rules: curated.Curation, *, progress: bool,
           html: bool, site: bool, jobs: int, engine: str, scheduler: str | None, cache: bool) -> BuildSummary:
    """:func:`build` once the output folder is locked."""
    workers = None
    if engine == "local" and jobs > 1:  # they build their pipeline while the inputs are read
        # With a cache, most papers are likely in it: one worker, and the other cores for this
        # process (extract_all starts more if there is more to extract).
        workers = start_workers(1 if cache and (out / CACHE_FILE).is_file() else jobs)
    # This process makes millions of long-lived objects and (unless it extracts itself, making
    # spaCy Docs) no reference cycles: the collector stays off, as a full collection walks them all.
    in_process = engine == "local" and jobs <= 1
    with contextlib.nullcontext() if in_process else paused_gc():
        try:
            with paused_gc():
                papers = read_papers(inputs, cache=out / INPUT_CACHE if cache else None)
            clock.lap("ingest")
            store = ExtractionCache(out / CACHE_FILE) if cache else None
            version = extractor_version()
            keys = [content_key(p, version) for p in papers]  # extraction cache keys, also the tally's
            bar = _Progress(len(papers), progress)
            try:
                extractions, extracted = extract_all(papers, jobs=jobs, engine=engine, scheduler=scheduler,
                                                     cache=store, progress=bar, workers=workers, keys=keys)
            finally:
                bar.close()
                if store is not None:
                    store.close()
        finally:
            if workers is not None:
                workers.close()
        clock.lap("extract")
        with paused_gc():
            return _assemble(papers, extractions, extracted, inputs, out, clock, html=html, site=site,
                             previous=generations.current(out) if cache else None, cache=cache, jobs=jobs,
                             keys=keys, version=version, curation=rules)


FORK_OVERVIEW_AT = 50_000
"""Corpora with this many papers and entities get their overview drawn in a child process, alongside the files."""
OVERVIEW_TITLE = "kg: graph overview"


def _overview(corpus: CorpusGraph, path: Path, title: str = OVERVIEW_TITLE) -> None:
    from .views import render_overview

    if "graph" in corpus.__dict__:  # already built
        render_overview(corpus.graph, path, title=title)
        return
    graph = corpus.sketch()  # mention edges without offsets: the page completes the papers it draws

    def complete(nodes: list[str]) -> None:
        corpus.complete_mentions(graph, [n for n in nodes if n.startswith("paper/")])

    render_overview(graph, path, title=title, complete=complete)


def _assembled_overview(resolved: Resolved, version: str, path: Path) -> None:
    """The overview as a forked child draws it: from the resolution, assembling the corpus itself.

    The parent assembles the same corpus meanwhile, on one core (the other is idle then),
    so the child starts drawing about a second sooner than if it waited for the parent's.
    """
    _overview(assemble(resolved, version), path)


def _previous_tally(previous: Path | None, keys: list[str], extractions: list) -> Tally | None:
    """The previous build's mention tally plus this build's new papers, if it only added papers."""
    loaded = tally.load(previous / tally.TALLY_FILE, keys) if previous is not None else None
    if loaded is None:
        return None
    counted, missing = loaded
    counted.add(m for i in missing for m in extractions[i].mentions)
    return counted


def _resolve(papers, extractions, previous: Path | None, keys: list[str], jobs: int,
             curation: curated.Curation) -> Resolved:
    """Resolution of every mention (from the previous tally where it can), warning of unmatched rules."""
    resolved = resolve_corpus(papers, extractions, default_lexicon(), jobs=jobs,
                              tally=_previous_tally(previous, keys, extractions), curation=curation)
    if curation:
        for message in curated.unmatched(curation, resolved.tally.names()):
            warnings.warn(InputWarning(message), stacklevel=3)
    return resolved


def _assemble(papers, extractions, extracted, inputs, out: Path, clock: _Stopwatch, *,
              html: bool, site: bool, previous: Path | None, cache: bool, jobs: int, keys: list[str],
              version: str, curation: curated.Curation = curated.Curation()) -> BuildSummary:
    """Resolve, graph and write every output of a build (see :func:`build`).

    ``keys`` are the papers' extraction cache keys under extractor ``version``;
    ``previous`` is the generation folder whose files and caches the build may reuse;
    with ``cache``, the new generation keeps its tally for the next build.
    An ``OSError`` while writing (a full disk, …) is an :class:`~kg.errors.OutputError`
    naming the path; the previous build stays current.
    """
    resolved = _resolve(papers, extractions, previous, keys, jobs, curation)
    clock.lap("resolve")
    stage = generations.new_generation(out)  # everything is written here first
    overview = None
    try:
        if html and len(resolved.papers) + len(resolved.resolution.entities) >= FORK_OVERVIEW_AT:
            # drawn meanwhile in a child process (the rest is mostly I/O): this process never needs the
            # networkx graph
            overview = Forked(_assembled_overview, resolved, version, stage / "graph.html",
                              what="drawing graph.html")
        corpus = assemble(resolved, version)
        clock.lap("graph")
        info = _build_info(inputs, curation)
        if html and overview is None:
            _overview(corpus, stage / "graph.html")
            clock.lap("html")
        wrote = write_outputs(corpus, info, stage, previous)
        syncing = Syncing(stage / name for name in FILES)  # flushed to disk while the store is updated
        clock.lap("rdf+json")
        update_store(previous, stage / "store", stage / "graph.nt", wrote)
        syncing.wait()
        clock.lap("store")
        if cache:  # kept for the next build, while the overview is drawn
            tally.save(stage / tally.TALLY_FILE, resolved.tally, keys)
            clock.lap("tally")
        if overview is not None:
            overview.wait()
            clock.lap("html (rest)")
        if site:
            from .views import render_site

            render_site(corpus.graph, stage)
            clock.lap("site")
        written = generations.publish(stage, out)
        clock.lap("publish")
    except OSError as exc:
        raise OutputError(f"{exc.filename or stage}: {exc.strerror or exc}; the previous build is left as it was") \
            from exc
    finally:
        if overview is not None:
            overview.cancel()
        if generations.current(out) != stage.resolve():
            shutil.rmtree(stage, ignore_errors=True)
    counts = Counter(e.type for e in corpus.resolution.entities.values())
    return BuildSummary(output=out, papers=len(papers), entities={t: counts.get(t, 0) for t in ENTITY_TYPES},
                        triples=wrote.triples, seconds=clock.total(), extracted=extracted, reused=wrote.reused,
                        files=written, timings=clock.timings, corpus=corpus)


def _build_info(inputs, curation: curated.Curation) -> BuildInfo:
    """The build's description: kg's version, the time, each input file's checksum, the curation rules."""
    return BuildInfo(version=__version__,
                     created=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
                     inputs=input_checksums(inputs), rules=curation.rules)
