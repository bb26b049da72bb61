"""The extraction stage: papers in, :class:`~kg.records.Extraction` records out.

>>> from kg.records import Paper
>>> nlp = build_nlp()
>>> paper = Paper(id="p", title="FooNet: Fast Nets",
...               abstract="We propose FooNet, a network built on BERT. Code: github.com/a/foonet.")
>>> ex = extract_paper(nlp, paper)
>>> sorted({(m.type, m.canonical, m.role) for m in ex.mentions})  # doctest: +NORMALIZE_WHITESPACE
[('Model', 'BERT', 'uses'), ('Model', 'FooNet', 'proposes'),
 ('Repository', 'https://github.com/a/foonet', 'has_code')]
>>> [(r.subject, r.object) for r in ex.relations]
[('FooNet', 'BERT')]
"""
from __future__ import annotations

import dataclasses
import json
import re
import warnings
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import InputWarning
from ..records import Extraction, Mention, Paper, Relation, Result
from . import classify as _classify, components, mention_roles  # noqa: F401  (register the kg_* factories)
from .components import SEPARATOR
from .docview import char_bounds, doc_text, sentence_bounds, token_view
from .lexicon import DATA, extractor_version  # noqa: F401  (re-exported: the extraction cache's key)
from .relations import Span, based_on, results
from .repos import find_repositories
from .shapes import shape_patterns
from .tokenizer import adapt_tokenizer
from .roles import strongest

def build_nlp(lexicon: str | None = None, generic: str | None = None, *, classify: bool = True,
              model: str | None = None, drop_sources: tuple[str, ...] = ()) -> Language:
    """A blank English pipeline with the kg components (no downloaded model).

    ``classify=False`` leaves the rules' decisions as they are (what the learned
    ``kg_classify`` is trained on); ``model`` names another classifier file;
    ``drop_sources`` leaves out candidate families (for ablations).
    """
    nlp = spacy.blank("en")
    adapt_tokenizer(nlp)
    nlp.add_pipe("kg_lexicon", config={"lexicon": lexicon, "generic": generic})
    ruler = nlp.add_pipe("span_ruler", name="kg_names",
                         config={"spans_key": "kg_names", "validate": False, "overwrite": True})
    patterns = [json.loads(line) for line in (DATA / "patterns.jsonl").read_text().splitlines()
                if line.strip()]
    ruler.add_patterns(shape_patterns(nlp.vocab, patterns))
    nlp.add_pipe("kg_entities", config={"lexicon": lexicon, "generic": generic})
    nlp.add_pipe("kg_roles")
    if classify or drop_sources:
        nlp.add_pipe("kg_classify", config={"model": model, "learned": classify,
                                            "drop_sources": list(drop_sources)})
    return nlp


def paper_text(paper: Paper) -> str:
    """The text of a paper's ``Doc``: title, separator, abstract (long words broken, see :func:`break_words`)."""
    return break_words(paper.title + SEPARATOR + paper.abstract)


MAX_WORD = 1_000
"""Characters a word (a run without whitespace) may have before it is broken by a space; the
longest word in the seeds has 99.  spaCy strips a word's prefixes and suffixes one at a time,
copying the rest each time: a word of 20,000 nested parentheses would take minutes."""


def break_words(text: str, limit: int = MAX_WORD) -> str:
    """``text`` with every ``limit``-th character of an over-long word made a space (same length,
    so offsets stay exact); ``text`` itself when no word is that long.

    >>> break_words("ab cdefg hi", limit=3)
    'ab cd fg hi'
    """
    if len(text) < limit or max(map(len, text.split()), default=0) < limit:
        return text
    chars = list(text)
    for m in re.finditer(r"\S+", text):
        for i in range(m.start() + limit - 1, m.end(), limit):
            chars[i] = " "
    return "".join(chars)


def extract_paper(nlp: Language, paper: Paper) -> Extraction:
    return to_extraction(nlp(paper_text(paper)), paper)


MAX_CHARS = 200_000
"""Papers whose title and abstract together are longer are not analysed (abstracts average
about 1,300 characters; spaCy refuses texts over ``nlp.max_length``)."""


def extract(nlp: Language, papers: Iterable[Paper], batch_size: int = 64,
            failures: list[int] | None = None) -> Iterator[Extraction]:
    """Extract papers in batches with ``nlp.pipe``; yields one record per paper, in order.

    A paper whose analysis fails (in any component, through spaCy's error
    handler, or in record conversion), or whose text is over :data:`MAX_CHARS`,
    is kept without entities, with an :class:`~kg.errors.InputWarning` naming
    where it was read and its title, and its index goes to ``failures``: one
    bad abstract never costs the build.  Should an error escape spaCy's handler
    (the tokenizer has none), the papers left are analysed one at a time.
    """
    papers = list(papers) if not isinstance(papers, list) else papers
    errors: dict[int, Exception] = {}
    failed = failures if failures is not None else []

    def handler(proc_name, proc, docs, exc):
        for doc in docs:
            errors[doc._context] = exc

    nlp.set_error_handler(handler)
    for i, p in enumerate(papers):
        if len(p.title) + len(p.abstract) > MAX_CHARS:
            errors[i] = ValueError(f"text of {len(p.title) + len(p.abstract):,} characters, over the limit "
                                   f"of {MAX_CHARS:,}")
    papers = [p if i in errors else within_names(p) for i, p in enumerate(papers)]
    done = nlp.pipe(((paper_text(p), i) for i, p in enumerate(papers) if i not in errors),
                    batch_size=batch_size, as_tuples=True)
    expected = 0
    try:
        for doc, i in done:
            for j in range(expected, i):  # skipped by spaCy's error handler
                failed.append(j)
                yield _failed(papers[j], errors.get(j))
            expected = i + 1
            try:
                yield to_extraction(doc, papers[i])
            except Exception as exc:  # noqa: BLE001  (reported, the paper kept without entities)
                failed.append(i)
                yield _failed(papers[i], exc)
    except Exception:  # noqa: BLE001  (escaped the handler: the rest one by one)
        for j in range(expected, len(papers)):
            ex, exc = _alone(nlp, papers[j]) if j not in errors else (None, errors[j])
            if ex is None:
                failed.append(j)
                ex = _failed(papers[j], exc)
            yield ex
        return
    for j in range(expected, len(papers)):
        failed.append(j)
        yield _failed(papers[j], errors.get(j))


def _alone(nlp: Language, paper: Paper) -> tuple[Extraction | None, Exception | None]:
    """One paper analysed by itself, every component called directly: its record, or the error."""
    try:
        doc = nlp.make_doc(paper_text(paper))
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        return to_extraction(doc, paper), None
    except Exception as exc:  # noqa: BLE001  (reported by the caller)
        return None, exc


MAX_NAMES = 400
"""Words that could be names (with a capital or a digit) analysed per paper: the rules look at each
one's context, so thousands cost seconds.  A paper with more is analysed up to that word, with a
warning (the seeds have at most 78)."""

_NAMEISH = re.compile(r"(?<!\w)(?=\w*[A-Z0-9])\w+")


def within_names(paper: Paper, limit: int = MAX_NAMES) -> Paper:
    """``paper``, its abstract cut before its ``limit``-th name-like word (warned) if it has that many.

    >>> p = Paper(id="p", title="T", abstract="We use " + ", ".join(f"A{i}" for i in range(9)))
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     within_names(p, limit=4).abstract  # "T", "We", "A0" and then "A1", the fourth
    'We use A0'
    """
    offset = len(paper.title) + len(SEPARATOR)
    for n, m in enumerate(_NAMEISH.finditer(paper_text(paper)), start=1):
        if n >= limit and m.start() >= offset:
            where = str(paper.sources[0]) if paper.sources else paper.id
            warnings.warn(InputWarning(f"{where}: {paper.title[:80]!r} has more than {limit:,} words that could "
                                       f"be names; only its first {m.start() - offset:,} characters are analysed"),
                          stacklevel=3)
            return dataclasses.replace(paper, abstract=paper.abstract[:m.start() - offset].rstrip(" ,;"))
    return paper


def _failed(paper: Paper, exc: Exception | None) -> Extraction:
    where = str(paper.sources[0]) if paper.sources else paper.id
    warnings.warn(InputWarning(f"{where}: extraction failed for {paper.title[:80]!r} "
                               f"({type(exc).__name__}: {str(exc)[:200]}); the paper is kept without entities"),
                  stacklevel=3)
    return Extraction(paper=paper.id, mentions=(), relations=(), results=())


def _field(doc: Doc, paper: Paper, start: int, end: int) -> tuple[str, int, int] | None:
    title_len = len(paper.title)
    offset = title_len + len(SEPARATOR)
    if end <= title_len:
        return "title", start, end
    if start >= offset:
        return "abstract", start - offset, end - offset
    return None


def to_extraction(doc: Doc, paper: Paper) -> Extraction:
    """The plain records of one analysed doc: mentions with roles, relations, results."""
    words, starts = token_view(doc)
    text = doc_text(doc)
    spans = list(doc.spans["kg"])
    sent_of = {s.start: sentence_bounds(starts, s.start) for s in spans}
    mention_roles = [(s, s.kb_id_ or s.text, s._.kg_role) for s in spans]
    entity_role: dict[tuple[str, str], list[str]] = {}
    for s, name, role in mention_roles:
        entity_role.setdefault((s.label_, name), []).append(role)
    aliases: dict[tuple[str, str], set[str]] = {}
    for s, name, _ in mention_roles:
        aliases.setdefault((s.label_, name), set()).add(s.text)
    mentions = []
    for s, name, role in mention_roles:
        where = _field(doc, paper, s.start_char, s.end_char)
        if where is None:
            continue
        field, start, end = where
        key = (s.label_, name)
        mentions.append(Mention(paper=paper.id, field=field, start=start, end=end, surface=s.text,
                                type=s.label_, role=strongest(entity_role[key]), name=name,
                                aliases=tuple(sorted(aliases[key] - {name}))))
    for field in ("title", "abstract", "code_url"):  # code_url: the record's own, if it names a repository
        for r in find_repositories(paper.text(field)):
            mentions.append(Mention(paper=paper.id, field=field, start=r.start, end=r.end,
                                    surface=paper.text(field)[r.start:r.end], type="Repository",
                                    role="has_code", name=r.url))
    proposed = list(dict.fromkeys(name for (t, name), roles in entity_role.items()
                                  if "proposes" in roles and t in ("Model", "Technique")))
    rel_spans = [Span(s.start, s.end, s.label_, name, sent_of[s.start][0]) for s, name, _ in mention_roles]
    forms = {name: surfaces for (_, name), surfaces in aliases.items()}
    relations = [Relation(paper.id, a, b) for a, b in based_on(words, rel_spans, proposed, forms)]
    found = []
    for r in results(words, rel_spans, proposed):
        s0, s1 = sentence_bounds(starts, r.start)
        first, last = char_bounds(doc, s0, s1)
        evidence = text[first:last]
        where = _field(doc, paper, first + len(evidence) - len(evidence.lstrip()),
                       last - len(evidence) + len(evidence.rstrip()))
        field, start, end = where if where is not None else ("", -1, -1)
        found.append(Result(paper=paper.id, model=r.model, metric=r.metric, value=r.value,
                            dataset=r.dataset, evidence=evidence.strip(), evidence_field=field,
                            evidence_start=start, evidence_end=end))
    return Extraction(paper=paper.id, mentions=tuple(mentions), relations=tuple(relations),
                      results=tuple(dict.fromkeys(found)))


