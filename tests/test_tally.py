"""The mention tally: additive, saved beside the output, reused only when a build adds papers."""
from __future__ import annotations

import pytest

from kg import api, tally
from kg.records import Mention
from kg.resolve import resolve
from kg.tally import Tally

MENTIONS = [Mention("p1", "title", 0, 4, "BERT", "Model"),
            Mention("p1", "abstract", 0, 9, "BERT-base", "Model", name="BERT"),
            Mention("p2", "abstract", 3, 21, "Vision Transformer", "Model", aliases=("ViT",)),
            Mention("p2", "abstract", 30, 38, "ImageNet", "Dataset"),
            Mention("p3", "title", 0, 3, "ViT", "Model"),
            Mention("p3", "title", 9, 17, "ImageNet", "Dataset")]


def test_a_tally_adds_up():
    grown = Tally.of(MENTIONS[:3])
    grown.add(MENTIONS[3:])
    assert grown == Tally.of(MENTIONS)
    assert grown.counts[("Dataset", "ImageNet")] == 2
    assert grown.forms[("Model", "Vision Transformer")] == {"Vision Transformer", "ViT"}
    assert resolve((), tally=grown).entities == resolve(MENTIONS).entities


def test_save_and_load(tmp_path):
    path = tmp_path / tally.TALLY_FILE
    tally.save(path, Tally.of(MENTIONS[:4]), ["k1", "k2"])
    loaded, missing = tally.load(path, ["k0", "k2", "k1", "k3"])
    assert loaded == Tally.of(MENTIONS[:4])
    assert missing == [0, 3]  # the papers it has not counted


@pytest.mark.parametrize("keys", [["k1"], ["k1", "k3"], []], ids=["dropped", "changed", "empty"])
def test_a_tally_of_papers_the_build_lacks_is_not_used(tmp_path, keys):
    path = tmp_path / tally.TALLY_FILE
    tally.save(path, Tally.of(MENTIONS), ["k1", "k2"])
    assert tally.load(path, keys) is None


def test_a_corrupt_missing_or_foreign_tally_is_not_used(tmp_path, monkeypatch):
    path = tmp_path / tally.TALLY_FILE
    assert tally.load(path, ["k1"]) is None
    path.write_bytes(b"not marshal")
    assert tally.load(path, ["k1"]) is None
    tally.save(path, Tally.of(MENTIONS), ["k1"])
    monkeypatch.setattr(tally, "_format", lambda: "other code")
    assert tally.load(path, ["k1"]) is None


def test_builds_reuse_the_tally_only_when_papers_are_added(two_listings, tmp_path, monkeypatch):
    """Adding a paper starts from the saved tally; dropping one counts again; both equal a cold build."""
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"title": "FooNet", "abstract": "We propose FooNet, built on ResNet-50, '
                     'evaluated on ImageNet."}\n', encoding="utf-8")
    out = tmp_path / "out"
    api.build([two_listings], out, html=False, site=False)
    assert (out / ".kg-current" / tally.TALLY_FILE).is_file()  # in the generation it counts
    loads = []
    real = tally.load
    monkeypatch.setattr(tally, "load", lambda *a: loads.append(real(*a)) or loads[-1])

    grown = api.build([two_listings, extra], out, html=False, site=False)
    cold = api.build([two_listings, extra], tmp_path / "cold", html=False, site=False, cache=False)
    assert loads[-1] is not None and loads[-1][1] != []  # reused, with the new paper added to it
    assert grown.corpus.resolution.entities == cold.corpus.resolution.entities
    assert grown.corpus.resolution.index == cold.corpus.resolution.index

    shrunk = api.build([two_listings], out, html=False, site=False)
    cold = api.build([two_listings], tmp_path / "cold2", html=False, site=False, cache=False)
    assert loads[-1] is None  # a paper was dropped: counted again
    assert shrunk.corpus.resolution.entities == cold.corpus.resolution.entities
    assert not (tmp_path / "cold" / ".kg-current" / tally.TALLY_FILE).exists()  # no cache, nothing kept
