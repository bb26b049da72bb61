"""``kg.build``: inputs in, a built graph directory out.

Stages: ingest → extract → resolve → graph → RDF and HTML.  All the work is
done in memory first; the files are then written each atomically, so a
crash leaves the previous output intact.

Files written to the output directory:

- ``graph.nt`` (sorted N-Triples) and ``graph.ttl`` (Turtle): the RDF graph;
- ``graph.json``: the networkx graph as node-link JSON (for export and views);
- ``graph.html``: the interactive overview (offline, self-contained);
- ``site/``: a browsable static site, one page per entity and per paper (``site=True``).
"""
from __future__ import annotations

import datetime as _dt
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .extract.lexicon import default_lexicon
from .extract.pipeline import build_nlp, extract
from .formats.networkx_formats import write_json
from .fsutil import sha256_file
from .graph import CorpusGraph, build_graph
from .ingest import input_files, read_papers
from .rdf.serialize import write_ntriples, write_rdflib
from .rdf.triples import BuildInfo, build_triples
from .records import ENTITY_TYPES

DEFAULT_INPUTS = ("seeds",)
DEFAULT_OUTPUT = "output"


@dataclass
class BuildSummary:
    """What a build produced; ``str()`` is the one-line summary the CLI prints."""

    output: Path
    papers: int
    entities: dict[str, int]
    triples: int
    seconds: float
    files: list[Path] = field(default_factory=list)
    corpus: CorpusGraph | None = field(default=None, repr=False)

    def __str__(self) -> str:
        per_type = ", ".join(f"{n} {t}" for t, n in self.entities.items())
        return (f"{self.papers} papers, {sum(self.entities.values())} entities ({per_type}), "
                f"{self.triples} triples in {self.seconds:.1f} s → {self.output}")


def _progress(iterable, total: int, enabled: bool):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, unit="paper", desc="extract", leave=False)


def build(inputs: Iterable[str | os.PathLike] = DEFAULT_INPUTS, output: str | os.PathLike = DEFAULT_OUTPUT,
          *, progress: bool = False, html: bool = True, site: bool = True) -> BuildSummary:
    """Build the graph of ``inputs`` into the directory ``output``.

    Raises :class:`~kg.errors.NoPapersError` when the inputs hold no paper;
    skipped files and lines are reported as :class:`~kg.errors.InputWarning`.
    """
    t0 = time.perf_counter()
    inputs = list(inputs) or list(DEFAULT_INPUTS)
    out = Path(output)
    papers = read_papers(inputs)
    nlp = build_nlp()
    extractions = list(_progress(extract(nlp, papers), len(papers), progress))
    corpus = build_graph(papers, extractions, default_lexicon())
    files = sorted({str(p) for p in input_files(inputs) if p.is_file()})
    shas = {}
    for f in files:
        try:
            shas.setdefault(sha256_file(f), f)
        except OSError:
            continue
    info = BuildInfo(version=__version__,
                     created=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
                     inputs=tuple(sorted((path, sha) for sha, path in shas.items())))
    triples = build_triples(corpus, info)
    out.mkdir(parents=True, exist_ok=True)
    n = write_ntriples(triples, out / "graph.nt")
    write_rdflib(triples, out / "graph.ttl", "turtle")
    write_json(corpus.graph, out / "graph.json")
    written = [out / "graph.nt", out / "graph.ttl", out / "graph.json"]
    if html:
        from .views import render_overview

        written.append(render_overview(corpus.graph, out / "graph.html", title="kg: graph overview"))
    if site:
        from .views import render_site

        written.append(render_site(corpus.graph, out))
    counts = Counter(e.type for e in corpus.resolution.entities.values())
    return BuildSummary(output=out, papers=len(papers),
                        entities={t: counts.get(t, 0) for t in ENTITY_TYPES}, triples=n,
                        seconds=time.perf_counter() - t0, files=written, corpus=corpus)
