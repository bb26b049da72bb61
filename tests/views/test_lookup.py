"""find_node and the small graph readers, plus the modules' doctests."""
from __future__ import annotations

import doctest
import importlib

import pytest

from kg.views import find_node
from kg.views.lookup import names_of, paper_count, papers_of

MODULES = ["kg.views.style", "kg.views.lookup", "kg.views.details", "kg.views.layout",
           "kg.views.network", "kg.views.page", "kg.views.overview", "kg.views.focus",
           "kg.views.leaderboard", "kg.views.paper_page"]


@pytest.mark.parametrize("query, expected", [
    ("BERT", "model/bert"),
    ("bert", "model/bert"),
    ("  Bert-BASE ", "model/bert"),
    ("model/bert", "model/bert"),
    ("QA", "task/question-answering"),
    ("f1 score", "metric/f1"),
    ("https://github.com/pytorch/fairseq", "repository/github-com-pytorch-fairseq"),
    ("robustly optimized bert", "model/roberta"),
    ("bert: pre-training of deep bidirectional transformers", "paper/p2"),
    ("F1 88.9", "result/abc123"),
    ("longformer", "paper/p3"),            # unique prefix of a paper title
])
def test_find_node(graph, query, expected):
    assert find_node(graph, query) == expected


def test_find_node_prefers_entities_on_exact_ties(graph):
    graph.nodes["paper/p3"]["label"] = graph.nodes["paper/p3"]["title"] = "BERT"
    assert find_node(graph, "bert") == "model/bert"


def test_find_node_errors(graph):
    with pytest.raises(LookupError, match="no node named 'gpt-4'"):
        find_node(graph, "gpt-4")
    with pytest.raises(LookupError, match="empty"):
        find_node(graph, "  ")
    with pytest.raises(LookupError, match="ambiguous"):
        find_node(graph, "ro")             # RoBERTa, "RoBERTa: A Robustly ..." paper


def test_readers(graph):
    assert names_of(graph, "metric/f1") == ["F1", "F1 score", "metric/f1"]
    assert papers_of(graph, "model/bert") == {"paper/p1": ["uses"], "paper/p2": ["proposes"],
                                              "paper/p3": ["uses"]}
    assert paper_count(graph, "model/bert") == 3
    assert paper_count(graph, "result/abc123") == 1


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
