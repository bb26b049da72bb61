"""Word clusters learned from the 153k-abstract corpus: features that generalise past seen words.

A word's cluster stands in for the word itself, so that a head the annotated
papers never used ("forecasting", "inpainting") still looks like the heads
they did.  Built once, offline, from ``../shared/corpus/mlanthology.jsonl.gz``:

    python -m kg.extract.clustering [CORPUS] [--words 30000] [--clusters 256]

Each of the most frequent words gets a vector of positive pointwise mutual
information with its left and right neighbours (the 2,000 most frequent words),
reduced to 64 dimensions (truncated SVD) and grouped by k-means.  The word →
cluster map is written to ``data/model/clusters.json``, which
:mod:`kg.extract.classify` reads.  Needs numpy and scikit-learn (the ``train``
extra), not at run time.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter
from pathlib import Path

from .lexicon import DATA

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "mlanthology.jsonl.gz"
OUT = DATA / "model" / "clusters.json"
TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[^\sa-z0-9]")


def tokens(text: str) -> list[str]:
    """Lower-cased words (hyphenated ones kept whole) and punctuation.

    >>> tokens("Low-Rank Adaptation (LoRA), 2x.")
    ['low-rank', 'adaptation', '(', 'lora', ')', ',', '2x', '.']
    """
    return TOKEN.findall(text.lower())


def build(corpus: Path, n_words: int = 30000, n_context: int = 2000, n_clusters: int = 256,
          dims: int = 64, seed: int = 0) -> dict[str, int]:
    """The word → cluster map of the corpus (see the module's docstring)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD

    docs = []
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            docs.append(tokens(f"{rec.get('title', '')} . {rec.get('abstract', '')}"))
    freq = Counter(t for d in docs for t in d)
    vocab = [w for w, _ in freq.most_common(n_words)]
    index = {w: i for i, w in enumerate(vocab)}
    rows, cols = [], []
    for d in docs:
        ids = [index.get(t, -1) for t in d]
        for a, b in zip(ids, ids[1:]):
            if a >= 0 and b >= 0:
                if b < n_context:  # b to the right of a
                    rows.append(a)
                    cols.append(n_context + b)
                if a < n_context:  # a to the left of b
                    rows.append(b)
                    cols.append(a)
    counts = coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                        shape=(len(vocab), 2 * n_context)).tocsr()
    counts.sum_duplicates()
    total = counts.sum()
    row_sum = np.asarray(counts.sum(axis=1)).ravel() + 1e-9
    col_sum = np.asarray(counts.sum(axis=0)).ravel() + 1e-9
    coo = counts.tocoo()
    pmi = np.log(coo.data * total / (row_sum[coo.row] * col_sum[coo.col]))
    keep = pmi > 0
    ppmi = coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape).tocsr()
    vectors = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(ppmi)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    labels = MiniBatchKMeans(n_clusters=n_clusters, random_state=seed, n_init=3).fit_predict(vectors)
    return {w: int(c) for w, c in zip(vocab, labels)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="word clusters from the corpus")
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--words", type=int, default=30000)
    parser.add_argument("--clusters", type=int, default=256)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    clusters = build(args.corpus, args.words, n_clusters=args.clusters)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(clusters, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    print(f"{len(clusters)} words in {args.clusters} clusters in {time.perf_counter() - t0:.0f} s → {OUT}")


if __name__ == "__main__":
    main()
