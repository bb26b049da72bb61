"""Curation rules: checked with file and line, applied at resolution, in the graph's provenance,
identical in cold and incremental builds, appended by ``kg curate``."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.cli import main
from kg.curation import parse
from kg.errors import CurationError, InputWarning

PAPERS = [
    ("FooNet for images", "We propose FooNet and evaluate it on ImageNet, outperforming ResNet-50."),
    ("BarNet at scale", "We train BarNet on ImageNet-1K and report top-1 accuracy against ViT."),
    ("Robust training", "We fine-tune BERT with dropout and report the variance over five seeds on GLUE."),
]
MORE = [("BazNet", "We propose BazNet, built on ResNet-50, and evaluate it on ImageNet-1K.")]
RULES = """\
[[merge]]
type = "Dataset"
names = ["ImageNet", "ImageNet-1K"]

[[rename]]
name = "BERT"
to = "BERT (Devlin et al.)"

[[retype]]
name = "dropout"
to = "Model"

[[reject]]
name = "GLUE"

[[reject]]
name = "Frobnicator-9000"
"""


def _write(path: Path, papers) -> Path:
    path.write_text("".join(json.dumps({"title": t, "abstract": a}) + "\n" for t, a in papers), encoding="utf-8")
    return path


def _build(inputs, out, curation=None, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        api.build(inputs, out, site=False, html=False, curation=curation, **kw)
    return [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


def _labels(out: Path) -> dict[str, str]:
    g = api.load_graph(out)
    return {d["label"]: d["kind"] for _, d in g.nodes(data=True) if d["kind"] not in ("Paper", "Result")}


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("curation")
    src = _write(folder / "papers.jsonl", PAPERS)
    (folder / "curation.toml").write_text(RULES, encoding="utf-8")
    plain = _build([src], folder / "sub" / "plain")  # no curation.toml beside sub/plain/
    warned = _build([src], folder / "out", curation=folder / "curation.toml")
    return folder, src, warned, plain


def test_without_rules_the_names_are_apart(curated):
    folder, *_ = curated
    labels = _labels(folder / "sub" / "plain")
    assert {"ImageNet", "BERT", "GLUE"} <= set(labels)


def test_rules_shape_the_entities(curated):
    folder, *_ = curated
    labels = _labels(folder / "out")
    datasets = [name for name, kind in labels.items() if kind == "Dataset" and name.startswith("ImageNet")]
    assert datasets == ["ImageNet"]
    assert labels.get("BERT (Devlin et al.)") == "Model" and "BERT" not in labels
    assert labels.get("dropout", labels.get("Dropout")) == "Model"
    assert "GLUE" not in labels
    g = api.load_graph(folder / "out")
    imagenet = next(n for n, d in g.nodes(data=True) if d["label"] == "ImageNet")
    assert "ImageNet-1K" in g.nodes[imagenet]["aliases"]
    assert len({p for p, _ in g.in_edges(imagenet)}) == 2  # both papers now evaluate on one node


def test_a_rule_that_matches_nothing_is_named(curated):
    folder, _, warned, _ = curated
    assert warned == [f"{folder / 'curation.toml'}:16: reject \"Frobnicator-9000\" matches no name in the "
                      "papers, rule had no effect"]


def test_curated_facts_carry_their_rule(curated):
    folder, *_ = curated
    rows = api.query("SELECT ?label ?rule ?src WHERE { ?e mlkg:curatedBy ?r ; rdfs:label ?label . "
                     "?r a mlkg:CurationRule ; rdfs:label ?rule ; mlkg:source ?src }", folder / "out").rows
    got = {(str(label), str(src).rsplit("/", 1)[-1]) for label, _rule, src in rows}
    assert ("ImageNet", "curation.toml:1") in got and ("BERT (Devlin et al.)", "curation.toml:5") in got
    api.validate(folder / "out")


def test_incremental_builds_apply_rules_like_cold_ones(curated, tmp_path):
    folder, src, *_ = curated
    rules = folder / "curation.toml"
    out = tmp_path / "sub" / "out"  # no curation.toml beside it
    _build([src], out)  # cached, without rules
    _build([src], out, curation=rules)  # the rules arrive
    extra = _write(tmp_path / "more.jsonl", MORE)
    _build([src, extra], out, curation=rules)  # papers added
    _build([src, extra], tmp_path / "sub" / "cold", curation=rules, cache=False)
    for name in ("graph.nt", "graph.json"):
        a = [line for line in (out / name).read_bytes().splitlines() if b"/created>" not in line]
        b = [line for line in (tmp_path / "sub" / "cold" / name).read_bytes().splitlines() if b"/created>" not in line]
        assert a == b, name
    _build([src, extra], out)  # the rules are dropped again: back to the plain graph
    assert "GLUE" in _labels(out)


def test_curation_toml_beside_the_output_is_picked_up(tmp_path):
    src = _write(tmp_path / "papers.jsonl", PAPERS)
    (tmp_path / "curation.toml").write_text('[[reject]]\nname = "GLUE"\n', encoding="utf-8")
    _build([src], tmp_path / "output")
    assert "GLUE" not in _labels(tmp_path / "output")


@pytest.mark.parametrize("text, message", [
    ('[[merge]]\ntype = "Dataset"\nnames = ["A"]\n', "x.toml:1: [[merge]] needs at least two names"),
    ('[[reject]]\nname = "a"\n\n[[retype]]\nname = "b"\nto = "Paper"\n',
     "x.toml:4: [[retype]] to 'Paper' is not an entity type"),
    ('[[rename]]\nname = "a"\n', "x.toml:1: [[rename]] needs to"),
    ('[[reject]]\nname = "a"\ncolour = 1\n', "x.toml:1: [[reject]] has unknown key colour"),
    ('[[merge]\n', "x.toml:1: not valid TOML"),
    ('[[unmerge]]\nname = "a"\n', "x.toml:1: unknown rule kind 'unmerge'"),
    ('reject = "a"\n', "x.toml:1: write rules as [[reject]] tables"),
])
def test_bad_rules_name_file_and_line(text, message):
    with pytest.raises(CurationError) as err:
        parse(text, "x.toml")
    assert str(err.value).startswith(message)


def test_a_bad_curation_file_is_an_error_before_any_work(tmp_path):
    src = _write(tmp_path / "papers.jsonl", PAPERS)
    (tmp_path / "bad.toml").write_text('[[split]]\nname = ""\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out"), "--curation",
                                       str(tmp_path / "bad.toml")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'bad.toml'}:1: [[split]] name must be a non-empty string"
    assert not (tmp_path / "out").exists()


def test_kg_curate_appends_rules_that_the_next_build_reads(tmp_path):
    runner = CliRunner()
    file = tmp_path / "curation.toml"
    for args in (["merge", "Dataset", "ImageNet", "ImageNet-1K"], ["rename", 'A "quoted"\\name', "B"],
                 ["retype", "dropout", "Model", "--from", "Technique"], ["reject", "GLUE", "--type", "Dataset"],
                 ["split", "MoEs"]):
        result = runner.invoke(main, ["curate", *args, "--file", str(file)])
        assert result.exit_code == 0, result.output
    rules = parse(file.read_text(encoding="utf-8")).rules
    assert [(r.kind, r.names, r.type, r.to) for r in rules] == [
        ("merge", ("ImageNet", "ImageNet-1K"), "Dataset", None), ("rename", ('A "quoted"\\name',), None, "B"),
        ("retype", ("dropout",), "Technique", "Model"), ("reject", ("GLUE",), "Dataset", None),
        ("split", ("MoEs",), None, None)]
    before = file.read_bytes()
    bad = runner.invoke(main, ["curate", "merge", "Dataset", "OnlyOne", "--file", str(file)])
    assert bad.exit_code == 1 and "needs at least two names" in bad.output
    assert file.read_bytes() == before  # a bad rule never lands in the file


def test_a_renamed_entity_keeps_its_lexicon_links_a_retyped_one_does_not():
    from kg.extract.lexicon import Lexicon
    from kg.records import Mention
    from kg.resolve import resolve

    lex = Lexicon.from_entries([{"type": "Technique", "name": "Dropout", "aliases": [],
                                 "same_as": ["https://linkedpaperswithcode.com/method/dropout"]}])
    ms = [Mention("p1", "abstract", 0, 7, "dropout", "Technique"), Mention("p2", "abstract", 0, 4, "LoRA", "Technique")]
    renamed = resolve(ms, lex, curation=parse('[[rename]]\nname = "dropout"\nto = "Dropout (Srivastava)"\n'))
    e = next(e for e in renamed.entities.values() if e.name == "Dropout (Srivastava)")
    assert e.same_as == ("https://linkedpaperswithcode.com/method/dropout",) and e.curated_by[0].kind == "rename"
    retyped = resolve(ms, lex, curation=parse('[[retype]]\nname = "dropout"\nto = "Model"\n'))
    e = next(e for e in retyped.entities.values() if e.type == "Model")
    assert e.same_as == () and e.curated_by[0].kind == "retype"
