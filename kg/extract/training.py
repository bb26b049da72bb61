"""Train the ``kg_classify`` models on the annotated corpus; the one retrain command.

    pip install -e ".[train]"          # scikit-learn, for fitting only
    python -m kg.extract.training      # writes kg/extract/data/model/classifier.json, prints dev scores

The rule components run over each annotated paper of ``data/annotations/train.jsonl``;
each candidate span is labelled with the type of the gold entity whose name or
alias it matches (by :func:`~kg.extract.names.match_key`, the matching of
``kg evaluate``), else ``None``; each matched entity with its gold role.  Two
multinomial logistic models are fitted (scikit-learn) and saved as plain
weights, so using them needs neither scikit-learn nor numpy.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from ..records import Paper
from .classify import MODEL_FILE, TYPES, LinearModel, doc_role_features, doc_span_features, entity_key
from .names import match_key, singular_key

ANNOTATIONS = Path(__file__).resolve().parents[2] / "data" / "annotations"
CONFIG = {"threshold": 0.5, "C_type": 2.0, "C_role": 2.0, "max_iter": 3000, "min_weight": 1e-3,
          "train": ["train.jsonl"], "dev": "dev.jsonl",
          "drop_sources": ["PHRASE", "DATANAME"]}  # did not pay on the dev split nor in 5-fold CV (README)


def read_annotated(path: str | Path) -> list[dict]:
    """The annotated records of a JSONL file (with title and abstract)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def paper_of(rec: dict) -> Paper:
    return Paper(id=rec["id"], title=rec["title"], abstract=rec["abstract"])


def gold_index(rec: dict) -> dict[str, tuple[str, str]]:
    """Every name key of the record's entities → (type, role); the first entity wins.

    >>> gold_index({"entities": [{"type": "Model", "name": "ViT", "aliases": ["Vision Transformers"],
    ...                           "role": "uses"}]})["visiontransformer"]
    ('Model', 'uses')
    """
    out: dict[str, tuple[str, str]] = {}
    for e in rec["entities"]:
        for form in (e["name"], *e.get("aliases", [])):
            for key in (match_key(form), singular_key(form)):
                if key:
                    out.setdefault(key, (e["type"], e.get("role", "uses")))
    return out


def gold_of(index: dict[str, tuple[str, str]], span) -> tuple[str, str] | None:
    for key in (entity_key(span), match_key(span.text), singular_key(span.text)):
        if key in index:
            return index[key]
    return None


def learn_heads(records: list[dict], min_count: int = 2, min_ratio: float = 0.1) -> frozenset[str]:
    """Lower-case words that end gold Technique, Task or Metric mentions often enough.

    A word is a head when it ends at least ``min_count`` such mentions and at
    least ``min_ratio`` of its occurrences in the training texts.
    """
    import re

    ends, seen = Counter(), Counter()
    for rec in records:
        for e in rec["entities"]:
            if e["type"] in ("Technique", "Task", "Metric"):
                for m in e.get("mentions", []):
                    words = re.findall(r"\w+", m["text"])
                    if words and words[-1].islower():  # names in capitals are the rules' and suggesters' work
                        ends[words[-1]] += 1
        seen.update(re.findall(r"\w+", (rec["title"] + " " + rec["abstract"]).lower()))
    return frozenset(w for w, n in ends.items() if n >= min_count and n >= min_ratio * seen[w]
                     and w not in STOP_WORDS)


def examples(nlp, records: list[dict], heads: frozenset[str] = frozenset(), drop: frozenset[str] = frozenset()):
    """(type examples, role examples): lists of (features, label)."""
    from spacy.tokens import Span

    from .pipeline import paper_text

    type_ex, role_ex = [], []
    docs = nlp.pipe((paper_text(paper_of(r)) for r in records), batch_size=64)
    for rec, doc in zip(records, docs):
        index = gold_index(rec)
        kept, gold_role = [], {}
        for s, feats in doc_span_features(doc, heads, frozenset(STOP_WORDS), drop):
            gold = gold_of(index, s)
            type_ex.append((feats, gold[0] if gold and gold[0] in TYPES else "None"))
            if gold and gold[0] in TYPES:
                t = Span(doc, s.start, s.end, label=gold[0], kb_id=s.kb_id_, span_id=s.id_)
                t._.kg_role = s.role
                kept.append(t)
                gold_role.setdefault((gold[0], entity_key(t)), gold[1])  # an entity's first mention decides
        for group, feats in doc_role_features(doc, kept).items():
            role = gold_role.get(group, "uses")
            role_ex.append((feats, role if role in ("proposes", "evaluates_on") else "uses"))
    return type_ex, role_ex


def fit(rows: list[tuple[list[str], str]], c: float, max_iter: int, min_weight: float) -> LinearModel:
    """A multinomial logistic regression over binary features (scikit-learn), as plain weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([{f: 1 for f in feats} for feats, _ in rows])
    y = [label for _, label in rows]
    clf = LogisticRegression(C=c, max_iter=max_iter)
    clf.fit(x, y)
    labels = [str(lab) for lab in clf.classes_]
    coef = clf.coef_
    if len(labels) == 2:  # sklearn keeps one row for two classes: scores (-w, +w)
        coef = [[-w for w in coef[0]], list(coef[0])]
        bias = [-float(clf.intercept_[0]), float(clf.intercept_[0])]
    else:
        bias = [float(b) for b in clf.intercept_]
    weights = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        col = [float(row[j]) for row in coef]
        if max(abs(w) for w in col) >= min_weight:
            weights[str(name)] = [round(w, 4) for w in col]
    return LinearModel(labels, weights, [round(b, 4) for b in bias])


def score_split(records: list[dict], nlp) -> dict:
    """``kg evaluate``'s figures for the records, extracted with ``nlp`` (one graph of them)."""
    from ..graph import build_graph
    from ..scoring import evaluate_graph
    from .pipeline import extract

    papers = [paper_of(r) for r in records]
    extractions = list(extract(nlp, papers))
    return evaluate_graph(records, build_graph(papers, extractions).graph)


def train(config: dict = CONFIG, out: Path = MODEL_FILE, cached: tuple | None = None) -> dict:
    """Fit both models on the train files, save them, and report dev figures and speed."""
    from .pipeline import build_nlp

    records = [r for name in config["train"] for r in read_annotated(ANNOTATIONS / name)]
    drop = frozenset(config.get("drop_sources", ()))
    rules = build_nlp(classify=False, drop_sources=tuple(drop))
    t0 = time.perf_counter()
    heads = learn_heads(records)
    type_ex, role_ex = examples(rules, records, heads, drop)
    type_model = fit(type_ex, config["C_type"], config["max_iter"], config["min_weight"])
    role_model = fit(role_ex, config["C_role"], config["max_iter"], config["min_weight"])
    fitted = time.perf_counter() - t0
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": config, "trained_on": len(records),
               "type_examples": dict(Counter(lab for _, lab in type_ex)),
               "role_examples": dict(Counter(lab for _, lab in role_ex)),
               "heads": sorted(heads), "type": type_model.to_dict(), "role": role_model.to_dict()}
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)
    return {"papers": len(records), "heads": len(heads), "type_examples": len(type_ex), "role_examples": len(role_ex),
            "fit_seconds": round(fitted, 1), "size_kb": out.stat().st_size // 1024}


RULE_SOURCES = ("NAME", "WEAK", "TITLED", "PHRASE", "DATANAME", "abbreviation", "title")
FAMILIES = {
    "name shapes (NAME, WEAK, TITLED)": ("NAME", "WEAK", "TITLED", "raw_NAME", "raw_WEAK", "raw_TITLED"),
    "technique and task phrases (PHRASE)": ("PHRASE",),
    "\"X dataset\" names (DATANAME)": ("DATANAME",),
    "abbreviations": ("abbreviation",),
    "title names": ("title",),
    "suggested: phrases after a proposing verb": ("cue",),
    "suggested: phrases ending in a learned head": ("phrase",),
    "suggested: hyphenated and capitalised names": ("name",),
}


def ablation(split: str = "lockbox", config: dict = CONFIG) -> list[tuple[str, object]]:
    """``kg evaluate``'s figures on a split for each configuration of the extractor.

    Lexicon only, the rules as they were, the rules with the model, and the
    model retrained without each candidate family in turn (or, for a family the
    default leaves out, with it put back).
    """
    import tempfile

    from .pipeline import build_nlp

    records = read_annotated(ANNOTATIONS / f"{split}.jsonl")
    out = [(label, score_split(records, nlp)) for label, nlp in (
        ("lexicon only", build_nlp(classify=False, drop_sources=RULE_SOURCES)),
        ("+ rules (no model)", build_nlp(classify=False)))]
    default = set(config.get("drop_sources", ()))
    variants = [("+ model (the default)", default)]
    for name, family in FAMILIES.items():
        if default & set(family):  # left out by default: what putting it back would give
            variants.append((f"+ model, with {name} put back", default - set(family)))
        else:
            variants.append((f"+ model, without {name}", default | set(family)))
    with tempfile.TemporaryDirectory() as tmp:
        for label, drop in variants:
            path = Path(tmp) / "model.json"
            train({**config, "drop_sources": sorted(drop)}, path)
            out.append((label, score_split(records, build_nlp(model=str(path)))))
    return out


def cross_validate(folds: int = 5, config: dict = CONFIG) -> tuple[object, object]:
    """(rules alone, rules + model) figures pooled over ``folds`` folds of train + dev.

    Paper ``i`` of train + dev is in fold ``i % folds``; each fold is scored with
    a model trained on the others.  The lockbox is never used.
    """
    import tempfile

    from ..scoring import Evaluation, Score
    from .pipeline import build_nlp

    records = [r for name in (*config["train"], config["dev"]) for r in read_annotated(ANNOTATIONS / name)]
    pooled = {"rules": Evaluation(), "model": Evaluation()}
    rules = build_nlp(classify=False)
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            held = [r for i, r in enumerate(records) if i % folds == k]
            path = Path(tmp) / f"fold{k}.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for i, r in enumerate(records) if i % folds != k),
                            encoding="utf-8")
            model = Path(tmp) / "model.json"
            train({**config, "train": [str(path)]}, model)
            for name, nlp in (("rules", rules), ("model", build_nlp(model=str(model)))):
                ev = score_split(held, nlp)
                for row, sc in ev.scores.items():
                    pooled[name].scores.setdefault(row, Score()).add(sc.tp, sc.pred, sc.gold)
                pooled[name].papers += ev.papers
    return pooled["rules"], pooled["model"]


ROWS = ("micro", "Model", "Dataset", "Technique", "Task", "Metric", "role:proposes", "based_on", "results")


def markdown(rows: list[tuple[str, object]]) -> str:
    """The ablation as a Markdown table of F1 figures."""
    lines = ["| configuration | " + " | ".join(ROWS) + " |", "|---" * (len(ROWS) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(f"{ev.f1(r):.3f}" for r in ROWS) + " |" for label, ev in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--no-score", action="store_true", help="skip the dev scores")
    parser.add_argument("--ablation", metavar="SPLIT", help="print the ablation table on SPLIT (dev or lockbox)")
    parser.add_argument("--cv", type=int, metavar="K", help="print K-fold cross-validation over train + dev")
    args = parser.parse_args(argv)
    if args.ablation:
        print(markdown(ablation(args.ablation)))
        return
    if args.cv:
        rules, model = cross_validate(args.cv)
        print(markdown([(f"rules alone, {args.cv}-fold", rules), (f"rules + model, {args.cv}-fold", model)]))
        return
    print(json.dumps(train(CONFIG, args.out)))
    if args.no_score:
        return
    from .pipeline import build_nlp

    dev = read_annotated(ANNOTATIONS / CONFIG["dev"])
    for label, nlp in (("rules", build_nlp(classify=False)), ("rules+model", build_nlp(model=str(args.out)))):
        t0 = time.perf_counter()
        ev = score_split(dev, nlp)
        seconds = time.perf_counter() - t0
        print(f"== dev split, {label}: {len(dev)} papers in {seconds:.1f} s ({len(dev) / seconds:.0f} papers/s, "
              "extraction and graph, one process)")
        print(ev.table())


if __name__ == "__main__":
    main()
