"""A multinomial logistic model over string features, scored with numpy.

The learned classifier's two models (:mod:`kg.extract.classify`) are of this
kind: fitted by scikit-learn at training time (:mod:`kg.extract.training`),
stored as plain JSON weights, and scored here without scikit-learn.
"""
from __future__ import annotations

from itertools import repeat

import numpy as np


class LinearModel:
    """A multinomial logistic model over string features, stored as JSON.

    Scored with numpy: each known feature is a row of one weight matrix, and a
    batch of feature lists is summed with one ``reduceat``.

    >>> m = LinearModel(["a", "b"], {"x": [0.0, 2.0]}, [0.5, 0.0])
    >>> m.predict(["x", "unknown"])
    'b'
    >>> [round(p, 3) for p in m.probabilities(["unknown"])]
    [0.622, 0.378]
    """

    def __init__(self, labels: list[str], weights: dict[str, list[float]], bias: list[float]):
        self.labels, self.weights, self.bias = list(labels), weights, list(bias)
        self.index = {f: i + 1 for i, f in enumerate(weights)}  # row 0: the bias; the last row: zeros
        rows = [bias] + list(weights.values()) + [[0.0] * len(labels)]
        self.matrix = np.array(rows, dtype=np.float64).reshape(-1, len(labels))
        self.unknown = len(rows) - 1

    def batch_probabilities(self, batch: list[list[str]]) -> np.ndarray:
        """One row of label probabilities per feature list; an unknown feature adds the zero row."""
        if not batch:
            return np.zeros((0, len(self.labels)))
        get, unknown = self.index.get, repeat(self.unknown)
        rows, starts = [], []
        for features in batch:
            starts.append(len(rows))
            rows.append(0)  # the bias
            rows += map(get, features, unknown)
        scores = np.add.reduceat(self.matrix[rows], starts, axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def probabilities(self, features: list[str]) -> list[float]:
        return self.batch_probabilities([features])[0].tolist()

    def predict(self, features: list[str]) -> str:
        p = self.probabilities(features)
        return self.labels[p.index(max(p))]

    def to_dict(self) -> dict:
        return {"labels": self.labels, "bias": self.bias, "weights": self.weights}

    @classmethod
    def from_dict(cls, d: dict) -> LinearModel:
        return cls(d["labels"], d["weights"], d["bias"])
