"""``based_on`` pairs and reported ``results`` from one paper's mentions.

Pure functions over the paper's words and its typed mentions (token ranges
with their sentence), so they can be tested without spaCy.

>>> words = "FooNet , built on BERT , achieves 58.0 % PQ on COCO .".split()
>>> ms = [Span(0, 1, "Model", "FooNet", 0), Span(4, 5, "Model", "BERT", 0),
...       Span(9, 10, "Metric", "PQ", 0), Span(11, 12, "Dataset", "COCO", 0)]
>>> based_on(words, ms, proposed=["FooNet"])
[('FooNet', 'BERT')]
>>> [(r.model, r.metric, r.value, r.dataset) for r in results(words, ms, proposed=["FooNet"])]
[('FooNet', 'PQ', 58.0, 'COCO')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .names import match_key


@dataclass(frozen=True)
class Span:
    """A typed mention as token range ``[start, end)`` in sentence ``sent``."""

    start: int
    end: int
    type: str
    name: str
    sent: int


@dataclass(frozen=True)
class FoundResult:
    model: str
    metric: str
    value: float
    dataset: str | None
    start: int
    end: int


_BASE_CUES = re.compile(
    r"^(built|builds|build|based|extends|extend|extending|extended|adapt|adapts|adapted|adapting|"
    r"initiali[sz]ed|initiali[sz]e|fine-tune|fine-tunes|fine-tuned|finetune|finetuned|variant|"
    r"version|derived|upon|modif(y|ies|ied)|improves|enhances|augment(s|ed)?|top|starting|"
    r"distilled|distills|continues|continued)$", re.I)
_BASE_AFTER = {"variant", "variants", "extension", "derivative", "backbone", "weights", "checkpoint",
               "checkpoints", "-based", "based"}
BUILDERS = ("Model", "Technique")


def based_on(words: list[str], spans: list[Span], proposed: list[str],
             forms: dict[str, set[str]] | None = None) -> list[tuple[str, str]]:
    """Pairs (proposed model, model it builds on), by cue words or by name.

    A cue ("built on", "Y-based", "we adapt Y", "initialised from Y",
    "a variant of Y") before a model Y in a sentence that also names the
    proposed model, or that follows a proposing sentence, makes a pair; so does
    a proposed name, or one of its ``forms`` (an abbreviation's long form), that contains a
    known model's name ("Focal-UNet" and UNet).
    """
    pairs: list[tuple[str, str]] = []
    models = [s for s in spans if s.type == "Model"]
    builders = {s.name for s in spans if s.type in BUILDERS}
    proposed_models = [p for p in proposed if p in builders][:MAX_PROPOSED]
    if not proposed_models:
        return []
    subject = proposed_models[0]
    subject_spans = [t for t in spans if t.name == subject]
    subject_sentences = {t.sent for t in subject_spans}
    for s in models:
        if s.name == subject:
            continue  # a second proposed model may well be what the first is built on ("based on our GET")
        window = [w.lower() for w in words[max(0, s.start - 3):s.start]]
        nxt = words[s.end:s.end + 2]
        cue = any(_BASE_CUES.match(w) for w in window) or (nxt[:2] == ["-", "based"]) \
            or (nxt and nxt[0].lower() in _BASE_AFTER and s.sent in subject_sentences)
        if cue:
            pairs.append((subject, s.name))
    for s in models:  # "X is a multimodal generative pretrained transformer (GPT) model"
        if s.name in proposed_models or s.sent is None:
            continue
        head = [t for t in subject_spans if t.sent == s.sent and t.end <= s.start]
        if head and head[0].end + 1 < len(words) and words[head[0].end].lower() in {"is", "are"} \
                and words[head[0].end + 1].lower() in {"a", "an"} \
                and not any(w in {".", ";", "which", "that", "than"} for w in words[head[0].end:s.start]):
            pairs.append((subject, s.name))
    model_keys = [(s.name, match_key(s.name)) for s in models]
    for p in proposed_models:
        own_keys = {match_key(f) for f in {p} | (forms or {}).get(p, set())}
        for name, key in model_keys:
            if name != p and len(key) >= 3 and key not in own_keys and any(key in k for k in own_keys):
                pairs.append((p, name))
    return list(dict.fromkeys(pairs))


MAX_PROPOSED = 20
"""Proposed models of one paper that :func:`based_on` relates (each is compared with every model
named, so thousands would cost quadratic time); papers propose one or two."""


_DELTA = {"drop", "drops", "loss", "degradation", "gap", "improvement", "improvements", "gain", "gains",
          "increase", "decrease", "reduction", "reductions", "boost", "difference"}
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(%|x|×)?$")
_LINK = {"of", ":", "=", "is", "reaches", "achieves", "at", "to", "by", "with", "(", "~", "about",
         "around", "over", "up"}


def _number(word: str) -> float | None:
    m = _NUMBER.match(word.replace(",", ""))
    if not m:
        return None
    value = float(m.group(1))
    return None if 1900 <= value <= 2100 and "." not in m.group(1) else value


_BOUND_BEFORE = {"over", "above", "below", "under", "nearly", "approximately", "about", "around", "almost",
                 "than", "least", "most", "<", ">", "~", "≈", "+", "-", "−", "±", "by", "roughly"}
_CHANGE_AFTER = {"fewer", "less", "more", "lower", "higher", "faster", "slower", "smaller", "larger", "better",
                 "worse", "relative", "absolute", "margin", "improvement", "improvements", "gain", "gains",
                 "reduction", "reductions", "increase", "increases", "decrease", "decreases", "drop", "boost",
                 "times", "over", "reduced", "improved"}


RATIO_METRICS = {"speedup", "speed-up", "compression", "compression ratio"}
"""Metrics whose value is itself a ratio: "a 2.5x speedup" is the speedup's value."""


def relative_or_bound(words: list[str], where: int, metric: str = "") -> bool:
    """Is the number at ``where`` a change, a ratio or a bound rather than a score?

    "27% fewer parameters", "+2.1 points", "3x faster", "over 94%", "by 5.1%":
    a wrong absolute value is worse than none, so these are never results. A
    ratio is the value of a ratio metric ("a 2.5x speedup") unless it is a change.

    >>> [relative_or_bound(s.split(), i) for s, i in (("27 % fewer parameters", 0), ("+ 2.1 points", 1),
    ...   ("3x faster", 0), ("over 94 % accuracy", 1), ("reaches 58.0 % PQ", 1))]
    [True, True, True, True, False]
    >>> relative_or_bound("a 2.5x speedup".split(), 1, "speedup"), relative_or_bound("by 2.7x".split(), 1, "throughput")
    (False, True)
    """
    w = words[where]
    ratio = w.endswith(("x", "×")) or words[where + 1:where + 2] in (["x"], ["×"])
    if ratio and metric.lower() not in RATIO_METRICS or w.startswith(("+", "-", "−")):
        return True
    before = [t.lower() for t in words[max(0, where - 2):where]]
    if before and before[-1] in _BOUND_BEFORE or "than" in before:
        return True
    after = [t.lower() for t in words[where + 1:where + 4]]
    if after and after[0] in {"%", "points", "pp", "point", "percent"}:
        after = after[1:]
    return bool(after) and after[0] in _CHANGE_AFTER


def results(words: list[str], spans: list[Span], proposed: list[str]) -> list[FoundResult]:
    """Numbers stated with a metric: "58.0% PQ on COCO", "a BLEU of 28.4 on WMT14".

    Precision over recall: a change or bound is no result (:func:`relative_or_bound`),
    and the number belongs to a model named close before it in the sentence, or
    to the paper's own proposal when the sentence speaks of it ("we", "our").
    """
    found: list[FoundResult] = []
    by_sentence: dict[int | None, list[Span]] = {}
    for s in spans:
        by_sentence.setdefault(s.sent, []).append(s)
    own_names = set(proposed)
    for m, value, where in _metric_values(words, spans):
        if relative_or_bound(words, where, m.name):
            continue
        same = by_sentence[m.sent]
        found += _baseline_results(words, same, m, where)
        before = [s for s in same if s.type in ("Model", "Technique") and s.end <= where]
        own = [s for s in before if s.name in own_names]
        close = [s for s in before if where - s.end <= 6 and not _baseline(words, s.start)]
        sentence = {w.lower() for w in words[m.sent:where]}
        ours = next(iter(proposed), None) if sentence & {"we", "our", "ours", "proposed"} else None
        model = (own[-1].name if own else None) or (close[-1].name if close else None) or ours
        if model is None:
            continue
        dataset = _dataset_for(words, same, m, where)
        found.append(FoundResult(model, m.name, value, dataset, min(where, m.start), max(where + 1, m.end)))
    return found


def _metric_values(words: list[str], spans: list[Span]) -> list[tuple[Span, float, int]]:
    """(metric, value, token index of the value) for every number stated with a metric."""
    out = []
    covered = {i for s in spans for i in range(s.start, s.end)}  # token indices inside a mention
    for m in (s for s in spans if s.type == "Metric"):
        if any(w.lower() in _DELTA for w in words[m.end:m.end + 2]):
            continue  # "1% accuracy drop": a change, not a result
        # "58.0 % PQ" / "10x CPU-inference speedup": the number before, past a few describing words
        i = _skip_modifiers(words, covered, m.start - 1)
        if i is None:
            continue
        if i >= 0 and words[i] in _UNITS:
            i -= 1
        if i >= 0 and _number(words[i]) is not None and i not in covered \
                and (i == 0 or words[i - 1].lower() not in {"by", "+", "than"}):
            out.append((m, _number(words[i]), i))
            # "88.3% zero-shot and 91.1% fine-tuning accuracy": the coordinated value too
            j = i - 1
            while j >= max(0, i - 4) and words[j].lower() != "and":
                j -= 1
            k = _skip_modifiers(words, covered, j - 1) if j >= 1 and words[j].lower() == "and" else None
            if k is not None and k >= 1 and words[k] in _UNITS and _number(words[k - 1]) is not None:
                out.append((m, _number(words[k - 1]), k - 1))
            continue
        for j in range(m.end, min(len(words), m.end + 4)):  # "BLEU of 28.4", "accuracy of 83.3 %"
            if _number(words[j]) is not None and j not in covered:
                if words[j - 1].lower() not in {"by", "+", "than"}:
                    out.append((m, _number(words[j]), j))
                elif words[j - 1].lower() == "by" and (words[j].endswith(("x", "×")) or
                                                       j + 1 < len(words) and words[j + 1] in {"x", "×"}):
                    out.append((m, _number(words[j]), j))  # "improves throughput by 2.7x": a ratio
                break
            if words[j].lower() not in _LINK and words[j] not in {"a", "an", "the"}:
                break
        # "raises pass@1 on HumanEval from 33.6 to 41.2 and on MBPP from 52.7 to 58.9": the new values
        for j in range(m.end, min(len(words) - 3, m.end + 20)):
            if words[j] in {".", ";"}:
                break
            if words[j].lower() == "from" and _number(words[j + 1]) is not None and \
                    words[j + 2].lower() == "to" and _number(words[j + 3]) is not None:
                out.append((m, _number(words[j + 3]), j + 3))
    return out


_UNITS = {"%", "x", "×", "points", "pp"}


def _dataset_for(words: list[str], same: list[Span], m: Span, where: int) -> str | None:
    """The dataset a value was reported on: "… on X" right after, else the last one before.

    Cost metrics (latency, speedup) are properties of a system, not scores on data.
    """
    if m.name.lower() in COST_METRICS:
        return None
    after = [s for s in same if s.type == "Dataset" and s.start > max(where, m.end - 1)]
    gap = words[max(where + 1, m.end):after[0].start] if after else []
    if after and len(gap) <= 3 and all(w.lower() in {"on", "in", "for", "of", "the", "at", "%"} for w in gap):
        return after[0].name  # "58.0% PQ on COCO"
    before = [s for s in same if s.type == "Dataset" and s.end <= where]
    if before:
        return before[-1].name
    return after[0].name if after else None


_BASELINE_VALUE = {"compared", "versus", "vs", "vs.", "against", "over"}


def _baseline_results(words: list[str], same: list[Span], m: Span, where: int) -> list[FoundResult]:
    """"… 71.3% success rate on CALVIN, compared with 54.0% for RT-1": the baseline's number."""
    out = []
    for j in range(where + 1, min(len(words) - 3, where + 25)):
        if words[j] in {".", ";"}:
            break
        if words[j].lower() in _BASELINE_VALUE:
            k = j + 1 + (words[j + 1].lower() in {"with", "to"})
            if k + 2 < len(words) and _number(words[k]) is not None:
                u = k + 1 + (words[k + 1] in _UNITS)
                if u < len(words) and words[u].lower() in {"for", "of", "by"}:
                    model = next((s.name for s in same if s.start == u + 1 and s.type in ("Model", "Technique")), None)
                    if model:
                        out.append(FoundResult(model, m.name, _number(words[k]), _dataset_for(words, same, m, where),
                                               k, k + 1))
    return out


def _skip_modifiers(words: list[str], covered: set[int], i: int) -> int | None:
    """Step left over up to 4 describing words ("CPU-inference", "fine-tuning").

    ``None`` when a word of change ("decrease in MAE") shows the number is a delta.
    """
    skipped = 0
    while i >= 0 and skipped < 4 and (words[i] == "-" or words[i].replace("-", "").isalpha()) \
            and words[i].lower() not in _LINK and i not in covered:
        if words[i].lower() in _DELTA:
            return None
        i, skipped = i - 1, skipped + 1
    return i


COST_METRICS = {"latency", "speedup", "speed-up", "throughput", "flops", "gflops", "macs", "memory",
                "memory footprint", "inference time", "inference speed", "training time", "parameters",
                "model size", "energy", "compute", "runtime", "wall-clock time", "training speed"}


def _baseline(words: list[str], start: int) -> bool:
    """Is the model at ``start`` named as a comparison ("over X", "than X", "compared to X")?"""
    before = [w.lower() for w in words[max(0, start - 2):start]]
    return bool(before) and (before[-1] in {"over", "than", "vs", "vs.", "versus", "against", "outperforming"}
                             or before[-2:] in (["compared", "to"], ["compared", "with"], ["relative", "to"]))
